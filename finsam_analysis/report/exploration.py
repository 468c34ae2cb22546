"""What the exploration notebooks show: flows, extra breakdowns, comparisons and a model.

The notebooks in ``notebooks/`` (``deltagare``, ``resultat``,
``forsorjningsformer``, ``jamfor_forbund``) tell a story and only call the
library. This module lays out, as :class:`~finsam_analysis.report.tables.ReportTable`
and figures, what the lower layers compute and protect:

* :func:`flows_table`, :func:`flows_figure` — nya, avslutade and aktiva
  deltaganden per month (:func:`finsam_analysis.measures.flows.flows_per_month`,
  protected by :func:`finsam_analysis.disclosure.cells.protect_flows`).
* :func:`rate_table`, :func:`rate_figure` — andel arbete/studier by a split
  the report does not show (utbildningsnivå, försörjning före, remitterande
  aktör …).
* :func:`population_by_kon`, :func:`population_by_kommun` — SCB's
  helårsekvivalenter by kön and by member kommun over the years (public:
  nothing hidden).
* :func:`compare_forbund`, :func:`comparison_table`,
  :func:`comparison_figure` — the key figures of every förbund side by side.
* :func:`outcome_model`, :func:`dataset_outcome_model`, :func:`model_table`
  — a logistic regression of arbete/studier at exit
  (:mod:`finsam_analysis.measures.models`) with its counts protected.
* :func:`show`, :func:`show_tables`, :func:`header` — display in Jupyter.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from finsam_analysis import schema
from finsam_analysis.disclosure.cells import TOTAL, protect_flows, protect_model, protect_outcome_by
from finsam_analysis.disclosure.published import key_figures, key_figures_all, observed_expected
from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.errors import FinsamError
from finsam_analysis.fmt import NOT_AVAILABLE, fmt_dec, fmt_int, is_missing, swedish_month
from finsam_analysis.measures import outcomes
from finsam_analysis.measures.flows import flows_per_month, outcome_by
from finsam_analysis.measures.key_figures import KEY_ORDER, forbund_participations
from finsam_analysis.measures.models import (
    CAVEATS, MISSING_LABEL, MODEL_VARIABLES, OutcomeModel, fit_dataset_outcome_model, fit_outcome_model,
    model_period,
)  # fmt: skip
from finsam_analysis.periods import SWEDISH_MONTHS, Period, parse_period
from finsam_analysis.reference import kommun_namn
from finsam_analysis.report import charts
from finsam_analysis.report.table_base import _make
from finsam_analysis.report.tables import (  # noqa: F401 (the rate columns are part of this API)
    ANDEL_AS, ARBETE_STUDIER, AVSLUTADE, CI_HIGH, CI_LOW, RATE_KINDS, ReportTable, comparison_periods,
)
from finsam_analysis.scb import population as ff
from finsam_analysis.scb.population import dataset_wide

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
    "model_html",
    "model_period",
    "model_table",
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

SOURCE_DELTAGARE = "Källa: förbundets deltagaruppföljning"
SOURCE_SCB = "Källa: SCB, helårsekvivalenter (HE0000T02N2)"


# ---------------------------------------------------------------------------
# A table of published cells
# ---------------------------------------------------------------------------


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
    """A :class:`ReportTable` of published cells (numbers, ``..`` or ``–``), as the report makes them."""
    return _make(key, section, title, data, kinds, min_cell=min_cell, source=source, note=note)


# ---------------------------------------------------------------------------
# Flows: nya, avslutade and aktiva per month
# ---------------------------------------------------------------------------

FLOW_COLUMNS = {"nya": "Nya deltaganden", "avslutade": "Avslutade deltaganden", "aktiva": "Aktiva deltaganden"}


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


def flows_figure(table: ReportTable, *, synthetic: bool = False, min_cell: int = 5) -> charts.FigureResult:
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
    footer = ([charts.hidden_note(min_cell)] if hidden_any else []) + [
        charts._source(None, charts.SOURCE_DELTAGARE, synthetic)
    ]

    def draw(fig) -> None:
        ax = fig.add_subplot()
        if len(months) == 0:
            charts._empty(ax)
            return
        import matplotlib.dates as mdates
        from matplotlib.ticker import FixedLocator, MaxNLocator

        x = mdates.date2num(months.to_pydatetime())
        ax.plot(x, series["nya"], color=charts.MAIN, linewidth=2, marker="o", markersize=3, label="Nya")
        ax.plot(x, series["avslutade"], color=charts.COMPARISON, linewidth=2, linestyle="--", marker="s",
                markersize=3, label="Avslutade")  # fmt: skip
        top = np.nanmax(np.r_[series["nya"], series["avslutade"], [0.0]])
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)
        ax.set_xlim(x[0] - 10, x[-1] + 10)
        ax.xaxis.set_major_locator(FixedLocator(charts._month_ticks(months)))
        ax.xaxis.set_major_formatter(charts._month_formatter())
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_formatter(charts._number_formatter())
        charts._value_grid(ax, "y")
        ax.set_xlabel("Månad")
        ax.set_ylabel("Deltaganden")
        ax.legend(loc="upper left", ncols=2)

    fig = charts._build(title=title, footer=footer, draw=draw)
    alt = f"Linjediagram över nya och avslutade deltaganden per månad, {charts.month_label(months[0])}–" \
          f"{charts.month_label(months[-1])}." if len(months) else "Linjediagram utan värden."
    for code, name in (("nya", "nya"), ("avslutade", "avslutade")):
        v = series[code]
        if np.isfinite(v).any():
            alt += (
                f" Antalet {name} per månad var som mest {charts.format_number(np.nanmax(v))} och som minst "
                f"{charts.format_number(np.nanmin(v))} bland de visade månaderna."
            )
    if hidden_any:
        alt += f" Månader med färre än {min_cell} personer, och några till för att skydda dem, visas inte."
    return charts.FigureResult(fig=fig, alt=alt, title=title)


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
    counts = outcome_by(forbund_participations(dataset, forbund_id), period, column, vocabulary)
    hidden, hidden_shares = protect_outcome_by(counts, key_figures(dataset, forbund_id, period, min_cell), min_cell)
    rows = {}
    for level in [*counts.index, TOTAL]:
        nn = int(counts["n"].sum()) if level == TOTAL else int(counts.at[level, "n"])
        kk = int(counts["k"].sum()) if level == TOTAL else int(counts.at[level, "k"])
        low, high = outcomes.wilson_interval(kk, nn)
        stats = [outcomes.share(kk, nn), low, high]
        rows[_rate_label(level, vocabulary)] = [
            SUPPRESSED if (level, "n") in hidden else nn,
            SUPPRESSED if (level, "k") in hidden else kk,
            *(SUPPRESSED if level in hidden_shares and v is not None else v for v in stats),
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


def _rate_label(level, vocabulary: Mapping[str, str]) -> str:
    if level == TOTAL:
        return TOTAL
    if level == outcomes.MISSING:
        return MISSING_LABEL
    return str(vocabulary.get(level, level))


def rate_figure(table: ReportTable, *, synthetic: bool = False, min_cell: int = 5) -> charts.FigureResult:
    """Bars with intervals for a :func:`rate_table` (or the report's rate tables); Totalt left out."""
    data = table.data.loc[[i for i in table.data.index if i != TOTAL]]
    frame = data.rename(columns={ANDEL_AS: "andel", CI_LOW: "ci_low", CI_HIGH: "ci_high", AVSLUTADE: "avslutade"})
    return charts.outcome_shares(frame, group_label=table.data.index.name, title=table.title, min_cell=min_cell,
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
        are the keys of :func:`finsam_analysis.key_figures` (docs/rapporter.md §5),
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


def observed_expected_table(dataset, period: Period | str, min_cell: int = 5) -> ReportTable:
    """Observed/expected andel arbete/studier per förbund with its 95 % interval (docs/methods.md §3.11).

    Expected comes from one logistic model of the case mix (kön, ålder,
    utbildning, försörjning före, tid i offentlig försörjning) over every
    förbund's avslutade in the period
    (:mod:`finsam_analysis.measures.jamforelse`). A förbund's ratio is shown
    only where its andel arbete/studier is (``..`` otherwise); ``–`` where no
    model could be fitted. The caveats are the table's note.
    """
    from finsam_analysis.measures.jamforelse import CAVEATS

    period = parse_period(period)
    oe = observed_expected(dataset, period, min_cell)
    names = dataset.forbund.set_index("forbund_id")["namn"]
    columns = ("Andel arbete/studier", "Observerat/förväntat", "95 % KI, låg", "95 % KI, hög")
    rows = {}
    for fid, kf in key_figures_all(dataset, period, min_cell).items():
        if "andel_arbete_studier" in kf["suppressed"]:
            rows[names.get(fid, fid)] = [SUPPRESSED] * len(columns)
            continue
        share, ratio = kf["andel_arbete_studier"], oe.get(fid, {})
        rows[names.get(fid, fid)] = [NOT_AVAILABLE if share is None else share] + [
            NOT_AVAILABLE if ratio.get(k) is None else fmt_dec(ratio[k], 2) for k in ("kvot", "ki_lag", "ki_hog")
        ]
    data = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns), dtype=object)
    data.index = pd.Index(list(data.index), dtype=object, name="Förbund")
    kinds = {columns[0]: "share", **{c: "text" for c in columns[1:]}}
    return _report_table(
        "observerat_forvantat", "Sammanfattning",
        f"Andel arbete/studier, observerat mot förväntat efter deltagarnas sammansättning, {period.swedish}",
        data, kinds, min_cell=min_cell, note=CAVEATS,
    )  # fmt: skip


def comparison_figure(frame: pd.DataFrame) -> charts.FigureResult:
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
    return charts.outcome_shares(
        shown, group_label="Förbund", min_cell=min_cell, synthetic=synthetic,
        title=f"Andel avslutade deltaganden som gick till arbete eller studier, per förbund{when}",
        source="Källa: förbundens deltagaruppföljning",
    )  # fmt: skip


# ---------------------------------------------------------------------------
# A model of arbete/studier at exit
# ---------------------------------------------------------------------------


def outcome_model(d: pd.DataFrame, period_or_years, *, min_cell: int = 5, **kwargs) -> OutcomeModel:
    """:func:`finsam_analysis.measures.models.fit_outcome_model`, its counts protected.

    Takes the same arguments; the number of avslutade per level and the
    total are protected (:func:`finsam_analysis.disclosure.cells.protect_model`).
    """
    return protect_model(fit_outcome_model(d, period_or_years, min_cell=min_cell, **kwargs))


def dataset_outcome_model(dataset, period_or_years, *, min_cell: int = 5, **kwargs) -> OutcomeModel:
    """:func:`finsam_analysis.measures.models.fit_dataset_outcome_model`, its counts protected.

    One förbund's avslutade (``forbund_id=``) or every förbund's; the other
    arguments as for :func:`outcome_model`.
    """
    return protect_model(fit_dataset_outcome_model(dataset, period_or_years, min_cell=min_cell, **kwargs))


def model_table(model: OutcomeModel) -> ReportTable:
    """The odds ratios of a protected model as a Swedish table (``1,84``, ``1,52–2,22``)."""
    if not model.fitted:
        data = pd.DataFrame({"Kommentar": [model.message]}, index=pd.Index(["Modell"], name="Modell"))
        return ReportTable(key="modell_oddskvoter", section="Resultat vid avslut", title=_model_title(model),
                           data=data, kinds={"Kommentar": "text"}, source=SOURCE_DELTAGARE)  # fmt: skip
    t = model.table
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
        "modell_oddskvoter", "Resultat vid avslut", _model_title(model), data,
        {"Variabel": "text", "Avslutade": "count", "Oddskvot": "text", "95 % KI": "text"},
        min_cell=model.min_cell,
        note="Oddskvot > 1: högre odds för arbete/studier vid avslut än referensgruppen, med de andra "
        "variablerna lika. Avslutade = alla avslutade deltaganden i gruppen under perioden.",
    )  # fmt: skip


def _model_title(model: OutcomeModel) -> str:
    n = f", {fmt_int(model.n)} avslutade deltaganden" if model.fitted and model.n is not None else ""
    return f"Oddskvoter för arbete eller studier vid avslut, {model.period.swedish}{n}"


def model_html(model: OutcomeModel) -> str:
    """The model's table, its notes and how (not) to read it, as HTML."""
    from finsam_analysis.report import markup
    from finsam_analysis.report.html import table_html

    return markup.render("model.html.j2", table=table_html(model_table(model)), notes=model.notes,
                         caveats=model.caveats)  # fmt: skip


def _or_text(row: pd.Series) -> str:
    if row["referens"]:
        return "1 (referens)"
    return NOT_AVAILABLE if is_missing(row["oddskvot"]) else fmt_dec(row["oddskvot"], 2)


def _ci_text(row: pd.Series) -> str:
    if row["referens"] or is_missing(row["ki_lag"]) or is_missing(row["ki_hog"]):
        return NOT_AVAILABLE
    return f"{fmt_dec(row['ki_lag'], 2)}–{fmt_dec(row['ki_hog'], 2)}"


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
    from finsam_analysis.report import markup
    from finsam_analysis.report.html import BANNER

    if subtitle is None:
        subtitle = report.period.swedish if title is None else f"{report.namn}, {report.period.swedish}"
    title = title or report.namn
    _display_html(markup.css() + markup.render(
        "title.html.j2", synthetic=report.dataset.synthetic, banner=BANNER, partial_note=None,
        title=title, subtitle=subtitle,
    ))  # fmt: skip


def show(*items) -> None:
    """Display report tables (as accessible HTML), figures, models and text."""
    from IPython.display import Markdown, display

    from finsam_analysis.report.html import table_html

    for item in items:
        if isinstance(item, ReportTable):
            _display_html(table_html(item))
        elif isinstance(item, OutcomeModel):
            _display_html(model_html(item))
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
