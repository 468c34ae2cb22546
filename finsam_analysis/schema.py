"""The canonical schema and vocabularies (docs/dataformat.md §2–6), in one place.

Every other module takes column names, codes, Swedish labels and groupings from
here, so the contract has exactly one implementation. Codes are the fixed ASCII
identifiers of docs/dataformat.md; labels are what a report shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# --------------------------------------------------------------------------
# Vocabularies: code -> Swedish label (docs/dataformat.md §6). Order is report order.
# --------------------------------------------------------------------------


def _frozen(pairs: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(pairs))


KON = _frozen({"kvinna": "Kvinna", "man": "Man"})
KON_OKAND_LABEL = "Uppgift saknas"

UTBILDNINGSNIVA = _frozen(
    {
        "forgymnasial": "Förgymnasial",
        "gymnasial": "Gymnasial",
        "eftergymnasial": "Eftergymnasial",
        "okand": "Uppgift saknas",
    }
)

FORSORJNING = _frozen(
    {
        "lon": "Lön (även subventionerad anställning)",
        "sjukpenning": "Sjukpenning inkl. rehabiliteringspenning",
        "sjukersattning": "Sjukersättning",
        "aktivitetsersattning": "Aktivitetsersättning",
        "arbetsloshetsersattning": "Arbetslöshetsersättning",
        "aktivitetsstod": "Aktivitetsstöd inkl. utvecklingsersättning",
        "etableringsersattning": "Etableringsersättning",
        "forsorjningsstod": "Försörjningsstöd (ekonomiskt bistånd)",
        "studiemedel": "Studiemedel",
        "annan": "Annan försörjning",
        "ingen_offentlig": "Ingen offentlig försörjning",
        "okand": "Uppgift saknas",
    }
)

SYSSELSATTNING = _frozen(
    {
        "forvarvsarbete": "Förvärvsarbete",
        "subventionerad_anstallning": "Subventionerad anställning",
        "studier": "Studier",
        "praktik": "Praktik/arbetsträning",
        "arbetssokande": "Aktivt arbetssökande",
        "sjukskriven": "Sjukskriven/ej arbetsför",
        "ovrigt": "Övrigt",
        "okand": "Uppgift saknas",
    }
)

#: Follow-ups after the end of a participation, months after slutdatum (docs/dataformat.md §5).
UPPFOLJNING_MANADER = (3, 6, 12)
#: The follow-up was tried and the participant not reached.
EJ_NADD = "ej_nadd"
UPPFOLJNING_SYSSELSATTNING = _frozen({**SYSSELSATTNING, EJ_NADD: "Ej nådd"})


def uppfoljning_column(manader: int, what: str) -> str:
    """``uppfoljning_3m_sysselsattning``: the column of one follow-up (``what``: sysselsattning or forsorjning)."""
    return f"uppfoljning_{manader}m_{what}"


AVSLUTSANLEDNING = _frozen(
    {
        "planenligt": "Planenligt avslut",
        "avbrott": "Avbrott",
        "annan_insats": "Övergång till annan insats",
        "flytt": "Flyttat",
        "ohalsa": "Ohälsa",
        "annat": "Annat",
        "felregistrering": "Felregistrering",
    }
)
#: Rows with this avslutsanledning are left out of every statistic (docs/rapporter.md §2).
FELREGISTRERING = "felregistrering"

TID_OFFENTLIG_FORSORJNING = _frozen(
    {
        "under_1_ar": "Mindre än 1 år",
        "1_2_ar": "1–2 år",
        "2_5_ar": "2–5 år",
        "over_5_ar": "Mer än 5 år",
        "okand": "Uppgift saknas",
    }
)

REMITTERANDE_AKTOR = _frozen(
    {
        "kommun": "Kommun",
        "region": "Region",
        "forsakringskassan": "Försäkringskassan",
        "arbetsformedlingen": "Arbetsförmedlingen",
        "egen_anmalan": "Egen anmälan",
        "annan": "Annan aktör",
    }
)

INSATS_TYP = _frozen(
    {
        "individinriktad": "Individinriktad insats",
        "strukturovergripande": "Strukturövergripande insats",
    }
)

# --------------------------------------------------------------------------
# Groupings (docs/dataformat.md §6)
# --------------------------------------------------------------------------

FORSORJNING_GRUPP = _frozen(
    {
        "sjukpenning": "ohalsa",
        "sjukersattning": "ohalsa",
        "aktivitetsersattning": "ohalsa",
        "arbetsloshetsersattning": "arbetsmarknad",
        "aktivitetsstod": "arbetsmarknad",
        "etableringsersattning": "arbetsmarknad",
        "forsorjningsstod": "ekonomiskt_bistand",
        "lon": "egen",
        "studiemedel": "egen",
        "annan": "ovrig",
        "ingen_offentlig": "ovrig",
        "okand": "okand",
    }
)
FORSORJNING_GRUPP_LABELS = _frozen(
    {
        "ohalsa": "Ohälsa",
        "arbetsmarknad": "Arbetsmarknad",
        "ekonomiskt_bistand": "Ekonomiskt bistånd",
        "egen": "Egen försörjning",
        "ovrig": "Övrig",
        "okand": "Uppgift saknas",
    }
)
#: Groups that make up *offentlig försörjning*.
OFFENTLIG_FORSORJNING_GRUPPER = frozenset({"ohalsa", "arbetsmarknad", "ekonomiskt_bistand"})

#: sysselsattning code -> outcome group of the SUS standard report.
UTFALL_GRUPP = _frozen(
    {
        "forvarvsarbete": "arbete",
        "subventionerad_anstallning": "arbete",
        "studier": "studier",
        "arbetssokande": "arbetssokande",
        "praktik": "ovriga",
        "sjukskriven": "ovriga",
        "ovrigt": "ovriga",
        "okand": "ovriga",
    }
)
UTFALL_GRUPP_LABELS = _frozen(
    {
        "arbete": "Arbete",
        "studier": "Studier",
        "arbetssokande": "Arbetssökande",
        "ovriga": "Övriga",
    }
)

ALDERSGRUPPER = ("<16", "16-24", "25-29", "30-39", "40-49", "50+")

# --------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name : str
        Canonical (fixed) column name.
    kind : str
        ``"str"``, ``"code"`` (vocabulary), ``"codelist"`` (several codes
        separated by ``;``), ``"kommun"`` (4-digit kommunkod), ``"date"``,
        ``"int"``, ``"float"``, ``"personnummer"``.
    required : bool
        The column must be present and every row must carry a value.
    vocabulary : Mapping or None
        Allowed codes with their Swedish labels, for ``code``/``codelist``.
    label : str
        Swedish column heading for reports and messages.
    bounds : tuple or None
        Inclusive (min, max) for numbers.
    """

    name: str
    kind: str
    label: str
    required: bool = False
    vocabulary: Mapping[str, str] | None = None
    bounds: tuple[float, float] | None = None
    description: str = ""


def _cols(*columns: Column) -> Mapping[str, Column]:
    return MappingProxyType({c.name: c for c in columns})


DELTAGANDE = _cols(
    Column("deltagande_id", "str", "Deltagande-id", description="Genereras (stabilt) om det saknas."),
    Column("forbund_id", "str", "Förbund", required=True),
    Column("insats_id", "str", "Insats", required=True),
    Column("deltagare_id", "str", "Deltagare (pseudonym)", description="Pseudonym personnyckel."),
    Column(
        "personnummer",
        "personnummer",
        "Personnummer",
        description="Endast indata; ersätts av deltagare_id (HMAC) vid inläsning och sparas aldrig.",
    ),
    Column("kon", "code", "Kön", required=True, vocabulary=KON, description="Tomt räknas som uppgift saknas."),
    Column("fodelsear", "int", "Födelseår", required=True, description="Eller härlett ur personnummer."),
    Column("folkbokforingskommun", "kommun", "Folkbokföringskommun"),
    Column("utbildningsniva", "code", "Utbildningsnivå", vocabulary=UTBILDNINGSNIVA),
    Column("startdatum", "date", "Startdatum", required=True, description="Inskrivning."),
    Column("slutdatum", "date", "Slutdatum", description="Utskrivning; tomt = pågående."),
    Column(
        "avslutsanledning",
        "code",
        "Avslutsanledning",
        vocabulary=AVSLUTSANLEDNING,
        description="Krävs när slutdatum är ifyllt.",
    ),
    Column("sysselsattning_fore", "code", "Sysselsättning före", vocabulary=SYSSELSATTNING),
    Column("sysselsattning_efter", "code", "Sysselsättning efter", vocabulary=SYSSELSATTNING),
    Column("forsorjning_fore", "codelist", "Försörjning före", vocabulary=FORSORJNING),
    Column("forsorjning_efter", "codelist", "Försörjning efter", vocabulary=FORSORJNING),
    Column("omfattning_fore", "int", "Omfattning före (%)", bounds=(0, 100)),
    Column("omfattning_efter", "int", "Omfattning efter (%)", bounds=(0, 100)),
    Column(
        "tid_offentlig_forsorjning_fore",
        "code",
        "Tid i offentlig försörjning före",
        vocabulary=TID_OFFENTLIG_FORSORJNING,
    ),
    Column("remitterande_aktor", "code", "Remitterande aktör", vocabulary=REMITTERANDE_AKTOR),
    *(
        column
        for m in UPPFOLJNING_MANADER
        for column in (
            Column(
                uppfoljning_column(m, "sysselsattning"), "code", f"Sysselsättning {m} mån efter avslut",
                vocabulary=UPPFOLJNING_SYSSELSATTNING,
                description=f"Uppföljning {m} månader efter slutdatum; `{EJ_NADD}` om deltagaren inte nåddes, "
                "tomt om ingen uppföljning gjorts.",
            ),
            Column(
                uppfoljning_column(m, "forsorjning"), "codelist", f"Försörjning {m} mån efter avslut",
                vocabulary=FORSORJNING, description="Som `forsorjning_efter`, vid samma uppföljning.",
            ),
        )
    ),
)

FORBUND = _cols(
    Column("forbund_id", "str", "Förbund-id", required=True),
    Column("namn", "str", "Namn", required=True),
    Column("organisationsnummer", "str", "Organisationsnummer"),
)

FORBUND_MEDLEMMAR = _cols(
    Column("forbund_id", "str", "Förbund-id", required=True),
    Column("kommunkod", "kommun", "Kommunkod", required=True),
    Column("giltig_from", "date", "Giltig från", required=True),
    Column("giltig_tom", "date", "Giltig till och med"),
)

INSATSER = _cols(
    Column("insats_id", "str", "Insats-id", required=True),
    Column("forbund_id", "str", "Förbund-id", required=True),
    Column("namn", "str", "Namn", required=True),
    Column("typ", "code", "Typ", required=True, vocabulary=INSATS_TYP),
    Column("startdatum", "date", "Startdatum", required=True),
    Column("slutdatum", "date", "Slutdatum"),
    Column("malgrupp", "str", "Målgrupp"),
    Column("mal_deltagare_per_ar", "int", "Mål deltagare per år", bounds=(0, 1_000_000)),
    Column("mal_andel_arbete_studier", "float", "Mål andel arbete/studier", bounds=(0.0, 1.0)),
    Column(
        "mal_inom_dagar", "int", "Målet gäller inom dagar efter avslut", bounds=(1, 3650),
        description="Tomt: målet för andel arbete/studier gäller vid avslut. Ett antal dagar (t.ex. 90): "
        "det gäller vid den senaste uppföljningen inom så många dagar efter avslut.",
    ),
)

INSATS_EKONOMI = _cols(
    Column("insats_id", "str", "Insats-id", required=True),
    Column("ar", "int", "År", required=True, bounds=(1990, 2100)),
    Column("budget_kr", "float", "Budget (kr)", bounds=(0, 1e12)),
    Column("utfall_kr", "float", "Utfall (kr)", bounds=(0, 1e12)),
    Column("deltagare_personal", "int", "Deltagare (personal)", bounds=(0, 1_000_000)),
)

#: Status of a target of the verksamhetsplan, as the förbund writes it.
MAL_STATUS = _frozen({"uppnatt": "Uppnått", "delvis": "Delvis uppnått", "ej_uppnatt": "Ej uppnått", "pagar": "Pågår"})

INSATS_MAL = _cols(
    Column("insats_id", "str", "Insats-id", required=True),
    Column("ar", "int", "År", required=True, bounds=(1990, 2100)),
    Column("mal", "str", "Mål", required=True),
    Column("status", "code", "Status", vocabulary=MAL_STATUS),
    Column("kommentar", "str", "Kommentar"),
)

#: Posts of a förbund's economy per year (``forbund_ekonomi.csv``), in the report's order.
EKONOMI_POST = _frozen(
    {
        "medlemsavgift_forsakringskassan": "Medlemsavgift Försäkringskassan",
        "medlemsavgift_region": "Medlemsavgift region",
        "medlemsavgift_kommun": "Medlemsavgift kommun",
        "ovriga_intakter": "Övriga intäkter",
        "kostnad_insatser": "Kostnader för insatser",
        "kostnad_administration": "Kostnader för administration",
        "kostnad_ovrigt": "Övriga kostnader",
    }
)
#: Income posts; the rest are costs. Över-/underskott = income − costs.
EKONOMI_INTAKTER = ("medlemsavgift_forsakringskassan", "medlemsavgift_region", "medlemsavgift_kommun", "ovriga_intakter")
#: The statutory split of the members' contributions (Lag 2003:1210 om finansiell samordning): FK half, region and kommuner a quarter each.
LAGSTADGAD_FORDELNING = MappingProxyType(
    {"medlemsavgift_forsakringskassan": 0.5, "medlemsavgift_region": 0.25, "medlemsavgift_kommun": 0.25}
)

FORBUND_EKONOMI = _cols(
    Column("forbund_id", "str", "Förbund-id", required=True),
    Column("ar", "int", "År", required=True, bounds=(1990, 2100)),
    Column("post", "code", "Post", required=True, vocabulary=EKONOMI_POST),
    Column("kommunkod", "kommun", "Kommunkod"),
    Column("belopp_kr", "float", "Belopp (kr)", required=True, bounds=(0, 1e12)),
    Column("avtalad_andel", "float", "Avtalad andel", bounds=(0.0, 1.0)),
)

#: The parts (huvudmän) a samhällsekonomisk estimate is given for, in the report's order.
PART = _frozen(
    {
        "forsakringskassan": "Försäkringskassan",
        "arbetsformedlingen": "Arbetsförmedlingen",
        "kommun": "Kommunen (ekonomiskt bistånd)",
        "region": "Regionen",
    }
)
#: Which part pays a försörjning source (decision, docs/methods.md §3.10): the ersättningar of
#: arbetsmarknadspolitiken are Arbetsförmedlingen's, though Försäkringskassan or an a-kassa pays
#: them out. The region pays no försörjning; its costs (care) are not in the estimate. Sources
#: missing here are no public payment of a part (lön, studiemedel, annan, ingen, okänd).
FORSORJNING_PART = _frozen(
    {
        "sjukpenning": "forsakringskassan",
        "sjukersattning": "forsakringskassan",
        "aktivitetsersattning": "forsakringskassan",
        "arbetsloshetsersattning": "arbetsformedlingen",
        "aktivitetsstod": "arbetsformedlingen",
        "etableringsersattning": "arbetsformedlingen",
        "forsorjningsstod": "kommun",
    }
)

#: The user's unit amounts for the estimate (``samhallsekonomi.csv``): one row per source.
SAMHALLSEKONOMI = _cols(
    Column("forsorjning", "code", "Försörjning", required=True, vocabulary=FORSORJNING),
    Column("belopp_kr_per_ar", "float", "Belopp (kr per person och år)", bounds=(0, 1e8),
           description="Utbetalning för en person helt försörjd av källan ett år. Tomt: okänt."),  # fmt: skip
    Column("kalla", "str", "Källa", description="Var beloppet kommer ifrån (publikation, år)."),
    Column("ar", "int", "År", bounds=(1990, 2100), description="Året beloppet gäller."),
)

#: Columns of the normalised helårsekvivalenter table (docs/dataformat.md §10).
HELARSEKVIVALENTER_COLUMNS = (
    "kommunkod",
    "manad",
    "kon",
    "aldersgrupp",
    "ersattning",
    "helarsekvivalenter",
    "folkmangd",
    "imputerad",
)
ERSATTNING = _frozen(
    {
        "sjukpenning": "Sjukpenning",
        "sjuk_och_aktivitetsersattning": "Sjuk- och aktivitetsersättning",
        "arbetsloshetsersattning": "Arbetslöshetsersättning",
        "arbetsmarknadsatgarder": "Arbetsmarknadsåtgärder",
        "ekonomiskt_bistand": "Ekonomiskt bistånd",
        "etableringsersattning": "Etableringsersättning",
        "summa": "Summa helårsekvivalenter",
    }
)
RIKET = "00"


@dataclass(frozen=True)
class TableSpec:
    """A file of the dataset directory and its columns."""

    name: str
    filename: str
    columns: Mapping[str, Column]
    key: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns.values() if c.required)


TABLES = MappingProxyType(
    {
        "forbund": TableSpec("forbund", "forbund.csv", FORBUND, key=("forbund_id",)),
        "forbund_medlemmar": TableSpec(
            "forbund_medlemmar", "forbund_medlemmar.csv", FORBUND_MEDLEMMAR
        ),
        "insatser": TableSpec("insatser", "insatser.csv", INSATSER, key=("insats_id",)),
        "insats_ekonomi": TableSpec(
            "insats_ekonomi", "insats_ekonomi.csv", INSATS_EKONOMI, key=("insats_id", "ar")
        ),
        "insats_mal": TableSpec("insats_mal", "insats_mal.csv", INSATS_MAL, key=("insats_id", "ar", "mal")),
        "forbund_ekonomi": TableSpec(
            "forbund_ekonomi", "forbund_ekonomi.csv", FORBUND_EKONOMI, key=("forbund_id", "ar", "post", "kommunkod")
        ),
        "samhallsekonomi": TableSpec("samhallsekonomi", "samhallsekonomi.csv", SAMHALLSEKONOMI, key=("forsorjning",)),
        "deltagande": TableSpec("deltagande", "deltagande.csv", DELTAGANDE),
    }
)

#: Columns that must never leave the loader.
FORBIDDEN_OUTPUT_COLUMNS = frozenset({"personnummer"})

#: Exact duplicates are participations with the same person, insats and start.
DUPLICATE_KEY = ("deltagare_id", "insats_id", "startdatum")


def label(vocabulary: Mapping[str, str], code: object) -> str:
    """Swedish label of ``code``; missing or unknown codes read *Uppgift saknas*."""
    if code is None or (isinstance(code, float) and code != code):
        return "Uppgift saknas"
    return vocabulary.get(str(code), "Uppgift saknas")


def aldersgrupp(age: int) -> str:
    """Åldersgrupp (docs/rapporter.md §2) of an age in whole years at start."""
    if age < 16:
        return "<16"
    if age <= 24:
        return "16-24"
    if age <= 29:
        return "25-29"
    if age <= 39:
        return "30-39"
    if age <= 49:
        return "40-49"
    return "50+"
