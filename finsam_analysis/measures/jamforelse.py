"""A fair comparison across förbund: observed/expected andel arbete/studier (issue 17).

Förbund differ in who comes to them. A förbund whose participants are mostly
young people with gymnasieutbildning and short time on public försörjning
should reach a higher andel arbete/studier than one whose participants have
been on sjukersättning for years, whatever each förbund does. The indicator
divides what a förbund *observed* (avslutade who went to arbete/studier) by
what it would have had if its participants had done as well as participants
with the same case mix did in all förbund together (*expected*).

Method (docs/methods.md §3.11)
------------------------------
* One logistic regression of arbete/studier at exit on every förbund's
  avslutade in the period, pooled, with no förbund in it: kön, åldersgrupp,
  utbildningsnivå, försörjning före (group of the first listed source) and
  tid i offentlig försörjning före. A missing value is its own level; a
  level with fewer than ``min_cell`` avslutade, or fewer than ``min_cell``
  with or without the outcome, is merged into one level of small groups
  (the model's own rule: what can be estimated).
* Expected E = the sum over the förbund's avslutade of the predicted
  probability; observed O = their number in arbete/studier; the indicator is
  O/E (1 = as expected for that case mix).
* The 95 % interval is O/E ± 1.96·√V/E with V = Σ p(1 − p), the variance of
  O if each participant went to arbete/studier with the model's probability
  (the standardised-ratio interval used for funnel plots). It ignores the
  uncertainty of the pooled model, which is small beside a single förbund's.

All counts here are raw: :func:`finsam_analysis.disclosure.published.observed_expected`
decides what may be shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam_analysis.measures import outcomes
from finsam_analysis.periods import Period

#: The case mix: column of the prepared participations per variable.
CASE_MIX = ("kon", "aldersgrupp", "utbildningsniva", "forsorjning_fore_grupp", "tid_offentlig_forsorjning_fore")
_MERGED = "_ovriga"
Z = 1.959963984540054

CAVEATS = (
    "Kvoten observerat/förväntat jämför förbundets andel arbete/studier med vad deltagare med samma kön, ålder, "
    "utbildning, försörjning före och tid i offentlig försörjning nådde i alla förbund tillsammans. 1 betyder som "
    "förväntat. Den justerar bara för det som finns i data: hälsa, språk, arbetslivserfarenhet och den lokala "
    "arbetsmarknaden saknas, och deltagarna väljs till insatserna på olika sätt i olika förbund. Den visar "
    "alltså inte att ett förbund gör ett bättre eller sämre arbete. Intervallet (95 %) speglar slumpen i ett "
    "litet antal deltagare, inte fel i uppgifterna. Kvoten visas bara där förbundets andel arbete/studier visas."
)


def _design(av: pd.DataFrame, y: np.ndarray, threshold: int) -> pd.DataFrame:
    """Dummies of the case mix, small levels merged, the largest level of each as reference."""
    columns = {}
    for name in CASE_MIX:
        if name not in av:
            continue
        keys = av[name].astype(object).where(av[name].notna(), outcomes.MISSING).reset_index(drop=True)
        n = keys.value_counts()
        k = keys[y].value_counts().reindex(n.index, fill_value=0)
        small = [lvl for lvl in n.index if min(n[lvl], k[lvl], n[lvl] - k[lvl]) < threshold]
        keys = keys.where(~keys.isin(small), _MERGED)
        counts = keys.value_counts()
        if len(counts) < 2:
            continue
        reference = max(counts.index, key=lambda lvl: (int(counts[lvl]), str(lvl)))
        for lvl in sorted(counts.index, key=str):
            if lvl != reference:
                columns[f"{name}[{lvl}]"] = (keys == lvl).to_numpy(dtype="float64")
    X = pd.DataFrame(columns, index=range(len(av)))
    X.insert(0, "const", 1.0)
    return X


def expected_probabilities(av: pd.DataFrame, *, min_cell: int = 5) -> np.ndarray | None:
    """Each avslutad's probability of arbete/studier from the pooled case-mix model (None if it cannot be fitted)."""
    import statsmodels.api as sm

    y = av["utfall"].isin(["arbete", "studier"]).to_numpy(dtype=bool)
    if len(y) == 0 or y.all() or not y.any():
        return None
    X = _design(av, y, max(int(min_cell), 1))
    try:
        result = sm.Logit(y.astype("float64"), X).fit(disp=0, maxiter=200, method="newton")
    except Exception:  # noqa: BLE001 - singular or separated: no expected values
        return None
    if not result.mle_retvals.get("converged", False):
        return None
    return np.asarray(result.predict(X), dtype="float64")


def observed_expected(d: pd.DataFrame, period: Period, *, min_cell: int = 5, min_n: int = 100) -> pd.DataFrame:
    """Observed/expected andel arbete/studier per förbund, with its 95 % interval (counts raw).

    Parameters
    ----------
    d : DataFrame
        Prepared participations of every förbund
        (:func:`finsam_analysis.measures.outcomes.participations`).
    period : Period
        Avslutade with slutdatum in it.
    min_cell : int, default 5
        Levels of the case mix smaller than this are merged before the fit.
    min_n : int, default 100
        Fewest avslutade in all förbund together to fit the model at all;
        with fewer, the table is empty.

    Returns
    -------
    DataFrame
        Indexed by ``forbund_id``: ``avslutade``, ``observerade``,
        ``forvantade`` (float), ``kvot``, ``ki_lag``, ``ki_hog``.
    """
    av = d.loc[outcomes.ended(d, period)].reset_index(drop=True)
    columns = ["avslutade", "observerade", "forvantade", "kvot", "ki_lag", "ki_hog"]
    p = expected_probabilities(av, min_cell=min_cell) if len(av) >= min_n else None
    if p is None:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="forbund_id"))
    frame = pd.DataFrame({
        "forbund_id": av["forbund_id"].astype(str).to_numpy(),
        "y": av["utfall"].isin(["arbete", "studier"]).to_numpy(dtype="float64"),
        "p": p, "v": p * (1 - p),
    })  # fmt: skip
    g = frame.groupby("forbund_id", sort=True)
    out = pd.DataFrame({"avslutade": g.size(), "observerade": g["y"].sum().astype(int),
                        "forvantade": g["p"].sum(), "v": g["v"].sum()})  # fmt: skip
    half = Z * np.sqrt(out.pop("v")) / out["forvantade"]
    out["kvot"] = out["observerade"] / out["forvantade"]
    out["ki_lag"] = (out["kvot"] - half).clip(lower=0.0)
    out["ki_hog"] = out["kvot"] + half
    return out[columns]
