"""The participations of the sample: volumes, dates, persons, situation before and after."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from finsam_analysis import schema
from finsam_analysis.synthetic.follow_up import make_follow_ups
from finsam_analysis.synthetic.parameters import AI, ALLA, ANLEDNING, ANLEDNING_INSATS_SLUT, ARBETE, AS_FACTOR_ANLEDNING, AVSL, FI, FORS, FORS_GIVEN_SYSS, FORS_SECOND, INDIVID, MIN_AGE, OFFENTLIG_FORS, OMF_EFTER, OTHER_OUTCOME, REM, REMITTENT, SI, STUDIER, SYSS, SYSS_FORE, TID, UNGA, UTB, VUXNA, date_text, to_day, code_index, pick, vocab_weights


_MONTH_WEIGHT = np.array([1.15, 1.1, 1.1, 1.0, 1.0, 0.8, 0.35, 0.75, 1.3, 1.2, 1.1, 0.8])


def _start_dates(rng: np.random.Generator, year: int, n: int, earliest: np.datetime64) -> np.ndarray:
    days = np.arange(to_day(year, 1, 1), to_day(year + 1, 1, 1))
    month = days.astype("datetime64[M]").astype(int) % 12
    in_month = np.bincount(month, minlength=12)
    w = _MONTH_WEIGHT[month] / in_month[month]
    w = np.where(days >= earliest, w, 0.0)
    if w.sum() == 0 or n == 0:
        return np.empty(0, "datetime64[D]")
    return np.sort(days[rng.choice(len(days), n, p=w / w.sum())])


def make_deltagande(
    rng: np.random.Generator,
    fids: list[str],
    medlemmar: pd.DataFrame,
    kommuner: pd.DataFrame,
    ins: pd.DataFrame,
    size: np.ndarray,
    y0: int,
    y1: int,
    xlsx_fid: str,
) -> dict[str, np.ndarray]:
    """All participations as a dict of equal-length arrays (codes, '' = empty).

    Each step draws from ``rng`` in turn; their order is part of the sample's
    determinism (the same seed gives the same files), so a new draw goes at
    the end of a step or in a new step after the others.
    """
    f, start = _volumes(rng, fids, medlemmar, size, y0, y1)
    insats, start = _insatser_of(rng, fids, ins, f, start)
    slut, forced = _slutdatum(rng, ins, insats, start, to_day(y1, 12, 31))
    person, gap = _persons(rng, fids, f, start, slut, insats, xlsx_fid)
    who = _who(rng, ins, insats, start, person)
    kommun = _folkbokforing(rng, fids, f, start, medlemmar, kommuner)
    before = _before(rng, ins["profil"].to_numpy()[insats], who["age"])
    after = _after(rng, ins, insats, start, slut, forced, gap, who["age"], before)
    cols = {
        "forbund_idx": f,
        "forbund_id": np.array(fids, dtype=object)[f],
        "insats_id": ins["insats_id"].to_numpy(dtype=object)[insats],
        "person": person,
        "kon": who["kon"],
        "fodelsear": who["fodelsear"],
        "folkbokforingskommun": kommun,
        "utbildningsniva": who["utb"],
        "startdatum": start,
        "slutdatum": after["slut"],
        "avslutsanledning": after["anl"],
        "sysselsattning_fore": before["syss_fore_code"],
        "sysselsattning_efter": after["syss_efter"],
        "forsorjning_fore": before["fors_fore"],
        "forsorjning_efter": after["fe"],
        "omfattning_fore": before["omf_fore"],
        "omfattning_efter": after["omf_efter"],
        "tid_offentlig_forsorjning_fore": before["tid"],
        "remitterande_aktor": before["rem"],
    }
    # Output order: förbund, startdatum, insats.
    out_order = np.lexsort((cols["insats_id"].astype(str), start, f))
    cols = {k: np.asarray(v)[out_order] for k, v in cols.items()}
    cols["deltagare_id"] = _person_keys(rng, len(f))[cols["person"]]
    # The last step, so that every column above is what it was before follow-ups existed.
    cols.update(make_follow_ups(rng, cols["slutdatum"], cols["sysselsattning_efter"], cols["avslutsanledning"],
                                to_day(y1, 12, 31)))  # fmt: skip
    return cols


def _volumes(rng, fids, medlemmar, size, y0, y1) -> tuple[np.ndarray, np.ndarray]:
    """Förbund index and startdatum of every participation: yearly volumes, seasonal start dates."""
    formed = medlemmar.groupby("forbund_id", sort=False)["giltig_from"].min()
    f_list, d_list = [], []
    for f_idx, fid in enumerate(fids):
        earliest = np.datetime64(formed[fid].date(), "D")
        level = size[f_idx] * np.exp(rng.normal(0, 0.1))
        for year in range(y0, y1 + 1):
            covid = {2020: 0.85, 2021: 0.93}.get(year, 1.0)
            n = int(rng.poisson(level * covid * (1.02 ** (year - y0)) * np.exp(rng.normal(0, 0.07))))
            dates = _start_dates(rng, year, n, earliest)
            f_list.append(np.full(len(dates), f_idx))
            d_list.append(dates)
    return np.concatenate(f_list).astype(np.int64), np.concatenate(d_list).astype("datetime64[D]")


def _insatser_of(rng, fids, ins, f, start) -> tuple[np.ndarray, np.ndarray]:
    """One of the förbund's individinriktade insatser open for intake; startdatum not before it."""
    ins_f = ins["forbund_id"].map({fid: i for i, fid in enumerate(fids)}).to_numpy()
    ins_start = ins["startdatum"].to_numpy("datetime64[D]")
    ins_end = ins["slutdatum"].to_numpy("datetime64[D]")
    individ = (ins["typ"] == INDIVID).to_numpy()
    insats = np.zeros(len(f), np.int64)
    for f_idx in range(len(fids)):
        rows = np.flatnonzero(f == f_idx)
        cand = np.flatnonzero((ins_f == f_idx) & individ)
        if len(rows) == 0:
            continue
        intake_end = np.where(np.isnat(ins_end[cand]), np.datetime64("2200-01-01"), ins_end[cand] - 60)
        open_ = (ins_start[cand][None, :] <= start[rows, None]) & (start[rows, None] <= intake_end[None, :])
        w = open_ * ins["vikt"].to_numpy()[cand][None, :]
        none = w.sum(axis=1) == 0
        w[none, 0] = 1.0  # the core insats (never happens with catalogue dates)
        insats[rows] = cand[pick(rng, w)]
    # The core insats may start after a participation when a förbund was
    # formed during the first year: never start before the insats.
    return insats, np.maximum(start, ins_start[insats])


def _slutdatum(rng, ins, insats, start, last_day) -> tuple[np.ndarray, np.ndarray]:
    """Slutdatum (NaT: still running at ``last_day``) and whether the insats' end forced it."""
    # Lognormal, median about 5 months; the few beyond two years end within the second year.
    n = len(start)
    days = np.round(np.exp(rng.normal(np.log(175), 0.68, n)))
    days = np.where(days > 730, rng.uniform(540, 730, n), days)
    days = np.clip(np.round(days), 10, 730).astype(np.int64)
    tentative = start + days
    cap_ins = ins["slutdatum"].to_numpy("datetime64[D]")[insats]
    forced = ~np.isnat(cap_ins) & (tentative > cap_ins) & (cap_ins <= last_day)
    slut = np.where(forced, cap_ins, tentative)
    slut = np.where(~forced & (tentative > last_day), np.datetime64("NaT"), slut).astype("datetime64[D]")
    return slut, forced


def _persons(rng, fids, f, start, slut, insats, xlsx_fid) -> tuple[np.ndarray, np.ndarray]:
    """A person per participation (some come back in another insats, a few in another förbund).

    Returns the person (index of the person's first participation) and the
    days from each participation's end to the start of the same person's
    next one.
    """
    n = len(f)
    avslutad = ~np.isnat(slut)
    order = np.lexsort((np.arange(n), start))
    parent = np.arange(n)
    for f_idx in range(len(fids)):
        _link_returns(rng, order[f[order] == f_idx], parent, 0.16, lambda p, r: insats[p] != insats[r],
                      avslutad, slut, start)
    pos = order[~(f == fids.index(xlsx_fid))[order]]
    if len(np.unique(f[pos])) > 1:
        _link_returns(rng, pos, parent, 0.006, lambda p, r: f[p] != f[r], avslutad, slut, start, only_new=True)
    person = parent.copy()
    while True:
        nxt = person[person]
        if np.array_equal(nxt, person):
            break
        person = nxt
    # No exact duplicates (same person, insats and startdatum).
    dup = pd.DataFrame({"p": person, "i": insats, "s": start}).duplicated().to_numpy()
    person[dup] = np.flatnonzero(dup)
    lr = np.flatnonzero(parent != np.arange(n))
    gap = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(gap, parent[lr], (start[lr] - slut[parent[lr]]).astype(np.int64))
    return person, gap


def _link_returns(rng, pos, parent, share, other, avslutad, slut, start, only_new: bool = False) -> None:
    """Make about ``share`` of the participations at ``pos`` (in start order) a return of an earlier one."""
    if len(pos) < 2:
        return
    i = np.arange(len(pos))
    cand = (rng.random(len(pos)) < share) & (i > 0)
    if only_new:
        cand &= parent[pos] == pos
    earlier = np.floor(rng.random(len(pos)) * i).astype(np.int64)
    r, p = pos[cand], pos[earlier[cand]]
    ok = avslutad[p] & (slut[p] < start[r] - 7) & other(p, r)
    parent[r[ok]] = p[ok]


def _who(rng, ins, insats, start, person) -> dict[str, np.ndarray]:
    """Age, kön, födelseår and utbildning; a returning person keeps kön, födelseår and utbildning."""
    n = len(start)
    profile = ins["profil"].to_numpy()[insats]
    start_year = start.astype("datetime64[Y]").astype(np.int64) + 1970
    age = np.select(
        [profile == UNGA, profile == ALLA],
        [16 + rng.gamma(2.2, 2.6, n), 16 + rng.gamma(1.9, 8.5, n)],
        20 + rng.gamma(4.0, 5.0, n),
    )
    age = np.where(profile == UNGA, np.minimum(age, 29.9), age)
    age = np.clip(np.floor(age), MIN_AGE, 65).astype(np.int64)
    fodelsear = start_year - age
    kvinnoandel = np.minimum(ins["kvinnoandel"].to_numpy(float)[insats] + 0.03, 0.92)
    kon = np.where(rng.random(n) < kvinnoandel, "kvinna", "man").astype(object)
    kon_empty = rng.random(n) < 0.012
    young, mid = age < 20, (age >= 20) & (age < 30)
    utb_w = np.where(
        young[:, None], vocab_weights(schema.UTBILDNINGSNIVA, {"forgymnasial": 62, "gymnasial": 28, "okand": 10}),
        np.where(mid[:, None],
                 vocab_weights(schema.UTBILDNINGSNIVA, {"forgymnasial": 38, "gymnasial": 44, "eftergymnasial": 8,
                                                        "okand": 10}),
                 vocab_weights(schema.UTBILDNINGSNIVA, {"forgymnasial": 32, "gymnasial": 40, "eftergymnasial": 18,
                                                        "okand": 10})),
    )  # fmt: skip
    utb = UTB[pick(rng, utb_w)]
    kon, kon_empty, fodelsear, utb = kon[person], kon_empty[person], fodelsear[person], utb[person]
    return {
        "age": start_year - fodelsear,
        "fodelsear": fodelsear,
        "kon": np.where(kon_empty, "", kon),
        "utb": np.where(rng.random(n) < 0.02, "", utb),
    }


def _folkbokforing(rng, fids, f, start, medlemmar, kommuner) -> np.ndarray:
    """Folkbokföringskommun: a member valid at start, now and then a neighbour in the same län."""
    n = len(f)
    kommun = np.empty(n, dtype=object)
    lan_of = dict(zip(kommuner["kommunkod"], kommuner["lanskod"]))
    all_codes = kommuner["kommunkod"].to_numpy(dtype=object)
    all_lan = kommuner["lanskod"].to_numpy(dtype=object)
    for f_idx, fid in enumerate(fids):
        rows = np.flatnonzero(f == f_idx)
        if len(rows) == 0:
            continue
        m = medlemmar[medlemmar["forbund_id"] == fid]
        codes = m["kommunkod"].to_numpy(dtype=object)
        frm = m["giltig_from"].to_numpy("datetime64[D]")
        tom = m["giltig_tom"].to_numpy("datetime64[D]")
        valid = (frm[None, :] <= start[rows, None]) & (
            np.isnat(tom)[None, :] | (start[rows, None] <= tom[None, :])
        )
        w = np.ones(len(codes))
        w[0] = 2.0 + 0.5 * (len(codes) - 1)
        w = valid * w[None, :]
        w[w.sum(axis=1) == 0, 0] = 1.0
        kommun[rows] = codes[pick(rng, w)]
        others = all_codes[(all_lan == lan_of[codes[0]]) & ~np.isin(all_codes, codes)]
        if len(others) == 0:
            others = all_codes[~np.isin(all_codes, codes)]
        elsewhere = rng.random(len(rows)) < 0.015
        kommun[rows[elsewhere]] = others[rng.integers(0, len(others), elsewhere.sum())]
    return np.where(rng.random(n) < 0.005, "", kommun)


def _before(rng, profile, age) -> dict[str, np.ndarray]:
    """The situation before: sysselsättning, försörjning, time in it, remittent, omfattning."""
    n = len(age)
    p_syss = np.where(profile[:, None] == UNGA, SYSS_FORE[UNGA],
                      np.where(profile[:, None] == ALLA, SYSS_FORE[ALLA], SYSS_FORE[VUXNA]))  # fmt: skip
    syss_fore = pick(rng, p_syss)
    fors_fore, offentlig = _forsorjning_fore(rng, syss_fore, age)
    tid_w = np.where(
        offentlig[:, None],
        vocab_weights(schema.TID_OFFENTLIG_FORSORJNING, {"under_1_ar": 25, "1_2_ar": 26, "2_5_ar": 27,
                                                         "over_5_ar": 12, "okand": 10}),
        vocab_weights(schema.TID_OFFENTLIG_FORSORJNING, {"under_1_ar": 45, "1_2_ar": 12, "okand": 43}),
    )  # fmt: skip
    tid_w[:, code_index(schema.TID_OFFENTLIG_FORSORJNING, "over_5_ar")] *= age >= 23
    tid_w[:, code_index(schema.TID_OFFENTLIG_FORSORJNING, "2_5_ar")] *= np.where(age < 20, 0.0, 1.0)
    tid = np.where(rng.random(n) < 0.06, "", TID[pick(rng, tid_w)])
    rem_w = np.where((syss_fore == SI["sjukskriven"])[:, None], REMITTENT["sjukskriven"],
                     np.where((syss_fore == SI["arbetssokande"])[:, None], REMITTENT["arbetssokande"],
                              REMITTENT["other"]))  # fmt: skip
    rem = np.where(rng.random(n) < 0.05, "", REM[pick(rng, rem_w)])
    occupied = np.isin(syss_fore, ARBETE + STUDIER + [SI["praktik"]])
    omf_fore = np.where(
        occupied,
        rng.choice([10, 20, 25, 25, 50, 50, 75], n),
        rng.choice([0, 10, 15, 20, 25], n, p=[0.72, 0.08, 0.04, 0.06, 0.10]),
    )
    omf_fore_txt = np.where(rng.random(n) < 0.08, "", omf_fore.astype(str)).astype(object)
    syss_fore_code = np.where(rng.random(n) < 0.02, "", SYSS[syss_fore])
    return {"syss_fore": syss_fore, "syss_fore_code": syss_fore_code, "fors_fore": fors_fore, "tid": tid,
            "rem": rem, "occupied": occupied, "omf_fore": omf_fore_txt}  # fmt: skip


def _forsorjning_fore(rng, syss_fore, age) -> tuple[np.ndarray, np.ndarray]:
    """Försörjning before (one or two sources, fitting sysselsättning and age) and whether it was public."""
    n = len(age)
    age_mult = np.ones((n, len(FORS)))
    age_mult[:, FI["aktivitetsersattning"]] = np.where((age >= 19) & (age < 30), 3.0, 0.0)
    age_mult[:, FI["sjukersattning"]] = np.where(age < 30, 0.05, 1.0)
    age_mult[:, FI["arbetsloshetsersattning"]] = np.where(age < 20, 0.1, np.where(age < 25, 0.5, 1.0))
    age_mult[:, FI["forsorjningsstod"]] = np.where(age < 20, 0.5, 1.0)
    age_mult[:, FI["ingen_offentlig"]] = np.where(age < 20, 3.0, 1.0)
    age_mult[:, FI["etableringsersattning"]] = np.where(age < 20, 0.3, 1.0)
    primary = pick(rng, FORS_GIVEN_SYSS[syss_fore] * age_mult)
    w2 = FORS_SECOND[primary] * age_mult
    has_second = (rng.random(n) < 0.18) & (w2.sum(axis=1) > 0)
    second = pick(rng, np.where(w2.sum(axis=1, keepdims=True) > 0, w2, 1.0))
    fors_fore = _join(FORS[primary], np.where(has_second, FORS[second], ""))
    fors_fore_empty = rng.random(n) < 0.02
    return np.where(fors_fore_empty, "", fors_fore), OFFENTLIG_FORS[primary] & ~fors_fore_empty


def _after(rng, ins, insats, start, slut, forced, gap, age, before) -> dict[str, np.ndarray]:
    """Exit: avslutsanledning, slutdatum (shortened by an avbrott), sysselsättning, försörjning, omfattning."""
    n = len(start)
    avslutad = ~np.isnat(slut)
    anl = np.where(forced, pick(rng, np.broadcast_to(ANLEDNING_INSATS_SLUT, (n, len(AVSL)))),
                   pick(rng, np.broadcast_to(ANLEDNING, (n, len(AVSL)))))  # fmt: skip
    to_next = (gap <= 45) & avslutad & (rng.random(n) < 0.7)
    anl = np.where(to_next, AI["annan_insats"], anl)
    anl = np.where(avslutad & (rng.random(n) < 0.005), AI["felregistrering"], anl)
    short = avslutad & ~forced & np.isin(anl, [AI["avbrott"], AI["ohalsa"]])
    kept = np.where(avslutad, (slut - start).astype(np.int64), 0) * rng.uniform(0.3, 0.8, n)
    shortened = start + np.maximum(1, np.round(kept)).astype(np.int64)
    slut = np.where(short, shortened, slut).astype("datetime64[D]")
    syss_efter = _sysselsattning_efter(rng, ins, insats, anl, age, before)
    fe = _forsorjning_efter(rng, syss_efter, before["fors_fore"], age)
    omf_efter = np.full(n, "", dtype=object)
    for code, (values, probs) in OMF_EFTER.items():
        rows = syss_efter == SI[code]
        omf_efter[rows] = rng.choice(values, rows.sum(), p=probs).astype(str)
    omf_efter = np.where(rng.random(n) < 0.06, "", omf_efter)
    syss_efter_code = np.where(rng.random(n) < 0.01, "", SYSS[syss_efter])
    # Only avslutade carry exit information.
    return {
        "slut": slut,
        "anl": np.where(avslutad, AVSL[anl], ""),
        "syss_efter": np.where(avslutad, syss_efter_code, ""),
        "fe": np.where(avslutad, fe, ""),
        "omf_efter": np.where(avslutad, omf_efter, ""),
    }


def _sysselsattning_efter(rng, ins, insats, anl, age, before) -> np.ndarray:
    """Sysselsättning after: arbete/studier with a probability by insats, anledning, age and situation before."""
    n = len(age)
    syss_fore, occupied = before["syss_fore"], before["occupied"]
    p_as = ins["utfall"].to_numpy(float)[insats] * AS_FACTOR_ANLEDNING[anl]
    p_as *= np.select([age < 25, age >= 50], [1.1, 0.7], 1.0)
    p_as *= np.select([syss_fore == SI["sjukskriven"], occupied], [0.75, 1.3], 1.0)
    to_as = rng.random(n) < np.clip(p_as, 0, 0.97)
    p_studier = np.select([age < 20, age < 25, age < 30, age < 40], [0.65, 0.45, 0.30, 0.15], 0.07)
    studier = rng.random(n) < p_studier
    arbete_code = np.where(rng.random(n) < 0.55, SI["forvarvsarbete"], SI["subventionerad_anstallning"])
    other = pick(rng, OTHER_OUTCOME[anl])
    return np.where(to_as, np.where(studier, SI["studier"], arbete_code), other)


def _forsorjning_efter(rng, syss_efter, fors_fore, age) -> np.ndarray:
    """Försörjning after, consistent with the outcome; a few cells left empty by the förbund."""
    n = len(age)
    fors_fore_or_okand = np.where(fors_fore == "", "okand", fors_fore)
    u = rng.random(n)
    to_arbete = np.isin(syss_efter, ARBETE)
    fe = np.select(
        [
            to_arbete & (u < 0.9), to_arbete,
            (syss_efter == SI["studier"]) & (u < 0.8),
            (syss_efter == SI["studier"]) & (u < 0.9),
            (syss_efter == SI["studier"]) & (age >= 19) & (age < 30),
            syss_efter == SI["studier"],
            (syss_efter == SI["arbetssokande"]) & (u < 0.2),
            (syss_efter == SI["arbetssokande"]) & (u < 0.45),
            (syss_efter == SI["arbetssokande"]) & (u < 0.55),
            syss_efter == SI["arbetssokande"],
            (syss_efter == SI["sjukskriven"]) & (u < 0.7),
            (syss_efter == SI["sjukskriven"]) & (u < 0.9),
            (syss_efter == SI["sjukskriven"]) & (age < 30) & (age >= 19),
            syss_efter == SI["sjukskriven"],
            (syss_efter == SI["praktik"]) & (u < 0.4),
            syss_efter == SI["praktik"],
            (syss_efter == SI["ovrigt"]) & (u < 0.75),
            (syss_efter == SI["ovrigt"]) & (u < 0.85),
            syss_efter == SI["ovrigt"],
            (syss_efter == SI["okand"]) & (u < 0.6),
        ],
        [
            "lon", "lon;forsorjningsstod",
            "studiemedel", "studiemedel;forsorjningsstod", "aktivitetsersattning", "studiemedel",
            "arbetsloshetsersattning", "aktivitetsstod", "forsorjningsstod", fors_fore_or_okand,
            fors_fore_or_okand, "sjukpenning", "aktivitetsersattning", "sjukersattning",
            "aktivitetsstod", fors_fore_or_okand,
            fors_fore_or_okand, "ingen_offentlig", "annan",
            "okand",
        ],
        fors_fore_or_okand,
    ).astype(object)
    return np.where(rng.random(n) < 0.03, "", fe)


def _person_keys(rng, n: int) -> np.ndarray:
    """Pseudonymous person keys, 'd' + 10 hex digits: unique, and never ten decimal digits in a row.

    (Ten digits in a row would look like a personnummer.)
    """
    key40 = rng.integers(0, 2**40, n, dtype=np.int64)
    while True:
        _, first = np.unique(key40, return_index=True)
        bad = np.ones(n, bool)
        bad[first] = False
        bad |= _all_decimal(key40)
        if not bad.any():
            break
        key40[bad] = rng.integers(0, 2**40, bad.sum(), dtype=np.int64)
    return _hex_ids(key40)


def _join(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    first = first.astype(str)
    second = second.astype(str)
    return np.where(second == "", first, np.char.add(np.char.add(first, ";"), second)).astype(object)


_NIBBLE_SHIFTS = np.arange(36, -1, -4, dtype=np.int64)


def _all_decimal(values: np.ndarray) -> np.ndarray:
    """True where all 10 hex digits of a 40-bit integer are 0–9."""
    return (((values[:, None] >> _NIBBLE_SHIFTS[None, :]) & 0xF) < 10).all(axis=1)


def _hex_ids(values: np.ndarray) -> np.ndarray:
    """'d' + 10 lowercase hex digits of 40-bit integers, vectorised."""
    nibbles = (values[:, None] >> _NIBBLE_SHIFTS[None, :]) & 0xF
    chars = np.array(list("0123456789abcdef"), dtype="<U1")[nibbles]
    body = np.ascontiguousarray(chars).view("<U10").ravel()
    return np.char.add("d", body).astype(object)


def canonical_frame(rows: Mapping[str, np.ndarray], personnummer: np.ndarray | None = None) -> pd.DataFrame:
    """deltagande.csv: every canonical column as text.

    Without ``personnummer`` the column is left out; with it, rows with a
    number carry it instead of a ``deltagare_id`` (docs/dataformat.md §5: one of the two).
    """
    n = len(rows["forbund_id"])
    frame = {}
    seq = pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(6).to_numpy(dtype=object)
    year = (rows["startdatum"].astype("datetime64[Y]").astype(np.int64) + 1970).astype(str).astype(object)
    for col in schema.DELTAGANDE:
        if col == "personnummer":
            if personnummer is not None:
                frame[col] = personnummer
            continue
        if col == "deltagare_id" and personnummer is not None:
            frame[col] = np.where(personnummer == "", rows[col], "")
        elif col == "deltagande_id":
            frame[col] = rows["forbund_id"] + "-" + year + "-" + seq
        elif col in ("startdatum", "slutdatum"):
            frame[col] = date_text(rows[col])
        elif col == "fodelsear":
            frame[col] = rows[col].astype(np.int64).astype(str)
        else:
            frame[col] = rows[col]
    return pd.DataFrame(frame)
