"""One förbund's own participant file: ``deltagande.xlsx`` as a förbund keeps it, and its ``mapping.yaml``."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

from finsam_analysis import schema
from finsam_analysis.files import FixedTimeZip
from finsam_analysis.ingest import personnummer
from finsam_analysis.synthetic.parameters import date_text


_FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)


XLSX_SHEET = "Deltagare"


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
for _col, _col_labels in _XLSX_LABELS.items():
    assert set(_col_labels) == set(schema.DELTAGANDE[_col].vocabulary), _col
_XLSX_LIST_SEPARATOR = ","


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


def synthetic_personnummer(rows: Mapping[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
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


def write_xlsx(path: Path, rng: np.random.Generator, rows: Mapping[str, np.ndarray],
                insats_names: Mapping[str, str]) -> int:
    """Write the förbund's own participant file; returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    n = len(rows["forbund_id"])
    cols: dict[str, np.ndarray] = {"personnummer": synthetic_personnummer(rows, rng)}
    cols["kon"] = _vary_case(rng, _labels("kon", rows["kon"]), 0.03, "lower")
    names = pd.Series(rows["insats_id"]).map(insats_names).to_numpy(dtype=object)
    cols["insats_id"] = _vary_case(rng, names, 0.01, "lower")
    for col in ("startdatum", "slutdatum"):
        d = rows[col]
        as_obj = d.astype(object)  # datetime.date or None
        style = rng.random(n)
        iso = date_text(d)
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


def mapping_yaml(fid: str, namn: str, insats_names: Mapping[str, str], seed: int) -> str:
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
        "# motsvarar det kanoniska formatet (docs/dataformat.md §8):\n"
        "#   columns:  kanoniskt kolumnnamn -> förbundets kolumnrubrik\n"
        "#   values:   kanonisk kolumn -> {förbundets etikett: kanonisk kod}\n"
        "#   defaults: värden som gäller hela filen\n"
        "# Etiketter jämförs utan hänsyn till versaler/gemener och omgivande blanksteg.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
