"""read_table: encodings, separators, Excel cells, and files that are not tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from openpyxl import Workbook

from finsam_analysis import load_dataset
from finsam_analysis.errors import SchemaError, UnreadableFileError
from finsam_analysis.readers import detect_separator, read_table

from .conftest import FORBUND_CSV, write_dataset

TEXT = "forbund_id;namn\nalv_och_kust;Samordningsförbundet Älv & Kust\nvarna;Samordningsförbundet VärNa\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_encodings_and_separators_read_the_same(tmp_path, encoding, sep):
    p = tmp_path / "forbund.csv"
    p.write_bytes(TEXT.replace(";", sep).encode(encoding))
    t = read_table(p)
    assert t.separator == sep
    assert t.encoding == encoding
    assert t.headers == ["forbund_id", "namn"]
    assert t.data["namn"].tolist() == ["Samordningsförbundet Älv & Kust", "Samordningsförbundet VärNa"]
    assert t.data["_rad"].tolist() == [2, 3]


def test_separator_inside_quotes_does_not_count():
    assert detect_separator('"a;b;c",d,e') == ","
    assert detect_separator("abc") is None


def test_quoted_field_with_newline_keeps_record_numbers(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text('a,b\n1,"two\nlines"\n3,4\n', encoding="utf-8")
    t = read_table(p)
    assert t.data["b"].tolist() == ["two\nlines", "4"]
    assert t.data["_rad"].tolist() == [2, 3]


def test_blank_rows_are_skipped_counted_and_do_not_shift_numbers(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("a;b\n1;2\n\n;\n3;4\n\n\n", encoding="utf-8")
    t = read_table(p)
    assert t.data["a"].tolist() == ["1", "3"]
    assert t.data["_rad"].tolist() == [2, 5]
    assert t.blank_rows == 4


def test_short_rows_are_padded_and_long_rows_refused(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("a;b;c\n1;2\n", encoding="utf-8")
    assert read_table(p).data["c"].isna().all()
    p.write_text("a;b\n1;2;3\n4;5\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"fler fält än rubrikraden \(rad 2\)"):
        read_table(p)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "är tom"),
        (b"   \n\n  \n", "är tom"),
        (b"deltagare_id\nd1\nd2\n", "bara en kolumn"),
        (b"PK\x03\x04 not really", "är en Excel-fil, inte en CSV-fil"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "gamla Excel-formatet"),
    ],
)
def test_files_that_are_not_tables(tmp_path, content, message):
    p = tmp_path / "deltagande.csv"
    p.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=message):
        read_table(p)


def test_binary_garbage(tmp_path):
    p = tmp_path / "deltagande.csv"
    p.write_bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes() + b"\x00")
    with pytest.raises(UnreadableFileError, match="inte en textfil"):
        read_table(p)


def test_duplicate_and_empty_headers(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("a;B;b\n1;2;3\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"två kolumner med rubriken 'b' \(kolumn 2 och 3\)"):
        read_table(p)
    p.write_text("a;;c\n1;2;3\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"utan rubrik \(kolumn 2\)"):
        read_table(p)


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFileError, match="finns inte"):
        read_table(tmp_path / "nope.csv")


# --------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------


def test_excel_cells_become_the_strings_a_csv_would_hold(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["kommun", "datum", "tid", "andel", "text"])
    ws.append([180, dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 14, 30), 0.35, "  hej  "])
    ws.append([2482.0, dt.date(2024, 12, 31), None, 1, None])
    ws.append([None, None, None, None, None])  # trailing empty row
    wb.save(tmp_path / "f.xlsx")
    t = read_table(tmp_path / "f.xlsx")
    assert t.data.drop(columns="_rad").astype(object).where(t.data.notna(), None).values.tolist() == [
        ["180", "2024-03-01", "2024-03-01 14:30:00", "0.35", "hej"],
        ["2482", "2024-12-31", None, "1", None],
    ]
    assert t.blank_rows == 1


def test_fake_and_truncated_xlsx(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("deltagare_id;kon\n1;man\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="ingen riktig Excel-fil"):
        read_table(fake)
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "ok.xlsx")
    data = (tmp_path / "ok.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFileError, match="verkar vara skadad"):
        read_table(cut)


def test_numeric_kommunkod_in_excel_gets_its_zero_back(tmp_path):
    root = write_dataset(tmp_path / "d", rows=[])
    (root / "deltagande.csv").unlink()
    wb = Workbook()
    ws = wb.active
    ws.append(["deltagare_id", "forbund_id", "insats_id", "kon", "fodelsear", "folkbokforingskommun", "startdatum"])
    ws.append(["d1", "beta", "b1", "man", 1990, 180, dt.datetime(2024, 1, 2)])
    wb.save(root / "deltagande.xlsx")
    d = load_dataset(root).deltagande
    assert d["folkbokforingskommun"].tolist() == ["0180"]
    assert d["fodelsear"].tolist() == [1990]


def test_windows_1252_dataset_with_semicolons_and_decimal_comma(tmp_path):
    root = write_dataset(tmp_path / "d")
    text = (root / "insatser.csv").read_text(encoding="utf-8")
    semicolon = text.replace('"0,4"', "0.4").replace(",", ";").replace("0.35", "0,35").replace("0.4", "0,4")
    (root / "insatser.csv").write_bytes(semicolon.encode("cp1252"))
    (root / "forbund.csv").write_bytes(FORBUND_CSV.replace(",", ";").encode("cp1252"))
    ds = load_dataset(root)
    assert ds.quality.rejected_rows == 0
    ins = ds.insatser.set_index("insats_id")
    assert ins.loc["b1", "namn"] == "Vägen framåt"
    assert ins.loc["b1", "mal_andel_arbete_studier"] == pytest.approx(0.35)
    assert ins.loc["a1", "mal_andel_arbete_studier"] == pytest.approx(0.4)


def test_date_formats_and_impossible_dates():
    import pandas as pd

    from finsam_analysis.validation import parse_dates

    raw = ["2024-01-02", "20240103", "2024-03-04 00:00:00", "2024-02-30", "0999-01-01", "9999-12-31",
           "03/04/2024", None, "x"]
    dates, bad = parse_dates(pd.Series(raw, dtype="str"))
    shown = [d.strftime("%Y-%m-%d") if not pd.isna(d) else None for d in dates]
    assert shown == ["2024-01-02", "2024-01-03", "2024-03-04", None, None, None, None, None, None]
    assert bad.tolist() == [False, False, False, True, True, True, True, False, True]
