"""What the data cover: the extract date refuses periods after it, or marks a partial one (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

import finsam_analysis as fa
from finsam_analysis.ingest import coverage
from finsam_analysis.periods import parse_period
from finsam_analysis.report.html import ForbundReport, write_data_outputs
from finsam_analysis.report.tables import SECTIONS

from ..helpers import write_dataset


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    rows = [f"p{k:02d},alfa,a1,{('kvinna', 'man')[k % 2]},1990,2482,gymnasial,2025-0{k % 9 + 1}-02,,,,,,,,"
            for k in range(40)]
    root = write_dataset(tmp_path_factory.mktemp("cov") / "d", rows, dataset__yaml="uttagsdatum: 2025-09-15\n")
    return fa.load_dataset(root)


def test_the_extract_date_comes_from_dataset_yaml_else_from_the_data(ds, tiny):
    assert (ds.uttagsdatum, ds.uttagsdatum_source) == (dt.date(2025, 9, 15), "dataset.yaml")
    plain = fa.load_dataset(tiny)
    assert (plain.uttagsdatum, plain.uttagsdatum_source) == (dt.date(2024, 12, 31), "data")
    assert "det senaste datumet i uppgifterna" in coverage.extract_date_text(plain)


def test_a_bad_extract_date_names_the_file(tmp_path):
    root = write_dataset(tmp_path / "d", dataset__yaml="uttagsdatum: förra veckan\n")
    with pytest.raises(fa.FinsamError, match="dataset.yaml: uttagsdatum 'förra veckan' är inget datum"):
        fa.load_dataset(root)


def test_periods_inside_are_kept_and_later_ones_refused_or_cut(ds):
    inside = coverage.check_period(ds, parse_period("2025-01-01..2025-08-31"))
    assert not inside.partial and inside.period.label == "2025-01-01..2025-08-31" and inside.note == ""
    with pytest.raises(coverage.CoverageError, match="15 september 2025.*enligt dataset.yaml"):
        coverage.check_period(ds, parse_period("2025"))
    cut = coverage.check_period(ds, parse_period("2025"), allow_partial=True)
    assert cut.partial and (cut.period.start, cut.period.end) == (dt.date(2025, 1, 1), dt.date(2025, 9, 15))
    assert cut.asked.label == "2025" and "Delperiod: helåret 2025" in cut.note


def test_a_partial_report_says_so_in_every_section_and_on_every_sheet(ds, tmp_path):
    cut = coverage.check_period(ds, parse_period("2025"), allow_partial=True)
    report = ForbundReport(ds, "alfa", cut.period, covered=cut)
    assert cut.note in report.header_html()
    for title in SECTIONS:
        assert cut.note in report.section_html(title), title
    paths = {"xlsx": tmp_path / "alfa.xlsx", "json": tmp_path / "alfa.json"}
    write_data_outputs(ds, "alfa", cut.period, 5, paths, note=cut.note)
    wb = load_workbook(paths["xlsx"])
    for ws in wb.worksheets:
        assert any(cut.note in str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value), ws.title
    assert '"period_end": "2025-09-15"' in paths["json"].read_text(encoding="utf-8")
