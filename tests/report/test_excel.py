"""The report workbook (finsam_analysis.report.excel): written, then read back with openpyxl."""

from __future__ import annotations

import os
import zipfile

import openpyxl
import pandas as pd
import pytest

from finsam_analysis import load_dataset
from finsam_analysis.report import excel
from finsam_analysis import provenance
from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.report.excel import BANNER, NUMBER_FORMATS, SHEET_NAMES, write_workbook
from finsam_analysis.report.tables import SECTIONS, ReportTable, report_tables

from ..helpers import write_dataset
from ..measures.test_outcomes import EKONOMI, INSATSER, ROWS

HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@SUM(A1)"]
TITLE = "Samordningsförbundet Alfa — helåret 2024"
PROVENANCE = {"Period": "2024", "deltagande.csv (sha256)": "ab" * 32, "Kommentar": "=HYPERLINK(\"x\")"}


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("excel")
    write_dataset(root, rows=ROWS, insatser__csv=INSATSER, insats_ekonomi__csv=EKONOMI)
    return load_dataset(root)


def hostile_table() -> ReportTable:
    data = pd.DataFrame(
        {"Text": HOSTILE, "Antal": [1, 2, 3, 4]},
        index=pd.Index(["=1+1", "+rad", "-rad", "@rad"], dtype=object, name="=Etikett"),
    )
    return ReportTable(
        key="fientlig", section="Datakvalitet", title="=Titel", data=data,
        kinds={"Text": "text", "Antal": "count"}, source="@källa",
    )  # fmt: skip


@pytest.fixture(scope="module")
def tables(ds):
    return [*report_tables(ds, "alfa", "2024"), hostile_table()]


@pytest.fixture(scope="module")
def raw_tables(ds):
    return report_tables(ds, "alfa", "2024", min_cell=1)


def write(tables, path, synthetic=True):
    write_workbook(tables, path, title=TITLE, synthetic=synthetic, provenance=PROVENANCE)
    return openpyxl.load_workbook(path)


def find(ws, value):
    """The cells holding ``value``."""
    return [c for row in ws.iter_rows() for c in row if c.value == value]


def row_of(ws, label):
    """The cells of the first row whose column A is ``label``."""
    hits = [c for c in ws["A"] if c.value == label]
    assert hits, label
    return ws[hits[0].row]


def all_values(wb):
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_one_sheet_per_section_in_order(tmp_path, tables):
    wb = write(tables, tmp_path / "r.xlsx")
    assert wb.sheetnames == [SHEET_NAMES[s] for s in SECTIONS]
    assert all(len(name) <= 31 for name in SHEET_NAMES.values())
    assert "Försörjning i befolkningen" in wb.sheetnames


def test_numbers_are_numbers_with_number_formats(tmp_path, raw_tables):
    wb = write(raw_tables, tmp_path / "raw.xlsx")
    s = wb["Sammanfattning"]
    aktiva = row_of(s, "Aktiva deltagare")[1]
    assert aktiva.value == 6 and aktiva.data_type == "n" and aktiva.number_format == NUMBER_FORMATS["count"]
    andel = row_of(s, "Andel arbete/studier")[1]
    assert andel.value == 0.5 and andel.number_format == "0.0%"
    median = row_of(s, "Tid i insats, median (dagar)")[1]
    assert median.value == 182.5 and median.number_format == "0"
    mal = wb["Insatser och mål"]
    header_cell = find(mal, "Utfall (kr)")[0]  # the table of insatser mot mål (the sheet holds several)
    header = [c.value for c in mal[header_cell.row]]
    steget = mal[header_cell.row + 1]
    assert steget[0].value == "Steget vidare"
    utfall = steget[header.index("Utfall (kr)")]
    assert utfall.value == 500000 and utfall.number_format == '#,##0 "kr"'
    assert NUMBER_FORMATS["count"] == "#,##0"  # shown as "# ##0" (12 345) by Swedish Excel
    # Data-quality counts are numbers too.
    dq = wb["Datakvalitet"]
    assert row_of(dq, "deltagande.csv")[1].value == len(ROWS)


def test_hidden_cells_are_dots_right_aligned(tmp_path, tables):
    wb = write(tables, tmp_path / "r.xlsx")
    s = wb["Sammanfattning"]
    kvinnor = row_of(s, "Kvinnor")[1]
    assert kvinnor.value == SUPPRESSED and kvinnor.data_type == "s"
    assert kvinnor.alignment.horizontal == "right"
    resultat = wb["Resultat vid avslut"]
    dots = find(resultat, SUPPRESSED)
    assert dots and all(c.data_type == "s" for c in dots)
    assert find(resultat, "Uppgifter som bygger på färre än 5 personer redovisas inte (..)")
    assert find(resultat, "Källa: förbundets deltagaruppföljning")


def test_the_synthetic_banner_is_the_first_row_of_every_sheet(tmp_path, tables):
    wb = write(tables, tmp_path / "r.xlsx")
    for ws in wb.worksheets:
        cell = ws["A1"]
        assert cell.value == BANNER == "SYNTETISKA DATA — inte verklig statistik"
        assert cell.font.bold and cell.font.color.rgb.endswith("C00000")
        assert ws["A2"].value == TITLE
    real = write(tables, tmp_path / "real.xlsx", synthetic=False)
    for ws in real.worksheets:
        assert ws["A1"].value == TITLE and not find(ws, BANNER)


def test_text_that_looks_like_a_formula_stays_text(tmp_path, tables):
    wb = write(tables, tmp_path / "r.xlsx")
    dq = wb["Datakvalitet"]
    for text in [*HOSTILE, "=1+1", "+rad", "-rad", "@rad", "=Etikett", "=Titel", "@källa"]:
        cells = find(dq, text)
        assert cells, text
        for cell in cells:
            assert cell.data_type == "s" and cell.value == text
            assert cell.quotePrefix
    om = wb["Om rapporten"]
    cell = find(om, PROVENANCE["Kommentar"])[0]
    assert cell.data_type == "s" and cell.quotePrefix
    for ws in wb.worksheets:
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_om_rapporten_sheet_holds_the_provenance(tmp_path, tables):
    wb = write(tables, tmp_path / "r.xlsx")
    om = wb["Om rapporten"]
    for key, value in PROVENANCE.items():
        assert row_of(om, key)[1].value == value
    assert find(om, "Begrepp och definitioner")


def test_columns_are_fitted(tmp_path, tables):
    wb = write(tables, tmp_path / "r.xlsx")
    ws = wb["Sammanfattning"]
    width = ws.column_dimensions["A"].width
    assert width >= len("Andel i offentlig försörjning efter")
    assert width <= 60


def test_two_writes_give_the_same_workbook(tmp_path, tables, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01 UTC
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    wa, wb = write(tables, a), write(tables, b)
    assert all_values(wa) == all_values(wb)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as archive:  # every entry, worksheets included, carries the epoch
        assert {info.date_time for info in archive.infolist()} == {(2025, 1, 1, 0, 0, 0)}
    assert wa.properties.created == wa.properties.modified == pd.Timestamp("2025-01-01").to_pydatetime()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert write(tables, tmp_path / "c.xlsx").properties.modified == provenance.FIXED_DATE


def test_written_atomically(tmp_path, tables, monkeypatch):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"earlier report")

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel.ExcelWriter, "save", broken)
    with pytest.raises(RuntimeError):
        write_workbook(tables, path, title=TITLE, synthetic=True, provenance=PROVENANCE)
    assert path.read_bytes() == b"earlier report"
    assert os.listdir(tmp_path) == ["r.xlsx"]
    monkeypatch.undo()
    write_workbook(tables, path, title=TITLE, synthetic=True, provenance=PROVENANCE)
    assert os.listdir(tmp_path) == ["r.xlsx"] and openpyxl.load_workbook(path)["Sammanfattning"]
