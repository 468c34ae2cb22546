"""Faults during a report run (issue #8): each leaves earlier reports intact,
no half-written file, a manifest that says what happened, and a clean resume.

Faults injected:

* the process rendering one förbund dies (SIGKILL) in the middle of its notebook;
* the disk refuses a file when it is put in place (ENOSPC at the rename);
* writes larger than a limit fail half-way (a real kernel limit, RLIMIT_FSIZE);
* the output folder cannot be written at all (checked before any work);
* the manifest itself cannot be written;
* Ctrl-C (SIGINT to the process group, as a terminal sends it) in the middle of a run,
  then the same command with --resume.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finsam_analysis.batch import pipeline
from finsam_analysis.report import html as report
from finsam_analysis.synthetic.sample import write_sample

from ..helpers import run_cli

FORBUND = ["skelleftea", "alv_och_kust", "vasterbergslagen"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults") / "data"
    write_sample(root, n_forbund=3, years=(2024, 2025))
    return root


def manifest(out_dir: Path) -> dict:
    return json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))


def leftovers(out_dir: Path) -> list[str]:
    """Temporary or half-written files."""
    return sorted(p.name for p in out_dir.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


def files_of(out_dir: Path, fid: str) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if p.name.startswith(fid + "."))


def test_a_dying_report_process_fails_alone(sample, tmp_path, monkeypatch):
    real = report.ForbundReport.section

    def section(self, title):
        if self.forbund_id == "alv_och_kust" and title == "Resultat vid avslut":
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        return real(self, title)

    monkeypatch.setattr(report.ForbundReport, "section", section)
    run = pipeline.run_reports(sample, "2025", FORBUND, out=tmp_path, jobs=1, progress=False)
    out = run.out_dir
    assert [r.status for r in run.results] == ["ok", "failed", "ok"]
    assert "SIGKILL" in run.results[1].error
    assert files_of(out, "alv_och_kust") == []  # its JSON and Excel were written, then removed
    assert files_of(out, "skelleftea") == ["skelleftea.html", "skelleftea.json", "skelleftea.xlsx"]
    assert files_of(out, "vasterbergslagen") == ["vasterbergslagen.html", "vasterbergslagen.json",
                                                 "vasterbergslagen.xlsx"]
    assert leftovers(out) == []
    m = manifest(out)
    assert m["status"] == "failed" and m["forbund"]["alv_och_kust"]["status"] == "failed"
    # rerun without the fault: --resume renders only what is missing
    monkeypatch.setattr(report.ForbundReport, "section", real)
    again = pipeline.run_reports(sample, "2025", FORBUND, out=tmp_path, jobs=1, progress=False, resume=True)
    assert [r.resumed for r in again.results] == [True, False, True]
    assert manifest(out)["status"] == "ok" and again.exit_code == 0


def test_disk_full_when_a_file_is_put_in_place(sample, tmp_path, monkeypatch):
    real = os.replace

    def replace(src, dst, *a, **kw):
        if Path(dst).name.startswith("alv_och_kust."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--all", "--out", tmp_path, "--jobs", "1",
                "--quiet")
    out = tmp_path / "2025"
    assert r.code == 1 and "Traceback" not in r.err
    assert "Misslyckades: alv_och_kust — Kunde inte skriva alv_och_kust." in r.err
    assert "No space left on device (felkod ENOSPC)" in r.err
    assert files_of(out, "alv_och_kust") == [] and leftovers(out) == []
    assert len(files_of(out, "skelleftea")) == 3 and len(files_of(out, "vasterbergslagen")) == 3
    assert manifest(out)["forbund"]["alv_och_kust"]["error"].startswith("Kunde inte skriva")


def _limit_file_size(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_writes_failing_half_way_leave_no_half_file(sample, tmp_path):
    """A real kernel limit: any file over 200 kB fails in mid-write (EFBIG)."""
    cmd = [sys.executable, "-m", "finsam_analysis.cli", "report", "--data-dir", str(sample), "--period", "2025",
           "--forbund", "skelleftea", "alv_och_kust", "--out", str(tmp_path), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=_limit_file_size(200_000), timeout=300)
    out = tmp_path / "2025"
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    # the HTML reports (about 1 MB) could not be written, so nothing of either förbund is left
    assert done.stderr.count("File too large (felkod EFBIG)") == 2
    assert files_of(out, "skelleftea") == [] and files_of(out, "alv_och_kust") == []
    assert leftovers(out) == []
    m = manifest(out)
    assert m["status"] == "failed" and {v["status"] for v in m["forbund"].values()} == {"failed"}


def test_an_unwritable_output_folder_is_refused_before_any_work(sample, tmp_path, monkeypatch):
    out = tmp_path / "ro"
    out.mkdir()
    if os.geteuid() != 0:  # a real read-only folder (root may write anyway)
        out.chmod(0o500)
    else:  # as root, the file system refuses instead
        import tempfile

        def refuse(*a, **kw):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        r = run_cli("report", "--data-dir", sample, "--period", "2025", "--all", "--out", out, "--quiet")
    finally:
        out.chmod(0o700)
    assert r.code == 2 and "Traceback" not in r.err
    assert "går inte att skriva till" in r.err and "--out" in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert not (out / "2025").exists() or list((out / "2025").iterdir()) == []


def test_a_manifest_that_cannot_be_written_is_one_sentence(sample, tmp_path, monkeypatch):
    real = pipeline.write_manifest
    calls = []

    def write_manifest(run, ctx, status):
        calls.append(status)
        if status != "running":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(run, ctx, status)

    monkeypatch.setattr(pipeline, "write_manifest", write_manifest)
    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--forbund", "skelleftea", "--out", tmp_path,
                "--format", "json", "--quiet")
    assert r.code == 1 and "Traceback" not in r.err
    assert "Kunde inte skriva manifest.json" in r.err and "No space left on device" in r.err
    assert (tmp_path / "2025" / "skelleftea.json").is_file()  # the finished report is kept
    assert manifest(tmp_path / "2025")["status"] == "running"  # the last manifest that could be written


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("started", ["foreground", "sigint-ignored"])
def test_ctrl_c_then_resume(sample, tmp_path, started):
    """Ctrl-C stops the run cleanly, also when it was started with SIGINT ignored.

    A shell ignores SIGINT for what it starts in the background (``make test
    &``); before the run set its own handler, Ctrl-C was then lost and the
    run finished with exit 0.
    """
    out = tmp_path / "2025"
    cmd = [sys.executable, "-m", "finsam_analysis.cli", "report", "--data-dir", str(sample), "--period", "2025",
           "--all", "--out", str(tmp_path), "--jobs", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_ignore_sigint if started == "sigint-ignored" else None)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # wait until the first report is done
        try:
            if any(v["status"] == "ok" for v in manifest(out)["forbund"].values()):
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("no report finished in time")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "avbrutet" in stderr and "--resume" in stderr
    m = manifest(out)
    assert m["status"] == "interrupted"
    done = [f for f, v in m["forbund"].items() if v["status"] == "ok"]
    assert done and len(done) < 3
    assert {v["status"] for f, v in m["forbund"].items() if f not in done} == {"interrupted"}
    for fid in FORBUND:  # finished reports whole; the others leave nothing
        assert len(files_of(out, fid)) == (3 if fid in done else 0)
    assert leftovers(out) == []
    stamps = {fid: (out / f"{fid}.html").stat().st_mtime_ns for fid in done}

    r = run_cli("report", "--data-dir", sample, "--period", "2025", "--all", "--out", tmp_path, "--quiet",
                "--resume")
    assert r.code == 0, r.err
    m = manifest(out)
    assert m["status"] == "ok" and all(v["status"] == "ok" for v in m["forbund"].values())
    assert {f for f, v in m["forbund"].items() if v.get("resumed")} == set(done)
    assert all((out / f"{fid}.html").stat().st_mtime_ns == t for fid, t in stamps.items())
    assert leftovers(out) == []
