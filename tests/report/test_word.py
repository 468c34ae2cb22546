"""--format docx: a Word document with real headings and editable tables holding what the HTML report holds."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import docx
import pytest

import finsam_analysis as fa
from finsam_analysis.periods import parse_period
from finsam_analysis.report.html import ForbundReport, write_data_outputs
from finsam_analysis.report.table_base import SECTIONS
from finsam_analysis.synthetic.sample import write_sample


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("word")
    write_sample(root / "data", n_forbund=2, years=(2024, 2025))
    ds = fa.load_dataset(root / "data")
    period = parse_period("2025")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
    try:
        for name in ("a.docx", "b.docx"):
            write_data_outputs(ds, "alv_och_kust", period, 5, {"docx": root / name})
    finally:
        mp.undo()
    return ds, period, root / "a.docx", root / "b.docx"


class _Tables(HTMLParser):
    """The text of every cell of every <table> in an HTML fragment, row by row."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_same_inputs_same_bytes(written):
    _, _, a, b = written
    assert a.read_bytes() == b.read_bytes()


def test_headings_are_the_report_sections(written):
    _, _, path, _ = written
    doc = docx.Document(path)
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == list(SECTIONS)
    assert doc.paragraphs[0].text == "SYNTETISKA DATA — inte verklig statistik"
    assert any(p.style.name == "Title" and p.text == "Samordningsförbundet Älv & Kust" for p in doc.paragraphs)
    assert doc.core_properties.language == "sv-SE"


def test_tables_hold_what_the_html_shows(written):
    ds, period, path, _ = written
    report = ForbundReport(ds, "alv_och_kust", period, 5)
    parser = _Tables()
    for section in SECTIONS:
        parser.feed(report.section_html(section))
    html_tables = [t for t in parser.tables if t]
    word_tables = [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(path).tables]
    assert len(word_tables) == len(html_tables) == len(report.tables)
    for word, html in zip(word_tables, html_tables):
        assert word == html
    # the Ekonomi section is there, with its money
    ekonomi = next(t for t in word_tables if t[0][0] == "Part")
    assert ekonomi[1][0] == "Försäkringskassan" and ekonomi[1][1].endswith("kr")


def test_figures_are_images_with_alt_text(written):
    _, _, path, _ = written
    doc = docx.Document(path)
    shapes = doc.inline_shapes
    assert len(shapes) >= 8
    for shape in shapes:
        assert len(shape._inline.docPr.get("descr", "")) > 20


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) finns inte på den här maskinen")
def test_libreoffice_converts_it(written, tmp_path):
    _, _, path, _ = written
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "a.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000
