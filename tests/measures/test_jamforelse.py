"""Observed/expected andel arbete/studier across förbund (issue 17, part 3).

Two independent checks: with one case-mix variable the pooled logistic model
is saturated, so each participant's expected probability is the pooled share
of their group (a hand computation); and on simulated förbund with a known
effect the indicator recovers the true ratio inside its interval.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from finsam_analysis.measures.jamforelse import CASE_MIX, observed_expected
from finsam_analysis.periods import parse_period

PERIOD = parse_period("2025")
END = pd.Timestamp(dt.date(2025, 6, 30))


def _frame(forbund, utfall, **columns) -> pd.DataFrame:
    n = len(forbund)
    base = {name: ["x"] * n for name in CASE_MIX}  # one level: left out of the model
    base.update(columns)
    return pd.DataFrame({"forbund_id": forbund, "slutdatum": [END] * n, "utfall": utfall, **base})


def test_with_one_variable_expected_is_the_pooled_share_of_each_group():
    # Förbund a: 60 kvinnor (30 to arbete), 40 män (10); b: 20 kvinnor (14), 80 män (30).
    # Pooled: kvinnor 44/80 = 0.55, män 40/120 = 1/3.
    rows = [("a", "kvinna", 30, 30), ("a", "man", 10, 30), ("b", "kvinna", 14, 6), ("b", "man", 30, 50)]
    forbund, kon, utfall = [], [], []
    for f, k, yes, no in rows:
        forbund += [f] * (yes + no)
        kon += [k] * (yes + no)
        utfall += ["arbete"] * yes + ["arbetssokande"] * no
    t = observed_expected(_frame(forbund, utfall, kon=kon), PERIOD)
    e_a, e_b = 60 * 0.55 + 40 / 3, 20 * 0.55 + 80 / 3
    assert t.at["a", "observerade"] == 40 and t.at["b", "observerade"] == 44
    assert t.at["a", "forvantade"] == pytest.approx(e_a, rel=1e-6)
    assert t.at["b", "forvantade"] == pytest.approx(e_b, rel=1e-6)
    assert t.at["a", "kvot"] == pytest.approx(40 / e_a, rel=1e-6)
    v_a = 60 * 0.55 * 0.45 + 40 * (1 / 3) * (2 / 3)
    assert t.at["a", "ki_hog"] - t.at["a", "kvot"] == pytest.approx(1.959964 * np.sqrt(v_a) / e_a, rel=1e-5)


def test_too_few_avslutade_gives_no_indicator():
    t = observed_expected(_frame(["a"] * 50, ["arbete", "ovriga"] * 25, kon=["kvinna", "man"] * 25), PERIOD)
    assert t.empty


def _simulate(rng, effects: dict[str, float], n_per: int = 500):
    """Förbund with different case mixes; the log-odds of arbete/studier get the förbund's effect."""
    frames, truth = [], {}
    for i, f in enumerate([f"f{j:02d}" for j in range(20)]):
        young = rng.random(n_per) < 0.2 + 0.03 * i  # the case mix differs between förbund
        ohalsa = rng.random(n_per) < 0.6 - 0.02 * i
        long_time = rng.random(n_per) < 0.5
        eta = -0.4 + 0.9 * young - 1.1 * ohalsa - 0.7 * long_time
        p_null = 1 / (1 + np.exp(-eta))
        p_true = 1 / (1 + np.exp(-(eta + effects.get(f, 0.0))))
        y = rng.random(n_per) < p_true
        truth[f] = p_true.sum() / p_null.sum()
        frames.append(_frame(
            [f] * n_per, np.where(y, "arbete", "ovriga"),
            aldersgrupp=np.where(young, "16-24", "30-39"),
            forsorjning_fore_grupp=np.where(ohalsa, "ohalsa", "arbetsmarknad"),
            tid_offentlig_forsorjning_fore=np.where(long_time, "over_5_ar", "under_1_ar"),
        ))  # fmt: skip
    return pd.concat(frames, ignore_index=True), truth


def test_a_known_forbund_effect_is_recovered_inside_the_interval():
    rng = np.random.default_rng(20251)
    d, truth = _simulate(rng, {"f03": 0.8, "f15": -0.7})
    t = observed_expected(d, PERIOD)
    for f in ("f03", "f15"):
        assert t.at[f, "ki_lag"] <= truth[f] <= t.at[f, "ki_hog"], (f, truth[f], t.loc[f].tolist())
    assert t.at["f03", "ki_lag"] > 1 and t.at["f15", "ki_hog"] < 1  # both effects are found
    others = t.drop(index=["f03", "f15"])
    covered = ((others["ki_lag"] <= others.index.map(truth)) & (others.index.map(truth) <= others["ki_hog"])).mean()
    assert covered >= 0.8
    assert t["observerade"].sum() == pytest.approx(t["forvantade"].sum(), rel=1e-6)  # logit with a constant
