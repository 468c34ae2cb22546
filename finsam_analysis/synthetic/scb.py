"""Helårsekvivalenter shaped like SCB's PxWeb output: JSON-stat 2.0, table HE0000T02N2 (TAB1386)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from finsam_analysis import schema


HE_DIR = "helarsekvivalenter"


HE_TABLE = "HE0000T02N2"


HE_PXWEB_ID = "TAB1386"


HE_LABEL = (
    "Antal helårsekvivalenter i åldrarna 20-64/20-65 år som försörjs med sociala ersättningar "
    "och bidrag efter region, kön, åldersgrupp, tabellinnehåll och månad"
)


HE_NOTE = "SYNTETISKA DATA — inte verklig statistik"


# The six ersättningar, in the model's order (index 4 = ekonomiskt bistånd).
_HE_SJP, _HE_SA, _HE_ARB, _HE_AM, _HE_EKB, _HE_ETAB = range(6)


_HE_SUMMA, _HE_FOLK, _HE_ANDEL = 6, 7, 8


#: ContentsCode in file order: (opaque code, label as SCB spells it — sic —,
#: model index, unit base, decimals). The codes are deliberately not in label
#: order: readers must resolve contents through the labels.
HE_CONTENTS: tuple[tuple[str, str, int, str, int], ...] = (
    ("000006Y4", "Sjukpenning", _HE_SJP, "helårsekvivalenter", 1),
    ("000006Y7", "Sjuk- och aktivitetsersersättning", _HE_SA, "helårsekvivalenter", 1),
    ("000006Y1", "Arbetslöshetsersättning", _HE_ARB, "helårsekvivalenter", 1),
    ("000006Y9", "Arbetsmarknadsåtgärder", _HE_AM, "helårsekvivalenter", 1),
    ("000006Y2", "Ekonomiskt bistånd", _HE_EKB, "helårsekvivalenter", 1),
    ("000006Y6", "Etableringsersättning", _HE_ETAB, "helårsekvivalenter", 1),
    ("000006Y3", "Summa helårsekvivalenter", _HE_SUMMA, "helårsekvivalenter", 1),
    ("000006Y8", "Folkmängd", _HE_FOLK, "antal", 0),
    ("000006Y5", "Andel av befolkningen", _HE_ANDEL, "procent", 1),
)


_HE_KON = (("1", "män"), ("2", "kvinnor"), ("1+2", "män och kvinnor"))


_HE_ALDER = ("20-64", "20-64 år")


_HE_BORTFALL_RATE = 1 / 150  # kommun-months with ekonomiskt bistånd reported as 0


#: Approximate total population (thousands, about 2023) of the catalogue's
#: member kommuner; other kommuner get a seeded random size.
_KOMMUN_POP_K: dict[str, float] = {
    "2482": 75.8, "2417": 4.0,
    "1482": 48.0, "1440": 32.5, "1415": 27.5, "1419": 16.0, "1407": 13.0,
    "2085": 25.8, "2061": 10.8,
    "0126": 115.0, "0127": 96.0, "0128": 17.5,
    "0180": 985.0, "0181": 102.0,
    "0160": 75.0, "0117": 48.0, "0120": 47.0, "0182": 108.0,
    "0136": 96.0, "0138": 49.0, "0192": 29.0,
    "0163": 76.0, "0114": 48.0, "0191": 51.0,
    "0305": 22.5, "0319": 9.6, "0330": 20.0, "0331": 14.0, "0360": 21.5, "0380": 245.0,
    "0381": 47.0, "0382": 22.0,
    "1883": 30.0, "1862": 9.4,
    "1460": 9.5, "1492": 12.5, "1438": 4.7, "1785": 15.5, "1765": 10.0,
    "1285": 34.5, "1267": 17.0, "1266": 15.7,
    "1261": 33.0, "1262": 25.0, "1231": 20.0, "1230": 26.0,
    "2280": 24.5, "2262": 18.0, "1784": 26.0, "1730": 8.5,
    "0662": 29.5, "0617": 9.6, "0665": 14.5, "0683": 34.5,
    "0680": 144.0, "0643": 12.5, "0642": 7.3,
    "1882": 11.3, "1861": 16.0, "1881": 22.0, "1860": 5.6, "1814": 8.5,
    "2260": 9.0,
    "2101": 5.7, "2104": 9.5, "2121": 11.4, "2132": 9.5, "2161": 19.0, "2180": 103.0,
    "2181": 40.0, "2182": 25.5, "2183": 26.5, "2184": 37.5,
    "0821": 5.8, "0834": 7.2, "0840": 15.7, "0860": 13.5, "0861": 13.5, "0862": 9.2,
    "0880": 72.0, "0881": 20.5, "0882": 27.5, "0883": 36.0, "0884": 15.5, "0885": 10.9,
    "1060": 13.0, "1080": 67.0, "1081": 29.0, "1082": 32.5, "1083": 17.5,
    "0581": 145.0, "0582": 14.5, "0563": 7.6,
    "1484": 14.2, "1430": 10.5, "1427": 8.9, "1486": 13.0, "1435": 12.9,
}


_WORKING_AGE_SHARE = {"0180": 0.63}  # share aged 20–64 where the size formula is too low


#: Riket: Andel av befolkningen (%, 20–64) by year; 2017–2021 as SCB's annual figures.
_HE_RIKET_ANDEL = {2017: 13.9, 2018: 13.3, 2019: 12.8, 2020: 13.5, 2021: 13.3, 2022: 12.8,
                   2023: 12.5, 2024: 12.4, 2025: 12.3}


_HE_RIKET_FOLK_2020 = 5_950_000  # folkmängd 20–64, riket, 2020M01


_HE_RIKET_GROWTH = 0.0025  # per year


#: Composition of summa (%) by year, model order; 2017–2021 from SCB's annual figures.
_HE_COMPOSITION = {
    2017: (19.5, 33.1, 8.6, 19.7, 11.5, 7.6),
    2018: (19.8, 32.4, 9.3, 19.6, 12.0, 6.9),
    2019: (20.2, 31.7, 10.7, 19.6, 12.8, 5.0),
    2020: (19.0, 28.6, 15.7, 21.8, 12.3, 2.9),
    2021: (19.2, 27.6, 12.9, 26.9, 11.6, 1.8),
    2022: (20.0, 28.5, 12.0, 25.5, 12.2, 1.8),
    2023: (20.3, 28.2, 13.0, 24.3, 12.3, 1.9),
    2024: (20.2, 28.0, 13.8, 23.6, 12.4, 2.0),
    2025: (20.2, 27.8, 14.3, 23.3, 12.4, 2.0),
}


#: Monthly seasonality (model order × Jan–Dec); each row is scaled to mean 1.
_HE_SEASON = np.array([
    [1.05, 1.06, 1.04, 1.01, 0.99, 0.97, 0.93, 0.95, 0.98, 1.00, 1.01, 1.01],  # sjukpenning
    [1.00] * 12,  # sjuk- och aktivitetsersättning
    [1.08, 1.04, 1.01, 0.98, 0.95, 0.97, 1.09, 1.03, 0.96, 0.95, 0.96, 0.98],  # arbetslöshet
    [1.00, 1.03, 1.04, 1.03, 1.01, 0.97, 0.88, 0.95, 1.03, 1.04, 1.03, 0.99],  # AM-åtgärder
    [1.02, 1.00, 1.01, 1.00, 0.99, 0.99, 1.01, 1.00, 0.99, 0.99, 0.99, 1.01],  # ek. bistånd
    [1.00] * 12,  # etablering
])


#: 2020: the pandemic lifts arbetslöshet from April (times the usual season).
_HE_COVID_2020 = np.array([0.80, 0.80, 0.86, 1.12, 1.18, 1.20, 1.18, 1.10, 1.01, 0.96, 0.92, 0.92])


#: Women's share of each ersättning (model order), before kommun variation.
_HE_KVINNOR = np.array([0.63, 0.58, 0.46, 0.45, 0.44, 0.50])


def _he_by_year(table: Mapping[int, object], year: int) -> object:
    first, last = min(table), max(table)
    return table[min(max(year, first), last)]


def _he_riket_andel(year: int) -> float:
    """Riket's share (%) of year; outside the table it drifts slowly, within 12–14 %."""
    first, last = min(_HE_RIKET_ANDEL), max(_HE_RIKET_ANDEL)
    if year < first:
        return min(13.9, _HE_RIKET_ANDEL[first] + 0.02 * (first - year))
    if year > last:
        return max(12.1, _HE_RIKET_ANDEL[last] - 0.05 * (year - last))
    return _HE_RIKET_ANDEL[year]


def _he_generate(seed: int, kommuner: pd.DataFrame, y0: int, y1: int) -> dict[str, np.ndarray]:
    """Monthly helårsekvivalenter for riket and all 290 kommuner.

    Uses its own generator (seeded by ``seed``), so the other files do not
    change, and draws for every kommun, so a kommun's series does not depend
    on which förbund are chosen. Returns ``codes`` (``00`` first, then kommuner
    in code order), ``he10`` (R, 3 kön, 6, months) in tenths of a
    helårsekvivalent with kön män, kvinnor, totalt, ``folk`` (R, 3, months),
    ``bortfall`` (R, months) — the kommun-months drawn as bortfall (riket never).
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 1386]))
    codes = np.sort(kommuner["kommunkod"].to_numpy(dtype=str))
    nk = len(codes)
    years = np.arange(y0, y1 + 1)
    ny, nm = len(years), 12 * len(years)
    year_idx = np.repeat(np.arange(ny), 12)
    t = (years[year_idx] - 2020) * 12 + np.tile(np.arange(12), ny)  # months since 2020M01

    # --- folkmängd 20–64 ---------------------------------------------------------
    pop_k = np.array([_KOMMUN_POP_K.get(c, np.nan) for c in codes])
    random_k = np.clip(np.exp(rng.normal(np.log(15.0), 0.7, nk)), 3.0, 150.0)
    pop_k = np.where(np.isnan(pop_k), random_k, pop_k)
    work = np.clip(0.535 + 0.02 * np.log10(pop_k / 10.0), 0.50, 0.60)
    work = np.array([_WORKING_AGE_SHARE.get(c, w) for c, w in zip(codes, work)])
    folk0 = np.r_[_HE_RIKET_FOLK_2020, pop_k * 1000 * work]
    growth = np.r_[_HE_RIKET_GROWTH, rng.normal(0.003, 0.006, nk)]
    men = np.r_[0.512, rng.uniform(0.495, 0.53, nk)]
    folk = folk0[:, None] * (1 + growth[:, None]) ** (t[None, :] / 12)
    folk_tot = np.rint(folk).astype(np.int64)
    folk_m = np.rint(folk * men[:, None]).astype(np.int64)
    folk3 = np.stack([folk_m, folk_tot - folk_m, folk_tot], axis=1)  # (R, 3, nm)

    # --- level and composition ------------------------------------------------------
    riket_andel = np.array([_he_riket_andel(int(y)) for y in years])
    # a kommun's own level and trend relative to riket, squashed smoothly so that
    # its share stays within about 7.5–19.5 %
    level = rng.normal(0.0, 0.2, nk)
    trend = rng.normal(0.0, 0.015, nk)
    rel = level[:, None] + np.log1p(trend)[:, None] * (years - 2020)[None, :]
    rel = np.where(rel > 0, 0.33 * np.tanh(rel / 0.33), 0.45 * np.tanh(rel / 0.45))
    andel = np.vstack([riket_andel[None, :], riket_andel[None, :] * np.exp(rel)])  # (R, ny) %
    comp_year = np.array([_he_by_year(_HE_COMPOSITION, int(y)) for y in years], float)
    comp_year /= comp_year.sum(axis=1, keepdims=True)
    mult = np.vstack([np.ones((1, 6)),
                      np.exp(rng.normal(0.0, [0.15, 0.12, 0.18, 0.18, 0.25, 0.5], (nk, 6)))])
    comp = comp_year[None, :, :] * mult[:, None, :]
    comp /= comp.sum(axis=2, keepdims=True)  # (R, ny, 6)

    season = np.tile(_HE_SEASON, (1, ny)).T.copy()  # (nm, 6)
    if 2020 in years:
        m2020 = slice(12 * (2020 - y0), 12 * (2020 - y0) + 12)
        season[m2020, _HE_ARB] *= _HE_COVID_2020
    for i in range(ny):  # each year's season has mean 1, so the annual levels hold
        season[12 * i: 12 * i + 12] /= season[12 * i: 12 * i + 12].mean(axis=0)
    sd = np.r_[0.004, 0.01 + 0.06 / np.sqrt(folk0[1:] / 1000)]
    noise = np.exp(rng.normal(0.0, 1.0, (nk + 1, nm, 6)) * sd[:, None, None])

    he = (folk * andel[:, year_idx] / 100)[:, :, None] * comp[:, year_idx, :] * season[None] * noise
    he = np.moveaxis(he, 2, 1)  # (R, 6, nm)

    # --- kön ------------------------------------------------------------------------
    kvinnor = np.vstack([_HE_KVINNOR[None, :],
                         np.clip(_HE_KVINNOR[None, :] + rng.normal(0.0, 0.025, (nk, 6)), 0.3, 0.75)])
    kvinnor = kvinnor[:, :, None] + rng.normal(0.0, 0.006, (nk + 1, 6, nm))
    tot10 = np.rint(he * 10).astype(np.int64)
    k10 = np.rint(he * 10 * kvinnor).astype(np.int64)
    he10 = np.stack([tot10 - k10, k10, tot10], axis=1)  # (R, 3, 6, nm)

    # --- bortfall: ekonomiskt bistånd shown as 0 ------------------------------------
    bortfall = np.vstack([np.zeros((1, nm), bool), rng.random((nk, nm)) < _HE_BORTFALL_RATE])
    bortfall[:, 0] = False  # never the first month of the first year
    return {"codes": np.r_[[schema.RIKET], codes], "he10": he10, "folk": folk3, "bortfall": bortfall,
            "force": rng.random(2)}


def _he_select(gen: Mapping[str, np.ndarray], members: list[str]) -> dict[str, np.ndarray]:
    """Riket and the member kommuner; bortfall applied (at least one, forced if none)."""
    pos = {c: i for i, c in enumerate(gen["codes"])}
    rows = [0] + [pos[c] for c in sorted(set(members))]
    he10 = gen["he10"][rows].copy()
    folk = gen["folk"][rows]
    bortfall = gen["bortfall"][rows].copy()
    nr, nm = bortfall.shape
    if not bortfall.any() and nr > 1 and nm > 1:
        u, v = gen["force"]
        bortfall[1 + int(u * (nr - 1)), 1 + int(v * (nm - 1))] = True
    r, m = np.nonzero(bortfall)
    he10[r, :, _HE_EKB, m] = 0
    return {"codes": gen["codes"][rows], "he10": he10, "folk": folk, "bortfall": bortfall}


def _he_dataset(year: int, y0: int, sel: Mapping[str, np.ndarray], names: Mapping[str, str]) -> dict:
    """The JSON-stat 2.0 document of one year, as SCB's PxWeb returns it."""
    months = slice(12 * (year - y0), 12 * (year - y0) + 12)
    he10 = sel["he10"][..., months]  # (R, 3, 6, 12)
    folk = sel["folk"][..., months]  # (R, 3, 12)
    summa10 = he10.sum(axis=2)
    andel10 = np.rint(100 * summa10 / folk).astype(np.int64)  # tenths of a percent
    nr = len(sel["codes"])
    values = np.empty((nr, len(_HE_KON), 1, len(HE_CONTENTS), 12), dtype=object)
    for j, (_code, _label, what, _base, _dec) in enumerate(HE_CONTENTS):
        if what == _HE_FOLK:
            cell = folk.astype(object)
        elif what == _HE_ANDEL:
            cell = (andel10 / 10).astype(object)
        elif what == _HE_SUMMA:
            cell = (summa10 / 10).astype(object)
        else:
            cell = (he10[:, :, what] / 10).astype(object)
        values[:, :, 0, j, :] = cell
    codes = [str(c) for c in sel["codes"]]
    tid = [f"{year}M{m:02d}" for m in range(1, 13)]

    def category(items: list[tuple[str, str]]) -> dict:
        return {"index": {c: i for i, (c, _) in enumerate(items)}, "label": dict(items)}

    region = [(c, "Riket" if c == schema.RIKET else f"{c} {names[c]}") for c in codes]
    contents = category([(c, label) for c, label, *_ in HE_CONTENTS])
    contents["unit"] = {c: {"base": base, "decimals": dec} for c, _, _, base, dec in HE_CONTENTS}
    return {
        "version": "2.0",
        "class": "dataset",
        "label": HE_LABEL,
        "source": "SCB (syntetiska data)",
        "updated": f"{year + 1}-02-15T08:00:00Z",
        "id": ["Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid"],
        "size": [nr, len(_HE_KON), 1, len(HE_CONTENTS), 12],
        "dimension": {
            "Region": {"label": "region", "category": category(region)},
            "Kon": {"label": "kön", "category": category(list(_HE_KON))},
            "Aldersgrupp": {"label": "åldersgrupp", "category": category([_HE_ALDER])},
            "ContentsCode": {"label": "tabellinnehåll", "category": contents},
            "Tid": {"label": "månad", "category": category([(m, m) for m in tid])},
        },
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "value": values.ravel().tolist(),
        "note": [HE_NOTE],
        "extension": {"synthetic": True, "px": {"tableid": HE_PXWEB_ID, "matrix": HE_TABLE, "language": "sv"}},
    }


def he_file_name(year: int) -> str:
    """``helarsekvivalenter/TAB1386_<year>.json`` (relative to the dataset directory)."""
    return f"{HE_DIR}/{HE_PXWEB_ID}_{year}.json"


def write_helarsekvivalenter(out: Path, seed: int, members: list[str], kommuner: pd.DataFrame,
                              y0: int, y1: int) -> dict[str, int]:
    """One JSON-stat2 file per year; returns file name → number of values."""
    sel = _he_select(_he_generate(seed, kommuner, y0, y1), members)
    names = dict(zip(kommuner["kommunkod"], kommuner["kommun"]))
    (out / HE_DIR).mkdir(parents=True, exist_ok=True)
    counts = {}
    for year in range(y0, y1 + 1):
        doc = _he_dataset(year, y0, sel, names)
        text = json.dumps(doc, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
        (out / he_file_name(year)).write_bytes(text.encode("utf-8"))
        counts[he_file_name(year)] = len(doc["value"])
    return counts
