"""A samhällsekonomisk estimate per part: the change in public payments for the period's avslutade.

Method (docs/methods.md §3.10), in the plain terms the report uses:

* **Who**: the period's avslutade deltaganden (felregistreringar left out),
  as in "Försörjning före och efter".
* **What is counted**: each one's *primary* försörjning before and at exit.
  A source belongs to a part by :data:`finsam_analysis.schema.FORSORJNING_PART`
  (Försäkringskassan: sjukpenning, sjuk- och aktivitetsersättning;
  Arbetsförmedlingen: arbetslöshetsersättning, aktivitetsstöd,
  etableringsersättning; kommunen: försörjningsstöd). The region pays no
  försörjning: its costs (care) are not in the estimate.
* **Amounts**: the user's ``samhallsekonomi.csv``, one yearly amount per
  source for a person fully supported by it. The package ships no amounts:
  none could be checked against a public source here, so a source without
  an amount makes its part's figure unknown, never 0.
* **Per part**: payments per year before = Σ over sources of (deltaganden
  with it as primary source before) × amount; after the same at exit;
  change = after − before (negative: the part pays less).
* **Payback**: the förbund's costs of the year (``forbund_ekonomi.csv``)
  divided by the yearly decrease over all parts, in years; with the decrease
  20 % smaller and larger beside it.

What it leaves out, said in the report: there is no control group, so the
change is not the effect of the insats (some would have found work anyway);
everyone is counted as fully on their primary source for a whole year, with
no part-time and no return to benefits after exit; staff time of the parts
and care costs are not counted.
"""

from __future__ import annotations

import math

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.periods import Period

__all__ = ["SENSITIVITY", "part_payments", "payback_years", "source_counts", "unit_amounts"]

#: The sensitivity the report shows: the yearly decrease this much smaller and larger.
SENSITIVITY = 0.20


def unit_amounts(samhallsekonomi: pd.DataFrame) -> dict[str, float]:
    """Source code -> yearly amount (kr), for the sources whose amount is given."""
    rows = samhallsekonomi.dropna(subset=["belopp_kr_per_ar"])
    return {str(s): float(a) for s, a in zip(rows["forsorjning"], rows["belopp_kr_per_ar"])}


def source_counts(d: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Avslutade deltaganden of the period per primary source of a part, before and at exit.

    Returns
    -------
    DataFrame
        Index: the sources of :data:`~finsam_analysis.schema.FORSORJNING_PART`;
        columns ``part``, ``fore``, ``efter`` (integers).
    """
    ended = d["slutdatum"].between(pd.Timestamp(period.start), pd.Timestamp(period.end)).fillna(False)
    avslutade = d.loc[ended.to_numpy(dtype=bool)]
    before = avslutade["forsorjning_fore_primar"].astype("object").value_counts()
    after = avslutade["forsorjning_efter_primar"].astype("object").value_counts()
    sources = list(schema.FORSORJNING_PART)
    return pd.DataFrame(
        {
            "part": [schema.FORSORJNING_PART[s] for s in sources],
            "fore": [int(before.get(s, 0)) for s in sources],
            "efter": [int(after.get(s, 0)) for s in sources],
        },
        index=pd.Index(sources, name="forsorjning"),
    )


def part_payments(counts: pd.DataFrame, amounts: dict[str, float], at_mean: frozenset = frozenset()) -> pd.DataFrame:
    """Per part: payments per year before and after (kr), NaN where a source in use has no amount.

    A part in ``at_mean`` prices each of its sources at the plain mean of the
    amounts of all its sources, so that its kronor are its count times one
    fixed amount and give back no source's count (the report's disclosure
    rule, :mod:`finsam_analysis.report.tables_samhallsekonomi`).
    """
    out = {}
    for part in schema.PART:
        rows = counts.loc[counts["part"] == part]
        priced = dict(amounts)
        if part in at_mean:
            own = [amounts.get(s) for s in rows.index]
            mean = math.nan if any(a is None for a in own) or not own else sum(own) / len(own)
            priced.update({s: mean for s in rows.index})
        values = {}
        for when in ("fore", "efter"):
            used = rows.loc[rows[when] > 0]
            unknown = any(s not in priced or math.isnan(priced[s]) for s in used.index)
            values[when] = math.nan if unknown else float(sum(n * priced[s] for s, n in used[when].items()))
        out[part] = values
    return pd.DataFrame.from_dict(out, orient="index")[["fore", "efter"]]


def payback_years(cost: float | None, decrease: float | None) -> float | None:
    """Years for a yearly ``decrease`` to repay ``cost``; None without a cost or without a decrease."""
    if cost is None or decrease is None or math.isnan(decrease) or decrease <= 0:
        return None
    return cost / decrease
