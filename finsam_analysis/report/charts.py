"""The report's figures (docs/rapporter.md §4): pure functions that return a figure and its alt text.

Every function takes small, already computed and already *protected* inputs
(see :mod:`finsam_analysis.disclosure.rules`) and returns a :class:`FigureResult`:
the :class:`matplotlib.figure.Figure`, a Swedish alt text with the key numbers
for screen readers, and the title. Saving is the caller's business
(:func:`figure_to_png_bytes`, or ``result.fig.savefig``); free a figure with
:func:`close`.

Design
------
* Only the object-oriented API: figures are made with ``Figure()``, never
  through :mod:`matplotlib.pyplot`, and styles are applied inside a local
  :func:`matplotlib.rc_context`, so reports rendered one after another in the
  same process do not leak state into each other. ``matplotlib.rcParams`` is
  the same before and after every call.
* One calm, colour-blind-safe palette (a subset of Okabe–Ito) and one style,
  defined once in this module; title top left, axis labels, notes and the
  source line ("Källa: …") bottom left.
* Swedish number format on axes and in labels: ``12 345``, ``43 %``,
  ``14,2 %``; Swedish month names on time axes (``jan 2024``).

Disclosure control
------------------
A figure shows only numbers that the protected table shows. Inputs may be a
:class:`~finsam_analysis.disclosure.tables.ProtectedTable` (hidden cells from its
mask), or a DataFrame/Series where a hidden cell is ``".."``
(:data:`~finsam_analysis.disclosure.rules.SUPPRESSED`, as from
``ProtectedTable.display()``) or missing (NaN/None/NA). Hidden values are
drawn as absent (a gap, an empty cell or the text ``..``) and the figure gets
the note *Värden som bygger på färre än 5 personer visas inte* (with the
table's ``min_cell``).

Decisions where the brief is silent
-----------------------------------
* A missing share whose number of avslutade is a published ``0`` is not
  hidden but undefined: it is drawn as ``–`` and does not trigger the note.
  Any other missing count or share of persons counts as hidden.
* Public SCB figures (helårsekvivalenter, andel av befolkningen) are never
  suppressed; a missing value there is just missing.
* Shares are fractions (0–1) as :mod:`~finsam_analysis.measures.outcomes` and
  :mod:`~finsam_analysis.scb.population` return them; a value above 1
  raises :class:`ValueError` (it is almost certainly a percentage).
* Participant shares are labelled in whole percent (``43 %``), population
  shares with one decimal (``14,2 %``), as the numbers' precision warrants.
* Group codes of the vocabularies in :mod:`~finsam_analysis.schema` (kön,
  utbildningsnivå, försörjningsgrupp, ``okand``), åldersgrupper and
  kommunkoder are shown with their Swedish labels; anything else as given.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, MultipleLocator

from finsam_analysis import fmt
from finsam_analysis import schema
from finsam_analysis.disclosure.rules import DEFAULT_MIN_CELL, SUPPRESSED
from finsam_analysis.disclosure.tables import ProtectedTable

__all__ = [
    "FigureResult",
    "PALETTE",
    "active_per_month",
    "close",
    "figure_to_png_bytes",
    "format_interval",
    "format_number",
    "format_percent",
    "helarsekvivalenter_by_ersattning",
    "hidden_note",
    "insatser_against_targets",
    "month_label",
    "offentlig_forsorjning_before_after",
    "outcome_shares",
    "outcome_trend",
    "share_against_riket",
    "share_per_kommun",
    "transition_heatmap",
]

# ---------------------------------------------------------------------------
# Style: defined once
# ---------------------------------------------------------------------------

#: Okabe–Ito colours (colour-blind safe), in the order series take them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
)
MAIN = PALETTE[0]
COMPARISON = PALETTE[1]
NEUTRAL = "#9A9A9A"  # "before", reference bars
TEXT = "#222222"
MUTED = "#555555"  # notes and source: 7.5:1 against white
HIDDEN_FILL = "#EFEFEF"
HEATMAP_CMAP = "Blues"  # sequential, monotone in lightness

FIGSIZE = (8.0, 4.2)  # inches
PNG_DPI = 110  # dots per inch of the PNGs in reports and notebooks
_FOOTER_LINE = 0.19  # inches per footer line (8 pt)
_FOOTER_BASE = 0.10  # inches below the lowest footer line
_EDGE = 0.10  # inches from the left edge to title and footer

#: Local rc settings; applied with ``matplotlib.rc_context``, never globally.
STYLE: Mapping[str, object] = {
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": "#8C8C8C",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.unicode_minus": True,
    "axes.formatter.use_locale": False,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.8,
    "xtick.color": "#8C8C8C",
    "ytick.color": "#8C8C8C",
    "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "savefig.facecolor": "white",
    "text.color": TEXT,
    "hatch.color": "#BBBBBB",
    # Labels come from users (insats and förbund names): "$" is text, never mathtext.
    "text.parse_math": False,
}

#: Sources, as the footer line shows them.
SOURCE_DELTAGARE = "Källa: Förbundets deltagaruppföljning"
SOURCE_SCB = "Källa: SCB, helårsekvivalenter (HE0000T02N2)"
SOURCE_INSATSER = "Källa: Förbundets deltagaruppföljning och insatsregister"

#: The figure note when a value is hidden (``{min_cell}`` filled in).
HIDDEN_NOTE = ("Värden som visas som .. bygger på färre än {min_cell} personer eller döljs så att de inte kan "
               "räknas fram ur andra tal.")

SWEDISH_MONTH_ABBR = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

#: Decimals of share labels: the same as in tables and sentences.
PARTICIPANT_DECIMALS = POPULATION_DECIMALS = fmt.SHARE_DECIMALS

# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureResult:
    """A report figure.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure (not registered with pyplot).
    alt : str
        Swedish alt text for screen readers: what the figure shows, with its
        key numbers.
    title : str
        The figure's title, as drawn at its top.
    """

    fig: Figure
    alt: str
    title: str

    def png(self, dpi: int = PNG_DPI) -> bytes:
        """The figure as PNG bytes (see :func:`figure_to_png_bytes`)."""
        return figure_to_png_bytes(self.fig, dpi=dpi)

    def _repr_html_(self) -> str:
        """Jupyter: the PNG with its alt text, so a rendered notebook stays accessible."""
        data = base64.b64encode(self.png()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}">'


# ---------------------------------------------------------------------------
# Swedish number format
# ---------------------------------------------------------------------------


def _is_missing(x: object) -> bool:
    return fmt.is_missing(x)


def format_number(x: float, decimals: int = 0) -> str:
    """A number as every output writes it (:mod:`finsam_analysis.fmt`): ``12 345``, ``3,5``.

    A missing value gives ``–``; a hidden one is written ``..`` by the caller.
    """
    return fmt.fmt_int(x) if decimals == 0 else fmt.fmt_dec(x, decimals)


def format_percent(share: float, decimals: int = fmt.SHARE_DECIMALS) -> str:
    """A share (fraction) as a percentage, as every output writes it: ``0.432 → "43,2 %"``."""
    return fmt.fmt_pct(share, decimals)


def month_label(month: object) -> str:
    """``"jan 2024"`` for any date in January 2024."""
    ts = pd.Timestamp(month)
    return f"{SWEDISH_MONTH_ABBR[ts.month - 1]} {ts.year}"


def _trimmed(x: float) -> str:
    """A tick value with as many decimals as it needs (at most three)."""
    x = round(float(x), 3)
    decimals = 0
    while decimals < 3 and abs(x - round(x, decimals)) > 1e-9:
        decimals += 1
    return format_number(x, decimals)


def _number_formatter() -> FuncFormatter:
    return FuncFormatter(lambda x, pos: _trimmed(x))


def _percent_formatter() -> FuncFormatter:
    """Ticks for an axis of fractions, shown as percent (``40 %``)."""
    return FuncFormatter(lambda x, pos: f"{_trimmed(x * 100)} %")


def _month_formatter() -> FuncFormatter:
    return FuncFormatter(lambda x, pos: month_label(mdates.num2date(x).replace(tzinfo=None)))


def format_interval(low: float, high: float, decimals: int = fmt.SHARE_DECIMALS) -> str:
    """A share interval, as every output writes it: ``"30,3–44,5 %"``."""
    return fmt.fmt_interval(low, high, decimals)


def hidden_note(min_cell: int = DEFAULT_MIN_CELL, why: Mapping[str, str] | None = None) -> str:
    """The note a figure gets when a value is hidden: which ones, and why.

    ``why`` maps a shown label (a group, a month, a year) to ``"small"``
    (fewer than ``min_cell`` persons), ``"group"`` (all or none of a small
    group had the outcome) or ``"protect"`` (hidden so that it cannot be
    worked out from other figures); without it the note names the reasons
    in general.
    """
    if not why:
        return HIDDEN_NOTE.format(min_cell=min_cell)
    small = [label for label, reason in why.items() if reason == "small"]
    group = [label for label, reason in why.items() if reason == "group"]
    protect = [label for label, reason in why.items() if reason not in ("small", "group")]
    parts = []
    if small:
        parts.append(f"{_listed(small)} bygger på färre än {min_cell} personer")
    if group:
        parts.append(f"i {_listed(group)} fick alla eller ingen samma resultat, och gruppen är för liten för att "
                     "visa det")
    if protect:
        parts.append(f"{_listed(protect)} döljs så att {'det' if len(protect) == 1 else 'de'} inte kan räknas fram "
                     "ur andra tal i rapporten eller i förbundets rapporter för andra perioder")
    return "Visas inte (..): " + "; ".join(parts) + "."


def _listed(labels: Sequence[str], most: int = 6) -> str:
    """``a, b och c``; a long list ends with how many more."""
    labels = list(labels)
    if len(labels) > most:
        return ", ".join(labels[:most]) + f" och {len(labels) - most} till"
    return _join(labels)


def _join(items: Sequence[str]) -> str:
    """``a, b och c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


# ---------------------------------------------------------------------------
# Protected inputs
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """A column of a protected input: values (NaN where not shown) and why."""

    values: np.ndarray  # float, NaN where not shown
    hidden: np.ndarray  # bool: hidden by disclosure control (".." or mask)
    missing: np.ndarray  # bool: NaN in the input without a mask saying why


def _numeric(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(float values with NaN, marked-hidden mask) of one input column."""
    as_object = series.astype(object)
    marked = np.array([isinstance(v, str) and v.strip() == SUPPRESSED for v in as_object], dtype=bool)
    cleaned = as_object.where(~marked, None)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    values = numbers.to_numpy(dtype="float64", na_value=np.nan)
    return values, marked


def _resolve(frame: pd.DataFrame, name: str, aliases: Iterable[str] = ()) -> str | None:
    for candidate in (name, *aliases):
        if candidate in frame.columns:
            return candidate
    return None


def _column(data: ProtectedTable | pd.DataFrame, name: str, aliases: Iterable[str] = (), *, required: bool = True):
    """One column of a protected input, or None when absent and not required."""
    frame = data.values if isinstance(data, ProtectedTable) else data
    col = _resolve(frame, name, aliases)
    if col is None:
        if required:
            names = ", ".join(repr(c) for c in (name, *aliases))
            raise ValueError(f"Tabellen saknar kolumnen {names} (har: {', '.join(map(str, frame.columns))}).")
        return None
    values, marked = _numeric(frame[col])
    if isinstance(data, ProtectedTable):
        marked = marked | data.hidden[col].to_numpy(dtype=bool)
        values = np.where(marked, np.nan, values)
    missing = np.isnan(values) & ~marked
    return _Column(values=values, hidden=marked, missing=missing)


def _series(data: pd.Series | pd.DataFrame | ProtectedTable) -> tuple[pd.Index, _Column]:
    """A one-column input (Series, one-column frame or table) as index and column."""
    if isinstance(data, pd.Series):
        frame = data.to_frame(name="v")
        return frame.index, _column(frame, "v")
    frame = data.values if isinstance(data, ProtectedTable) else data
    if frame.shape[1] != 1:
        raise ValueError(f"Väntade en serie eller en tabell med en kolumn (fick {frame.shape[1]} kolumner).")
    return frame.index, _column(data, frame.columns[0])


def _min_cell(data: object, min_cell: int) -> int:
    return data.min_cell if isinstance(data, ProtectedTable) else int(min_cell)


def _index(data: ProtectedTable | pd.DataFrame) -> pd.Index:
    return (data.values if isinstance(data, ProtectedTable) else data).index


def _check_fraction(values: np.ndarray, what: str) -> None:
    finite = values[np.isfinite(values)]
    if finite.size and (finite.max() > 1.0 + 1e-9 or finite.min() < -1e-9):
        raise ValueError(
            f"{what} ska vara andelar mellan 0 och 1 (fick {finite.min():g}–{finite.max():g}); "
            "ange andelar, inte procent."
        )


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------

_CODE_LABELS: dict[str, str] = {
    **dict(schema.KON),
    **dict(schema.UTBILDNINGSNIVA),
    **dict(schema.FORSORJNING_GRUPP_LABELS),
    "okand": schema.KON_OKAND_LABEL,
    "totalt": "Totalt",
}
_AGE_RE = re.compile(r"^(\d+)-(\d+)$")
_SPLIT_LABELS = {
    "kon": "Kön",
    "aldersgrupp": "Åldersgrupp",
    "utbildningsniva": "Utbildningsnivå",
    "folkbokforingskommun": "Folkbokföringskommun",
    "insats": "Insats",
    "insats_id": "Insats",
}
_TOTAL_LABELS = {"totalt", "total", "summa", "samtliga", "alla"}


def _group_label(code: object) -> str:
    """The Swedish label of a group code (vocabularies, åldersgrupper, kommunkoder)."""
    if _is_missing(code):
        return schema.KON_OKAND_LABEL
    text = str(code)
    if text in _CODE_LABELS:
        return _CODE_LABELS[text]
    if text in schema.ALDERSGRUPPER:
        match = _AGE_RE.match(text)
        if match:
            return f"{match.group(1)}–{match.group(2)} år"
        if text.startswith("<"):
            return f"Under {text[1:]} år"
        if text.endswith("+"):
            return f"{text[:-1]} år och äldre"
        return text
    if re.fullmatch(r"\d{4}", text):
        from finsam_analysis.reference import kommun_namn

        try:
            return kommun_namn(text)
        except KeyError:
            return text
    return text


def _is_total(label: object) -> bool:
    return str(label).strip().lower() in _TOTAL_LABELS


def _source(source: str | None, default: str, synthetic: bool) -> str:
    text = default if source is None else source
    if not text.lower().startswith("källa"):
        text = f"Källa: {text}"
    if synthetic:
        text += " — SYNTETISKA DATA, inte verklig statistik"
    return text


# ---------------------------------------------------------------------------
# Figure scaffolding
# ---------------------------------------------------------------------------


class _StyledFigure(Figure):
    """A Figure that always draws inside :data:`STYLE`.

    Ticks and their labels are made lazily, at draw time, from the rcParams
    then in force; drawing inside the style makes ``fig.savefig``, the inline
    backend and :func:`figure_to_png_bytes` give the same picture, without
    drawing the figure once ahead (which cost a third of a report's figures).
    """

    def draw(self, renderer):
        with matplotlib.rc_context(dict(STYLE)):
            return super().draw(renderer)


def _new_figure(n_footer: int, height: float = FIGSIZE[1], width: float = FIGSIZE[0]) -> Figure:
    """A figure whose constrained layout leaves room for ``n_footer`` footer lines."""
    bottom = (_FOOTER_BASE + n_footer * _FOOTER_LINE + 0.06) / height
    engine = ConstrainedLayoutEngine(rect=(0.0, bottom, 1.0, 1.0 - bottom), h_pad=0.06, w_pad=0.08)
    # Built at the PNG's resolution: text sizes, and so the layout, depend on it.
    return _StyledFigure(figsize=(width, height), layout=engine, dpi=PNG_DPI)


def _finish(fig: Figure, title: str, footer: Sequence[str]) -> None:
    """Title at the top left; notes and the source line (last) at the bottom left."""
    width, height = fig.get_size_inches()
    wrapped = textwrap.fill(title, width=int(width * 9.2))
    fig.suptitle(wrapped, x=_EDGE / width, ha="left", fontsize=11.5, fontweight="bold", color=TEXT)
    footer = list(footer)
    for k, line in enumerate(footer):  # top to bottom; the source (last) lowest
        fig.text(
            _EDGE / width,
            (_FOOTER_BASE + (len(footer) - 1 - k) * _FOOTER_LINE) / height,
            line,
            ha="left",
            va="bottom",
            fontsize=8,
            color=MUTED,
        )
    # Lay the figure out once now (inside the style): constrained layout
    # settles after one pass, so every later draw gives the same bytes.
    # Cheaper than drawing the whole figure ahead, which this replaced.
    fig.get_layout_engine().execute(fig)


def _build(
    *,
    title: str,
    footer: Sequence[str],
    draw: Callable[[Figure], None],
    height: float = FIGSIZE[1],
    width: float = FIGSIZE[0],
) -> Figure:
    """Make a figure inside the local style: ``draw`` fills it, then title and footer."""
    with matplotlib.rc_context(dict(STYLE)):
        fig = _new_figure(len(footer), height=height, width=width)
        draw(fig)
        _finish(fig, title, footer)
    return fig


def _value_grid(ax, axis: str) -> None:
    """Light grid lines along the value axis only."""
    ax.grid(True, axis=axis, color=STYLE["grid.color"], linewidth=0.8)
    ax.set_axisbelow(True)


def _empty(ax, text: str = "Inga uppgifter att visa.") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=MUTED, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def _bar_height(n: int) -> float:
    """Figure height for horizontal bars: the standard size, taller for many rows."""
    return max(FIGSIZE[1], 1.9 + 0.3 * n)


def _wrap_label(text: str, width: int = 34) -> str:
    return textwrap.fill(str(text), width=width, break_long_words=False)


# ---------------------------------------------------------------------------
# Deltagare
# ---------------------------------------------------------------------------


def _month_step(n_months: int) -> int:
    for step in (1, 2, 3, 4, 6, 12, 24):
        if n_months / step <= 10:
            return step
    return 36


def _month_ticks(months: pd.DatetimeIndex) -> list[float]:
    step = _month_step(len(months))
    chosen = [m for m in months if (m.month - 1) % step == 0] if step <= 12 else [
        m for m in months if m.month == 1 and (m.year % (step // 12)) == 0
    ]
    if not chosen:
        chosen = [months[0]]
    return [float(x) for x in mdates.date2num([m.to_pydatetime() for m in chosen])]


def active_per_month(
    series: pd.Series | ProtectedTable,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    why_hidden: Mapping[str, str] | None = None,
) -> FigureResult:
    """Aktiva deltaganden per månad, as a line over a light area.

    Parameters
    ----------
    series : Series or ProtectedTable
        Counts indexed by month (first day of each month, as
        :func:`finsam_analysis.measures.outcomes.monthly_active` returns them), already
        protected: a hidden month is ``".."`` or missing (or hidden in the
        table's mask). Hidden months are gaps in the line.
    min_cell : int, default 5
        For the note (a ProtectedTable's own ``min_cell`` wins).
    title, source : str, optional
        Override the default title and source line.
    synthetic : bool, default False
        Mark the source line as synthetic data.

    Returns
    -------
    FigureResult
    """
    index, col = _series(series)
    months = pd.DatetimeIndex(pd.to_datetime(index)).to_period("M").to_timestamp()
    order = np.argsort(months.asi8, kind="stable")
    months = months[order]
    values = col.values[order]
    not_shown = (col.hidden | col.missing)[order]
    title = title or "Aktiva deltaganden per månad"
    cell = _min_cell(series, min_cell)
    footer = ([hidden_note(cell, why_hidden)] if not_shown.any() else []) + [_source(source, SOURCE_DELTAGARE, synthetic)]

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        if len(months) == 0 or np.isnan(values).all():
            _empty(ax)
            return
        x = mdates.date2num(months.to_pydatetime())
        ax.fill_between(x, values, 0, where=~np.isnan(values), color=MAIN, alpha=0.12, linewidth=0, interpolate=False)
        ax.plot(x, values, color=MAIN, linewidth=2)
        # A shown month between two gaps would be invisible as a line: give it a dot.
        shown = ~np.isnan(values)
        prev = np.r_[False, shown[:-1]]
        nxt = np.r_[shown[1:], False]
        lonely = shown & ~prev & ~nxt
        if lonely.any():
            ax.plot(x[lonely], values[lonely], "o", color=MAIN, markersize=4)
        ax.set_xlim(x[0] - 10, x[-1] + 10)
        ax.set_ylim(0, np.nanmax(values) * 1.12 if np.nanmax(values) > 0 else 1)
        ax.xaxis.set_major_locator(FixedLocator(_month_ticks(months)))
        ax.xaxis.set_major_formatter(_month_formatter())
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.yaxis.set_major_formatter(_number_formatter())
        _value_grid(ax, "y")
        ax.set_xlabel("Månad")
        ax.set_ylabel("Aktiva deltaganden")

    fig = _build(title=title, footer=footer, draw=draw)
    alt = _alt_active(months, values, not_shown, cell, why_hidden)
    return FigureResult(fig=fig, alt=alt, title=title)


def _alt_active(months: pd.DatetimeIndex, values: np.ndarray, not_shown: np.ndarray, min_cell: int,
                why: Mapping[str, str] | None = None) -> str:
    if len(months) == 0 or np.isnan(values).all():
        return "Linjediagram över aktiva deltaganden per månad. Det finns inga värden att visa."
    parts = [
        f"Linjediagram över aktiva deltaganden per månad, {month_label(months[0])}–{month_label(months[-1])}."
    ]
    last = int(np.flatnonzero(~np.isnan(values))[-1])
    hi, lo = int(np.nanargmax(values)), int(np.nanargmin(values))
    parts.append(
        f"Senast visade månaden, {month_label(months[last])}, hade {format_number(values[last])} aktiva deltaganden; "
        f"som flest {format_number(values[hi])} ({month_label(months[hi])}) "
        f"och som färst {format_number(values[lo])} ({month_label(months[lo])})."
    )
    if not_shown.any():
        n = int(not_shown.sum())
        parts.append(f"{n} {'månad visas' if n == 1 else 'månader visas'} inte. {hidden_note(min_cell, why)}")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# Resultat vid avslut
# ---------------------------------------------------------------------------


def _share_columns(table: ProtectedTable | pd.DataFrame):
    andel = _column(table, "andel", ("andel_arbete_studier",))
    low = _column(table, "ci_low", required=False)
    high = _column(table, "ci_high", required=False)
    n = _column(table, "avslutade", ("avslutade_deltaganden", "n"), required=False)
    _check_fraction(andel.values, "Andelarna")
    for c in (low, high):
        if c is not None:
            _check_fraction(c.values, "Intervallgränserna")
    # A share over a published 0 is undefined, not hidden.
    undefined = andel.missing & (n.values == 0 if n is not None else np.zeros(len(andel.values), bool))
    hidden = ~np.isfinite(andel.values) & ~undefined
    if n is not None:
        hidden = hidden | n.hidden
    return andel, low, high, n, hidden, undefined


def _draw_outcome_shares(fig: Figure, labels, andel, with_ci, low, high, undefined, tick_labels, group_label) -> None:
    ax = fig.add_subplot()
    if len(labels) == 0:
        _empty(ax)
        return
    y = np.arange(len(labels))
    shown = np.isfinite(andel.values)
    ax.barh(y[shown], andel.values[shown], height=0.6, color=MAIN)
    if with_ci:
        ok = shown & np.isfinite(low.values) & np.isfinite(high.values)
        if ok.any():
            err = np.vstack([andel.values[ok] - low.values[ok], high.values[ok] - andel.values[ok]])
            ax.errorbar(
                andel.values[ok], y[ok], xerr=np.clip(err, 0, None), fmt="none",
                ecolor=TEXT, elinewidth=1, capsize=3, capthick=1,
            )
    for i in range(len(labels)):
        if shown[i]:
            end = andel.values[i]
            if with_ci and np.isfinite(high.values[i]):
                end = max(end, high.values[i])
            ax.text(end + 0.012, y[i], format_percent(andel.values[i], PARTICIPANT_DECIMALS),
                    va="center", ha="left", fontsize=8.5, color=TEXT)
        else:
            ax.text(0.012, y[i], "–" if undefined[i] else SUPPRESSED, va="center", ha="left",
                    fontsize=11, color=MUTED)
    ax.set_yticks(y, tick_labels)
    ax.set_ylim(len(labels) - 0.4, -0.6)  # first row at the top
    ax.set_xlim(0, 1.1)
    ax.spines["bottom"].set_bounds(0, 1)
    ax.xaxis.set_major_locator(FixedLocator(np.linspace(0, 1, 6)))
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.tick_params(axis="y", length=0)
    _value_grid(ax, "x")
    ax.set_xlabel("Andel av avslutade deltaganden som gick till arbete eller studier")
    ax.set_ylabel(group_label)


def outcome_shares(
    table: ProtectedTable | pd.DataFrame,
    ci: bool = True,
    *,
    group_label: str | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    why_hidden: Mapping[str, str] | None = None,
) -> FigureResult:
    """Andel arbete/studier per group as horizontal bars with 95 % intervals.

    Parameters
    ----------
    table : DataFrame or ProtectedTable
        One row per group (index: group codes or labels, in the order to
        show, top to bottom); columns ``andel`` (or ``andel_arbete_studier``),
        ``ci_low``, ``ci_high`` and ``avslutade`` (or
        ``avslutade_deltaganden``). Shares are fractions. Hidden rows get the
        text ``..`` instead of a bar.
    ci : bool, default True
        Draw the Wilson interval as whiskers.
    group_label : str, optional
        Axis label of the groups; by default from the index name (``kon`` →
        "Kön" …) or "Grupp".
    min_cell, title, source, synthetic
        As for :func:`active_per_month`.

    Returns
    -------
    FigureResult
    """
    index = _index(table)
    andel, low, high, n, hidden, undefined = _share_columns(table)
    labels = [_group_label(v) for v in index]
    group_label = group_label or _SPLIT_LABELS.get(str(index.name), None) or "Grupp"
    title = title or f"Andel som gick till arbete eller studier, efter {group_label.lower()}"
    cell = _min_cell(table, min_cell)
    with_ci = ci and low is not None and high is not None
    footer = []
    if with_ci:
        footer.append("Strecken visar 95 % konfidensintervall (Wilson). n = antal avslutade deltaganden.")
    else:
        footer.append("n = antal avslutade deltaganden.")
    if hidden.any():
        footer.append(hidden_note(cell, why_hidden))
    footer.append(_source(source, SOURCE_DELTAGARE, synthetic))

    def n_text(i: int) -> str:
        if n is None:
            return ""
        return f" (n = {SUPPRESSED if np.isnan(n.values[i]) else format_number(n.values[i])})"

    tick_labels = [_wrap_label(labels[i]) + n_text(i) for i in range(len(labels))]

    def draw(fig: Figure) -> None:
        _draw_outcome_shares(fig, labels, andel, with_ci, low, high, undefined, tick_labels, group_label)

    fig = _build(title=title, footer=footer, draw=draw, height=_bar_height(len(labels)))
    alt = _alt_shares(labels, andel, low if with_ci else None, high if with_ci else None, n, hidden, undefined,
                      cell, why_hidden,
                      group_label)
    return FigureResult(fig=fig, alt=alt, title=title)


def _alt_shares(labels, andel, low, high, n, hidden, undefined, min_cell, why, group_label) -> str:
    intro = (
        f"Liggande stapeldiagram över andelen avslutade deltaganden som gick till arbete eller studier, "
        f"efter {group_label.lower()}."
    )
    items = []
    for i, lab in enumerate(labels):
        if hidden[i]:
            items.append(f"{lab}: visas inte")
        elif undefined[i]:
            items.append(f"{lab}: inga avslutade")
        else:
            text = f"{lab} {format_percent(andel.values[i], PARTICIPANT_DECIMALS)}"
            extra = []
            if low is not None and np.isfinite(low.values[i]) and np.isfinite(high.values[i]):
                extra.append(
                    "95 % konfidensintervall "
                    + format_interval(low.values[i], high.values[i], PARTICIPANT_DECIMALS)
                )
            if n is not None and np.isfinite(n.values[i]):
                extra.append(f"n = {format_number(n.values[i])}")
            items.append(text + (f" ({', '.join(extra)})" if extra else ""))
    text = intro + (" " + "; ".join(items) + "." if items else " Det finns inga grupper att visa.")
    if hidden.any():
        text += " " + hidden_note(min_cell, why)
    return text


def _draw_outcome_trend(fig: Figure, years, has_band, lo, hi, a, und) -> None:
    ax = fig.add_subplot()
    if not years:
        _empty(ax)
        return
    x = np.array(years, dtype=float)
    if has_band:
        band = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(a)
        ax.fill_between(x, lo, hi, where=band, color=MAIN, alpha=0.15, linewidth=0, interpolate=False)
        # A single year between gaps: show its interval as a whisker.
        prev, nxt = np.r_[False, band[:-1]], np.r_[band[1:], False]
        lonely = band & ~prev & ~nxt
        if lonely.any():
            ax.errorbar(x[lonely], a[lonely], yerr=[a[lonely] - lo[lonely], hi[lonely] - a[lonely]],
                        fmt="none", ecolor=MAIN, elinewidth=1.2, capsize=4, capthick=1.2)
    ax.plot(x, a, color=MAIN, linewidth=2, marker="o", markersize=5)
    for i, year in enumerate(years):
        if np.isfinite(a[i]):
            # Above the interval, so the label never sits on the band or a whisker.
            top = hi[i] if (has_band and np.isfinite(hi[i])) else a[i]
            ax.annotate(format_percent(a[i], PARTICIPANT_DECIMALS), (year, top), xytext=(0, 5),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8.5, color=TEXT)
        else:
            ax.text(year, 0.03, "–" if und[i] else SUPPRESSED, ha="center", va="bottom", color=MUTED,
                    fontsize=11)
    ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_locator(FixedLocator(x))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, pos: str(int(round(v)))))
    ax.yaxis.set_major_locator(MultipleLocator(0.2))
    ax.yaxis.set_major_formatter(_percent_formatter())
    _value_grid(ax, "y")
    ax.set_xlabel("År (avslutsår)")
    ax.set_ylabel("Andel arbete eller studier")


def outcome_trend(
    by_year: ProtectedTable | pd.DataFrame,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    why_hidden: Mapping[str, str] | None = None,
) -> FigureResult:
    """Andel arbete/studier per year, as a line with its 95 % interval as a band.

    Parameters
    ----------
    by_year : DataFrame or ProtectedTable
        Indexed by year (int, or a label that begins with the year, as the
        report's ``"2025 (t.o.m. 31 augusti)"`` for a part of a year);
        columns as for :func:`outcome_shares` (``andel``, ``ci_low``,
        ``ci_high``, optionally ``avslutade``). Hidden years are gaps marked
        ``..``.
    min_cell, title, source, synthetic
        As for :func:`active_per_month`.
    """
    index = _index(by_year)
    years = [int(re.match(r"\s*(\d{4})", str(y)).group(1)) for y in index]
    andel, low, high, n, hidden, undefined = _share_columns(by_year)
    order = np.argsort(years, kind="stable")
    years = [years[i] for i in order]
    a = andel.values[order]
    lo = low.values[order] if low is not None else np.full(len(a), np.nan)
    hi = high.values[order] if high is not None else np.full(len(a), np.nan)
    nv = n.values[order] if n is not None else np.full(len(a), np.nan)
    hid, und = hidden[order], undefined[order]
    title = title or "Andel som gick till arbete eller studier, per år"
    cell = _min_cell(by_year, min_cell)
    has_band = bool(np.isfinite(lo).any() and np.isfinite(hi).any())
    footer = []
    if has_band:
        footer.append("Det skuggade bandet visar 95 % konfidensintervall (Wilson).")
    if hid.any():
        footer.append(hidden_note(cell, why_hidden))
    footer.append(_source(source, SOURCE_DELTAGARE, synthetic))

    def draw(fig: Figure) -> None:
        _draw_outcome_trend(fig, years, has_band, lo, hi, a, und)

    fig = _build(title=title, footer=footer, draw=draw)
    if not years:
        alt = "Linjediagram över andelen som gick till arbete eller studier per år. Det finns inga värden att visa."
    else:
        items = []
        for i, year in enumerate(years):
            if hid[i]:
                items.append(f"{year} visas inte")
            elif und[i]:
                items.append(f"{year} inga avslutade")
            else:
                s = f"{year} {format_percent(a[i], PARTICIPANT_DECIMALS)}"
                if np.isfinite(lo[i]) and np.isfinite(hi[i]):
                    s += f" (95 % konfidensintervall {format_interval(lo[i], hi[i], PARTICIPANT_DECIMALS)}"
                    s += f", n = {format_number(nv[i])})" if np.isfinite(nv[i]) else ")"
                items.append(s)
        alt = (
            f"Linjediagram över andelen avslutade deltaganden som gick till arbete eller studier, "
            f"{years[0]}–{years[-1]}: " + "; ".join(items) + "."
        )
        if hid.any():
            alt += " " + hidden_note(cell, why_hidden)
    return FigureResult(fig=fig, alt=alt, title=title)


# ---------------------------------------------------------------------------
# Försörjning före och efter
# ---------------------------------------------------------------------------


def _draw_transition_heatmap(
    fig: Figure, values, inner, not_shown, n_rows, n_cols, total_col, total_row, col_labels, row_labels
) -> None:
    ax = fig.add_subplot()
    if values.size == 0:
        _empty(ax)
        return
    colour_values = np.where(inner & ~not_shown, values, np.nan)
    vmax = np.nanmax(colour_values) if np.isfinite(colour_values).any() else 1.0
    vmax = max(vmax, 1.0)
    cmap = matplotlib.colormaps[HEATMAP_CMAP].with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(colour_values), cmap=cmap, vmin=0, vmax=vmax, aspect="auto",
              interpolation="nearest")
    for i in range(n_rows):
        for j in range(n_cols):
            if not_shown[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=HIDDEN_FILL,
                                                          edgecolor="none"))
                ax.text(j, i, SUPPRESSED, ha="center", va="center", color=MUTED, fontsize=9)
                continue
            v = values[i, j]
            is_inner = inner[i, j]
            if not is_inner:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#F7F7F7",
                                                          edgecolor="none"))
            dark = is_inner and v / vmax > 0.55
            ax.text(j, i, format_number(v), ha="center", va="center", fontsize=9,
                    color="white" if dark else TEXT, fontweight="normal" if is_inner else "bold")
    # Thin white lines between cells; a darker line before totals.
    for j in range(n_cols + 1):
        ax.axvline(j - 0.5, color="white", linewidth=1.5)
    for i in range(n_rows + 1):
        ax.axhline(i - 0.5, color="white", linewidth=1.5)
    for j in np.flatnonzero(total_col):
        ax.axvline(j - 0.5, color="#BBBBBB", linewidth=1)
    for i in np.flatnonzero(total_row):
        ax.axhline(i - 0.5, color="#BBBBBB", linewidth=1)
    ax.set_xticks(range(n_cols), [_wrap_label(c, 13) for c in col_labels])
    ax.set_yticks(range(n_rows), row_labels)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(length=0)
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("Försörjning efter insatsen", labelpad=6)
    ax.set_ylabel("Försörjning före insatsen")


def transition_heatmap(
    counts: ProtectedTable | pd.DataFrame,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    why_hidden: Mapping[str, str] | None = None,
) -> FigureResult:
    """Försörjningsgrupp före (rows) × efter (columns) as a heatmap with counts.

    Parameters
    ----------
    counts : DataFrame or ProtectedTable
        Counts of avslutade deltaganden, rows = group before, columns = group
        after, as :func:`finsam_analysis.measures.outcomes.forsorjning_transition`
        gives them, after disclosure control. Group codes get their Swedish
        labels. Total rows/columns (``Totalt``) are written but not coloured.
        Hidden cells are grey with ``..``.
    min_cell, title, source, synthetic
        As for :func:`active_per_month`.
    """
    frame = counts.values if isinstance(counts, ProtectedTable) else counts
    cols = [_column(counts, c) for c in frame.columns]
    n_rows, n_cols = frame.shape
    values = np.column_stack([c.values for c in cols]) if cols else np.zeros((n_rows, 0))
    not_shown = np.column_stack([c.hidden | c.missing for c in cols]) if cols else np.zeros((n_rows, 0), bool)
    row_labels = [_group_label(v) for v in frame.index]
    col_labels = [_group_label(v) for v in frame.columns]
    total_row = np.array([_is_total(v) for v in frame.index], dtype=bool)
    total_col = np.array([_is_total(v) for v in frame.columns], dtype=bool)
    inner = ~total_row[:, None] & ~total_col[None, :]
    title = title or "Försörjning före och efter insatsen"
    cell = _min_cell(counts, min_cell)
    footer = [
        "Antal avslutade deltaganden efter huvudsaklig försörjning före (rader) och efter (kolumner) insatsen."
    ]
    if not_shown.any():
        footer.append(hidden_note(cell, why_hidden))
    footer.append(_source(source, SOURCE_DELTAGARE, synthetic))

    def draw(fig: Figure) -> None:
        _draw_transition_heatmap(fig, values, inner, not_shown, n_rows, n_cols, total_col, total_row, col_labels, row_labels)

    height = max(FIGSIZE[1], 2.4 + 0.36 * n_rows)
    fig = _build(title=title, footer=footer, draw=draw, height=height)
    alt = _alt_heatmap(values, not_shown, inner, total_row, total_col, row_labels, col_labels, cell, why_hidden)
    return FigureResult(fig=fig, alt=alt, title=title)


def _alt_heatmap(values, not_shown, inner, total_row, total_col, row_labels, col_labels, min_cell, why: Mapping[str, str] | None = None) -> str:
    text = (
        "Värmekarta över avslutade deltaganden efter huvudsaklig försörjning före insatsen (rader) "
        "och efter insatsen (kolumner); varje ruta visar antalet."
    )
    if values.size == 0:
        return text + " Det finns inga värden att visa."
    grand = None
    if total_row.any() and total_col.any():
        i, j = np.flatnonzero(total_row)[0], np.flatnonzero(total_col)[0]
        grand = None if not_shown[i, j] else values[i, j]
    elif not not_shown[inner].any():
        grand = float(np.nansum(values[inner]))
    if grand is not None:
        text += f" Totalt {format_number(grand)} deltaganden."
    shown = np.argwhere(inner & ~not_shown & (np.nan_to_num(values) > 0))
    ranked = sorted(shown.tolist(), key=lambda ij: (-values[ij[0], ij[1]], ij[0], ij[1]))[:3]
    if ranked:
        items = [
            f"{row_labels[i]} före och {col_labels[j].lower() if col_labels[j] != row_labels[i] else 'samma'} "
            f"efter ({format_number(values[i, j])})"
            for i, j in ranked
        ]
        text += " Vanligast: " + _join(items) + "."
    diag = [
        (i, j) for i in range(len(row_labels)) for j in range(len(col_labels))
        if inner[i, j] and row_labels[i] == col_labels[j]
    ]
    if grand and diag and not any(not_shown[i, j] for i, j in diag):
        same = sum(values[i, j] for i, j in diag)
        text += f" {format_percent(same / grand, PARTICIPANT_DECIMALS)} hade samma försörjning före och efter."
    n_hidden = int(not_shown.sum())
    if n_hidden:
        text += f" {n_hidden} {'ruta visas' if n_hidden == 1 else 'rutor visas'} inte: {hidden_note(min_cell, why)}"
    return text


def offentlig_forsorjning_before_after(
    fore: float | None,
    efter: float | None,
    *,
    n: int | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    why_hidden: Mapping[str, str] | None = None,
) -> FigureResult:
    """Andel with offentlig försörjning before and after: two bars.

    Parameters
    ----------
    fore, efter : float or None
        Shares (fractions) of avslutade deltaganden with offentlig
        försörjning before and after, as in the protected key figures; None,
        NaN or ``".."`` is a hidden value (no bar, ``..``).
    n : int, optional
        Number of avslutade deltaganden (the denominator), for the note.
    min_cell, title, source, synthetic
        As for :func:`active_per_month`.
    """
    frame = pd.DataFrame({"andel": [fore, efter]}, index=["Före insatsen", "Efter insatsen"])
    col = _column(frame, "andel")
    _check_fraction(col.values, "Andelarna")
    hidden = ~np.isfinite(col.values)
    title = title or "Andel med offentlig försörjning före och efter insatsen"
    footer = [
        "Offentlig försörjning: ersättning vid ohälsa, arbetsmarknadsersättning eller ekonomiskt bistånd"
        + (f"; n = {format_number(n)} avslutade deltaganden." if n is not None and not _is_missing(n) else ".")
    ]
    if hidden.any():
        footer.append(hidden_note(min_cell, why_hidden))
    footer.append(_source(source, SOURCE_DELTAGARE, synthetic))

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        x = np.arange(2)
        colours = [NEUTRAL, MAIN]
        for i in range(2):
            if hidden[i]:
                ax.text(x[i], 0.02, SUPPRESSED, ha="center", va="bottom", color=MUTED, fontsize=11)
                continue
            ax.bar(x[i], col.values[i], width=0.5, color=colours[i])
            ax.text(x[i], col.values[i] + 0.02, format_percent(col.values[i], PARTICIPANT_DECIMALS),
                    ha="center", va="bottom", fontsize=10, color=TEXT)
        ax.set_xticks(x, list(frame.index))
        ax.set_xlim(-0.7, 1.7)
        ax.set_ylim(0, 1.08)
        ax.spines["left"].set_bounds(0, 1)
        ax.yaxis.set_major_locator(FixedLocator(np.linspace(0, 1, 6)))
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.tick_params(axis="x", length=0)
        _value_grid(ax, "y")
        ax.set_xlabel("Tidpunkt")
        ax.set_ylabel("Andel av avslutade deltaganden")

    fig = _build(title=title, footer=footer, draw=draw)
    if hidden.all():
        alt = "Stapeldiagram över andelen med offentlig försörjning före och efter insatsen; värdena visas inte eftersom de bygger på för få personer."
    else:
        f_txt = "visas inte" if hidden[0] else format_percent(col.values[0], PARTICIPANT_DECIMALS)
        e_txt = "visas inte" if hidden[1] else format_percent(col.values[1], PARTICIPANT_DECIMALS)
        alt = (
            "Stapeldiagram över andelen avslutade deltaganden med offentlig försörjning: "
            f"före insatsen {f_txt}, efter insatsen {e_txt}"
            + (f" (n = {format_number(n)})." if n is not None and not _is_missing(n) else ".")
        )
        if not hidden.any():
            diff = (col.values[1] - col.values[0]) * 100
            if round(diff) != 0:
                word = "lägre" if diff < 0 else "högre"
                alt += f" Efter insatsen är andelen {format_number(abs(diff))} procentenheter {word}."
    return FigureResult(fig=fig, alt=alt, title=title)


# ---------------------------------------------------------------------------
# Försörjningsformer i befolkningen (public SCB figures: never suppressed)
# ---------------------------------------------------------------------------


def _partial_years(yearly: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """(partial flags, months with data or None) of a yearly frame."""
    months = None
    if "manader" in yearly.columns:
        months = pd.to_numeric(yearly["manader"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if "partiellt" in yearly.columns:
        partial = yearly["partiellt"].astype(object).fillna(False).astype(bool).to_numpy()
    elif months is not None:
        partial = np.nan_to_num(months, nan=12) < 12
    else:
        partial = np.zeros(len(yearly), dtype=bool)
    return partial, months


def _partial_note(years: Sequence[int], partial: np.ndarray, months: np.ndarray | None) -> str:
    items = []
    for year, p, m in zip(years, partial, months if months is not None else [np.nan] * len(years)):
        if p:
            items.append(f"{year} ({format_number(m)} av 12 månader)" if np.isfinite(m) else str(year))
    return "* Ofullständigt år: medelvärde av de månader som finns, " + _join(items) + "."


def _draw_helarsekvivalenter_by_ersattning(fig: Figure, years, present, values, tick_labels) -> None:
    ax = fig.add_subplot()
    if not years:
        _empty(ax)
        return
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    for k, code in enumerate(present):
        v = np.nan_to_num(values[code], nan=0.0)
        ax.bar(x, v, bottom=bottom, width=0.7, color=PALETTE[k % len(PALETTE)], label=schema.ERSATTNING[code],
               edgecolor="white", linewidth=0.5)
        bottom = bottom + v
    ax.set_xticks(x, tick_labels)
    ax.set_xlim(-0.6, len(years) - 0.4)
    ax.set_ylim(0, bottom.max() * 1.05 if bottom.max() > 0 else 1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(_number_formatter())
    ax.tick_params(axis="x", length=0)
    _value_grid(ax, "y")
    ax.set_xlabel("År")
    ax.set_ylabel("Helårsekvivalenter")
    handles, labels = ax.get_legend_handles_labels()
    # Legend right of the axes, in stacking order: the top segment first.
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Ersättning",
              title_fontsize=8.5, alignment="left")


def helarsekvivalenter_by_ersattning(
    yearly: pd.DataFrame,
    *,
    area: str = "medlemskommunerna",
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> FigureResult:
    """Helårsekvivalenter per ersättning and year, as stacked bars.

    Parameters
    ----------
    yearly : DataFrame
        Indexed by year (``ar``), one column per ersättning code of
        :data:`finsam_analysis.schema.ERSATTNING` (the six; ``summa`` is not
        stacked), as :func:`finsam_analysis.scb.population.yearly` gives
        them; optional ``partiellt`` (bool) and ``manader``. Partial years are
        marked ``2025*`` with a note.
    area : str, default "medlemskommunerna"
        What the numbers cover, for the title ("… i {area}").
    title, source, synthetic
        As for :func:`active_per_month`; the default source is SCB.
    """
    codes = [c for c in schema.ERSATTNING if c != "summa"]
    present = [c for c in codes if c in yearly.columns]
    if yearly.shape[0] and not present:
        raise ValueError(f"Tabellen saknar ersättningskolumner ({', '.join(codes)}).")
    years = [int(y) for y in yearly.index]
    order = np.argsort(years, kind="stable")
    data = yearly.iloc[order]
    years = [years[i] for i in order]
    values = {c: pd.to_numeric(data[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) for c in present}
    partial, months = _partial_years(data)
    title = title or f"Helårsekvivalenter per ersättning i {area}, 20–64 år"
    footer = ["Helårsekvivalenter: årsmedelvärde av månadsvärden. En helårsekvivalent är en person som "
              "försörjs helt av ersättningen ett helt år."]
    if partial.any():
        footer.append(_partial_note(years, partial, months))
    footer.append(_source(source, SOURCE_SCB, synthetic))
    tick_labels = [f"{y}*" if p else str(y) for y, p in zip(years, partial)]

    def draw(fig: Figure) -> None:
        _draw_helarsekvivalenter_by_ersattning(fig, years, present, values, tick_labels)

    fig = _build(title=title, footer=footer, draw=draw)
    if not years:
        alt = f"Staplat stapeldiagram över helårsekvivalenter per ersättning i {area}. Det finns inga värden att visa."
    else:
        last = len(years) - 1
        totals = {c: values[c][last] for c in present if np.isfinite(values[c][last])}
        total = sum(totals.values())
        ranked = sorted(totals.items(), key=lambda kv: -kv[1])
        parts = [f"{schema.ERSATTNING[c].lower()} {format_number(v)}" for c, v in ranked]
        first_total = sum(np.nan_to_num(values[c][0]) for c in present)
        alt = (
            f"Staplat stapeldiagram över helårsekvivalenter per ersättning i {area}, 20–64 år, "
            f"{years[0]}–{years[-1]}. "
            f"{years[last]}{' (ofullständigt år)' if partial[last] else ''}: totalt {format_number(total)} "
            f"helårsekvivalenter, varav {_join(parts)}."
        )
        if len(years) > 1:
            alt += f" {years[0]}{' (ofullständigt år)' if partial[0] else ''} var summan {format_number(first_total)}."
    return FigureResult(fig=fig, alt=alt, title=title)


def _share_series(s: pd.Series, what: str) -> pd.Series:
    values, _ = _numeric(s)
    _check_fraction(values, what)
    return pd.Series(values, index=s.index)


def _time_axis(index: pd.Index) -> tuple[str, np.ndarray]:
    """("year" or "month", x positions)."""
    if isinstance(index, pd.DatetimeIndex):
        return "month", mdates.date2num(index.to_pydatetime())
    return "year", np.asarray([int(v) for v in index], dtype=float)


def share_against_riket(
    forbund: pd.Series,
    riket: pd.Series,
    *,
    forbund_label: str = "Förbundets medlemskommuner",
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> FigureResult:
    """Andel of the population 20–64 supported by ersättningar: förbund vs riket.

    Parameters
    ----------
    forbund, riket : Series
        Shares (fractions), indexed by year (int) or by month (DatetimeIndex),
        e.g. ``forsorjningsformer.yearly(...)["andel"]``. Drawn in percent.
    forbund_label : str
        Legend text of the förbund's line (e.g. its name).
    title, source, synthetic
        As for :func:`active_per_month`; the default source is SCB.
    """
    f = _share_series(forbund, "Förbundets andelar")
    r = _share_series(riket, "Rikets andelar")
    index = f.index.union(r.index).sort_values() if len(f) or len(r) else f.index
    f, r = f.reindex(index), r.reindex(index)
    title = title or "Andel av befolkningen 20–64 år som försörjs med ersättningar och bidrag"
    footer = [
        "Andel = helårsekvivalenter / folkmängd 20–64 år (årsmedelvärden).",
        _source(source, SOURCE_SCB, synthetic),
    ]
    kind, x = _time_axis(index) if len(index) else ("year", np.array([]))

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        if len(index) == 0 or (f.isna().all() and r.isna().all()):
            _empty(ax)
            return
        ax.plot(x, r.to_numpy(), color=COMPARISON, linewidth=2, linestyle="--", marker="s", markersize=4,
                label="Riket")
        ax.plot(x, f.to_numpy(), color=MAIN, linewidth=2.2, marker="o", markersize=4.5, label=forbund_label)
        top = np.nanmax(np.r_[f.to_numpy(), r.to_numpy()])
        ax.set_ylim(0, max(top * 1.2, 0.01))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(_percent_formatter())
        if kind == "month":
            ax.xaxis.set_major_locator(FixedLocator(_month_ticks(index)))
            ax.xaxis.set_major_formatter(_month_formatter())
            ax.set_xlabel("Månad")
            pad = 10
        else:
            step = max(1, math.ceil(len(x) / 12))
            ax.xaxis.set_major_locator(FixedLocator(x[::step]))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, pos: str(int(round(v)))))
            ax.set_xlabel("År")
            pad = 0.4
        ax.set_xlim(x[0] - pad, x[-1] + pad)
        _value_grid(ax, "y")
        ax.set_ylabel("Andel av befolkningen 20–64 år")
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="lower left", ncols=2)

    fig = _build(title=title, footer=footer, draw=draw)
    alt = "Linjediagram över andelen av befolkningen 20–64 år som försörjs med ersättningar och bidrag"
    both = f.notna() & r.notna()
    if not both.any():
        alt += ". Det finns inga jämförbara värden att visa."
    else:
        label = (lambda v: month_label(v)) if kind == "month" else (lambda v: str(int(v)))
        first, last = index[np.flatnonzero(both.to_numpy())[0]], index[np.flatnonzero(both.to_numpy())[-1]]
        alt += f", {label(index[0])}–{label(index[-1])}, i två linjer: {forbund_label} och riket."
        alt += (
            f" {label(last)}: {format_percent(f[last], POPULATION_DECIMALS)} mot "
            f"{format_percent(r[last], POPULATION_DECIMALS)} i riket."
        )
        if first != last:
            alt += (
                f" {label(first)}: {format_percent(f[first], POPULATION_DECIMALS)} mot "
                f"{format_percent(r[first], POPULATION_DECIMALS)}."
            )
    return FigureResult(fig=fig, alt=alt, title=title)


def _draw_share_per_kommun(fig: Figure, names, values, riket) -> None:
    ax = fig.add_subplot()
    if not names:
        _empty(ax)
        return
    y = np.arange(len(names))
    shown = np.isfinite(values)
    ax.barh(y[shown], values[shown], height=0.6, color=MAIN)
    for i in range(len(names)):
        if shown[i]:
            ax.text(values[i] + 0.002, y[i], format_percent(values[i], POPULATION_DECIMALS), va="center",
                    ha="left", fontsize=8.5, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})
        else:
            ax.text(0.002, y[i], "–", va="center", ha="left", color=MUTED)
    top = np.nanmax(np.r_[values[shown], [riket] if riket is not None else []]) if shown.any() or riket else 0.1
    ax.set_xlim(0, max(top * 1.18, 0.01))
    if riket is not None:
        ax.axvline(riket, color=COMPARISON, linestyle="--", linewidth=1.8, label="Riket")
        ax.annotate(f"Riket {format_percent(riket, POPULATION_DECIMALS)}", (riket, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, 2), textcoords="offset points",
                    ha="left", va="bottom", fontsize=8.5, color="#8A5A00")
    ax.set_yticks(y, names)
    ax.set_ylim(len(names) - 0.4, -0.6)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.tick_params(axis="y", length=0)
    _value_grid(ax, "x")
    ax.set_xlabel("Andel av befolkningen 20–64 år")
    ax.set_ylabel("Kommun")


def _one_year(frame: pd.DataFrame, year: int | None):
    """The rows of ``year`` (default the latest) of a long table; (frame, year, partial, months)."""
    partial_year, months_year = False, np.nan
    if "ar" in frame.columns and len(frame):
        years = pd.to_numeric(frame["ar"], errors="coerce")
        year = int(years.max()) if year is None else int(year)
        frame = frame.loc[(years == year).to_numpy()]
        partial, months = _partial_years(frame)
        partial_year = bool(partial.any())
        if months is not None and len(months):
            months_year = np.nanmin(months)
    return frame, year, partial_year, months_year


def _without_riket(frame: pd.DataFrame, riket: float | None):
    """The kommun rows, and riket's share from its row unless given."""
    if "kommunkod" in frame.columns:
        codes = frame["kommunkod"].astype(object).astype(str)
        is_riket = (codes == schema.RIKET).to_numpy()
        if riket is None and is_riket.any():
            riket = float(pd.to_numeric(frame.loc[is_riket, "andel"], errors="coerce").iloc[0])
        frame = frame.loc[~is_riket]
    return frame, riket


def _kommun_names(frame: pd.DataFrame) -> list[str]:
    if "kommun" in frame.columns:
        return [str(v) for v in frame["kommun"]]
    if "kommunkod" in frame.columns:
        return [_group_label(v) for v in frame["kommunkod"].astype(object).astype(str)]
    return [_group_label(v) for v in frame.index]


def share_per_kommun(
    per_kommun: pd.DataFrame,
    *,
    riket: float | None = None,
    year: int | None = None,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> FigureResult:
    """Andel of the population 20–64 per member kommun, with riket as a reference line.

    Parameters
    ----------
    per_kommun : DataFrame
        Columns ``andel`` (fraction) and ``kommun`` (name) or ``kommunkod``
        (named from the reference table), else the index is the label. With
        an ``ar`` column (as from
        :func:`finsam_analysis.scb.population.per_kommun_yearly`) one year
        is drawn: ``year``, by default the latest. A row with kommunkod
        ``"00"`` is riket, unless ``riket`` is given. Bars are sorted, largest
        at the top.
    riket : float, optional
        Riket's share (fraction) for the reference line.
    year : int, optional
        The year to draw from a long table.
    title, source, synthetic
        As for :func:`active_per_month`; the default source is SCB.
    """
    frame, year, partial_year, months_year = _one_year(per_kommun.copy(), year)
    frame, riket = _without_riket(frame, riket)
    names = _kommun_names(frame)
    values, _ = _numeric(frame["andel"]) if "andel" in frame.columns else (np.array([]), None)
    if "andel" not in frame.columns and len(frame):
        raise ValueError("Tabellen saknar kolumnen 'andel'.")
    _check_fraction(values, "Andelarna")
    if riket is not None and not _is_missing(riket):
        _check_fraction(np.array([float(riket)]), "Rikets andel")
    else:
        riket = None
    order = sorted(range(len(names)), key=lambda i: (-np.nan_to_num(values[i], nan=-1), names[i]))
    names = [names[i] for i in order]
    values = values[order] if len(values) else values
    year_text = f"{year}{'*' if partial_year else ''}" if year is not None else ""
    title = title or ("Andel av befolkningen 20–64 år som försörjs med ersättningar och bidrag, per kommun"
                      + (f", {year_text}" if year_text else ""))
    footer = ["Andel = helårsekvivalenter / folkmängd 20–64 år (årsmedelvärden)."]
    if partial_year:
        footer.append(
            "* Ofullständigt år: medelvärde av de månader som finns"
            + (f" ({format_number(months_year)} av 12)." if np.isfinite(months_year) else ".")
        )
    footer.append(_source(source, SOURCE_SCB, synthetic))

    def draw(fig: Figure) -> None:
        _draw_share_per_kommun(fig, names, values, riket)

    fig = _build(title=title, footer=footer, draw=draw, height=_bar_height(len(names)))
    if not names:
        alt = "Liggande stapeldiagram över andelen per kommun. Det finns inga värden att visa."
    else:
        items = [
            f"{name} {format_percent(v, POPULATION_DECIMALS) if np.isfinite(v) else 'saknas'}"
            for name, v in zip(names, values)
        ]
        alt = (
            "Liggande stapeldiagram över andelen av befolkningen 20–64 år som försörjs med ersättningar och "
            f"bidrag per medlemskommun{f', {year}' if year is not None else ''}"
            f"{' (ofullständigt år)' if partial_year else ''}: " + "; ".join(items) + "."
        )
        if riket is not None:
            alt += f" Riket: {format_percent(riket, POPULATION_DECIMALS)}."
    return FigureResult(fig=fig, alt=alt, title=title)


# ---------------------------------------------------------------------------
# Insatser och mål
# ---------------------------------------------------------------------------


def _draw_insatser_against_targets(fig: Figure, names, hidden, aktiva, has_target, targets) -> None:
    ax = fig.add_subplot()
    if not names:
        _empty(ax)
        return
    y = np.arange(len(names))
    shown = ~hidden
    ax.barh(y[shown], aktiva.values[shown], height=0.6, color=MAIN, label="Aktiva deltagare")
    if has_target.any():
        ax.plot(targets[has_target], y[has_target], linestyle="none", marker="|", markersize=20,
                markeredgewidth=3, color=PALETTE[3], label="Mål per år")
    xmax = np.nanmax(np.r_[aktiva.values[shown], targets[has_target], [1]])
    for i in range(len(names)):
        if shown[i]:
            ax.text(aktiva.values[i] + xmax * 0.012, y[i] + 0.02, format_number(aktiva.values[i]),
                    va="center", ha="left", fontsize=8.5)
        else:
            ax.text(xmax * 0.012, y[i], SUPPRESSED, va="center", ha="left", color=MUTED, fontsize=11)
    ax.set_yticks(y, [_wrap_label(n, 28) for n in names])
    ax.set_ylim(len(names) - 0.4, -0.6)
    ax.set_xlim(0, xmax * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.xaxis.set_major_formatter(_number_formatter())
    ax.tick_params(axis="y", length=0)
    _value_grid(ax, "x")
    ax.set_xlabel("Antal deltagare")
    ax.set_ylabel("Insats")
    if has_target.any():
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, borderaxespad=0.3, markerscale=0.6)


def insatser_against_targets(
    table: ProtectedTable | pd.DataFrame,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    why_hidden: Mapping[str, str] | None = None,
) -> FigureResult:
    """Aktiva deltagare per insats as bars, the yearly target as a marker.

    Parameters
    ----------
    table : DataFrame or ProtectedTable
        One row per insats, as :func:`finsam_analysis.measures.outcomes.insatser_mot_mal`
        gives it after disclosure control: ``aktiva_deltagare`` (hidden:
        ``".."``/missing) and ``mal_deltagare_per_ar`` (a target; missing =
        no target); the label is ``namn`` if present, else the index.
    min_cell, title, source, synthetic
        As for :func:`active_per_month`.
    """
    frame = table.values if isinstance(table, ProtectedTable) else table
    aktiva = _column(table, "aktiva_deltagare", ("aktiva",))
    mal = _column(table, "mal_deltagare_per_ar", ("mal",), required=False)
    names = [str(v) for v in frame["namn"]] if "namn" in frame.columns else [_group_label(v) for v in frame.index]
    hidden = ~np.isfinite(aktiva.values)
    targets = mal.values if mal is not None else np.full(len(names), np.nan)
    has_target = np.isfinite(targets)
    title = title or "Aktiva deltagare per insats mot målet"
    cell = _min_cell(table, min_cell)
    footer = []
    if has_target.any():
        footer.append("Målet är antal deltagare per år enligt insatsens beslut.")
    elif names:
        footer.append("Det finns inga mål att jämföra med för perioden (målen gäller helår).")
    if hidden.any():
        footer.append(hidden_note(cell, why_hidden))
    footer.append(_source(source, SOURCE_INSATSER, synthetic))

    def draw(fig: Figure) -> None:
        _draw_insatser_against_targets(fig, names, hidden, aktiva, has_target, targets)

    fig = _build(title=title, footer=footer, draw=draw, height=_bar_height(len(names)))
    if not names:
        alt = "Liggande stapeldiagram över aktiva deltagare per insats. Det finns inga insatser att visa."
    else:
        items = []
        for i, name in enumerate(names):
            s = f"{name} {'visas inte' if hidden[i] else format_number(aktiva.values[i])}"
            if has_target[i]:
                s += f" (mål {format_number(targets[i])})"
            items.append(s)
        alt = "Liggande stapeldiagram över aktiva deltagare per insats" + (
            " med målet per år som markering" if has_target.any() else ""
        ) + ": " + "; ".join(items) + "."
        if hidden.any():
            alt += " " + hidden_note(cell, why_hidden)
    return FigureResult(fig=fig, alt=alt, title=title)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def figure_to_png_bytes(fig: Figure | FigureResult, dpi: int = PNG_DPI, *, as_built: bool = False) -> bytes:
    """The figure as PNG bytes (no timestamp or version in the metadata).

    Parameters
    ----------
    fig : Figure or FigureResult
    dpi : int
        Resolution; the figures are built (and laid out) at :data:`PNG_DPI`.
    as_built : bool
        The caller promises the figure is unchanged since a builder here
        returned it. It is then drawn once, with the layout the builder made,
        instead of matplotlib's layout pass plus a second draw before every
        save (about a quarter of the PNG time). Leave it False for
        a figure you have changed: it is then laid out again.
    """
    if isinstance(fig, FigureResult):
        fig = fig.fig
    buffer = io.BytesIO()
    engine = fig.get_layout_engine()
    reuse = as_built and isinstance(engine, ConstrainedLayoutEngine) and fig.dpi == dpi
    # The two layout settings off: set_layout_engine(None) would otherwise
    # follow a user's rcParams and put a tight or constrained engine back.
    with matplotlib.rc_context({**STYLE, "figure.autolayout": False, "figure.constrained_layout.use": False}):
        if reuse:
            # No engine at all: savefig then skips its layout pass (a "none"
            # placeholder engine would still cost a draw without output).
            fig.set_layout_engine(None)
        try:
            fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        finally:
            if reuse:
                fig.set_layout_engine(engine)
    return buffer.getvalue()


def close(fig: Figure | FigureResult) -> None:
    """Free a figure's artists (the figures here never belong to pyplot)."""
    if isinstance(fig, FigureResult):
        fig = fig.fig
    fig.clear()


def warm_up() -> None:
    """Draw one small figure, so fonts and text caches are loaded.

    The report batch calls this before forking a child per förbund: the
    children then share what was loaded instead of each loading it again.
    """
    fig = _build(title="Förbund", footer=["Källa: –"], draw=lambda f: f.add_subplot().bar(["a", "b"], [1, 2]))
    figure_to_png_bytes(fig)
    close(fig)
