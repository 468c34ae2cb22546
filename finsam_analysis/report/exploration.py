"""What the exploration notebooks compute: flows, extra breakdowns, comparisons and a model.

The notebooks in ``notebooks/`` (``deltagare``, ``resultat``,
``forsorjningsformer``, ``jamfor_forbund``) tell a story and only call the
library; every computation they show lives here or in the modules the
förbund report uses (:mod:`.tables`, :mod:`.figures`, :mod:`.plots`).

* :func:`flows_per_month`, :func:`protect_flows`, :func:`flows_table`,
  :func:`flows_figure` — nya, avslutade and aktiva deltaganden per month.
* :func:`rate_table` — andel arbete/studier by a split the report does not
  show (utbildningsnivå, försörjning före, remitterande aktör …).
* :func:`population_by_kon`, :func:`population_by_kommun` — SCB's
  helårsekvivalenter by kön and by member kommun over the years.
* :func:`compare_forbund`, :func:`comparison_table`,
  :func:`comparison_figure` — the key figures of every förbund side by side.
* :func:`outcome_model` (and :func:`dataset_outcome_model`) — a logistic
  regression of arbete/studier at exit, as odds ratios with 95 % intervals.
* :func:`show`, :func:`show_tables`, :func:`header` — display in Jupyter.

Disclosure control
------------------
Every count of persons shown goes through
:func:`finsam_analysis.disclosure.rules.suppress` (the same rule as the report:
primary suppression below ``min_cell``, then complements until no hidden
count can be worked out from published totals). Tables that share a number
with the key figures (a Totalt of avslutade, a yearly sum of nya) pass it to
``suppress`` as ``hidden=`` when the key figures hide it and as ``known=``
when they show it, so it is never chosen as a complement
(:func:`_protect_cells`). SCB figures are public and not suppressed.

Decisions where the brief is silent
-----------------------------------
* Flows: aktiva per month are published in the report
  (``aktiva_per_manad``) with only small counts hidden, and ``aktiva(m) − aktiva(m−1) = nya(m) −
  avslutade(m−1)`` holds exactly (a participation is aktiv in every month
  from its start month to its end month). :func:`protect_flows` protects
  nya and avslutade with these identities and with the period totals the
  report publishes (the report period, its comparison periods, each whole
  calendar year in the window) held as known.
* The model (:func:`outcome_model`) treats a missing value as its own level
  ("Uppgift saknas") rather than dropping the participation. A level with
  fewer than ``min_cell`` avslutade, or fewer than ``min_cell`` with or
  without arbete/studier, is never shown: such levels are merged into one
  level "Övriga (små grupper)"; if that merged level is still too small its
  participations are left out of the fit (the few cannot be estimated). The
  number of avslutade per shown level is protected like any count. The
  standard errors are cluster-robust by ``deltagare_id`` (one person can
  have several participations).
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finsam_analysis.scb import population as ff
from finsam_analysis.scb.population import dataset_wide
from finsam_analysis.measures import outcomes
from finsam_analysis.report import charts as plots
from finsam_analysis import schema
from finsam_analysis.disclosure.rules import SUPPRESSED, ProtectedTable, footnote, suppress
from finsam_analysis.errors import FinsamError
from finsam_analysis.disclosure.published import key_figures, key_figures_all
from finsam_analysis.measures.key_figures import KEY_ORDER, forbund_participations
from finsam_analysis.report.fmt import NOT_AVAILABLE, fmt_dec, fmt_int, is_missing, swedish_month
from finsam_analysis.periods import SWEDISH_MONTHS, Period, month_range, parse_period
from finsam_analysis.reference import kommun_namn
from finsam_analysis.report.tables import ReportTable, comparison_periods

__all__ = [
    "CAVEATS",
    "MODEL_VARIABLES",
    "OutcomeModel",
    "compare_forbund",
    "comparison_figure",
    "comparison_table",
    "dataset_outcome_model",
    "flows_figure",
    "flows_per_month",
    "flows_table",
    "header",
    "model_period",
    "open_population",
    "outcome_model",
    "population_by_kommun",
    "population_by_kon",
    "protect_flows",
    "rate_figure",
    "rate_table",
    "show",
    "show_tables",
]

TOTAL = "Totalt"
MISSING_LABEL = "Uppgift saknas"
SOURCE_DELTAGARE = "Källa: förbundets deltagaruppföljning"
SOURCE_SCB = "Källa: SCB, helårsekvivalenter (HE0000T02N2)"


# ---------------------------------------------------------------------------
# Disclosure control of one table, in agreement with published numbers
# ---------------------------------------------------------------------------


def _protect_cells(
    values: Mapping[Hashable, float | None],
    lines: Sequence[tuple[Hashable, Sequence[Hashable]]],
    min_cell: int,
    *,
    known: Iterable[Hashable] = (),
    forced: Iterable[Hashable] = (),
) -> set:
    """Keys of ``values`` to hide, in agreement with numbers published elsewhere.

    A thin wrapper of :func:`finsam_analysis.disclosure.rules.suppress` (the one
    rule): ``known`` keys are shown elsewhere (never complements; they count
    as published), ``forced`` keys are hidden elsewhere (hidden here too, and
    protected). ``None`` values are auxiliary unknowns of the equations (a
    sum nobody publishes) and are never returned.
    """
    hidden = suppress(values, lines, min_cell, hidden=set(forced), known=set(known))
    return {key for key in hidden if values.get(key) is not None}


def _known_or_forced(figures: dict, cells: Mapping[Hashable, str]) -> tuple[set, set]:
    """Split cells that are key figures into (known, forced) by the figures' suppression."""
    suppressed = set(figures.get("suppressed", ()))
    known = {cell for cell, key in cells.items() if key not in suppressed}
    forced = {cell for cell, key in cells.items() if key in suppressed}
    return known, forced


def _report_table(
    key: str,
    section: str,
    title: str,
    data: pd.DataFrame,
    kinds: dict[str, str],
    *,
    min_cell: int,
    source: str = SOURCE_DELTAGARE,
    note: str = "",
) -> ReportTable:
    """A :class:`ReportTable` of published cells (numbers, ``..`` or ``–``)."""
    cells = data.astype(object).where(data.notna(), NOT_AVAILABLE)
    n_hidden = int((cells == SUPPRESSED).to_numpy().sum())
    return ReportTable(
        key=key, section=section, title=title, data=cells, kinds=dict(kinds),
        footnote=footnote(min_cell) if n_hidden else "", source=source, n_hidden=n_hidden, note=note,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# Flows: nya, avslutade and aktiva per month
# ---------------------------------------------------------------------------

FLOW_COLUMNS = {"nya": "Nya deltaganden", "avslutade": "Avslutade deltaganden", "aktiva": "Aktiva deltaganden"}


def flows_per_month(d: pd.DataFrame, first: object, last: object) -> pd.DataFrame:
    """Nya, avslutade and aktiva deltaganden per calendar month (raw counts).

    Parameters
    ----------
    d : DataFrame
        Prepared participations (:meth:`Dataset.participations`, usually one
        förbund's: :func:`finsam_analysis.measures.key_figures.forbund_participations`).
    first, last : date-like
        First and last month (any day in it).

    Returns
    -------
    DataFrame
        Indexed by month start (``manad``), int64 columns ``nya`` (startdatum
        in the month), ``avslutade`` (slutdatum in the month) and ``aktiva``
        (aktiv on at least one day of the month, as
        :func:`finsam_analysis.measures.outcomes.monthly_active`). Not protected: pass
        it to :func:`protect_flows` before showing it.
    """
    months = month_range(first, last)
    if len(months) == 0:
        raise ValueError(f"Månadsintervallet {first}–{last} är tomt.")

    def per_month(dates: pd.Series) -> np.ndarray:
        starts = dates.dropna().dt.to_period("M").dt.to_timestamp().value_counts()
        return starts.reindex(months, fill_value=0).to_numpy(dtype="int64")

    aktiva = outcomes.monthly_active(d, months[0], months[-1])
    return pd.DataFrame(
        {
            "nya": per_month(d["startdatum"]),
            "avslutade": per_month(d["slutdatum"]),
            "aktiva": aktiva.to_numpy(dtype="int64"),
        },
        index=pd.DatetimeIndex(months, name="manad"),
    )


def _months_of(period: Period, months: pd.DatetimeIndex) -> list[int] | None:
    """Positions of the period's months in ``months``, or None if it is not whole months inside."""
    first_day = period.start.day == 1
    last_day = (period.end + _dt.timedelta(days=1)).day == 1
    if not (first_day and last_day):
        return None
    wanted = list(month_range(period.start, period.end))
    position = {m: i for i, m in enumerate(months)}
    if any(m not in position for m in wanted):
        return None
    return [position[m] for m in wanted]


def protect_flows(flows: pd.DataFrame, min_cell: int = 5, periods: Iterable[Period] = ()) -> ProtectedTable:
    """Disclosure control of :func:`flows_per_month`.

    Parameters
    ----------
    flows : DataFrame
        From :func:`flows_per_month`.
    min_cell : int, default 5
        Smallest count shown; 1 turns suppression off.
    periods : iterable of Period
        Periods whose totals of nya and avslutade are published elsewhere
        (the key figures); those of whole months inside the window become
        equations with a known total.

    Returns
    -------
    ProtectedTable
        Hidden: counts from 1 to ``min_cell − 1``, and nya/avslutade chosen
        as complements so that none of them can be worked out from the
        identity ``aktiva(m) + avslutade(m−1) = aktiva(m−1) + nya(m)`` and
        the period totals. Aktiva deltaganden are hidden exactly when the
        report's monthly table hides them (below ``min_cell``).
    """
    values: dict = {}
    n = len(flows)
    for i in range(n):
        for col in ("nya", "avslutade", "aktiva"):
            values[(col, i)] = int(flows[col].iloc[i])
    # Aktiva per month are published as they are (the report's monthly table).
    known = {("aktiva", i) for i in range(n) if values[("aktiva", i)] == 0 or values[("aktiva", i)] >= min_cell}
    lines: list = []
    for i in range(1, n):
        # aktiva(i) + avslutade(i−1) = aktiva(i−1) + nya(i). Only the unknowns' signs matter for what
        # is derivable, and aktiva is known unless it is small, so the identity is usually the line
        # nya(i) = avslutade(i−1) (+ constants), which also tells suppress() where a complement helps.
        now, before = ("aktiva", i), ("aktiva", i - 1)
        if now in known and before in known:
            lines.append((("nya", i), [("avslutade", i - 1), now, before]))
        elif before in known:
            lines.append((("nya", i), [now, ("avslutade", i - 1), before]))
        elif now in known:
            lines.append((("avslutade", i - 1), [before, ("nya", i), now]))
        else:  # both small: an auxiliary unknown for the sum both sides share
            both = ("S", i)
            values[both] = None
            lines.append((both, [before, ("nya", i)]))
            lines.append((both, [now, ("avslutade", i - 1)]))
    seen = set()
    for period in periods:
        idx = _months_of(period, pd.DatetimeIndex(flows.index))
        if not idx or tuple(idx) in seen:
            continue
        seen.add(tuple(idx))
        for col in ("nya", "avslutade"):
            total = ("K", col, tuple(idx))
            values[total] = 0
            known.add(total)
            lines.append((total, [(col, i) for i in idx]))
    hidden = _protect_cells(values, lines, min_cell, known=known)
    mask = pd.DataFrame(False, index=flows.index, columns=["nya", "avslutade", "aktiva"])
    for key in hidden:
        if key[0] in mask.columns:
            mask.iat[key[1], mask.columns.get_loc(key[0])] = True
    return ProtectedTable(values=flows[["nya", "avslutade", "aktiva"]].copy(), hidden=mask, min_cell=int(min_cell))


def _window(period: Period, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    last = pd.Timestamp(period.end.year, period.end.month, 1)
    return last - pd.DateOffset(months=months - 1), last


def flows_table(dataset, forbund_id: str, period: Period | str, min_cell: int = 5, months: int = 36) -> ReportTable:
    """Nya, avslutade and aktiva deltaganden per month, disclosure control applied.

    The window is the ``months`` months up to the period's last month (as the
    report's ``aktiva_per_manad``). Totals published elsewhere: the period,
    its comparison periods and each whole calendar year in the window.
    """
    period = parse_period(period)
    first, last = _window(period, months)
    d = forbund_participations(dataset, forbund_id)
    flows = flows_per_month(d, first, last)
    published = list(comparison_periods(period))
    for year in range(first.year, last.year + 1):
        published.append(Period.from_dates(_dt.date(year, 1, 1), _dt.date(year, 12, 31)))
    protected = protect_flows(flows, min_cell, published)
    shown = protected.display()
    shown.columns = [FLOW_COLUMNS[c] for c in shown.columns]
    shown.index = pd.Index([swedish_month(m, short=True) for m in flows.index], dtype=object, name="Månad")
    return _report_table(
        "flode_per_manad", "Deltagare",
        f"Nya, avslutade och aktiva deltaganden per månad, {swedish_month(first)}–{swedish_month(last)}",
        shown, {c: "count" for c in shown.columns}, min_cell=min_cell,
        note="Nya = startdatum i månaden, avslutade = slutdatum i månaden, aktiva = pågick någon dag i månaden. "
        "Utöver små antal döljs fler nya och avslutade vid behov, så att inget dolt värde kan räknas fram ur "
        "aktiva per månad eller ur årets och periodens summor.",
    )  # fmt: skip


_MONTH_LABEL = re.compile(r"^(\w+) (\d{4})$")


def _label_month(label: str) -> pd.Timestamp:
    """``"jan 2025"`` → 2025-01-01 (labels of :func:`flows_table`)."""
    match = _MONTH_LABEL.match(str(label))
    short = [m[:3] for m in SWEDISH_MONTHS]
    if not match or match.group(1)[:3] not in short:
        raise ValueError(f"Okänd månad {label!r}.")
    return pd.Timestamp(int(match.group(2)), short.index(match.group(1)[:3]) + 1, 1)


def flows_figure(table: ReportTable, *, synthetic: bool = False, min_cell: int = 5) -> plots.FigureResult:
    """Nya and avslutade deltaganden per month as two lines (hidden months are gaps).

    Parameters
    ----------
    table : ReportTable
        From :func:`flows_table` (already protected).
    synthetic : bool
        Mark the source line as synthetic data.
    min_cell : int
        For the note on hidden values.
    """
    months = pd.DatetimeIndex([_label_month(x) for x in table.data.index])
    series = {}
    hidden_any = False
    for code in ("nya", "avslutade"):
        raw = table.data[FLOW_COLUMNS[code]].astype(object)
        hidden = raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        hidden_any |= bool(hidden.any())
        series[code] = pd.to_numeric(raw.where(~hidden, None), errors="coerce").to_numpy(dtype="float64")
    title = "Nya och avslutade deltaganden per månad"
    footer = ([plots.hidden_note(min_cell)] if hidden_any else []) + [
        plots._source(None, plots.SOURCE_DELTAGARE, synthetic)
    ]

    def draw(fig) -> None:
        ax = fig.add_subplot()
        if len(months) == 0:
            plots._empty(ax)
            return
        import matplotlib.dates as mdates
        from matplotlib.ticker import FixedLocator, MaxNLocator

        x = mdates.date2num(months.to_pydatetime())
        ax.plot(x, series["nya"], color=plots.MAIN, linewidth=2, marker="o", markersize=3, label="Nya")
        ax.plot(x, series["avslutade"], color=plots.COMPARISON, linewidth=2, linestyle="--", marker="s",
                markersize=3, label="Avslutade")  # fmt: skip
        top = np.nanmax(np.r_[series["nya"], series["avslutade"], [0.0]])
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)
        ax.set_xlim(x[0] - 10, x[-1] + 10)
        ax.xaxis.set_major_locator(FixedLocator(plots._month_ticks(months)))
        ax.xaxis.set_major_formatter(plots._month_formatter())
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_formatter(plots._number_formatter())
        plots._value_grid(ax, "y")
        ax.set_xlabel("Månad")
        ax.set_ylabel("Deltaganden")
        ax.legend(loc="upper left", ncols=2)

    fig = plots._build(title=title, footer=footer, draw=draw)
    alt = f"Linjediagram över nya och avslutade deltaganden per månad, {plots.month_label(months[0])}–" \
          f"{plots.month_label(months[-1])}." if len(months) else "Linjediagram utan värden."
    for code, name in (("nya", "nya"), ("avslutade", "avslutade")):
        v = series[code]
        if np.isfinite(v).any():
            alt += (
                f" Antalet {name} per månad var som mest {plots.format_number(np.nanmax(v))} och som minst "
                f"{plots.format_number(np.nanmin(v))} bland de visade månaderna."
            )
    if hidden_any:
        alt += f" Månader med färre än {min_cell} personer, och några till för att skydda dem, visas inte."
    return plots.FigureResult(fig=fig, alt=alt, title=title)


# ---------------------------------------------------------------------------
# Andel arbete/studier by a split the report does not show
# ---------------------------------------------------------------------------

#: split -> (Swedish heading, column of the prepared table, vocabulary code -> label)
RATE_SPLITS: dict[str, tuple[str, str, Mapping[str, str]]] = {
    "utbildningsniva": ("Utbildningsnivå", "utbildningsniva", schema.UTBILDNINGSNIVA),
    "forsorjning_fore": ("Försörjning före insatsen", "forsorjning_fore_grupp", schema.FORSORJNING_GRUPP_LABELS),
    "remitterande_aktor": ("Remitterande aktör", "remitterande_aktor", schema.REMITTERANDE_AKTOR),
    "tid_offentlig_forsorjning_fore": (
        "Tid i offentlig försörjning före", "tid_offentlig_forsorjning_fore", schema.TID_OFFENTLIG_FORSORJNING,
    ),
}  # fmt: skip

AVSLUTADE = "Avslutade"
ARBETE_STUDIER = "Arbete/studier"
ANDEL_AS = "Andel arbete/studier"
CI_LOW = "95 % KI, låg"
CI_HIGH = "95 % KI, hög"
RATE_KINDS = {AVSLUTADE: "count", ARBETE_STUDIER: "count", ANDEL_AS: "share", CI_LOW: "share", CI_HIGH: "share"}


def _levels(values: pd.Series, vocabulary: Mapping[str, str]) -> tuple[pd.Series, list[str]]:
    """Group key per row (missing → ``okand``) and the levels in vocabulary order."""
    keys = values.astype(object).where(values.notna(), outcomes.MISSING)
    order = [k for k in vocabulary if k != outcomes.MISSING]
    extra = sorted(set(keys) - set(order) - {outcomes.MISSING}, key=str)
    order += extra
    if (keys == outcomes.MISSING).any():
        order.append(outcomes.MISSING)
    return keys, order


def rate_table(dataset, forbund_id: str, period: Period | str, by: str, min_cell: int = 5) -> ReportTable:
    """Andel arbete/studier at exit by ``by``, with 95 % Wilson intervals, protected.

    Parameters
    ----------
    dataset, forbund_id, period, min_cell
        As for :func:`finsam_analysis.report.tables.report_tables`.
    by : str
        One of :data:`RATE_SPLITS` (the report itself shows kön, åldersgrupp
        and insats).

    Returns
    -------
    ReportTable
        One row per group (all groups of the vocabulary, "Uppgift saknas"
        when present) and Totalt, which equals the key figures and is hidden
        exactly when they hide it.
    """
    if by not in RATE_SPLITS:
        raise FinsamError(f"Okänd uppdelning '{by}'. Välj bland {', '.join(RATE_SPLITS)}.")
    heading, column, vocabulary = RATE_SPLITS[by]
    period = parse_period(period)
    d = forbund_participations(dataset, forbund_id)
    av = d.loc[outcomes.ended(d, period)]
    keys, order = _levels(av[column], vocabulary)
    success = av["utfall"].isin(["arbete", "studier"]).to_numpy()
    n = keys.value_counts().reindex(order, fill_value=0)
    k = keys[success].value_counts().reindex(order, fill_value=0)
    values = {(level, col): int(series[level]) for level in order for col, series in (("n", n), ("k", k))}
    values[(TOTAL, "n")], values[(TOTAL, "k")] = int(n.sum()), int(k.sum())
    lines = [((TOTAL, col), [(level, col) for level in order]) for col in ("n", "k")]
    kf = key_figures(dataset, forbund_id, period, min_cell)
    known, forced = _known_or_forced(kf, {(TOTAL, "n"): "avslutade_deltaganden", (TOTAL, "k"): "arbete_studier"})
    hidden = _protect_cells(values, lines, min_cell, known=known, forced=forced)
    rows = {}
    for level in [*order, TOTAL]:
        nn, kk = values[(level, "n")], values[(level, "k")]
        h_n, h_k = (level, "n") in hidden, (level, "k") in hidden
        # A share hides with its count or denominator, and when the denominator is too small.
        share_hidden = h_n or h_k or (min_cell > 1 and nn < min_cell)
        low, high = outcomes.wilson_interval(kk, nn)
        stats = [outcomes.share(kk, nn), low, high]
        if level == TOTAL:
            label = TOTAL
        elif level == outcomes.MISSING:
            label = MISSING_LABEL
        else:
            label = str(vocabulary.get(level, level))
        rows[label] = [
            SUPPRESSED if h_n else nn,
            SUPPRESSED if h_k else kk,
            *(SUPPRESSED if share_hidden and v is not None else v for v in stats),
        ]
    data = pd.DataFrame.from_dict(rows, orient="index", columns=list(RATE_KINDS), dtype=object)
    data.index.name = heading
    return _report_table(
        f"resultat_{by}", "Resultat vid avslut",
        f"Andel arbete/studier efter {heading.lower()}, avslutade deltaganden {period.swedish}",
        data, RATE_KINDS, min_cell=min_cell,
        note="Andel av avslutade deltaganden med 95 % konfidensintervall (Wilson). Totalt är detsamma som i "
        "sammanfattningen.",
    )  # fmt: skip


def rate_figure(table: ReportTable, *, synthetic: bool = False, min_cell: int = 5) -> plots.FigureResult:
    """Bars with intervals for a :func:`rate_table` (or the report's rate tables); Totalt left out."""
    data = table.data.loc[[i for i in table.data.index if i != TOTAL]]
    frame = data.rename(columns={ANDEL_AS: "andel", CI_LOW: "ci_low", CI_HIGH: "ci_high", AVSLUTADE: "avslutade"})
    return plots.outcome_shares(frame, group_label=table.data.index.name, title=table.title, min_cell=min_cell,
                                synthetic=synthetic)  # fmt: skip


# ---------------------------------------------------------------------------
# Försörjningsformer i befolkningen (public SCB figures: not suppressed)
# ---------------------------------------------------------------------------


def open_population(data_dir, forbund_id: str, period: Period | str):
    """:func:`finsam_analysis.report.html.open_report`, and the SCB data must be there.

    Raises
    ------
    FinsamError
        When a parameter is wrong, the data cannot be read, or the data
        directory has no helårsekvivalenter for the förbund's member kommuner
        up to the period.
    """
    from finsam_analysis.report.html import open_report

    report = open_report(data_dir, forbund_id, period)
    he = dataset_wide(report.dataset)
    if he is None or len(he) == 0:
        raise FinsamError(
            f"Datakatalogen {report.dataset.path} har inga helårsekvivalenter från SCB (mappen "
            "helarsekvivalenter/). Hämta dem med 'finsam fetch-scb --out <katalog>'."
        )
    years = ff.yearly(ff.forbund_monthly(he, report.dataset.medlemmar, forbund_id))
    if years.loc[years.index <= report.period.year].empty:
        raise FinsamError(
            f"SCB-filerna saknar helårsekvivalenter för förbundets medlemskommuner till och med "
            f"{report.period.year}."
        )
    return report


def _year_label(year: int, partial: bool) -> str:
    return f"{int(year)} (del av år)" if partial else str(int(year))


KON_SCB = {"kvinna": "kvinnor", "man": "män", "totalt": "totalt"}


def population_by_kon(dataset, forbund_id: str, period: Period | str) -> ReportTable:
    """Andel of the population 20–64 with ersättningar, by kön and year: förbundet and riket.

    SCB's public figures (not suppressed). Years up to the period's year.
    """
    period = parse_period(period)
    he = dataset_wide(dataset)
    if he is None:
        raise FinsamError("Datakatalogen har inga helårsekvivalenter från SCB.")
    columns: dict[str, pd.Series] = {}
    partial = None
    for area in ("Förbundet", "Riket"):
        for kon, label in KON_SCB.items():
            if area == "Förbundet":
                y = ff.yearly(ff.forbund_monthly(he, dataset.medlemmar, forbund_id, kon=kon))
            else:
                y = ff.yearly(ff.riket_monthly(he, kon=kon))
            y = y.loc[y.index <= period.year]
            columns[f"{area}, {label}"] = y["andel"].astype("float64")
            if area == "Förbundet" and kon == "totalt":
                partial = y["partiellt"]
    data = pd.DataFrame(columns)
    data = data.loc[data.index.isin(partial.index)]
    data.index = pd.Index([_year_label(y, bool(partial.get(y, False))) for y in data.index], dtype=object, name="År")
    return _report_table(
        "befolkning_kon", "Försörjningsformer i befolkningen",
        "Andel av befolkningen 20–64 år som försörjs med ersättningar, efter kön: förbundet och riket",
        data, {c: "share" for c in data.columns}, min_cell=1, source=SOURCE_SCB,
        note="Andel = helårsekvivalenter / folkmängd, årsmedelvärden. Offentlig statistik: ingenting döljs.",
    )  # fmt: skip


def population_by_kommun(dataset, forbund_id: str, period: Period | str) -> ReportTable:
    """Andel of the population 20–64 with ersättningar per member kommun and year, with riket.

    SCB's public figures (not suppressed). A kommun counts for the months it
    was a member; years up to the period's year.
    """
    period = parse_period(period)
    he = dataset_wide(dataset)
    if he is None:
        raise FinsamError("Datakatalogen har inga helårsekvivalenter från SCB.")
    per = ff.per_kommun_yearly(he, dataset.medlemmar, forbund_id)
    per = per.loc[per["ar"] <= period.year] if len(per) else per
    wide = per.pivot(index="ar", columns="kommunkod", values="andel") if len(per) else pd.DataFrame()
    wide.columns = [_kommun(c) for c in wide.columns]
    forbund = ff.yearly(ff.forbund_monthly(he, dataset.medlemmar, forbund_id))
    riket = ff.yearly(ff.riket_monthly(he))
    wide["Förbundet"] = forbund["andel"].reindex(wide.index)
    wide["Riket"] = riket["andel"].reindex(wide.index)
    partial = [False if is_missing(p) else bool(p) for p in forbund["partiellt"].reindex(wide.index)]
    wide.index = pd.Index([_year_label(y, bool(p)) for y, p in zip(wide.index, partial)], dtype=object, name="År")
    wide = wide.astype("float64")
    return _report_table(
        "befolkning_kommun_ar", "Försörjningsformer i befolkningen",
        "Andel av befolkningen 20–64 år som försörjs med ersättningar, per medlemskommun och år",
        wide, {c: "share" for c in wide.columns}, min_cell=1, source=SOURCE_SCB,
        note="Varje kommun räknas för de månader den var medlem. Offentlig statistik: ingenting döljs.",
    )  # fmt: skip


def _kommun(code: object) -> str:
    try:
        return kommun_namn(str(code))
    except KeyError:
        return str(code)


# ---------------------------------------------------------------------------
# Every förbund side by side
# ---------------------------------------------------------------------------

#: Key figures in the comparison table: key, Swedish heading, kind.
COMPARISON_COLUMNS = (
    ("aktiva_deltagare", "Aktiva deltagare", "count"),
    ("kvinnor", "Kvinnor", "count"),
    ("man", "Män", "count"),
    ("nya_deltaganden", "Nya deltaganden", "count"),
    ("avslutade_deltaganden", "Avslutade", "count"),
    ("andel_arbete_studier", "Andel arbete/studier", "share"),
    ("ci_low", "95 % KI, låg", "share"),
    ("ci_high", "95 % KI, hög", "share"),
    ("tid_i_insats_median_dagar", "Tid i insats, median (dagar)", "days"),
    ("andel_offentlig_forsorjning_fore", "Offentlig försörjning före", "share"),
    ("andel_offentlig_forsorjning_efter", "Offentlig försörjning efter", "share"),
    ("befolkning_andel_20_64", "Andel 20–64 med ersättning (SCB)", "share"),
    ("riket_andel_20_64", "Riket (SCB)", "share"),
)


def compare_forbund(dataset, period: Period | str, min_cell: int = 5) -> pd.DataFrame:
    """The protected key figures of every förbund of the dataset, one row each.

    Parameters
    ----------
    dataset : Dataset
        From :func:`finsam_analysis.load_dataset`.
    period : Period or str
        The period, e.g. ``"2025"``.
    min_cell : int, default 5
        Smallest count of persons shown.

    Returns
    -------
    DataFrame
        Indexed by ``forbund_id`` in the order of ``forbund.csv``; the columns
        are the keys of :func:`finsam_analysis.key_figures` (REPORT.md §5),
        with ``None`` for a hidden value and its key in ``suppressed``. No
        total over förbund is added, so each row is protected on its own.
    """
    period = parse_period(period)
    rows = list(key_figures_all(dataset, period, min_cell).values())  # one pass for every förbund
    columns = [k for k in KEY_ORDER if k != "forbund_id"]
    frame = pd.DataFrame(
        {k: pd.Series([r[k] for r in rows], dtype=object) for k in columns},
    )
    frame.index = pd.Index([r["forbund_id"] for r in rows], dtype=object, name="forbund_id")
    return frame


def _published(row: pd.Series, key: str) -> object:
    value = row[key]
    if value is None or is_missing(value):
        return SUPPRESSED if key in (row["suppressed"] or ()) else NOT_AVAILABLE
    return value


def comparison_table(frame: pd.DataFrame) -> ReportTable:
    """:func:`compare_forbund` as a Swedish table (``..`` hidden, ``–`` not computable)."""
    min_cell = int(frame["min_cell"].iloc[0]) if len(frame) else 5
    period = parse_period(frame["period"].iloc[0]) if len(frame) else None
    data = pd.DataFrame(
        {label: [_published(row, key) for _, row in frame.iterrows()] for key, label, _ in COMPARISON_COLUMNS},
        index=pd.Index(list(frame["forbund_namn"]), dtype=object, name="Förbund"),
        dtype=object,
    )
    title = "Nyckeltal per förbund" + (f", {period.swedish}" if period else "")
    return _report_table(
        "jamfor_forbund", "Sammanfattning", title, data, {label: kind for _, label, kind in COMPARISON_COLUMNS},
        min_cell=min_cell, source="Källor: förbundens deltagaruppföljning; SCB, helårsekvivalenter (HE0000T02N2)",
        note="Varje förbunds nyckeltal har röjandekontroll för sig, precis som i förbundets rapport. Andelar av "
        "avslutade deltaganden; befolkningsandelar från SCB för senaste året med uppgifter.",
    )  # fmt: skip


def comparison_figure(frame: pd.DataFrame) -> plots.FigureResult:
    """Andel arbete/studier per förbund with 95 % intervals, from :func:`compare_forbund`."""
    min_cell = int(frame["min_cell"].iloc[0]) if len(frame) else 5
    synthetic = bool(frame["synthetic_data"].iloc[0]) if len(frame) else False
    def cells(key: str) -> list:
        out = [_published(row, key) for _, row in frame.iterrows()]
        return [None if v == NOT_AVAILABLE else v for v in out]

    shown = pd.DataFrame(
        {"andel": cells("andel_arbete_studier"), "ci_low": cells("ci_low"), "ci_high": cells("ci_high"),
         "avslutade": cells("avslutade_deltaganden")},
        index=pd.Index(list(frame["forbund_namn"]), dtype=object, name="Förbund"),
        dtype=object,
    )  # fmt: skip
    when = f", {parse_period(frame['period'].iloc[0]).swedish}" if len(frame) else ""
    return plots.outcome_shares(
        shown, group_label="Förbund", min_cell=min_cell, synthetic=synthetic,
        title=f"Andel avslutade deltaganden som gick till arbete eller studier, per förbund{when}",
        source="Källa: förbundens deltagaruppföljning",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# A model of arbete/studier at exit
# ---------------------------------------------------------------------------

MERGED = "_ovriga"
MERGED_LABEL = "Övriga (små grupper)"

#: Person-level predictors: name -> (Swedish heading, column, labels, reference level).
MODEL_VARIABLES: dict[str, tuple[str, str, Mapping[str, str], str]] = {
    "kon": ("Kön", "kon", {**dict(schema.KON), outcomes.MISSING: MISSING_LABEL}, "man"),
    "aldersgrupp": (
        "Åldersgrupp", "aldersgrupp",
        {"<16": "Under 16 år", "16-24": "16–24 år", "25-29": "25–29 år", "30-39": "30–39 år",
         "40-49": "40–49 år", "50+": "50 år och äldre", outcomes.MISSING: MISSING_LABEL},
        "16-24",
    ),
    "utbildningsniva": ("Utbildningsnivå", "utbildningsniva", dict(schema.UTBILDNINGSNIVA), "gymnasial"),
    "forsorjning_fore": (
        "Försörjning före (först angivna)", "forsorjning_fore_grupp", dict(schema.FORSORJNING_GRUPP_LABELS),
        "arbetsmarknad",
    ),
}  # fmt: skip

#: Optional fixed effects: name -> (Swedish heading, column).
FIXED_EFFECTS = {"insats": ("Insats", "insats_id"), "forbund": ("Förbund", "forbund_id")}

CAVEATS = (
    "Läs modellen som en beskrivning, inte som ett svar på vad som fungerar. "
    "(1) Uppgifterna är observationsdata från förbundets uppföljning, inte ett experiment: oddskvoterna visar "
    "samband, inte orsaker. "
    "(2) Deltagarna väljs till insatserna av handläggare, remitterande aktörer och sig själva; skillnader mellan "
    "grupper, insatser eller förbund kan bero på vilka som kom dit och inte på vad de fick. "
    "(3) Modellen justerar bara för det som finns i data: hälsa, arbetslivserfarenhet, språk och den lokala "
    "arbetsmarknaden saknas. "
    "(4) Saknade uppgifter ingår som en egen grupp, Uppgift saknas, så att inga deltaganden faller bort; "
    "sysselsättning efter avslut som saknas räknas som inte arbete/studier, som i förbundets andel. "
    "(5) En oddskvot är inte en kvot mellan andelar; när andelen är hög ser skillnaden större ut i odds än i "
    "andel. "
    "(6) Röjandekontroll: en grupp med färre än {min_cell} avslutade, eller färre än {min_cell} som gick eller "
    "inte gick till arbete/studier, visas aldrig; den slås ihop med andra små grupper till Övriga (små grupper), "
    "och blir även den för liten skattas den inte. Med färre än {min_n} avslutade deltaganden skattas ingen "
    "modell alls. "
    "(7) Samma person kan ha flera deltaganden; intervallen är klusterrobusta per deltagare. Intervallen är "
    "95 % (Wald) och säger inget om fel i själva uppgifterna."
)


@dataclass
class OutcomeModel:
    """A fitted (or refused) model of arbete/studier at exit.

    Attributes
    ----------
    fitted : bool
        False when the model was not estimated; ``message`` says why.
    period : Period
        The avslutade participations (slutdatum in it) the model covers.
    n : int or None
        Avslutade deltaganden in the period (None when below ``min_cell``).
    table : DataFrame
        Tidy odds ratios, one row per shown level: ``variabel``, ``niva``
        (Swedish labels), ``term`` (``kon[kvinna]``), ``referens`` (bool),
        ``n`` (avslutade in the level, protected: an int or ``".."``),
        ``oddskvot`` (1 for the reference), ``ki_lag``, ``ki_hog`` (missing
        for the reference and for a level that could not be estimated).
    message : str
        Why the model was not fitted ("" when it was).
    notes : list of str
        What was merged, left out or is uncertain.
    caveats : str
        How (not) to read the model, in Swedish.
    min_cell : int
    """

    fitted: bool
    period: Period
    n: int | None
    table: pd.DataFrame
    message: str = ""
    notes: list[str] = field(default_factory=list)
    caveats: str = ""
    min_cell: int = 5
    _n_used: int = field(default=0, repr=False)

    def report_table(self) -> ReportTable:
        """The odds ratios as a Swedish table (``1,84``, ``1,52–2,22``)."""
        if not self.fitted:
            data = pd.DataFrame({"Kommentar": [self.message]}, index=pd.Index(["Modell"], name="Modell"))
            return ReportTable(key="modell_oddskvoter", section="Resultat vid avslut", title=self._title(),
                               data=data, kinds={"Kommentar": "text"}, source=SOURCE_DELTAGARE)  # fmt: skip
        t = self.table
        data = pd.DataFrame(
            {
                "Variabel": t["variabel"].to_numpy(),
                "Avslutade": t["n"].to_numpy(),
                "Oddskvot": [_or_text(r) for _, r in t.iterrows()],
                "95 % KI": [_ci_text(r) for _, r in t.iterrows()],
            },
            index=pd.Index(t["niva"].to_numpy(), dtype=object, name="Grupp"),
            dtype=object,
        )
        return _report_table(
            "modell_oddskvoter", "Resultat vid avslut", self._title(), data,
            {"Variabel": "text", "Avslutade": "count", "Oddskvot": "text", "95 % KI": "text"},
            min_cell=self.min_cell,
            note="Oddskvot > 1: högre odds för arbete/studier vid avslut än referensgruppen, med de andra "
            "variablerna lika. Avslutade = alla avslutade deltaganden i gruppen under perioden.",
        )  # fmt: skip

    def _title(self) -> str:
        n = f", {fmt_int(self.n)} avslutade deltaganden" if self.fitted and self.n is not None else ""
        return f"Oddskvoter för arbete eller studier vid avslut, {self.period.swedish}{n}"

    def _repr_html_(self) -> str:
        from finsam_analysis.report.html import esc, table_html

        parts = [table_html(self.report_table())]
        if self.notes:
            parts.append("<ul class='finsam-note'>" + "".join(f"<li>{esc(n)}</li>" for n in self.notes) + "</ul>")
        parts.append(f"<p class='finsam-note'><strong>Att tänka på.</strong> {esc(self.caveats)}</p>")
        return "\n".join(parts)


def _or_text(row: pd.Series) -> str:
    if row["referens"]:
        return "1 (referens)"
    return NOT_AVAILABLE if is_missing(row["oddskvot"]) else fmt_dec(row["oddskvot"], 2)


def _ci_text(row: pd.Series) -> str:
    if row["referens"] or is_missing(row["ki_lag"]) or is_missing(row["ki_hog"]):
        return NOT_AVAILABLE
    return f"{fmt_dec(row['ki_lag'], 2)}–{fmt_dec(row['ki_hog'], 2)}"


def model_period(period: Period | str, years: int = 3) -> Period:
    """From 1 January ``years − 1`` years before the period's year to the period's end.

    ``model_period("2025")`` is 2023-01-01..2025-12-31: a model needs more
    avslutade than one year of a förbund usually gives.
    """
    period = parse_period(period)
    if years < 1:
        raise FinsamError(f"years måste vara minst 1 (fick {years}).")
    return Period.from_dates(_dt.date(period.end.year - years + 1, 1, 1), period.end)


def _model_period(period_or_years) -> Period:
    """A Period from a period, a year, ``"2023-2025"`` or ``(2023, 2025)``."""
    if isinstance(period_or_years, Period):
        return period_or_years
    if isinstance(period_or_years, str):
        match = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", period_or_years)
        if match:
            period_or_years = (int(match.group(1)), int(match.group(2)))
        else:
            return parse_period(period_or_years)
    if isinstance(period_or_years, (int, np.integer)) and not isinstance(period_or_years, bool):
        return parse_period(str(int(period_or_years)))
    years = [int(y) for y in period_or_years]
    if not years or min(years) > max(years):
        raise FinsamError(f"Ogiltiga år {period_or_years!r} för modellen.")
    return Period.from_dates(_dt.date(min(years), 1, 1), _dt.date(max(years), 12, 31))


def _sparse(n: int, k: int, threshold: int) -> bool:
    """Too few persons, or too few with or without the outcome, to show or estimate."""
    return n < threshold or k < threshold or (n - k) < threshold


def _model_levels(keys: pd.Series, y: np.ndarray, keep: np.ndarray, threshold: int) -> dict:
    """Usable levels of one variable over the kept rows, and the fate of the rest."""
    sub, ys = keys[keep], y[keep]
    n = sub.value_counts()
    k = sub[ys].value_counts().reindex(n.index, fill_value=0)
    usable = [lvl for lvl in n.index if not _sparse(int(n[lvl]), int(k[lvl]), threshold)]
    small = [lvl for lvl in n.index if lvl not in usable]
    merged_ok = bool(small) and not _sparse(int(n[small].sum()), int(k[small].sum()), threshold)
    return {"usable": usable, "small": small, "merged_ok": merged_ok}


def outcome_model(
    d: pd.DataFrame,
    period_or_years,
    *,
    min_cell: int = 5,
    min_n: int = 100,
    fixed_effects: str | None = None,
    reference: Mapping[str, str] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> OutcomeModel:
    """Logistic regression of arbete/studier at exit on avslutade participations.

    Parameters
    ----------
    d : DataFrame
        Prepared participations (:meth:`Dataset.participations` or one
        förbund's); felregistreringar are already left out.
    period_or_years : Period, str, int or (int, int)
        Which avslutade: slutdatum in the period (``"2025"``,
        ``"2023-01-01..2025-12-31"``), the year, or the years ``"2023-2025"``
        / ``(2023, 2025)``.
    min_cell : int, default 5
        No level with fewer than ``min_cell`` avslutade, or fewer than
        ``min_cell`` with or without arbete/studier, is shown or estimated on
        its own (see the module docstring).
    min_n : int, default 100
        Fewest avslutade deltaganden to fit a model at all.
    fixed_effects : {None, "insats", "forbund"}
        Add insats or förbund as a categorical predictor (insats is nested in
        förbund, so choose one).
    reference : mapping, optional
        Reference level per variable, overriding :data:`MODEL_VARIABLES`
        (and the default for a fixed effect: its largest level). A reference
        that is too small falls back to the largest usable level.
    labels : mapping, optional
        ``{variable: {code: label}}`` for the fixed effect's levels.

    Returns
    -------
    OutcomeModel
        Outcome: ``arbete_studier`` (förvärvsarbete, subventionerad anställning
        or studier after exit). Predictors: kön, åldersgrupp, utbildningsnivå,
        försörjning före (group of the first listed source), and the fixed
        effect. ``fitted`` is False, with a message, when there are too few
        avslutade, too few outcomes of either kind, or the model does not
        converge.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        HessianInversionWarning,
        PerfectSeparationWarning,
    )

    period = _model_period(period_or_years)
    threshold = max(int(min_cell), 1)
    caveats = CAVEATS.format(min_cell=threshold, min_n=min_n)
    variables = dict(MODEL_VARIABLES)
    if fixed_effects is not None:
        if fixed_effects not in FIXED_EFFECTS:
            raise FinsamError(f"Okänd fast effekt '{fixed_effects}'. Välj bland {', '.join(FIXED_EFFECTS)}.")
        heading, column = FIXED_EFFECTS[fixed_effects]
        variables[fixed_effects] = (heading, column, dict((labels or {}).get(fixed_effects, {})), None)
    refs = {name: spec[3] for name, spec in variables.items()}
    refs.update(reference or {})

    av = d.loc[outcomes.ended(d, period)]
    n_total = len(av)
    empty = pd.DataFrame(columns=["variabel", "niva", "term", "referens", "n", "oddskvot", "ki_lag", "ki_hog"])

    def refuse(message: str) -> OutcomeModel:
        return OutcomeModel(False, period, n_total if n_total >= threshold else None, empty, message, [], caveats,
                            threshold)  # fmt: skip

    shown_n = fmt_int(n_total) if n_total >= threshold or n_total == 0 else f"färre än {threshold}"
    if n_total < min_n:
        return refuse(
            f"Modellen skattas inte: {shown_n} avslutade deltaganden under {period.swedish}, minst {min_n} behövs. "
            "Välj en längre period eller fler förbund."
        )
    y = av["utfall"].isin(["arbete", "studier"]).to_numpy(dtype=bool)
    if _sparse(n_total, int(y.sum()), threshold):
        return refuse(
            f"Modellen skattas inte: färre än {threshold} av de avslutade gick till arbete/studier, "
            "eller färre än så gjorde det inte."
        )
    keys = {}
    for name, (heading, column, vocab, _) in variables.items():
        values = av[column]
        keys[name] = values.astype(object).where(values.notna(), outcomes.MISSING).reset_index(drop=True)

    # Merge small levels; leave out the rows of a merged group that is still too small. Dropping rows
    # changes the other variables' counts, so repeat until nothing changes.
    keep = np.ones(n_total, dtype=bool)
    for _ in range(10):
        plan = {name: _model_levels(keys[name], y, keep, threshold) for name in variables}
        drop = np.zeros(n_total, dtype=bool)
        for name, p in plan.items():
            if len(p["usable"]) + int(p["merged_ok"]) < 2:
                continue  # the variable is left out of the model; its rows stay
            if p["small"] and not p["merged_ok"]:
                drop |= keys[name].isin(p["small"]).to_numpy() & keep
        if not drop.any():
            break
        keep &= ~drop
    included = [name for name, p in plan.items() if len(p["usable"]) + int(p["merged_ok"]) >= 2]
    notes: list[str] = []
    left_out = [variables[name][0] for name in variables if name not in included]
    if left_out:
        notes.append(
            "Ingår inte i modellen (bara en grupp var tillräckligt stor): " + ", ".join(left_out) + "."
        )
    if not included:
        return refuse("Modellen skattas inte: ingen förklarande variabel har två tillräckligt stora grupper.")
    if not keep.all():
        notes.append(
            "Några få avslutade deltaganden i sammanslagna grupper som ändå var för små ingår inte i "
            "skattningen."
        )

    # Design matrix with explicit reference levels.
    columns: dict[str, np.ndarray] = {}
    level_of: dict[str, tuple[str, str]] = {}
    reference_of: dict[str, str] = {}
    for name in included:
        p = plan[name]
        mapped = keys[name].where(~keys[name].isin(p["small"]), MERGED)
        counts = mapped[keep].value_counts()
        wanted = refs.get(name)
        ref = wanted if wanted in p["usable"] else max(p["usable"], key=lambda lvl: (int(counts[lvl]), str(lvl)))
        if wanted is not None and ref != wanted:
            notes.append(
                f"{variables[name][0]}: referensgruppen {_level_label(variables[name], wanted)} var för liten; "
                f"referens är i stället {_level_label(variables[name], ref)}."
            )
        reference_of[name] = ref
        order = _order(variables[name], p["usable"]) + ([MERGED] if p["merged_ok"] else [])
        for lvl in order:
            if lvl == ref:
                continue
            term = f"{name}[{lvl}]"
            columns[term] = (mapped == lvl).to_numpy(dtype="float64")
            level_of[term] = (name, lvl)
        if p["small"]:
            notes.append(
                f"{variables[name][0]}: grupper med färre än {threshold} avslutade, eller färre än {threshold} "
                f"som gick eller inte gick till arbete/studier, är sammanslagna till {MERGED_LABEL}."
            )
    X = pd.DataFrame(columns).loc[keep].reset_index(drop=True)
    X.insert(0, "const", 1.0)
    yy = y[keep].astype("float64")
    groups = None
    if "deltagare_id" in av.columns:
        groups = pd.factorize(av["deltagare_id"].astype(object).to_numpy()[keep])[0]
    try:
        with warnings.catch_warnings():
            # Separation, non-convergence and overflow become errors here (and a refusal).
            for category in (ConvergenceWarning, PerfectSeparationWarning, HessianInversionWarning, RuntimeWarning):
                warnings.simplefilter("error", category)
            fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if groups is not None else {}
            result = sm.Logit(yy, X).fit(disp=0, maxiter=200, **fit_kw)
        converged = bool(result.mle_retvals.get("converged", False))
        ci = result.conf_int(0.05)
        finite = np.isfinite(result.params).all() and np.isfinite(ci.to_numpy()).all()
    except Exception as exc:  # noqa: BLE001 - statsmodels raises several kinds (LinAlgError, warnings)
        return refuse(f"Modellen kunde inte skattas ({type(exc).__name__}): grupperna är för små eller för lika.")
    if not converged or not finite or (np.abs(result.params.drop("const")) > 15).any():
        return refuse("Modellen konvergerade inte: grupperna är för små eller för lika för att skattas stabilt.")

    events = int(yy.sum())
    epv = min(events, len(yy) - events) / max(len(columns), 1)
    if epv < 10:
        notes.append(
            f"Bara {fmt_dec(epv, 1)} utfall per skattad parameter (tumregeln är minst 10): skattningarna är osäkra."
        )

    # Shown levels with their protected number of avslutade (over every avslutad, in or out of the fit).
    rows = []
    for name in included:
        heading = variables[name][0]
        p = plan[name]
        ref = reference_of[name]
        order = _order(variables[name], p["usable"])
        n_level = {lvl: int((keys[name] == lvl).sum()) for lvl in order}
        # Every other level (small, or with all its rows left out of the fit) is in the merged row,
        # so the shown rows add up to the published total.
        rest = int((~keys[name].isin(order)).sum())
        if rest:
            n_level[MERGED] = rest
        values = {lvl: v for lvl, v in n_level.items()}
        values[TOTAL] = n_total
        hidden = _protect_cells(values, [(TOTAL, list(n_level))], threshold, known={TOTAL})
        for lvl in n_level:
            term = f"{name}[{lvl}]"
            estimated = term in level_of
            rows.append(
                {
                    "variabel": heading,
                    "niva": MERGED_LABEL if lvl == MERGED else _level_label(variables[name], lvl),
                    "term": term,
                    "referens": lvl == ref,
                    "n": SUPPRESSED if lvl in hidden else n_level[lvl],
                    "oddskvot": float(np.exp(result.params[term])) if estimated else (1.0 if lvl == ref else None),
                    "ki_lag": float(np.exp(ci.loc[term, 0])) if estimated else None,
                    "ki_hog": float(np.exp(ci.loc[term, 1])) if estimated else None,
                }
            )
            if lvl == MERGED and not estimated:
                notes.append(f"{heading}: {MERGED_LABEL} är för liten för att skattas och ingår inte i modellen.")
    table = pd.DataFrame(rows, columns=empty.columns)
    return OutcomeModel(True, period, n_total, table, "", notes, caveats, threshold, _n_used=int(keep.sum()))


def _order(spec: tuple, levels: Sequence[str]) -> list[str]:
    """Levels in vocabulary order (then the rest sorted, Uppgift saknas last)."""
    vocab = list(spec[2])
    known = [lvl for lvl in vocab if lvl in levels and lvl != outcomes.MISSING]
    rest = sorted((lvl for lvl in levels if lvl not in vocab and lvl != outcomes.MISSING), key=str)
    return known + rest + ([outcomes.MISSING] if outcomes.MISSING in levels else [])


def _level_label(spec: tuple, level: str) -> str:
    if level == MERGED:
        return MERGED_LABEL
    if level == outcomes.MISSING:
        return MISSING_LABEL
    return str(spec[2].get(level, level))


def _unique_labels(ids: pd.Series, names: pd.Series) -> dict[str, str]:
    """id → name; a name used twice gets its id in brackets (two förbund can both have "Steget")."""
    names = names.astype(str).to_numpy()
    twice = {n for n in names if (names == n).sum() > 1}
    return {i: (f"{n} ({i})" if n in twice else n) for i, n in zip(ids, names)}


def dataset_outcome_model(
    dataset,
    period_or_years,
    *,
    forbund_id: str | None = None,
    fixed_effects: str | None = None,
    reference: Mapping[str, str] | None = None,
    min_cell: int = 5,
    min_n: int = 100,
) -> OutcomeModel:
    """:func:`outcome_model` on a dataset: one förbund's avslutade, or every förbund's.

    Fixed-effect levels get their names (förbund and insats names) from the
    dataset. With ``fixed_effects="forbund"``, ``reference={"forbund": id}``
    compares every förbund with that one.
    """
    if forbund_id is not None:
        d = forbund_participations(dataset, forbund_id)
    else:
        d = outcomes.participations(dataset)
    labels = {
        "forbund": _unique_labels(dataset.forbund["forbund_id"], dataset.forbund["namn"]),
        "insats": _unique_labels(dataset.insatser["insats_id"], dataset.insatser["namn"]),
    }
    return outcome_model(d, period_or_years, min_cell=min_cell, min_n=min_n, fixed_effects=fixed_effects,
                         reference=reference, labels=labels)  # fmt: skip


# ---------------------------------------------------------------------------
# Display in Jupyter
# ---------------------------------------------------------------------------


def _display_html(text: str) -> None:
    from IPython.display import HTML, display

    display(HTML(text))


def header(report, title: str | None = None, subtitle: str | None = None) -> None:
    """Display the styles, the synthetic-data banner when it applies, and a title.

    The title defaults to the förbund's name; the subtitle to the förbund's
    name and the period (or only the period under the default title).
    """
    from finsam_analysis.report.html import BANNER, CSS, esc

    banner = f'<div class="finsam-banner" role="alert">{esc(BANNER)}</div>' if report.dataset.synthetic else ""
    if subtitle is None:
        subtitle = report.period.swedish if title is None else f"{report.namn}, {report.period.swedish}"
    title = title or report.namn
    _display_html(
        CSS + banner + f'<div class="finsam-title"><h1>{esc(title)}</h1><div class="sub">{esc(subtitle)}</div></div>'
    )


def show(*items) -> None:
    """Display report tables (as accessible HTML), figures, models and text."""
    from IPython.display import Markdown, display

    from finsam_analysis.report.html import table_html

    for item in items:
        if isinstance(item, ReportTable):
            _display_html(table_html(item))
        elif isinstance(item, str):
            display(Markdown(item))
        elif isinstance(item, (list, tuple)):
            show(*item)
        else:
            display(item)


def show_tables(report, *keys: str) -> None:
    """Display tables of the förbund report by key, each with its figures."""
    for key in keys:
        if key not in report.tables:
            raise FinsamError(f"Rapporten har ingen tabell '{key}'. Tabellerna är: {', '.join(report.tables)}.")
        table = report.tables[key]
        show(table, *report.figures_for(table))
