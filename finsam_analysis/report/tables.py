"""Every table of a förbund report, disclosure control applied (docs/rapporter.md §3–4).

:func:`report_tables` builds the tables the HTML report, the notebook and the
Excel workbook show, as :class:`ReportTable` objects: Swedish titles, column
headers and row labels, numbers as numbers, hidden cells as ``".."`` and
values that cannot be computed as ``"–"``. Shares are fractions (0.432);
formatting for people is :meth:`ReportTable.formatted` (:mod:`.fmt`), and the
workbook keeps the numbers with Excel number formats (:mod:`.excel`).

Disclosure control
------------------
Every count of persons (participations are persons too) and every share or
statistic over persons goes through :func:`finsam_analysis.disclosure.tables.protect_table`
(the sammanfattning through :func:`finsam_analysis.disclosure.published.key_figures`,
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

* SCB helårsekvivalenter and folkmängd (public statistics, docs/rapporter.md §3).
* The data-quality tables count *rows* of the delivered files, kommun-months
  and hidden cells, not persons with some property in the period: rows read
  and rejected per file and reason, missing values per column over all the
  förbund's participations, imputed SCB months. They are shown as they are,
  so the förbund can find and correct the rows.
* Targets and ekonomi (utfall kr) of an insats are not about persons;
  kostnad per deltagare is hidden when aktiva deltagare is hidden or below
  ``min_cell`` (it would give the count back).

Decisions where docs/rapporter.md is silent
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
* ``insatser_deltaganden`` and ``insatser_kon`` count participations per
  insats from the family (:func:`~finsam_analysis.disclosure.forbund.forbund_family`),
  so they agree with ``resultat_insats`` and the key figures (their Totalt
  row). "Totalt sedan start" sums every year's part and is shown only when
  each part is; an insats that ended earlier keeps its row, so the rows add
  up to Totalt. Nya by kön has no series of its own: its Totalt is the sum
  of the rows, hidden when a row is.
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
from typing import NamedTuple

import numpy as np
import pandas as pd

from finsam_analysis.ingest import coverage
from finsam_analysis.measures import outcomes
from finsam_analysis import schema
from finsam_analysis.disclosure.rules import SUPPRESSED, Cell, rules_text
from finsam_analysis.disclosure.tables import ProtectedTable, protect_regrouped, protect_table
from finsam_analysis.aldersgrupper import label as own_age_label
from finsam_analysis.disclosure.forbund import KON_GROUPS, OVRIGA_CATEGORIES, ForbundFamily
from finsam_analysis.disclosure.published import forbund_protection, protect
from finsam_analysis.measures.key_figures import forbund_participations, in_key_order, raw_key_figures
from finsam_analysis.fmt import NOT_AVAILABLE, UNKNOWN, fmt_value, is_missing, swedish_month
from finsam_analysis.memo import PerDataset
from finsam_analysis.scb.population import (
    AGE, dataset_wide, forbund_monthly, per_kommun_yearly, riket_monthly, yearly,
)
from finsam_analysis.periods import SWEDISH_MONTHS, Period, comparison_periods, parse_period, report_periods
from finsam_analysis.reference import kommun_namn
from finsam_analysis.report.tables_efter_avslut import follow_up_tables
from finsam_analysis.report.tables_ekonomi import ekonomi_tables
from finsam_analysis.report.tables_insatser import insats_tables
from finsam_analysis.report.tables_samhallsekonomi import samhallsekonomi_tables
from finsam_analysis.report.table_base import (  # noqa: F401 (KINDS, SECTIONS, SOURCE_*: re-exported)
    KINDS, SECTIONS, SOURCE_DATA, SOURCE_DELTAGARE, SOURCE_SCB, SOURCES_ALL, ReportTable, _Hidden, _clean, _make,
    _placeholder,
    _with_reasons,
)

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


#: The counts a share or statistic of the key figures rests on (its reason for being hidden).
_COUNTS_BEHIND = {
    "andel_arbete_studier": ("arbete_studier", "avslutade_deltaganden"),
    "ci_low": ("arbete_studier", "avslutade_deltaganden"),
    "ci_high": ("arbete_studier", "avslutade_deltaganden"),
    "andel_okat_omfattning": ("_n_okat_omfattning", "_n_omfattning_kand"),
    "tid_i_insats_median_dagar": ("avslutade_deltaganden",),
    "andel_offentlig_forsorjning_fore": ("_n_offentlig_fore", "avslutade_deltaganden"),
    "andel_offentlig_forsorjning_efter": ("_n_offentlig_efter", "avslutade_deltaganden"),
}


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
    _family: "ForbundFamily | None" = field(default=None, repr=False)
    _raw: dict = field(default_factory=dict, repr=False)

    @property
    def family(self) -> ForbundFamily:
        """The förbund's family of periods, with this report's own periods decided too."""
        if self._family is None:
            base = forbund_protection(self.dataset, self.forbund_id, self.min_cell)
            self._family = base.with_periods(report_periods(self.period))
        return self._family

    def kf(self, period: Period | None = None) -> dict:
        """Protected key figures of a period of this report (default: its own), computed once."""
        period = period or self.period
        if period.label not in self._kf:
            raw = dict(self.raw(period))
            raw["min_cell"] = self.min_cell
            self._kf[period.label] = in_key_order(protect(raw, self.family, period, self.min_cell))
        return self._kf[period.label]

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
    def family_keys(self) -> frozenset:
        """The series of the förbund's family (a group without any avslutade has none: it is 0)."""
        frame = next(iter(self.family.years.values()))
        return frozenset(spec.key for spec in frame.series)

    @property
    def member_kommuner(self) -> list[str]:
        m = self.dataset.medlemmar
        return sorted(set(m.loc[m["forbund_id"] == self.forbund_id, "kommunkod"].dropna().astype(str)))

    def flow(self, key: tuple, period: Period | None = None) -> object:
        """The count of a family series over a period, or ``..`` where the family hides it."""
        p = period or self.period
        value = self.family.value(key, p.start, p.end)
        return value if self.family.flow_shown(key, p.start, p.end) else _Hidden(value, self.min_cell)

    def raw(self, period: Period | None = None) -> dict:
        """Unprotected key figures of a period (never shown: for the reasons of hidden cells)."""
        period = period or self.period
        if period.label not in self._raw:
            self._raw[period.label] = raw_key_figures(self.dataset, self.forbund_id, period)
        return self._raw[period.label]

    def kf_cell(self, key: str, period: Period | None = None) -> object:
        """A key figure as a table cell (:func:`_kf_cell`), a hidden one saying why."""
        cell = _kf_cell(self.kf(period), key)
        if cell != SUPPRESSED:
            return cell
        raw = self.raw(period)
        counts = [raw.get(k) for k in _COUNTS_BEHIND.get(key, (key,))]
        small = any(isinstance(v, (int, float)) and 0 < v < self.min_cell for v in counts)
        return _Hidden(1 if small else None, self.min_cell)


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
# The sammanfattning's periods
# ---------------------------------------------------------------------------


def _month_window(period: Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of the monthly series: the 36 whole months up to the period's end."""
    end = pd.Timestamp(period.end)
    last = pd.Timestamp(end.year, end.month, 1)
    if (end + pd.Timedelta(days=1)).day != 1:  # the period ends inside a month: that month is not whole
        last -= pd.DateOffset(months=1)
    return last - pd.DateOffset(months=35), last


def comparison_key_figures(dataset, forbund_id: str, period: Period | str, min_cell: int = 5) -> dict[str, dict]:
    """The key figures of the period and its comparison periods, as the report shows them.

    The parameters are those of :func:`report_tables`.

    Returns
    -------
    dict
        ``{period label: key figures}`` for the columns of the
        sammanfattning; the report's own period is exactly
        :func:`~finsam_analysis.disclosure.published.key_figures`.
    """
    period = parse_period(period)
    d = forbund_participations(dataset, forbund_id)
    c = _Ctx(dataset=dataset, forbund_id=forbund_id, period=period, min_cell=int(min_cell), d=d)
    return {p.label: c.kf(p) for p in comparison_periods(period)}


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
            share.append(_Hidden(v if h else total, protected.min_cell))
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
    shown = _add_distribution_share(_with_reasons(protected), protected, count_label, share_label)
    return shown, protected


def _with_total_row(frame: pd.DataFrame) -> pd.DataFrame:
    total = frame.sum(numeric_only=True).astype("int64").to_frame().T
    total.index = pd.Index([TOTAL], dtype=object)
    out = pd.concat([frame, total])
    out.index.name = frame.index.name
    return out


CI_LOW = "95 % KI, låg"
CI_HIGH = "95 % KI, hög"
AVSLUTADE = "Avslutade"
ARBETE_STUDIER = "Arbete/studier"
ANDEL_AS = "Andel arbete/studier"
RATE_KINDS = {AVSLUTADE: "count", ARBETE_STUDIER: "count", ANDEL_AS: "share", CI_LOW: "share", CI_HIGH: "share"}


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


def _kf_cell(figures: dict, key: str) -> object:
    """A key figure as a table cell: ``..`` when hidden, "uppgift saknas" when unknown, ``–`` when undefined."""
    value = figures.get(key)
    if value is not None:
        return value
    if key in figures.get("suppressed", ()):
        return SUPPRESSED
    return UNKNOWN if key in _unknown_keys(figures) else NOT_AVAILABLE


def _unknown_keys(figures: dict) -> set[str]:
    """Keys that are None because their column is missing, not because nothing was measured."""
    n = figures.get("avslutade_deltaganden")
    if not n and "avslutade_deltaganden" not in figures.get("suppressed", ()):
        return set()  # no avslutade: shares are undefined, not unknown
    out = set()
    if figures.get("arbete_studier") is None and "arbete_studier" not in figures.get("suppressed", ()):
        out |= set(outcomes.SYSSELSATTNING_KEYS)
    for when in ("fore", "efter"):
        key = f"andel_offentlig_forsorjning_{when}"
        if figures.get(key) is None and key not in figures.get("suppressed", ()):
            out.add(key)
    for key in ("befolkning_andel_20_64", "riket_andel_20_64"):
        if figures.get(key) is None:
            out.add(key)
    return out


def _sammanfattning(c: _Ctx) -> ReportTable:
    periods = comparison_periods(c.period)
    data = pd.DataFrame(
        [[c.kf_cell(key, p) for p in periods] for key, _, _ in SUMMARY_ROWS],
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


def _deltagare_kon_alder(c: _Ctx) -> ReportTable | list[ReportTable]:
    by = _drop_empty_optional(c.by("aldersgrupp"), "aktiva_deltagare")
    counts = pd.DataFrame(
        {
            "Kvinna": by["kvinnor"].astype("int64").to_numpy(),
            "Man": by["man"].astype("int64").to_numpy(),
            MISSING_LABEL: by["kon_okand"].astype("int64").to_numpy(),
        },
        index=pd.Index([_age_label(k) for k in by.index], dtype=object, name="Åldersgrupp"),
    )
    note = "Ålder vid start i insatsen; kön och ålder från personens senaste aktiva deltagande."
    if counts[MISSING_LABEL].sum() == 0:
        counts = counts.drop(columns=MISSING_LABEL)
    else:
        note += (" Kön uppgift saknas är en kvalitetsuppgift om förbundets register och visas alltid "
                 "(se Om rapporten).")
    kf_cells = {(TOTAL, "Kvinna"): "kvinnor", (TOTAL, "Man"): "man", (TOTAL, TOTAL): "aktiva_deltagare"}
    protected = protect_table(
        counts, c.min_cell, margins=True, agree_with=c.hidden_in_kf(kf_cells), exempt=[MISSING_LABEL]
    )
    data = _with_reasons(protected)
    fixed = _make(
        "deltagare_kon_alder", "Deltagare", f"Aktiva deltagare efter kön och åldersgrupp, {c.period.swedish}",
        data, {col: "count" for col in data.columns}, min_cell=c.min_cell, index_name="Åldersgrupp", note=note,
    )  # fmt: skip
    if not c.dataset.aldersgrupper:
        return fixed
    return [fixed, _deltagare_egna_aldersgrupper(c, protected)]


#: Under both tables of the run's own age groups.
OWN_AGE_NOTE = ("Förbundets egna åldersgrupper, valda för körningen; de överlappar de fasta grupperna och skyddas "
                "tillsammans med dem. ")


def _deltagare_egna_aldersgrupper(c: _Ctx, fixed: ProtectedTable) -> ReportTable:
    """Aktiva deltagare in the run's own age groups, protected together with the fixed table."""
    people = outcomes.latest_per_person(c.d.loc[outcomes.active(c.d, c.period)])
    groups = c.dataset.aldersgrupper
    ages = people["alder"].to_numpy(dtype="float64", na_value=np.nan)
    inside = [(ages >= lo) & (ages <= hi) for lo, hi in groups]
    fixed_label = [_age_label(g) for g in people["aldersgrupp"].astype(object)]
    piece = [f + "|" + "".join("1" if m[i] else "0" for m in inside) for i, f in enumerate(fixed_label)]
    kon = people["kon"].astype(object)
    cols = [col for col in fixed.values.columns if col != TOTAL]
    column = np.where(kon == "kvinna", "Kvinna", np.where(kon == "man", "Man", MISSING_LABEL))
    pieces = pd.crosstab(pd.Series(piece, name="del"), pd.Series(column, name="kon")).reindex(columns=cols, fill_value=0)
    rows = [r for r in fixed.values.index if r != TOTAL]
    base_rows = {r: [p for p in pieces.index if p.split("|")[0] == r] for r in rows}
    base_rows = {r: mine for r, mine in base_rows.items() if mine}  # a row without persons is 0: no line
    own = {own_age_label(g): [p for p in pieces.index if p.split("|")[1][k] == "1"] for k, g in enumerate(groups)}
    protected = protect_regrouped(fixed, pieces, base_rows, own, total_label=TOTAL, exempt=[MISSING_LABEL])
    data = _with_reasons(protected)
    note = (OWN_AGE_NOTE + "Ålder vid start i insatsen, från personens senaste aktiva deltagande.")
    return _make(
        "deltagare_egna_aldersgrupper", "Deltagare",
        f"Aktiva deltagare i förbundets egna åldersgrupper, {c.period.swedish}",
        data, {col: "count" for col in data.columns}, min_cell=c.min_cell, index_name="Åldersgrupp", note=note,
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


def _deltagare_remitterande(c: _Ctx) -> ReportTable:
    """Aktiva deltagare by the party that referred them (a person by their latest participation)."""
    by = c.by("remitterande_aktor")
    title = f"Aktiva deltagare efter remitterande aktör, {c.period.swedish}"
    if by.empty or (by.index == outcomes.MISSING).all():
        return _placeholder("deltagare_remitterande", "Deltagare", title,
                            "Uppgift saknas: förbundets data har ingen remitterande aktör.", SOURCE_DELTAGARE)  # fmt: skip
    by = _drop_empty_optional(by, "aktiva_deltagare")
    counts = pd.Series(
        by["aktiva_deltagare"].to_numpy(),
        index=pd.Index([MISSING_LABEL if k == outcomes.MISSING else schema.label(schema.REMITTERANDE_AKTOR, k)
                        for k in by.index], name="Remitterande aktör"),
    )  # fmt: skip
    data, _ = _distribution(counts, "Aktiva deltagare", "Andel", c.min_cell, c.hidden_in_kf({0: "aktiva_deltagare"})[0])
    return _make(
        "deltagare_remitterande", "Deltagare", title, data, {"Aktiva deltagare": "count", "Andel": "share"},
        min_cell=c.min_cell, index_name="Remitterande aktör",
        note="Vem som anvisade deltagaren, från personens senaste aktiva deltagande.",
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
        _with_reasons(protected), {"Aktiva deltagare": "count"}, min_cell=c.min_cell, index_name="Insats",
        note="En person som deltar i flera insatser räknas i varje insats, så raderna summeras inte "
        "till förbundets antal aktiva deltagare.",
    )  # fmt: skip


def _aktiva_per_manad(c: _Ctx) -> ReportTable:
    first, last = _month_window(c.period)
    series = outcomes.monthly_active(c.d, first, last)
    col = "Aktiva deltaganden"
    labels = [swedish_month(m, short=True) for m in series.index]
    shown = [
        int(v) if c.family.month_shown((m + pd.offsets.MonthEnd(0)).date()) else _Hidden(int(v), c.min_cell)
        for m, v in zip(series.index, series.to_numpy(dtype="int64"))
    ]
    data = pd.DataFrame({col: shown}, index=pd.Index(labels, dtype=object, name="Månad"))
    note = "Ett deltagande räknas som aktivt en månad om det pågick någon dag under månaden."
    if SUPPRESSED in shown:
        note += (" En månad visas inte (..) när den tillsammans med periodernas tal skulle visa hur många som "
                 f"började eller slutade just den månaden, om de var färre än {c.min_cell}.")
    return _make(
        "aktiva_per_manad", "Deltagare",
        f"Aktiva deltaganden per månad, {swedish_month(first)}–{swedish_month(last)}",
        data, {col: "count"}, min_cell=c.min_cell, index_name="Månad", note=note,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 3. Resultat vid avslut
# ---------------------------------------------------------------------------

OKAND_ROW = "därav sysselsättning efter okänd"


def _resultat_grupper(c: _Ctx) -> ReportTable:
    # Exactly the key figures (same numbers, same hidden cells), so this table
    # and the sammanfattning/JSON can never be combined to reveal anything.
    rows = [*((key, schema.UTFALL_GRUPP_LABELS[key]) for key in ("arbete", "studier", "arbetssokande", "ovriga")),
            ("okand", OKAND_ROW), ("avslutade_deltaganden", TOTAL)]  # fmt: skip
    total = c.kf_cell("avslutade_deltaganden")
    antal, andel = [], []
    for key, _ in rows:
        value = c.kf_cell(key)
        antal.append(value)
        andel.append(_share_cell(value, total))
    # Below Övriga, the categories a förbund reports (decided in the family with the key figures).
    at = len(rows) - 2
    for n, code in enumerate(OVRIGA_CATEGORIES):
        value = c.flow(("ovriga_kat", code))
        antal.insert(at + n, value)
        andel.insert(at + n, _share_cell(value, total))
    rows[at:at] = [(code, f"därav {schema.SYSSELSATTNING[code].lower()}") for code in OVRIGA_CATEGORIES]
    data = pd.DataFrame(
        {"Antal": antal, "Andel av avslutade": andel},
        index=pd.Index([label for _, label in rows], dtype=object, name="Sysselsättning efter avslut"),
    )
    note = ("Arbete = förvärvsarbete och subventionerad anställning. Övriga = praktik, sjukskriven, övrigt "
            "och uppgift saknas; därav-raderna ingår i Övriga och inte i totalen.")  # fmt: skip
    note += _unknown_note(c, "_n_sysselsattning_efter_kand", "sysselsättning efter avslut")
    return _make(
        "resultat_grupper", "Resultat vid avslut",
        f"Sysselsättning efter avslut, avslutade deltaganden {c.period.swedish}",
        data, {"Antal": "count", "Andel av avslutade": "share"}, min_cell=c.min_cell,
        index_name="Sysselsättning efter avslut", note=note,
    )  # fmt: skip


def _share_cell(count: object, total: object) -> object:
    """count / total as a table cell: ``..`` when either is hidden, unknown or ``–`` as they are."""
    for value in (count, total):
        if value == SUPPRESSED or value == UNKNOWN:
            return value
    if is_missing(count) or is_missing(total) or not total:
        return None
    return count / total


def _rate_row(avslutade: object, arbete_studier: object) -> list[object]:
    """Avslutade, arbete/studier, their share and its Wilson interval, as cells."""
    share = _share_cell(arbete_studier, avslutade)
    if isinstance(share, float):
        low, high = outcomes.wilson_interval(int(arbete_studier), int(avslutade))
    else:
        low = high = share
    return [avslutade, arbete_studier, share, low, high]


def _rate_table(c: _Ctx, key: str, title: str, index_name: str, groups: list[tuple[str, str]], split: str,
                note: str = "") -> ReportTable:
    """Avslutade and arbete/studier per group of a split, as the family shows them, with a Totalt row."""
    kf = c.kf()
    unknown = kf.get("arbete_studier") is None and "arbete_studier" not in kf["suppressed"] and kf.get("avslutade_deltaganden")
    rows, labels = [], []
    for group, label in groups:
        av = c.flow((split, "Av", group)) if (split, "Av", group) in c.family_keys else 0
        ws = c.flow((split, "as", group)) if (split, "as", group) in c.family_keys else 0
        if isinstance(ws, _Hidden) and not isinstance(av, _Hidden) and _one_outcome(c, split, group):
            ws = _Hidden(None, c.min_cell, "group")
        rows.append(_rate_row(av, UNKNOWN if unknown else ws))
        labels.append(label)
    total = [c.kf_cell("avslutade_deltaganden"), c.kf_cell("arbete_studier"),
             c.kf_cell("andel_arbete_studier"), c.kf_cell("ci_low"), c.kf_cell("ci_high")]  # fmt: skip
    rows.append(total)
    labels.append(TOTAL)
    data = pd.DataFrame(rows, columns=[AVSLUTADE, ARBETE_STUDIER, ANDEL_AS, CI_LOW, CI_HIGH],
                        index=pd.Index(labels, dtype=object, name=index_name))  # fmt: skip
    return _make(
        key, "Resultat vid avslut", title, data, RATE_KINDS, min_cell=c.min_cell, index_name=index_name,
        note=note or "Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson).",
    )  # fmt: skip


def _one_outcome(c: _Ctx, split: str, group: str) -> bool:
    """Whether all or none of a small group went to arbete/studier (hidden for that: group disclosure)."""
    p = c.period
    n = c.family.value((split, "Av", group), p.start, p.end)
    k = c.family.value((split, "as", group), p.start, p.end)
    return 0 < n < 2 * c.min_cell and k in (0, n)


def _present(c: _Ctx, split: str, vocabulary, optional=(outcomes.MISSING, "<16")) -> list[str]:
    """The split's groups in the period: the vocabulary's, and optional ones only when not empty."""
    keys = c.family_keys
    out = []
    for group in vocabulary:
        n = c.family.value((split, "Av", group), c.period.start, c.period.end) if (split, "Av", group) in keys else 0
        if group in optional and n == 0:
            continue
        out.append(group)
    return out


def _resultat_kon(c: _Ctx) -> ReportTable:
    missing = int(c.avslutade["kon"].isna().sum())
    man = "Man (inkl. okänt kön)" if missing else "Man"
    note = "Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson)."
    if missing:
        note += (f" {missing} av de avslutade deltagandena saknar kön i förbundets uppgifter; de räknas med männen, "
                 "så att ingen tabell visar dem för sig (se Om rapporten).")
    title = f"Andel arbete/studier efter kön, avslutade deltaganden {c.period.swedish}"
    groups = [("kvinna", "Kvinna"), ("man", man)]
    return _rate_table(c, "resultat_kon", title, "Kön", groups, "kon", note)


def _resultat_alder(c: _Ctx) -> ReportTable:
    groups = [(g, _age_label(g)) for g in _present(c, "alder", (*schema.ALDERSGRUPPER, outcomes.MISSING))]
    title = f"Andel arbete/studier efter åldersgrupp, avslutade deltaganden {c.period.swedish}"
    return _rate_table(c, "resultat_alder", title, "Åldersgrupp", groups, "alder")


def _resultat_egna_aldersgrupper(c: _Ctx) -> list[ReportTable]:
    """Andel arbete/studier in the run's own age groups (none without the option)."""
    if not c.dataset.aldersgrupper:
        return []
    groups = [(g, own_age_label(g)) for g in c.dataset.aldersgrupper]
    title = f"Andel arbete/studier i förbundets egna åldersgrupper, avslutade deltaganden {c.period.swedish}"
    note = (OWN_AGE_NOTE + "Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson); "
            "Totalt gäller alla avslutade deltaganden, inte summan av raderna.")
    return [_rate_table(c, "resultat_egna_aldersgrupper", title, "Åldersgrupp", groups, "alder_egen", note)]


def _insats_ids(c: _Ctx) -> list[str]:
    """Insatser with avslutade or aktiva deltaganden in the period."""
    by = c.by("insats")
    return [i for i in by.index if by.at[i, "avslutade_deltaganden"] > 0 or by.at[i, "aktiva_deltaganden"] > 0]


def _resultat_insats(c: _Ctx) -> ReportTable:
    groups = [(i, c.insats_label(i)) for i in _insats_ids(c)]
    title = f"Andel arbete/studier per insats, avslutade deltaganden {c.period.swedish}"
    return _rate_table(c, "resultat_insats", title, "Insats", groups, "insats")


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
    title = f"Andel arbete/studier per år, t.o.m. {c.period.swedish}"
    periods = _trend_periods(c)
    if not periods:
        message = "Inga avslutade deltaganden ännu."
        return _placeholder("resultat_trend", "Resultat vid avslut", title, message, SOURCE_DELTAGARE)
    rows = [_rate_row(c.flow(("Av",), p), c.flow(("as",), p)) for _, p in periods]
    data = pd.DataFrame(rows, columns=[AVSLUTADE, ARBETE_STUDIER, ANDEL_AS, CI_LOW, CI_HIGH],
                        index=pd.Index([label for label, _ in periods], dtype=object, name="År"))  # fmt: skip
    return _make(
        "resultat_trend", "Resultat vid avslut", title, data, RATE_KINDS, min_cell=c.min_cell, index_name="År",
        note="Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson).",
    )  # fmt: skip


TID_COLS = ("Första kvartilen (dagar)", "Median (dagar)", "Tredje kvartilen (dagar)")


def _tid_row(n: object, days) -> list[object]:
    """Avslutade and the quartiles of their days, shown for at least ``2 * min_cell``."""
    if n == SUPPRESSED:
        return [n, SUPPRESSED, SUPPRESSED, SUPPRESSED]
    t = outcomes.tid_i_insats(days)
    return [n, t["q1"], t["median"], t["q3"]]


def _tid_i_insats(c: _Ctx) -> ReportTable:
    av = c.avslutade
    group_min = 2 * c.min_cell if c.min_cell > 1 else 1
    rows, labels = [], []

    def add(label: str, n: object, part: pd.DataFrame) -> None:
        row = _tid_row(n, part)
        if n != SUPPRESSED and 0 < len(part) < group_min:
            row[1:] = [SUPPRESSED] * 3  # quartiles of a few are the durations of individuals
        rows.append(row)
        labels.append(label)

    for insats_id, part in av.groupby("insats_id", sort=True, observed=True):
        if len(part):
            add(c.insats_label(insats_id), c.flow(("insats", "Av", insats_id)), part)
    add(TOTAL, c.kf_cell("avslutade_deltaganden"), av)
    data = pd.DataFrame(rows, columns=[AVSLUTADE, *TID_COLS], index=pd.Index(labels, dtype=object, name="Insats"))
    return _make(
        "tid_i_insats", "Resultat vid avslut", f"Tid i insats för avslutade deltaganden {c.period.swedish}",
        data, {AVSLUTADE: "count", **{col: "days" for col in TID_COLS}}, min_cell=c.min_cell,
        index_name="Insats",
        note="Dagar från startdatum till slutdatum; kvartiler med linjär interpolation. Kvartiler visas när de "
        f"bygger på minst {group_min} avslutade deltaganden.",
    )  # fmt: skip


def _avslutsanledning(c: _Ctx) -> ReportTable:
    codes = [k for k in schema.AVSLUTSANLEDNING if k != schema.FELREGISTRERING]
    total = c.kf_cell("avslutade_deltaganden")
    rows, labels = [], []
    present = [*codes, outcomes.MISSING] if c.avslutade["avslutsanledning"].isna().any() else codes
    for code in present:
        key = ("orsak", code)
        count = c.flow(key) if key in c.family_keys else 0
        rows.append([count, _share_cell(count, total)])
        labels.append(MISSING_LABEL if code == outcomes.MISSING else schema.AVSLUTSANLEDNING[code])
    rows.append([total, _share_cell(total, total)])
    labels.append(TOTAL)
    data = pd.DataFrame(rows, columns=["Antal", "Andel av avslutade"],
                        index=pd.Index(labels, dtype=object, name="Avslutsanledning"))  # fmt: skip
    return _make(
        "avslutsanledning", "Resultat vid avslut", f"Avslutade deltaganden efter avslutsanledning, {c.period.swedish}",
        data, {"Antal": "count", "Andel av avslutade": "share"}, min_cell=c.min_cell, index_name="Avslutsanledning",
        note="Felregistreringar ingår inte (de redovisas under Datakvalitet).",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# 4. Försörjning före och efter
# ---------------------------------------------------------------------------


def _forsorjning_overgang(c: _Ctx) -> ReportTable:
    labels = schema.FORSORJNING_GRUPP_LABELS
    keys = c.family_keys
    groups = list(labels)

    def cell(key: tuple) -> object:
        return c.flow(key) if key in keys else 0

    rows = []
    for f in groups:
        rows.append([cell(("overgang", f, e)) for e in groups] + [cell(("fore", f))])
    rows.append([cell(("efter", e)) for e in groups] + [c.kf_cell("avslutade_deltaganden")])
    data = pd.DataFrame(
        rows,
        index=pd.Index([f"Före: {labels[k]}" for k in groups] + [TOTAL], dtype=object, name="Försörjning före"),
        columns=[f"Efter: {labels[k]}" for k in groups] + [TOTAL],
    )
    return _make(
        "forsorjning_overgang", "Försörjning före och efter",
        f"Försörjning före (rader) och efter (kolumner), avslutade deltaganden {c.period.swedish}",
        data, {col: "count" for col in data.columns}, min_cell=c.min_cell, index_name="Försörjning före",
        note="Den först angivna försörjningen räknas. Ohälsa = sjukpenning, sjuk- och aktivitetsersättning; "
        "Arbetsmarknad = arbetslöshetsersättning, aktivitetsstöd, etableringsersättning; "
        "Egen försörjning = lön, studiemedel.",
    )  # fmt: skip


def _unknown_note(c: _Ctx, known_key: str, what: str) -> str:
    """A sentence when more than :data:`UNKNOWN_NOTE_SHARE` of the avslutade lack ``what``."""
    raw = c.raw()
    n, known = raw.get("avslutade_deltaganden") or 0, raw.get(known_key)
    if not n or known is None:
        return ""
    if known == 0:
        return f" Uppgift om {what} saknas för alla avslutade deltaganden: andelarna kan inte beräknas."
    missing = (n - known) / n
    if missing > UNKNOWN_NOTE_SHARE:
        return (f" Uppgift om {what} saknas för {fmt_value(missing, 'share')} av de avslutade; de räknas i "
                "nämnaren, så andelarna kan vara för låga.")  # fmt: skip
    return ""


#: Above this share of unknown values, a share carries a note (and "uppgift saknas" at 100 %).
UNKNOWN_NOTE_SHARE = 0.10


def _offentlig_fore_efter(c: _Ctx) -> ReportTable:
    num, share_label = "I offentlig försörjning", "Andel i offentlig försörjning"
    total = c.kf_cell("avslutade_deltaganden")
    rows = []
    for key, when in (("off_fore", "fore"), ("off_efter", "efter")):
        share = c.kf_cell(f"andel_offentlig_forsorjning_{when}")
        count = UNKNOWN if share == UNKNOWN else c.flow((key,))
        rows.append([total, count, share])
    data = pd.DataFrame(rows, columns=[AVSLUTADE, num, share_label],
                        index=pd.Index(["Före insatsen", "Efter insatsen"], dtype=object, name="Tidpunkt"))  # fmt: skip
    note = ("Offentlig försörjning = ohälsa, arbetsmarknad eller ekonomiskt bistånd som första angivna "
            "försörjning. Saknad uppgift räknas inte som offentlig men ingår i nämnaren.")  # fmt: skip
    note += _unknown_note(c, "_n_forsorjning_fore_kand", "försörjning före")
    note += _unknown_note(c, "_n_forsorjning_efter_kand", "försörjning efter")
    return _make(
        "offentlig_fore_efter", "Försörjning före och efter",
        f"Offentlig försörjning före och efter, avslutade deltaganden {c.period.swedish}",
        data, {AVSLUTADE: "count", num: "count", share_label: "share"}, min_cell=c.min_cell,
        index_name="Tidpunkt", note=note,
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
    """The SCB table in wide form, pivoted once per loaded dataset (a batch's children inherit it)."""
    he = dataset.helarsekvivalenter
    if he is None or len(he) == 0:
        return None
    return dataset_wide(dataset)


def scb_until(dataset, period: Period) -> pd.DataFrame | None:
    """The SCB table up to the last whole month of ``period``: no month after the period is shown.

    So the population tables and figures of a report for 2025H1 end in June
    2025, and that year is marked as part of a year.
    """
    he = _scb(dataset)
    if he is None:
        return None
    return he.loc[he["manad"] <= _last_whole_month(period)]


def _last_whole_month(period: Period) -> pd.Timestamp:
    """The first day of the last calendar month that ends inside ``period``."""
    end = pd.Timestamp(period.end)
    last = pd.Timestamp(end.year, end.month, 1)
    if (end + pd.Timedelta(days=1)).day != 1:
        last -= pd.DateOffset(months=1)
    return last


class PopulationYears(NamedTuple):
    """The yearly population series a report shows, up to its period's last whole month."""

    forbund: pd.DataFrame  #: :func:`yearly` of the förbund's valid members
    riket: pd.DataFrame  #: :func:`yearly` of riket
    kommun: pd.DataFrame  #: :func:`per_kommun_yearly` of each member kommun


#: population_years per (förbund, last month), so the tables and figures of a
#: report compute them once.
_POPULATION = PerDataset("population years")


def population_years(dataset, forbund_id: str, period: Period) -> PopulationYears | None:
    """The förbund's, riket's and its kommuner's yearly series, up to the period's last whole month.

    None without SCB data. Only kön totalt, 20–64 år are used, so those rows
    are chosen before the months (a smaller copy).
    """
    he = _scb(dataset)
    if he is None:
        return None
    last = _last_whole_month(period)

    def riket() -> pd.DataFrame:
        return yearly(riket_monthly(_totalt_until(dataset, last)))

    def compute() -> PopulationYears:
        w = _totalt_until(dataset, last)
        med = dataset.medlemmar
        return PopulationYears(
            forbund=yearly(forbund_monthly(w, med, forbund_id)),
            riket=_POPULATION.get(dataset, ("riket", last), riket),
            kommun=per_kommun_yearly(w, med, forbund_id),
        )

    return _POPULATION.get(dataset, (forbund_id, last), compute)


def _totalt_until(dataset, last: pd.Timestamp) -> pd.DataFrame:
    """The wide SCB rows of kön totalt, 20–64 år, up to ``last`` (remembered per month)."""

    def compute() -> pd.DataFrame:
        w = _scb(dataset)
        w = w.loc[(w["kon"] == "totalt") & (w["aldersgrupp"] == AGE)]
        return w.loc[w["manad"] <= last]

    return _POPULATION.get(dataset, ("totalt", last), compute)


def _befolkning(c: _Ctx) -> list[ReportTable]:
    pop = population_years(c.dataset, c.forbund_id, c.period)
    if pop is None:
        return [
            _placeholder(
                "befolkning_saknas", BEF_SECTION, "Försörjningsformer i befolkningen",
                "Datakatalogen innehåller inga helårsekvivalenter från SCB (mappen helarsekvivalenter/), "
                "så avsnittet kan inte visas. Hämta dem med finsam fetch-scb.",
            )
        ]  # fmt: skip
    years = pop.forbund.loc[pop.forbund.index <= c.period.year]
    if years.empty:
        return [
            _placeholder(
                "befolkning_saknas", BEF_SECTION, "Försörjningsformer i befolkningen",
                f"SCB-filerna saknar helårsekvivalenter för förbundets medlemskommuner till och med {c.period.year}.",
                SOURCE_SCB,
            )
        ]  # fmt: skip
    return [
        _befolkning_ersattning(c, years),
        _befolkning_jamforelse(c, years, pop.riket),
        _befolkning_kommun(c, pop.kommun, years, pop.riket),
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


def _befolkning_kommun(c: _Ctx, per: pd.DataFrame, years: pd.DataFrame, riket: pd.DataFrame) -> ReportTable:
    year = int(years.index.max())
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


def _since_start(c: _Ctx, key: tuple) -> object:
    """Participations started from the förbund's first one up to the period's end (every year's part shown)."""
    first, end = _dt.date(c.family.first_year, 1, 1), c.period.end
    value = c.family.value(key, first, end)
    return value if c.family.flow_shown(key, first, end) else _Hidden(value, c.min_cell)


def _stock(c: _Ctx, key: tuple) -> object:
    day = c.period.end
    value = c.family.stock_value(key, day)
    return value if c.family.stock_shown(key, day) else _Hidden(value, c.min_cell)


def _individ_ids(c: _Ctx) -> list[str]:
    """Individinriktade insatser running in the period or with participations up to its end (family order)."""
    ins = c.insatser
    keys = c.family_keys
    running = (ins["typ"] == "individinriktad") & (ins["startdatum"] <= pd.Timestamp(c.period.end)) & (
        ins["slutdatum"].isna() | (ins["slutdatum"] >= pd.Timestamp(c.period.start)))  # fmt: skip
    first = _dt.date(c.family.first_year, 1, 1)
    used = {k[2] for k in keys if k[:2] == ("insats", "N") and c.family.value(k, first, c.period.end) > 0}
    return sorted(set(ins.loc[running, "insats_id"]) | used)


def _per_insats(c: _Ctx, cells: Callable[[str], list[object]], total: list[object]) -> tuple[list, list]:
    ids = _individ_ids(c)
    rows = [cells(i) for i in ids] + [total]
    return rows, [c.insats_label(i) for i in ids] + [TOTAL]


def _insatser_deltaganden(c: _Ctx) -> ReportTable:
    """"Totalt / Just nu" per insats: since its start, going on at the period's end, nya and avslutade."""
    keys = c.family_keys

    def cells(i: str) -> list[object]:
        if ("insats", "N", i) not in keys:
            return [0, 0, 0, 0]
        return [_since_start(c, ("insats", "N", i)), _stock(c, ("insats", "pag", i)),
                c.flow(("insats", "N", i)), c.flow(("insats", "Av", i))]  # fmt: skip

    total = [_since_start(c, ("N",)), c.kf_cell("pagaende_vid_periodens_slut"), c.kf_cell("nya_deltaganden"),
             c.kf_cell("avslutade_deltaganden")]  # fmt: skip
    rows, labels = _per_insats(c, cells, total)
    cols = ["Totalt sedan start", "Pågående vid periodens slut", "Nya i perioden", "Avslutade i perioden"]
    data = pd.DataFrame(rows, columns=cols, index=pd.Index(labels, dtype=object, name="Insats"))
    note = ("Deltaganden (en person i två insatser räknas i båda). Totalt sedan start = alla deltaganden som "
            "börjat från insatsens start, eller från förbundets första registrerade deltagande, till periodens slut; "
            "pågående vid periodens slut motsvarar förbundens \"just nu\".")  # fmt: skip
    return _make(
        "insatser_deltaganden", "Insatser och mål", f"Deltaganden per insats, {c.period.swedish}", data,
        {col: "count" for col in cols}, min_cell=c.min_cell, index_name="Insats", note=note,
    )  # fmt: skip


def _insatser_kon(c: _Ctx) -> ReportTable:
    """Nya and avslutade deltaganden per insats by kön (okänt kön counted with män, as in every outcome table)."""
    keys = c.family_keys

    def cells(i: str) -> list[object]:
        return [c.flow(("insats_kon", m, i, k)) if ("insats_kon", m, i, k) in keys else 0
                for m in ("N", "Av") for k in KON_GROUPS]  # fmt: skip

    # Avslutade by kön is a series of its own (resultat_kon shows it); nya by kön is only the sum of the rows.
    total = [_sum_of(c, [("insats_kon", "N", i, k) for i in _individ_ids(c)]) for k in KON_GROUPS]
    total += [c.flow(("kon", "Av", k)) if ("kon", "Av", k) in keys else 0 for k in KON_GROUPS]
    rows, labels = _per_insats(c, cells, total)
    missing = int(c.d["kon"].isna().sum())
    man = " (inkl. okänt kön)" if missing else ""
    cols = ["Nya, kvinnor", f"Nya, män{man}", "Avslutade, kvinnor", f"Avslutade, män{man}"]
    data = pd.DataFrame(rows, columns=cols, index=pd.Index(labels, dtype=object, name="Insats"))
    note = "Deltaganden i perioden."
    if missing:
        note += " Deltaganden utan kön räknas med männen, så att ingen tabell visar dem för sig."
    return _make(
        "insatser_kon", "Insatser och mål", f"Nya och avslutade deltaganden per insats och kön, {c.period.swedish}",
        data, {col: "count" for col in cols}, min_cell=c.min_cell, index_name="Insats", note=note,
    )  # fmt: skip


def _sum_of(c: _Ctx, keys: list[tuple]) -> object:
    """The sum of family flows as one cell: shown only when every part is (a hidden part stays hidden)."""
    cells = [c.flow(k) if k in c.family_keys else 0 for k in keys]
    if any(isinstance(x, _Hidden) for x in cells):
        return _Hidden(None, c.min_cell)
    return int(sum(cells))


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
    shown = _with_reasons(protect_table(persons, c.min_cell, margins=False, shares={kostnad: (None, aktiva)}))
    # Andel arbete/studier: from the family, exactly as resultat_insats shows it.
    andel = [
        _rate_row(c.flow(("insats", "Av", i)), c.flow(("insats", "as", i)))[2]
        if ("insats", "Av", i) in c.family_keys else None
        for i in mal["insats_id"]
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
    if "mal_inom_dagar" in c.insatser.columns and c.insatser["mal_inom_dagar"].notna().any():
        note += (" Andelen här gäller vid avslut; för en insats vars mål gäller inom ett antal dagar efter avslut "
                 "jämförs målet med uppföljningen i avsnittet Uppföljning efter avslut.")
    return _make(
        "insatser_mal", "Insatser och mål", title, data, kinds, min_cell=c.min_cell, index_name="Insats", note=note
    )


def _insatser_ovriga(c: _Ctx) -> list[ReportTable]:
    """Strukturövergripande insatser and the verksamhetsplan's targets (:mod:`.tables_insatser`)."""
    return insats_tables(c.dataset, c.forbund_id, c.period)


def _ekonomi(c: _Ctx) -> list[ReportTable]:
    """The section Ekonomi (:mod:`.tables_ekonomi`), with the aktiva deltagare per insats of "Insatser och mål"."""
    mal = outcomes.insatser_mot_mal(c.d, c.insatser, c.dataset.insats_ekonomi, c.period)
    aktiva = pd.Series(mal["aktiva_deltagare"].astype("int64").to_numpy(), index=list(mal["insats_id"]), dtype="int64")
    return ekonomi_tables(c.dataset, c.forbund_id, c.period, c.min_cell, aktiva)


def _uppfoljning_efter_avslut(c: _Ctx) -> list[ReportTable]:
    """Follow-up 3, 6 and 12 months after exit (:mod:`.tables_efter_avslut`)."""
    return follow_up_tables(c.d, c.dataset, c.forbund_id, c.period, c.min_cell)


def _samhallsekonomi(c: _Ctx) -> list[ReportTable]:
    """The samhällsekonomisk estimate per part (:mod:`.tables_samhallsekonomi`)."""
    keys = c.family_keys
    return samhallsekonomi_tables(
        c.d, c.dataset, c.forbund_id, c.period, c.min_cell,
        lambda key: c.flow(key) if key in keys else 0, c.kf_cell("avslutade_deltaganden"),
    )  # fmt: skip


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
#: Not counted as missing: ids, and the follow-ups, whose own section reports what is missing.
NOT_CHECKED = ("personnummer", "deltagande_id", "forbund_id", "slutdatum",
               *(schema.uppfoljning_column(m, w) for m in schema.UPPFOLJNING_MANADER
                 for w in ("sysselsattning", "forsorjning")))  # fmt: skip


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
    he = scb_until(c.dataset, c.period)  # the months the population tables use
    if he is None:
        return _placeholder("datakvalitet_imputerade", DQ, title, "Inga helårsekvivalenter från SCB i datakatalogen.")
    members = c.member_kommuner
    chosen = he["imputerad"].fillna(False).astype(bool) & he["kommunkod"].isin(members)
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
        note=f"Månader till och med {swedish_month(he['manad'].max()) if len(he) else c.period.swedish}. "
        "En nolla för ekonomiskt bistånd i en kommun med "
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
        "Röjandekontroll": rules_text(c.min_cell),
        "..": "Visas inte av röjandekontroll (se ovan).",
        UNKNOWN: "Uppgiften saknas i förbundets data (kolumnen är tom eller finns inte); visas aldrig som 0.",
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
    _deltagare_remitterande,
    _deltagare_kommun,
    _deltagare_insats,
    _aktiva_per_manad,
    _resultat_grupper,
    _resultat_kon,
    _resultat_alder,
    _resultat_egna_aldersgrupper,
    _resultat_insats,
    _resultat_trend,
    _tid_i_insats,
    _avslutsanledning,
    _forsorjning_overgang,
    _offentlig_fore_efter,
    _befolkning,
    _insatser_deltaganden,
    _insatser_kon,
    _insatser_mal,
    _insatser_ovriga,
    _ekonomi,
    _uppfoljning_efter_avslut,
    _samhallsekonomi,
    _datakvalitet_filer,
    _datakvalitet_avvisade,
    _datakvalitet_saknas,
    _datakvalitet_imputerade,
)


def report_tables(
    dataset, forbund_id: str, period: Period | str, min_cell: int = 5, *, allow_partial: bool = False
) -> list[ReportTable]:
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
    allow_partial : bool, default False
        Accept a period that ends after the extract date (its part up to it
        is shown); otherwise :class:`~finsam_analysis.ingest.coverage.CoverageError`.

    Returns
    -------
    list of ReportTable
        Sections in the order of :data:`SECTIONS`; keys are unique.
    """
    period = coverage.check_period(dataset, parse_period(period), allow_partial=allow_partial).period
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
