"""Follow-ups after exit in the sample: 3, 6 and 12 months after slutdatum (docs/dataformat.md §5).

Invented, as everything in the sample, but shaped like a förbund's follow-up:
not every participation is followed up (the later the point, the fewer),
some participants are not reached (``ej_nadd``), and sysselsättning drifts
from the situation at exit one point to the next (most who had work keep
it, some without work find it). A follow-up exists only when its date is on
or before the extract date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam_analysis import schema

#: Share of due follow-ups that the förbund tried, and of those the share reached.
TRIED = {3: 0.85, 6: 0.75, 12: 0.65}
REACHED = 0.8
#: Per step (exit → 3 → 6 → 12 months): chance to keep arbete/studier, and to find work without it.
KEEP_AS, FIND_WORK, FIND_STUDIES = 0.88, 0.12, 0.04
_AS = {c for c, g in schema.UTFALL_GRUPP.items() if g in ("arbete", "studier")}
_LOST = np.array(["arbetssokande", "sjukskriven", "ovrigt"], dtype=object)
#: Primary försörjning at a follow-up, by sysselsättning there.
_FORS = {
    "forvarvsarbete": (("lon",), (1.0,)),
    "subventionerad_anstallning": (("lon",), (1.0,)),
    "studier": (("studiemedel", "forsorjningsstod"), (0.85, 0.15)),
    "praktik": (("aktivitetsstod", "forsorjningsstod"), (0.7, 0.3)),
    "arbetssokande": (("arbetsloshetsersattning", "aktivitetsstod", "forsorjningsstod"), (0.35, 0.35, 0.3)),
    "sjukskriven": (("sjukpenning", "sjukersattning", "forsorjningsstod"), (0.5, 0.3, 0.2)),
    "ovrigt": (("forsorjningsstod", "annan", "okand"), (0.5, 0.3, 0.2)),
    "okand": (("okand",), (1.0,)),
}


def _step(rng: np.random.Generator, state: np.ndarray) -> np.ndarray:
    """Sysselsättning one follow-up later."""
    n = len(state)
    u, pick_lost = rng.random(n), rng.integers(0, len(_LOST), n)
    has_as = np.isin(state, list(_AS))
    work = np.where(rng.random(n) < 0.6, "forvarvsarbete", "subventionerad_anstallning")
    return np.select(
        [has_as & (u < KEEP_AS), has_as, u < FIND_WORK, u < FIND_WORK + FIND_STUDIES],
        [state, _LOST[pick_lost], work, "studier"],
        np.where(state == "", "okand", state),
    ).astype(object)


def _forsorjning(rng: np.random.Generator, syss: np.ndarray) -> np.ndarray:
    out = np.full(len(syss), "", dtype=object)
    for code, (sources, weights) in _FORS.items():
        rows = syss == code
        out[rows] = rng.choice(np.array(sources, dtype=object), rows.sum(), p=weights)
    return out


def make_follow_ups(
    rng: np.random.Generator, slut: np.ndarray, syss_efter: np.ndarray, anl: np.ndarray, last_day: np.datetime64
) -> dict[str, np.ndarray]:
    """The six follow-up columns (codes, ``''`` = empty) for participations in output order."""
    n = len(slut)
    ended = ~np.isnat(slut) & (anl != schema.FELREGISTRERING)
    state = np.asarray(syss_efter, dtype=object)
    out: dict[str, np.ndarray] = {}
    for m in schema.UPPFOLJNING_MANADER:
        state = _step(rng, state)
        due = (pd.Series(slut.astype("datetime64[ns]")) + pd.DateOffset(months=m)).to_numpy()
        done = ended & (due <= np.datetime64(last_day, "ns"))
        tried = done & (rng.random(n) < TRIED[m])
        reached = tried & (rng.random(n) < REACHED)
        syss = np.where(reached, state, np.where(tried, schema.EJ_NADD, "")).astype(object)
        out[schema.uppfoljning_column(m, "sysselsattning")] = syss
        out[schema.uppfoljning_column(m, "forsorjning")] = np.where(reached, _forsorjning(rng, state), "")
    return out
