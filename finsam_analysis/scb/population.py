"""Försörjningsformer i befolkningen: helårsekvivalenter per förbund over time.

Input is the normalised SCB table of docs/dataformat.md §10 (see :mod:`finsam_analysis.scb.read`)
and the förbund's members with their validity periods. The definitions are
docs/rapporter.md §2:

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
* The key figures' population share uses the months wholly inside the
  period that have data (docs/rapporter.md §1), never another year's: SCB publishes
  with a lag, so a recent period may have fewer months, or none (then the
  share is None, "uppgift saknas"). ``befolkning_ar`` is the period's last
  year.
"""

from __future__ import annotations

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.memo import PerDataset

ERSATTNINGAR = tuple(schema.ERSATTNING)  # the six and "summa"
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


#: Each loaded dataset's helårsekvivalenter in wide form (:func:`dataset_wide`).
_WIDE = PerDataset("helårsekvivalenter, wide")


def dataset_wide(dataset) -> pd.DataFrame | None:
    """``wide(dataset.helarsekvivalenter)``, pivoted once per loaded dataset (None without SCB data)."""
    if dataset.helarsekvivalenter is None:
        return None
    return _WIDE.get(dataset, "wide", lambda: wide(dataset.helarsekvivalenter))


#: Each loaded dataset's summa rows (:func:`dataset_summa_rows`).
_SUMMA = PerDataset("helårsekvivalenter, summa 20-64")


def dataset_summa_rows(dataset) -> pd.DataFrame | None:
    """The summa and folkmängd rows the key figures use, chosen once per loaded dataset.

    What :func:`population_figures` reads of the table (kön totalt, 20–64
    år), so a report's key figures of several periods do not each scan the
    whole long table. None without SCB data.
    """
    he = dataset.helarsekvivalenter
    if he is None:
        return None
    return _SUMMA.get(dataset, "summa", lambda: _summa_rows(he))


def as_wide(he: pd.DataFrame) -> pd.DataFrame:
    """The table in wide form; passes an already wide table through.

    Every function here accepts either form, so a caller that measures many
    förbund (a batch) pivots once (:func:`dataset_wide`).
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
    """Yearly means of a monthly series (docs/rapporter.md §2).

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


#: What the key figures say about the population when there is nothing to say.
NO_POPULATION = {
    "befolkning_ar": None, "befolkning_andel_20_64": None, "riket_andel_20_64": None,
    "_befolkning_manader": 0, "_befolkning_manader_perioden": 0,
}  # fmt: skip


def period_months(period) -> pd.DatetimeIndex:
    """The calendar months that lie wholly inside ``period`` (first days)."""
    first = pd.Timestamp(period.start)
    if first.day != 1:
        first = first + pd.offsets.MonthBegin(1)
    last = pd.Timestamp(period.end) + pd.Timedelta(days=1) - pd.offsets.MonthBegin(1)
    if last < first:
        return pd.DatetimeIndex([])
    return pd.date_range(first, last, freq="MS")


def population_figures(he: pd.DataFrame | None, medlemmar: pd.DataFrame, forbund_id: str, period) -> dict:
    """``befolkning_ar``, ``befolkning_andel_20_64``, ``riket_andel_20_64`` of a period.

    Only the months wholly inside the period count (docs/rapporter.md §1): the
    share is the mean monthly summa over the mean monthly folkmängd of those
    months that have data, never another year's. ``befolkning_ar`` is the
    year the period ends in. The private ``_befolkning_manader`` (months
    with data) and ``_befolkning_manader_perioden`` (months in the period)
    let a report mark a partial figure. Everything None without data.
    """
    return population_figures_all(he, medlemmar, [forbund_id], period)[forbund_id]


def population_figures_all(he: pd.DataFrame | None, medlemmar: pd.DataFrame, forbund_ids, period) -> dict[str, dict]:
    """:func:`population_figures` of many förbund in one pass.

    ``he`` is the normalised table (one row per cell, as
    :func:`finsam_analysis.scb.read.read_directory` gives it), long or wide; only
    its summa and folkmängd are used, so the long table need not be pivoted.
    """
    forbund_ids = list(forbund_ids)
    wanted = period_months(period)
    out = {fid: {**NO_POPULATION, "_befolkning_manader_perioden": len(wanted)} for fid in forbund_ids}
    if he is None or he.empty or len(wanted) == 0:
        return out
    w = _summa_rows(he)
    w = w.loc[w["manad"].isin(wanted)]
    months = pd.DatetimeIndex(sorted(w["manad"].unique()))
    members = _all_member_months(medlemmar, forbund_ids, months)
    rows = members.merge(w, on=["manad", "kommunkod"], how="left")
    rows["_ok"] = _complete(rows)
    per_month = rows.groupby(["forbund_id", "manad"], sort=True)
    ok = per_month["_ok"].all()
    sums = per_month[["summa", "folkmangd"]].sum(min_count=1).loc[ok[ok].index]
    r = w.loc[(w["kommunkod"] == schema.RIKET) & _complete(w)].set_index("manad").sort_index()
    for fid, part in sums.groupby(level="forbund_id", sort=False):
        used = part.index.get_level_values("manad")
        mean = part[["summa", "folkmangd"]].mean()
        riket = r.loc[r.index.isin(used), ["summa", "folkmangd"]]
        # Riket over the same months, and only when it has every one of them.
        riket_andel = float(riket["summa"].mean() / riket["folkmangd"].mean()) if len(riket) == len(used) else None
        out[fid].update(
            befolkning_ar=int(pd.Timestamp(period.end).year),
            befolkning_andel_20_64=float(mean["summa"] / mean["folkmangd"]),
            riket_andel_20_64=riket_andel,
            _befolkning_manader=int(len(used)),
        )
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
