"""Fixed facts and parameters of the synthetic data: templates, probabilities, helpers.

What the generator draws from (the catalogue förbund's sizes, the insats
templates, how situation before and outcome depend on each other), so that
the other modules of :mod:`finsam_analysis.synthetic` only say how rows are
made.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from finsam_analysis import schema


#: Approximate population (thousands, 2023) of each catalogue förbund's member
#: kommuner. Only used to scale the synthetic volumes.
POPULATION_K: dict[str, float] = {
    "skelleftea": 81, "alv_och_kust": 135, "vasterbergslagen": 37, "hbs": 227,
    "stockholms_stad": 985, "sodertalje": 101, "sodra_roslagen": 123, "varna": 155,
    "ostra_sodertorn": 174, "sollentuna_upplands_vasby_sigtuna": 175, "uppsala_lan": 400,
    "karlskoga_degerfors": 40, "badesa": 52, "mittskane": 68, "kavlinge_lomma": 58,
    "burlov_staffanstorp": 46, "harnosand_timra": 43, "arvika_eda": 34, "finnveden": 88,
    "sodra_vatterbygden": 164, "sydnarke": 63, "ange": 9, "gavleborg": 287,
    "kalmar_lan": 246, "blekinge": 157, "ostra_ostergotland": 167, "norra_bohuslan": 59,
}


POP_MIN_K, POP_MAX_K = 9.0, 985.0


NEW_MIN, NEW_MAX = 60.0, 500.0  # new participations per year, smallest → largest förbund


SYNTHETIC_MEMBER_FROM = "2004-01-01"


MIN_AGE = 16  # no participant is younger at start


# Age profiles of an insats' target group.
UNGA, ALLA, VUXNA = 0, 1, 2


#: Individinriktade insatser: name, målgrupp, age profile, share of women.
INDIVID_TEMPLATES: tuple[tuple[str, str, int, float], ...] = (
    ("Unga in", "Unga 16–29 år utan sysselsättning", UNGA, 0.47),
    ("Steget vidare", "Personer 20–64 år med långvarigt försörjningsstöd", ALLA, 0.58),
    ("Hälsa och arbete", "Sjukskrivna 20–64 år med behov av samordnad rehabilitering", VUXNA, 0.68),
    ("Kraftsamling", "Arbetssökande med psykisk ohälsa eller NPF", ALLA, 0.55),
    ("Vägen framåt", "Långtidsarbetslösa 25–64 år med stödbehov hos flera myndigheter", VUXNA, 0.56),
    ("Aktivitetshuset", "Unga vuxna 19–29 år med aktivitetsersättning", UNGA, 0.50),
    ("Framtidsverkstan", "Unga 16–24 år som varken arbetar eller studerar", UNGA, 0.46),
    ("Individstöd IPS", "Personer med psykisk ohälsa som vill arbeta eller studera", ALLA, 0.60),
    ("Nystart", "Personer som står långt från arbetsmarknaden", ALLA, 0.57),
    ("Kompassen", "Utrikes födda kvinnor 25–64 år med försörjningsstöd", VUXNA, 0.88),
    ("Språngbrädan", "Unga 16–29 år med behov av stöd för att börja studera", UNGA, 0.49),
    ("Balans", "Sjukskrivna med stressrelaterad ohälsa", VUXNA, 0.76),
    ("Lotsen", "Personer 18–64 år som behöver samordnat stöd mellan myndigheterna", ALLA, 0.58),
    ("Arbetsträning i samverkan", "Personer med sjukersättning eller aktivitetsersättning", ALLA, 0.55),
    ("Jobbstegen", "Arbetssökande 20–64 år med försörjningsstöd", ALLA, 0.54),
    ("Grönt kliv", "Personer med psykisk ohälsa, naturunderstödd rehabilitering", VUXNA, 0.66),
    ("Trappan", "Unga vuxna 18–29 år med neuropsykiatrisk funktionsnedsättning", UNGA, 0.45),
    ("Fokus arbete", "Arbetslösa 25–64 år med ohälsa", VUXNA, 0.57),
)


#: Strukturövergripande insatser (no participants): name, målgrupp.
STRUKTUR_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Samverkansforum", "Chefer och medarbetare hos förbundets medlemmar"),
    ("Kompetensutveckling i samverkan", "Medarbetare hos medlemmarna"),
    ("Gemensam kartläggning av målgrupper", "Medlemmarnas planerare och analytiker"),
    ("Metodstöd och kunskapsspridning", "Medarbetare hos medlemmarna och civilsamhället"),
    ("Strukturellt arbete för unga vuxna", "Medlemmarnas verksamheter för unga 16–29 år"),
)


TEMPLATE_PROFILE = np.array([t[2] for t in INDIVID_TEMPLATES])


#: Insatser for a narrow group take fewer participants.
TEMPLATE_VOLUME = np.array([0.5 if t[3] > 0.8 else 1.0 for t in INDIVID_TEMPLATES])


def vocab_weights(vocabulary: Mapping[str, str], weights: Mapping[str, float]) -> np.ndarray:
    """Weights aligned to a schema vocabulary's code order; unknown codes fail."""
    unknown = set(weights) - set(vocabulary)
    if unknown:
        raise ValueError(f"Okända koder {sorted(unknown)} för vokabulären {list(vocabulary)}")
    return np.array([float(weights.get(code, 0.0)) for code in vocabulary])


def _codes(vocabulary: Mapping[str, str]) -> np.ndarray:
    return np.array(list(vocabulary), dtype=object)


def code_index(vocabulary: Mapping[str, str], code: str) -> int:
    return list(vocabulary).index(code)


SYSS = _codes(schema.SYSSELSATTNING)


FORS = _codes(schema.FORSORJNING)


UTB = _codes(schema.UTBILDNINGSNIVA)


AVSL = _codes(schema.AVSLUTSANLEDNING)


TID = _codes(schema.TID_OFFENTLIG_FORSORJNING)


REM = _codes(schema.REMITTERANDE_AKTOR)


INDIVID, STRUKTUR = list(schema.INSATS_TYP)


# code → position in its schema vocabulary
SI = {code: code_index(schema.SYSSELSATTNING, code) for code in schema.SYSSELSATTNING}


FI = {code: code_index(schema.FORSORJNING, code) for code in schema.FORSORJNING}


AI = {code: code_index(schema.AVSLUTSANLEDNING, code) for code in schema.AVSLUTSANLEDNING}


ARBETE = [SI[c] for c, g in schema.UTFALL_GRUPP.items() if g == "arbete"]


STUDIER = [SI[c] for c, g in schema.UTFALL_GRUPP.items() if g == "studier"]


OFFENTLIG_FORS = np.array(
    [schema.FORSORJNING_GRUPP[c] in schema.OFFENTLIG_FORSORJNING_GRUPPER for c in schema.FORSORJNING]
)


# sysselsättning före, by age profile (unga, alla, vuxna)
SYSS_FORE = np.stack([
    vocab_weights(schema.SYSSELSATTNING, {"arbetssokande": 30, "sjukskriven": 12, "ovrigt": 33, "studier": 6,
                                 "praktik": 5, "forvarvsarbete": 2, "subventionerad_anstallning": 1,
                                 "okand": 6}),
    vocab_weights(schema.SYSSELSATTNING, {"arbetssokande": 38, "sjukskriven": 25, "ovrigt": 20, "studier": 2,
                                 "praktik": 5, "forvarvsarbete": 2, "subventionerad_anstallning": 2,
                                 "okand": 6}),
    vocab_weights(schema.SYSSELSATTNING, {"arbetssokande": 30, "sjukskriven": 42, "ovrigt": 14, "studier": 1,
                                 "praktik": 4, "forvarvsarbete": 3, "subventionerad_anstallning": 1,
                                 "okand": 5}),
])


# primary försörjning före, by sysselsättning före
FORS_GIVEN_SYSS = np.stack([
    vocab_weights(schema.FORSORJNING, w)
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
], "update FORS_GIVEN_SYSS to the schema order"


# second försörjning source, given the primary one (rows: primary, cols: second)
FORS_SECOND = np.zeros((len(FORS), len(FORS)))
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
    FORS_SECOND[FI[_primary]] = vocab_weights(schema.FORSORJNING, _weights)


ANLEDNING = vocab_weights(schema.AVSLUTSANLEDNING, {"planenligt": 68, "avbrott": 13, "annan_insats": 6,
                                            "flytt": 4, "ohalsa": 6, "annat": 3})


ANLEDNING_INSATS_SLUT = vocab_weights(schema.AVSLUTSANLEDNING, {"planenligt": 85, "annan_insats": 10,
                                                        "avbrott": 3, "annat": 2})


AS_FACTOR_ANLEDNING = vocab_weights(schema.AVSLUTSANLEDNING, {"planenligt": 1.25, "avbrott": 0.3,
                                                      "annan_insats": 0.35, "flytt": 0.45,
                                                      "ohalsa": 0.08, "annat": 0.6,
                                                      "felregistrering": 1.0})


# outcome when not to arbete/studier, by avslutsanledning (rows in schema order)
OTHER_OUTCOME = np.stack([
    vocab_weights(schema.SYSSELSATTNING, w)
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
], "update OTHER_OUTCOME to the schema order"


REMITTENT = {
    "sjukskriven": vocab_weights(schema.REMITTERANDE_AKTOR, {"forsakringskassan": 35, "region": 25, "kommun": 15,
                                                     "arbetsformedlingen": 10, "egen_anmalan": 8,
                                                     "annan": 7}),
    "arbetssokande": vocab_weights(schema.REMITTERANDE_AKTOR, {"arbetsformedlingen": 40, "kommun": 35,
                                                       "forsakringskassan": 5, "region": 5,
                                                       "egen_anmalan": 8, "annan": 7}),
    "other": vocab_weights(schema.REMITTERANDE_AKTOR, {"kommun": 40, "arbetsformedlingen": 15, "forsakringskassan": 10,
                                               "region": 15, "egen_anmalan": 12, "annan": 8}),
}


# omfattning efter, by sysselsättning efter: (values, weights)
OMF_EFTER = {
    "forvarvsarbete": ([25, 50, 75, 100], [0.10, 0.30, 0.25, 0.35]),
    "subventionerad_anstallning": ([50, 75, 100], [0.30, 0.30, 0.40]),
    "studier": ([50, 75, 100], [0.25, 0.20, 0.55]),
    "praktik": ([10, 25, 50, 75], [0.20, 0.40, 0.30, 0.10]),
    "arbetssokande": ([0, 10, 25], [0.70, 0.15, 0.15]),
    "sjukskriven": ([0, 10, 25], [0.80, 0.10, 0.10]),
    "ovrigt": ([0, 25], [0.85, 0.15]),
}
assert set(OMF_EFTER) <= set(schema.SYSSELSATTNING)


def to_day(year: int, month, day=1) -> np.ndarray:
    """datetime64[D] for year (scalar or array), month and day arrays."""
    year = np.asarray(year)
    month = np.asarray(month)
    m = (year - 1970) * 12 + (month - 1)
    return m.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(day) - 1)


def pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row of a (n, k) weight matrix (rows need not sum to 1)."""
    weights = np.asarray(weights, float)
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def date_text(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, "datetime64[D]")
    text = np.datetime_as_string(values, unit="D").astype(object)
    return np.where(np.isnat(values), "", text)
