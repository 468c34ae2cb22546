"""The report's tables as an Excel workbook, one sheet per section (docs/rapporter.md §5).

:func:`write_workbook` takes the :class:`~finsam_analysis.report.tables.ReportTable`
list of :func:`~finsam_analysis.report.tables.report_tables` (disclosure control is
already applied there) and writes ``<forbund_id>.xlsx``.

* Numbers stay numbers, with Excel number formats (:data:`NUMBER_FORMATS`).
  The thousands separator is stored as Excel's locale-neutral ``,`` code
  (``#,##0``), which Swedish Excel shows as ``# ##0``, i.e. ``12 345``. A
  literal space in the stored code would not be a separator: ``# ##0``
  stored as such shows 1 234 567 as ``1234 567``.
* Hidden cells are the text ``..``, right-aligned like numbers; ``–`` (cannot
  be computed) likewise.
* Every text cell is stored as a string, never a formula: text beginning with
  ``=``, ``+``, ``-``, ``@``, a tab or a line break also gets Excel's
  quotePrefix style, so editing the cell in Excel does not turn it into a
  formula either. Control characters that an xlsx file cannot hold (from a
  name pasted into a CSV file) are dropped rather than failing the report.
* With ``synthetic=True`` the first row of every sheet is the banner
  ``SYNTETISKA DATA — inte verklig statistik`` in red bold.
* Deterministic: the same tables give the same cell values, and the
  document properties and zip entry times come from ``SOURCE_DATE_EPOCH``
  when set, else a fixed date, so the bytes are reproducible too.
* Written atomically: a temporary file in the target directory, then
  :func:`os.replace` (:func:`finsam_analysis.files.replacing`); on error no file is left behind and an earlier file
  stays as it was.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from zipfile import ZIP_DEFLATED

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.files import FixedTimeZip, replacing
from finsam_analysis.provenance import build_date
from finsam_analysis.fmt import NOT_AVAILABLE, fmt_value, is_missing
from finsam_analysis.report.tables import SECTIONS, ReportTable

__all__ = ["BANNER", "NUMBER_FORMATS", "SHEET_NAMES", "write_workbook"]

BANNER = "SYNTETISKA DATA — inte verklig statistik"

#: Excel number format per table kind (stored codes; Swedish Excel shows ``# ##0``).
NUMBER_FORMATS = {
    "count": "#,##0",
    "share": "0.0%",
    "days": "0",
    "kr": '#,##0 "kr"',
    "number": "#,##0",
    "points": "+0.0;-0.0;0.0",
}

#: Sheet name per section (Excel allows at most 31 characters).
SHEET_NAMES = {
    "Sammanfattning": "Sammanfattning",
    "Deltagare": "Deltagare",
    "Resultat vid avslut": "Resultat vid avslut",
    "Försörjning före och efter": "Försörjning före och efter",
    "Försörjningsformer i befolkningen": "Försörjning i befolkningen",
    "Insatser och mål": "Insatser och mål",
    "Ekonomi": "Ekonomi",
    "Strukturövergripande insatser": "Strukturövergripande insatser",
    "Uppföljning efter avslut": "Uppföljning efter avslut",
    "Samhällsekonomisk uppskattning": "Samhällsekonomi",
    "Datakvalitet": "Datakvalitet",
    "Om rapporten": "Om rapporten",
}

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_DOC_TITLE = Font(bold=True, size=14)
_BANNER = Font(bold=True, color="C00000", size=12)
_SMALL = Font(italic=True, size=9)
_SOURCE = Font(italic=True, size=9, color="595959")
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_RIGHT = Alignment(horizontal="right")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------


def _put_text(ws, row: int, col: int, text: str, font: Font | None = None, right: bool = False):
    """A text cell that can never become a formula."""
    cell = ws.cell(row=row, column=col)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if right:
        cell.alignment = _RIGHT
    return cell


def _put_value(ws, row: int, col: int, value: object, kind: str):
    """A data cell: a number with its format, or text (``..`` right-aligned)."""
    if isinstance(value, str):
        return _put_text(ws, row, col, value, right=value in (SUPPRESSED, NOT_AVAILABLE) or kind != "text")
    if is_missing(value):
        return _put_text(ws, row, col, NOT_AVAILABLE, right=True)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy scalars
        except (TypeError, ValueError):
            return _put_text(ws, row, col, str(value))
        value = int(value) if value.is_integer() and kind in ("count", "days") else value
    cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = NUMBER_FORMATS.get(kind, NUMBER_FORMATS["number"])
    return cell


# ---------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------


class _Sheet:
    """Writes rows top-down and remembers the widths the columns need."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}

    def _fit(self, col: int, text: str) -> None:
        self.widths[col] = max(self.widths.get(col, 0), len(text) + 2)

    def line(self, text: str, font: Font | None = None) -> None:
        """A free text row (overflows to the right; not used for widths)."""
        if text:
            _put_text(self.ws, self.row, 1, text, font)
        self.row += 1

    def table(self, t: ReportTable) -> None:
        ws = self.ws
        self.line(t.title, _TITLE)
        header = [str(t.data.index.name or ""), *map(str, t.data.columns)]
        for j, text in enumerate(header, start=1):
            cell = _put_text(ws, self.row, j, text, _BOLD, right=j > 1 and t.kinds.get(text, "number") != "text")
            cell.fill = _HEADER_FILL
            self._fit(j, text)
        self.row += 1
        for label, values in zip(t.data.index, t.data.itertuples(index=False, name=None)):
            _put_text(ws, self.row, 1, str(label))
            self._fit(1, str(label))
            for j, (col, value) in enumerate(zip(t.data.columns, values), start=2):
                kind = t.kind_of(label, col)
                _put_value(ws, self.row, j, value, kind)
                self._fit(j, fmt_value(value, kind))
            self.row += 1
        for text, font in ((t.note, _SMALL), (t.footnote, _SMALL), (t.source, _SOURCE)):
            if text:
                self.line(text, font)
        self.row += 1

    def pairs(self, pairs: Mapping[str, str]) -> None:
        for key, value in pairs.items():
            _put_text(self.ws, self.row, 1, str(key), _BOLD)
            _put_text(self.ws, self.row, 2, str(value))
            self._fit(1, str(key))
            self._fit(2, str(value))
            self.row += 1
        self.row += 1

    def finish(self) -> None:
        for col, width in sorted(self.widths.items()):
            self.ws.column_dimensions[get_column_letter(col)].width = min(max(width, _MIN_WIDTH), _MAX_WIDTH)


def _by_section(tables: Sequence[ReportTable]) -> dict[str, list[ReportTable]]:
    grouped: dict[str, list[ReportTable]] = {s: [] for s in SECTIONS}
    for t in tables:
        grouped[t.section].append(t)
    return grouped


def build_workbook(
    tables: Sequence[ReportTable], *, title: str, synthetic: bool, provenance: Mapping[str, str]
) -> Workbook:
    """The workbook in memory (see :func:`write_workbook`)."""
    sheets = {
        SHEET_NAMES[section]: (section, section_tables)
        for section, section_tables in _by_section(tables).items()
        if section_tables or section == "Om rapporten"
    }
    return workbook_from_sheets(sheets, title=title, banners=[BANNER] if synthetic else [], provenance=provenance)


def workbook_from_sheets(
    sheets: Mapping[str, tuple[str, Sequence[ReportTable]]],
    *,
    title: str,
    banners: Sequence[str] = (),
    provenance: Mapping[str, str],
    provenance_sheet: str = "Om rapporten",
) -> Workbook:
    """A workbook of ``{sheet name: (heading, tables)}``, each sheet under ``banners`` and ``title``.

    The sheet named ``provenance_sheet`` also lists ``provenance``.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for name, (heading, sheet_tables) in sheets.items():
        sheet = _Sheet(wb.create_sheet(name))
        for banner in banners:
            sheet.line(banner, _BANNER)
        sheet.line(title, _DOC_TITLE)
        sheet.line(heading, _TITLE)
        _print_setup(sheet.ws, top_rows=sheet.row - 1)
        sheet.row += 1
        if name == provenance_sheet:
            sheet.line("Uppgifter om rapporten", _TITLE)
            sheet.pairs(provenance)
        for t in sheet_tables:
            sheet.table(t)
        sheet.finish()
        sheet.ws.sheet_view.showGridLines = True
    when = build_date()
    wb.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    wb.properties.creator = "finsam_analysis"
    wb.properties.lastModifiedBy = "finsam_analysis"
    wb.properties.created = when
    wb.properties.modified = when
    return wb


def _print_setup(ws, top_rows: int) -> None:
    """The banner and title rows stay in view and head every printed page; A4, as wide as the page."""
    ws.freeze_panes = f"A{top_rows + 1}"
    ws.print_title_rows = f"1:{top_rows}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.oddFooter.center.text = "Sida &P av &N"


def save_workbook(wb: Workbook, path: str | os.PathLike) -> None:
    """Write ``wb`` to ``path`` atomically, with stable bytes (fixed zip times, ``SOURCE_DATE_EPOCH``)."""
    when = max(build_date(), _dt.datetime(1980, 1, 1))
    with replacing(Path(path)) as tmp:
        archive = FixedTimeZip(tmp, "w", ZIP_DEFLATED, allowZip64=True, date_time=when.timetuple()[:6])
        ExcelWriter(wb, archive).save()


def write_workbook(
    tables: Sequence[ReportTable],
    path: str | os.PathLike,
    *,
    title: str,
    synthetic: bool,
    provenance: Mapping[str, str],
) -> None:
    """Write the report's tables to ``path`` (.xlsx), one sheet per section.

    Parameters
    ----------
    tables : sequence of ReportTable
        From :func:`finsam_analysis.report.tables.report_tables`, suppression applied.
    path : path-like
        The workbook to write; its directory must exist. Replaced atomically.
    title : str
        Report title, written at the top of every sheet.
    synthetic : bool
        Put the synthetic-data banner in the first row of every sheet.
    provenance : mapping
        Key/value pairs for the "Om rapporten" sheet (parameters, sha256 of
        the inputs, version, commit, time of generation).
    """
    save_workbook(build_workbook(tables, title=title, synthetic=synthetic, provenance=provenance), path)
