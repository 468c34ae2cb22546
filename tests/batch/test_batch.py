"""The report batch: both engines, no state shared between reports, resume."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from finsam_analysis.batch import pipeline
from finsam_analysis.synthetic.sample import write_sample

FORBUND = ["skelleftea", "alv_och_kust", "vasterbergslagen"]

# A report notebook that looks for what an earlier report could have left
# behind, then leaves exactly that behind itself.
PROBE = """
import json, os, sys
import matplotlib
import finsam_analysis
def probe():
    return {
        "variabel": "LEAK" in globals(),
        "rcParams": matplotlib.rcParams["lines.linewidth"] == 7,
        "modul": hasattr(finsam_analysis, "_leak"),
        "miljo": "FINSAM_LEAK" in os.environ,
        "sys.path": "/leak" in sys.path,
    }
print(json.dumps(probe()))
"""
LEAVE = """
LEAK = forbund_id
matplotlib.rcParams["lines.linewidth"] = 7
finsam_analysis._leak = forbund_id
os.environ["FINSAM_LEAK"] = forbund_id
sys.path.append("/leak")
print(json.dumps(probe()))
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch") / "data"
    write_sample(root, n_forbund=3, years=(2024, 2025))
    return root


@pytest.fixture()
def probe_notebook(tmp_path, monkeypatch):
    params = nbformat.v4.new_code_cell(
        'data_dir = ""\nforbund_id = ""\nperiod = "2025"\nmin_cell = 5', metadata={"tags": ["parameters"]}
    )
    nb = nbformat.v4.new_notebook(
        cells=[params, nbformat.v4.new_code_cell(PROBE), nbformat.v4.new_code_cell(LEAVE)],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
    )
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(pipeline, "notebook_path", lambda: path)
    return path


def _probes(out_dir, fid):
    nb = nbformat.read(out_dir / f"{fid}.ipynb", as_version=4)
    seen = [json.loads(c.outputs[0]["text"]) for c in nb.cells if c.cell_type == "code" and c.outputs]
    return seen  # [before leaving anything, after]


@pytest.mark.parametrize("engine", ["fork", "kernel"])
def test_no_state_leaks_from_one_report_into_the_next(sample, tmp_path, probe_notebook, engine):
    # One job: the reports run one after another from the same parent, the
    # case where a leak would show.
    run = pipeline.run_reports(sample, "2025", FORBUND, out=tmp_path, formats="ipynb", jobs=1,
                               progress=False, engine=engine)
    assert run.exit_code == 0, [r.error for r in run.results]
    for fid in FORBUND:
        before, after = _probes(run.out_dir, fid)
        assert not any(before.values()), (fid, before)
        # the probe does see state within one report, so it could see a leak
        assert all(after.values()), (fid, after)
    assert json.loads((run.out_dir / "manifest.json").read_text())["parameters"]["engine"] == engine


def test_the_two_engines_write_the_same_report(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    html = {}
    for engine in ("fork", "kernel"):
        run = pipeline.run_reports(sample, "2025", ["alv_och_kust"], out=tmp_path / engine,
                                   formats="html,json", progress=False, engine=engine)
        assert run.exit_code == 0, [r.error for r in run.results]
        html[engine] = (run.out_dir / "alv_och_kust.html").read_text(encoding="utf-8")
        html[engine + "json"] = (run.out_dir / "alv_och_kust.json").read_text(encoding="utf-8")
    assert html["forkjson"] == html["kerneljson"]
    # Same text, tables and figures; only the kernel's metadata may differ.
    assert len(html["fork"]) > 100_000
    assert html["fork"] == html["kernel"]


@pytest.mark.parametrize("engine", ["fork", "kernel"])
def test_a_failing_cell_is_reported_the_same_by_both_engines(sample, tmp_path, monkeypatch, engine):
    params = nbformat.v4.new_code_cell('data_dir = ""\nforbund_id = ""\nperiod = ""\nmin_cell = 5',
                                       metadata={"tags": ["parameters"]})
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("raise ValueError('trasig cell')")],
                                  metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(pipeline, "notebook_path", lambda: path)
    run = pipeline.run_reports(sample, "2025", ["skelleftea"], out=tmp_path / "out", formats="html",
                               progress=False, engine=engine)
    (r,) = run.results
    assert r.status == "failed"
    # cells run: parameters (1), papermill's injected parameters (2), x = 1 (3), the raise (4)
    assert r.error == "Cell 4 misslyckades: ValueError: trasig cell"
    assert not (run.out_dir / "skelleftea.html").exists()


def test_resume_keeps_finished_reports_and_renders_the_rest(sample, tmp_path):
    first = pipeline.run_reports(sample, "2025", FORBUND[:1], out=tmp_path, formats="json", progress=False)
    done = first.out_dir / f"{FORBUND[0]}.json"
    stamp = done.stat().st_mtime_ns
    again = pipeline.run_reports(sample, "2025", FORBUND, out=tmp_path, formats="json", progress=False, resume=True)
    assert [r.status for r in again.results] == ["ok"] * 3
    assert [r.resumed for r in again.results] == [True, False, False]
    assert done.stat().st_mtime_ns == stamp  # not rewritten
    manifest = json.loads((again.out_dir / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["forbund"][FORBUND[0]]["resumed"] is True
    # Other parameters (here min_cell) make every report new again.
    third = pipeline.run_reports(sample, "2025", FORBUND, out=tmp_path, formats="json", progress=False,
                                 resume=True, min_cell=3)
    assert not any(r.resumed for r in third.results)


def test_forked_reports_reuse_the_parents_dataset(sample, tmp_path, monkeypatch):
    # Each load_dataset call, in the parent or in any forked child, leaves a
    # line in a file. The notebooks' open_report must find the dataset the
    # parent loaded (and the tables computed on it), not read every file again.
    from finsam_analysis.ingest import dataset as loading

    calls = tmp_path / "loads.txt"
    real = loading.load_dataset

    def counting(*args, **kwargs):
        with calls.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(loading, "load_dataset", counting)
    monkeypatch.setattr(loading, "_LOADED", {})
    run = pipeline.run_reports(sample, "2025", FORBUND[:2], out=tmp_path / "out", formats="html", jobs=1,
                               progress=False, engine="fork")
    assert [r.status for r in run.results] == ["ok", "ok"]
    assert calls.read_text().split() == [str(os.getpid())]


def test_the_largest_forbund_start_first_and_the_manifest_keeps_the_order_asked(sample, tmp_path):
    from finsam_analysis.ingest.dataset import load_dataset

    rows = load_dataset(sample).deltagande.groupby("forbund_id").size()
    asked = sorted(FORBUND, key=lambda f: rows[f])  # smallest first, the worst order for the batch
    assert len(set(rows[asked])) == len(asked), "the sample needs förbund of different sizes"
    run = pipeline.run_reports(sample, "2025", asked, out=tmp_path, formats="json", jobs=1, progress=False)
    # One job: each report is written before the next starts.
    written = sorted(asked, key=lambda f: (run.out_dir / f"{f}.json").stat().st_mtime_ns)
    assert written == asked[::-1]
    manifest = json.loads((run.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["forbund"]) == asked
