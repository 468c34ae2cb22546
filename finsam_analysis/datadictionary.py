"""The data format (``docs/dataformat.md``), generated from the schema.

:func:`render` builds the document a förbund fills its files in by, in the
section order users and the code cite (``docs/dataformat.md §5`` is the
participant file): the files, each table's columns, the vocabularies and
groupings, personnummer, ``mapping.yaml``, bad input, helårsekvivalenter and
the reference data with the förbund catalogue. Codes, labels, groups, types
and required flags come from :mod:`finsam_analysis.schema`,
:mod:`finsam_analysis.reference` and :mod:`finsam_analysis.scb.read`, so the
document cannot drift from the code. What the schema does not hold (an
English gloss, a sentence of description for a column whose
``Column.description`` is empty) is kept here, keyed by the schema's names; a
key that no longer exists in the schema is an error, so a rename is noticed.

:func:`render_key_figures` is the table of key figures in
``docs/rapporter.md`` §5, between the markers :data:`KEY_FIGURES_BEGIN` and
:data:`KEY_FIGURES_END`: the rest of that document is prose written by hand.

``python -m finsam_analysis.datadictionary`` (or ``make docs``) writes both;
``tests/test_docs.py`` fails when a committed file differs. The output is
deterministic: no dates, no versions, fixed order.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from finsam_analysis.disclosure import rules as disclosure
from finsam_analysis.measures import key_figures
from finsam_analysis.ingest import dataset as loading
from finsam_analysis import reference
from finsam_analysis.files import atomic_write
from finsam_analysis import schema
from finsam_analysis.scb import read as scb

__all__ = ["DEFAULT_PATH", "REPORTS_PATH", "render", "render_key_figures", "update_reports_doc", "write", "main"]

#: Where the data format lives in a source checkout.
DEFAULT_PATH = Path("docs") / "dataformat.md"
#: The hand-written document whose key-figure table is generated.
REPORTS_PATH = Path("docs") / "rapporter.md"
KEY_FIGURES_BEGIN = "<!-- nyckeltal: genererad av `make docs`, redigera inte för hand -->"
KEY_FIGURES_END = "<!-- /nyckeltal -->"

# --------------------------------------------------------------------------
# What the schema does not say (kept next to the schema's names)
# --------------------------------------------------------------------------

#: Files of a dataset directory that are not tables of ``schema.TABLES``.
_OTHER_FILES: tuple[tuple[str, str, str], ...] = (
    (
        "deltagande.xlsx",
        "ja, eller `deltagande.csv` (båda får finnas och läses då ihop)",
        "Förbundets egen deltagarförteckning (första bladet), kanoniska eller egna rubriker.",
    ),
    (
        loading.MAPPING_FILE,
        "nej",
        "Förbundets rubriker och etiketter → de kanoniska (`columns`, `values`, `defaults`, "
        "`list_separator`). Gäller alla deltagarfiler i katalogen.",
    ),
    (
        f"{loading.HELARSEKVIVALENTER_DIR}/",
        "nej",
        "SCB:s tabell HE0000T02N2 (TAB1386) som hämtad: JSON-stat (`.json`), CSV (`.csv`), PX (`.px`) "
        "eller Excel från Statistikdatabasen (`.xlsx`).",
    ),
    (
        loading.METADATA_FILE,
        "nej",
        "Beskrivning av datasetet; `synthetic: true` ger varningsbannern i varje rapport; "
        "`uttagsdatum: ÅÅÅÅ-MM-DD` är sista dagen uppgifterna beskriver (annars senaste datumet i "
        "deltagarfilen): en period som slutar senare vägras.",
    ),
)

#: Whether each table of ``schema.TABLES`` must exist, and what it holds.
_TABLE_INFO: dict[str, tuple[str, str, str]] = {
    "forbund": ("ja", "Förbunden", "One row per förbund (coordination association)."),
    "forbund_medlemmar": (
        "ja",
        "Medlemskommuner med giltighetsperioder",
        "Member municipalities with validity periods.",
    ),
    "insatser": ("ja", "Insatserna, med mål", "One row per intervention, with targets."),
    "insats_ekonomi": ("nej", "Budget och utfall per insats och år", "Budget and spending per intervention and year."),
    "insats_mal": ("nej", "Verksamhetsplanens mål per insats och år, med status",
                   "Targets of the operational plan per intervention and year, with their status."),
    "forbund_ekonomi": (
        "nej",
        "Förbundets intäkter per part och kostnader per år",
        "The förbund's income per member and costs per year.",
    ),
    "samhallsekonomi": (
        "nej",
        "Belopp per försörjningskälla för den samhällsekonomiska uppskattningen",
        "Yearly amount per income source, for the estimate per part.",
    ),
    "deltagande": (
        "ja, eller `deltagande.xlsx`",
        "Ett deltagande per rad",
        "One row per participation (person × intervention × start).",
    ),
}

#: Qualifiers of the required flag where the rule is conditional (docs/dataformat.md §5).
_REQUIRED_NOTE: dict[tuple[str, str], str] = {
    ("deltagande", "forbund_id"): "eller som `defaults` i mapping.yaml",
    ("deltagande", "deltagare_id"): "men exakt en av `deltagare_id` och `personnummer` krävs",
    ("deltagande", "personnummer"): "men exakt en av `deltagare_id` och `personnummer` krävs",
    ("deltagande", "kon"): "kolumnen krävs, värdet får vara tomt; kan härledas ur personnummer",
    ("deltagande", "avslutsanledning"): "när `slutdatum` är ifyllt",
}

#: Descriptions for columns whose ``Column.description`` is empty (docs/dataformat.md §2–5).
_DESCRIPTION: dict[tuple[str, str], str] = {
    ("forbund", "forbund_id"): "ASCII-slug, t.ex. `skelleftea`; unik.",
    ("forbund", "namn"): "T.ex. `Samordningsförbundet Skellefteå`.",
    ("forbund", "organisationsnummer"): "Formen `222000-1834`.",
    ("forbund_medlemmar", "forbund_id"): "→ `forbund.csv`.",
    ("forbund_medlemmar", "kommunkod"): "En av Sveriges 290 kommuner (SCB-kod, fyra siffror).",
    ("forbund_medlemmar", "giltig_from"): "Medlemskapets första dag.",
    ("forbund_medlemmar", "giltig_tom"): "Medlemskapets sista dag; tomt = fortfarande medlem.",
    ("insatser", "insats_id"): "Unik i datasetet.",
    ("insatser", "forbund_id"): "→ `forbund.csv`.",
    ("insatser", "typ"): "Strukturövergripande insatser har inga deltagare.",
    ("insatser", "malgrupp"): "Fritext.",
    ("insatser", "mal_deltagare_per_ar"): "Mål för antal deltagare per år.",
    ("insatser", "mal_andel_arbete_studier"): "Mål för andel till arbete/studier vid avslut (andel 0–1; `40 %` läses som 0,4).",
    ("insats_ekonomi", "insats_id"): "→ `insatser.csv`.",
    ("insats_ekonomi", "deltagare_personal"): "Bara strukturövergripande insatser: antal anställda hos parterna "
    "som deltagit under året (deltagarna i individinriktade insatser räknas ur deltagarfilen).",
    ("insats_mal", "insats_id"): "→ `insatser.csv`; båda insatstyperna.",
    ("insats_mal", "ar"): "Verksamhetsplanens år.",
    ("insats_mal", "mal"): "Målet som det står i verksamhetsplanen, t.ex. `En lokal överenskommelse är beslutad senast "
    "den 31 december 2025`; unikt per insats och år.",
    ("insats_mal", "status"): "Förbundets bedömning; tomt = uppgift saknas.",
    ("insats_mal", "kommentar"): "Fritext som visas i rapporten.",
    ("forbund_ekonomi", "forbund_id"): "→ `forbund.csv`.",
    ("forbund_ekonomi", "ar"): "Kalenderår.",
    ("forbund_ekonomi", "post"): "Intäkts- eller kostnadspost.",
    ("forbund_ekonomi", "kommunkod"): "Bara för `medlemsavgift_kommun`: kommunen som betalat (medlem det året); "
    "tomt = kommunerna tillsammans.",
    ("forbund_ekonomi", "belopp_kr"): "Belopp i kronor för året.",
    ("forbund_ekonomi", "avtalad_andel"): "Bara på en kommuns `medlemsavgift_kommun`: kommunens andel av kommunernas "
    "fjärdedel enligt förbundets avtal (0–1). Saknas den fördelas fjärdedelen efter folkmängd 20–64 år.",
    ("insats_ekonomi", "ar"): "Kalenderår.",
    ("insats_ekonomi", "budget_kr"): "Budget i kronor.",
    ("insats_ekonomi", "utfall_kr"): "Utfall (kostnad) i kronor; ger kostnad per deltagare.",
    ("deltagande", "forbund_id"): "→ `forbund.csv`; måste vara samma förbund som insatsens.",
    ("deltagande", "insats_id"): "→ `insatser.csv`.",
    ("deltagande", "folkbokforingskommun"): "Kommunkod; Excel-tal som 180 blir `0180`.",
    ("deltagande", "utbildningsniva"): "",
    ("deltagande", "sysselsattning_fore"): "Vid inskrivning.",
    ("deltagande", "sysselsattning_efter"): "Vid avslut; bara för avslutade deltaganden. Ger utfallsgruppen.",
    ("deltagande", "forsorjning_fore"): "En eller flera källor, `;`-separerade; den första är den primära.",
    ("deltagande", "forsorjning_efter"): "Som `forsorjning_fore`, vid avslut.",
    ("deltagande", "omfattning_fore"): "Procent av 40 timmar/vecka i arbete eller studier, vid inskrivning.",
    ("deltagande", "omfattning_efter"): "Samma, vid avslut.",
    ("deltagande", "tid_offentlig_forsorjning_fore"): "Tid i offentlig försörjning före inskrivning.",
    ("deltagande", "remitterande_aktor"): "Vem som anvisade deltagaren.",
}

#: Columns the loader adds to ``Dataset.deltagande`` (see ``loading._finalise``).
_ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("kalla_fil", "text", "Filen raden lästes från (relativt datakatalogen)."),
    ("kalla_rad", "heltal", "Radnumret i filen som i ett kalkylprogram (rubrikraden är rad 1)."),
)

#: Headings of the vocabularies, by their name in schema.py.
_VOCABULARY_TITLE: dict[str, str] = {
    "KON": "Kön (sex)",
    "UTBILDNINGSNIVA": "Utbildningsnivå (level of education)",
    "FORSORJNING": "Försörjningskälla (source of income/support)",
    "SYSSELSATTNING": "Sysselsättning (employment status)",
    "AVSLUTSANLEDNING": "Avslutsanledning (reason for exit)",
    "TID_OFFENTLIG_FORSORJNING": "Tid i offentlig försörjning före (time on public support before entry)",
    "REMITTERANDE_AKTOR": "Remitterande aktör (referring body)",
    "INSATS_TYP": "Insatstyp (type of intervention)",
    "EKONOMI_POST": "Ekonomisk post (item of the förbund's accounts)",
    "MAL_STATUS": "Målets status (status of a target)",
}

#: A note under a vocabulary, by its name in schema.py.
_VOCABULARY_NOTE: dict[str, str] = {
    "KON": f"Ett tomt värde räknas som *{schema.KON_OKAND_LABEL}* (`kon_okand`).",
    "FORSORJNING": (
        "Ett deltagande kan ha flera källor (`;`-separerade); den första är den *primära*. "
        "Föräldrapenning och pension räknas som `ingen_offentlig` (SUS)."
    ),
    "SYSSELSATTNING": (
        "Arbetsmarknadsutbildning räknas som `studier` (SUS). Ett tomt värde räknas som "
        "`ovriga` och som okänt."
    ),
    "AVSLUTSANLEDNING": (
        f"Rader med `{schema.FELREGISTRERING}` lämnas utanför all statistik och räknas i "
        "avsnittet om datakvalitet."
    ),
}

#: English gloss of codes, by (vocabulary name in schema.py, code).
_ENGLISH: dict[tuple[str, str], str] = {
    ("KON", "kvinna"): "woman",
    ("KON", "man"): "man",
    ("UTBILDNINGSNIVA", "forgymnasial"): "compulsory school or less",
    ("UTBILDNINGSNIVA", "gymnasial"): "upper secondary",
    ("UTBILDNINGSNIVA", "eftergymnasial"): "post-secondary",
    ("UTBILDNINGSNIVA", "okand"): "not known",
    ("FORSORJNING", "lon"): "wages, incl. subsidised employment",
    ("FORSORJNING", "sjukpenning"): "sickness benefit incl. rehabilitation benefit",
    ("FORSORJNING", "sjukersattning"): "sickness compensation (long-term reduced work capacity)",
    ("FORSORJNING", "aktivitetsersattning"): "activity compensation (reduced work capacity, age 19–29)",
    ("FORSORJNING", "arbetsloshetsersattning"): "unemployment insurance benefit",
    ("FORSORJNING", "aktivitetsstod"): "activity support in labour-market programmes, incl. development allowance",
    ("FORSORJNING", "etableringsersattning"): "establishment allowance (newly arrived refugees)",
    ("FORSORJNING", "forsorjningsstod"): "social assistance (means-tested, from the kommun)",
    ("FORSORJNING", "studiemedel"): "student finance",
    ("FORSORJNING", "annan"): "other support",
    ("FORSORJNING", "ingen_offentlig"): "no public support",
    ("FORSORJNING", "okand"): "not known",
    ("SYSSELSATTNING", "forvarvsarbete"): "gainful employment",
    ("SYSSELSATTNING", "subventionerad_anstallning"): "subsidised employment",
    ("SYSSELSATTNING", "studier"): "studies (incl. labour-market training)",
    ("SYSSELSATTNING", "praktik"): "work placement / work training",
    ("SYSSELSATTNING", "arbetssokande"): "actively job-seeking",
    ("SYSSELSATTNING", "sjukskriven"): "on sick leave / unable to work",
    ("SYSSELSATTNING", "ovrigt"): "other",
    ("SYSSELSATTNING", "okand"): "not known",
    ("AVSLUTSANLEDNING", "planenligt"): "completed as planned",
    ("AVSLUTSANLEDNING", "avbrott"): "dropped out",
    ("AVSLUTSANLEDNING", "annan_insats"): "moved on to another intervention",
    ("AVSLUTSANLEDNING", "flytt"): "moved away",
    ("AVSLUTSANLEDNING", "ohalsa"): "ill health",
    ("AVSLUTSANLEDNING", "annat"): "other",
    ("AVSLUTSANLEDNING", "felregistrering"): "registered in error",
    ("TID_OFFENTLIG_FORSORJNING", "under_1_ar"): "less than 1 year",
    ("TID_OFFENTLIG_FORSORJNING", "1_2_ar"): "1–2 years",
    ("TID_OFFENTLIG_FORSORJNING", "2_5_ar"): "2–5 years",
    ("TID_OFFENTLIG_FORSORJNING", "over_5_ar"): "more than 5 years",
    ("TID_OFFENTLIG_FORSORJNING", "okand"): "not known",
    ("REMITTERANDE_AKTOR", "kommun"): "municipality",
    ("REMITTERANDE_AKTOR", "region"): "region (health care)",
    ("REMITTERANDE_AKTOR", "forsakringskassan"): "Swedish Social Insurance Agency",
    ("REMITTERANDE_AKTOR", "arbetsformedlingen"): "Swedish Public Employment Service",
    ("REMITTERANDE_AKTOR", "egen_anmalan"): "self-referral",
    ("REMITTERANDE_AKTOR", "annan"): "other body",
    ("INSATS_TYP", "individinriktad"): "individual-level (has participants)",
    ("INSATS_TYP", "strukturovergripande"): "structural (no participants)",
    ("MAL_STATUS", "uppnatt"): "achieved",
    ("MAL_STATUS", "delvis"): "partly achieved",
    ("MAL_STATUS", "ej_uppnatt"): "not achieved",
    ("MAL_STATUS", "pagar"): "in progress",
    ("EKONOMI_POST", "medlemsavgift_forsakringskassan"): "contribution of the Social Insurance Agency",
    ("EKONOMI_POST", "medlemsavgift_region"): "contribution of the region",
    ("EKONOMI_POST", "medlemsavgift_kommun"): "contribution of a member municipality",
    ("EKONOMI_POST", "ovriga_intakter"): "other income",
    ("EKONOMI_POST", "kostnad_insatser"): "costs of interventions",
    ("EKONOMI_POST", "kostnad_administration"): "administration costs",
    ("EKONOMI_POST", "kostnad_ovrigt"): "other costs",
    ("FORSORJNING_GRUPP", "ohalsa"): "ill health",
    ("FORSORJNING_GRUPP", "arbetsmarknad"): "labour market",
    ("FORSORJNING_GRUPP", "ekonomiskt_bistand"): "social assistance",
    ("FORSORJNING_GRUPP", "egen"): "own support",
    ("FORSORJNING_GRUPP", "ovrig"): "other",
    ("FORSORJNING_GRUPP", "okand"): "not known",
    ("UTFALL_GRUPP", "arbete"): "work",
    ("UTFALL_GRUPP", "studier"): "studies",
    ("UTFALL_GRUPP", "arbetssokande"): "job-seeking",
    ("UTFALL_GRUPP", "ovriga"): "other",
    ("ERSATTNING", "sjukpenning"): "sickness benefit",
    ("ERSATTNING", "sjuk_och_aktivitetsersattning"): "sickness and activity compensation",
    ("ERSATTNING", "arbetsloshetsersattning"): "unemployment benefit",
    ("ERSATTNING", "arbetsmarknadsatgarder"): "labour-market programmes",
    ("ERSATTNING", "ekonomiskt_bistand"): "social assistance",
    ("ERSATTNING", "etableringsersattning"): "establishment allowance",
    ("ERSATTNING", "summa"): "total full-year equivalents",
}

#: The normalised helårsekvivalenter table (§10), by column.
_HE_COLUMNS: dict[str, tuple[str, str]] = {
    "kommunkod": ("text", f"Kommunkod (fyra siffror); `{schema.RIKET}` = riket."),
    "manad": ("datum", "Månadens första dag (SCB:s `2024M01` → 2024-01-01)."),
    "kon": ("kod", "`kvinna`, `man` eller `totalt` (SCB:s `2`, `1`, `1+2`)."),
    "aldersgrupp": ("text", "`20-64` eller `20-65`. Rapporten använder `20-64`."),
    "ersattning": ("kod", "Ersättningsslag, se nedan."),
    "helarsekvivalenter": (
        "decimaltal",
        "Antal helårsekvivalenter: en person helt försörjd av ersättningen ett helt år.",
    ),
    "folkmangd": ("heltal", "Folkmängd i åldersgruppen vid månadens slut."),
    "imputerad": (
        "sant/falskt",
        "Sant när värdet (ekonomiskt bistånd och dess `summa`) ersatts enligt nollfällan.",
    ),
}

#: The key figures (docs/rapporter.md §5), by key.
_KEY_FIGURES: dict[str, str] = {
    "forbund_id": "Förbundet.",
    "forbund_namn": "Förbundets namn.",
    "period": "Periodens etikett (`2025`, `2025H1`, `2025Q3`, `2025T2`, `2025-01-01..2025-08-31`).",
    "period_start": "Periodens första dag (ISO-datum).",
    "period_end": "Periodens sista dag (ISO-datum).",
    "synthetic_data": "Sant när datasetet är syntetiskt (`dataset.yaml`).",
    "min_cell": "Minsta redovisade antal personer.",
    "aktiva_deltagare": "Personer med minst ett aktivt deltagande.",
    "kvinnor": "Aktiva deltagare som är kvinnor (kön från personens senaste aktiva deltagande).",
    "man": "Aktiva deltagare som är män.",
    "kon_okand": "Aktiva deltagare med okänt kön.",
    "aktiva_deltaganden": "Deltaganden aktiva någon dag i perioden.",
    "nya_deltaganden": "Deltaganden med startdatum i perioden.",
    "avslutade_deltaganden": "Deltaganden med slutdatum i perioden.",
    "pagaende_vid_periodens_slut": "Aktiva deltaganden som pågår efter periodens sista dag.",
    "arbete": "Avslutade med sysselsättning efter i gruppen arbete.",
    "studier": "Avslutade med sysselsättning efter i gruppen studier.",
    "arbete_studier": "arbete + studier.",
    "arbetssokande": "Avslutade som arbetssökande.",
    "ovriga": "Övriga avslutade (inklusive okänt).",
    "okand": "Därav med sysselsättning efter okänd eller tom (en del av ovriga).",
    "andel_arbete_studier": "arbete_studier / avslutade_deltaganden.",
    "ci_low": "Nedre gräns, 95 % Wilsonintervall för andel_arbete_studier.",
    "ci_high": "Övre gräns, 95 % Wilsonintervall för andel_arbete_studier.",
    "andel_okat_omfattning": "Andel avslutade med ökad omfattning, bland dem med båda värdena kända.",
    "tid_i_insats_median_dagar": "Median av slutdatum − startdatum (dagar) för avslutade.",
    "andel_offentlig_forsorjning_fore": "Andel avslutade vars primära källa före är offentlig.",
    "andel_offentlig_forsorjning_efter": "Andel avslutade vars primära källa efter är offentlig.",
    "befolkning_ar": "År för befolkningsuppgifterna (periodens år eller senaste tidigare år med data).",
    "befolkning_andel_20_64": "Medlemskommunernas andel 20–64 år som försörjs med ersättningar (SCB).",
    "riket_andel_20_64": "Samma för riket (SCB).",
    "rejected_rows": "Avvisade deltagarrader med förbundets forbund_id.",
    "suppressed": "Nycklar som döljs av röjandekontrollen (deras värde är `null`).",
}

_KIND: dict[str, str] = {
    "str": "text",
    "code": "kod",
    "codelist": "kodlista (`;`)",
    "kommun": "kommunkod",
    "date": "datum",
    "int": "heltal",
    "float": "decimaltal",
    "personnummer": "personnummer",
}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    header = list(header)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _code(text: object) -> str:
    return f"`{text}`"


def _number(n: float) -> str:
    n = float(n)
    if n.is_integer():
        # Swedish style: a space between thousands from five digits on (2100, 10 000).
        return str(int(n)) if abs(n) < 10_000 else f"{int(n):,}".replace(",", " ")
    return str(n).replace(".", ",")


def _type(col: schema.Column) -> str:
    kind = _KIND.get(col.kind, col.kind)
    if col.bounds is not None:
        lo, hi = col.bounds
        kind += f" {_number(lo)}–{_number(hi)}"
    return kind


def _vocabularies() -> dict[str, tuple[Mapping[str, str], list[str]]]:
    """Vocabularies used by the schema's columns: name → (mapping, columns using it).

    Names are the attribute names in schema.py, found by identity; the order
    is first use in the columns of deltagande, then of the other tables.
    """
    named = {
        name: value
        for name, value in vars(schema).items()
        if name.isupper() and isinstance(value, Mapping)
    }
    out: dict[str, tuple[Mapping[str, str], list[str]]] = {}
    tables = [schema.TABLES["deltagande"]] + [t for n, t in schema.TABLES.items() if n != "deltagande"]
    for spec in tables:
        for col in spec.columns.values():
            if col.vocabulary is None:
                continue
            name = next((n for n, v in named.items() if v is col.vocabulary), col.name.upper())
            entry = out.setdefault(name, (col.vocabulary, []))
            if col.name not in entry[1]:
                entry[1].append(col.name)
    return out


def _anchor(name: str) -> str:
    return "kodlista-" + name.lower().replace("_", "-")


def _check_keys() -> None:
    """Hand-kept notes must refer to names that exist in the schema."""
    for table, column in (*_REQUIRED_NOTE, *_DESCRIPTION):
        if column not in schema.TABLES[table].columns:
            raise KeyError(f"datadictionary: {table}.{column} finns inte längre i schema.TABLES")
    missing = set(schema.TABLES) - set(_TABLE_INFO)
    if missing:
        raise KeyError(f"datadictionary: beskriv tabellerna {sorted(missing)} i _TABLE_INFO")
    missing = set(schema.HELARSEKVIVALENTER_COLUMNS) - set(_HE_COLUMNS)
    if missing:
        raise KeyError(f"datadictionary: beskriv kolumnerna {sorted(missing)} i _HE_COLUMNS")
    missing = set(key_figures.KEY_ORDER) - set(_KEY_FIGURES)
    if missing:
        raise KeyError(f"datadictionary: beskriv nyckeltalen {sorted(missing)} i _KEY_FIGURES")


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


def _intro() -> list[str]:
    return [
        "# Dataformat: uppgifterna ett förbund lämnar",
        "",
        "<!-- Genererad fil: redigera inte för hand. Kör `make docs` "
        "(python -m finsam_analysis.datadictionary). -->",
        "",
        "Det här är formatet som `finsam_analysis` läser: vilka filer en datakatalog har, varje "
        "kolumn, kodlistorna, hur personnummer hanteras, hur ett förbunds egen Excelfil kopplas in "
        "med `mapping.yaml`, vad som händer med felaktiga rader och hur SCB:s helårsekvivalenter "
        "läses. Filnamn, kolumnnamn och koder nedan är fasta. Dokumentet genereras ur "
        "`finsam_analysis/schema.py` med `make docs`, så det stämmer alltid med koden; måtten "
        "definieras i [rapporter](rapporter.md) och [metoder](methods.md), orden i "
        "[ordlistan](glossary.md).",
        "",
        "Bakgrund: ett samordningsförbund finansierar *insatser* enligt lagen (2003:1210) om "
        "finansiell samordning av rehabiliteringsinsatser (Finsam). Individinriktade insatser har "
        "*deltagare*, strukturövergripande har inga. Deltagarfilens kolumner följer Försäkringskassans "
        "tidigare uppföljningssystem SUS; varje förbund för i dag sin egen deltagarförteckning, som "
        "läses direkt om den har rubrikerna nedan och annars via `mapping.yaml` (§8). SUS-regler som "
        "gäller: omfattning är procent av 40 timmar i veckan, arbetsmarknadsutbildning räknas som "
        "studier, föräldrapenning och pension räknas som `ingen_offentlig`.",
        "",
        "*Generated from the package's schema, so it always matches the code. Codes are the fixed "
        "ASCII identifiers that files and the library use; labels are what the reports show.*",
        "",
        *[f"{n}. [{title}](#{anchor})" for n, (anchor, title) in enumerate(_SECTIONS, start=1)],
        "",
    ]


#: The document's sections, numbered as the code cites them (``docs/dataformat.md §5``).
_SECTIONS: tuple[tuple[str, str], ...] = (
    ("filer", "Datakatalogens filer (files)"),
    ("forbund", "Förbunden: `forbund.csv`, `forbund_ekonomi.csv` och `samhallsekonomi.csv`"),
    ("medlemmar", "Medlemskommunerna: `forbund_medlemmar.csv`"),
    ("insatser", "Insatserna: `insatser.csv`, `insats_ekonomi.csv` och `insats_mal.csv`"),
    ("deltagande", "Deltagandena: `deltagande.csv` eller `deltagande.xlsx`"),
    ("kodlistor", "Kodlistor och grupperingar (vocabularies)"),
    ("personnummer", "Personnummer"),
    ("mapping", "Förbundets egen fil: `mapping.yaml`"),
    ("felaktiga", "Felaktiga uppgifter: inget försvinner i tysthet"),
    ("helarsekvivalenter", "Helårsekvivalenter från SCB (benefit statistics)"),
    ("referensdata", "Referensdata och förbundskatalogen (reference data)"),
)

#: The tables of each numbered section §2–§5.
_TABLE_SECTIONS: dict[int, tuple[str, ...]] = {
    2: ("forbund", "forbund_ekonomi", "samhallsekonomi"),
    3: ("forbund_medlemmar",),
    4: ("insatser", "insats_ekonomi", "insats_mal"),
    5: ("deltagande",),
}


def _heading(number: int) -> list[str]:
    anchor, title = _SECTIONS[number - 1]
    return [f'<a id="{anchor}"></a>', "", f"## {number}. {title}", ""]


def _files() -> list[str]:
    rows = []
    for name, spec in schema.TABLES.items():
        required, content, english = _TABLE_INFO[name]
        key = ", ".join(_code(k) for k in spec.key) if spec.key else "–"
        rows.append((_code(spec.filename), required, f"{content} (*{english}*)", key))
    for filename, required, content in _OTHER_FILES:
        rows.append((_code(filename), required, content, "–"))
    return [
        *_heading(1),
        "`finsam_analysis.load_dataset(katalog)` och alla kommandon med `--data-dir` läser:",
        "",
        *_table(("fil", "krävs", "innehåll", "unik nyckel"), rows),
        "",
        "CSV: UTF-8 (med eller utan BOM) eller Windows-1252; avgränsare `,`, `;` eller tabb "
        "(känns igen); decimalkomma går bra. Datum `ÅÅÅÅ-MM-DD` eller `ÅÅÅÅMMDD` (i Excel även "
        "datumceller). Koder är text: kommunkod `0180` behåller sin nolla. En rad som upprepar en "
        "unik nyckel avvisas. Exakta dubbletter av deltaganden (samma "
        + ", ".join(_code(k) for k in schema.DUPLICATE_KEY)
        + ") räknas en gång.",
        "",
    ]


#: What a section's tables say before their columns.
_TABLE_PREAMBLE: dict[int, str] = {
    2: (
        "En rad per förbund i `forbund.csv`. Förbundets ekonomi per år står i den frivilliga `forbund_ekonomi.csv`, "
        "en rad per post (och per kommun för kommunernas medlemsavgifter): intäkterna ger rapportens fördelning per "
        "part mot lagens (Försäkringskassan hälften, regionen och kommunerna en fjärdedel var), kostnaderna och "
        "över-/underskottet. En post som saknas ett år förbundet har rader räknas som 0 kr; ett år utan rader är "
        "*uppgift saknas*. Den frivilliga `samhallsekonomi.csv` ger, per försörjningskälla, vad en person helt "
        "försörjd av den får utbetalt på ett år, med källa och år: rapportens samhällsekonomiska uppskattning per "
        "part bygger på den (metoder §3.10). Paketet har inga förvalda belopp, eftersom inget kunde kontrolleras "
        "mot en offentlig källa; en källa utan belopp gör partens siffra okänd, aldrig 0."
    ),
    3: (
        "Förbundets medlemskommuner med giltighetsperioder. Förbund förändras över tid (Samordningsförbundet "
        "Kungälv tog in Ale, Stenungsund och Tjörn 2008-04-01): varje summering över kommuner använder de "
        "medlemmar som gällde i varje månad."
    ),
    4: (
        "En rad per insats i `insatser.csv`, individinriktad (med deltagare i deltagarfilen) eller strukturövergripande. "
        "Budget, utfall och, för strukturövergripande insatser, antalet deltagande anställda hos parterna per år står i "
        "den frivilliga `insats_ekonomi.csv`; verksamhetsplanens mål per insats och år, med den status förbundet "
        "anger (uppnått, delvis, ej uppnått, pågår) och en kommentar, i den frivilliga `insats_mal.csv`."
    ),
    5: (
        "Ett deltagande per rad: en person i en insats från ett startdatum. Kolumnerna nedan är de "
        "kanoniska; en egen fil med andra rubriker och etiketter kopplas in med `mapping.yaml` (§8)."
    ),
}

_COLUMN_NOTE = (
    "*krävs* = kolumnen måste finnas och varje rad ha ett värde (villkor inom parentes). "
    "Typer: text, kod (en kod ur kodlistan), kodlista (flera koder åtskilda av `;`), "
    "kommunkod (fyra siffror), datum, heltal, decimaltal, med tillåtet intervall."
)


def _table_sections() -> list[str]:
    vocab_names = {id(v): n for n, (v, _) in _vocabularies().items()}
    out = []
    for number, names in _TABLE_SECTIONS.items():
        out += [*_heading(number), _TABLE_PREAMBLE[number], "", _COLUMN_NOTE, ""]
        for name in names:
            out += _columns_of(name, vocab_names)
    return out


def _columns_of(name: str, vocab_names: Mapping[int, str]) -> list[str]:
    spec = schema.TABLES[name]
    rows = []
    for col in spec.columns.values():
        required = "ja" if col.required else "nej"
        note = _REQUIRED_NOTE.get((name, col.name))
        if note:
            required += f" ({note})"
        description = col.description or _DESCRIPTION.get((name, col.name), "")
        if col.vocabulary is not None:
            vname = vocab_names[id(col.vocabulary)]
            link = f"Kodlista: [{_VOCABULARY_TITLE.get(vname, vname).split(' (')[0]}](#{_anchor(vname)})."
            description = f"{description} {link}".strip()
        rows.append((_code(col.name), _type(col), required, col.label, description or "–"))
    out = [f"### `{spec.filename}`", ""]
    out += _table(("kolumn", "typ", "krävs", "etikett", "beskrivning"), rows)
    out.append("")
    if name == "deltagande":
        forbidden = ", ".join(_code(c) for c in sorted(schema.FORBIDDEN_OUTPUT_COLUMNS))
        out += [
            f"{forbidden} är bara indata: den ersätts vid inläsningen av `deltagare_id` (HMAC-SHA256 "
            "med en hemlig nyckel, §7) och finns aldrig i `Dataset.deltagande` eller någon utdata. "
            "Tabellen `Dataset.deltagande` har dessutom:",
            "",
            *_table(("kolumn", "typ", "beskrivning"), [(_code(n), t, d) for n, t, d in _ADDED_COLUMNS]),
            "",
        ]
    return out


def _vocabulary_sections() -> list[str]:
    out = [
        *_heading(6),
        "Koder i rapportens ordning. Både koden och rapportens svenska etikett godtas i filen "
        "(`flytt` och `Flyttat` är samma); de jämförs utan hänsyn till versaler och blanksteg. "
        "En okänd etikett som inte mappas i `mapping.yaml` gör raden avvisad. Kommun (§5) får "
        "anges med kod (`2080`, `180` blir `0180`) eller namn (`Falun`, `falun`, `Östersunds kommun`, "
        "`2080 Falun`); ett namn som utan å, ä, ö blir två kommuner (Håbo och Habo) måste skrivas med dem.",
        "",
    ]
    for name, (vocabulary, columns) in _vocabularies().items():
        title = _VOCABULARY_TITLE.get(name, name)
        used = ", ".join(_code(c) for c in columns)
        out += [f'<a id="{_anchor(name)}"></a>', "", f"### {title}", "", f"Kolumner: {used}.", ""]
        rows = [(_code(code), label, _ENGLISH.get((name, code), "")) for code, label in vocabulary.items()]
        out += _table(("kod", "etikett", "English"), rows)
        if name in _VOCABULARY_NOTE:
            out += ["", _VOCABULARY_NOTE[name]]
        out.append("")
    return out


def _groupings() -> list[str]:
    out = [
        '<a id="grupperingar"></a>',
        "",
        "### Försörjningsgrupper (groups of income sources)",
        "",
        "Gruppen av ett deltagandes *primära* försörjningskälla (den första i listan). "
        "*Offentlig försörjning* är grupperna "
        + ", ".join(_code(g) for g in schema.FORSORJNING_GRUPP_LABELS if g in schema.OFFENTLIG_FORSORJNING_GRUPPER)
        + "; en tom källa räknas som `okand` och är inte offentlig.",
        "",
    ]
    rows = []
    for group, label in schema.FORSORJNING_GRUPP_LABELS.items():
        members = [c for c, g in schema.FORSORJNING_GRUPP.items() if g == group]
        offentlig = "ja" if group in schema.OFFENTLIG_FORSORJNING_GRUPPER else "nej"
        rows.append(
            (_code(group), label, _ENGLISH.get(("FORSORJNING_GRUPP", group), ""),
             ", ".join(_code(c) for c in members), offentlig)
        )  # fmt: skip
    out += _table(("grupp", "etikett", "English", "källor (koder)", "offentlig försörjning"), rows)
    out += [
        "",
        "### Utfallsgrupper (outcome groups, SUS standard report)",
        "",
        "Gruppen av `sysselsattning_efter` för avslutade deltaganden. Ett tomt värde räknas som "
        "`ovriga`.",
        "",
    ]
    rows = []
    for group, label in schema.UTFALL_GRUPP_LABELS.items():
        members = [c for c, g in schema.UTFALL_GRUPP.items() if g == group]
        rows.append(
            (_code(group), label, _ENGLISH.get(("UTFALL_GRUPP", group), ""), ", ".join(_code(c) for c in members))
        )
    out += _table(("grupp", "etikett", "English", "sysselsättning efter (koder)"), rows)
    work = [g for g in schema.UTFALL_GRUPP_LABELS if g in ("arbete", "studier")]
    out += [
        "",
        "Härledda: `arbete_studier` = " + " + ".join(_code(g) for g in work) + "; `okand` = de av "
        "`ovriga` vars sysselsättning efter är `okand` eller tom (en delmängd, inte en egen grupp).",
        "",
        "### Åldersgrupper (age groups)",
        "",
        "Ålder vid start = startdatums år − `fodelsear` (hela år).",
        "",
    ]
    ages: dict[str, list[int]] = {}
    for age in range(0, 121):
        ages.setdefault(schema.aldersgrupp(age), []).append(age)
    rows = []
    for group in schema.ALDERSGRUPPER:
        span = ages.get(group, [])
        if not span:
            text = "–"
        elif span[0] == 0:
            text = f"under {span[-1] + 1} år"
        elif span[-1] == 120:
            text = f"{span[0]} år och äldre"
        else:
            text = f"{span[0]}–{span[-1]} år"
        rows.append((_code(group), text))
    out += _table(("grupp", "ålder vid start"), rows)
    out.append("")
    return out


def _personnummer() -> list[str]:
    return [
        *_heading(7),
        "Godtagna former: `ÅÅÅÅMMDD-NNNN`, `ÅÅÅÅMMDDNNNN`, `ÅÅMMDD-NNNN`, `ÅÅMMDD+NNNN` och `ÅÅMMDDNNNN`. "
        "Kontrollsiffran (Luhn över den tiosiffriga formen) måste stämma; samordningsnummer (dag + 60) "
        "godtas. En deltagarfil har antingen `deltagare_id` (en pseudonym förbundet redan har) eller "
        "`personnummer` på varje rad, aldrig båda.",
        "",
        "Vid inläsningen ersätts personnumret direkt av `deltagare_id` = en nyckelad hash (HMAC-SHA256) "
        "med en nyckel som användaren själv har, så att samma person känns igen i alla filer och år. "
        "Kön och födelseår härleds ur numret när kolumnerna saknas eller är tomma. Numret skrivs aldrig "
        "någonstans: inte i rapporter, avvisade rader, loggar, körda notebooks, felmeddelanden eller "
        "cachar.",
        "",
        "Nyckeln hämtas från miljövariabeln `FINSAM_PSEUDONYM_KEY` (minst 64 hex-tecken), filen i "
        "`FINSAM_KEY_FILE` eller `~/.config/finsam/pseudonym.key`, som skapas första gången. Använd "
        "**samma nyckel** för alla filer och år, spara en kopia på säkert ställe och lägg den aldrig "
        "bredvid data. Hur numren tolkas och varför finns i [metoder §7](methods.md#personnummer).",
        "",
    ]


def _mapping() -> list[str]:
    example = [
        "```yaml",
        "columns:                 # kanoniskt namn: förbundets rubrik",
        '  deltagare_id: "Löpnr"',
        '  kon: "Kön"',
        '  startdatum: "Inskrivningsdatum"',
        "values:                  # kanonisk kolumn: {förbundets etikett: kanonisk kod}",
        '  kon: {"K": kvinna, "M": man}',
        '  sysselsattning_efter: {"Arbete": forvarvsarbete, "Studerar": studier}',
        "defaults:                # kolumner med samma värde på varje rad",
        "  forbund_id: skelleftea",
        'list_separator: ";"      # frivilligt: skiljetecken mellan flera försörjningskällor',
        "```",
    ]
    return [
        *_heading(8),
        "Ett förbunds egen deltagarförteckning (Excel eller CSV) behöver inte skrivas om: "
        f"`{loading.MAPPING_FILE}` i datakatalogen säger vilken av förbundets rubriker som är vilken "
        "kanonisk kolumn (§5) och vilken av förbundets etiketter som är vilken kod (§6).",
        "",
        *example,
        "",
        "- Rubriker och etiketter jämförs utan hänsyn till versaler och blanksteg runt om. Kanoniska "
        "rubriker, koder och rapportens egna etiketter godtas alltid, så filen skadar inte en fil som "
        "redan är kanonisk.",
        "- `values` får också översätta en kolumn utan kodlista, t.ex. insatsnamn till `insats_id` "
        '(`insats_id: {"Steget vidare": skel_01}`); etiketter som inte står där går igenom oförändrade.',
        "- `defaults` fyller bara en kolumn som saknas eller är tom.",
        "- Mappningen gäller alla deltagarfiler i katalogen och prövas när den läses: en okänd nyckel "
        "eller kolumn ger ett fel som namnger den, i stället för tusentals avvisade rader.",
        "- En etikett som varken är en kod eller mappad gör raden avvisad; felmeddelandet namnger "
        "kolumnen, etiketten och hur många rader som har den, och föreslår den kod eller etikett som "
        "ligger närmast när en gör det (`okänd kod 'kvina' (menade du 'kvinna'?)`).",
        "",
        "`finsam sample-data` skriver ett exempel: `deltagande.xlsx` med förbundets egna rubriker och "
        "en `mapping.yaml` till den.",
        "",
    ]


def _bad_input() -> list[str]:
    return [
        *_heading(9),
        "- En fil som inte går att läsa som tabell (fel format, saknad obligatorisk kolumn, trasig "
        "`mapping.yaml`) stoppar inläsningen med ett meddelande som namnger filen och vad som är fel.",
        "- En rad som bryter mot en regel (saknat obligatoriskt värde, okänd kod, `slutdatum` före "
        "`startdatum`, ogiltigt personnummer, `insats_id` som inte finns i `insatser.csv`, omöjligt "
        "födelseår …) *avvisas*: den ingår i ingen statistik, men redovisas med fil, radnummer som i ett "
        "kalkylprogram (rubrikraden är rad 1), kolumn och varje skäl, med personnummer maskerade. "
        "`finsam validate` listar raderna.",
        "- Exakta dubbletter (samma "
        + ", ".join(_code(k) for k in schema.DUPLICATE_KEY)
        + ") redovisas och räknas en gång.",
        f"- Rader med avslutsanledning `{schema.FELREGISTRERING}` läses in men lämnas utanför all statistik.",
        "- *Summa- och anteckningsrader* i en deltagarfil är inga deltaganden och läses inte: en rad utan "
        "`startdatum` vars första ifyllda cell börjar med Summa, Summering, Totalt, Total, Antal eller Sum och "
        "vars personkolumn saknar siffror, eller en rad med en enda ifylld cell som är en fras (ett ord på "
        "minst tre bokstäver följt av blanksteg). De räknas per fil och nämns med radnummer, aldrig med sin "
        "text. Alla andra ofullständiga rader avvisas med sina skäl.",
        "- En rubrik under `columns:` i `mapping.yaml` som inte finns i filen är ett fel som föreslår den "
        "närmaste rubriken (\"menade du …\"), även för en kolumn som inte är obligatorisk.",
        "- Varje rapport har ett avsnitt om datakvalitet med dessa antal.",
        "",
        "Alla regler med exempel: [metoder §6](methods.md#validering).",
        "",
    ]


def _catalogue_rows() -> list[tuple[str, str, str, str]]:
    forbund, medlemmar = reference.forbund_catalogue()
    rows = []
    for f in forbund.itertuples():
        members = []
        for m in medlemmar.loc[medlemmar["forbund_id"] == f.forbund_id].itertuples():
            start = m.giltig_from.date().isoformat()
            text = f"{m.kommunkod} {reference.kommun_namn(m.kommunkod)} "
            if pd.isna(m.giltig_tom):
                text += f"(från {start})"
            else:
                text += f"({start}–{m.giltig_tom.date().isoformat()})"
            members.append(text)
        rows.append((_code(f.forbund_id), f.namn, ", ".join(members), _code(f.status)))
    return rows


_SCB_FILES = (
    ("JSON-stat 2.0", "`.json`", "PxWeb API 2.0 (`outputFormat=json-stat2`), Statistikdatabasen"),
    ("JSON-stat 1.0 och PxWebs egen JSON", "`.json`", "det äldre PxWeb API:t (v1, `json-stat` och `json`)"),
    ("CSV med koder, texter eller båda", "`.csv`",
     "Statistikdatabasen och API:t; UTF-8 (med eller utan BOM), Windows-1252 och UTF-16"),
    ("PX (PC-Axis)", "`.px`", "API 2.0:s standardformat och Statistikdatabasen; teckenkodning enligt filens `CODEPAGE`"),
    ("Excel", "`.xlsx`", "Statistikdatabasen: rubrikrader med sammanslagna celler, förspalter som bara "
     "skrivs där värdet byts, fotnoter under tabellen"),
)  # fmt: skip


def _scb_files() -> list[str]:
    """§10's list of the SCB file forms that are read (scb/read.py's readers)."""
    return [
        "### Filer som läses",
        "",
        "Varje form SCB lämnar ut tabellen i läses, och ingen fil i mappen hoppas över utan ett ord:",
        "",
        *_table(("form", "filändelse", "var den kommer ifrån"), _SCB_FILES),
        "",
        "Kön känns igen som koderna `1`, `2`, `1+2` och `TotSa` och som SCB:s texter (\"män\", "
        "\"kvinnor\", \"män och kvinnor totalt\", \"totalt, samtliga män och kvinnor\", även på "
        "engelska). Region får vara kod (`2482`, `2482 Skellefteå`, `00`), kommunnamn (`Falun`, "
        "`Östersunds kommun`), `Riket`, `Sverige` eller `Sweden`. Län (`01`, `Stockholms län`) och "
        "regioner som inte känns igen läses inte; filens anteckning i rapportens datakvalitetsavsnitt "
        "namnger dem. Filer med andra ändelser (till exempel `.xls` eller `.txt`) läses inte och "
        "namnges i en anteckning; dolda filer (som `.DS_Store`) är systemets och räknas inte.",
    ]


def _helarsekvivalenter() -> list[str]:
    scb_names = getattr(scb, "_CONTENT_NAMES", {})
    rows = [(_code(c), *_HE_COLUMNS[c]) for c in schema.HELARSEKVIVALENTER_COLUMNS]
    out = [
        *_heading(10),
        "Källa: SCB, tabell HE0000T02N2 (PxWeb v2 `TAB1386`), *Antal helårsekvivalenter i åldrarna "
        "20–64/20–65 år som försörjs med sociala ersättningar och bidrag*, per kommun och månad "
        "från 2014M01. Filerna i `helarsekvivalenter/` läses till en normaliserad lång tabell:",
        "",
        *_table(("kolumn", "typ", "beskrivning"), rows),
        "",
        "### Ersättningar (`ersattning`)",
        "",
        "SCB:s innehållskoder (`ContentsCode`) används aldrig: innehållet känns igen på etiketterna "
        "i filens egna metadata.",
        "",
    ]
    rows = []
    for code, label in schema.ERSATTNING.items():
        names = [n for n in scb_names.get(code, (label,)) if n != label] or [label]
        rows.append((_code(code), label, _ENGLISH.get(("ERSATTNING", code), ""), " / ".join(names)))
    out += _table(("kod", "etikett", "English", "SCB:s etikett"), rows)
    out += ["", *_scb_files()]
    out += [
        "",
        f"`{schema.RIKET}` är riket (jämförelsen i rapporten). *Andel av befolkningen* från SCB "
        "summeras eller medelvärdesbildas aldrig: ett förbunds andel är summan av medlemskommunernas "
        "helårsekvivalenter delad med summan av deras folkmängd. Nollfällan: ett 0 för "
        f"`ekonomiskt_bistand` i en kommun-månad med folkmängd ≥ {_number(scb.BORTFALL_MIN_FOLKMANGD)} "
        "räknas som bortfall och ersätts (se [metoder](methods.md#nollfallan)).",
        "",
    ]
    return out


def render_key_figures() -> str:
    """The key-figure table of ``docs/rapporter.md`` §5, between its markers."""
    return "\n".join([KEY_FIGURES_BEGIN, "", *_key_figures(), KEY_FIGURES_END])


def _key_figures() -> list[str]:
    counts = set(disclosure.KEY_FIGURE_COUNTS)
    shares = {
        "andel_arbete_studier", "ci_low", "ci_high", "andel_okat_omfattning", "tid_i_insats_median_dagar",
        "andel_offentlig_forsorjning_fore", "andel_offentlig_forsorjning_efter",
    }  # fmt: skip
    rows = []
    for key in key_figures.KEY_ORDER:
        if key == "kon_okand":
            kind = "kvalitetsuppgift; visas alltid"
        elif key in counts:
            kind = f"antal personer; 1–{disclosure.DEFAULT_MIN_CELL - 1} döljs"
        elif key in shares:
            kind = "andel/statistik; döljs med nämnaren"
        elif key in ("befolkning_andel_20_64", "riket_andel_20_64"):
            kind = "SCB, döljs aldrig"
        else:
            kind = "–"
        rows.append((_code(key), _KEY_FIGURES[key], kind))
    lines = [
        f"- `{total}` = " + " + ".join(_code(p) for p in parts) for total, parts in disclosure.KEY_FIGURE_LINES
    ]
    return [
        "`finsam_analysis.key_figures(dataset, forbund_id, period, min_cell=5)` och rapportens "
        "JSON-fil, med nycklarna i denna ordning. Andelar är bråk (0,432), inte procent; ett värde "
        "som inte kan beräknas, eller vars uppgift saknas i förbundets data, är `null` (aldrig 0). "
        "Röjandekontroll med `min_cell = "
        f"{disclosure.DEFAULT_MIN_CELL}` som standard; alla perioder skyddas tillsammans "
        "(se [metoder](methods.md#rojandekontroll)).",
        "",
        *_table(("nyckel", "innehåll", "röjandekontroll"), rows),
        "",
        "Summarelationer som röjandekontrollen skyddar (en läsare kan använda dem):",
        "",
        *lines,
        "",
    ]


def _reference() -> list[str]:
    kommuner = reference.kommuner()
    lan = reference.lan()
    forbund, medlemmar = reference.forbund_catalogue()
    per_lan = kommuner.groupby("lanskod", sort=True).size()
    rows = [(_code(r.lanskod), r.lan, int(per_lan.get(r.lanskod, 0))) for r in lan.sort_values("lanskod").itertuples()]
    status = forbund["status"].value_counts()
    member_status = medlemmar["status"].value_counts()
    statuses = sorted(reference.CATALOGUE_STATUSES, key=lambda s: (s != "verified", s))
    return [
        *_heading(11),
        "I `finsam_analysis/data/`, läses med `finsam_analysis.reference`:",
        "",
        *_table(
            ("tabell", "rader", "kolumner"),
            [
                ("`kommuner.csv` (`reference.kommuner()`)", len(kommuner), ", ".join(_code(c) for c in kommuner.columns)),
                ("`lan.csv` (`reference.lan()`)", len(lan), ", ".join(_code(c) for c in lan.columns)),
                ("`forbund_katalog.csv`", len(forbund), ", ".join(_code(c) for c in forbund.columns)),
                ("`forbund_katalog_medlemmar.csv`", len(medlemmar), ", ".join(_code(c) for c in medlemmar.columns)),
            ],
        ),
        "",
        f"Kommunkoder och länskoder är SCB:s. Förbundskatalogen har {len(forbund)} verkliga "
        "samordningsförbund ("
        + ", ".join(f"{int(status.get(s, 0))} `{s}`" for s in statuses)
        + f") med {len(medlemmar)} medlemsperioder ("
        + ", ".join(f"{int(member_status.get(s, 0))} `{s}`" for s in statuses)
        + "). `verified`: medlemmarna är namngivna i ett offentligt dokument från förbundet; "
        "`likely`: välkänt men inte kontrollerat mot ett dokument. En användare ersätter katalogen "
        "med egna `forbund.csv` och `forbund_medlemmar.csv`.",
        "",
        "### Förbundskatalogen",
        "",
        "Det finns ingen offentlig maskinläsbar förteckning över samordningsförbund; paketet har "
        "den här sammanställningen, och exempeldata använder förbunden med syntetiska deltagare.",
        "",
        *_table(("forbund_id", "namn", "medlemmar (kommunkod kommun, giltighet)", "status"), _catalogue_rows()),
        "",
        "### Kommuner per län",
        "",
        *_table(("länskod", "län", "kommuner"), rows),
        "",
    ]


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def render() -> str:
    """The whole ``docs/dataformat.md`` as text (deterministic).

    Returns
    -------
    str
        Markdown ending with a single newline.

    Raises
    ------
    KeyError
        When a hand-kept note refers to a table or column the schema no longer
        has, or a table, helårsekvivalenter column or key figure lacks its
        description here.
    """
    _check_keys()
    parts = _intro() + _files() + _table_sections() + _vocabulary_sections() + _groupings()
    parts += _personnummer() + _mapping() + _bad_input() + _helarsekvivalenter() + _reference()
    text = "\n".join(parts)
    return text.rstrip("\n") + "\n"


def _repo_root() -> Path:
    """The source checkout (the folder holding pyproject.toml), else the working directory."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def update_reports_doc(text: str) -> str:
    """``text`` of ``docs/rapporter.md`` with its key-figure table replaced by :func:`render_key_figures`.

    Raises
    ------
    ValueError
        When the markers are missing or out of order.
    """
    start, end = text.find(KEY_FIGURES_BEGIN), text.find(KEY_FIGURES_END)
    if start < 0 or end < start:
        raise ValueError(f"Markeringarna {KEY_FIGURES_BEGIN!r} … {KEY_FIGURES_END!r} saknas.")
    return text[:start] + render_key_figures() + text[end + len(KEY_FIGURES_END):]


def _targets(out: str | Path | None, reports: str | Path | None) -> dict[Path, str]:
    """Each file to write and its generated text."""
    out = Path(out) if out is not None else _repo_root() / DEFAULT_PATH
    reports = Path(reports) if reports is not None else _repo_root() / REPORTS_PATH
    targets = {out: render()}
    if reports.is_file():
        targets[reports] = update_reports_doc(reports.read_text(encoding="utf-8"))
    return targets


def write(path: str | Path | None = None, reports: str | Path | None = None) -> list[Path]:
    """Write :func:`render` to ``path`` and the key figures into ``reports`` (defaults: the checkout's docs)."""
    written = []
    for target, text in _targets(path, reports).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, text)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m finsam_analysis.datadictionary [--out FIL] [--reports FIL] [--check]``."""
    parser = argparse.ArgumentParser(
        prog="python -m finsam_analysis.datadictionary",
        description="Skriv docs/dataformat.md ur schemat och nyckeltalen i docs/rapporter.md.",
    )
    parser.add_argument("--out", default=None, help="dataformatet (standard: docs/dataformat.md)")
    parser.add_argument("--reports", default=None, help="rapportdokumentet (standard: docs/rapporter.md)")
    parser.add_argument("--check", action="store_true", help="skriv inget; avsluta med 1 om en fil är inaktuell")
    args = parser.parse_args(argv)
    if args.check:
        stale = [
            target for target, text in _targets(args.out, args.reports).items()
            if not target.is_file() or target.read_text(encoding="utf-8") != text
        ]  # fmt: skip
        for target in stale:
            print(f"{target} är inaktuell: kör `make docs`.", file=sys.stderr)
        if not stale:
            print("Dokumentationen är aktuell.")
        return 1 if stale else 0
    for target in write(args.out, args.reports):
        print(f"Skrev {target}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
