"""The rank test: which unknowns a system of lines fixes (SVD, with the exact elimination as referee)."""

from __future__ import annotations

import numpy as np
import pytest

from finsam_analysis.disclosure import audit
from finsam_analysis.disclosure.audit import determined_columns, determined_columns_exact

# total = a + b, and b published as its own line: b is fixed, a and total only as a difference.
HAND = [
    (np.array([[1.0, -1.0, -1.0], [0.0, 0.0, 1.0]]), {2}),
    # t = a + b and t = c + d, with a = c: nothing alone is fixed.
    (np.array([[1.0, -1.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, -1.0, -1.0], [0.0, 1.0, 0.0, -1.0, 0.0]]), set()),
    # ... and t known outright on top (a one-member line): then b = d as well, still nothing fixed
    # but t; with a known too, everything is.
    (np.array([[1.0, -1.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, -1.0, -1.0], [1.0, 0.0, 0.0, 0.0, 0.0]]), {0}),
    (np.array([[1.0, -1.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, -1.0, -1.0], [1.0, 0.0, 0.0, 0.0, 0.0],
               [0.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 0.0]]), {0, 1, 2, 3, 4}),
]  # fmt: skip


@pytest.mark.parametrize("matrix, fixed", HAND)
def test_hand_systems(matrix, fixed):
    assert determined_columns_exact(matrix) == fixed
    assert determined_columns(matrix) == fixed


def _lines(rng, n_rows: int, n_cols: int) -> np.ndarray:
    """Random table lines: +1 a total, -1 each of one to five parts."""
    a = np.zeros((n_rows, n_cols))
    for r in range(n_rows):
        cols = rng.choice(n_cols, size=int(rng.integers(1, min(n_cols, 6) + 1)), replace=False)
        a[r, cols[0]] = 1.0
        a[r, cols[1:]] = -1.0
    return a


def test_svd_agrees_with_exact_elimination_on_random_line_systems():
    rng = np.random.default_rng(18)
    fixed_seen = 0
    for _ in range(300):
        a = _lines(rng, int(rng.integers(1, 25)), int(rng.integers(1, 60)))
        exact = determined_columns_exact(a)
        assert determined_columns(a) == exact
        fixed_seen += len(exact)
    assert fixed_seen > 100  # the systems fix something, so agreement means something


def test_a_rank_near_the_tolerance_goes_to_the_exact_elimination(monkeypatch):
    calls = []
    real = audit.determined_columns_exact
    monkeypatch.setattr(audit, "determined_columns_exact", lambda m: calls.append(1) or real(m))
    monkeypatch.setattr(audit, "_CLEAR", 10.0)  # every singular value now "near": exact decides
    matrix, fixed = HAND[0]
    assert audit.determined_columns(matrix) == fixed and calls
