"""The report pipeline end to end on two förbund of a small synthetic sample."""

from __future__ import annotations

import html
import json
import re

import pytest
from openpyxl import load_workbook

import finsam_analysis as fa
from finsam_analysis.batch import pipeline
from finsam_analysis.ingest.dataset import sha256_file
from finsam_analysis.report.html import SECTIONS
from finsam_analysis.synthetic.sample import write_sample

from ..helpers import run_cli

FORBUND = ["skelleftea", "alv_och_kust"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipe") / "data"
    write_sample(root, n_forbund=2, years=(2024, 2025))
    return root


@pytest.fixture(scope="module")
def run(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
    try:
        result = pipeline.run_reports(sample, "2025", None, out=out, jobs=2, progress=False)
    finally:
        mp.undo()
    return result


def test_every_file_exists(run):
    assert run.exit_code == 0, [r.error for r in run.results]
    names = sorted(p.name for p in run.out_dir.iterdir())
    assert names == sorted(["index.html", "manifest.json"] + [f"{f}.{x}" for f in FORBUND for x in ("html", "json", "xlsx")])
    assert run.out_dir.name == "2025"


def test_json_equals_key_figures(run, sample):
    ds = fa.load_dataset(sample)
    for fid in FORBUND:
        written = json.loads((run.out_dir / f"{fid}.json").read_text(encoding="utf-8"))
        assert written == fa.key_figures(ds, fid, "2025")
        assert written["synthetic_data"] is True


def test_html_has_no_code_and_every_section(run):
    html = (run.out_dir / "skelleftea.html").read_text(encoding="utf-8")
    for code in ("open_report", "rapport.section", "import ", "In&nbsp;[", "min_cell = 5", "injected-parameters"):
        assert code not in html
    headings = re.findall(r"<h2 id=\"[^\"]+\"[^>]*>(.*?)</h2>", html)
    assert [re.sub(r"<[^>]+>", "", h).strip() for h in headings] == list(SECTIONS)
    assert "SYNTETISKA DATA — inte verklig statistik" in html
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) >= 8
    for tag in images:  # embedded (the file stands alone) and described (alt text)
        assert 'src="data:image/png;base64,' in tag
        assert len(re.search(r'alt="([^"]*)"', tag).group(1)) > 20
    assert re.search(r'<html lang="sv"', html)  # read aloud in Swedish


def test_contents_link_to_every_heading(run):
    html = (run.out_dir / "alv_och_kust.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav [^>]*class="finsam-toc"[^>]*>(.*?)</nav>', html, re.S).group(1)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    ids = re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', html)
    assert [text for _, text in links] == list(SECTIONS)
    assert [anchor for anchor, _ in links] == [anchor for anchor, _ in ids]  # every link lands on its heading


def test_html_stands_alone(run):
    html = (run.out_dir / "skelleftea.html").read_text(encoding="utf-8")
    # Nothing is fetched to read it: no remote script, module import or stylesheet.
    assert not re.search(r'<script[^>]*\bsrc="(?:https?:)?//', html)
    assert not re.search(r'import\(\s*["\'](?:https?:)?//', html)
    assert not re.search(r'<link[^>]*href="(?:https?:)?//', html)
    assert "cdnjs" not in html and "cdn.jsdelivr" not in html


def test_excel_holds_the_suppressed_tables(run, sample):
    wb = load_workbook(run.out_dir / "alv_och_kust.xlsx")
    assert "Sammanfattning" in wb.sheetnames and "Deltagare" in wb.sheetnames
    ws = wb["Sammanfattning"]
    assert "SYNTETISKA DATA" in str(ws.cell(1, 1).value)
    values = [c.value for sheet in wb.worksheets for row in sheet.iter_rows() for c in row]
    # The JSON's suppressed keys are hidden in the workbook too.
    kf = json.loads((run.out_dir / "alv_och_kust.json").read_text(encoding="utf-8"))
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    assert numbers, "the workbook holds real numbers"
    if kf["suppressed"]:
        assert ".." in values
    # no count of persons between 1 and 4 anywhere in a count column of the participant sheets
    from finsam_analysis.report.tables import report_tables

    for t in report_tables(fa.load_dataset(sample), "alv_och_kust", "2025"):
        for col, kind in t.kinds.items():
            if kind == "count" and t.section not in ("Datakvalitet", "Försörjningsformer i befolkningen"):
                quality = t.data.index == "Kön uppgift saknas"  # a count of the data's quality, always shown
                if t.key == "deltagare_kon_alder" and col == "Uppgift saknas":
                    continue
                cells = [v for v, q in zip(t.data[col].tolist(), quality) if isinstance(v, (int, float)) and not q]
                assert not any(1 <= v < 5 for v in cells), (t.key, col)


def test_manifest_and_index(run, sample):
    m = json.loads((run.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and m["generated_at"] == "2026-01-01T00:00:00Z"
    assert set(m["forbund"]) == set(FORBUND) and all(v["status"] == "ok" for v in m["forbund"].values())
    assert m["inputs_sha256"]["deltagande.csv"] == sha256_file(sample / "deltagande.csv")
    assert {"pandas", "finsam_analysis", "papermill"} <= set(m["versions"])
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    for fid in FORBUND:
        assert f'href="{fid}.html"' in index


def test_rerun_gives_identical_json_and_excel_values(run, sample, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    again = pipeline.run_reports(sample, "2025", FORBUND, out=tmp_path, formats="json,xlsx", progress=False)
    for fid in FORBUND:
        assert (again.out_dir / f"{fid}.json").read_bytes() == (run.out_dir / f"{fid}.json").read_bytes()
        a = [[c.value for c in r] for s in load_workbook(run.out_dir / f"{fid}.xlsx").worksheets for r in s.iter_rows()]
        b = [[c.value for c in r] for s in load_workbook(again.out_dir / f"{fid}.xlsx").worksheets for r in s.iter_rows()]
        assert a == b


def test_a_failing_forbund_fails_alone(sample, tmp_path, monkeypatch):
    """A data fault in one förbund (simulated in its tables) leaves the other intact."""
    from finsam_analysis.report import tables

    real = tables.report_tables

    def faulty(dataset, forbund_id, period, min_cell=5):
        if forbund_id == "alv_och_kust":
            raise ValueError("trasiga uppgifter i insatser.csv")
        return real(dataset, forbund_id, period, min_cell)

    monkeypatch.setattr(tables, "report_tables", faulty)
    # An earlier good report of the failing förbund must not survive as if new.
    out = tmp_path / "2025"
    out.mkdir()
    (out / "alv_och_kust.json").write_text("{}", encoding="utf-8")
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--all", "--out", tmp_path,
                "--format", "json,xlsx", "--quiet")
    assert r.code == 1
    assert "Misslyckades: alv_och_kust" in r.err and "trasiga uppgifter i insatser.csv" in r.err
    assert "Traceback" not in r.err
    assert (out / "skelleftea.xlsx").is_file() and (out / "skelleftea.json").is_file()
    assert not any(p.name.startswith("alv_och_kust") for p in out.iterdir())
    assert not any(p.name.endswith(".tmp") for p in out.iterdir())
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "failed" and m["forbund"]["alv_och_kust"]["status"] == "failed"
    assert m["forbund"]["skelleftea"]["status"] == "ok"


def test_usage_errors_are_checked_before_any_work(sample, tmp_path):
    r = run_cli("report", "--data-dir", sample, "--period", "2025Q7", "--all", "--out", tmp_path)
    assert r.code == 2 and "Okänd period" in r.err
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--forbund", "nope", "--out", tmp_path)
    assert r.code == 2 and "nope" in r.err
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--all", "--format", "rtf", "--out", tmp_path)
    assert r.code == 2 and "rtf" in r.err
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--out", tmp_path)
    assert r.code == 2
    assert not any(tmp_path.iterdir())


def test_pdf_without_chromium_says_how_to_install(sample, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "find_chromium", lambda: None)
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--all", "--format", "pdf", "--out", tmp_path)
    assert r.code == 2
    assert "apt-get install chromium" in r.err and "Traceback" not in r.err


class _OnePdfFails:
    """Stands in for the run's browser: every PDF is a small file, except alv_och_kust's."""

    printed: list = []

    def __init__(self, *args, **kwargs):
        pass

    def print(self, html_path, pdf_path):
        assert html_path.is_file()  # the child left the page to print
        type(self).printed.append(pdf_path.stem)
        if pdf_path.stem == "alv_och_kust":
            raise pipeline.FinsamError("chromium kunde inte skriva PDF:en (test).")
        pdf_path.write_bytes(b"%PDF-1.4 test")

    def close(self):
        pass


def test_pdfs_are_printed_by_the_run_and_a_failing_one_fails_only_its_forbund(sample, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "PdfPrinter", _OnePdfFails)
    monkeypatch.setattr(pipeline, "find_chromium", lambda: "/usr/bin/chromium")
    _OnePdfFails.printed = []
    run = pipeline.run_reports(sample, "2025", None, out=tmp_path, formats="json,pdf", jobs=2, progress=False)
    status = {r.forbund_id: (r.status, r.error) for r in run.results}
    assert status["skelleftea"][0] == "ok"
    assert status["alv_och_kust"][0] == "failed" and "chromium" in status["alv_och_kust"][1]
    assert sorted(_OnePdfFails.printed) == sorted(FORBUND) and run.exit_code == 1
    # The failed förbund leaves nothing, the other its JSON and PDF, and no hidden print source is left.
    assert sorted(p.name for p in run.out_dir.iterdir() if p.name.startswith(("skelleftea", "alv", "."))) == [
        "skelleftea.json", "skelleftea.pdf"]
    manifest = json.loads((run.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {fid: entry["status"] for fid, entry in manifest["forbund"].items()} == {
        "skelleftea": "ok", "alv_och_kust": "failed"}


def test_the_notebook_runs_on_its_own_with_its_defaults(tmp_path):
    """As in JupyterLab: no parameters given, data in ../data/sample beside notebooks/."""
    import shutil

    import papermill as pm

    write_sample(tmp_path / "data" / "sample", n_forbund=1, years=(2025, 2025))
    (tmp_path / "notebooks").mkdir()
    nb_path = tmp_path / "notebooks" / "forbund_report.ipynb"
    shutil.copy(pipeline.notebook_path(), nb_path)
    nb = pm.execute_notebook(str(nb_path), str(tmp_path / "out.ipynb"), cwd=str(nb_path.parent),
                             kernel_name="python3", progress_bar=False)
    texts = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "Samordningsförbundet Skellefteå" in texts and "Nyckeltal" in texts


def test_the_notebook_fails_fast_on_a_wrong_parameter(sample, tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(pipeline.notebook_path()), str(tmp_path / "o.ipynb"), kernel_name="python3",
                            parameters={"data_dir": str(sample), "forbund_id": "finns_inte", "period": "2025"},
                            progress_bar=False)
    assert "Förbundet 'finns_inte' finns inte" in str(err.value.evalue)
    assert err.value.exec_count in (2, 3)  # the validation call, right after the parameters


def test_index_shows_observed_expected_where_the_share_is_shown(run, sample):
    from finsam_analysis.measures import jamforelse, outcomes
    from finsam_analysis.periods import parse_period
    from finsam_analysis.report.html import OE_COLUMN

    ds = fa.load_dataset(sample)
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    assert OE_COLUMN in index and "inte att ett förbund gör ett bättre" in index
    raw = jamforelse.observed_expected(outcomes.participations(ds), parse_period("2025"))
    names = ds.forbund.set_index("forbund_id")["namn"]
    for fid in FORBUND:
        row = re.search(rf'href="{fid}.html">{re.escape(html.escape(names[fid]))}</a></th>(.*?)</tr>', index).group(1)
        last = re.findall(r"<td>(.*?)</td>", row)[-1]
        kf = fa.key_figures(ds, fid, "2025")
        if "andel_arbete_studier" in kf["suppressed"]:
            assert last == ".."
        else:
            kvot = f"{raw.at[fid, 'kvot']:.2f}".replace(".", ",")
            assert last.startswith(f"{kvot} ("), last
            # observed/expected agrees with the published share: O = andel × avslutade
            assert raw.at[fid, "observerade"] / raw.at[fid, "avslutade"] == pytest.approx(kf["andel_arbete_studier"], abs=5e-4)
