"""The measures of docs/rapporter.md §2, as pure functions on DataFrames.

Every function takes the *prepared* participations (:func:`prepare`: the
canonical ``deltagande`` table without felregistrering rows, plus derived
columns) and a :class:`~finsam_analysis.periods.Period`, and returns plain
numbers or a DataFrame. Nothing here suppresses: raw counts go to
:mod:`finsam_analysis.disclosure.rules` before anything is published.

Definitions (docs/rapporter.md §2, for a period P = [s, e], bounds inclusive)
--------------------------------------------------------------------
* aktiv: ``startdatum ≤ e`` and (``slutdatum`` empty or ``slutdatum ≥ s``).
* nya: ``startdatum`` in P; avslutade: ``slutdatum`` in P; pågående vid
  periodens slut: aktiv and (``slutdatum`` empty or ``> e``). Hence
  aktiva = avslutade + pågående.
* Outcome groups from ``sysselsattning_efter`` (docs/dataformat.md §6); empty counts
  as ``ovriga`` and as ``okand``.
* ``andel_arbete_studier`` = arbete_studier / avslutade with a 95 % Wilson
  interval.
* Tid i insats = ``slutdatum − startdatum`` in days for avslutade; quartiles
  by linear interpolation (numpy's default, as in Excel's KVARTIL.INK).
* Ålder = year of ``startdatum`` − ``fodelsear``.
* Försörjning: the primary source is the first listed; offentlig =
  groups ohalsa, arbetsmarknad, ekonomiskt_bistand; an empty source is not
  offentlig but stays in the denominator.

Decisions where docs/rapporter.md is silent
-----------------------------------
* Person-level counts (aktiva_deltagare and its splits) take a person's
  attributes (kön, åldersgrupp, utbildning, kommun) from their *latest
  aktiv participation in the period* (latest startdatum, then latest
  slutdatum, open last). So the split by kön, ålder, utbildning or kommun
  adds up to aktiva_deltagare; split by insats it need not, because one
  person can take part in two insatser.
* Participation-level measures (deltaganden, outcomes, tid i insats,
  försörjning) use each participation's own attributes, so every split adds
  up to its total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finsam_analysis import schema
from finsam_analysis.periods import Period
from finsam_analysis.memo import PerDataset
from finsam_analysis.ingest.validation import categorical_from_distinct, distinct_values, per_row

#: z for a two-sided 95 % interval (the 0.975 quantile of the normal).
Z95 = 1.959963984540054

#: Groupings a measure can be split by: name -> column of the prepared table.
SPLITS = {
    "kon": "kon",
    "aldersgrupp": "aldersgrupp",
    "utbildningsniva": "utbildningsniva",
    "folkbokforingskommun": "folkbokforingskommun",
    "remitterande_aktor": "remitterande_aktor",
    "insats": "insats_id",
}

#: Group key of a missing value in a split (merges with a vocabulary's own
#: ``okand``, e.g. utbildningsnivå; reports label it "Uppgift saknas").
MISSING = "okand"

OUTCOME_KEYS = ("arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "okand")
COUNT_KEYS = (
    "aktiva_deltagare",
    "kvinnor",
    "man",
    "kon_okand",
    "aktiva_deltaganden",
    "nya_deltaganden",
    "avslutade_deltaganden",
    "pagaende_vid_periodens_slut",
) + OUTCOME_KEYS


# --------------------------------------------------------------------------
# Preparation: derived columns, computed once per dataset
# --------------------------------------------------------------------------

#: The prepared participations of each loaded dataset (:func:`participations`).
_PREPARED = PerDataset("prepared participations")


def participations(dataset) -> pd.DataFrame:
    """``prepare(dataset.deltagande)``, computed once per loaded dataset.

    A batch of förbund reports shares the work (the batch prepares them
    before forking). Treat the result as read-only.
    """
    return _PREPARED.get(dataset, "prepared", lambda: prepare(dataset.deltagande))


def measurable(dataset) -> pd.DataFrame:
    """The prepared participations if already made, else ``dataset.deltagande``.

    :func:`summaries` takes either; for the key figures of every förbund at
    once, preparing a copy of every column first would cost more than the
    figures themselves.
    """
    return _PREPARED.peek(dataset, "prepared", dataset.deltagande)



def _primary(values: pd.Series) -> pd.Series:
    """First source of a ``;``-separated list (the *primary* source)."""
    # replace() keeps the string dtype even when every value is missing,
    # where split().str[0] would fail on an all-empty column.
    return values.astype("str").str.replace(r";.*$", "", regex=True)


def prepare(deltagande: pd.DataFrame) -> pd.DataFrame:
    """Participations ready for measuring.

    Leaves out ``avslutsanledning = felregistrering`` (docs/rapporter.md §2) and adds
    ``alder``, ``aldersgrupp``, ``utfall`` (outcome group), ``utfall_okand``,
    ``forsorjning_fore_primar``/``_efter_primar`` with their groups
    (``forsorjning_fore_grupp``/``_efter_grupp``), ``offentlig_fore``/``_efter``
    and ``tid_dagar``.

    Parameters
    ----------
    deltagande : DataFrame
        The canonical table (``Dataset.deltagande``).

    Returns
    -------
    DataFrame
        A new frame; the input is not modified.
    """
    # .loc gives a new frame (pandas copy-on-write): no second copy needed.
    d = deltagande.loc[deltagande["avslutsanledning"] != schema.FELREGISTRERING]
    d = d.reset_index(drop=True)
    alder = (d["startdatum"].dt.year - d["fodelsear"]).astype("Int64")
    d["alder"] = alder
    # pd.cut of the few distinct ages, spread back by code: the same ordered
    # categorical as cutting every row.
    positions, ages = distinct_values(alder)
    cut = pd.cut(ages.astype("float64"), bins=[-1, 15, 24, 29, 39, 49, 200], labels=list(schema.ALDERSGRUPPER))
    d["aldersgrupp"] = pd.Categorical.from_codes(cut.cat.codes.to_numpy()[positions], dtype=cut.dtype)
    d["utfall"], d["utfall_okand"] = _utfall(d["sysselsattning_efter"])
    for when in ("fore", "efter"):
        f = _forsorjning(d[f"forsorjning_{when}"])
        d[f"forsorjning_{when}_primar"] = per_row(f.primary, f.positions, d.index)
        d[f"forsorjning_{when}_grupp"] = categorical_from_distinct(
            f.grupp, f.positions, schema.FORSORJNING_GRUPP_LABELS
        )
        d[f"offentlig_{when}"] = f.offentlig[f.positions]
    d["tid_dagar"] = _days(d)
    return d


# The derived codes are worked out once per distinct value and spread back
# (distinct_values): a few dozen labels over a million rows. prepare() and
# summaries() on the canonical table share these, so they agree exactly.


def _utfall(efter: pd.Series) -> tuple[pd.Categorical, np.ndarray]:
    """Outcome group of ``sysselsattning_efter`` and whether it is unknown."""
    positions, distinct = distinct_values(efter)
    grupp = distinct.map(dict(schema.UTFALL_GRUPP)).fillna("ovriga")
    okand = (distinct.isna() | (distinct == "okand")).to_numpy()[positions]
    return categorical_from_distinct(grupp, positions, schema.UTFALL_GRUPP_LABELS), okand


@dataclass
class _Sources:
    """Per distinct försörjning list: the primary source, its group, offentlig."""

    positions: np.ndarray
    primary: pd.Series
    grupp: pd.Series
    offentlig: np.ndarray


def _forsorjning(lists: pd.Series) -> _Sources:
    positions, distinct = distinct_values(lists)
    primary = _primary(distinct)
    grupp = primary.map(dict(schema.FORSORJNING_GRUPP)).fillna("okand")
    return _Sources(positions, primary, grupp, grupp.isin(schema.OFFENTLIG_FORSORJNING_GRUPPER).to_numpy())


def _days(d: pd.DataFrame) -> pd.Series:
    """Tid i insats in days (missing while pågående)."""
    return (d["slutdatum"] - d["startdatum"]).dt.days.astype("Float64")


# --------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------


def _bounds(period: Period) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(period.start), pd.Timestamp(period.end)


def active(d: pd.DataFrame, period: Period) -> pd.Series:
    """Participations aktiva in ``period``."""
    s, e = _bounds(period)
    return (d["startdatum"] <= e) & (d["slutdatum"].isna() | (d["slutdatum"] >= s))


def started(d: pd.DataFrame, period: Period) -> pd.Series:
    """Participations with ``startdatum`` in ``period`` (nya)."""
    s, e = _bounds(period)
    return (d["startdatum"] >= s) & (d["startdatum"] <= e)


def ended(d: pd.DataFrame, period: Period) -> pd.Series:
    """Participations with ``slutdatum`` in ``period`` (avslutade)."""
    s, e = _bounds(period)
    return ((d["slutdatum"] >= s) & (d["slutdatum"] <= e)).fillna(False).astype(bool)


def ongoing_at_end(d: pd.DataFrame, period: Period) -> pd.Series:
    """Aktiva participations still going on after the period's last day."""
    _, e = _bounds(period)
    return active(d, period) & (d["slutdatum"].isna() | (d["slutdatum"] > e))


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval for the proportion k/n; ``(None, None)`` if n = 0."""
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At k = 0 (k = n) the lower (upper) bound is exactly 0 (1); floating
    # point would otherwise give 1e-17 or 0.9999999999999999.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def share(k: int, n: int) -> float | None:
    """k/n, or None when n is 0 (a share that cannot be computed)."""
    return k / n if n else None


def latest_per_person(d: pd.DataFrame) -> pd.DataFrame:
    """One row per deltagare_id: their latest participation in ``d``.

    Latest = latest startdatum, then latest slutdatum (an open one last),
    then one with kön before one without, then the highest deltagande_id:
    a person's kön (and other attributes) never depend on the order of the
    rows in the förbund's file.
    """
    far = pd.Timestamp("2262-01-01")
    order = d.assign(_slut=d["slutdatum"].fillna(far), _kon=d["kon"].notna(), _id=_ids(d))
    order = order.sort_values(["deltagare_id", "startdatum", "_slut", "_kon", "_id"], kind="stable")
    return order.drop_duplicates("deltagare_id", keep="last").drop(columns=["_slut", "_kon", "_id"])


def _ids(d: pd.DataFrame) -> pd.Series:
    """``deltagande_id`` as text (the loader always gives one; a bare frame falls back to its row labels)."""
    if "deltagande_id" in d.columns:
        return d["deltagande_id"].astype(str)
    return pd.Series([f"{i:012d}" for i in range(len(d))], index=d.index, dtype=str)


def person_counts(d: pd.DataFrame, period: Period) -> dict[str, int]:
    """aktiva_deltagare with kvinnor / man / kon_okand."""
    people = latest_per_person(d.loc[active(d, period)])
    kon = people["kon"].astype("object")
    return {
        "aktiva_deltagare": len(people),
        "kvinnor": int((kon == "kvinna").sum()),
        "man": int((kon == "man").sum()),
        "kon_okand": int(kon.isna().sum()),
    }


def participation_counts(d: pd.DataFrame, period: Period) -> dict[str, int]:
    """aktiva, nya, avslutade and pågående deltaganden."""
    return {
        "aktiva_deltaganden": int(active(d, period).sum()),
        "nya_deltaganden": int(started(d, period).sum()),
        "avslutade_deltaganden": int(ended(d, period).sum()),
        "pagaende_vid_periodens_slut": int(ongoing_at_end(d, period).sum()),
    }


def outcome_counts(avslutade: pd.DataFrame) -> dict[str, int]:
    """Resultat vid avslut over the given avslutade participations."""
    counts = avslutade["utfall"].value_counts()
    out = {g: int(counts.get(g, 0)) for g in schema.UTFALL_GRUPP_LABELS}
    out["arbete_studier"] = out["arbete"] + out["studier"]
    out["okand"] = int(avslutade["utfall_okand"].sum())
    return {k: out[k] for k in OUTCOME_KEYS}


def omfattning(avslutade: pd.DataFrame) -> dict[str, int | float | None]:
    """Increased omfattning: ``okat_omfattning`` over those with both values known."""
    both = avslutade["omfattning_fore"].notna() & avslutade["omfattning_efter"].notna()
    known = avslutade.loc[both]
    okat = int((known["omfattning_efter"] > known["omfattning_fore"]).sum())
    return {
        "okat_omfattning": okat,
        "omfattning_kand": int(both.sum()),
        "andel_okat_omfattning": share(okat, int(both.sum())),
    }


def tid_i_insats(avslutade: pd.DataFrame) -> dict[str, float | int | None]:
    """Median and quartiles of days in insats for avslutade participations."""
    days = avslutade["tid_dagar"].dropna().to_numpy(dtype="float64")
    if len(days) == 0:
        return {"n": 0, "q1": None, "median": None, "q3": None}
    q1, med, q3 = np.percentile(days, [25, 50, 75])
    return {"n": int(len(days)), "q1": float(q1), "median": float(med), "q3": float(q3)}


def forsorjning_shares(avslutade: pd.DataFrame) -> dict[str, int | float | None]:
    """Offentlig försörjning before and after, over avslutade_deltaganden.

    Also how many have a known source before and after
    (``forsorjning_fore_kand``, ``_efter_kand``): with none known the share
    is not 0 but unknown (docs/rapporter.md §2), which :func:`apply_unknown` says.
    """
    n = len(avslutade)
    fore = int(avslutade["offentlig_fore"].sum())
    efter = int(avslutade["offentlig_efter"].sum())
    return {
        "offentlig_fore": fore,
        "offentlig_efter": efter,
        "andel_offentlig_forsorjning_fore": share(fore, n),
        "andel_offentlig_forsorjning_efter": share(efter, n),
        "forsorjning_fore_kand": int((avslutade["forsorjning_fore_grupp"].astype(object) != "okand").sum()),
        "forsorjning_efter_kand": int((avslutade["forsorjning_efter_grupp"].astype(object) != "okand").sum()),
    }


#: Counts and shares that rest on ``sysselsattning_efter``.
SYSSELSATTNING_KEYS = ("arbete", "studier", "arbete_studier", "arbetssokande", "ovriga",
                       "andel_arbete_studier", "ci_low", "ci_high")  # fmt: skip


def apply_unknown(s: dict) -> dict:
    """Figures whose underlying column is unknown become None, never 0 (docs/rapporter.md §2).

    When avslutade exist but none has a known ``sysselsattning_efter``, the
    outcome groups and their share are unknown (``okand`` still counts them);
    likewise the offentlig försörjning shares without a known source before
    (after), and ``andel_okat_omfattning`` without both omfattning known.
    Returns a new dictionary.
    """
    out = dict(s)
    n = out.get("avslutade_deltaganden") or 0
    if n and out.get("sysselsattning_efter_kand") == 0:
        for key in SYSSELSATTNING_KEYS:
            out[key] = None
    for when in ("fore", "efter"):
        if n and out.get(f"forsorjning_{when}_kand") == 0:
            out[f"andel_offentlig_forsorjning_{when}"] = None
    return out


def forsorjning_transition(avslutade: pd.DataFrame) -> pd.DataFrame:
    """Counts of försörjning group before (rows) → after (columns).

    Every group of docs/dataformat.md §6 appears as a row and a column, in vocabulary
    order, so tables of different förbund line up.
    """
    return pd.crosstab(
        avslutade["forsorjning_fore_grupp"], avslutade["forsorjning_efter_grupp"], dropna=False
    ).rename_axis(index="fore", columns="efter")


def summary(d: pd.DataFrame, period: Period) -> dict[str, int | float | None]:
    """Every scalar measure of docs/rapporter.md §2 for the participations ``d``.

    Returns raw (unsuppressed) values: counts, shares (fractions), the Wilson
    interval, omfattning, tid i insats and offentlig försörjning, plus the
    denominators disclosure control needs (``omfattning_kand``,
    ``offentlig_fore``, ``offentlig_efter``).
    """
    out: dict[str, int | float | None] = {}
    out.update(person_counts(d, period))
    out.update(participation_counts(d, period))
    avslutade = d.loc[ended(d, period)]
    out.update(outcome_counts(avslutade))
    n = out["avslutade_deltaganden"]
    out["sysselsattning_efter_kand"] = n - out["okand"]
    out["andel_arbete_studier"] = share(out["arbete_studier"], n)
    out["andel_okand"] = share(out["okand"], n)
    out["ci_low"], out["ci_high"] = wilson_interval(out["arbete_studier"], n)
    out.update(omfattning(avslutade))
    tid = tid_i_insats(avslutade)
    out["tid_i_insats_median_dagar"] = tid["median"]
    out["tid_i_insats_q1_dagar"] = tid["q1"]
    out["tid_i_insats_q3_dagar"] = tid["q3"]
    out.update(forsorjning_shares(avslutade))
    return out


def summaries(d: pd.DataFrame, period: Period, column: str, keys) -> dict[object, dict]:
    """:func:`summary` of each group's own rows, for many groups in one pass.

    ``summaries(d, period, "forbund_id", ids)[fid]`` equals
    ``summary(d.loc[d["forbund_id"] == fid], period)`` value for value (a
    person is counted in every group they have an aktiv participation in),
    but costs one pass over ``d`` instead of one per group: the key figures
    of every förbund of a national dataset at once.

    Parameters
    ----------
    d : DataFrame
        Prepared participations (:func:`prepare`), or the canonical table
        itself (``Dataset.deltagande``): then felregistrering rows are left
        out by a mask and the derived values are worked out here, which
        spares building the prepared copy of every column.
    period : Period
    column : str
        The grouping column, e.g. ``"forbund_id"``.
    keys : iterable
        The groups wanted; a group without rows gets the summary of no rows.

    Returns
    -------
    dict
        Group → the dictionary :func:`summary` returns, same keys and order.
    """
    keys = list(keys)
    positions, distinct = distinct_values(d[column])
    group = pd.Index(keys).get_indexer(distinct.astype(object))[positions]
    k = len(keys)
    group, derived = _derived_columns(d, group)

    def count(mask) -> np.ndarray:
        mask = np.asarray(mask, dtype=bool) & (group >= 0)
        return np.bincount(group[mask], minlength=k)

    act = active(d, period).to_numpy(dtype=bool)
    avsl = ended(d, period).to_numpy(dtype=bool)
    persons = _latest_kon_per_person(d, act, group, k)
    counts = {
        "aktiva_deltagare": persons.sum(axis=1),
        "kvinnor": persons[:, 0],
        "man": persons[:, 1],
        "kon_okand": persons[:, 2],
        "aktiva_deltaganden": count(act),
        "nya_deltaganden": count(started(d, period)),
        "avslutade_deltaganden": count(avsl),
        "pagaende_vid_periodens_slut": count(ongoing_at_end(d, period)),
    }
    for code, name in enumerate(schema.UTFALL_GRUPP_LABELS):
        counts[name] = count(avsl & (derived["utfall"] == code))
    counts["arbete_studier"] = counts["arbete"] + counts["studier"]
    counts["okand"] = count(avsl & derived["utfall_okand"])
    fore, efter = d["omfattning_fore"], d["omfattning_efter"]
    both = avsl & (fore.notna() & efter.notna()).to_numpy(dtype=bool)
    okat = both & (efter > fore).fillna(False).to_numpy(dtype=bool)
    counts["okat_omfattning"], counts["omfattning_kand"] = count(okat), count(both)
    for when in ("fore", "efter"):
        counts[f"offentlig_{when}"] = count(avsl & derived["offentlig"][when])
        counts[f"forsorjning_{when}_kand"] = count(avsl & derived["kand"][when])
    tid = _days_per_group(derived["days"], avsl & (group >= 0), group, k)
    return {key: _summary_row(counts, i, tid[i]) for i, key in enumerate(keys)}


def _derived_columns(d: pd.DataFrame, group: np.ndarray) -> tuple[np.ndarray, dict]:
    """The outcome code, unknown outcome, offentlig and known försörjning, and days in insats, per row.

    From the prepared columns when ``d`` is prepared; else worked out from
    the canonical ones, and the felregistrering rows put in no group.
    """
    if "utfall" in d.columns:
        return group, {
            "utfall": d["utfall"].cat.codes.to_numpy(),
            "utfall_okand": d["utfall_okand"].to_numpy(dtype=bool),
            "offentlig": {when: d[f"offentlig_{when}"].to_numpy(dtype=bool) for when in ("fore", "efter")},
            "kand": {when: (d[f"forsorjning_{when}_grupp"].astype(object) != "okand").to_numpy(dtype=bool)
                     for when in ("fore", "efter")},
            "days": d["tid_dagar"],
        }  # fmt: skip
    # prepare() leaves felregistrering out; here it is a group of none.
    group = np.where((d["avslutsanledning"] != schema.FELREGISTRERING).to_numpy(dtype=bool), group, -1)
    cat, utfall_okand = _utfall(d["sysselsattning_efter"])
    offentlig, kand = {}, {}
    for when in ("fore", "efter"):
        f = _forsorjning(d[f"forsorjning_{when}"])
        offentlig[when] = f.offentlig[f.positions]
        kand[when] = (f.grupp != "okand").to_numpy()[f.positions]
    return group, {"utfall": cat.codes, "utfall_okand": utfall_okand, "offentlig": offentlig, "kand": kand,
                   "days": _days(d)}  # fmt: skip


def _summary_row(counts: dict, i: int, days: np.ndarray) -> dict:
    """One group's dictionary of :func:`summary`, from the counts of every group."""
    row: dict[str, int | float | None] = {name: int(counts[name][i]) for name in COUNT_KEYS}
    n = row["avslutade_deltaganden"]
    row["sysselsattning_efter_kand"] = n - row["okand"]
    row["andel_arbete_studier"] = share(row["arbete_studier"], n)
    row["andel_okand"] = share(row["okand"], n)
    row["ci_low"], row["ci_high"] = wilson_interval(row["arbete_studier"], n)
    row["okat_omfattning"] = int(counts["okat_omfattning"][i])
    row["omfattning_kand"] = int(counts["omfattning_kand"][i])
    row["andel_okat_omfattning"] = share(row["okat_omfattning"], row["omfattning_kand"])
    if len(days):
        q1, med, q3 = (float(q) for q in np.percentile(days, [25, 50, 75]))
    else:
        q1 = med = q3 = None
    row["tid_i_insats_median_dagar"] = med
    row["tid_i_insats_q1_dagar"] = q1
    row["tid_i_insats_q3_dagar"] = q3
    row["offentlig_fore"] = int(counts["offentlig_fore"][i])
    row["offentlig_efter"] = int(counts["offentlig_efter"][i])
    row["andel_offentlig_forsorjning_fore"] = share(row["offentlig_fore"], n)
    row["andel_offentlig_forsorjning_efter"] = share(row["offentlig_efter"], n)
    row["forsorjning_fore_kand"] = int(counts["forsorjning_fore_kand"][i])
    row["forsorjning_efter_kand"] = int(counts["forsorjning_efter_kand"][i])
    return row


def _latest_kon_per_person(d: pd.DataFrame, act: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    """Per group, persons aktiva by the kön of their latest participation.

    The rule of :func:`latest_per_person`, done for all groups at once:
    latest startdatum, then latest slutdatum (open last), then a known kön,
    then the highest deltagande_id.
    Returns a (groups, 3) array of counts: kvinna, man, kön missing.
    """
    rows = np.flatnonzero(act & (group >= 0))
    g = group[rows]
    person, _ = pd.factorize(d["deltagare_id"].take(rows))
    start = d["startdatum"].take(rows).to_numpy(dtype="datetime64[ns]").view("int64")
    slut = d["slutdatum"].take(rows).to_numpy(dtype="datetime64[ns]")
    slut = np.where(np.isnat(slut), np.iinfo(np.int64).max, slut.view("int64"))
    has_kon = d["kon"].take(rows).notna().to_numpy()
    ident, _ = pd.factorize(_ids(d).take(rows), sort=True)
    order = np.lexsort((ident, has_kon, slut, start, person, g))
    g, person = g[order], person[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (g[1:] != g[:-1]) | (person[1:] != person[:-1])
    kon = d["kon"].take(rows[order[last]]).astype(object)
    which = np.select([(kon == "kvinna").to_numpy(), (kon == "man").to_numpy()], [0, 1], 2)
    out = np.zeros((k, 3), dtype=np.int64)
    np.add.at(out, (g[last], which), 1)
    return out


def _days_per_group(days: pd.Series, mask: np.ndarray, group: np.ndarray, k: int) -> list[np.ndarray]:
    """The known tid i insats (days) of the masked rows, split by group."""
    values = days.to_numpy(dtype="float64", na_value=np.nan)
    keep = mask & ~np.isnan(values)
    g, values = group[keep], values[keep]
    order = np.argsort(g, kind="stable")
    bounds = np.searchsorted(g[order], np.arange(k + 1))
    values = values[order]
    return [values[bounds[i] : bounds[i + 1]] for i in range(k)]


def summary_by(d: pd.DataFrame, period: Period, by: str) -> pd.DataFrame:
    """:func:`summary` for each group of a split (see :data:`SPLITS`).

    Person-level counts follow each person's latest aktiv participation
    (module docstring), except for ``insats`` where a person is counted in
    every insats they take part in. Groups come in vocabulary order with
    empty groups kept (as zeros) for coded splits; missing values form the
    group :data:`MISSING` (``"okand"``) when present.
    """
    if by not in SPLITS:
        raise ValueError(f"Okänd uppdelning '{by}'. Välj bland {', '.join(SPLITS)}.")
    col = SPLITS[by]
    # summaries() gives summary() of each group's rows in one pass (equal value for value).
    if by == "insats":
        keys = list(d.groupby(col, sort=True, observed=True).size().index)
        rows = summaries(d, period, col, keys)
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)
    groups = _group_keys(d[col])
    grouped = d.assign(_grupp=groups)
    people = latest_per_person(grouped.loc[active(d, period)])
    keys = _categories(d[col], groups)
    together = summaries(grouped, period, "_grupp", keys)
    rows = {}
    for key in keys:
        row = together[key]
        # Person counts: by the group of each person's latest participation.
        chosen = people.loc[(people["_grupp"] == key).to_numpy()]
        kon = chosen["kon"].astype("object")
        row.update(
            aktiva_deltagare=len(chosen),
            kvinnor=int((kon == "kvinna").sum()),
            man=int((kon == "man").sum()),
            kon_okand=int(kon.isna().sum()),
        )
        rows[key] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


def _group_keys(values: pd.Series) -> pd.Series:
    """Group key per row; a missing value is the group :data:`MISSING`."""
    return values.astype("object").where(values.notna(), MISSING)


def _categories(values: pd.Series, groups: pd.Series) -> list:
    """Groups in report order: the vocabulary's, then the missing group."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = list(values.cat.categories)
    else:
        cats = sorted(values.dropna().unique().tolist())
    if MISSING not in cats and (groups == MISSING).any():
        cats.append(MISSING)
    return cats


# --------------------------------------------------------------------------
# Insatser against their targets, and the monthly series
# --------------------------------------------------------------------------


def insatser_mot_mal(
    d: pd.DataFrame, insatser: pd.DataFrame, ekonomi: pd.DataFrame | None, period: Period
) -> pd.DataFrame:
    """Per individinriktad insats: volumes and results against targets.

    Columns: ``insats_id``, ``namn``, ``aktiva_deltagare``,
    ``mal_deltagare_per_ar``, ``avslutade_deltaganden``, ``arbete_studier``,
    ``andel_arbete_studier``, ``mal_andel_arbete_studier``, ``utfall_kr``,
    ``kostnad_per_deltagare`` (utfall_kr / aktiva_deltagare). Targets are per
    year, so docs/rapporter.md §2 compares them for annual periods; for other periods
    the target columns are returned empty (None).
    """
    ind = insatser.loc[insatser["typ"] == "individinriktad"].sort_values("insats_id")
    by = summary_by(d, period, "insats") if len(d) else pd.DataFrame()
    rows = []
    annual = period.is_year
    for ins in ind.itertuples(index=False):
        s = by.loc[ins.insats_id] if ins.insats_id in by.index else None
        aktiva = int(s["aktiva_deltagare"]) if s is not None else 0
        avsl = int(s["avslutade_deltaganden"]) if s is not None else 0
        arb = int(s["arbete_studier"]) if s is not None else 0
        utfall = None
        if annual and ekonomi is not None and len(ekonomi):
            hit = ekonomi.loc[(ekonomi["insats_id"] == ins.insats_id) & (ekonomi["ar"] == period.year), "utfall_kr"]
            utfall = float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else None
        rows.append(
            {
                "insats_id": ins.insats_id,
                "namn": ins.namn,
                "aktiva_deltagare": aktiva,
                "mal_deltagare_per_ar": _opt_int(ins.mal_deltagare_per_ar) if annual else None,
                "avslutade_deltaganden": avsl,
                "arbete_studier": arb,
                "andel_arbete_studier": share(arb, avsl),
                "mal_andel_arbete_studier": _opt_float(ins.mal_andel_arbete_studier) if annual else None,
                "utfall_kr": utfall,
                "kostnad_per_deltagare": (utfall / aktiva) if (utfall is not None and aktiva) else None,
            }
        )
    return pd.DataFrame(rows)


def _opt_int(x) -> int | None:
    return None if pd.isna(x) else int(x)


def _opt_float(x) -> float | None:
    return None if pd.isna(x) else float(x)


def _month_number(dates: pd.Series) -> np.ndarray:
    """year * 12 + month − 1 as floats (NaN where the date is missing)."""
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)


def monthly_active(d: pd.DataFrame, first_month: pd.Timestamp, last_month: pd.Timestamp) -> pd.Series:
    """Aktiva deltaganden per calendar month (aktiv at any day of the month).

    Vectorised: each participation adds +1 from its first active month and
    −1 after its last, and a cumulative sum gives the series.
    """
    months = pd.date_range(first_month, last_month, freq="MS")
    if len(months) == 0:
        return pd.Series([], dtype="int64", name="aktiva_deltaganden")
    n = len(months)
    first = months[0].year * 12 + months[0].month - 1
    a = _month_number(d["startdatum"]) - first
    # An open participation runs to the end of the series.
    b = np.nan_to_num(_month_number(d["slutdatum"]) - first, nan=n - 1)
    keep = (a <= n - 1) & (b >= 0)
    a = np.clip(a[keep], 0, n - 1).astype("int64")
    b = np.clip(b[keep], 0, n - 1).astype("int64")
    delta = np.zeros(n + 1, dtype="int64")
    np.add.at(delta, a, 1)
    np.add.at(delta, b + 1, -1)
    return pd.Series(np.cumsum(delta[:-1]), index=months, name="aktiva_deltaganden")
