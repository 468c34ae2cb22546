"""Every table of a förbund report, disclosure control applied (REPORT.md §3–4).

:func:`report_tables` builds the tables the HTML report, the notebook and the
Excel workbook show, as :class:`ReportTable` objects: Swedish titles, column
headers and row labels, numbers as numbers, hidden cells as ``".."`` and
values that cannot be computed as ``"–"``. Shares are fractions (0.432);
formatting for people is :meth:`ReportTable.formatted` (:mod:`.fmt`), and the
workbook keeps the numbers with Excel number formats (:mod:`.excel`).

Disclosure control
------------------
Every count of persons (participations are persons too) and every share or
statistic over persons goes through :func:`finsam_analysis.disclosure.protect_table`
(the sammanfattning through :func:`finsam_analysis.figures.key_figures`,
which is already protected). Shares of a column total (``Andel``) are
derived from the *protected* counts: a share is hidden exactly when its
count or the total is hidden (:func:`_add_distribution_share`).

Tables and the key figures are published side by side, so a margin that is
also a key figure (the kön totals of kön × ålder, every Totalt of avslutade
or aktiva deltagare) must be hidden in both or shown in both: otherwise
``kvinnor`` from the JSON and ``Man`` from a table give ``kön okänd`` back.
Each table passes such cells to protect_table as ``agree_with``, with
whether the key figures hide them, and protect_table hides exactly the ones
the key figures hide. ``resultat_grupper`` *is* key figures and is built
from them.

Not suppressed, by decision:

* SCB helårsekvivalenter and folkmängd (public statistics, REPORT.md §3).
* The data-quality tables count *rows* of the delivered files, kommun-months
  and hidden cells, not persons with some property in the period: rows read
  and rejected per file and reason, missing values per column over all the
  förbund's participations, imputed SCB months. They are shown as they are,
  so the förbund can find and correct the rows.
* Targets and ekonomi (utfall kr) of an insats are not about persons;
  kostnad per deltagare is hidden when aktiva deltagare is hidden or below
  ``min_cell`` (it would give the count back).

Decisions where REPORT.md is silent
-----------------------------------
* ``deltagare_insats`` has no total row: a person in two insatser counts in
  both, so the rows need not add up to aktiva deltagare (said in a note).
  Participations per insats are not shown there, because they do add up to
  aktiva deltaganden of the sammanfattning and would need a protected total.
* ``deltagare_kommun`` lists the member kommuner (with zeros), then
  "Övriga kommuner" and "Uppgift saknas", so a förbund's many one-off
  kommuner do not become a column of ``..``.
* ``resultat_grupper`` shows the SUS groups with Totalt = avslutade, and
  "därav sysselsättning efter okänd" under Övriga (a subset, not part of the
  sum), exactly as the key figures show them.
* ``insatser_mal`` takes the visibility of its andel arbete/studier from
  ``resultat_insats`` (same numbers, protected there with a total row), so the
  two tables never disagree and avslutade per insats cannot be subtracted
  from the sammanfattning.
* ``resultat_trend`` and ``aktiva_per_manad`` have no totals, but they and
  the sammanfattning's comparison periods count the same participations
  over nested stretches of time, so they are protected together
  (:func:`_protect_linked`): the report's period as its key figures, the
  earlier periods, the months and the years with whatever more the links
  need. A comparison column may therefore hide more than that period's own
  report.
* The sammanfattning compares the period with :func:`~.periods.previous` and
  :func:`~.periods.same_period_last_year`; for a calendar year both are the
  year before, shown once. Columns are the periods' labels (``2025``,
  ``2025Q3``, ``2025-01-01..2025-08-31``).
* Beyond the key figures and the links over time, tables are protected
  each on its own: two breakdowns of the same total (e.g. by kön in
  ``resultat_kon`` and by åldersgrupp in ``resultat_alder``) share only their
  Totalt row, which both take from the key figures.

Known row kinds differ within the sammanfattning (counts, shares, days), so a
table may carry ``row_kinds`` that override the column ``kinds``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import outcomes, schema
from .disclosure import (
    PAGAENDE_VID_START,
    SUPPRESSED,
    Cell,
    ProtectedTable,
    footnote,
    protect_key_figures_together,
    protect_table,
)
from .figures import cached_key_figures, forbund_participations, in_key_order, raw_key_figures
from .fmt import NOT_AVAILABLE, fmt_value, is_missing, swedish_month
from .forsorjningsformer import forbund_monthly, per_kommun_yearly, riket_monthly, yearly
from .periods import SWEDISH_MONTHS, Period, parse_period, previous, same_period_last_year
from .reference import kommun_namn

__all__ = [
    "KINDS",
    "SECTIONS",
    "SOURCE_DATA",
    "SOURCE_DELTAGARE",
    "SOURCE_SCB",
    "ReportTable",
    "comparison_key_figures",
    "report_tables",
]

#: The report's sections, in order (REPORT.md §4).
SECTIONS = (
    "Sammanfattning",
    "Deltagare",
    "Resultat vid avslut",
    "Försörjning före och efter",
    "Försörjningsformer i befolkningen",
    "Insatser och mål",
    "Datakvalitet",
    "Om rapporten",
)

#: How a column (or row) is formatted.
KINDS = ("count", "share", "days", "kr", "number", "text")

SOURCE_DELTAGARE = "Källa: förbundets deltagaruppföljning"
SOURCE_SCB = "Källa: SCB, helårsekvivalenter (HE0000T02N2)"
SOURCE_DATA = "Källa: inläsningen av förbundets datakatalog"
SOURCES_ALL = "Källor: förbundets deltagaruppföljning; SCB, helårsekvivalenter (HE0000T02N2)"

TOTAL = "Totalt"
MISSING_LABEL = "Uppgift saknas"

AGE_LABELS = {
    "<16": "Under 16 år",
    "16-24": "16–24 år",
    "25-29": "25–29 år",
    "30-39": "30–39 år",
    "40-49": "40–49 år",
    "50+": "50 år och äldre",
}


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


@dataclass
class ReportTable:
    """One table of the report, ready to show.

    Attributes
    ----------
    key : str
        ASCII id, unique within a report (``deltagare_kon_alder``).
    section : str
        One of :data:`SECTIONS`.
    title : str
        Swedish title.
    data : DataFrame
        Swedish column headers; the index holds the row labels and its name
        is the header of the label column. Cells are numbers, ``".."``
        (hidden) or ``"–"`` (cannot be computed), or text in text columns.
        Shares are fractions.
    kinds : dict
        Column → one of :data:`KINDS`.
    footnote : str
        The disclosure footnote when a cell is hidden, else ``""``.
    source : str
        ``Källa: …`` line.
    n_hidden : int
        Number of ``".."`` cells.
    note : str
        An explanation to print under the table (may be empty).
    row_kinds : dict
        Row label → kind, overriding ``kinds`` (sammanfattning).
    """

    key: str
    section: str
    title: str
    data: pd.DataFrame
    kinds: dict[str, str]
    footnote: str = ""
    source: str = ""
    n_hidden: int = 0
    note: str = ""
    row_kinds: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise ValueError(f"Okänt avsnitt {self.section!r} för tabellen {self.key!r}.")
        for kind in (*self.kinds.values(), *self.row_kinds.values()):
            if kind not in KINDS:
                raise ValueError(f"Okänd formattyp {kind!r} i tabellen {self.key!r}.")

    def kind_of(self, row: object, column: object) -> str:
        """The format kind of one cell (row kinds win over column kinds)."""
        return self.row_kinds.get(row) or self.kinds.get(column, "number")

    def formatted(self, decimals: int = 1) -> pd.DataFrame:
        """The table as Swedish text (``12 345``, ``43,2 %``, ``..``, ``–``)."""
        out = self.data.astype(object).copy()
        for j, col in enumerate(self.data.columns):
            out.iloc[:, j] = [
                fmt_value(v, self.kind_of(row, col), decimals) for row, v in zip(self.data.index, self.data.iloc[:, j])
            ]
        return out


def _count_hidden(data: pd.DataFrame) -> int:
    return int(sum((data[c].astype(object) == SUPPRESSED).sum() for c in data.columns))


def _cell(value: object) -> object:
    """A published cell: Python numbers, ``..`` kept, missing → ``–``."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return NOT_AVAILABLE
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


def _clean(data: pd.DataFrame) -> pd.DataFrame:
    """Object columns of published cells (DataFrame.map would re-infer dtypes)."""
    columns = {
        j: pd.Series([_cell(v) for v in data.iloc[:, j]], index=data.index, dtype=object)
        for j in range(data.shape[1])
    }
    out = pd.DataFrame(columns, index=data.index)
    out.columns = [str(c) for c in data.columns]
    return out


def _make(
    key: str,
    section: str,
    title: str,
    data: pd.DataFrame,
    kinds: dict[str, str],
    *,
    min_cell: int,
    source: str = SOURCE_DELTAGARE,
    note: str = "",
    index_name: str | None = None,
    row_kinds: dict[str, str] | None = None,
) -> ReportTable:
    """A :class:`ReportTable` with the footnote and ``n_hidden`` filled in."""
    data = _clean(data)
    if index_name is not None:
        data.index.name = index_name
    n_hidden = _count_hidden(data)
    return ReportTable(
        key=key,
        section=section,
        title=title,
        data=data,
        kinds=dict(kinds),
        footnote=footnote(min_cell) if n_hidden else "",
        source=source,
        n_hidden=n_hidden,
        note=note,
        row_kinds=dict(row_kinds or {}),
    )


def _placeholder(key: str, section: str, title: str, message: str, source: str = "") -> ReportTable:
    """A one-cell table that explains why there is nothing to show."""
    data = pd.DataFrame({"Kommentar": [message]}, index=pd.Index([title], name="Tabell"))
    return ReportTable(key=key, section=section, title=title, data=data, kinds={"Kommentar": "text"}, source=source)


# ---------------------------------------------------------------------------
# Context: what every builder needs
# ---------------------------------------------------------------------------


@dataclass
class _Ctx:
    dataset: object
    forbund_id: str
    period: Period
    min_cell: int
    d: pd.DataFrame
    _by: dict = field(default_factory=dict, repr=False)
    _kf: dict = field(default_factory=dict, repr=False)
    _linked: "_Linked | None" = field(default=None, repr=False)

    def kf(self, period: Period | None = None) -> dict:
        """Protected key figures of a period (default: the report's), computed once.

        The report's period and its comparison periods come from
        :attr:`linked` (the report's period exactly as :func:`key_figures`
        gives it); any other period is protected on its own.
        """
        period = period or self.period
        if period.label in self.linked.figures:
            return self.linked.figures[period.label]
        if period.label not in self._kf:
            self._kf[period.label] = cached_key_figures(self.dataset, self.forbund_id, period, self.min_cell)
        return self._kf[period.label]

    @property
    def linked(self) -> "_Linked":
        """The sammanfattning, the monthly series and the yearly trend, protected together."""
        if self._linked is None:
            self._linked = _protect_linked(self)
        return self._linked

    def hidden_in_kf(self, cells: dict[Cell, str], period: Period | None = None) -> dict[Cell, bool]:
        """``{cell: key figure}`` → ``{cell: hidden in the key figures}``."""
        suppressed = set(self.kf(period)["suppressed"])
        return {cell: key in suppressed for cell, key in cells.items()}

    def by(self, split: str) -> pd.DataFrame:
        """:func:`outcomes.summary_by` for the period, computed once."""
        if split not in self._by:
            self._by[split] = _summary_by(self.d, self.period, split)
        return self._by[split]

    @property
    def avslutade(self) -> pd.DataFrame:
        return self.d.loc[outcomes.ended(self.d, self.period)]

    @property
    def insatser(self) -> pd.DataFrame:
        ins = self.dataset.insatser
        return ins.loc[ins["forbund_id"] == self.forbund_id].sort_values("insats_id")

    def insats_label(self, insats_id: str) -> str:
        return _insats_labels(self.dataset.insatser).get(insats_id, str(insats_id))

    @property
    def member_kommuner(self) -> list[str]:
        m = self.dataset.medlemmar
        return sorted(set(m.loc[m["forbund_id"] == self.forbund_id, "kommunkod"].dropna().astype(str)))


def _summary_by(d: pd.DataFrame, period: Period, split: str) -> pd.DataFrame:
    """The columns of :func:`outcomes.summary_by` the tables use.

    ``insats`` goes through summary_by itself. The other splits are counted
    directly with the same definitions (persons by the group of their latest
    aktiv participation; avslutade by each participation's own group), which
    avoids a full summary per group: a förbund's deltagare live in many
    kommuner.
    """
    if split == "insats":
        by = outcomes.summary_by(d, period, split)
        if by.empty:  # no participations at all
            by = pd.DataFrame(columns=list(outcomes.COUNT_KEYS), dtype="int64").rename_axis(split)
        return by
    column = outcomes.SPLITS[split]
    keys = outcomes._group_keys(d[column])
    order = outcomes._categories(d[column], keys)
    people = outcomes.latest_per_person(d.assign(_grupp=keys).loc[outcomes.active(d, period)])
    kon = people["kon"].astype(object)
    ended = outcomes.ended(d, period).to_numpy()
    av_keys = keys[ended]
    arbete_studier = d.loc[ended, "utfall"].isin(["arbete", "studier"]).to_numpy()

    def count(values: pd.Series) -> np.ndarray:
        return values.value_counts().reindex(order, fill_value=0).to_numpy(dtype="int64")

    return pd.DataFrame(
        {
            "aktiva_deltagare": count(people["_grupp"]),
            "kvinnor": count(people["_grupp"][(kon == "kvinna").to_numpy()]),
            "man": count(people["_grupp"][(kon == "man").to_numpy()]),
            "kon_okand": count(people["_grupp"][kon.isna().to_numpy()]),
            "avslutade_deltaganden": count(av_keys),
            "arbete_studier": count(av_keys[arbete_studier]),
        },
        index=pd.Index(order, dtype=object, name=split),
    )


def _insats_labels(insatser: pd.DataFrame) -> dict[str, str]:
    """insats_id → name; a name used twice gets its id in brackets."""
    names = insatser.set_index("insats_id")["namn"].astype(str)
    twice = set(names[names.duplicated(keep=False)])
    return {i: (f"{n} ({i})" if n in twice else n) for i, n in names.items()}


def _kommun_label(code: object) -> str:
    if is_missing(code) or code == outcomes.MISSING:
        return MISSING_LABEL
    try:
        return kommun_namn(str(code))
    except KeyError:
        return str(code)


def _kon_label(code: object) -> str:
    return schema.label(schema.KON, code)


def _age_label(code: object) -> str:
    return AGE_LABELS.get(str(code), MISSING_LABEL)


# ---------------------------------------------------------------------------
# Counts linked across tables: periods, months and years
# ---------------------------------------------------------------------------


@dataclass
class _Linked:
    """What :func:`_protect_linked` decided.

    ``figures``: protected key figures per period label (the report's period
    and its comparison periods); ``month_hidden``: month (first day) → hidden;
    ``trend_hidden``: (row label, column) of ``resultat_trend`` → hidden.
    """

    figures: dict[str, dict]
    month_hidden: dict[pd.Timestamp, bool]
    trend_hidden: dict[Cell, bool]


def _month_window(period: Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of the monthly series: the 36 months up to the period's end."""
    last = pd.Timestamp(period.end.year, period.end.month, 1)
    return last - pd.DateOffset(months=35), last


def _month_of(day: _dt.date) -> pd.Timestamp:
    return pd.Timestamp(day.year, day.month, 1)


def _protect_linked(c: _Ctx) -> _Linked:
    """Protect the counts that tables publish for several periods at once, together.

    The sammanfattning shows the key figures of the period and its comparison
    periods, ``aktiva_per_manad`` the aktiva deltaganden of 36 months and
    ``resultat_trend`` the avslutade and arbete/studier of every year. They
    describe nested groups of participations, and a reader can subtract one
    from another:

    * aktiva deltaganden of a period − nya = those going on when it began
      (:data:`~finsam_analysis.disclosure.PAGAENDE_VID_START`), which are the
      previous period's pågående vid periodens slut when it ends the day
      before;
    * aktiva in the period's first month − those going on when it began =
      those that started that month;
    * aktiva in the period's last month − pågående vid periodens slut = those
      that ended that month;
    * aktiva deltaganden of a period − aktiva in one of its months = those
      active in the period but not that month (with the first month: nya
      after it; with the last: avslutade before it);
    * avslutade and arbete/studier of a period or a year = the sum over the
      stretches between all their start and end dates.

    None of these differences is published, but each is a count of
    participations, so :func:`~finsam_analysis.disclosure.protect_key_figures_together`
    hides what is needed so that no hidden count, and no such difference from
    1 to ``min_cell - 1``, can be worked out from all of it.
    """
    periods = comparison_periods(c.period)
    figures = {}
    for p in periods:
        raw = raw_key_figures(c.dataset, c.forbund_id, p)
        raw["min_cell"] = c.min_cell
        figures[p.label] = raw
    values: dict = {}
    lines: list = []
    unpublished: set = set()

    def difference(key, total, known_part, value: int) -> None:
        """``total = known_part + key``, with ``key`` an unpublished count."""
        values[key] = value
        unpublished.add(key)
        lines.append((total, [known_part, key]))

    first, last = _month_window(c.period)
    series = outcomes.monthly_active(c.d, first, last)
    for month, n in series.items():
        values[("manad", month)] = int(n)
    for p in periods:
        f = figures[p.label]
        start, aktiva = (p.label, PAGAENDE_VID_START), (p.label, "aktiva_deltaganden")
        for month in series.index:
            month_end = (month + pd.offsets.MonthEnd(0)).date()
            if month == _month_of(p.start):
                going_on = f["aktiva_deltaganden"] - f["nya_deltaganden"]
                difference(("startade_manaden", p.label), ("manad", month), start, values[("manad", month)] - going_on)
            if month == _month_of(p.end):
                ongoing = f["pagaende_vid_periodens_slut"]
                difference(("slutade_manaden", p.label), ("manad", month), (p.label, "pagaende_vid_periodens_slut"),
                           values[("manad", month)] - ongoing)  # fmt: skip
            if p.start <= month.date() and month_end <= p.end:
                difference(("inte_aktiva_manaden", p.label, month), aktiva, ("manad", month),
                           f["aktiva_deltaganden"] - values[("manad", month)])  # fmt: skip

    trend_keys = _link_stretches(c, periods, values, lines, unpublished)
    protected, hidden = protect_key_figures_together(
        figures, c.min_cell, given=c.period.label, values=values, lines=lines, unpublished=unpublished
    )
    out = {label: in_key_order(kf) for label, kf in protected.items()}

    def is_hidden(key) -> bool:
        if key in values:
            return key in hidden
        label, name = key
        return name in out[label]["suppressed"]

    return _Linked(
        figures=out,
        month_hidden={month: ("manad", month) in hidden for month in series.index},
        trend_hidden={cell: is_hidden(key) for cell, key in trend_keys.items()},
    )


def _link_stretches(
    c: _Ctx, periods: list[Period], values: dict, lines: list, unpublished: set
) -> dict[Cell, object]:
    """Link the periods of the sammanfattning and the years of the trend through time.

    The dates where a shown period or year starts or ends cut time into
    stretches. For every stretch between two such dates, the nya, avslutade
    and arbete/studier are a count (the shown one, or an unpublished one), the
    sum of the stretches between the dates in between; and the participations
    going on at each date link consecutive stretches: going on at its start +
    nya = aktiva in it = going on at its end + avslutade. A period's pågående
    at its end and the next one's going on at its start are the same count.

    Returns the key of each count cell of ``resultat_trend``.
    """
    one_day = _dt.timedelta(days=1)
    dates = _Dates(c.d)
    kf_names = {"nya": "nya_deltaganden", AVSLUTADE: "avslutade_deltaganden", ARBETE_STUDIER: "arbete_studier"}
    shown: dict[tuple[_dt.date, _dt.date], dict[str, object]] = {}
    going_on: dict[_dt.date, list] = {}
    for p in periods:
        shown[(p.start, p.end + one_day)] = {kind: (p.label, name) for kind, name in kf_names.items()}
        going_on.setdefault(p.start, []).append((p.label, PAGAENDE_VID_START))
        going_on.setdefault(p.end + one_day, []).append((p.label, "pagaende_vid_periodens_slut"))
    cells: dict[Cell, object] = {}
    for label, p in _trend_periods(c):
        keys = shown.setdefault((p.start, p.end + one_day), {col: ("ar", label, col) for col in kf_names if col != "nya"})
        for col in (AVSLUTADE, ARBETE_STUDIER):
            cells[(label, col)] = keys[col]
            if keys[col][0] == "ar":  # a year of its own: published in the trend only
                values[keys[col]] = dates.stretch(p.start, p.end)[col]

    def count(key, value: int) -> object:
        if key not in values:
            values[key] = int(value)
            unpublished.add(key)
        return key

    bounds = sorted({day for stretch in shown for day in stretch})
    at = {}
    for day in bounds:
        keys = going_on.get(day) or [count(("pagaende", day), dates.going_on(day))]
        lines.extend((keys[0], [other]) for other in keys[1:])  # one count, shown under several names
        at[day] = keys[0]
    between: dict[tuple[_dt.date, _dt.date], dict[str, object]] = {}
    for i, a in enumerate(bounds):
        for b in bounds[i + 1 :]:
            keys = dict(shown.get((a, b), {}))
            missing = [kind for kind in kf_names if kind not in keys]
            if missing:
                counts = dates.stretch(a, b - one_day)
                keys.update({kind: count(("mellan", a, b, kind), counts[kind]) for kind in missing})
            between[(a, b)] = keys
    for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
        aktiva = count(("aktiva_mellan", a, b), dates.stretch(a, b - one_day)["aktiva"])
        lines.append((aktiva, [at[a], between[(a, b)]["nya"]]))
        lines.append((aktiva, [at[b], between[(a, b)][AVSLUTADE]]))
        for c_end in bounds[i + 2 :]:  # longer stretches are sums of the shorter ones
            inner = [between[(x, y)] for x, y in zip(bounds[i:], bounds[i + 1 :]) if y <= c_end]
            for kind in kf_names:
                lines.append((between[(a, c_end)][kind], [keys[kind] for keys in inner]))
    return cells


class _Dates:
    """Start and end days of the participations as numbers, for counting many stretches fast.

    The same definitions as :mod:`~finsam_analysis.outcomes` (REPORT.md §2), on
    day numbers: an open participation ends after every day.
    """

    def __init__(self, d: pd.DataFrame):
        self.start = d["startdatum"].to_numpy("datetime64[D]").astype("int64")
        end = d["slutdatum"].to_numpy("datetime64[D]")
        self.end = np.where(np.isnat(end), np.iinfo("int64").max, end.astype("int64"))
        self.ended = ~np.isnat(end)
        self.arbete_studier = d["utfall"].isin(["arbete", "studier"]).to_numpy(dtype=bool)

    @staticmethod
    def _day(day: _dt.date) -> int:
        return int(np.datetime64(day, "D").astype("int64"))

    def going_on(self, day: _dt.date) -> int:
        """Started before ``day`` and not ended before it."""
        t = self._day(day)
        return int(((self.start < t) & (self.end >= t)).sum())

    def stretch(self, start: _dt.date, end: _dt.date) -> dict[str, int]:
        """Nya, avslutade, arbete/studier and aktiva from ``start`` to ``end``."""
        s, e = self._day(start), self._day(end)
        ended = self.ended & (self.end >= s) & (self.end <= e)
        return {
            "nya": int(((self.start >= s) & (self.start <= e)).sum()),
            AVSLUTADE: int(ended.sum()),
            ARBETE_STUDIER: int((ended & self.arbete_studier).sum()),
            "aktiva": int(((self.start <= e) & (self.end >= s)).sum()),
        }


def comparison_key_figures(dataset, forbund_id: str, period: Period | str, min_cell: int = 5) -> dict[str, dict]:
    """The key figures of the period and its comparison periods, as the report shows them.

    The parameters are those of :func:`report_tables`.

    Returns
    -------
    dict
        ``{period label: key figures}`` for the columns of the
        sammanfattning. The report's own period is exactly
        :func:`~finsam_analysis.figures.key_figures`; the earlier periods may
        hide more than their own reports, because the report also shows the
        monthly series and the yearly trend beside them.
    """
    period = parse_period(period)
    d = forbund_participations(dataset, forbund_id)
    c = _Ctx(dataset=dataset, forbund_id=forbund_id, period=period, min_cell=int(min_cell), d=d)
    return dict(c.linked.figures)


# ---------------------------------------------------------------------------
# Shared helpers: share tables
# ---------------------------------------------------------------------------


def _add_distribution_share(
    shown: pd.DataFrame, protected: ProtectedTable, count_col: str, share_col: str
) -> pd.DataFrame:
    """Add ``share_col`` = count / the total row's count, from protected counts.

    A share is hidden exactly when its count or the total is hidden (the
    published total times the share would give the count back); with a
    total of 0 it cannot be computed.
    """
    values, hidden = protected.values[count_col], protected.hidden[count_col]
    total, total_hidden = values.iloc[-1], bool(hidden.iloc[-1])
    share = []
    for v, h in zip(values, hidden):
        if h or total_hidden:
            share.append(SUPPRESSED)
        else:
            share.append(v / total if total else None)
    out = shown.copy()
    out[share_col] = share
    return out


def _distribution(
    counts: pd.Series, count_label: str, share_label: str, min_cell: int, total_hidden_in_kf: bool | None = None
) -> tuple[pd.DataFrame, ProtectedTable]:
    """Counts per group with a Totalt row and each group's share of it.

    ``total_hidden_in_kf``: whether the key figures hide the same total
    (None when the total is not a key figure).
    """
    frame = counts.astype("int64").to_frame(count_label)
    frame.index = pd.Index([str(i) for i in frame.index], dtype=object, name=counts.index.name)
    agree_with = {} if total_hidden_in_kf is None else {(TOTAL, count_label): total_hidden_in_kf}
    if len(frame) >= 2:
        protected = protect_table(frame, min_cell, margins=True, agree_with=agree_with)
    else:  # a single group gets no total row from protect_table: add it (the same number)
        protected = protect_table(_with_total_row(frame), min_cell, margins="given", agree_with=agree_with)
    shown = _add_distribution_share(protected.display(), protected, count_label, share_label)
    return shown, protected


def _with_total_row(frame: pd.DataFrame) -> pd.DataFrame:
    total = frame.sum(numeric_only=True).astype("int64").to_frame().T
    total.index = pd.Index([TOTAL], dtype=object)
    out = pd.concat([frame, total])
    out.index.name = frame.index.name
    return out


def _share_table(
    counts: pd.DataFrame,
    num: str,
    den: str,
    share: str,
    min_cell: int,
    *,
    total: bool,
    ci: bool = True,
    agree_with: dict[Cell, bool] | None = None,
) -> ProtectedTable:
    """Groups with a numerator and denominator of persons, their share and CI.

    Parameters
    ----------
    counts : DataFrame
        Index = Swedish row labels; columns ``den`` and ``num`` (counts).
    num, den, share : str
        Column labels.
    total : bool
        Append a Totalt row (the groups must partition the total) and protect
        with it; otherwise the rows are protected without lines.
    ci : bool
        Add the 95 % Wilson interval (``95 % KI, låg``/``hög``).
    agree_with : dict, optional
        Cells the key figures publish too, with whether they hide them
        (:func:`~finsam_analysis.disclosure.protect_table`).
    """
    frame = counts[[den, num]].astype("int64")
    frame.index = pd.Index([str(i) for i in frame.index], dtype=object, name=counts.index.name)
    if total:
        frame = _with_total_row(frame)
    frame[share] = [outcomes.share(int(k), int(n)) for k, n in zip(frame[num], frame[den])]
    shares = {share: (num, den)}
    if ci:
        bounds = [outcomes.wilson_interval(int(k), int(n)) for k, n in zip(frame[num], frame[den])]
        frame[CI_LOW] = [b[0] for b in bounds]
        frame[CI_HIGH] = [b[1] for b in bounds]
        shares.update({CI_LOW: (num, den), CI_HIGH: (num, den)})
    for col in shares:
        frame[col] = pd.to_numeric(frame[col].astype("float64"))
    margins = "given" if total else False
    return protect_table(frame, min_cell, margins=margins, shares=shares, agree_with=agree_with)


CI_LOW = "95 % KI, låg"
CI_HIGH = "95 % KI, hög"
AVSLUTADE = "Avslutade"
ARBETE_STUDIER = "Arbete/studier"
ANDEL_AS = "Andel arbete/studier"
RATE_KINDS = {AVSLUTADE: "count", ARBETE_STUDIER: "count", ANDEL_AS: "share", CI_LOW: "share", CI_HIGH: "share"}


def _rate_counts(by: pd.DataFrame, labels: Callable[[object], str], index_name: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            AVSLUTADE: by["avslutade_deltaganden"].astype("int64").to_numpy(),
            ARBETE_STUDIER: by["arbete_studier"].astype("int64").to_numpy(),
        },
        index=pd.Index([labels(k) for k in by.index], dtype=object, name=index_name),
    )
    return frame


def _drop_empty_optional(by: pd.DataFrame, column: str, optional=(outcomes.MISSING, "<16")) -> pd.DataFrame:
    """Leave out the groups Uppgift saknas and <16 when they are empty."""
    keep = [not (str(k) in optional and by.at[k, column] == 0) for k in by.index]
    return by.loc[keep]


# ---------------------------------------------------------------------------
# 1. Sammanfattning
# ---------------------------------------------------------------------------

SUMMARY_ROWS = (
    ("aktiva_deltagare", "Aktiva deltagare", "count"),
    ("kvinnor", "Kvinnor", "count"),
    ("man", "Män", "count"),
    ("kon_okand", "Kön uppgift saknas", "count"),
    ("aktiva_deltaganden", "Aktiva deltaganden", "count"),
    ("nya_deltaganden", "Nya deltaganden", "count"),
    ("avslutade_deltaganden", "Avslutade deltaganden", "count"),
    ("pagaende_vid_periodens_slut", "Pågående vid periodens slut", "count"),
    ("arbete", "Avslut till arbete", "count"),
    ("studier", "Avslut till studier", "count"),
    ("arbete_studier", "Avslut till arbete eller studier", "count"),
    ("arbetssokande", "Avslut till arbetssökande", "count"),
    ("ovriga", "Övriga avslut", "count"),
    ("okand", "därav sysselsättning efter okänd", "count"),
    ("andel_arbete_studier", "Andel arbete/studier", "share"),
    ("ci_low", "Andel arbete/studier, 95 % KI låg", "share"),
    ("ci_high", "Andel arbete/studier, 95 % KI hög", "share"),
    ("andel_okat_omfattning", "Andel med ökad omfattning", "share"),
    ("tid_i_insats_median_dagar", "Tid i insats, median (dagar)", "days"),
    ("andel_offentlig_forsorjning_fore", "Andel i offentlig försörjning före", "share"),
    ("andel_offentlig_forsorjning_efter", "Andel i offentlig försörjning efter", "share"),
)


def comparison_periods(period: Period | str) -> list[Period]:
    """The period, the previous period and the same period last year (no repeats)."""
    period = parse_period(period)
    out: list[Period] = []
    for p in (period, previous(period), same_period_last_year(period)):
        if p.label not in [q.label for q in out]:
            out.append(p)
    return out


def _kf_cell(figures: dict, key: str) -> object:
    value = figures.get(key)
    if value is None:
        return SUPPRESSED if key in figures.get("suppressed", ()) else NOT_AVAILABLE
    return value


def _sammanfattning(c: _Ctx) -> ReportTable:
    periods = comparison_periods(c.period)
    figures = [c.kf(p) for p in periods]
    data = pd.DataFrame(
        [[_kf_cell(f, key) for f in figures] for key, _, _ in SUMMARY_ROWS],
        index=pd.Index([label for _, label, _ in SUMMARY_ROWS], name="Mått"),
        columns=[p.label for p in periods],
        dtype=object,
    )
    if len(periods) == 2:
        note = f"Jämförelse med föregående period ({periods[1].label}, {periods[1].swedish})."
    else:
        note = (
            f"Jämförelse med föregående period ({periods[1].label}, {periods[1].swedish}) och samma period "
            f"föregående år ({periods[2].label}, {periods[2].swedish})."
        )
    return _make(
        "sammanfattning", "Sammanfattning", f"Nyckeltal för {c.period.swedish} jämfört med tidigare perioder",
        data, {p.label: "count" for p in periods}, min_cell=c.min_cell, note=note,
        row_kinds={label: kind for _, label, kind in SUMMARY_ROWS},
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 2. Deltagare
# ---------------------------------------------------------------------------


def _deltagare_kon_alder(c: _Ctx) -> ReportTable:
    by = _drop_empty_optional(c.by("aldersgrupp"), "aktiva_deltagare")
    counts = pd.DataFrame(
        {
            "Kvinna": by["kvinnor"].astype("int64").to_numpy(),
            "Man": by["man"].astype("int64").to_numpy(),
            MISSING_LABEL: by["kon_okand"].astype("int64").to_numpy(),
        },
        index=pd.Index([_age_label(k) for k in by.index], dtype=object, name="Åldersgrupp"),
    )
    if counts[MISSING_LABEL].sum() == 0:
        counts = counts.drop(columns=MISSING_LABEL)
    kf_cells = {(TOTAL, "Kvinna"): "kvinnor", (TOTAL, "Man"): "man", (TOTAL, MISSING_LABEL): "kon_okand",
                (TOTAL, TOTAL): "aktiva_deltagare"}  # fmt: skip
    protected = protect_table(counts, c.min_cell, margins=True, agree_with=c.hidden_in_kf(kf_cells))
    data = protected.display()
    return _make(
        "deltagare_kon_alder", "Deltagare", f"Aktiva deltagare efter kön och åldersgrupp, {c.period.swedish}",
        data, {col: "count" for col in data.columns}, min_cell=c.min_cell, index_name="Åldersgrupp",
        note="Ålder vid start i insatsen; kön och ålder från personens senaste aktiva deltagande.",
    )  # fmt: skip


def _deltagare_utbildning(c: _Ctx) -> ReportTable:
    by = _drop_empty_optional(c.by("utbildningsniva"), "aktiva_deltagare")
    counts = pd.Series(
        by["aktiva_deltagare"].to_numpy(),
        index=pd.Index([schema.label(schema.UTBILDNINGSNIVA, k) for k in by.index], name="Utbildningsnivå"),
    )
    data, _ = _distribution(counts, "Aktiva deltagare", "Andel", c.min_cell, c.hidden_in_kf({0: "aktiva_deltagare"})[0])
    return _make(
        "deltagare_utbildning", "Deltagare", f"Aktiva deltagare efter utbildningsnivå, {c.period.swedish}",
        data, {"Aktiva deltagare": "count", "Andel": "share"}, min_cell=c.min_cell, index_name="Utbildningsnivå",
    )  # fmt: skip


def _deltagare_kommun(c: _Ctx) -> ReportTable:
    by = c.by("folkbokforingskommun")["aktiva_deltagare"]
    members = c.member_kommuner
    rows = {_kommun_label(k): int(by.get(k, 0)) for k in members}
    others = int(by[[k for k in by.index if k not in members and k != outcomes.MISSING]].sum())
    rows["Övriga kommuner"] = others
    missing = int(by.get(outcomes.MISSING, 0))
    if missing:
        rows[MISSING_LABEL] = missing
    counts = pd.Series(rows, dtype="int64").rename_axis("Folkbokföringskommun")
    data, _ = _distribution(counts, "Aktiva deltagare", "Andel", c.min_cell, c.hidden_in_kf({0: "aktiva_deltagare"})[0])
    return _make(
        "deltagare_kommun", "Deltagare", f"Aktiva deltagare efter folkbokföringskommun, {c.period.swedish}",
        data, {"Aktiva deltagare": "count", "Andel": "share"}, min_cell=c.min_cell,
        index_name="Folkbokföringskommun",
        note="Förbundets medlemskommuner; övriga kommuner sammanslagna.",
    )  # fmt: skip


def _insatser_in_period(c: _Ctx, by: pd.DataFrame) -> list[str]:
    """Insatser with aktiva deltagare, and individinriktade insatser running in the period."""
    ins = c.insatser
    running = (
        (ins["typ"] == "individinriktad")
        & (ins["startdatum"] <= pd.Timestamp(c.period.end))
        & (ins["slutdatum"].isna() | (ins["slutdatum"] >= pd.Timestamp(c.period.start)))
    )
    ids = set(ins.loc[running, "insats_id"])
    if len(by):
        ids |= set(by.index[by["aktiva_deltagare"] > 0])
    return sorted(ids)


def _deltagare_insats(c: _Ctx) -> ReportTable:
    by = c.by("insats")
    ids = _insatser_in_period(c, by)
    counts = pd.DataFrame(
        {"Aktiva deltagare": [int(by.at[i, "aktiva_deltagare"]) if i in by.index else 0 for i in ids]},
        index=pd.Index([c.insats_label(i) for i in ids], dtype=object, name="Insats"),
    )
    protected = protect_table(counts, c.min_cell, margins=False)
    return _make(
        "deltagare_insats", "Deltagare", f"Aktiva deltagare per insats, {c.period.swedish}",
        protected.display(), {"Aktiva deltagare": "count"}, min_cell=c.min_cell, index_name="Insats",
        note="En person som deltar i flera insatser räknas i varje insats, så raderna summeras inte "
        "till förbundets antal aktiva deltagare.",
    )  # fmt: skip


def _aktiva_per_manad(c: _Ctx) -> ReportTable:
    first, last = _month_window(c.period)
    series = outcomes.monthly_active(c.d, first, last)
    col = "Aktiva deltaganden"
    labels = [swedish_month(m, short=True) for m in series.index]
    counts = pd.DataFrame(
        {col: series.to_numpy(dtype="int64")}, index=pd.Index(labels, dtype=object, name="Månad")
    )
    # Linked to the sammanfattning: its first and last months give nya and avslutade back.
    agree_with = {(label, col): c.linked.month_hidden[m] for label, m in zip(labels, series.index)}
    protected = protect_table(counts, c.min_cell, margins=False, agree_with=agree_with)
    return _make(
        "aktiva_per_manad", "Deltagare",
        f"Aktiva deltaganden per månad, {swedish_month(first)}–{swedish_month(last)}",
        protected.display(), {"Aktiva deltaganden": "count"}, min_cell=c.min_cell, index_name="Månad",
        note="Ett deltagande räknas som aktivt en månad om det pågick någon dag under månaden.",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 3. Resultat vid avslut
# ---------------------------------------------------------------------------

OKAND_ROW = "därav sysselsättning efter okänd"


def _resultat_grupper(c: _Ctx) -> ReportTable:
    # Exactly the key figures (same numbers, same hidden cells), so this table
    # and the sammanfattning/JSON can never be combined to reveal anything.
    kf = c.kf()
    hidden = set(kf["suppressed"])
    rows = [*((key, schema.UTFALL_GRUPP_LABELS[key]) for key in ("arbete", "studier", "arbetssokande", "ovriga")),
            ("okand", OKAND_ROW), ("avslutade_deltaganden", TOTAL)]  # fmt: skip
    total, total_hidden = kf["avslutade_deltaganden"], "avslutade_deltaganden" in hidden
    antal, andel = [], []
    for key, _ in rows:
        if key in hidden:
            antal.append(SUPPRESSED)
            andel.append(SUPPRESSED)
        else:
            antal.append(kf[key])
            andel.append(SUPPRESSED if total_hidden else outcomes.share(kf[key], total))
    data = pd.DataFrame(
        {"Antal": antal, "Andel av avslutade": andel},
        index=pd.Index([label for _, label in rows], dtype=object, name="Sysselsättning efter avslut"),
    )
    return _make(
        "resultat_grupper", "Resultat vid avslut",
        f"Sysselsättning efter avslut, avslutade deltaganden {c.period.swedish}",
        data, {"Antal": "count", "Andel av avslutade": "share"}, min_cell=c.min_cell,
        index_name="Sysselsättning efter avslut",
        note="Arbete = förvärvsarbete och subventionerad anställning. Övriga = praktik, sjukskriven, övrigt "
        "och uppgift saknas; därav-raden ingår i Övriga och inte i totalen.",
    )  # fmt: skip


#: Cells of a Totalt row of avslutade that are key figures too.
RATE_KF = {(TOTAL, AVSLUTADE): "avslutade_deltaganden", (TOTAL, ARBETE_STUDIER): "arbete_studier"}


def _rate_report(
    c: _Ctx, key: str, title: str, counts: pd.DataFrame, index_name: str, *, total: bool, note: str = "",
    agree_with: dict[Cell, bool] | None = None,
) -> ReportTable:
    if agree_with is None:
        agree_with = c.hidden_in_kf(RATE_KF) if total else {}
    protected = _share_table(
        counts, ARBETE_STUDIER, AVSLUTADE, ANDEL_AS, c.min_cell, total=total, agree_with=agree_with
    )
    return _make(
        key, "Resultat vid avslut", title, protected.display(), RATE_KINDS, min_cell=c.min_cell,
        index_name=index_name, note=note or "Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson).",
    )  # fmt: skip


def _resultat_kon(c: _Ctx) -> ReportTable:
    by = _drop_empty_optional(c.by("kon"), "avslutade_deltaganden")
    counts = _rate_counts(by, _kon_label, "Kön")
    title = f"Andel arbete/studier efter kön, avslutade deltaganden {c.period.swedish}"
    return _rate_report(c, "resultat_kon", title, counts, "Kön", total=True)


def _resultat_alder(c: _Ctx) -> ReportTable:
    by = _drop_empty_optional(c.by("aldersgrupp"), "avslutade_deltaganden")
    counts = _rate_counts(by, _age_label, "Åldersgrupp")
    title = f"Andel arbete/studier efter åldersgrupp, avslutade deltaganden {c.period.swedish}"
    return _rate_report(c, "resultat_alder", title, counts, "Åldersgrupp", total=True)


def _insats_rate_protected(c: _Ctx) -> tuple[ProtectedTable, list[str]]:
    """Results per insats (index insats_id order) with a Totalt row, protected."""
    by = c.by("insats")
    ids = [i for i in by.index if by.at[i, "avslutade_deltaganden"] > 0 or by.at[i, "aktiva_deltaganden"] > 0]
    by = by.loc[ids]
    counts = _rate_counts(by, c.insats_label, "Insats")
    if by.empty:
        counts = pd.DataFrame({AVSLUTADE: [], ARBETE_STUDIER: []}, dtype="int64").rename_axis("Insats")
    protected = _share_table(
        counts, ARBETE_STUDIER, AVSLUTADE, ANDEL_AS, c.min_cell, total=True, agree_with=c.hidden_in_kf(RATE_KF)
    )
    return protected, list(ids)


def _resultat_insats(c: _Ctx) -> ReportTable:
    protected, _ = _insats_rate_protected(c)
    return _make(
        "resultat_insats", "Resultat vid avslut",
        f"Andel arbete/studier per insats, avslutade deltaganden {c.period.swedish}",
        protected.display(), RATE_KINDS, min_cell=c.min_cell, index_name="Insats",
        note="Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson).",
    )  # fmt: skip


def _trend_periods(c: _Ctx) -> list[tuple[str, Period]]:
    """(label, period) per calendar year from the first avslut up to the period's end."""
    ends = c.d["slutdatum"].dropna()
    ends = ends.loc[ends <= pd.Timestamp(c.period.end)]
    if ends.empty:
        return []
    out = []
    for year in range(int(ends.min().year), c.period.end.year + 1):
        end = min(_dt.date(year, 12, 31), c.period.end)
        whole = (end.month, end.day) == (12, 31)
        label = str(year) if whole else f"{year} (t.o.m. {end.day} {SWEDISH_MONTHS[end.month - 1]})"
        out.append((label, Period.from_dates(_dt.date(year, 1, 1), end)))
    return out


def _resultat_trend(c: _Ctx) -> ReportTable:
    rows = {}
    for label, p in _trend_periods(c):
        avslutade = c.d.loc[outcomes.ended(c.d, p)]
        rows[label] = {AVSLUTADE: len(avslutade), ARBETE_STUDIER: outcomes.outcome_counts(avslutade)["arbete_studier"]}
    counts = pd.DataFrame.from_dict(rows, orient="index", columns=[AVSLUTADE, ARBETE_STUDIER]).rename_axis("År")
    title = f"Andel arbete/studier per år, t.o.m. {c.period.swedish}"
    if counts.empty:
        message = "Inga avslutade deltaganden ännu."
        return _placeholder("resultat_trend", "Resultat vid avslut", title, message, SOURCE_DELTAGARE)
    # Linked to the sammanfattning: a year that is one of its periods is the
    # same count, and one that overlaps them gives the difference back.
    agree_with: dict[Cell, bool] = dict(c.linked.trend_hidden)
    counts = counts.astype("int64")
    return _rate_report(c, "resultat_trend", title, counts, "År", total=False, agree_with=agree_with)


TID_COLS = ("Första kvartilen (dagar)", "Median (dagar)", "Tredje kvartilen (dagar)")


def _tid_i_insats(c: _Ctx) -> ReportTable:
    av = c.avslutade
    rows = {}
    for insats_id, part in av.groupby("insats_id", sort=True, observed=True):
        if len(part):
            rows[c.insats_label(insats_id)] = outcomes.tid_i_insats(part)
    rows[TOTAL] = outcomes.tid_i_insats(av)
    frame = pd.DataFrame(
        {
            AVSLUTADE: [r["n"] for r in rows.values()],
            TID_COLS[0]: [r["q1"] for r in rows.values()],
            TID_COLS[1]: [r["median"] for r in rows.values()],
            TID_COLS[2]: [r["q3"] for r in rows.values()],
        },
        index=pd.Index(list(rows), dtype=object, name="Insats"),
    )
    for col in TID_COLS:
        frame[col] = frame[col].astype("float64")
    protected = protect_table(
        frame, c.min_cell, margins="given" if len(frame) >= 2 else False,
        shares={col: (None, AVSLUTADE) for col in TID_COLS},
        agree_with=c.hidden_in_kf({(TOTAL, AVSLUTADE): "avslutade_deltaganden"}),
    )  # fmt: skip
    return _make(
        "tid_i_insats", "Resultat vid avslut", f"Tid i insats för avslutade deltaganden {c.period.swedish}",
        protected.display(), {AVSLUTADE: "count", **{col: "days" for col in TID_COLS}}, min_cell=c.min_cell,
        index_name="Insats", note="Dagar från startdatum till slutdatum; kvartiler med linjär interpolation.",
    )  # fmt: skip


def _avslutsanledning(c: _Ctx) -> ReportTable:
    codes = [k for k in schema.AVSLUTSANLEDNING if k != schema.FELREGISTRERING]
    values = c.avslutade["avslutsanledning"].astype("object")
    rows = {schema.AVSLUTSANLEDNING[k]: int((values == k).sum()) for k in codes}
    if values.isna().any():
        rows[MISSING_LABEL] = int(values.isna().sum())
    counts = pd.Series(rows, dtype="int64").rename_axis("Avslutsanledning")
    total_hidden = c.hidden_in_kf({0: "avslutade_deltaganden"})[0]
    data, _ = _distribution(counts, "Antal", "Andel av avslutade", c.min_cell, total_hidden)
    return _make(
        "avslutsanledning", "Resultat vid avslut", f"Avslutade deltaganden efter avslutsanledning, {c.period.swedish}",
        data, {"Antal": "count", "Andel av avslutade": "share"}, min_cell=c.min_cell, index_name="Avslutsanledning",
        note="Felregistreringar ingår inte (de redovisas under Datakvalitet).",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 4. Försörjning före och efter
# ---------------------------------------------------------------------------


def _forsorjning_overgang(c: _Ctx) -> ReportTable:
    t = outcomes.forsorjning_transition(c.avslutade)
    labels = schema.FORSORJNING_GRUPP_LABELS
    counts = pd.DataFrame(
        t.to_numpy(dtype="int64"),
        index=pd.Index([f"Före: {labels[k]}" for k in t.index], dtype=object, name="Försörjning före"),
        columns=pd.Index([f"Efter: {labels[k]}" for k in t.columns], dtype=object),
    )
    protected = protect_table(
        counts, c.min_cell, margins=True, agree_with=c.hidden_in_kf({(TOTAL, TOTAL): "avslutade_deltaganden"})
    )
    data = protected.display()
    return _make(
        "forsorjning_overgang", "Försörjning före och efter",
        f"Försörjning före (rader) och efter (kolumner), avslutade deltaganden {c.period.swedish}",
        data, {col: "count" for col in data.columns}, min_cell=c.min_cell, index_name="Försörjning före",
        note="Den först angivna försörjningen räknas. Ohälsa = sjukpenning, sjuk- och aktivitetsersättning; "
        "Arbetsmarknad = arbetslöshetsersättning, aktivitetsstöd, etableringsersättning; "
        "Egen försörjning = lön, studiemedel.",
    )  # fmt: skip


def _offentlig_fore_efter(c: _Ctx) -> ReportTable:
    av = c.avslutade
    n = len(av)
    num, share_label = "I offentlig försörjning", "Andel i offentlig försörjning"
    counts = pd.DataFrame(
        {AVSLUTADE: [n, n], num: [int(av["offentlig_fore"].sum()), int(av["offentlig_efter"].sum())]},
        index=pd.Index(["Före insatsen", "Efter insatsen"], dtype=object, name="Tidpunkt"),
    )
    kf_cells = {(row, AVSLUTADE): "avslutade_deltaganden" for row in counts.index}
    protected = _share_table(
        counts, num, AVSLUTADE, share_label, c.min_cell, total=False, ci=False, agree_with=c.hidden_in_kf(kf_cells)
    )
    return _make(
        "offentlig_fore_efter", "Försörjning före och efter",
        f"Offentlig försörjning före och efter, avslutade deltaganden {c.period.swedish}",
        protected.display(), {AVSLUTADE: "count", num: "count", share_label: "share"}, min_cell=c.min_cell,
        index_name="Tidpunkt",
        note="Offentlig försörjning = ohälsa, arbetsmarknad eller ekonomiskt bistånd som första angivna "
        "försörjning. Saknad uppgift räknas inte som offentlig men ingår i nämnaren.",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 5. Försörjningsformer i befolkningen (public SCB figures, not suppressed)
# ---------------------------------------------------------------------------

BEF_SECTION = "Försörjningsformer i befolkningen"
FOLKMANGD = "Folkmängd 20–64 år"
ANDEL_BEF = "Andel av befolkningen 20–64 år"


def _year_label(year: object, partial: object) -> str:
    return f"{int(year)} (del av år)" if bool(partial) else str(int(year))


def _scb(dataset) -> pd.DataFrame | None:
    """The SCB table, in the dataset's cached wide form when it offers one."""
    he = dataset.helarsekvivalenter
    if he is None or len(he) == 0:
        return None
    wide = getattr(dataset, "scb_wide", None)
    return wide() if callable(wide) else he


def _befolkning(c: _Ctx) -> list[ReportTable]:
    he = _scb(c.dataset)
    if he is None:
        return [
            _placeholder(
                "befolkning_saknas", BEF_SECTION, "Försörjningsformer i befolkningen",
                "Datakatalogen innehåller inga helårsekvivalenter från SCB (mappen helarsekvivalenter/), "
                "så avsnittet kan inte visas. Hämta dem med finsam fetch-scb.",
            )
        ]  # fmt: skip
    years = yearly(forbund_monthly(he, c.dataset.medlemmar, c.forbund_id))
    years = years.loc[years.index <= c.period.year]
    if years.empty:
        return [
            _placeholder(
                "befolkning_saknas", BEF_SECTION, "Försörjningsformer i befolkningen",
                f"SCB-filerna saknar helårsekvivalenter för förbundets medlemskommuner till och med {c.period.year}.",
                SOURCE_SCB,
            )
        ]  # fmt: skip
    riket = yearly(riket_monthly(he))
    return [
        _befolkning_ersattning(c, years),
        _befolkning_jamforelse(c, years, riket),
        _befolkning_kommun(c, he, years, riket),
    ]


def _befolkning_ersattning(c: _Ctx, years: pd.DataFrame) -> ReportTable:
    labels = dict(schema.ERSATTNING)
    data = pd.DataFrame(
        {**{labels[e]: years[e].astype("float64").to_numpy() for e in schema.ERSATTNING},
         FOLKMANGD: years["folkmangd"].astype("float64").to_numpy(),
         ANDEL_BEF: years["andel"].astype("float64").to_numpy()},
        index=pd.Index([_year_label(y, p) for y, p in zip(years.index, years["partiellt"])], dtype=object, name="År"),
    )  # fmt: skip
    kinds = {**{labels[e]: "number" for e in schema.ERSATTNING}, FOLKMANGD: "number", ANDEL_BEF: "share"}
    return _make(
        "befolkning_ersattning", BEF_SECTION,
        "Helårsekvivalenter 20–64 år i förbundets medlemskommuner per ersättning och år",
        data, kinds, min_cell=c.min_cell, source=SOURCE_SCB, index_name="År",
        note="Medelvärde över årets månader av summan för de kommuner som var medlemmar respektive månad. "
        "Andel = summa helårsekvivalenter / folkmängd. (del av år) = färre än tolv månader med uppgifter.",
    )  # fmt: skip


def _befolkning_jamforelse(c: _Ctx, years: pd.DataFrame, riket: pd.DataFrame) -> ReportTable:
    data = pd.DataFrame(
        {
            "Förbundet": years["andel"].astype("float64").to_numpy(),
            "Riket": [float(riket.at[y, "andel"]) if y in riket.index else None for y in years.index],
        },
        index=pd.Index([_year_label(y, p) for y, p in zip(years.index, years["partiellt"])], dtype=object, name="År"),
    )
    return _make(
        "befolkning_jamforelse", BEF_SECTION,
        "Andel av befolkningen 20–64 år som försörjs med ersättningar: förbundet och riket",
        data, {"Förbundet": "share", "Riket": "share"}, min_cell=c.min_cell, source=SOURCE_SCB, index_name="År",
    )  # fmt: skip


def _befolkning_kommun(c: _Ctx, he: pd.DataFrame, years: pd.DataFrame, riket: pd.DataFrame) -> ReportTable:
    year = int(years.index.max())
    per = per_kommun_yearly(he, c.dataset.medlemmar, c.forbund_id)
    per = per.loc[per["ar"] == year] if "ar" in per.columns and len(per) else per.iloc[0:0]
    summa = "Summa helårsekvivalenter"
    rows = {}
    for r in per.sort_values("kommunkod").itertuples(index=False):
        rows[_kommun_label(r.kommunkod)] = (float(r.summa), float(r.folkmangd), float(r.andel))
    f = years.loc[year]
    rows["Förbundet"] = (float(f["summa"]), float(f["folkmangd"]), float(f["andel"]))
    if year in riket.index:
        rr = riket.loc[year]
        rows["Riket"] = (float(rr["summa"]), float(rr["folkmangd"]), float(rr["andel"]))
    data = pd.DataFrame.from_dict(rows, orient="index", columns=[summa, FOLKMANGD, ANDEL_BEF]).rename_axis("Kommun")
    return _make(
        "befolkning_kommun", BEF_SECTION,
        f"Helårsekvivalenter 20–64 år per medlemskommun, {_year_label(year, f['partiellt'])}",
        data, {summa: "number", FOLKMANGD: "number", ANDEL_BEF: "share"}, min_cell=c.min_cell,
        source=SOURCE_SCB, index_name="Kommun",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 6. Insatser och mål
# ---------------------------------------------------------------------------


def _insatser_mal(c: _Ctx) -> ReportTable:
    ekonomi = c.dataset.insats_ekonomi
    mal = outcomes.insatser_mot_mal(c.d, c.insatser, ekonomi, c.period)
    title = f"Individinriktade insatser mot mål, {c.period.swedish}"
    if mal.empty:
        return _placeholder("insatser_mal", "Insatser och mål", title, "Förbundet har inga individinriktade insatser.")
    aktiva, kostnad = "Aktiva deltagare", "Kostnad per deltagare (kr)"
    persons = pd.DataFrame(
        {aktiva: mal["aktiva_deltagare"].astype("int64").to_numpy(),
         kostnad: pd.to_numeric(mal["kostnad_per_deltagare"], errors="coerce").astype("float64").to_numpy()},
        index=pd.Index(list(mal["insats_id"]), dtype=object),
    )  # fmt: skip
    shown = protect_table(persons, c.min_cell, margins=False, shares={kostnad: (None, aktiva)}).display()
    # Andel arbete/studier: visible exactly when resultat_insats shows it.
    rates, ids = _insats_rate_protected(c)
    hidden_rate = dict(zip(ids, rates.hidden[ANDEL_AS].iloc[: len(ids)]))
    andel = [
        SUPPRESSED if hidden_rate.get(i, False) else v for i, v in zip(mal["insats_id"], mal["andel_arbete_studier"])
    ]
    data = pd.DataFrame(
        {
            aktiva: shown[aktiva].to_numpy(),
            "Mål deltagare per år": [None if is_missing(v) else int(v) for v in mal["mal_deltagare_per_ar"]],
            ANDEL_AS: andel,
            "Mål andel arbete/studier": mal["mal_andel_arbete_studier"].to_numpy(),
            "Utfall (kr)": mal["utfall_kr"].to_numpy(),
            kostnad: shown[kostnad].to_numpy(),
        },
        index=pd.Index([c.insats_label(i) for i in mal["insats_id"]], dtype=object, name="Insats"),
    )
    # Targets are plans, not persons: kind "number" (shown like a count).
    kinds = {aktiva: "count", "Mål deltagare per år": "number", ANDEL_AS: "share",
             "Mål andel arbete/studier": "share", "Utfall (kr)": "kr", kostnad: "kr"}  # fmt: skip
    note = "Kostnad per deltagare = utfall / aktiva deltagare."
    if not c.period.is_year:
        note += " Målen och utfallet gäller per år och jämförs bara för helår."
    return _make(
        "insatser_mal", "Insatser och mål", title, data, kinds, min_cell=c.min_cell, index_name="Insats", note=note
    )


# ---------------------------------------------------------------------------
# 7. Datakvalitet (rows, not persons: not suppressed)
# ---------------------------------------------------------------------------

DQ = "Datakvalitet"


def _datakvalitet_filer(c: _Ctx) -> ReportTable:
    summary = c.dataset.quality.summary()
    if summary.empty:
        summary = pd.DataFrame(columns=["Fil", "Lästa rader", "Inlästa", "Avvisade", "Dubbletter"])
    data = summary.set_index("Fil")
    return _make(
        "datakvalitet_filer", DQ, "Inlästa filer", data, {col: "count" for col in data.columns},
        min_cell=c.min_cell, source=SOURCE_DATA, index_name="Fil",
        note="Gäller hela datakatalogen (alla förbund). Antal rader, inte personer.",
    )  # fmt: skip


def _datakvalitet_avvisade(c: _Ctx) -> ReportTable:
    quality = c.dataset.quality
    rejects = quality.rejects
    own = rejects.loc[(rejects["forbund_id"] == c.forbund_id).fillna(False).astype(bool)]
    by_reason = dataclasses.replace(quality, rejects=own).rejected_by_reason()
    data = pd.DataFrame(
        {"Kolumn": by_reason["kolumn"].astype(object).to_numpy(),
         "Skäl": by_reason["skal"].astype(object).to_numpy(),
         "Rader": by_reason["rader"].astype("int64").to_numpy()},
        index=pd.Index(by_reason["fil"].astype(object).to_numpy(), dtype=object, name="Fil"),
    )  # fmt: skip
    note = "Rader med förbundets id som inte kunde läsas in, per fil, kolumn och skäl."
    if data.empty:
        note = "Inga rader från förbundet avvisades."
    return _make(
        "datakvalitet_avvisade", DQ, "Avvisade rader efter skäl", data,
        {"Kolumn": "text", "Skäl": "text", "Rader": "count"}, min_cell=c.min_cell, source=SOURCE_DATA,
        index_name="Fil", note=note,
    )  # fmt: skip


#: Columns only filled in for avslutade participations (slutdatum set).
AFTER_COLUMNS = ("avslutsanledning", "sysselsattning_efter", "forsorjning_efter", "omfattning_efter")
NOT_CHECKED = ("personnummer", "deltagande_id", "forbund_id", "slutdatum")


def _datakvalitet_saknas(c: _Ctx) -> ReportTable:
    d = c.d
    ended = d["slutdatum"].notna()
    rows = {}
    for name, col in schema.DELTAGANDE.items():
        if name in NOT_CHECKED or name not in d.columns:
            continue
        base = d.loc[ended] if name in AFTER_COLUMNS else d
        values = base[name]
        missing = values.isna()
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            missing |= values.astype("object").isin(["", "nan"])
        rows[col.label] = (len(base), int(missing.sum()), outcomes.share(int(missing.sum()), len(base)))
    data = pd.DataFrame.from_dict(rows, orient="index", columns=["Underlag (deltaganden)", "Saknas", "Andel saknas"])
    return _make(
        "datakvalitet_saknas", DQ, "Saknade uppgifter per kolumn", data.rename_axis("Uppgift"),
        {"Underlag (deltaganden)": "count", "Saknas": "count", "Andel saknas": "share"}, min_cell=c.min_cell,
        source=SOURCE_DATA, index_name="Uppgift",
        note="Förbundets deltaganden i statistiken, alla år. Uppgifter efter avslut räknas bara för avslutade "
        "deltaganden; ett tomt slutdatum betyder pågående och räknas inte som saknat. Rader, inte personer.",
    )  # fmt: skip


def _datakvalitet_imputerade(c: _Ctx) -> ReportTable:
    title = "Imputerade helårsekvivalenter (ekonomiskt bistånd) i medlemskommunerna"
    he = _scb(c.dataset)
    if he is None:
        return _placeholder("datakvalitet_imputerade", DQ, title, "Inga helårsekvivalenter från SCB i datakatalogen.")
    members = c.member_kommuner
    # Up to the end of the period's year: the months the population tables use.
    last = pd.Timestamp(c.period.year, 12, 1)
    chosen = he["imputerad"].fillna(False).astype(bool) & he["kommunkod"].isin(members) & (he["manad"] <= last)
    imp = he.loc[chosen, ["kommunkod", "manad"]]
    imp = imp.drop_duplicates()
    rows = {}
    for kommun in members:
        months = imp.loc[imp["kommunkod"] == kommun, "manad"]
        rows[_kommun_label(kommun)] = (
            int(months.nunique()),
            swedish_month(months.min(), short=True) if len(months) else NOT_AVAILABLE,
            swedish_month(months.max(), short=True) if len(months) else NOT_AVAILABLE,
        )
    data = pd.DataFrame.from_dict(
        rows, orient="index", columns=["Imputerade månader", "Första", "Senaste"]
    ).rename_axis("Kommun")
    return _make(
        "datakvalitet_imputerade", DQ, title, data,
        {"Imputerade månader": "count", "Första": "text", "Senaste": "text"}, min_cell=c.min_cell,
        source=SOURCE_SCB, index_name="Kommun",
        note=f"Månader till och med december {c.period.year}. En nolla för ekonomiskt bistånd i en kommun med "
        "minst 1 000 invånare 20–64 år räknas som bortfall och ersätts med kommunens senaste tidigare värde.",
    )  # fmt: skip


def _datakvalitet_skyddade(tables: list[ReportTable], min_cell: int) -> ReportTable:
    rows = {t.title: t.n_hidden for t in tables}
    rows[TOTAL] = sum(rows.values())
    data = pd.DataFrame({"Dolda celler": list(rows.values())}, index=pd.Index(list(rows), dtype=object, name="Tabell"))
    note = (
        f"Röjandekontroll: antal under {min_cell} personer och andelar med färre än {min_cell} personer i "
        "nämnaren visas inte (..), och inte heller värden som annars kunde räknas fram ur summor."
        if min_cell > 1
        else "Röjandekontrollen är avstängd (min_cell = 1): endast för internt bruk."
    )
    return ReportTable(
        key="datakvalitet_skyddade", section=DQ, title="Dolda celler per tabell", data=_clean(data),
        kinds={"Dolda celler": "count"}, source="", note=note,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 8. Om rapporten
# ---------------------------------------------------------------------------


def _om_definitioner(c: _Ctx) -> ReportTable:
    rows = {
        "Aktivt deltagande": "Startdatum senast periodens sista dag och slutdatum tomt eller "
        "tidigast periodens första dag.",
        "Aktiva deltagare": "Unika personer med minst ett aktivt deltagande; kön, ålder och kommun från det senaste.",
        "Avslutat deltagande": "Slutdatum inom perioden. Felregistreringar ingår aldrig i statistiken.",
        "Arbete/studier": "Sysselsättning efter avslut förvärvsarbete, subventionerad anställning eller studier.",
        "Andel arbete/studier": "Arbete/studier delat med avslutade deltaganden (okänd ingår i nämnaren), "
        "med 95 % konfidensintervall enligt Wilson.",
        "Offentlig försörjning": "Ohälsa, arbetsmarknad eller ekonomiskt bistånd som första angivna försörjning.",
        "Helårsekvivalent": "En person som försörjs helt av ersättningar under ett helt år (SCB).",
        "Röjandekontroll": (
            f"Antal under {c.min_cell} personer och andelar med färre än {c.min_cell} personer i nämnaren "
            "redovisas inte (..); inte heller värden som kan räknas fram ur summor. Noll visas. "
            "SCB:s offentliga uppgifter skyddas inte."
            if c.min_cell > 1
            else "Avstängd (min_cell = 1): rapporten är endast för internt bruk."
        ),
        "–": "Kan inte beräknas (t.ex. inga avslutade deltaganden).",
    }
    data = pd.DataFrame({"Förklaring": list(rows.values())}, index=pd.Index(list(rows), dtype=object, name="Begrepp"))
    return ReportTable(
        key="om_definitioner", section="Om rapporten", title="Begrepp och definitioner", data=data,
        kinds={"Förklaring": "text"}, source=SOURCES_ALL,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------

_BUILDERS: tuple[Callable[[_Ctx], ReportTable | list[ReportTable]], ...] = (
    _sammanfattning,
    _deltagare_kon_alder,
    _deltagare_utbildning,
    _deltagare_kommun,
    _deltagare_insats,
    _aktiva_per_manad,
    _resultat_grupper,
    _resultat_kon,
    _resultat_alder,
    _resultat_insats,
    _resultat_trend,
    _tid_i_insats,
    _avslutsanledning,
    _forsorjning_overgang,
    _offentlig_fore_efter,
    _befolkning,
    _insatser_mal,
    _datakvalitet_filer,
    _datakvalitet_avvisade,
    _datakvalitet_saknas,
    _datakvalitet_imputerade,
)


def report_tables(dataset, forbund_id: str, period: Period | str, min_cell: int = 5) -> list[ReportTable]:
    """Every table of the förbund report, in report order.

    Parameters
    ----------
    dataset : Dataset
        From :func:`finsam_analysis.load_dataset`; ``helarsekvivalenter`` may
        be None (the population section is then one explaining table).
    forbund_id : str
        A förbund of the dataset.
    period : Period or str
        The report period.
    min_cell : int, default 5
        Smallest count of persons shown; 1 turns suppression off.

    Returns
    -------
    list of ReportTable
        Sections in the order of :data:`SECTIONS`; keys are unique.
    """
    period = parse_period(period)
    d = forbund_participations(dataset, forbund_id)
    c = _Ctx(dataset=dataset, forbund_id=forbund_id, period=period, min_cell=int(min_cell), d=d)
    tables: list[ReportTable] = []
    for build in _BUILDERS:
        made = build(c)
        tables.extend(made if isinstance(made, list) else [made])
    tables.append(_datakvalitet_skyddade(tables, c.min_cell))
    tables.append(_om_definitioner(c))
    order = {s: i for i, s in enumerate(SECTIONS)}
    return sorted(tables, key=lambda t: order[t.section])  # stable: report order within a section
