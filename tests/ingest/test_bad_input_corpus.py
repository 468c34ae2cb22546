"""A corpus of bad input, each read through the library and through the CLI (issue #8).

Every case is generated here at run time (no binary files are committed, no
personnummer either). Each one must give either a clean result or one clear
Swedish sentence naming the file (and row or column where that applies) with
the exit code of docs/rapporter.md §6: never a traceback, never silent loss. For the
cases that load, the rows are accounted for against what we wrote:
loaded + rejected + duplicates = rows read = the non-blank data rows of the
file, and the rejected rows are exactly the ones we broke.

The list of cases and what each gives is in docs/reliability-input.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from finsam_analysis import load_dataset
from finsam_analysis.errors import FinsamError

from ..helpers import (DELTAGANDE_HEADER, FORBUND_CSV, INSATSER_CSV, assert_no_pnr, canonical_rows, make_pnr, run_cli, write_dataset)

HEADER = DELTAGANDE_HEADER.split(",")
ROWS = [r.split(",") for r in canonical_rows()]  # rows 2-6 of the file, all clean


def table(rows: list[list[str]], header: list[str] = HEADER, sep: str = ",", eol: str = "\n") -> str:
    """A CSV text written by the csv module (so quoting is right)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def with_cell(row: int, column: str, value: str, rows: list[list[str]] | None = None) -> list[list[str]]:
    """The clean rows with the cell on spreadsheet row ``row`` replaced."""
    out = [list(r) for r in (rows or ROWS)]
    out[row - 2][HEADER.index(column)] = value
    return out


def sentences(text: str) -> int:
    """Sentence ends: a stop followed by a space or the end (not the dot in a file name)."""
    return len(re.findall(r"[.!?](?=\s|$)", text.strip()))


# --------------------------------------------------------------------------
# Excel builders
# --------------------------------------------------------------------------


def workbook_bytes(fill: Callable) -> bytes:
    wb = Workbook()
    fill(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def plain_sheet(rows: list[list] | None = None) -> Callable:
    def fill(ws):
        ws.append(HEADER)
        for r in rows if rows is not None else ROWS:
            ws.append([c if c != "" else None for c in r])

    return fill


def merged_headers(ws) -> None:
    """A title row and a row of group headers (merged cells) above the real header."""
    ws.append(["Deltagare i insatser 2024"])
    ws.merge_cells("A1:P1")
    ws.append(["Person", None, None, None, None, None, None, "Insats", None, None, "Före", None, "Efter"])
    for span in ("A2:G2", "H2:J2", "K2:L2", "M2:P2"):
        ws.merge_cells(span)
    plain_sheet()(ws)


def trailing_formatted_rows(ws) -> None:
    plain_sheet()(ws)
    for r in range(7, 10):  # empty but formatted: Excel keeps such rows in the file
        ws.cell(row=r, column=1).font = Font(bold=True)
    ws.cell(row=10, column=2, value="   ")


def merged_data_cells(ws) -> None:
    plain_sheet()(ws)
    ws.merge_cells("B2:B4")  # forbund_id typed once for three rows: only B2 keeps its value


def excel_dates(ws) -> None:
    values = [dt.datetime(2024, 2, 1), "2024-03-15", "20231101", "01/10/2024", 45417]
    rows = [list(r) for r in ROWS]
    for r, v in zip(rows, values):
        r[HEADER.index("startdatum")] = v
    plain_sheet(rows)(ws)


def excel_numbers(ws) -> None:
    rows = [list(r) for r in ROWS]
    for i, r in enumerate(rows):
        r[HEADER.index("folkbokforingskommun")] = int(r[HEADER.index("folkbokforingskommun")])  # 180 lost its zero
        year = r[HEADER.index("fodelsear")]
        r[HEADER.index("fodelsear")] = float(year) if i % 2 else year  # 1999.0 as a number, "1985" as text
    plain_sheet(rows)(ws)


def truncated_xlsx() -> bytes:
    data = workbook_bytes(plain_sheet())
    return data[: len(data) // 2]


def damaged_sheet_stream() -> bytes:
    """A workbook whose compressed sheet has one byte flipped (a bad disk or transfer)."""
    data = bytearray(workbook_bytes(plain_sheet()))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len  # the deflate stream of the sheet
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


def zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hej.txt", "inte en arbetsbok")
    return buf.getvalue()


# --------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------


@dataclass
class Case:
    """One bad input and what it must give.

    ``files`` replace files of the tiny dataset (``None`` removes one);
    ``file`` is the file the message or accounting is about. For exit 0/1
    cases ``read`` is the number of non-blank data rows we wrote, ``rejected``
    the spreadsheet rows we broke and ``blank`` the blank rows we wrote.
    """

    id: str
    files: dict[str, bytes | str | None]
    exit: int
    says: tuple[str, ...] = ()
    file: str = "deltagande.csv"
    read: int = 5
    rejected: tuple[int, ...] = ()
    blank: int = 0
    check: Callable | None = None
    pnrs: list[str] = field(default_factory=list)


def loaded(column: str, expected: list) -> Callable:
    def check(ds):
        values = ds.deltagande.sort_values("kalla_rad")[column].tolist()
        assert [None if pd.isna(v) else v for v in values] == expected

    return check


def no_mojibake(ds) -> None:
    text = " ".join(ds.forbund["namn"]) + " ".join(ds.insatser["namn"]) + " ".join(ds.deltagande["deltagare_id"])
    assert "Ã" not in text and "\ufffd" not in text


def mixed_lines(text: str, cp1252_lines: set[int]) -> bytes:
    """``text`` with the given lines (1-based) in Windows-1252 and the rest in UTF-8."""
    return b"\n".join(
        line.encode("cp1252" if i in cp1252_lines else "utf-8") for i, line in enumerate(text.split("\n"), start=1)
    )


NAMED = with_cell(3, "deltagare_id", "Åsa-02", with_cell(4, "deltagare_id", "Örjan-03"))


def corpus() -> list[Case]:
    rng = np.random.default_rng(8)
    clean = table(ROWS)
    # Rows 2, 4, 5, 6 carry valid numbers; row 3 a wrong check digit; row 4 also one typed into kon.
    pnrs = [make_pnr(int(r[4]), 3, 14, 100 + i, bad_check=i == 1) for i, r in enumerate(ROWS)]
    pnr_stray = make_pnr(1999, 12, 24, 789)
    pnr_rows = [list(r) for r in ROWS]
    for r, number in zip(pnr_rows, pnrs):
        r[0] = number
    pnr_rows[2][HEADER.index("kon")] = pnr_stray
    pnr_header = ["personnummer" if h == "deltagare_id" else h for h in HEADER]
    mapping_yaml = "columns:\n  kon: Kön\n  fodelsear: Födelseår\nvalues:\n  kon: {K: kvinna, M: man}\n"
    own_header = ["Kön" if h == "kon" else "Födelseår" if h == "fodelsear" else h for h in HEADER]
    own_rows = [[{"kvinna": "K", "man": "M"}.get(c, c) if j == 3 else c for j, c in enumerate(r)] for r in ROWS]
    return [
        # ---- not a table at all
        Case("empty-file", {"deltagande.csv": b""}, 2, ("är tom",)),
        Case("whitespace-only", {"deltagande.csv": b"  \r\n\n\t\n"}, 2, ("är tom",)),
        Case("separators-only", {"deltagande.csv": b";;;\n;;;\n"}, 2, ("är tom",)),
        Case("binary-garbage", {"deltagande.csv": rng.integers(0, 256, 3000, dtype=np.uint8).tobytes() + b"\0"}, 2,
             ("inte en textfil",)),  # fmt: skip
        Case("high-bytes-without-nul", {"deltagande.csv": bytes(range(0x80, 0x100)) * 8}, 2,
             ("rad 1", "varken är UTF-8 eller Windows-1252")),  # fmt: skip
        # ---- separators and quotes
        Case("pipe-separated", {"deltagande.csv": clean.replace(",", "|")}, 2, ("bara en kolumn",)),
        Case("header-semicolon-rows-comma", {"deltagande.csv": DELTAGANDE_HEADER.replace(",", ";") + "\n"
             + "\n".join(canonical_rows()) + "\n"}, 2, ("semikolon men raderna med komma",)),  # fmt: skip
        Case("semicolon-separated", {"deltagande.csv": table(ROWS, sep=";")}, 0),
        Case("tab-separated", {"deltagande.csv": table(ROWS, sep="\t")}, 0),
        Case("row-wider-than-header",
             {"deltagande.csv": table([r + ["extra"] * (i == 2) for i, r in enumerate(ROWS)])}, 2,
             ("fler fält än rubrikraden (rad 4)",)),  # fmt: skip
        Case("quote-never-closed", {"deltagande.csv": clean.replace("\nd02,", '\n"d02,', 1)}, 2,
             ("på rad 3", "citattecken", "aldrig avslutas")),  # fmt: skip
        Case("quote-swallows-rows", {"deltagande.csv": clean.replace("\nd02,", '\n"d02,', 1).replace(
             "\nd04,beta", '\nd04",beta', 1)}, 2, ("på rad 3", "citattecken", "ett enda fält")),  # fmt: skip
        Case("enormous-field-200k", {"deltagande.csv": clean + "d09,alfa,a1,kvinna,1999,2482," + "x" * 200_000
             + ",2024-01-01,,,,,,,,\n"}, 2, ("på rad 7", "längre än 131 072 tecken")),  # fmt: skip
        Case("enormous-field-50k-in-a-code-column", {"deltagande.csv": table(with_cell(3, "kon", "x" * 50_000))}, 1,
             ("rad 3: kon: okänd kod 'xxxx",), rejected=(3,)),  # fmt: skip
        Case("enormous-field-50k-in-an-id", {"deltagande.csv": table(with_cell(3, "deltagare_id", "y" * 50_000))}, 0,
             check=lambda ds: len(ds.deltagande.loc[ds.deltagande["kalla_rad"] == 3, "deltagare_id"].iloc[0])
             == 50_000),  # fmt: skip
        # ---- encodings and BOMs
        Case("utf8-bom", {"deltagande.csv": b"\xef\xbb\xbf" + table(NAMED).encode()}, 0, check=no_mojibake),
        Case("double-utf8-bom", {"deltagande.csv": b"\xef\xbb\xbf" * 2 + table(NAMED).encode()}, 0,
             check=no_mojibake),  # fmt: skip
        Case("utf8-bom-then-windows-1252", {"deltagande.csv": b"\xef\xbb\xbf" + table(NAMED).encode("cp1252")}, 0,
             check=loaded("deltagare_id", ["d01", "Åsa-02", "Örjan-03", "d01", "d04"])),  # fmt: skip
        Case("utf16-excel-unicode-text", {"deltagande.csv": table(NAMED, sep="\t", eol="\r\n").encode("utf-16")}, 0,
             check=loaded("deltagare_id", ["d01", "Åsa-02", "Örjan-03", "d01", "d04"])),  # fmt: skip
        Case("windows-1252", {"deltagande.csv": table(NAMED).encode("cp1252"),
             "forbund.csv": FORBUND_CSV.encode("cp1252")}, 0, check=no_mojibake),  # fmt: skip
        Case("mixed-utf8-and-windows-1252-lines", {"deltagande.csv": mixed_lines(table(NAMED), {3})}, 0,
             ("deltagande.csv: teckenkodningen var blandad: 1 rad var sparad som Windows-1252",),
             check=loaded("deltagare_id", ["d01", "Åsa-02", "Örjan-03", "d01", "d04"])),  # fmt: skip
        Case("mixed-encodings-in-insatser", {"insatser.csv": mixed_lines(  # line 3 UTF-8, line 4 Windows-1252
             INSATSER_CSV.replace("Strukturarbete", "Strukturarbete Östra"), {4})}, 0,
             ("insatser.csv: teckenkodningen var blandad",), check=no_mojibake,
             file="insatser.csv", read=3),  # fmt: skip
        Case("line-neither-utf8-nor-1252", {"deltagande.csv": clean.encode().replace(b"\nd03", b"\nd\x8103", 1)}, 2,
             ("på rad 4", "varken är UTF-8 eller Windows-1252")),  # fmt: skip
        Case("mapping-yaml-in-windows-1252", {"deltagande.csv": table(own_rows, own_header),
             "mapping.yaml": mapping_yaml.encode("cp1252")}, 0,
             check=loaded("kon", ["kvinna", "man", "kvinna", "kvinna", None])),  # fmt: skip
        # ---- headers
        Case("missing-required-column", {"deltagande.csv": table([r[:2] + r[3:] for r in ROWS],
             HEADER[:2] + HEADER[3:])}, 2, ("saknar den obligatoriska kolumnen 'insats_id'",)),  # fmt: skip
        Case("missing-column-in-insatser", {"insatser.csv": INSATSER_CSV.replace(",typ,", ",sort,", 1)}, 2,
             ("saknar den obligatoriska kolumnen 'typ'",), file="insatser.csv"),  # fmt: skip
        Case("duplicate-header", {"deltagande.csv": table([r + ["man"] for r in ROWS], HEADER + ["kon"])}, 2,
             ("två kolumner med rubriken 'kon' (kolumn 4 och 17)",)),  # fmt: skip
        Case("duplicate-header-other-case", {"deltagande.csv": table([r + ["man"] for r in ROWS], HEADER + ["KON"])},
             2, ("två kolumner med rubriken 'KON'",)),  # fmt: skip
        Case("header-cell-empty", {"deltagande.csv": table([r + ["x"] for r in ROWS], HEADER + [""])}, 2,
             ("utan rubrik (kolumn 17)",)),  # fmt: skip
        Case("title-line-above-header", {"deltagande.csv": "Deltagarlista 2024\n" + clean}, 2,
             ("första rad utan semikolon, komma eller tabb", "troligen en titel")),  # fmt: skip
        Case("title-row-saved-from-excel", {"deltagande.csv": "Deltagarlista 2024" + "," * 15 + "\n" + clean}, 2,
             ("bara en rubrik på rubrikraden", "troligen en titel")),  # fmt: skip
        # ---- values
        Case("dates-in-five-formats", {"deltagande.csv": table(with_cell(3, "startdatum", "20240315", with_cell(
             4, "startdatum", "2023-11-01 00:00:00", with_cell(5, "startdatum", "01/10/2024", with_cell(
                 6, "startdatum", "5 maj 2024")))))}, 1,
             ("rad 5: startdatum: ogiltigt datum '01/10/2024' (väntat ÅÅÅÅ-MM-DD)",
              "rad 6: startdatum: ogiltigt datum '5 maj 2024'"), rejected=(5, 6),
             check=loaded("startdatum", [dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 15),
                                         dt.datetime(2023, 11, 1)])),  # fmt: skip
        Case("numbers-as-text", {"deltagande.csv": table(with_cell(2, "fodelsear", " 1\u00a0999 ", with_cell(
             3, "fodelsear", "1985,0", with_cell(4, "omfattning_fore", "25 %", with_cell(
                 5, "fodelsear", "nittonhundra", with_cell(6, "folkbokforingskommun", "180"))))))}, 1,
             ("rad 5: fodelsear: ogiltigt heltal 'nittonhundra'",), rejected=(5,),
             check=lambda ds: (loaded("fodelsear", [1999, 1985, 2001, 1970])(ds),
                               loaded("omfattning_fore", [0, 0, 25, 0])(ds),
                               loaded("folkbokforingskommun", ["2482", "2417", "2482", "0180"])(ds))),  # fmt: skip
        Case("personnummer-valid-invalid-and-stray", {"deltagande.csv": table(pnr_rows, pnr_header)}, 1,
             ("rad 3: personnummer: ogiltigt personnummer", "rad 4: kon: okänd kod"), rejected=(3, 4),
             pnrs=[*pnrs, pnr_stray]),  # fmt: skip
        # ---- layout
        Case("trailing-blank-rows", {"deltagande.csv": clean + "\n\n,,,,,,,,,,,,,,,\n \n,,\n"}, 0, blank=5),
        Case("blank-rows-between", {"deltagande.csv": clean.replace("\nd03", "\n\nd03").replace("\nd04", "\n,,,\nd04")},
             0, blank=2, check=loaded("kalla_rad", [2, 3, 5, 6, 8])),  # fmt: skip
        Case("header-only", {"deltagande.csv": DELTAGANDE_HEADER + "\n"}, 0, read=0),
        Case("crlf-line-ends", {"deltagande.csv": table(ROWS, eol="\r\n")}, 0),
        Case("cr-only-line-ends", {"deltagande.csv": table(ROWS, eol="\r")}, 0),
        # ---- Excel
        Case("xlsx-merged-title-and-group-headers", {"deltagande.csv": None,
             "deltagande.xlsx": workbook_bytes(merged_headers)}, 0, ("rubrikraden är rad 3",),
             file="deltagande.xlsx", check=loaded("kalla_rad", [4, 5, 6, 7, 8])),  # fmt: skip
        Case("xlsx-trailing-formatted-empty-rows", {"deltagande.csv": None,
             "deltagande.xlsx": workbook_bytes(trailing_formatted_rows)}, 0, file="deltagande.xlsx", blank=4),  # fmt: skip
        Case("xlsx-merged-data-cells", {"deltagande.csv": None, "deltagande.xlsx": workbook_bytes(merged_data_cells)},
             1, ("deltagande.xlsx rad 3: forbund_id: värde saknas",), file="deltagande.xlsx", rejected=(3, 4)),  # fmt: skip
        Case("xlsx-dates-in-five-formats", {"deltagande.csv": None, "deltagande.xlsx": workbook_bytes(excel_dates)},
             1, ("rad 5: startdatum: ogiltigt datum '01/10/2024'", "rad 6: startdatum: ogiltigt datum '45417'"),
             file="deltagande.xlsx", rejected=(5, 6)),  # fmt: skip
        Case("xlsx-numbers-as-numbers-and-text", {"deltagande.csv": None,
             "deltagande.xlsx": workbook_bytes(excel_numbers)}, 0, file="deltagande.xlsx",
             check=lambda ds: (loaded("folkbokforingskommun", ["2482", "2417", "2482", "0180", "0180"])(ds),
                               loaded("fodelsear", [1999, 1985, 2001, 1999, 1970])(ds))),  # fmt: skip
        Case("xlsx-truncated", {"deltagande.csv": None, "deltagande.xlsx": truncated_xlsx()}, 2,
             ("verkar vara skadad",), file="deltagande.xlsx"),  # fmt: skip
        Case("xlsx-damaged-compressed-sheet", {"deltagande.csv": None, "deltagande.xlsx": damaged_sheet_stream()}, 2,
             ("verkar vara skadad",), file="deltagande.xlsx"),  # fmt: skip
        Case("xlsx-that-is-a-csv", {"deltagande.csv": None, "deltagande.xlsx": clean}, 2,
             ("ingen riktig Excel-fil",), file="deltagande.xlsx"),  # fmt: skip
        Case("xlsx-zip-without-workbook", {"deltagande.csv": None, "deltagande.xlsx": zip_without_workbook()}, 2,
             ("verkar vara skadad",), file="deltagande.xlsx"),  # fmt: skip
        Case("xlsx-password-protected-or-legacy-xls", {"deltagande.csv": None,
             "deltagande.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)}, 2, ("lösenordsskyddad",),
             file="deltagande.xlsx"),  # fmt: skip
        Case("xlsx-empty-workbook", {"deltagande.csv": None, "deltagande.xlsx": workbook_bytes(lambda ws: None)}, 2,
             ("är tom",), file="deltagande.xlsx"),  # fmt: skip
        # ---- the other files of the directory
        Case("forbund-csv-empty", {"forbund.csv": b""}, 2, ("är tom",), file="forbund.csv"),
        Case("mapping-yaml-binary", {"mapping.yaml": bytes(range(1, 256))}, 2, ("varken är UTF-8 eller Windows-1252",),
             file="mapping.yaml"),  # fmt: skip
        Case("scb-csv-impossible-folkmangd", {"helarsekvivalenter/he.csv": "Region;Kon;Aldersgrupp;Tid;Sjukpenning;"
             "Folkmängd\n2482;1+2;20-64;2024M01;1234,5;" + "9" * 30 + "\n"}, 2,
             ("inte kan vara antal personer",), file="he.csv"),  # fmt: skip
        Case("scb-json-truncated", {"helarsekvivalenter/he.json": json.dumps({"version": "2.0", "class": "dataset",
             "id": ["Region"], "dimension": {}})[:40]}, 2, ("inte giltig JSON",), file="he.json"),  # fmt: skip
    ]


CASES = corpus()


def build(case: Case, root: Path) -> Path:
    write_dataset(root)
    for name, content in case.files.items():
        path = root / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_through_the_library(case, tmp_path):
    root = build(case, tmp_path / "d")
    if case.exit == 2:
        with pytest.raises(FinsamError) as info:
            load_dataset(root)
        message = str(info.value)
        assert info.value.exit_code == 2
        assert case.file in message and sentences(message) <= 2, message
        for fragment in case.says:
            assert fragment in message
        assert_no_pnr(message, case.pnrs)
        return
    ds = load_dataset(root)
    fq = next(f for f in ds.quality.files if f.fil == case.file)
    rejects = ds.quality.rejects
    assert fq.rader_lasta == case.read, "rows read differ from the rows written"
    assert fq.tomma_rader == case.blank
    assert sorted(set(rejects.loc[rejects["fil"] == case.file, "rad"])) == list(case.rejected)
    assert fq.rader_inlasta + fq.rader_avvisade + fq.dubbletter == fq.rader_lasta
    if case.file.startswith("deltagande"):
        assert len(ds.deltagande) == fq.rader_inlasta == case.read - len(case.rejected) - fq.dubbletter
    if case.check:
        case.check(ds)
    assert all(len(reason) < 400 for reason in rejects["skal"]), "a huge cell flooded a reason"
    shown = " ".join([*rejects["skal"], *ds.quality.notes, *ds.quality.unknown_labels["etikett"].astype(str)])
    assert_no_pnr(shown + " ".join(ds.deltagande["deltagare_id"]), case.pnrs)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_through_the_cli(case, tmp_path):
    root = build(case, tmp_path / "d")
    r = run_cli("validate", "--data-dir", root)
    everything = r.out + r.err
    assert r.code == case.exit, everything
    assert "Traceback" not in everything and "oväntat fel" not in everything
    assert_no_pnr(everything, case.pnrs)
    for fragment in case.says:
        assert fragment in everything
    if case.exit == 2:
        assert r.out == ""
        assert r.err.startswith("finsam: ") and r.err.count("\n") == 1, r.err
        assert case.file in r.err and sentences(r.err) <= 2, r.err
        return
    loaded_rows = case.read - len(case.rejected)
    assert f"{case.file}: {case.read} rader lästa, {loaded_rows} inlästa" in r.out
    for row in case.rejected:
        assert f"{case.file} rad {row}:" in r.out
    # One line per rejected row, each a readable length even with a 50 000-character cell.
    assert max(len(line) for line in r.out.splitlines()) < 400
