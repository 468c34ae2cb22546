"""Report periods: parsing, Swedish descriptions and comparison periods.

A period (docs/rapporter.md §1) is one of

* a calendar year ``2025``;
* a half-year ``2025H1`` (January–June) or ``2025H2`` (July–December);
* a quarter ``2025Q1`` … ``2025Q4``;
* a tertial ``2025T1`` (January–April), ``2025T2`` (May–August) or ``2025T3``
  (September–December);
* an explicit date range ``YYYY-MM-DD..YYYY-MM-DD``, e.g. the delårsrapport
  ``2025-01-01..2025-08-31``.

All bounds are inclusive. :func:`parse_period` accepts the letters in either
case and ignores surrounding white space; years must lie in 1990–2100.

Comparison periods
------------------
Two different "earlier" periods are offered, because they answer different
questions:

* :func:`previous` is the contract's *previous period*: the period of the same
  length immediately before. For periods made of whole calendar months that
  means the same number of months just before (Jan–Aug 2025 → May–Dec 2024);
  otherwise the same number of days just before.
* :func:`same_period_last_year` is the same calendar stretch one year earlier
  (Jan–Aug 2025 → Jan–Aug 2024), which is what a förbund usually compares a
  delårsrapport with, and which avoids seasonal effects.

A period derived by either function gets the canonical short label when it is
one (``2024Q4``, ``2024``), otherwise the range label.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

import pandas as pd

from finsam_analysis.errors import FinsamError

__all__ = [
    "KINDS",
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodError",
    "month_range",
    "parse_period",
    "comparison_periods",
    "previous",
    "report_periods",
    "same_period_last_year",
]

MIN_YEAR = 1990
MAX_YEAR = 2100

KINDS = ("year", "half", "quarter", "tertial", "range")

SWEDISH_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
_ORDINALS = ("första", "andra", "tredje", "fjärde")

# Letter, number of months per part and how many parts make a year.
_SUBYEAR = {
    "H": ("half", 6),
    "Q": ("quarter", 3),
    "T": ("tertial", 4),
}
_KIND_MONTHS = {kind: months for kind, months in _SUBYEAR.values()}
_KIND_NOUN = {"half": "halvåret", "quarter": "kvartalet", "tertial": "tertialet"}

_ACCEPTED = (
    "Ange år (2025), halvår (2025H1), kvartal (2025Q3), tertial (2025T2) "
    "eller datumintervall (2025-01-01..2025-08-31)."
)

# re.ASCII: \d must not accept Arabic-Indic or other Unicode digits.
_YEAR_RE = re.compile(r"(\d{4})", re.ASCII)
_PART_RE = re.compile(r"(\d{4})([HQT])(\d)", re.ASCII | re.IGNORECASE)
_RANGE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\s*\.\.\s*(\d{4})-(\d{2})-(\d{2})", re.ASCII)


class PeriodError(FinsamError, ValueError):
    """A period text that cannot be understood, or an inconsistent :class:`Period`.

    A usage error: the command line exits with code 2.
    """


# --------------------------------------------------------------------------
# Month arithmetic
# --------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) moved ``n`` months (negative is earlier)."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _whole_months(start: _dt.date, end: _dt.date) -> int | None:
    """Number of calendar months in ``[start, end]`` when it is whole months, else None."""
    if start.day != 1 or end.day != _last_day(end.year, end.month):
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _range_label(start: _dt.date, end: _dt.date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


def _canonical(start: _dt.date, end: _dt.date) -> tuple[str, str] | None:
    """(kind, label) of the short form covering exactly ``[start, end]``, or None."""
    n = _whole_months(start, end)
    if n is None or start.year != end.year:
        return None
    if n == 12:
        return "year", str(start.year)
    for letter, (kind, size) in _SUBYEAR.items():
        # A part must also begin on its own boundary: Feb–Apr is 3 months but no quarter.
        if n == size and (start.month - 1) % size == 0:
            return kind, f"{start.year}{letter}{(start.month - 1) // size + 1}"
    return None


def _month_start(value: object) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT:
        raise PeriodError(f"Ogiltigt datum {value!r} för månadsintervall.")
    return pd.Timestamp(ts.year, ts.month, 1)


def month_range(start: object, end: object) -> pd.DatetimeIndex:
    """Month starts from the month of ``start`` through the month of ``end``.

    Parameters
    ----------
    start, end : date-like
        Anything :class:`pandas.Timestamp` accepts (``datetime.date``, ISO
        text, Timestamp). Only year and month are used, so
        ``month_range("2025-01-15", "2025-03-02")`` gives January–March.

    Returns
    -------
    pandas.DatetimeIndex
        ``datetime64[ns]`` month starts (``freq="MS"``), the same unit the
        loaded tables use so it joins cleanly; empty when ``end`` lies in an
        earlier month than ``start``.
    """
    first, last = _month_start(start), _month_start(end)
    return pd.date_range(first, last, freq="MS").as_unit("ns")


# --------------------------------------------------------------------------
# Period
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An inclusive date interval with its canonical label.

    Normally made by :func:`parse_period` or :meth:`from_dates`; constructing
    one directly checks that ``label`` and ``kind`` agree with the dates.

    Parameters
    ----------
    label : str
        Canonical text: ``2025``, ``2025H1``, ``2025Q3``, ``2025T2`` or
        ``2025-01-01..2025-08-31``.
    start, end : datetime.date
        First and last day, both inclusive.
    kind : str
        One of ``year``, ``half``, ``quarter``, ``tertial``, ``range``.
    """

    label: str
    start: _dt.date
    end: _dt.date
    kind: str

    def __post_init__(self) -> None:
        for name, value in (("startdatum", self.start), ("slutdatum", self.end)):
            # datetime is a date subclass; a time of day would make "inclusive" ambiguous.
            if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
                raise PeriodError(
                    f"Periodens {name} måste vara ett datum (datetime.date), inte {value!r}."
                )
        if self.kind not in KINDS:
            raise PeriodError(f"Okänd periodtyp {self.kind!r}; tillåtna är {', '.join(KINDS)}.")
        if self.end < self.start:
            raise PeriodError(
                f"Perioden {self.label!r} slutar ({self.end}) före sin början ({self.start})."
            )
        if self.kind == "range":
            expected = _range_label(self.start, self.end)
        else:
            canonical = _canonical(self.start, self.end)
            expected = canonical[1] if canonical and canonical[0] == self.kind else None
        if self.label != expected:
            raise PeriodError(
                f"Perioden {self.label!r} ({self.kind}) stämmer inte med datumen "
                f"{self.start}..{self.end}."
            )

    @classmethod
    def from_dates(cls, start: _dt.date, end: _dt.date) -> Period:
        """The period ``[start, end]``, with the short label when there is one.

        Parameters
        ----------
        start, end : datetime.date
            Inclusive bounds.

        Returns
        -------
        Period
            Kind ``year``/``half``/``quarter``/``tertial`` when the dates are
            exactly such a period, otherwise kind ``range``.
        """
        canonical = _canonical(start, end)
        if canonical is None:
            return cls(_range_label(start, end), start, end, "range")
        kind, label = canonical
        return cls(label, start, end, kind)

    def __str__(self) -> str:
        return self.label

    @property
    def start_ts(self) -> pd.Timestamp:
        """``start`` as a ``datetime64[ns]`` Timestamp (midnight)."""
        return pd.Timestamp(self.start).as_unit("ns")

    @property
    def end_ts(self) -> pd.Timestamp:
        """``end`` as a ``datetime64[ns]`` Timestamp.

        Midnight at the start of the last day: compare it with dates, not
        with timestamps carrying a time of day.
        """
        return pd.Timestamp(self.end).as_unit("ns")

    @property
    def days(self) -> int:
        """Number of days, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def is_year(self) -> bool:
        """True for a calendar year, including a range that is exactly 1 Jan–31 Dec."""
        return (
            self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
        )

    @property
    def year(self) -> int:
        """The year of ``end`` (the year a period is reported under)."""
        return self.end.year

    @property
    def months(self) -> list[pd.Timestamp]:
        """Month starts of every month the period touches, partly covered ones included."""
        return list(month_range(self.start, self.end))

    @property
    def swedish(self) -> str:
        """Swedish description for report headings.

        Examples: ``helåret 2025``, ``första halvåret 2025``, ``tredje
        kvartalet 2025``, ``andra tertialet 2025``, ``1 januari–31 augusti
        2025``, ``1 december 2024–31 maj 2025``.
        """
        if self.kind == "year":
            return f"helåret {self.start.year}"
        if self.kind in _KIND_NOUN:
            part = (self.start.month - 1) // _KIND_MONTHS[self.kind]
            return f"{_ORDINALS[part]} {_KIND_NOUN[self.kind]} {self.start.year}"
        s, e = self.start, self.end
        if s == e:
            return _swedish_date(e)
        if s.year != e.year:
            return f"{_swedish_date(s)}–{_swedish_date(e)}"
        if s.month != e.month:
            return f"{s.day} {SWEDISH_MONTHS[s.month - 1]}–{_swedish_date(e)}"
        return f"{s.day}–{_swedish_date(e)}"


def swedish_date(day: _dt.date) -> str:
    """``1 januari 2025``."""
    return _swedish_date(day)


def _swedish_date(day: _dt.date) -> str:
    # Swedish writes "1 januari 2025": no ordinal dot, lowercase month.
    return f"{day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def _shown(text: str) -> str:
    # Keep the message one line and short even for pasted garbage.
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _unknown(text: str) -> PeriodError:
    return PeriodError(f"Okänd period '{_shown(text)}'. {_ACCEPTED}")


def _invalid(text: str, reason: str) -> PeriodError:
    return PeriodError(f"Ogiltig period '{_shown(text)}': {reason}. {_ACCEPTED}")


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(text, f"året {year} ligger utanför {MIN_YEAR}–{MAX_YEAR}")


def _date(text: str, y: str, m: str, d: str) -> _dt.date:
    _check_year(text, int(y))
    try:
        return _dt.date(int(y), int(m), int(d))
    except ValueError:
        raise _invalid(text, f"{y}-{m}-{d} är inget giltigt datum") from None


def parse_period(text: str | int | Period) -> Period:
    """Read a period from the command line, a notebook parameter or a config.

    Parameters
    ----------
    text : str, int or Period
        ``2025`` (also the int 2025), ``2025H1``, ``2025Q3``, ``2025T2`` (the
        letter in either case) or ``YYYY-MM-DD..YYYY-MM-DD`` with real dates
        and start ≤ end. Surrounding white space is ignored. A
        :class:`Period` is returned unchanged.

    Returns
    -------
    Period
        With the canonical label (``2025h1`` → ``2025H1``). A range keeps
        kind ``range`` even when it covers exactly a year or quarter, since
        that is how the user wrote it; :attr:`Period.is_year` still tells.

    Raises
    ------
    PeriodError
        For anything else, with a Swedish message naming the input and
        listing the accepted forms. Years must lie in 1990–2100.
    """
    if isinstance(text, Period):
        return text
    # bool is an int subclass, but True is no year.
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise _unknown(repr(text))
    raw = text.strip()

    if match := _YEAR_RE.fullmatch(raw):
        year = int(match.group(1))
        _check_year(raw, year)
        return Period(str(year), _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year")

    if match := _PART_RE.fullmatch(raw):
        year, letter, number = int(match.group(1)), match.group(2).upper(), int(match.group(3))
        kind, size = _SUBYEAR[letter]
        if not 1 <= number <= 12 // size:
            raise _unknown(raw)
        _check_year(raw, year)
        first = (number - 1) * size + 1
        last = first + size - 1
        return Period(
            f"{year}{letter}{number}",
            _dt.date(year, first, 1),
            _dt.date(year, last, _last_day(year, last)),
            kind,
        )

    if match := _RANGE_RE.fullmatch(raw):
        g = match.groups()
        start, end = _date(raw, *g[:3]), _date(raw, *g[3:])
        if end < start:
            raise _invalid(raw, f"slutdatumet {end} ligger före startdatumet {start}")
        return Period(_range_label(start, end), start, end, "range")

    raise _unknown(raw)


# --------------------------------------------------------------------------
# Comparison periods
# --------------------------------------------------------------------------


def previous(period: Period) -> Period:
    """The period of the same length immediately before (docs/rapporter.md §1).

    * A period of whole calendar months (every year, half-year, quarter and
      tertial, and a range from the 1st of a month to the last day of a
      month) → the same *number of months* just before: 2025 → 2024,
      2025H1 → 2024H2, 2025Q1 → 2024Q4, 2025T1 → 2024T3, and the delår
      ``2025-01-01..2025-08-31`` → ``2024-05-01..2024-12-31``. The day count
      may then differ (February, leap years).
    * Any other range → the same *number of days* ending the day before
      ``start``: ``2025-03-10..2025-03-19`` → ``2025-02-28..2025-03-09``.

    This is the literal "previous period". For comparing a delår with the
    same months a year earlier use :func:`same_period_last_year`.

    Parameters
    ----------
    period : Period or str

    Returns
    -------
    Period
        Always ends the day before ``period.start``; labelled with the short
        form when it is one (``2024Q4``), else the range form.
    """
    period = parse_period(period)
    n = _whole_months(period.start, period.end)
    if n is None:
        end = period.start - _dt.timedelta(days=1)
        return Period.from_dates(end - _dt.timedelta(days=period.days - 1), end)
    y, m = _add_months(period.start.year, period.start.month, -n)
    start = _dt.date(y, m, 1)
    return Period.from_dates(start, period.start - _dt.timedelta(days=1))


def _year_earlier(day: _dt.date) -> _dt.date:
    # 29 February has no counterpart in a common year; the 28th is the last day of that month.
    if (day.month, day.day) == (2, 29):
        return _dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def same_period_last_year(period: Period) -> Period:
    """The same calendar stretch one year earlier.

    What a förbund compares a delårsrapport with: ``2025-01-01..2025-08-31``
    → ``2024-01-01..2024-08-31``; 2025 → 2024; 2025Q3 → 2024Q3; 2025H1 →
    2024H1. Unlike :func:`previous` it is not adjacent to ``period``.

    A period of whole calendar months keeps whole months (Jan–Feb 2025 →
    ``2024-01-01..2024-02-29``). Otherwise each date moves one year back and
    29 February becomes 28 February (``2024-02-10..2024-02-29`` →
    ``2023-02-10..2023-02-28``).

    Parameters
    ----------
    period : Period or str

    Returns
    -------
    Period
        Labelled with the short form when it is one, else the range form.
    """
    period = parse_period(period)
    s, e = period.start, period.end
    if _whole_months(s, e) is not None:
        end = _dt.date(e.year - 1, e.month, _last_day(e.year - 1, e.month))
        return Period.from_dates(_dt.date(s.year - 1, s.month, 1), end)
    return Period.from_dates(_year_earlier(s), _year_earlier(e))


def comparison_periods(period: Period | str) -> list[Period]:
    """The period, the previous period and the same period last year (no repeats)."""
    period = parse_period(period)
    out: list[Period] = []
    for p in (period, previous(period), same_period_last_year(period)):
        if p.label not in [q.label for q in out]:
            out.append(p)
    return out


def report_periods(period: Period) -> list[Period]:
    """Every period a report for ``period`` shows figures of.

    The period, its comparison periods and, when the period does not end a
    year, the part of its year up to its end (the yearly trend). Their
    bounds outside the family are decided together
    (:meth:`finsam_analysis.disclosure.forbund.ForbundFamily.with_periods`), so the
    report, its JSON and its Excel file agree.
    """
    out = comparison_periods(period)
    if (period.end.month, period.end.day) != (12, 31):
        out.append(Period.from_dates(_dt.date(period.end.year, 1, 1), period.end))
    return out
