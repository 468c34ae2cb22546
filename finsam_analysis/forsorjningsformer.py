"""Försörjningsformer i befolkningen: helårsekvivalenter per förbund over time.

Input is the normalised SCB table of DATA.md §10 (see :mod:`finsam_analysis.scb`)
and the förbund's members with their validity periods. The definitions are
REPORT.md §2:

* A förbund's monthly helårsekvivalenter per ersättning = the sum over the
  member kommuner valid that month; its folkmängd likewise.
* Per year: the mean over the year's months of those monthly sums; ``andel``
  = mean monthly summa / mean monthly folkmängd. "Andel av befolkningen" from
  SCB is never summed or averaged.
* A year with fewer than 12 months of data is marked partial.
* Riket (``00``) is the comparison.

Decisions where the spec is silent
----------------------------------
* A kommun is a member in every month its validity period touches: joining
  on 2008-04-01 (or 2008-04-15) counts from April 2008.
* A förbund month counts only when *every* member valid that month has data
  (summa and folkmängd). A month where one member is missing is left out
  rather than summed short, so a förbund never appears to shrink because a
  file lacks a kommun; such months are counted in ``manader_ofullstandiga``.
* ``befolkning_ar`` in key figures is the period's year when it has data,
  otherwise the latest earlier year with data (SCB publishes with a lag).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema

ERSATTNINGAR = tuple(schema.ERSATTNING)  # the six and "summa"
SEX = ERSATTNINGAR[:-1]
AGE = "20-64"
KEY = ["kommunkod", "manad", "kon", "aldersgrupp"]


def wide(he: pd.DataFrame) -> pd.DataFrame:
    """One row per kommun, month, kön and åldersgrupp; a column per ersättning.

    Also carries ``folkmangd`` and ``imputerad`` (any ersättning imputed).
    """
    values = he.pivot_table(
        index=KEY, columns="ersattning", values="helarsekvivalenter", aggfunc="first", dropna=False
    )
    values = values.reindex(columns=list(ERSATTNINGAR))
    values.columns.name = None
    extra = he.groupby(KEY, sort=False).agg(folkmangd=("folkmangd", "first"), imputerad=("imputerad", "any"))
    out = values.join(extra).reset_index()
    out["folkmangd"] = out["folkmangd"].astype("Float64")
    return out


def as_wide(he: pd.DataFrame) -> pd.DataFrame:
    """The table in wide form; passes an already wide table through.

    Every function here accepts either form, so a caller that measures many
    förbund (a batch) pivots once (``Dataset.scb_wide()``).
    """
    return he if "summa" in he.columns else wide(he)


def member_months(medlemmar: pd.DataFrame, forbund_id: str, months: pd.DatetimeIndex) -> pd.DataFrame:
    """(manad, kommunkod) pairs: the members valid in each month.

    A member is valid in a month its validity period touches.
    """
    m = medlemmar.loc[medlemmar["forbund_id"] == forbund_id, ["kommunkod", "giltig_from", "giltig_tom"]]
    if m.empty or len(months) == 0:
        return pd.DataFrame({"manad": pd.Series([], dtype="datetime64[ns]"), "kommunkod": pd.Series([], dtype="str")})
    month_end = months + pd.offsets.MonthEnd(0)
    pairs = m.merge(pd.DataFrame({"manad": months, "_slut": month_end}), how="cross")
    valid = (pairs["giltig_from"] <= pairs["_slut"]) & (
        pairs["giltig_tom"].isna() | (pairs["giltig_tom"] >= pairs["manad"])
    )
    return pairs.loc[valid, ["manad", "kommunkod"]].drop_duplicates().reset_index(drop=True)


def _select(w: pd.DataFrame, kon: str, aldersgrupp: str) -> pd.DataFrame:
    return w.loc[(w["kon"] == kon) & (w["aldersgrupp"] == aldersgrupp)]


def _complete(rows: pd.DataFrame) -> pd.Series:
    return rows["summa"].notna() & rows["folkmangd"].notna()


def forbund_monthly(
    he: pd.DataFrame,
    medlemmar: pd.DataFrame,
    forbund_id: str,
    *,
    kon: str = "totalt",
    aldersgrupp: str = AGE,
) -> pd.DataFrame:
    """Monthly helårsekvivalenter of the förbund's valid members.

    Returns
    -------
    DataFrame
        Indexed by ``manad`` (months with data for every valid member), with
        a column per ersättning, ``folkmangd``, ``andel`` (summa / folkmängd),
        ``kommuner`` (valid members) and ``imputerade`` (members whose value
        that month was imputed). Months where a member lacks data are left
        out; see the module docstring.
    """
    w = _select(as_wide(he), kon, aldersgrupp)
    months = pd.DatetimeIndex(sorted(w["manad"].unique()))
    members = member_months(medlemmar, forbund_id, months)
    rows = members.merge(w, on=["manad", "kommunkod"], how="left")
    rows["_ok"] = _complete(rows)
    per_month = rows.groupby("manad", sort=True)
    ok = per_month["_ok"].all()
    sums = per_month[list(ERSATTNINGAR) + ["folkmangd"]].sum(min_count=1)
    out = sums.loc[ok[ok].index].copy()
    out["kommuner"] = per_month["kommunkod"].nunique().loc[out.index]
    out["imputerade"] = per_month["imputerad"].sum().loc[out.index].astype("int64")
    out["andel"] = out["summa"] / out["folkmangd"]
    out.attrs["manader_ofullstandiga"] = int((~ok).sum())
    return out


def riket_monthly(he: pd.DataFrame, *, kon: str = "totalt", aldersgrupp: str = AGE) -> pd.DataFrame:
    """Monthly series of riket (``00``), same columns as :func:`forbund_monthly`."""
    w = _select(as_wide(he), kon, aldersgrupp)
    r = w.loc[(w["kommunkod"] == schema.RIKET) & _complete(w)].set_index("manad").sort_index()
    out = r[list(ERSATTNINGAR) + ["folkmangd"]].copy()
    out["kommuner"] = 1
    out["imputerade"] = r["imputerad"].astype("int64")
    out["andel"] = out["summa"] / out["folkmangd"]
    return out


def yearly(monthly: pd.DataFrame) -> pd.DataFrame:
    """Yearly means of a monthly series (REPORT.md §2).

    Returns a frame indexed by ``ar`` with the mean helårsekvivalenter per
    ersättning, mean ``folkmangd``, ``andel`` = mean summa / mean folkmängd,
    ``manader`` (months with data) and ``partiellt`` (fewer than 12).
    """
    if monthly.empty:
        cols = list(ERSATTNINGAR) + ["folkmangd", "andel", "manader", "partiellt", "imputerade"]
        return pd.DataFrame(columns=cols).rename_axis("ar")
    year = monthly.index.year.rename("ar")
    g = monthly.groupby(year)
    out = g[list(ERSATTNINGAR) + ["folkmangd"]].mean()
    out["andel"] = out["summa"] / out["folkmangd"]
    out["manader"] = g.size()
    out["partiellt"] = out["manader"] < 12
    out["imputerade"] = g["imputerade"].sum()
    return out


def per_kommun_yearly(
    he: pd.DataFrame, medlemmar: pd.DataFrame, forbund_id: str, *, kon: str = "totalt", aldersgrupp: str = AGE
) -> pd.DataFrame:
    """Yearly figures per member kommun, for the months it was a member.

    Returns a long frame: ``kommunkod``, ``ar``, the ersättningar,
    ``folkmangd``, ``andel``, ``manader``, ``partiellt``.
    """
    w = _select(as_wide(he), kon, aldersgrupp)
    months = pd.DatetimeIndex(sorted(w["manad"].unique()))
    members = member_months(medlemmar, forbund_id, months)
    rows = members.merge(w, on=["manad", "kommunkod"], how="inner")
    rows = rows.loc[_complete(rows)]
    parts = []
    for kommun, part in rows.groupby("kommunkod", sort=True):
        series = part.set_index("manad").sort_index()
        series = series.assign(imputerade=series["imputerad"].astype("int64"))
        y = yearly(series).reset_index()
        y.insert(0, "kommunkod", kommun)
        parts.append(y)
    if not parts:
        return pd.DataFrame(columns=["kommunkod", "ar"])
    return pd.concat(parts, ignore_index=True)


def population_figures(he: pd.DataFrame | None, medlemmar: pd.DataFrame, forbund_id: str, year: int) -> dict:
    """``befolkning_ar``, ``befolkning_andel_20_64``, ``riket_andel_20_64``.

    All ``None`` without data. The year is ``year`` if the förbund has data
    for it, else the latest earlier year with data.
    """
    none = {"befolkning_ar": None, "befolkning_andel_20_64": None, "riket_andel_20_64": None}
    if he is None or he.empty:
        return none
    f = yearly(forbund_monthly(he, medlemmar, forbund_id))
    f = f.loc[f.index <= year]
    if f.empty:
        return none
    chosen = int(f.index.max())
    r = yearly(riket_monthly(he))
    riket = float(r.at[chosen, "andel"]) if chosen in r.index else None
    return {
        "befolkning_ar": chosen,
        "befolkning_andel_20_64": float(f.at[chosen, "andel"]),
        "riket_andel_20_64": riket,
    }




def population_figures_all(
    he: pd.DataFrame | None, medlemmar: pd.DataFrame, forbund_ids, year: int
) -> dict[str, dict]:
    """:func:`population_figures` of many förbund in one pass.

    Gives, for each id, exactly what ``population_figures(he, medlemmar, id,
    year)`` gives (same sums in the same order), without redoing the riket
    series and the member-month join per förbund. ``he`` is the normalised
    table (one row per cell, as :func:`finsam_analysis.scb.read_directory`
    gives it), long or wide; only its summa and folkmängd are used, so the
    long table need not be pivoted.
    """
    forbund_ids = list(forbund_ids)
    none = {"befolkning_ar": None, "befolkning_andel_20_64": None, "riket_andel_20_64": None}
    if he is None or he.empty:
        return {fid: dict(none) for fid in forbund_ids}
    w = _summa_rows(he)
    months = pd.DatetimeIndex(sorted(w["manad"].unique()))
    members = _all_member_months(medlemmar, forbund_ids, months)
    rows = members.merge(w, on=["manad", "kommunkod"], how="left")
    rows["_ok"] = _complete(rows)
    per_month = rows.groupby(["forbund_id", "manad"], sort=True)
    ok = per_month["_ok"].all()
    sums = per_month[["summa", "folkmangd"]].sum(min_count=1).loc[ok[ok].index]
    year_of = sums.index.get_level_values("manad").year
    sums = sums.loc[year_of <= year]
    yearly_means = sums.groupby([sums.index.get_level_values("forbund_id"), year_of[year_of <= year].rename("ar")]).mean()
    # riket_monthly and yearly, for the one column needed here
    r = w.loc[(w["kommunkod"] == schema.RIKET) & _complete(w)].set_index("manad").sort_index()
    r = r[["summa", "folkmangd"]].groupby(r.index.year.rename("ar")).mean()
    riket = (r["summa"] / r["folkmangd"]).to_dict()
    latest = {}  # the rows come sorted by förbund and year: the last one wins
    for (fid, ar), summa, folkmangd in zip(
        yearly_means.index, yearly_means["summa"].to_numpy("float64"), yearly_means["folkmangd"].to_numpy("float64")
    ):
        latest[fid] = (int(ar), float(summa / folkmangd))
    out = {}
    for fid in forbund_ids:
        if fid not in latest:
            out[fid] = dict(none)
            continue
        chosen, andel = latest[fid]
        out[fid] = {
            "befolkning_ar": chosen,
            "befolkning_andel_20_64": andel,
            "riket_andel_20_64": float(riket[chosen]) if chosen in riket else None,
        }
    return out


def _summa_rows(he: pd.DataFrame) -> pd.DataFrame:
    """Summa and folkmängd of kön totalt, 20–64, one row per kommun and month."""
    if "summa" in he.columns:
        return _select(he, "totalt", AGE)
    rows = he.loc[(he["kon"] == "totalt") & (he["aldersgrupp"] == AGE) & (he["ersattning"] == "summa")]
    out = rows[["kommunkod", "manad", "kon", "aldersgrupp"]].assign(
        summa=rows["helarsekvivalenter"].to_numpy(),
        folkmangd=rows["folkmangd"].astype("Float64"),
        imputerad=rows["imputerad"].to_numpy(),
    )
    return out.reset_index(drop=True)


def _all_member_months(medlemmar: pd.DataFrame, forbund_ids: list[str], months: pd.DatetimeIndex) -> pd.DataFrame:
    """(forbund_id, manad, kommunkod) of every förbund, in :func:`member_months` order."""
    m = medlemmar.loc[medlemmar["forbund_id"].isin(forbund_ids), ["forbund_id", "kommunkod", "giltig_from", "giltig_tom"]]
    month_end = months + pd.offsets.MonthEnd(0)
    pairs = m.merge(pd.DataFrame({"manad": months, "_slut": month_end}), how="cross")
    valid = (pairs["giltig_from"] <= pairs["_slut"]) & (
        pairs["giltig_tom"].isna() | (pairs["giltig_tom"] >= pairs["manad"])
    )
    cols = ["forbund_id", "manad", "kommunkod"]
    return pairs.loc[valid, cols].drop_duplicates().reset_index(drop=True)
