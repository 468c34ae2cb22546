"""Tests for finsam_analysis.periods.

Expected dates are worked out by hand from the calendar; the property tests
count months and days with plain ``datetime``/``calendar`` arithmetic, not
with the package's helpers.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_analysis.errors import FinsamError
from finsam_analysis.periods import (
    Period,
    PeriodError,
    month_range,
    parse_period,
    previous,
    same_period_last_year,
)

D = dt.date


# --------------------------------------------------------------------------
# Parsing: every form's bounds
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "kind", "start", "end"),
    [
        ("2025", "2025", "year", D(2025, 1, 1), D(2025, 12, 31)),
        ("2024H1", "2024H1", "half", D(2024, 1, 1), D(2024, 6, 30)),
        ("2024H2", "2024H2", "half", D(2024, 7, 1), D(2024, 12, 31)),
        ("2024Q1", "2024Q1", "quarter", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024Q2", "2024Q2", "quarter", D(2024, 4, 1), D(2024, 6, 30)),
        ("2025Q3", "2025Q3", "quarter", D(2025, 7, 1), D(2025, 9, 30)),
        ("2024Q4", "2024Q4", "quarter", D(2024, 10, 1), D(2024, 12, 31)),
        ("2024T1", "2024T1", "tertial", D(2024, 1, 1), D(2024, 4, 30)),
        ("2025T2", "2025T2", "tertial", D(2025, 5, 1), D(2025, 8, 31)),
        ("2024T3", "2024T3", "tertial", D(2024, 9, 1), D(2024, 12, 31)),
        ("2025-01-01..2025-08-31", "2025-01-01..2025-08-31", "range", D(2025, 1, 1), D(2025, 8, 31)),
        ("2024-02-01..2024-02-29", "2024-02-01..2024-02-29", "range", D(2024, 2, 1), D(2024, 2, 29)),
        ("2025-03-10..2025-03-10", "2025-03-10..2025-03-10", "range", D(2025, 3, 10), D(2025, 3, 10)),
        # Case, white space and an int are accepted; the label is canonical.
        ("2025h1", "2025H1", "half", D(2025, 1, 1), D(2025, 6, 30)),
        (" 2025q3\n", "2025Q3", "quarter", D(2025, 7, 1), D(2025, 9, 30)),
        ("2025t2", "2025T2", "tertial", D(2025, 5, 1), D(2025, 8, 31)),
        (2025, "2025", "year", D(2025, 1, 1), D(2025, 12, 31)),
        ("  2025-01-01 .. 2025-08-31 ", "2025-01-01..2025-08-31", "range", D(2025, 1, 1), D(2025, 8, 31)),
        ("1990", "1990", "year", D(1990, 1, 1), D(1990, 12, 31)),
        ("2100Q4", "2100Q4", "quarter", D(2100, 10, 1), D(2100, 12, 31)),
    ],
)
def test_parse_forms(text, label, kind, start, end):
    p = parse_period(text)
    assert (p.label, p.kind, p.start, p.end) == (label, kind, start, end)
    assert str(p) == label
    # The label reads back to the same period.
    assert parse_period(p.label) == p


def test_parse_returns_period_unchanged():
    p = parse_period("2025Q3")
    assert parse_period(p) is p


def test_leap_year_february():
    assert parse_period("2024Q1").days == 31 + 29 + 31
    assert parse_period("2023Q1").days == 31 + 28 + 31
    assert parse_period("2024").days == 366
    assert parse_period("2100").days == 365  # 2100 is no leap year
    assert parse_period("2000").days == 366


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ("2025Q5", "'2025Q5'"),
        ("2025Q0", "'2025Q0'"),
        ("2025H3", "'2025H3'"),
        ("2025T4", "'2025T4'"),
        ("25", "'25'"),
        (25, "'25'"),
        ("2025-02-30..2025-03-01", "'2025-02-30..2025-03-01'"),
        ("2025-13-01..2025-12-31", "'2025-13-01..2025-12-31'"),
        ("2025-03-01..2025-02-28", "'2025-03-01..2025-02-28'"),
        ("2025-01-01", "'2025-01-01'"),
        ("2025-01-01..", "'2025-01-01..'"),
        ("abc", "'abc'"),
        ("", "''"),
        ("   ", "''"),
        ("1989", "'1989'"),
        ("2101H1", "'2101H1'"),
        ("1989-12-01..1990-01-31", "'1989-12-01..1990-01-31'"),
        ("2025M01", "'2025M01'"),
        ("٢٠٢٥", "'٢٠٢٥'"),  # Arabic-Indic digits are not a year
        (None, "'None'"),
        (True, "'True'"),
    ],
)
def test_invalid_inputs(bad, shown):
    with pytest.raises(PeriodError) as info:
        parse_period(bad)
    message = str(info.value)
    assert shown in message
    # Lists the accepted forms.
    for form in ("2025H1", "2025Q3", "2025T2", "2025-01-01..2025-08-31"):
        assert form in message
    assert "\n" not in message


def test_period_error_is_usage_error():
    assert issubclass(PeriodError, FinsamError)
    assert issubclass(PeriodError, ValueError)
    assert PeriodError.exit_code == 2


def test_reason_is_given():
    with pytest.raises(PeriodError, match="inget giltigt datum"):
        parse_period("2025-02-30..2025-03-01")
    with pytest.raises(PeriodError, match="före startdatumet"):
        parse_period("2025-03-01..2025-02-28")
    with pytest.raises(PeriodError, match="1990–2100"):
        parse_period("1989")


def test_long_input_is_shortened():
    with pytest.raises(PeriodError) as info:
        parse_period("x" * 500)
    assert len(str(info.value)) < 250


# --------------------------------------------------------------------------
# Period properties
# --------------------------------------------------------------------------


def test_timestamps_days_year():
    p = parse_period("2024-12-01..2025-05-31")
    assert p.start_ts == pd.Timestamp("2024-12-01")
    assert p.end_ts == pd.Timestamp("2025-05-31")
    assert p.days == 31 + 31 + 28 + 31 + 30 + 31
    assert p.year == 2025
    assert not p.is_year


def test_is_year():
    assert parse_period("2025").is_year
    assert parse_period("2025-01-01..2025-12-31").is_year
    assert parse_period("2025-01-01..2025-12-31").kind == "range"
    assert not parse_period("2025-01-01..2025-12-30").is_year
    assert not parse_period("2024-01-01..2025-12-31").is_year
    assert not parse_period("2025H1").is_year


def test_months():
    assert parse_period("2025Q3").months == [
        pd.Timestamp("2025-07-01"),
        pd.Timestamp("2025-08-01"),
        pd.Timestamp("2025-09-01"),
    ]
    assert len(parse_period("2025").months) == 12
    # Partly covered months count.
    assert parse_period("2025-01-31..2025-03-01").months == [
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-02-01"),
        pd.Timestamp("2025-03-01"),
    ]
    assert parse_period("2024-12-15..2025-01-15").months == [
        pd.Timestamp("2024-12-01"),
        pd.Timestamp("2025-01-01"),
    ]


def test_month_range():
    idx = month_range(D(2024, 11, 20), "2025-02-01")
    assert isinstance(idx, pd.DatetimeIndex)
    assert list(idx) == [pd.Timestamp(x) for x in ("2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01")]
    assert idx.dtype == "datetime64[ns]"
    assert len(month_range("2025-03-01", "2025-03-31")) == 1
    assert len(month_range("2025-03-01", "2025-02-28")) == 0
    with pytest.raises(PeriodError):
        month_range("inte ett datum", "2025-01-01")


@pytest.mark.parametrize(
    ("text", "swedish"),
    [
        ("2025", "helåret 2025"),
        ("2025H1", "första halvåret 2025"),
        ("2025H2", "andra halvåret 2025"),
        ("2025Q1", "första kvartalet 2025"),
        ("2025Q3", "tredje kvartalet 2025"),
        ("2025Q4", "fjärde kvartalet 2025"),
        ("2025T1", "första tertialet 2025"),
        ("2025T2", "andra tertialet 2025"),
        ("2025T3", "tredje tertialet 2025"),
        ("2025-01-01..2025-08-31", "1 januari–31 augusti 2025"),
        ("2024-12-01..2025-05-31", "1 december 2024–31 maj 2025"),
        ("2025-03-10..2025-03-19", "10–19 mars 2025"),
        ("2025-10-05..2025-10-05", "5 oktober 2025"),
        ("2025-02-15..2025-11-15", "15 februari–15 november 2025"),
    ],
)
def test_swedish(text, swedish):
    assert parse_period(text).swedish == swedish


def test_direct_construction_is_checked():
    Period("2025Q3", D(2025, 7, 1), D(2025, 9, 30), "quarter")
    with pytest.raises(PeriodError):
        Period("2025Q2", D(2025, 7, 1), D(2025, 9, 30), "quarter")
    with pytest.raises(PeriodError):
        Period("2025", D(2025, 1, 1), D(2025, 12, 31), "quarter")
    with pytest.raises(PeriodError):
        Period("2025-03-01..2025-02-01", D(2025, 3, 1), D(2025, 2, 1), "range")
    with pytest.raises(PeriodError):
        Period("x", D(2025, 3, 1), D(2025, 3, 2), "month")
    with pytest.raises(PeriodError):
        Period("2025", dt.datetime(2025, 1, 1), D(2025, 12, 31), "year")


def test_from_dates_uses_short_label():
    assert Period.from_dates(D(2024, 1, 1), D(2024, 12, 31)).label == "2024"
    assert Period.from_dates(D(2024, 7, 1), D(2024, 12, 31)).label == "2024H2"
    assert Period.from_dates(D(2024, 9, 1), D(2024, 12, 31)).label == "2024T3"
    assert Period.from_dates(D(2024, 10, 1), D(2024, 12, 31)).label == "2024Q4"
    # Three whole months not on a quarter boundary is no quarter.
    assert Period.from_dates(D(2024, 2, 1), D(2024, 4, 30)).kind == "range"
    assert Period.from_dates(D(2024, 3, 1), D(2024, 3, 31)).label == "2024-03-01..2024-03-31"


def test_hashable_and_frozen():
    p = parse_period("2025")
    assert {p, parse_period(" 2025 ")} == {p}
    with pytest.raises(AttributeError):
        p.label = "2024"  # type: ignore[misc]


# --------------------------------------------------------------------------
# previous()
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2025", "2024", D(2024, 1, 1), D(2024, 12, 31)),
        ("2025H2", "2025H1", D(2025, 1, 1), D(2025, 6, 30)),
        ("2025H1", "2024H2", D(2024, 7, 1), D(2024, 12, 31)),
        ("2025Q3", "2025Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("2025Q1", "2024Q4", D(2024, 10, 1), D(2024, 12, 31)),
        ("2024Q2", "2024Q1", D(2024, 1, 1), D(2024, 3, 31)),
        ("2025T1", "2024T3", D(2024, 9, 1), D(2024, 12, 31)),
        ("2025T3", "2025T2", D(2025, 5, 1), D(2025, 8, 31)),
        # The delårsrapport Jan–Aug: the eight months just before.
        ("2025-01-01..2025-08-31", "2024-05-01..2024-12-31", D(2024, 5, 1), D(2024, 12, 31)),
        # A whole-year range becomes the short form.
        ("2025-01-01..2025-12-31", "2024", D(2024, 1, 1), D(2024, 12, 31)),
        ("2025-04-01..2025-06-30", "2025Q1", D(2025, 1, 1), D(2025, 3, 31)),
        # One whole month: the month before, whatever its length.
        ("2024-03-01..2024-03-31", "2024-02-01..2024-02-29", D(2024, 2, 1), D(2024, 2, 29)),
        ("2025-03-01..2025-03-31", "2025-02-01..2025-02-28", D(2025, 2, 1), D(2025, 2, 28)),
        # Six months across the new year.
        ("2024-12-01..2025-05-31", "2024-06-01..2024-11-30", D(2024, 6, 1), D(2024, 11, 30)),
        # Plain day ranges: same number of days just before.
        ("2025-03-10..2025-03-19", "2025-02-28..2025-03-09", D(2025, 2, 28), D(2025, 3, 9)),
        ("2024-03-10..2024-03-19", "2024-02-29..2024-03-09", D(2024, 2, 29), D(2024, 3, 9)),
        ("2025-01-01..2025-01-01", "2024-12-31..2024-12-31", D(2024, 12, 31), D(2024, 12, 31)),
        ("2025-01-05..2025-01-10", "2024-12-30..2025-01-04", D(2024, 12, 30), D(2025, 1, 4)),
        # Starting on the 1st but not ending on a month's last day: days, not months.
        ("2025-03-01..2025-03-30", "2025-01-30..2025-02-28", D(2025, 1, 30), D(2025, 2, 28)),
    ],
)
def test_previous(text, label, start, end):
    p = previous(parse_period(text))
    assert (p.label, p.start, p.end) == (label, start, end)
    assert parse_period(p.label) == p


def test_previous_kinds():
    assert previous(parse_period("2025Q1")).kind == "quarter"
    assert previous(parse_period("2025T1")).kind == "tertial"
    assert previous(parse_period("2025H1")).kind == "half"
    assert previous(parse_period("2025")).kind == "year"
    assert previous(parse_period("2025-01-01..2025-08-31")).kind == "range"


def test_previous_accepts_text():
    assert previous("2025Q1").label == "2024Q4"


def test_previous_of_day_range_can_land_on_a_quarter():
    # 90 days ending 31 March 2025 are exactly Q1 2025, so it is labelled so.
    p = previous(parse_period("2025-04-01..2025-06-29"))
    assert p.label == "2025Q1"


# --------------------------------------------------------------------------
# same_period_last_year()
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2025", "2024"),
        ("2025H1", "2024H1"),
        ("2025H2", "2024H2"),
        ("2025Q3", "2024Q3"),
        ("2025T2", "2024T2"),
        ("2025-01-01..2025-08-31", "2024-01-01..2024-08-31"),
        ("2025-01-01..2025-12-31", "2024"),
        ("2025-03-10..2025-03-19", "2024-03-10..2024-03-19"),
        ("2024-12-01..2025-05-31", "2023-12-01..2024-05-31"),
        # Leap day: 29 Feb becomes 28 Feb.
        ("2024-02-10..2024-02-29", "2023-02-10..2023-02-28"),
        ("2024-02-29..2024-03-05", "2023-02-28..2023-03-05"),
        # A day range ending 28 Feb stays on the 28th in a leap year.
        ("2025-02-10..2025-02-28", "2024-02-10..2024-02-28"),
        # Whole months stay whole months: Jan–Feb 2025 → Jan–Feb 2024 incl. the 29th.
        ("2025-01-01..2025-02-28", "2024-01-01..2024-02-29"),
        ("2024-01-01..2024-02-29", "2023-01-01..2023-02-28"),
    ],
)
def test_same_period_last_year(text, label):
    p = same_period_last_year(parse_period(text))
    assert p.label == label
    assert parse_period(p.label) == p


def test_same_period_last_year_vs_previous_for_delar():
    delar = parse_period("2025-01-01..2025-08-31")
    assert same_period_last_year(delar).start == D(2024, 1, 1)
    assert previous(delar).start == D(2024, 5, 1)


# --------------------------------------------------------------------------
# Properties over random valid periods
# --------------------------------------------------------------------------


def _months_between(start: dt.date, end: dt.date) -> int | None:
    """Whole calendar months in [start, end], counted independently, else None."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


_years = st.integers(min_value=1991, max_value=2099)
_days = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))


@st.composite
def _period_texts(draw) -> str:
    form = draw(st.sampled_from(["year", "H", "Q", "T", "days", "months"]))
    year = draw(_years)
    if form == "year":
        return str(year)
    if form in "HQT":
        n = {"H": 2, "Q": 4, "T": 3}[form]
        case = draw(st.sampled_from([str.upper, str.lower]))
        return f"{year}{case(form)}{draw(st.integers(1, n))}"
    if form == "days":
        start = draw(_days)
        length = draw(st.integers(min_value=1, max_value=800))
        end = min(start + dt.timedelta(days=length - 1), D(2100, 12, 31))
        return f"{start}..{end}"
    # Up to 36 months from 2096 still ends by 2100, the last year parse_period takes.
    year = min(year, 2096)
    month = draw(st.integers(1, 12))
    n_months = draw(st.integers(1, 36))
    end_index = year * 12 + month - 1 + n_months - 1
    end_year, end_month = divmod(end_index, 12)
    end_month += 1
    last = calendar.monthrange(end_year, end_month)[1]
    return f"{D(year, month, 1)}..{D(end_year, end_month, last)}"


@settings(max_examples=400, deadline=None)
@given(_period_texts())
def test_previous_property(text):
    p = parse_period(text)
    q = previous(p)
    assert q.end == p.start - dt.timedelta(days=1)
    n = _months_between(p.start, p.end)
    if n is None:
        assert q.days == p.days
    else:
        assert _months_between(q.start, q.end) == n
    if p.kind != "range":
        assert q.kind == p.kind
    if q.start.year >= 1990:  # parse_period rejects earlier years
        assert parse_period(q.label) == q


@settings(max_examples=400, deadline=None)
@given(_period_texts())
def test_same_period_last_year_property(text):
    p = parse_period(text)
    q = same_period_last_year(p)
    assert q.start.year == p.start.year - 1
    assert q.end.year == p.end.year - 1
    assert (q.start.month, q.end.month) == (p.start.month, p.end.month)
    if _months_between(p.start, p.end) is not None:
        assert _months_between(q.start, q.end) == _months_between(p.start, p.end)
    if p.kind != "range":
        assert q.kind == p.kind
        assert q.label == str(p.start.year - 1) + p.label[4:]
    if q.start.year >= 1990:  # parse_period rejects earlier years
        assert parse_period(q.label) == q


@settings(max_examples=200, deadline=None)
@given(_period_texts())
def test_parse_roundtrip_and_months_property(text):
    p = parse_period(text)
    assert parse_period(p.label) == p
    assert parse_period(f"  {text.lower()}  ") == p
    months = p.months
    assert months[0] == pd.Timestamp(p.start.year, p.start.month, 1)
    assert months[-1] == pd.Timestamp(p.end.year, p.end.month, 1)
    assert len(months) == (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
    assert p.days == (p.end - p.start).days + 1
