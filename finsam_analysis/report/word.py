"""The förbund report as a Word document (``--format docx``), for the verksamhetsberättelse.

The same content as the HTML report, from the same protected tables and
figures: the sections of docs/rapporter.md §4 as real headings (Rubrik 1 and
2, so Word's table of contents and navigation work), every table as an
editable Word table with its header row repeated on each page, the figures as
images with their alt text, the notes and sources under them. A4 portrait;
a table wider than five columns gets a smaller font so it fits the page.

Written with python-docx; the archive is repacked with fixed times
(:class:`finsam_analysis.files.FixedTimeZip`) so the same inputs give the same
bytes, and put in place atomically.
"""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from finsam_analysis.disclosure.rules import rules_text
from finsam_analysis.files import FixedTimeZip, replacing
from finsam_analysis.provenance import build_date
from finsam_analysis.report.table_base import SECTIONS

__all__ = ["write_docx"]

_RED = RGBColor(0xB4, 0x23, 0x18)
_MUTED = RGBColor(0x52, 0x60, 0x6D)
_WIDE = 5  # columns; wider tables get a smaller font


def write_docx(report, path: str | Path) -> None:
    """Write ``report`` (a :class:`~finsam_analysis.report.html.ForbundReport`) to ``path`` (.docx)."""
    document = docx.Document()
    _page_setup(document)
    _properties(document, report)
    _front(document, report)
    for section in SECTIONS:
        _section(document, report, section)
    buffer = io.BytesIO()
    document.save(buffer)
    _save_stable(buffer.getvalue(), Path(path))


def _page_setup(document) -> None:
    for s in document.sections:
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.left_margin = s.right_margin = Cm(2.0)
        s.top_margin = s.bottom_margin = Cm(2.0)
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(10.5)


def _properties(document, report) -> None:
    props = document.core_properties
    props.title = f"{report.namn}, {report.period.swedish}"
    props.author = props.last_modified_by = "finsam_analysis"
    props.language = "sv-SE"
    props.created = props.modified = build_date()
    props.revision = 1


def _front(document, report) -> None:
    if report.dataset.synthetic:
        _coloured(document.add_paragraph(), "SYNTETISKA DATA — inte verklig statistik", _RED, bold=True)
    if report.covered.partial:
        _coloured(document.add_paragraph(), report.covered.note, _RED, bold=True)
    document.add_heading(report.namn, 0)
    _coloured(document.add_paragraph(), f"Uppföljning av deltagare och resultat, {report.period.swedish}", _MUTED)


def _coloured(paragraph, text: str, colour: RGBColor, bold: bool = False, size: float | None = None,
              italic: bool = False):
    run = paragraph.add_run(text)
    run.font.color.rgb, run.bold, run.italic = colour, bold, italic
    if size:
        run.font.size = Pt(size)
    return run


def _section(document, report, section: str) -> None:
    document.add_heading(section, 1)
    if report.covered.partial:
        _coloured(document.add_paragraph(), report.covered.note, _RED, size=9)
    if section == "Sammanfattning":
        document.add_paragraph(report.summary_sentences())
    if section == "Om rapporten":
        _about(document, report)
    for table in report.tables.values():
        if table.section == section:
            _table(document, table)
            for figure in report.figures_for(table):
                _figure(document, figure)


def _table(document, t) -> None:
    document.add_heading(t.title, 2)
    shown = t.formatted()
    columns = [str(shown.index.name or ""), *map(str, shown.columns)]
    grid = document.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    size = Pt(8) if len(columns) > _WIDE + 1 else Pt(9)
    right = [False] + [t.kinds.get(c, "number") != "text" for c in shown.columns]
    _row(grid.rows[0], columns, right, size, bold=True)
    _repeat_header(grid.rows[0])
    for label, values in zip(shown.index, shown.itertuples(index=False, name=None)):
        _row(grid.add_row(), [str(label), *map(str, values)], right, size, bold=str(label).startswith("Totalt"))
    for text in (t.note, t.footnote, t.source):
        if text:
            _coloured(document.add_paragraph(), text, _MUTED, size=8.5, italic=text == t.source)


def _row(row, texts: list[str], right: list[bool], size, bold: bool = False) -> None:
    for cell, text, align in zip(row.cells, texts, right):
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(text)
        run.font.size, run.bold = size, bold
        if align:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _repeat_header(row) -> None:
    """The header row is repeated at the top of every page the table runs over."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _figure(document, result) -> None:
    from finsam_analysis.report.charts import close, figure_to_png_bytes

    png = figure_to_png_bytes(result.fig, as_built=True)
    close(result.fig)
    shape = document.add_picture(io.BytesIO(png), width=Cm(16.5))
    shape._inline.docPr.set("descr", result.alt)  # alt text for screen readers
    shape._inline.docPr.set("title", result.title)


def _about(document, report) -> None:
    document.add_heading("Röjandekontroll", 2)
    document.add_paragraph(rules_text(report.min_cell))
    document.add_heading("Källor", 2)
    document.add_paragraph("Deltagaruppgifter: förbundets egen uppföljning. Försörjningsformer i befolkningen: "
                           "Källa: SCB, tabell HE0000T02N2 (helårsekvivalenter 20–64 år).")  # fmt: skip
    document.add_heading("Spårbarhet", 2)
    for term, value in report.provenance_items():
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{term}: ").bold = True
        paragraph.add_run(value).font.size = Pt(9)


def _save_stable(data: bytes, path: Path) -> None:
    """Repack python-docx's archive with fixed member times, then put it in place atomically."""
    when = max(build_date(), _dt.datetime(1980, 1, 1))
    with ZipFile(io.BytesIO(data)) as source, replacing(path) as tmp:
        with FixedTimeZip(tmp, "w", ZIP_DEFLATED, date_time=when.timetuple()[:6]) as target:
            for name in source.namelist():
                target.writestr(name, source.read(name))
