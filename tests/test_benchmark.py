"""benchmarks/scale.py: DuckDB's independent SQL agrees with the package (no timings asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT_DIR = Path(__file__).resolve().parents[1]

pytest.importorskip("duckdb", reason="the bench extra (pip install -e '.[bench]') is not installed")


@pytest.fixture(scope="module")
def scale():
    spec = importlib.util.spec_from_file_location("scale", ROOT_DIR / "benchmarks" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_run(scale, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    return workdir, scale.run_scale(rows=4_000, workdir=workdir, repeat=1)


def test_duckdb_and_finsam_agree_on_every_forbund(small_run, scale):
    _, result = small_run
    assert result["agree"] is True
    assert result["forbund"] == scale.N_FORBUND
    assert 3_000 < result["rows"] < 5_000
    for key in ("finsam_load_s", "finsam_key_figures_s", "finsam_s", "duckdb_s", "ratio"):
        assert result[key] > 0
    assert result["finsam_s"] == pytest.approx(result["finsam_load_s"] + result["finsam_key_figures_s"], abs=2e-3)
    json.dumps(result)


def test_the_dataset_is_generated_once(small_run, scale):
    workdir, result = small_run
    folders = [p for p in workdir.iterdir() if p.is_dir()]
    assert [str(p) for p in folders] == [result["data_dir"]]  # no half-written copy left
    stamp = (folders[0] / "deltagande.csv").stat().st_mtime_ns
    assert scale.dataset_dir(4_000, workdir) == folders[0]
    assert (folders[0] / "deltagande.csv").stat().st_mtime_ns == stamp


def test_a_disagreement_is_loud(small_run, scale, monkeypatch):
    workdir, result = small_run
    real = scale.duckdb_key_figures

    def off_by_one(data_dir: Path, year: int):
        figures = real(data_dir, year)
        first = next(iter(figures))
        figures[first]["aktiva_deltagare"] += 1
        return figures

    monkeypatch.setattr(scale, "duckdb_key_figures", off_by_one)
    with pytest.raises(scale.BenchmarkMismatch, match="aktiva_deltagare"):
        scale.run_scale(rows=4_000, workdir=workdir, repeat=1)
