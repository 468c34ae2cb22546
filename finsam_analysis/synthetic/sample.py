"""A synthetic sample dataset (``finsam sample-data``).

:func:`write_sample` writes a complete dataset directory in the layout of
DATA.md §1: the real förbund of the package catalogue with their real member
kommuner, and made-up insatser, budgets and participations. Nothing in it is
real statistics; ``dataset.yaml`` says ``synthetic: true`` so every report
carries the synthetic-data banner.

The data are built to make reports look like real ones: volumes scaled to the
förbund's size, a young age profile, about 58 % women, försörjning before and
after that fits each participant's outcome, 30–55 % to arbete or studier at
exit, people who come back in another insats, and a few rows marked
``felregistrering``. Every row is valid: ``finsam validate`` accepts the whole
directory.

One förbund (``skelleftea`` when chosen, else the first chosen) delivers its
participations the way a förbund keeps them itself: ``deltagande.xlsx`` with
Swedish headers and labels, personnummer instead of a pseudonym, dates as a
mix of date cells and text, kommunkod as a number, plus the ``mapping.yaml``
that brings that file to the canonical schema (DATA.md §8). The other förbund
are in ``deltagande.csv`` in canonical form.

``helarsekvivalenter/TAB1386_<år>.json`` imitates what SCB's PxWeb API returns
for table HE0000T02N2 (TAB1386), one JSON-stat 2.0 file per year: riket and
every member kommun, each month, kön män/kvinnor/totalt, åldersgrupp 20-64,
and the nine contents under SCB's own labels (with SCB's misspelling). The
levels are plausible (riket 12–14 % of the 20–64-year-olds, kommuner 7.5–19.5 %)
and, as in SCB's database, about one kommun-month in 150 shows ekonomiskt
bistånd as 0 (bortfall) with the summa computed including that 0.

Determinism: the same ``seed``, ``n_forbund`` and ``years`` give byte-identical
files (CSV, YAML, README, JSON and the Excel workbook, whose timestamps are fixed).
All bulk generation is vectorised numpy; the only per-row loop writes the
Excel cells, which openpyxl requires.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

from finsam_analysis.ingest import personnummer
from finsam_analysis import reference
from finsam_analysis import schema
from finsam_analysis.files import FixedTimeZip
from finsam_analysis.version import __version__

__all__ = ["SampleSummary", "write_sample", "XLSX_HEADERS", "XLSX_SHEET", "HE_CONTENTS", "he_file_name"]

# --------------------------------------------------------------------------
# Fixed facts and parameters of the synthetic data
# --------------------------------------------------------------------------

#: Approximate population (thousands, 2023) of each catalogue förbund's member
#: kommuner. Only used to scale the synthetic volumes.
_POPULATION_K: dict[str, float] = {
    "skelleftea": 81, "alv_och_kust": 135, "vasterbergslagen": 37, "hbs": 227,
    "stockholms_stad": 985, "sodertalje": 101, "sodra_roslagen": 123, "varna": 155,
    "ostra_sodertorn": 174, "sollentuna_upplands_vasby_sigtuna": 175, "uppsala_lan": 400,
    "karlskoga_degerfors": 40, "badesa": 52, "mittskane": 68, "kavlinge_lomma": 58,
    "burlov_staffanstorp": 46, "harnosand_timra": 43, "arvika_eda": 34, "finnveden": 88,
    "sodra_vatterbygden": 164, "sydnarke": 63, "ange": 9, "gavleborg": 287,
    "kalmar_lan": 246, "blekinge": 157, "ostra_ostergotland": 167, "norra_bohuslan": 59,
}
_POP_MIN_K, _POP_MAX_K = 9.0, 985.0
_NEW_MIN, _NEW_MAX = 60.0, 500.0  # new participations per year, smallest → largest förbund

_SYNTHETIC_MEMBER_FROM = "2004-01-01"
_MIN_AGE = 16  # no participant is younger at start
_FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)
XLSX_SHEET = "Deltagare"

# Age profiles of an insats' target group.
_UNGA, _ALLA, _VUXNA = 0, 1, 2

#: Individinriktade insatser: name, målgrupp, age profile, share of women.
_INDIVID_TEMPLATES: tuple[tuple[str, str, int, float], ...] = (
    ("Unga in", "Unga 16–29 år utan sysselsättning", _UNGA, 0.47),
    ("Steget vidare", "Personer 20–64 år med långvarigt försörjningsstöd", _ALLA, 0.58),
    ("Hälsa och arbete", "Sjukskrivna 20–64 år med behov av samordnad rehabilitering", _VUXNA, 0.68),
    ("Kraftsamling", "Arbetssökande med psykisk ohälsa eller NPF", _ALLA, 0.55),
    ("Vägen framåt", "Långtidsarbetslösa 25–64 år med stödbehov hos flera myndigheter", _VUXNA, 0.56),
    ("Aktivitetshuset", "Unga vuxna 19–29 år med aktivitetsersättning", _UNGA, 0.50),
    ("Framtidsverkstan", "Unga 16–24 år som varken arbetar eller studerar", _UNGA, 0.46),
    ("Individstöd IPS", "Personer med psykisk ohälsa som vill arbeta eller studera", _ALLA, 0.60),
    ("Nystart", "Personer som står långt från arbetsmarknaden", _ALLA, 0.57),
    ("Kompassen", "Utrikes födda kvinnor 25–64 år med försörjningsstöd", _VUXNA, 0.88),
    ("Språngbrädan", "Unga 16–29 år med behov av stöd för att börja studera", _UNGA, 0.49),
    ("Balans", "Sjukskrivna med stressrelaterad ohälsa", _VUXNA, 0.76),
    ("Lotsen", "Personer 18–64 år som behöver samordnat stöd mellan myndigheterna", _ALLA, 0.58),
    ("Arbetsträning i samverkan", "Personer med sjukersättning eller aktivitetsersättning", _ALLA, 0.55),
    ("Jobbstegen", "Arbetssökande 20–64 år med försörjningsstöd", _ALLA, 0.54),
    ("Grönt kliv", "Personer med psykisk ohälsa, naturunderstödd rehabilitering", _VUXNA, 0.66),
    ("Trappan", "Unga vuxna 18–29 år med neuropsykiatrisk funktionsnedsättning", _UNGA, 0.45),
    ("Fokus arbete", "Arbetslösa 25–64 år med ohälsa", _VUXNA, 0.57),
)

#: Strukturövergripande insatser (no participants): name, målgrupp.
_STRUKTUR_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Samverkansforum", "Chefer och medarbetare hos förbundets medlemmar"),
    ("Kompetensutveckling i samverkan", "Medarbetare hos medlemmarna"),
    ("Gemensam kartläggning av målgrupper", "Medlemmarnas planerare och analytiker"),
    ("Metodstöd och kunskapsspridning", "Medarbetare hos medlemmarna och civilsamhället"),
    ("Strukturellt arbete för unga vuxna", "Medlemmarnas verksamheter för unga 16–29 år"),
)


_TEMPLATE_PROFILE = np.array([t[2] for t in _INDIVID_TEMPLATES])
#: Insatser for a narrow group take fewer participants.
_TEMPLATE_VOLUME = np.array([0.5 if t[3] > 0.8 else 1.0 for t in _INDIVID_TEMPLATES])


def _vec(vocabulary: Mapping[str, str], weights: Mapping[str, float]) -> np.ndarray:
    """Weights aligned to a schema vocabulary's code order; unknown codes fail."""
    unknown = set(weights) - set(vocabulary)
    if unknown:
        raise ValueError(f"Okända koder {sorted(unknown)} för vokabulären {list(vocabulary)}")
    return np.array([float(weights.get(code, 0.0)) for code in vocabulary])


def _codes(vocabulary: Mapping[str, str]) -> np.ndarray:
    return np.array(list(vocabulary), dtype=object)


def _idx(vocabulary: Mapping[str, str], code: str) -> int:
    return list(vocabulary).index(code)


_SYSS = _codes(schema.SYSSELSATTNING)
_FORS = _codes(schema.FORSORJNING)
_UTB = _codes(schema.UTBILDNINGSNIVA)
_AVSL = _codes(schema.AVSLUTSANLEDNING)
_TID = _codes(schema.TID_OFFENTLIG_FORSORJNING)
_REM = _codes(schema.REMITTERANDE_AKTOR)
_INDIVID, _STRUKTUR = list(schema.INSATS_TYP)

# code → position in its schema vocabulary
_SI = {code: _idx(schema.SYSSELSATTNING, code) for code in schema.SYSSELSATTNING}
_FI = {code: _idx(schema.FORSORJNING, code) for code in schema.FORSORJNING}
_AI = {code: _idx(schema.AVSLUTSANLEDNING, code) for code in schema.AVSLUTSANLEDNING}
_ARBETE = [_SI[c] for c, g in schema.UTFALL_GRUPP.items() if g == "arbete"]
_STUDIER = [_SI[c] for c, g in schema.UTFALL_GRUPP.items() if g == "studier"]
_OFFENTLIG_FORS = np.array(
    [schema.FORSORJNING_GRUPP[c] in schema.OFFENTLIG_FORSORJNING_GRUPPER for c in schema.FORSORJNING]
)

# sysselsättning före, by age profile (unga, alla, vuxna)
_SYSS_FORE = np.stack([
    _vec(schema.SYSSELSATTNING, {"arbetssokande": 30, "sjukskriven": 12, "ovrigt": 33, "studier": 6,
                                 "praktik": 5, "forvarvsarbete": 2, "subventionerad_anstallning": 1,
                                 "okand": 6}),
    _vec(schema.SYSSELSATTNING, {"arbetssokande": 38, "sjukskriven": 25, "ovrigt": 20, "studier": 2,
                                 "praktik": 5, "forvarvsarbete": 2, "subventionerad_anstallning": 2,
                                 "okand": 6}),
    _vec(schema.SYSSELSATTNING, {"arbetssokande": 30, "sjukskriven": 42, "ovrigt": 14, "studier": 1,
                                 "praktik": 4, "forvarvsarbete": 3, "subventionerad_anstallning": 1,
                                 "okand": 5}),
])

# primary försörjning före, by sysselsättning före
_FORS_GIVEN_SYSS = np.stack([
    _vec(schema.FORSORJNING, w)
    for w in (
        # forvarvsarbete
        {"lon": 70, "forsorjningsstod": 10, "sjukpenning": 10, "annan": 5, "okand": 5},
        # subventionerad_anstallning
        {"lon": 80, "forsorjningsstod": 8, "sjukpenning": 5, "annan": 3, "okand": 4},
        # studier
        {"studiemedel": 50, "forsorjningsstod": 20, "aktivitetsersattning": 10, "ingen_offentlig": 10,
         "annan": 5, "okand": 5},
        # praktik
        {"forsorjningsstod": 30, "sjukpenning": 10, "sjukersattning": 3, "aktivitetsersattning": 10,
         "arbetsloshetsersattning": 5, "aktivitetsstod": 30, "etableringsersattning": 5, "okand": 7},
        # arbetssokande
        {"forsorjningsstod": 40, "sjukpenning": 3, "sjukersattning": 1, "aktivitetsersattning": 2,
         "arbetsloshetsersattning": 15, "aktivitetsstod": 22, "etableringsersattning": 6, "annan": 3,
         "ingen_offentlig": 5, "okand": 3},
        # sjukskriven
        {"forsorjningsstod": 14, "sjukpenning": 50, "sjukersattning": 10, "aktivitetsersattning": 8,
         "arbetsloshetsersattning": 2, "aktivitetsstod": 2, "etableringsersattning": 1, "annan": 3,
         "ingen_offentlig": 4, "okand": 6},
        # ovrigt
        {"forsorjningsstod": 35, "sjukpenning": 10, "sjukersattning": 5, "aktivitetsersattning": 10,
         "arbetsloshetsersattning": 3, "aktivitetsstod": 5, "etableringsersattning": 3, "annan": 8,
         "ingen_offentlig": 12, "okand": 9},
        # okand
        {"forsorjningsstod": 30, "sjukpenning": 10, "sjukersattning": 5, "aktivitetsersattning": 8,
         "arbetsloshetsersattning": 5, "aktivitetsstod": 8, "annan": 6, "ingen_offentlig": 8,
         "okand": 20},
    )
])
assert list(schema.SYSSELSATTNING) == [
    "forvarvsarbete", "subventionerad_anstallning", "studier", "praktik",
    "arbetssokande", "sjukskriven", "ovrigt", "okand",
], "update _FORS_GIVEN_SYSS to the schema order"

# second försörjning source, given the primary one (rows: primary, cols: second)
_FORS_SECOND = np.zeros((len(_FORS), len(_FORS)))
for _primary, _weights in {
    "forsorjningsstod": {"sjukpenning": 3, "aktivitetsstod": 3, "arbetsloshetsersattning": 2,
                         "aktivitetsersattning": 1, "etableringsersattning": 1},
    "sjukpenning": {"forsorjningsstod": 4, "lon": 1},
    "sjukersattning": {"forsorjningsstod": 3, "annan": 1},
    "aktivitetsersattning": {"forsorjningsstod": 4, "annan": 1},
    "arbetsloshetsersattning": {"forsorjningsstod": 4},
    "aktivitetsstod": {"forsorjningsstod": 4},
    "etableringsersattning": {"forsorjningsstod": 3},
    "lon": {"forsorjningsstod": 2, "sjukpenning": 2},
    "studiemedel": {"forsorjningsstod": 1, "lon": 1},
}.items():
    _FORS_SECOND[_FI[_primary]] = _vec(schema.FORSORJNING, _weights)

_ANLEDNING = _vec(schema.AVSLUTSANLEDNING, {"planenligt": 68, "avbrott": 13, "annan_insats": 6,
                                            "flytt": 4, "ohalsa": 6, "annat": 3})
_ANLEDNING_INSATS_SLUT = _vec(schema.AVSLUTSANLEDNING, {"planenligt": 85, "annan_insats": 10,
                                                        "avbrott": 3, "annat": 2})
_AS_FACTOR_ANLEDNING = _vec(schema.AVSLUTSANLEDNING, {"planenligt": 1.25, "avbrott": 0.3,
                                                      "annan_insats": 0.35, "flytt": 0.45,
                                                      "ohalsa": 0.08, "annat": 0.6,
                                                      "felregistrering": 1.0})
# outcome when not to arbete/studier, by avslutsanledning (rows in schema order)
_OTHER_OUTCOME = np.stack([
    _vec(schema.SYSSELSATTNING, w)
    for w in (
        {"arbetssokande": 43, "sjukskriven": 18, "praktik": 16, "ovrigt": 14, "okand": 4},  # planenligt
        {"arbetssokande": 32, "sjukskriven": 26, "ovrigt": 27, "praktik": 5, "okand": 10},  # avbrott
        {"praktik": 30, "arbetssokande": 30, "sjukskriven": 15, "ovrigt": 20, "okand": 5},  # annan_insats
        {"okand": 40, "arbetssokande": 25, "ovrigt": 25, "sjukskriven": 10},  # flytt
        {"sjukskriven": 80, "ovrigt": 10, "okand": 10},  # ohalsa
        {"arbetssokande": 32, "ovrigt": 32, "sjukskriven": 22, "okand": 14},  # annat
        {"arbetssokande": 30, "ovrigt": 30, "sjukskriven": 20, "okand": 20},  # felregistrering
    )
])
assert list(schema.AVSLUTSANLEDNING) == [
    "planenligt", "avbrott", "annan_insats", "flytt", "ohalsa", "annat", "felregistrering",
], "update _OTHER_OUTCOME to the schema order"

_REMITTENT = {
    "sjukskriven": _vec(schema.REMITTERANDE_AKTOR, {"forsakringskassan": 35, "region": 25, "kommun": 15,
                                                     "arbetsformedlingen": 10, "egen_anmalan": 8,
                                                     "annan": 7}),
    "arbetssokande": _vec(schema.REMITTERANDE_AKTOR, {"arbetsformedlingen": 40, "kommun": 35,
                                                       "forsakringskassan": 5, "region": 5,
                                                       "egen_anmalan": 8, "annan": 7}),
    "other": _vec(schema.REMITTERANDE_AKTOR, {"kommun": 40, "arbetsformedlingen": 15, "forsakringskassan": 10,
                                               "region": 15, "egen_anmalan": 12, "annan": 8}),
}

# omfattning efter, by sysselsättning efter: (values, weights)
_OMF_EFTER = {
    "forvarvsarbete": ([25, 50, 75, 100], [0.10, 0.30, 0.25, 0.35]),
    "subventionerad_anstallning": ([50, 75, 100], [0.30, 0.30, 0.40]),
    "studier": ([50, 75, 100], [0.25, 0.20, 0.55]),
    "praktik": ([10, 25, 50, 75], [0.20, 0.40, 0.30, 0.10]),
    "arbetssokande": ([0, 10, 25], [0.70, 0.15, 0.15]),
    "sjukskriven": ([0, 10, 25], [0.80, 0.10, 0.10]),
    "ovrigt": ([0, 25], [0.85, 0.15]),
}
assert set(_OMF_EFTER) <= set(schema.SYSSELSATTNING)

# --------------------------------------------------------------------------
# The förbund's own Excel labels (deltagande.xlsx) — code → label
# --------------------------------------------------------------------------

XLSX_HEADERS: dict[str, str] = {  # canonical column → Excel header, in sheet order
    "personnummer": "Personnummer",
    "kon": "Kön",
    "insats_id": "Insats",
    "startdatum": "Inskrivningsdatum",
    "slutdatum": "Utskrivningsdatum",
    "avslutsanledning": "Avslutsorsak",
    "folkbokforingskommun": "Folkbokföringskommun",
    "utbildningsniva": "Utbildning",
    "remitterande_aktor": "Remitterad av",
    "sysselsattning_fore": "Sysselsättning vid start",
    "forsorjning_fore": "Försörjning vid start",
    "omfattning_fore": "Omfattning vid start (%)",
    "tid_offentlig_forsorjning_fore": "Tid med offentlig försörjning",
    "sysselsattning_efter": "Sysselsättning vid avslut",
    "forsorjning_efter": "Försörjning vid avslut",
    "omfattning_efter": "Omfattning vid avslut (%)",
}
assert set(XLSX_HEADERS) <= set(schema.DELTAGANDE)

_SYSS_LABELS = {
    "forvarvsarbete": "Arbete", "subventionerad_anstallning": "Anställning med stöd",
    "studier": "Studerar", "praktik": "Praktik", "arbetssokande": "Arbetssökande",
    "sjukskriven": "Sjukskriven", "ovrigt": "Övrigt", "okand": "Okänd",
}
_FORS_LABELS = {
    "forsorjningsstod": "Försörjningsstöd", "sjukpenning": "Sjukpenning",
    "sjukersattning": "Sjukersättning", "aktivitetsersattning": "Aktivitetsersättning",
    "arbetsloshetsersattning": "A-kassa", "aktivitetsstod": "Aktivitetsstöd",
    "etableringsersattning": "Etableringsersättning", "lon": "Lön", "studiemedel": "Studiemedel",
    "annan": "Annan", "ingen_offentlig": "Ingen", "okand": "Okänd",
}
_XLSX_LABELS: dict[str, dict[str, str]] = {  # canonical column → {code: label}
    "kon": {"kvinna": "K", "man": "M"},
    "avslutsanledning": {
        "planenligt": "Planenligt", "avbrott": "Avbrutit", "annan_insats": "Annan insats",
        "flytt": "Flyttat", "ohalsa": "Ohälsa", "annat": "Annat", "felregistrering": "Felregistrerad",
    },
    "utbildningsniva": {
        "forgymnasial": "Grundskola", "gymnasial": "Gymnasium", "eftergymnasial": "Högskola",
        "okand": "Okänd",
    },
    "remitterande_aktor": {
        "kommun": "Kommunen", "region": "Regionen", "forsakringskassan": "Försäkringskassan",
        "arbetsformedlingen": "Arbetsförmedlingen", "egen_anmalan": "Egen anmälan", "annan": "Annan",
    },
    "sysselsattning_fore": _SYSS_LABELS,
    "sysselsattning_efter": _SYSS_LABELS,
    "forsorjning_fore": _FORS_LABELS,
    "forsorjning_efter": _FORS_LABELS,
    "tid_offentlig_forsorjning_fore": {
        "under_1_ar": "Mindre än 1 år", "1_2_ar": "1–2 år", "2_5_ar": "2–5 år",
        "over_5_ar": "Mer än 5 år", "okand": "Vet ej",
    },
}
for _col, _labels in _XLSX_LABELS.items():
    assert set(_labels) == set(schema.DELTAGANDE[_col].vocabulary), _col
_XLSX_LIST_SEPARATOR = ","


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleSummary:
    """What :func:`write_sample` wrote.

    Attributes
    ----------
    out : Path
        The dataset directory.
    forbund : tuple of str
        The förbund ids, in catalogue order.
    rows : dict
        File name → number of data rows written (header not counted).
    xlsx_forbund : str
        The förbund whose participations are in ``deltagande.xlsx`` (empty
        when it was not written, ``xlsx=False``).
    """

    out: Path
    forbund: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)
    xlsx_forbund: str = ""

    @property
    def forbund_ids(self) -> tuple[str, ...]:
        """Alias of :attr:`forbund`."""
        return self.forbund


def write_sample(
    out: Path,
    seed: int = 2025,
    n_forbund: int | None = None,
    years: tuple[int, int] = (2020, 2025),
    *,
    volume: float = 1.0,
    xlsx: bool = True,
) -> SampleSummary:
    """Write a deterministic synthetic dataset directory.

    Parameters
    ----------
    out : Path
        Directory to write (created if missing; existing files of the layout
        are overwritten).
    seed : int, default 2025
        Seed of ``numpy.random.default_rng``; the same seed (with the same
        other arguments) gives byte-identical files.
    n_forbund : int or None
        How many förbund: the first ``n_forbund`` of the catalogue, in
        catalogue order; ``None`` means all of it. Beyond the catalogue, one
        synthetic förbund is added per kommun that no catalogue förbund
        covers (``syntet_<kommunkod>``), in kommunkod order.
    years : (int, int)
        First and last calendar year of participations (inclusive).
    volume : float, default 1.0
        Multiplies every förbund's yearly number of participations. 1 gives
        volumes like real förbund; the national scale benchmark
        (``benchmarks/scale.py``) raises it to reach a million rows without
        inventing decades of history.
    xlsx : bool, default True
        Write the förbund-style ``deltagande.xlsx`` with its ``mapping.yaml``.
        With False, that förbund's participations go into ``deltagande.csv``
        in canonical form but still with ``personnummer`` (written like in
        the Excel file, some without the dash) instead of ``deltagare_id``,
        so loading still pseudonymises. The benchmark uses this: at national
        scale openpyxl would spend most of the time writing and reading one
        förbund's workbook, and DuckDB, its yardstick, reads only CSV.

    Returns
    -------
    SampleSummary

    Notes
    -----
    Files written: ``forbund.csv``, ``forbund_medlemmar.csv``, ``insatser.csv``,
    ``insats_ekonomi.csv``, ``deltagande.csv`` (canonical, every förbund but
    one), ``deltagande.xlsx`` + ``mapping.yaml`` (that one förbund's own
    Excel file; with ``xlsx=False`` its rows are in ``deltagande.csv``), ``helarsekvivalenter/TAB1386_<år>.json`` (SCB-shaped
    JSON-stat 2.0, one per year; ``rows`` counts their values),
    ``dataset.yaml`` and ``README.txt``.
    """
    out = Path(out)
    y0, y1 = int(years[0]), int(years[1])
    if y0 > y1:
        raise ValueError(f"years måste vara (första, sista) år, fick {years!r}.")
    if not volume > 0:
        raise ValueError(f"volume måste vara större än 0, fick {volume!r}.")
    if y1 - _MIN_AGE > dt.date.today().year:
        raise ValueError(f"years {years!r} ligger för långt fram: deltagarna skulle inte vara födda än.")
    rng = np.random.default_rng(seed)

    kommuner = reference.kommuner()
    forbund, medlemmar = _choose_forbund(n_forbund, kommuner)
    fids = forbund["forbund_id"].tolist()
    xlsx_fid = "skelleftea" if "skelleftea" in fids else fids[0]

    size = _forbund_size(rng, fids)
    insatser = _make_insatser(rng, forbund, medlemmar, size, y0, y1)
    rows = _make_deltagande(rng, fids, medlemmar, kommuner, insatser, size * volume, y0, y1, xlsx_fid)
    insatser = _set_targets(rng, insatser, rows, y0, y1)
    ekonomi = _make_ekonomi(rng, insatser, y0, y1)

    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def csv(name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(out / name, index=False, encoding="utf-8", lineterminator="\n")
        counts[name] = len(frame)

    csv("forbund.csv", forbund[["forbund_id", "namn", "organisationsnummer"]].fillna(""))
    med_out = medlemmar[["forbund_id", "kommunkod"]].copy()
    med_out["giltig_from"] = _date_text(medlemmar["giltig_from"].to_numpy("datetime64[D]"))
    med_out["giltig_tom"] = _date_text(medlemmar["giltig_tom"].to_numpy("datetime64[D]"))
    csv("forbund_medlemmar.csv", med_out)
    csv("insatser.csv", _insatser_frame(insatser))
    csv("insats_ekonomi.csv", ekonomi)

    in_xlsx = rows["forbund_id"] == xlsx_fid
    if xlsx:
        csv("deltagande.csv", _canonical_frame({k: v[~in_xlsx] for k, v in rows.items()}))
        xrows = {k: v[in_xlsx] for k, v in rows.items()}
        names = dict(zip(insatser["insats_id"], insatser["namn"]))
        own = (insatser["forbund_id"] == xlsx_fid) & (insatser["typ"] == _INDIVID)
        insats_names = dict(zip(insatser.loc[own, "namn"], insatser.loc[own, "insats_id"]))
        counts["deltagande.xlsx"] = _write_xlsx(out / "deltagande.xlsx", rng, xrows, names)
        forbund_namn = dict(zip(forbund["forbund_id"], forbund["namn"]))[xlsx_fid]
        (out / "mapping.yaml").write_text(
            _mapping_yaml(xlsx_fid, forbund_namn, insats_names, seed), encoding="utf-8"
        )
    else:
        pnr = np.full(len(in_xlsx), "", dtype=object)
        pnr[in_xlsx] = _personnummer({k: v[in_xlsx] for k, v in rows.items()}, rng)
        csv("deltagande.csv", _canonical_frame(rows, personnummer=pnr))

    members = sorted(set(medlemmar["kommunkod"]))
    he_counts = _write_helarsekvivalenter(out, seed, members, kommuner, y0, y1)
    counts.update(he_counts)

    version = _version()
    meta = {
        "synthetic": True,
        "description": "SYNTETISKA DATA — inte verklig statistik",
        "generator": f"finsam_analysis {version}",
        "seed": int(seed),
        "years": [y0, y1],
        # The last day the data describe: reports for later periods are refused.
        "uttagsdatum": dt.date(y1, 12, 31),
        "n_forbund": len(fids),
        ("deltagande_xlsx_forbund" if xlsx else "personnummer_forbund"): xlsx_fid,
        "helarsekvivalenter": {
            "description": "SCB-formade JSON-stat2-filer (syntetiska), som PxWeb levererar dem",
            "table": HE_TABLE,
            "pxweb_id": HE_PXWEB_ID,
            "files": list(he_counts),
        },
    }
    (out / "dataset.yaml").write_text(
        "# Syntetiskt exempeldataset skapat av `finsam sample-data`.\n"
        + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    (out / "README.txt").write_text(_readme(y0, y1, len(fids), xlsx_fid, seed, version, xlsx), encoding="utf-8")
    return SampleSummary(out=out, forbund=tuple(fids), rows=counts, xlsx_forbund=xlsx_fid if xlsx else "")


# --------------------------------------------------------------------------
# Förbund, insatser, ekonomi
# --------------------------------------------------------------------------


def _choose_forbund(n_forbund: int | None, kommuner: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    fb, med = reference.forbund_catalogue()
    n_cat = len(fb)
    n = n_cat if n_forbund is None else int(n_forbund)
    if n < 1:
        raise ValueError("n_forbund måste vara minst 1.")
    chosen = fb.iloc[: min(n, n_cat)][["forbund_id", "namn", "organisationsnummer"]].reset_index(drop=True)
    order = {f: i for i, f in enumerate(chosen["forbund_id"])}
    members = med[med["forbund_id"].isin(order)][["forbund_id", "kommunkod", "giltig_from", "giltig_tom"]]
    members = members.assign(_o=members["forbund_id"].map(order)).sort_values("_o", kind="stable")
    members = members.drop(columns="_o").reset_index(drop=True)
    if n > n_cat:
        used = set(med["kommunkod"])
        free = kommuner[~kommuner["kommunkod"].isin(used)].sort_values("kommunkod", kind="stable")
        if len(free) < n - n_cat:
            raise ValueError(
                f"n_forbund={n} är för stort: katalogen har {n_cat} förbund och bara "
                f"{len(free)} kommuner står utanför dem."
            )
        extra = free.iloc[: n - n_cat]
        ids = "syntet_" + extra["kommunkod"].to_numpy(dtype=object)
        chosen = pd.concat(
            [chosen, pd.DataFrame({
                "forbund_id": ids,
                "namn": "Syntetiskt samordningsförbund " + extra["kommun"].to_numpy(dtype=object),
                "organisationsnummer": "",
            })],
            ignore_index=True,
        )
        members = pd.concat(
            [members, pd.DataFrame({
                "forbund_id": ids,
                "kommunkod": extra["kommunkod"].to_numpy(dtype=object),
                "giltig_from": pd.Timestamp(_SYNTHETIC_MEMBER_FROM),
                "giltig_tom": pd.NaT,
            })],
            ignore_index=True,
        )
    members["giltig_from"] = pd.to_datetime(members["giltig_from"]).astype("datetime64[ns]")
    members["giltig_tom"] = pd.to_datetime(members["giltig_tom"]).astype("datetime64[ns]")
    return chosen, members


def _forbund_size(rng: np.random.Generator, fids: list[str]) -> np.ndarray:
    """New participations per year (before yearly variation) of each förbund."""
    pop = np.array([_POPULATION_K.get(f, np.nan) for f in fids])
    unknown = np.isnan(pop)
    pop[unknown] = rng.uniform(8, 45, unknown.sum())
    rel = np.sqrt(np.clip((pop - _POP_MIN_K) / (_POP_MAX_K - _POP_MIN_K), 0, 1))
    return _NEW_MIN + (_NEW_MAX - _NEW_MIN) * rel


def _day(year: int, month, day=1) -> np.ndarray:
    """datetime64[D] for year (scalar or array), month and day arrays."""
    year = np.asarray(year)
    month = np.asarray(month)
    m = (year - 1970) * 12 + (month - 1)
    return m.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(day) - 1)


def _make_insatser(
    rng: np.random.Generator,
    forbund: pd.DataFrame,
    medlemmar: pd.DataFrame,
    size: np.ndarray,
    y0: int,
    y1: int,
) -> pd.DataFrame:
    """One row per insats with its parameters (dates as datetime64[D])."""
    formed = medlemmar.groupby("forbund_id", sort=False)["giltig_from"].min()
    parts = []
    for f_idx, fid in enumerate(forbund["forbund_id"]):
        start_f = np.datetime64(formed[fid].date(), "D")
        s = (size[f_idx] - _NEW_MIN) / (_NEW_MAX - _NEW_MIN)
        k = int(np.clip(np.round(3.3 + 4.5 * s + rng.normal(0, 0.9)), 3, 8))
        n_struct = 1 + int(k >= 7 and rng.random() < 0.4)
        n_ind = k - n_struct
        # the core insats is broad (all ages); the others are drawn from the rest
        broad = np.flatnonzero(_TEMPLATE_PROFILE == _ALLA)
        core = broad[rng.integers(0, len(broad))]
        rest = np.setdiff1d(np.arange(len(_INDIVID_TEMPLATES)), [core])
        ti = np.r_[core, rng.choice(rest, n_ind - 1, replace=False)]
        ts = rng.choice(len(_STRUKTUR_TEMPLATES), n_struct, replace=False)

        # individinriktade: the first is the förbund's long-running core
        start_year = rng.integers(y0 - 9, y0, n_ind)
        start = _day(start_year, rng.integers(1, 13, n_ind))
        n_new = 0 if n_ind < 2 else (1 if n_ind < 4 else int(rng.integers(1, 3)))
        new = np.zeros(n_ind, bool)
        new[1 : 1 + n_new] = True
        new_year = rng.integers(y0 + 1, y1 + 1, n_ind) if y1 > y0 else np.full(n_ind, y0)
        new_month = np.where(y1 > y0, rng.integers(1, 10, n_ind), rng.integers(2, 6, n_ind))
        start = np.where(new, _day(new_year, new_month), start)
        start = np.maximum(start, start_f)
        end = np.full(n_ind, np.datetime64("NaT"), "datetime64[D]")
        # some older insatser close during the period, some new ones are 3-year projects
        closes = ~new & (rng.random(n_ind) < 0.3)
        closes[0] = False
        if y1 > y0:
            close_year = rng.integers(y0, y1, n_ind)
        else:
            close_year = np.full(n_ind, y0)
        close_at = np.where(rng.random(n_ind) < 0.5, _day(close_year, 6, 30), _day(close_year, 12, 31))
        end = np.where(closes, np.maximum(close_at, start + 400), end)
        project = new & (rng.random(n_ind) < 0.5)
        end = np.where(project, _day(start.astype("datetime64[Y]").astype(int) + 1970 + 3, 1) - 1, end)

        # strukturövergripande
        s_start = np.maximum(_day(rng.integers(y0 - 6, y0, n_struct), rng.integers(1, 13, n_struct)), start_f)
        s_end = np.where(
            rng.random(n_struct) < 0.35,
            _day(rng.integers(y0, y1 + 1, n_struct), 12, 31),
            np.datetime64("NaT"),
        ).astype("datetime64[D]")
        s_end = np.maximum(s_end, s_start + 365)  # NaT (still running) stays NaT

        order = np.r_[0, 1 + np.argsort(start[1:], kind="stable")]  # the core insats first
        tmpl = [_INDIVID_TEMPLATES[i] for i in ti]
        base_rate = rng.uniform(0.32, 0.54, n_ind)
        weight = (rng.gamma(4.0, 0.25, n_ind) + 0.3) * _TEMPLATE_VOLUME[ti]
        weight[0] *= 1.5
        ind = pd.DataFrame({
            "forbund_id": fid,
            "namn": [tmpl[i][0] for i in order],
            "typ": _INDIVID,
            "startdatum": start[order],
            "slutdatum": end[order],
            "malgrupp": [tmpl[i][1] for i in order],
            "profil": [tmpl[i][2] for i in order],
            "kvinnoandel": [tmpl[i][3] for i in order],
            "utfall": base_rate[order],
            "vikt": weight[order],
        })
        struct = pd.DataFrame({
            "forbund_id": fid,
            "namn": [_STRUKTUR_TEMPLATES[i][0] for i in ts],
            "typ": _STRUKTUR,
            "startdatum": s_start,
            "slutdatum": s_end,
            "malgrupp": [_STRUKTUR_TEMPLATES[i][1] for i in ts],
            "profil": -1,
            "kvinnoandel": np.nan,
            "utfall": np.nan,
            "vikt": 0.0,
        })
        both = pd.concat([ind, struct], ignore_index=True)
        both.insert(0, "insats_id", [f"{fid}_{i + 1:02d}" for i in range(len(both))])
        parts.append(both)
    ins = pd.concat(parts, ignore_index=True)
    ins["startdatum"] = ins["startdatum"].to_numpy("datetime64[D]")
    ins["slutdatum"] = ins["slutdatum"].to_numpy("datetime64[D]")
    return ins


def _set_targets(
    rng: np.random.Generator, insatser: pd.DataFrame, rows: dict[str, np.ndarray], y0: int, y1: int
) -> pd.DataFrame:
    """mal_deltagare_per_ar and mal_andel_arbete_studier from the generated volumes."""
    ins = insatser.copy()
    counts = []
    for year in range(y0, y1 + 1):
        s, e = _day(year, 1, 1), _day(year, 12, 31)
        active = (rows["startdatum"] <= e) & (np.isnat(rows["slutdatum"]) | (rows["slutdatum"] >= s))
        per = pd.DataFrame({"i": rows["insats_id"][active], "p": rows["person"][active]})
        counts.append(per.drop_duplicates().groupby("i").size())
    mean_active = pd.concat(counts, axis=1).mean(axis=1)
    individ = (ins["typ"] == _INDIVID).to_numpy()
    actual = ins["insats_id"].map(mean_active).to_numpy(float)
    actual = np.where(np.isnan(actual), 20.0, actual)
    target = np.maximum(5, np.round(actual * rng.uniform(0.85, 1.25, len(ins)) / 5) * 5)
    ins["mal_deltagare_per_ar"] = np.where(individ, target, np.nan)
    share = np.clip(ins["utfall"].to_numpy() + rng.normal(0, 0.04, len(ins)), 0.30, 0.50)
    ins["mal_andel_arbete_studier"] = np.where(individ, np.round(share / 0.05) * 0.05, np.nan)
    return ins


def _insatser_frame(ins: pd.DataFrame) -> pd.DataFrame:
    individ = ins["typ"] == _INDIVID
    mal = ins["mal_deltagare_per_ar"].to_numpy()
    andel = ins["mal_andel_arbete_studier"].to_numpy()
    return pd.DataFrame({
        "insats_id": ins["insats_id"],
        "forbund_id": ins["forbund_id"],
        "namn": ins["namn"],
        "typ": ins["typ"],
        "startdatum": _date_text(ins["startdatum"].to_numpy("datetime64[D]")),
        "slutdatum": _date_text(ins["slutdatum"].to_numpy("datetime64[D]")),
        "malgrupp": ins["malgrupp"],
        "mal_deltagare_per_ar": np.where(individ, np.nan_to_num(mal).astype(np.int64).astype(str), ""),
        "mal_andel_arbete_studier": np.where(individ, np.char.mod("%.2f", np.nan_to_num(andel)), ""),
    })


def _make_ekonomi(rng: np.random.Generator, ins: pd.DataFrame, y0: int, y1: int) -> pd.DataFrame:
    """Budget and utfall per insats and year it runs (whole kronor)."""
    n_years = y1 - y0 + 1
    idx = np.repeat(np.arange(len(ins)), n_years)
    year = np.tile(np.arange(y0, y1 + 1), len(ins))
    s, e = _day(year, 1, 1), _day(year, 12, 31)
    start = ins["startdatum"].to_numpy("datetime64[D]")[idx]
    end = ins["slutdatum"].to_numpy("datetime64[D]")[idx]
    end = np.where(np.isnat(end), e, np.minimum(end, e))
    first = np.maximum(start, s)
    days = (end - first).astype(np.int64) + 1
    runs = days > 0
    coverage = np.clip(days / ((e - s).astype(np.int64) + 1), 0, 1)

    individ = (ins["typ"] == _INDIVID).to_numpy()
    target = np.nan_to_num(ins["mal_deltagare_per_ar"].to_numpy(float))
    base = np.where(
        individ,
        np.clip(target * rng.uniform(15_000, 28_000, len(ins)), 500_000, 4_000_000),
        rng.uniform(500_000, 1_500_000, len(ins)),
    )[idx]
    growth = 1.03 ** (year - y0)
    budget = base * growth * np.maximum(coverage, 0.35) * rng.uniform(0.95, 1.05, len(idx))
    budget = np.clip(np.round(budget / 10_000) * 10_000, 500_000, 4_000_000)
    utfall = np.round(budget * rng.uniform(0.85, 1.05, len(idx)))
    frame = pd.DataFrame({
        "insats_id": ins["insats_id"].to_numpy(dtype=object)[idx],
        "ar": year.astype(str),
        "budget_kr": budget.astype(np.int64).astype(str),
        "utfall_kr": utfall.astype(np.int64).astype(str),
    })
    return frame[runs].reset_index(drop=True)


# --------------------------------------------------------------------------
# Participations
# --------------------------------------------------------------------------


def _pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row of a (n, k) weight matrix (rows need not sum to 1)."""
    weights = np.asarray(weights, float)
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


_MONTH_WEIGHT = np.array([1.15, 1.1, 1.1, 1.0, 1.0, 0.8, 0.35, 0.75, 1.3, 1.2, 1.1, 0.8])


def _start_dates(rng: np.random.Generator, year: int, n: int, earliest: np.datetime64) -> np.ndarray:
    days = np.arange(_day(year, 1, 1), _day(year + 1, 1, 1))
    month = days.astype("datetime64[M]").astype(int) % 12
    in_month = np.bincount(month, minlength=12)
    w = _MONTH_WEIGHT[month] / in_month[month]
    w = np.where(days >= earliest, w, 0.0)
    if w.sum() == 0 or n == 0:
        return np.empty(0, "datetime64[D]")
    return np.sort(days[rng.choice(len(days), n, p=w / w.sum())])


def _make_deltagande(
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
    """All participations as a dict of equal-length arrays (codes, '' = empty)."""
    formed = medlemmar.groupby("forbund_id", sort=False)["giltig_from"].min()
    last_day = _day(y1, 12, 31)

    # --- volumes and start dates ---------------------------------------------
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
    f = np.concatenate(f_list).astype(np.int64)
    start = np.concatenate(d_list).astype("datetime64[D]")
    n = len(f)

    # --- insats: one of the förbund's individinriktade insatser open for intake
    ins_f = ins["forbund_id"].map({fid: i for i, fid in enumerate(fids)}).to_numpy()
    ins_start = ins["startdatum"].to_numpy("datetime64[D]")
    ins_end = ins["slutdatum"].to_numpy("datetime64[D]")
    individ = (ins["typ"] == _INDIVID).to_numpy()
    insats = np.zeros(n, np.int64)
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
        insats[rows] = cand[_pick(rng, w)]
    # the core insats may start after a participation when a förbund was formed
    # during the first year: never start before the insats
    start = np.maximum(start, ins_start[insats])

    # --- duration, slutdatum ---------------------------------------------------
    # lognormal, median about 5 months; the few beyond two years end within the second year
    days = np.round(np.exp(rng.normal(np.log(175), 0.68, n)))
    days = np.where(days > 730, rng.uniform(540, 730, n), days)
    days = np.clip(np.round(days), 10, 730).astype(np.int64)
    tentative = start + days
    cap_ins = ins_end[insats]
    forced = ~np.isnat(cap_ins) & (tentative > cap_ins) & (cap_ins <= last_day)
    slut = np.where(forced, cap_ins, tentative)
    slut = np.where(~forced & (tentative > last_day), np.datetime64("NaT"), slut).astype("datetime64[D]")
    avslutad = ~np.isnat(slut)

    # --- people: some come back in another insats, a few in another förbund ----
    order = np.lexsort((np.arange(n), start))
    parent = np.arange(n)
    in_xlsx = f == fids.index(xlsx_fid)
    for f_idx in range(len(fids)):
        pos = order[f[order] == f_idx]
        if len(pos) < 2:
            continue
        i = np.arange(len(pos))
        cand = (rng.random(len(pos)) < 0.16) & (i > 0)
        earlier = np.floor(rng.random(len(pos)) * i).astype(np.int64)
        r, p = pos[cand], pos[earlier[cand]]
        ok = avslutad[p] & (slut[p] < start[r] - 7) & (insats[p] != insats[r])
        parent[r[ok]] = p[ok]
    pos = order[~in_xlsx[order]]
    if len(np.unique(f[pos])) > 1:
        i = np.arange(len(pos))
        cand = (rng.random(len(pos)) < 0.006) & (i > 0) & (parent[pos] == pos)
        earlier = np.floor(rng.random(len(pos)) * i).astype(np.int64)
        r, p = pos[cand], pos[earlier[cand]]
        ok = avslutad[p] & (slut[p] < start[r] - 7) & (f[p] != f[r])
        parent[r[ok]] = p[ok]
    person = parent.copy()
    while True:
        nxt = person[person]
        if np.array_equal(nxt, person):
            break
        person = nxt
    # no exact duplicates (same person, insats and startdatum)
    key = pd.DataFrame({"p": person, "i": insats, "s": start})
    dup = key.duplicated().to_numpy()
    person[dup] = np.flatnonzero(dup)
    # days from a participation's end to the start of the same person's next one
    lr = np.flatnonzero(parent != np.arange(n))
    gap = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(gap, parent[lr], (start[lr] - slut[parent[lr]]).astype(np.int64))

    # --- who: age, kön, utbildning ------------------------------------------------
    profile = ins["profil"].to_numpy()[insats]
    start_year = start.astype("datetime64[Y]").astype(np.int64) + 1970
    age = np.select(
        [profile == _UNGA, profile == _ALLA],
        [16 + rng.gamma(2.2, 2.6, n), 16 + rng.gamma(1.9, 8.5, n)],
        20 + rng.gamma(4.0, 5.0, n),
    )
    age = np.where(profile == _UNGA, np.minimum(age, 29.9), age)
    age = np.clip(np.floor(age), _MIN_AGE, 65).astype(np.int64)
    fodelsear = start_year - age
    kvinnoandel = np.minimum(ins["kvinnoandel"].to_numpy(float)[insats] + 0.03, 0.92)
    kon = np.where(rng.random(n) < kvinnoandel, "kvinna", "man").astype(object)
    kon_empty = rng.random(n) < 0.012
    young, mid = age < 20, (age >= 20) & (age < 30)
    utb_w = np.where(
        young[:, None], _vec(schema.UTBILDNINGSNIVA, {"forgymnasial": 62, "gymnasial": 28, "okand": 10}),
        np.where(mid[:, None],
                 _vec(schema.UTBILDNINGSNIVA, {"forgymnasial": 38, "gymnasial": 44, "eftergymnasial": 8,
                                               "okand": 10}),
                 _vec(schema.UTBILDNINGSNIVA, {"forgymnasial": 32, "gymnasial": 40, "eftergymnasial": 18,
                                               "okand": 10})),
    )
    utb = _UTB[_pick(rng, utb_w)]
    # a returning person keeps kön, födelseår and utbildning
    kon, kon_empty, fodelsear, utb = kon[person], kon_empty[person], fodelsear[person], utb[person]
    age = start_year - fodelsear
    kon = np.where(kon_empty, "", kon)
    utb = np.where(rng.random(n) < 0.02, "", utb)

    # --- folkbokföringskommun: a member valid at start ------------------------------
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
        kommun[rows] = codes[_pick(rng, w)]
        # occasionally someone registered elsewhere (a neighbour in the same län)
        others = all_codes[(all_lan == lan_of[codes[0]]) & ~np.isin(all_codes, codes)]
        if len(others) == 0:
            others = all_codes[~np.isin(all_codes, codes)]
        elsewhere = rng.random(len(rows)) < 0.015
        kommun[rows[elsewhere]] = others[rng.integers(0, len(others), elsewhere.sum())]
    kommun = np.where(rng.random(n) < 0.005, "", kommun)

    # --- situation before -------------------------------------------------------
    p_syss = np.where(profile[:, None] == _UNGA, _SYSS_FORE[_UNGA],
                      np.where(profile[:, None] == _ALLA, _SYSS_FORE[_ALLA], _SYSS_FORE[_VUXNA]))
    syss_fore = _pick(rng, p_syss)
    age_mult = np.ones((n, len(_FORS)))
    age_mult[:, _FI["aktivitetsersattning"]] = np.where((age >= 19) & (age < 30), 3.0, 0.0)
    age_mult[:, _FI["sjukersattning"]] = np.where(age < 30, 0.05, 1.0)
    age_mult[:, _FI["arbetsloshetsersattning"]] = np.where(age < 20, 0.1, np.where(age < 25, 0.5, 1.0))
    age_mult[:, _FI["forsorjningsstod"]] = np.where(age < 20, 0.5, 1.0)
    age_mult[:, _FI["ingen_offentlig"]] = np.where(age < 20, 3.0, 1.0)
    age_mult[:, _FI["etableringsersattning"]] = np.where(age < 20, 0.3, 1.0)
    primary = _pick(rng, _FORS_GIVEN_SYSS[syss_fore] * age_mult)
    w2 = _FORS_SECOND[primary] * age_mult
    has_second = (rng.random(n) < 0.18) & (w2.sum(axis=1) > 0)
    second = _pick(rng, np.where(w2.sum(axis=1, keepdims=True) > 0, w2, 1.0))
    fors_fore = _join(_FORS[primary], np.where(has_second, _FORS[second], ""))
    fors_fore_empty = rng.random(n) < 0.02
    fors_fore = np.where(fors_fore_empty, "", fors_fore)

    offentlig = _OFFENTLIG_FORS[primary] & ~fors_fore_empty
    tid_w = np.where(
        offentlig[:, None],
        _vec(schema.TID_OFFENTLIG_FORSORJNING, {"under_1_ar": 25, "1_2_ar": 26, "2_5_ar": 27,
                                                "over_5_ar": 12, "okand": 10}),
        _vec(schema.TID_OFFENTLIG_FORSORJNING, {"under_1_ar": 45, "1_2_ar": 12, "okand": 43}),
    )
    tid_w[:, _idx(schema.TID_OFFENTLIG_FORSORJNING, "over_5_ar")] *= age >= 23
    tid_w[:, _idx(schema.TID_OFFENTLIG_FORSORJNING, "2_5_ar")] *= np.where(age < 20, 0.0, 1.0)
    tid = np.where(rng.random(n) < 0.06, "", _TID[_pick(rng, tid_w)])

    rem_w = np.where((syss_fore == _SI["sjukskriven"])[:, None], _REMITTENT["sjukskriven"],
                     np.where((syss_fore == _SI["arbetssokande"])[:, None], _REMITTENT["arbetssokande"],
                              _REMITTENT["other"]))
    rem = np.where(rng.random(n) < 0.05, "", _REM[_pick(rng, rem_w)])

    occupied = np.isin(syss_fore, _ARBETE + _STUDIER + [_SI["praktik"]])
    omf_fore = np.where(
        occupied,
        rng.choice([10, 20, 25, 25, 50, 50, 75], n),
        rng.choice([0, 10, 15, 20, 25], n, p=[0.72, 0.08, 0.04, 0.06, 0.10]),
    )
    omf_fore_txt = np.where(rng.random(n) < 0.08, "", omf_fore.astype(str)).astype(object)
    syss_fore_code = np.where(rng.random(n) < 0.02, "", _SYSS[syss_fore])

    # --- exit -------------------------------------------------------------------
    anl = np.where(forced, _pick(rng, np.broadcast_to(_ANLEDNING_INSATS_SLUT, (n, len(_AVSL)))),
                   _pick(rng, np.broadcast_to(_ANLEDNING, (n, len(_AVSL)))))
    to_next = (gap <= 45) & avslutad & (rng.random(n) < 0.7)
    anl = np.where(to_next, _AI["annan_insats"], anl)
    anl = np.where(avslutad & (rng.random(n) < 0.005), _AI["felregistrering"], anl)
    short = avslutad & ~forced & np.isin(anl, [_AI["avbrott"], _AI["ohalsa"]])
    kept = np.where(avslutad, (slut - start).astype(np.int64), 0) * rng.uniform(0.3, 0.8, n)
    shortened = start + np.maximum(1, np.round(kept)).astype(np.int64)
    slut = np.where(short, shortened, slut).astype("datetime64[D]")

    p_as = ins["utfall"].to_numpy(float)[insats] * _AS_FACTOR_ANLEDNING[anl]
    p_as *= np.select([age < 25, age >= 50], [1.1, 0.7], 1.0)
    p_as *= np.select([syss_fore == _SI["sjukskriven"], occupied], [0.75, 1.3], 1.0)
    to_as = rng.random(n) < np.clip(p_as, 0, 0.97)
    p_studier = np.select([age < 20, age < 25, age < 30, age < 40], [0.65, 0.45, 0.30, 0.15], 0.07)
    studier = rng.random(n) < p_studier
    arbete_code = np.where(rng.random(n) < 0.55, _SI["forvarvsarbete"], _SI["subventionerad_anstallning"])
    other = _pick(rng, _OTHER_OUTCOME[anl])
    syss_efter = np.where(to_as, np.where(studier, _SI["studier"], arbete_code), other)

    # försörjning efter, consistent with the outcome
    fors_fore_or_okand = np.where(fors_fore == "", "okand", fors_fore)
    u = rng.random(n)
    to_arbete = np.isin(syss_efter, _ARBETE)
    fe = np.select(
        [
            to_arbete & (u < 0.9), to_arbete,
            (syss_efter == _SI["studier"]) & (u < 0.8),
            (syss_efter == _SI["studier"]) & (u < 0.9),
            (syss_efter == _SI["studier"]) & (age >= 19) & (age < 30),
            syss_efter == _SI["studier"],
            (syss_efter == _SI["arbetssokande"]) & (u < 0.2),
            (syss_efter == _SI["arbetssokande"]) & (u < 0.45),
            (syss_efter == _SI["arbetssokande"]) & (u < 0.55),
            syss_efter == _SI["arbetssokande"],
            (syss_efter == _SI["sjukskriven"]) & (u < 0.7),
            (syss_efter == _SI["sjukskriven"]) & (u < 0.9),
            (syss_efter == _SI["sjukskriven"]) & (age < 30) & (age >= 19),
            syss_efter == _SI["sjukskriven"],
            (syss_efter == _SI["praktik"]) & (u < 0.4),
            syss_efter == _SI["praktik"],
            (syss_efter == _SI["ovrigt"]) & (u < 0.75),
            (syss_efter == _SI["ovrigt"]) & (u < 0.85),
            syss_efter == _SI["ovrigt"],
            (syss_efter == _SI["okand"]) & (u < 0.6),
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
    # a few cells left empty by the förbund
    fe = np.where(rng.random(n) < 0.03, "", fe)

    omf_efter = np.full(n, "", dtype=object)
    for code, (values, probs) in _OMF_EFTER.items():
        rows = syss_efter == _SI[code]
        omf_efter[rows] = rng.choice(values, rows.sum(), p=probs).astype(str)
    omf_efter = np.where(rng.random(n) < 0.06, "", omf_efter)
    syss_efter_code = np.where(rng.random(n) < 0.01, "", _SYSS[syss_efter])

    # only avslutade carry exit information
    anl_code = np.where(avslutad, _AVSL[anl], "")
    syss_efter_code = np.where(avslutad, syss_efter_code, "")
    fe = np.where(avslutad, fe, "")
    omf_efter = np.where(avslutad, omf_efter, "")

    # --- output order: förbund, startdatum, insats ---------------------------------
    ins_ids = ins["insats_id"].to_numpy(dtype=object)
    out_order = np.lexsort((ins_ids[insats].astype(str), start, f))
    cols = {
        "forbund_idx": f,
        "forbund_id": np.array(fids, dtype=object)[f],
        "insats_id": ins_ids[insats],
        "person": person,
        "kon": kon,
        "fodelsear": fodelsear,
        "folkbokforingskommun": kommun,
        "utbildningsniva": utb,
        "startdatum": start,
        "slutdatum": slut,
        "avslutsanledning": anl_code,
        "sysselsattning_fore": syss_fore_code,
        "sysselsattning_efter": syss_efter_code,
        "forsorjning_fore": fors_fore,
        "forsorjning_efter": fe,
        "omfattning_fore": omf_fore_txt,
        "omfattning_efter": omf_efter,
        "tid_offentlig_forsorjning_fore": tid,
        "remitterande_aktor": rem,
    }
    cols = {k: np.asarray(v)[out_order] for k, v in cols.items()}
    # pseudonymous person keys, 'd' + 10 hex digits: unique, and never ten
    # decimal digits in a row (that would look like a personnummer)
    key40 = rng.integers(0, 2**40, n, dtype=np.int64)
    while True:
        _, first = np.unique(key40, return_index=True)
        bad = np.ones(n, bool)
        bad[first] = False
        bad |= _all_decimal(key40)
        if not bad.any():
            break
        key40[bad] = rng.integers(0, 2**40, bad.sum(), dtype=np.int64)
    cols["deltagare_id"] = _hex_ids(key40)[cols["person"]]
    return cols


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


def _date_text(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, "datetime64[D]")
    text = np.datetime_as_string(values, unit="D").astype(object)
    return np.where(np.isnat(values), "", text)


def _canonical_frame(rows: Mapping[str, np.ndarray], personnummer: np.ndarray | None = None) -> pd.DataFrame:
    """deltagande.csv: every canonical column as text.

    Without ``personnummer`` the column is left out; with it, rows with a
    number carry it instead of a ``deltagare_id`` (DATA.md §5: one of the two).
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
            frame[col] = _date_text(rows[col])
        elif col == "fodelsear":
            frame[col] = rows[col].astype(np.int64).astype(str)
        else:
            frame[col] = rows[col]
    return pd.DataFrame(frame)


# --------------------------------------------------------------------------
# The förbund's own Excel file and its mapping
# --------------------------------------------------------------------------


def _labels(col: str, codes: np.ndarray) -> np.ndarray:
    """Codes of one column as the förbund's labels ('' stays empty)."""
    table = _XLSX_LABELS[col]
    codes = np.asarray(codes, dtype=object)
    if len(codes) == 0:
        return codes
    if schema.DELTAGANDE[col].kind == "codelist":
        parts = pd.Series(codes, dtype=object).str.partition(";")
        a = parts[0].map(table).fillna("").to_numpy(dtype=object)
        b = parts[2].map(table).fillna("").to_numpy(dtype=object)
        return np.where(b == "", a, a + _XLSX_LIST_SEPARATOR + " " + b)
    return pd.Series(codes).map(table).fillna("").to_numpy(dtype=object)


def _vary_case(rng: np.random.Generator, labels: np.ndarray, share: float, how: str) -> np.ndarray:
    hit = (labels != "") & (rng.random(len(labels)) < share)
    text = pd.Series(labels, dtype=object).fillna("").astype(str)
    if how == "lower":
        changed = text.str.lower()
    elif how == "upper":
        changed = text.str.upper()
    else:  # a stray space, as typed
        changed = text + " "
    return np.where(hit, changed.to_numpy(dtype=object), labels)


def _without_dashes(values: np.ndarray) -> np.ndarray:
    return pd.Series(values, dtype=object).str.replace("-", "", regex=False).to_numpy(dtype=object)


def _numbers(text: np.ndarray) -> np.ndarray:
    """Digit strings as Python ints for number cells; '' becomes None (empty cell)."""
    text = np.asarray(text, dtype=object)
    empty = text == ""
    values = np.where(empty, "0", text).astype(np.int64).astype(object)
    values[empty] = None
    return values


def _personnummer(rows: Mapping[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """One synthetic personnummer per person of ``rows``, as a förbund writes them.

    Kön as recorded (a person with empty kön gets a random one); about 5 % of
    the cells are written without the dash.
    """
    n = len(rows["forbund_id"])
    people, first_row, inverse = np.unique(rows["person"], return_index=True, return_inverse=True)
    kon = rows["kon"][first_row]
    kon_for_pnr = np.where(kon == "", np.where(rng.random(len(kon)) < 0.5, "kvinna", "man"), kon)
    pnr = personnummer.generate(
        len(people), rng, rows["fodelsear"][first_row].astype(np.int64), kon_for_pnr.astype(str),
        samordningsnummer_share=0.02, dash=True,
    ).astype(object)[inverse]
    no_dash = rng.random(n) < 0.05
    return np.where(no_dash, _without_dashes(pnr), pnr)


def _write_xlsx(path: Path, rng: np.random.Generator, rows: Mapping[str, np.ndarray],
                insats_names: Mapping[str, str]) -> int:
    """Write the förbund's own participant file; returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    n = len(rows["forbund_id"])
    cols: dict[str, np.ndarray] = {"personnummer": _personnummer(rows, rng)}
    cols["kon"] = _vary_case(rng, _labels("kon", rows["kon"]), 0.03, "lower")
    names = pd.Series(rows["insats_id"]).map(insats_names).to_numpy(dtype=object)
    cols["insats_id"] = _vary_case(rng, names, 0.01, "lower")
    for col in ("startdatum", "slutdatum"):
        d = rows[col]
        as_obj = d.astype(object)  # datetime.date or None
        style = rng.random(n)
        iso = _date_text(d)
        compact = _without_dashes(iso)
        cols[col] = np.where(np.isnat(d), None,
                             np.where(style < 0.10, iso, np.where(style < 0.12, compact, as_obj)))
    cols["avslutsanledning"] = _vary_case(rng, _labels("avslutsanledning", rows["avslutsanledning"]),
                                          0.02, "space")
    cols["folkbokforingskommun"] = _numbers(rows["folkbokforingskommun"])  # Excel keeps kommunkod as a number
    cols["utbildningsniva"] = _labels("utbildningsniva", rows["utbildningsniva"])
    cols["remitterande_aktor"] = _labels("remitterande_aktor", rows["remitterande_aktor"])
    cols["sysselsattning_fore"] = _vary_case(
        rng, _labels("sysselsattning_fore", rows["sysselsattning_fore"]), 0.02, "lower")
    cols["forsorjning_fore"] = _labels("forsorjning_fore", rows["forsorjning_fore"])
    cols["tid_offentlig_forsorjning_fore"] = _labels(
        "tid_offentlig_forsorjning_fore", rows["tid_offentlig_forsorjning_fore"])
    cols["sysselsattning_efter"] = _vary_case(
        rng, _labels("sysselsattning_efter", rows["sysselsattning_efter"]), 0.03, "upper")
    cols["forsorjning_efter"] = _labels("forsorjning_efter", rows["forsorjning_efter"])
    for col in ("omfattning_fore", "omfattning_efter"):
        cols[col] = _numbers(rows[col])
    for col, values in cols.items():
        if values.dtype == object:
            cols[col] = np.where(pd.isna(values) | (values == ""), None, values)

    wb = Workbook()
    ws = wb.active
    ws.title = XLSX_SHEET
    headers = list(XLSX_HEADERS.values())
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    table = np.column_stack([cols[c] for c in XLSX_HEADERS])
    for record in table.tolist():  # openpyxl writes cell by cell
        ws.append(record)
    for col in ("startdatum", "slutdatum"):
        letter = ws.cell(row=1, column=list(XLSX_HEADERS).index(col) + 1).column_letter
        for cell in ws[letter][1:]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    widths = {h: max(12, len(h) + 2) for h in headers}
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = widths[h]

    wb.properties.creator = "finsam sample-data"
    wb.properties.lastModifiedBy = "finsam sample-data"
    wb.properties.title = "Deltagare (SYNTETISKA DATA)"
    wb.properties.description = "Syntetiska exempeldata, inte verkliga personer."
    wb.properties.created = _FIXED_TIMESTAMP
    wb.properties.modified = _FIXED_TIMESTAMP
    buffer = io.BytesIO()
    archive = FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, date_time=_FIXED_TIMESTAMP.timetuple()[:6])
    ExcelWriter(wb, archive).save()  # not save_workbook(): that stamps "modified" with now
    path.write_bytes(buffer.getvalue())
    return n


def _mapping_yaml(fid: str, namn: str, insats_names: Mapping[str, str], seed: int) -> str:
    columns = {c: h for c, h in XLSX_HEADERS.items()}
    values: dict[str, dict[str, str]] = {"insats_id": dict(insats_names)}
    for col in XLSX_HEADERS:
        if col in _XLSX_LABELS:
            values[col] = {label: code for code, label in _XLSX_LABELS[col].items()}
    doc = {
        "columns": columns,
        "values": values,
        "defaults": {"forbund_id": fid},
        "list_separator": _XLSX_LIST_SEPARATOR,
    }
    header = (
        "# mapping.yaml — SYNTETISKA DATA, inte verklig statistik.\n"
        f"# Skapad av `finsam sample-data` (seed {seed}).\n"
        f"# Beskriver hur {namn}s egen deltagarfil (deltagande.xlsx, bladet \"{XLSX_SHEET}\")\n"
        "# motsvarar det kanoniska formatet (DATA.md §8):\n"
        "#   columns:  kanoniskt kolumnnamn -> förbundets kolumnrubrik\n"
        "#   values:   kanonisk kolumn -> {förbundets etikett: kanonisk kod}\n"
        "#   defaults: värden som gäller hela filen\n"
        "# Etiketter jämförs utan hänsyn till versaler/gemener och omgivande blanksteg.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _version() -> str:
    return __version__


def _readme(y0: int, y1: int, n_forbund: int, xlsx_fid: str, seed: int, version: str, xlsx: bool = True) -> str:
    if xlsx:
        pnr_file = "deltagande.xlsx"
        files = f"""deltagande.csv         deltaganden i kanoniskt format (alla förbund utom {xlsx_fid})
deltagande.xlsx        {xlsx_fid}s egen deltagarfil, så som ett förbund för den i Excel
mapping.yaml           hur deltagande.xlsx översätts till det kanoniska formatet"""
    else:
        pnr_file = f"deltagande.csv ({xlsx_fid}s rader)"
        files = f"""deltagande.csv         deltaganden i kanoniskt format; {xlsx_fid}s rader har
                       personnummer i stället för deltagare_id"""
    return f"""SYNTETISKA DATA — inte verklig statistik
========================================

Den här katalogen innehåller ett påhittat exempeldataset för finsam_analysis.
Det är skapat av kommandot `finsam sample-data` (finsam_analysis {version},
seed {seed}) och beskriver {n_forbund} samordningsförbund åren {y0}–{y1}.

Förbunden och deras medlemskommuner är verkliga (paketets förbundskatalog),
men insatserna, budgetarna, alla deltagare och SCB-filerna med
helårsekvivalenter är slumpmässigt genererade. Inga uppgifter rör verkliga
personer. Personnumren i {pnr_file} är
syntetiska (födelsenummer 980–999) men har korrekt kontrollsiffra.
Siffrorna får inte användas eller citeras som statistik om något förbund
eller någon kommun.

Filer
-----
forbund.csv            förbunden
forbund_medlemmar.csv  medlemskommuner med giltighetstider
insatser.csv           insatser (individinriktade och strukturövergripande)
insats_ekonomi.csv     budget och utfall per insats och år
{files}
helarsekvivalenter/    TAB1386_<år>.json: helårsekvivalenter per kommun och månad i
                       samma form (JSON-stat 2.0) som SCB:s tabell HE0000T02N2
                       (TAB1386) levereras, med riket och förbundens medlemskommuner;
                       också de är syntetiska
dataset.yaml           beskrivning av datasetet (synthetic: true)

Kontrollera datasetet med:  finsam validate --data-dir <den här katalogen>
"""


# --------------------------------------------------------------------------
# Helårsekvivalenter: SCB-shaped JSON-stat 2.0 (HE0000T02N2 / TAB1386)
# --------------------------------------------------------------------------

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


def _write_helarsekvivalenter(out: Path, seed: int, members: list[str], kommuner: pd.DataFrame,
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
