"""`make bench` keeps working: a tiny run of benchmarks/bench.py (no timing asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_runs_and_reports_its_ratios(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FINSAM_PSEUDONYM_KEY", "cd" * 32)
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--forbund", "2", "--national", "3", "--skip-naive", "--skip-scale",
                       "--workdir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["forbund"] == 2 and results["machine"]["cores"] >= 1
    assert results["finsam_s"] > 0 and results["floor_s"] > 0
    assert results["finsam_over_floor"] == results["finsam_s"] / results["floor_s"]
    # the batch really rendered both förbund
    manifest = json.loads((tmp_path / "finsam" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and len(manifest["forbund"]) == 2
    assert results["national_forbund"] == 3 and results["national_over_goal"] == results["national_s"] / 30.0
    national = json.loads((tmp_path / "national" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    assert len(national["forbund"]) == 3 and national["parameters"]["formats"] == ["html", "xlsx", "json"]
    word = json.loads((tmp_path / "national-word" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    assert word["status"] == "ok" and word["parameters"]["formats"][0] == "docx"
    printed = capsys.readouterr().out
    assert "finsam report --all" in printed and "finsam / golv" in printed
