"""Every form a user gets HE0000T02N2 in from SCB, written by the tests from the documented formats.

Each file holds the same hand-checked figures as the CSV fixtures of
``test_read.py`` (Skellefteå and riket, January and February 2024), so
every reader must give exactly ``EXPECTED_CSV``; a file that cannot be
read is refused in one sentence naming it, and no file in the folder is
skipped in silence.

Formats, as their owners document them:
- PX: SCB, *PX file format specification* (2013): ``KEYWORD[lang]("sub")=value;``,
  STUB outermost and HEADING innermost in ``DATA``, long texts continued as
  several quoted strings, ``CODEPAGE`` naming the encoding.
- JSON-stat 1.0 (PxWeb v1 ``format: json-stat``): the dataset wrapped as
  ``{"dataset": {...}}`` with ``id``, ``size`` and ``role`` inside ``dimension``.
- PxWeb v1 ``format: json``: ``columns`` (type ``d``, ``t``, ``c``) and ``data``
  rows of ``key`` and ``values``, missing values as ``".."``.
- The Statistikdatabasen's Excel download: title row, heading rows with merged
  cells, unnamed stub columns whose value is written where it changes,
  footnotes under the table.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from finsam_analysis.scb.read import ScbFormatError, read_directory, read_file, read_pxweb_csv
from tests.scb.test_read import EXPECTED_CSV, cell, jsonstat

FIGURES = {  # (region, month) -> (sjukpenning, ekonomiskt bistånd, folkmängd), as in EXPECTED_CSV
    ("2482", "2024M01"): (1234.5, 310.25, 42000),
    ("2482", "2024M02"): (1250.0, 305.75, 42010),
    ("00", "2024M01"): (150000.5, 95000, 5900000),
    ("00", "2024M02"): (151000, None, 5901000),
}
CONTENTS = ("Sjukpenning", "Ekonomiskt bistånd", "Folkmängd")


def cells() -> list[dict]:
    return [
        cell(region, month, label, value)
        for (region, month), values in FIGURES.items()
        for label, value in zip(CONTENTS, values)
    ]


def px_number(value) -> str:
    return '".."' if value is None else str(value)


PX = """CHARSET="ANSI";
AXIS-VERSION="2013";
CODEPAGE="{codepage}";
LANGUAGE="sv";
LANGUAGES="sv","en";
CREATION-DATE="20250321 08:00";
DECIMALS=2;
MATRIX="HE0000T02N2";
SUBJECT-AREA="Hushållens ekonomi";
TITLE="Antal helårsekvivalenter i åldrarna 20-64/20-65 år som försörjs med sociala ersättningar och bidrag efter region, "
"kön, ålder, tabellinnehåll och månad";
CONTENTS="Antal helårsekvivalenter";
STUB="region","kön","ålder";
STUB[en]="region","sex","age";
HEADING="tabellinnehåll","månad";
HEADING[en]="observations","month";
CONTVARIABLE="tabellinnehåll";
VALUES("region")="00 Riket","2482 Skellefteå";
VALUES[en]("region")="00 Sweden","2482 Skellefteå";
VALUES("kön")="män och kvinnor totalt";
VALUES("ålder")="20-64 år";
VALUES("tabellinnehåll")="Sjukpenning","Ekonomiskt bistånd",
"Folkmängd";
VALUES("månad")="2024M01","2024M02";
TIMEVAL("månad")=TLIST(M1),"2024M01","2024M02";
CODES("region")="00","2482";
CODES("kön")="1+2";
CODES("ålder")="20-64";
CODES("tabellinnehåll")="000006Y1","000006Y5","000006Y8";
CODES("månad")="2024M01","2024M02";
PRECISION("tabellinnehåll","Sjukpenning")=2;
LAST-UPDATED("Sjukpenning")="20250321 08:00";
UNITS="antal";
SOURCE="SCB";
DATA=
{data};
"""


def px_text(codepage: str = "iso-8859-1") -> str:
    lines = []
    for region in ("00", "2482"):  # STUB order: region outermost
        row = [px_number(FIGURES[(region, m)][c]) for c in range(3) for m in ("2024M01", "2024M02")]
        lines.append(" ".join(row))
    return PX.format(codepage=codepage, data="\n".join(lines))


@pytest.mark.parametrize(("codepage", "encoding"), [("iso-8859-1", "latin-1"), ("utf-8", "utf-8"), ("windows-1252", "cp1252")])
def test_px_file_as_scb_writes_it(tmp_path, codepage, encoding):
    path = tmp_path / "HE0000T02N2.px"
    path.write_bytes(px_text(codepage).encode(encoding))
    table = read_file(path)
    pd.testing.assert_frame_equal(table, EXPECTED_CSV, check_exact=True)


def test_px_wrong_cell_count_is_one_sentence(tmp_path):
    path = tmp_path / "kort.px"
    path.write_bytes(px_text().replace(" 5901000", "").encode("latin-1"))
    with pytest.raises(ScbFormatError, match=r"kort\.px.*11 värden men dimensionerna ger 12"):
        read_file(path)


def test_px_without_data_is_refused(tmp_path):
    path = tmp_path / "trasig.px"
    path.write_bytes(b'STUB="region";\nVALUES("region")="00";\n')
    with pytest.raises(ScbFormatError, match=r"trasig\.px.*PX-fil.*DATA="):
        read_file(path)


def test_jsonstat_1_from_the_v1_api(tmp_path):
    doc2 = jsonstat(cells())
    dims = dict(doc2["dimension"], id=doc2["id"], size=doc2["size"], role=doc2["role"])
    doc1 = {"dataset": {"dimension": dims, "label": doc2["label"], "source": "SCB",
                        "updated": "2025-03-21T06:00:00Z", "value": doc2["value"]}}  # fmt: skip
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(doc1, ensure_ascii=False), encoding="utf-8")
    pd.testing.assert_frame_equal(read_file(path), EXPECTED_CSV, check_exact=True)


def test_pxweb_v1_own_json_format(tmp_path):
    columns = [
        {"code": "Region", "text": "region", "type": "d"},
        {"code": "Kon", "text": "kön", "type": "d"},
        {"code": "Alder", "text": "ålder", "type": "d"},
        {"code": "Tid", "text": "månad", "type": "t"},
        *({"code": f"000006Y{i}", "text": t, "type": "c"} for i, t in zip((1, 5, 8), CONTENTS)),
    ]
    data = [
        {"key": [region, "1+2", "20-64", month], "values": [".." if v is None else str(v) for v in values]}
        for (region, month), values in FIGURES.items()
    ]
    doc = {"columns": columns, "comments": [], "data": data,
           "metadata": [{"infofile": "HE0000", "updated": "2025-03-21T06:00:00Z", "source": "SCB"}]}  # fmt: skip
    path = tmp_path / "v1-json.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    pd.testing.assert_frame_equal(read_file(path), EXPECTED_CSV, check_exact=True)


def write_statistikdatabasen_xlsx(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Antal helårsekvivalenter efter region, kön, ålder, tabellinnehåll och månad"])
    sheet.append([])
    sheet.append([None, None, None, "Sjukpenning", None, "Ekonomiskt bistånd", None, "Folkmängd", None])
    for col in ("D3:E3", "F3:G3", "H3:I3"):
        sheet.merge_cells(col)
    sheet.append([None, None, None, *(["2024M01", "2024M02"] * 3)])
    for n, (label, region) in enumerate((("2482 Skellefteå", "2482"), ("Riket", "00"))):
        values = [FIGURES[(region, m)][c] for c in range(3) for m in ("2024M01", "2024M02")]
        stub = [label, "män och kvinnor totalt", "20-64 år"] if n == 0 else [label, None, None]  # written where it changes
        sheet.append(stub + [".." if v is None else v for v in values])
    sheet.append([])
    sheet.append(["Källa: SCB, Statistikdatabasen"])
    sheet.append([".. = uppgift saknas"])
    book.save(path)
    return path


def test_excel_from_the_statistikdatabasen(tmp_path):
    table = read_file(write_statistikdatabasen_xlsx(tmp_path / "he.xlsx"))
    pd.testing.assert_frame_equal(table, EXPECTED_CSV, check_exact=True)
    assert any("2 rader med fotnoter" in n for n in table.attrs["scb_notes"])


def test_excel_without_numbers_is_one_sentence(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Det här är en anteckning"])
    book.save(tmp_path / "anteckning.xlsx")
    with pytest.raises(ScbFormatError, match=r"anteckning\.xlsx.*inga rader med tal"):
        read_file(tmp_path / "anteckning.xlsx")


@pytest.mark.parametrize("kon", ["män och kvinnor totalt", "totalt, samtliga män och kvinnor", "TotSa", "Men and women"])
def test_scb_kon_texts_for_both_sexes(tmp_path, kon):
    path = tmp_path / "k.csv"
    path.write_text(f"region;kön;ålder;månad;Sjukpenning\n2482 Skellefteå;{kon};20–64 år;2024M01;12,5\n", encoding="utf-8")
    table = read_pxweb_csv(path)
    assert table[["kommunkod", "kon", "aldersgrupp", "helarsekvivalenter"]].values.tolist() == [["2482", "totalt", "20-64", 12.5]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_regions_by_text_only(tmp_path, encoding):
    text = (
        "region;kön;ålder;månad;Sjukpenning\n"
        "Sweden;totalt;20-64 år;2024M01;1\n"
        "Falun;totalt;20-64 år;2024M01;2\n"
        "Stockholms län;totalt;20-64 år;2024M01;3\n"
        "Atlantis;totalt;20-64 år;2024M01;4\n"
        "Östersunds kommun;totalt;20-64 år;2024M01;5\n"
    )
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode(encoding))
    table = read_pxweb_csv(path)
    assert dict(zip(table["kommunkod"], table["helarsekvivalenter"])) == {"00": 1.0, "2080": 2.0, "2380": 5.0}
    notes = table.attrs["scb_notes"]
    assert any("'Atlantis'" in n and "känns inte igen" in n for n in notes), notes
    assert any("län" in n and "1 region" in n for n in notes), notes


def test_folder_names_every_file_it_does_not_read(tmp_path):
    write_statistikdatabasen_xlsx(tmp_path / "b.xlsx")
    (tmp_path / "a.px").write_bytes(px_text().encode("latin-1"))
    (tmp_path / "gammal.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "läsmig.txt").write_text("hej", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    data = read_directory(tmp_path)
    assert data.files == ["a.px", "b.xlsx"]
    pd.testing.assert_frame_equal(data.table, EXPECTED_CSV, check_exact=True)
    skipped = [n for n in data.notes if "lästes inte" in n and "gammal.xls" in n]
    assert len(skipped) == 1 and "läsmig.txt" in skipped[0] and ".DS_Store" not in skipped[0]
    assert "2 filer" in skipped[0]


def test_folder_with_only_unread_files_names_them(tmp_path):
    (tmp_path / "he.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ScbFormatError, match=r"he\.xls kan inte läsas"):
        read_directory(tmp_path)


def test_csv_with_codes_and_texts_both(tmp_path):
    """PxWeb's UseCodesAndTexts: every stub cell is "code text", the month too."""
    text = (
        "region;kön;ålder;månad;Sjukpenning;Ekonomiskt bistånd;Folkmängd\n"
        "2482 Skellefteå;1+2 män och kvinnor totalt;20-64 20–64 år;2024M01 2024M01;1234,5;310,25;42000\n"
        "2482 Skellefteå;1+2 män och kvinnor totalt;20-64 20–64 år;2024M02 2024M02;1250;305,75;42010\n"
        "00 Riket;1+2 män och kvinnor totalt;20-64 20–64 år;2024M01 2024M01;150000,5;95000;5900000\n"
        "00 Riket;1+2 män och kvinnor totalt;20-64 20–64 år;2024M02 2024M02;151000;..;5901000\n"
    )
    path = tmp_path / "both.csv"
    path.write_text(text, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(read_pxweb_csv(path), EXPECTED_CSV, check_exact=True)


def test_months_by_swedish_name(tmp_path):
    text = (
        "region;kön;ålder;månad;Sjukpenning\n"
        "2482;1+2;20-64;januari 2024;1\n"
        "2482;1+2;20-64;2024 februari;2\n"
        "2482;1+2;20-64;Dec 2023;3\n"
    )
    (tmp_path / "m.csv").write_text(text, encoding="utf-8")
    table = read_pxweb_csv(tmp_path / "m.csv")
    got = dict(zip(table["manad"].dt.strftime("%Y-%m"), table["helarsekvivalenter"]))
    assert got == {"2023-12": 3.0, "2024-01": 1.0, "2024-02": 2.0}


def test_corpus_folder_every_file_accounted_for(tmp_path):
    """One folder with every form: each file read (listed) or named in a note; the rows of all agree."""
    write_statistikdatabasen_xlsx(tmp_path / "a.xlsx")
    (tmp_path / "b.px").write_bytes(px_text().encode("latin-1"))
    doc2 = jsonstat(cells())
    (tmp_path / "c.json").write_text(json.dumps(doc2, ensure_ascii=False), encoding="utf-8")
    doc1 = {"dataset": {"dimension": dict(doc2["dimension"], id=doc2["id"], size=doc2["size"], role=doc2["role"]),
                        "value": doc2["value"]}}  # fmt: skip
    (tmp_path / "d.json").write_text(json.dumps(doc1, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "e.csv").write_bytes(
        "region;kön;ålder;månad;Sjukpenning;Ekonomiskt bistånd;Folkmängd\n".encode("cp1252")
        + "".join(
            f"{r};TotSa;20–64 år;{m};{str(v[0]).replace('.', ',')};{'..' if v[1] is None else str(v[1]).replace('.', ',')};{v[2]}\n"
            for (r, m), v in FIGURES.items()
        ).encode("cp1252")
    )
    (tmp_path / "f.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    data = read_directory(tmp_path)
    assert data.files == ["a.xlsx", "b.px", "c.json", "d.json", "e.csv"]
    assert any("f.xls" in n for n in data.notes)
    pd.testing.assert_frame_equal(data.table, EXPECTED_CSV, check_exact=True)
    # Five files, the same 8 cells each: counted once, all with the same values.
    assert len(data.overlaps) == len(EXPECTED_CSV) and not data.overlaps["olika_varden"].any()
    assert set(data.overlaps["antal_filer"]) == {5}


def test_region_names_that_differ_only_by_their_marks(tmp_path):
    # Håbo (0305) and Habo (0643) are two kommuner; without å they would be one.
    text = "region;kön;ålder;månad;Sjukpenning\nHåbo;totalt;20-64 år;2024M01;1\nHabo;totalt;20-64 år;2024M01;2\n"
    (tmp_path / "h.csv").write_text(text, encoding="utf-8")
    table = read_pxweb_csv(tmp_path / "h.csv")
    assert dict(zip(table["kommunkod"], table["helarsekvivalenter"])) == {"0305": 1.0, "0643": 2.0}
