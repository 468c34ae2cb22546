"""The förbund's economy per year: income per part against the statutory split, costs, result.

Pure functions on ``Dataset.forbund_ekonomi`` (docs/dataformat.md §2) and
``Dataset.insats_ekonomi``. Money is not a count of persons: nothing here is
suppressed (a kostnad per deltagare is, in the report, with its persons).

Decisions where the brief is silent
-----------------------------------
* The members' contributions are split by law: Försäkringskassan half, the
  region a quarter and the member kommuner a quarter (Lag 2003:1210 om
  finansiell samordning av rehabiliteringsinsatser). Each part's statutory
  amount is its share of the year's *total contributions*, so the table
  shows how far each part paid its share of what was paid.
* The kommuner's quarter is shared as the förbund's agreement says
  (``avtalad_andel`` on each kommun's row, when every paying kommun has one),
  else by folkmängd 20–64 år, the yearly mean of SCB's monthly figures in the
  dataset (the population the package has; an agreement on total population
  gives other shares and belongs in ``avtalad_andel``). Without either the
  kommuner are shown together.
* Över-/underskott = summa intäkter − summa kostnader; a missing post is
  not 0 but "uppgift saknas" only when the förbund has no row of the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam_analysis import schema

__all__ = ["COSTS", "KOMMUNERNA", "PART_LABELS", "has_year", "intakter", "kommun_basis", "kommun_weights", "kostnader",
           "insats_budget"]  # fmt: skip

#: The cost posts, in the report's order.
COSTS = tuple(p for p in schema.EKONOMI_POST if p not in schema.EKONOMI_INTAKTER)
#: The row of the kommuner together (no kommunkod given).
KOMMUNERNA = "kommunerna"
PART_LABELS = {
    "medlemsavgift_forsakringskassan": "Försäkringskassan",
    "medlemsavgift_region": "Region",
    KOMMUNERNA: "Kommunerna",
    "ovriga_intakter": "Övriga intäkter",
}


def _year(ekonomi: pd.DataFrame, forbund_id: str, year: int) -> pd.DataFrame:
    rows = ekonomi.loc[(ekonomi["forbund_id"] == forbund_id).fillna(False).astype(bool)]
    return rows.loc[pd.to_numeric(rows["ar"], errors="coerce") == year]


def has_year(ekonomi: pd.DataFrame, forbund_id: str, year: int) -> bool:
    """Whether the förbund reported any post of its economy for ``year``."""
    return not _year(ekonomi, forbund_id, year).empty


def kommun_weights(helarsekvivalenter: pd.DataFrame | None, kommuner: list[str], year: int) -> dict[str, float] | None:
    """Each kommun's share of the kommuner's folkmängd 20–64 år in ``year`` (yearly mean), or None."""
    if helarsekvivalenter is None or not kommuner:
        return None
    he = helarsekvivalenter
    rows = he.loc[he["kommunkod"].isin(kommuner) & (he["kon"] == "totalt") & (he["aldersgrupp"] == "20-64")
                  & (he["ersattning"] == "summa") & (pd.DatetimeIndex(he["manad"]).year == year)]  # fmt: skip
    folk = rows.groupby("kommunkod")["folkmangd"].mean()
    if set(folk.index) != set(kommuner) or not (folk > 0).all():
        return None
    return {k: float(folk[k] / folk.sum()) for k in kommuner}


def intakter(ekonomi: pd.DataFrame, forbund_id: str, year: int, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Income per part in ``year``, with the statutory share of the contributions.

    Returns
    -------
    DataFrame
        Index: ``medlemsavgift_forsakringskassan``, ``medlemsavgift_region``,
        one kommunkod per paying kommun (or ``kommunerna``), then
        ``ovriga_intakter``; columns ``belopp_kr``, ``lagstadgad_andel`` (of
        the contributions; NaN for other income or an unknown kommun share)
        and ``lagstadgat_kr``. Empty without rows for the year.
    """
    rows = _year(ekonomi, forbund_id, year)
    if rows.empty:
        return pd.DataFrame(columns=["belopp_kr", "lagstadgad_andel", "lagstadgat_kr"], dtype="float64")
    amount = rows.groupby(rows["post"].astype(str))["belopp_kr"].sum()
    out = {p: [float(amount.get(p, 0.0)), schema.LAGSTADGAD_FORDELNING[p]]
           for p in ("medlemsavgift_forsakringskassan", "medlemsavgift_region")}  # fmt: skip
    out.update(_kommun_rows(rows, weights))
    out["ovriga_intakter"] = [float(amount.get("ovriga_intakter", 0.0)), np.nan]
    frame = pd.DataFrame.from_dict(out, orient="index", columns=["belopp_kr", "lagstadgad_andel"])
    contributions = float(amount.reindex(list(schema.LAGSTADGAD_FORDELNING)).fillna(0).sum())
    frame["lagstadgat_kr"] = frame["lagstadgad_andel"] * contributions
    return frame


def kommun_basis(ekonomi: pd.DataFrame, forbund_id: str, year: int, weights: dict[str, float] | None) -> str:
    """How the kommuner's quarter is shared: ``avtal``, ``folkmangd``, ``okand`` or ``tillsammans``."""
    return _basis(_year(ekonomi, forbund_id, year), weights)


def _basis(rows: pd.DataFrame, weights: dict[str, float] | None) -> str:
    kommun = rows.loc[rows["post"] == "medlemsavgift_kommun"]
    if kommun.empty or kommun["kommunkod"].isna().any():
        return "tillsammans"
    if kommun.groupby("kommunkod")["avtalad_andel"].first().notna().all():
        return "avtal"
    return "folkmangd" if weights is not None else "okand"


def _kommun_rows(rows: pd.DataFrame, weights: dict[str, float] | None) -> dict[str, list[float]]:
    """The kommuner's contributions: one row per kommun when each is known, else together."""
    quarter = schema.LAGSTADGAD_FORDELNING["medlemsavgift_kommun"]
    kommun = rows.loc[rows["post"] == "medlemsavgift_kommun"]
    basis = _basis(rows, weights)
    if basis == "tillsammans":
        return {KOMMUNERNA: [float(kommun["belopp_kr"].sum()), quarter]}
    paid = kommun.groupby("kommunkod")["belopp_kr"].sum()
    if basis == "avtal":
        shares = kommun.groupby("kommunkod")["avtalad_andel"].first().astype("float64").to_dict()
    elif basis == "folkmangd":
        shares = {k: weights.get(k, np.nan) for k in paid.index}
    else:
        shares = {k: np.nan for k in paid.index}
    return {str(k): [float(paid[k]), quarter * shares[k]] for k in sorted(paid.index)}


def kostnader(ekonomi: pd.DataFrame, forbund_id: str, year: int) -> pd.Series:
    """Costs per post in ``year`` (0 for a post without a row), or empty without rows for the year."""
    rows = _year(ekonomi, forbund_id, year)
    if rows.empty:
        return pd.Series(dtype="float64")
    amount = rows.groupby(rows["post"].astype(str))["belopp_kr"].sum()
    return pd.Series({p: float(amount.get(p, 0.0)) for p in COSTS}, dtype="float64")


def insats_budget(insats_ekonomi: pd.DataFrame, insatser: pd.DataFrame, year: int) -> pd.DataFrame:
    """Budget and utfall per insats of ``insatser`` in ``year`` (NaN where not given), in insats order."""
    rows = insats_ekonomi.loc[pd.to_numeric(insats_ekonomi["ar"], errors="coerce") == year]
    money = rows.set_index("insats_id")[["budget_kr", "utfall_kr"]].apply(pd.to_numeric, errors="coerce")
    out = insatser[["insats_id", "namn", "typ"]].set_index("insats_id")
    return out.join(money, how="left")
