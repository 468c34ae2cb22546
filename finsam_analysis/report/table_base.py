"""The report's table: what a section shows, with its kinds, notes and hidden cells.

:class:`ReportTable` and the helpers that make one (:func:`make`,
:func:`placeholder`, :func:`with_reasons`) are shared by every module that
builds report tables (:mod:`.tables`, :mod:`.tables_ekonomi`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finsam_analysis.disclosure.rules import SUPPRESSED, footnote
from finsam_analysis.disclosure.tables import ProtectedTable
from finsam_analysis.fmt import NOT_AVAILABLE, fmt_value, is_missing

#: How a column (or row) is formatted.
#: ``points``: a difference of two shares in procentenheter (``+1,3``), stored as points (1.3).
KINDS = ("count", "share", "days", "kr", "number", "points", "text")

#: The report's sections, in order (docs/rapporter.md §4).
SECTIONS = (
    "Sammanfattning",
    "Deltagare",
    "Resultat vid avslut",
    "Försörjning före och efter",
    "Försörjningsformer i befolkningen",
    "Insatser och mål",
    "Ekonomi",
    "Strukturövergripande insatser",
    "Uppföljning efter avslut",
    "Samhällsekonomisk uppskattning",
    "Datakvalitet",
    "Om rapporten",
)

#: Sections of workbooks other than the report (the internal Uppföljning Finsam workbook).
OTHER_SECTIONS = ("Uppföljning",)

SOURCE_DELTAGARE = "Källa: förbundets deltagaruppföljning"
SOURCE_SCB = "Källa: SCB, helårsekvivalenter (HE0000T02N2)"
SOURCE_DATA = "Källa: inläsningen av förbundets datakatalog"
SOURCES_ALL = "Källor: förbundets deltagaruppföljning; SCB, helårsekvivalenter (HE0000T02N2)"

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
    #: Why each hidden cell is hidden: ``{(row, column): "small" | "protect"}``
    #: (fewer than min_cell persons, or hidden so that it cannot be worked out).
    reasons: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.section not in SECTIONS and self.section not in OTHER_SECTIONS:
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




class _Hidden(str):
    """``..`` for a hidden cell, and why (only while a table is built; :func:`_make` keeps plain ``..``)."""

    reason: str

    def __new__(cls, value: object, min_cell: int, reason: str | None = None) -> "_Hidden":
        obj = str.__new__(cls, SUPPRESSED)
        small = isinstance(value, (int, float, np.integer, np.floating)) and 0 < float(value) < min_cell
        obj.reason = reason or ("small" if small else "protect")
        return obj


def _with_reasons(protected: ProtectedTable) -> pd.DataFrame:
    """``protected.display()`` with each hidden cell saying why (:class:`_Hidden`)."""
    shown = protected.display()
    values, mask = protected.values.to_numpy(dtype=object), protected.hidden.to_numpy()
    for i, j in zip(*np.nonzero(mask)):
        shown.iat[i, j] = _Hidden(values[i, j], protected.min_cell)
    return shown


def _count_hidden(data: pd.DataFrame) -> int:
    return int(sum((data[c].astype(object) == SUPPRESSED).sum() for c in data.columns))


def _cell(value: object) -> object:
    """A published cell: Python numbers, ``..`` kept, missing → ``–``."""
    if isinstance(value, str):
        return str(value)  # a _Hidden becomes a plain "..": the reason is kept apart
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
    """A :class:`ReportTable` with the footnote, ``n_hidden`` and the reasons filled in."""
    reasons = {
        (row, str(col)): value.reason
        for col in data.columns
        for row, value in data[col].items()
        if isinstance(value, _Hidden)
    }
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
        reasons=reasons,
    )


def _placeholder(key: str, section: str, title: str, message: str, source: str = "") -> ReportTable:
    """A one-cell table that explains why there is nothing to show."""
    data = pd.DataFrame({"Kommentar": [message]}, index=pd.Index([title], name="Tabell"))
    return ReportTable(key=key, section=section, title=title, data=data, kinds={"Kommentar": "text"}, source=source)


