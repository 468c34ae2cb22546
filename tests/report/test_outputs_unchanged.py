"""The reports publish what they published before issue 18's speed-ups.

``golden/`` holds the snapshots :mod:`tests.report.golden` wrote from the
code before that work (commit f703f1b): key figures, every table's cells and
texts, every figure's alternative text, for two förbund, a year and a half
year. The faster code (one SVD for the rank test instead of an elimination
loop, the population series computed once per report, ...) must give the
same, number for number.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.report import golden


def _differences(expected, actual, path="", out=None):
    """Paths where ``actual`` differs from ``expected``; floats equal to 1e-12 relative."""
    out = [] if out is None else out
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in expected or key not in actual:
                out.append(f"{path}/{key}: {'saknas nu' if key not in actual else 'ny'}")
            else:
                _differences(expected[key], actual[key], f"{path}/{key}", out)
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual)):
            _differences(e, a, f"{path}[{i}]", out)
    elif isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        if not math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-15):
            out.append(f"{path}: {expected!r} -> {actual!r}")
    elif expected != actual:
        out.append(f"{path}: {expected!r} -> {actual!r}")
    return out


@pytest.fixture(scope="module")
def now(tmp_path_factory):
    return golden.snapshots(tmp_path_factory.mktemp("golden") / "data")


def test_the_snapshots_cover_both_forbund_and_both_periods(now):
    stored = sorted(p.stem for p in golden.GOLDEN_DIR.glob("*.json"))
    assert stored == sorted(now) and len(stored) == golden.N_FORBUND * len(golden.PERIODS)


@pytest.mark.parametrize("name", sorted(p.stem for p in golden.GOLDEN_DIR.glob("*.json")))
def test_report_outputs_are_the_same_as_before(now, name):
    expected = json.loads((golden.GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(now[name], ensure_ascii=False))  # the same JSON round trip as the files
    assert expected["tables"], "a snapshot without tables compares nothing"
    diff = _differences(expected, actual)
    assert not diff, f"{name}: {len(diff)} skillnader, t.ex.\n" + "\n".join(diff[:15])
