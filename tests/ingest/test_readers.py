"""read_table: encodings, separators, Excel cells, and files that are not tables."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from finsam_analysis import load_dataset
from finsam_analysis.errors import SchemaError, UnreadableFileError
from finsam_analysis.ingest.readers import (
    WHITESPACE,
    _arrow_table,
    _parse_arrow,
    _read_csv_arrow,
    _read_csv_python,
    detect_separator,
    prefetch_csv,
    read_table,
)

from ..helpers import FORBUND_CSV, write_dataset

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

    from finsam_analysis.ingest.validation import parse_dates

    raw = ["2024-01-02", "20240103", "2024-03-04 00:00:00", "2024-02-30", "0999-01-01", "9999-12-31",
           "03/04/2024", None, "x"]
    dates, bad = parse_dates(pd.Series(raw, dtype="str"))
    shown = [d.strftime("%Y-%m-%d") if not pd.isna(d) else None for d in dates]
    assert shown == ["2024-01-02", "2024-01-03", "2024-03-04", None, None, None, None, None, None]
    assert bad.tolist() == [False, False, False, True, True, True, True, False, True]


# --------------------------------------------------------------------------
# The fast (pyarrow) CSV path reads exactly what the careful reader reads
# --------------------------------------------------------------------------


def _outcome(read):
    """What a reader made of a file: its table, or its error."""
    try:
        t = read()
    except Exception as exc:  # noqa: BLE001 (compared, not hidden)
        return ("error", type(exc).__name__, str(exc))
    if t is None:
        return None
    return ("table", t.headers, t.data, t.blank_rows, t.encoding, t.separator)


def _assert_same(fast, careful):
    assert fast[0] == careful[0], (fast, careful)
    if fast[0] == "error":
        assert fast == careful
        return
    assert fast[1] == careful[1] and fast[3:] == careful[3:]
    pd.testing.assert_frame_equal(fast[2], careful[2])


def test_whitespace_is_what_str_strip_and_arrow_remove():
    assert WHITESPACE == "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    cells = [f"{c}x{c}" for c in WHITESPACE] + ["\u200bx\u200b"]  # zero-width space is not white space
    assert pc.utf8_trim_whitespace(pa.array(cells)).to_pylist() == [c.strip() for c in cells]


FAST_CASES = {
    "plain": b"a,b,c\n1,2,3\n4,,6\n",
    "bom, semicolon, crlf": "\ufeffnamn;kod\r\nÄlv & Kust;0180\r\n Värna ;  2482 \r\n".encode(),
    "quoted separators and quotes": b'a,b\n"x,y","say ""hi"""\n"c",z\n',
    "text after a closing quote": b'a,b\n"ab"c,"d"\n',
    "quote inside a field": b'a,b\nab"c,d\n',
    "row of separators only": b"a;b\n1;2\n;\n3;4\n",
    "tabs and odd white space": "a\tb\n\u3000x\u00a0\t\u2028y\n".encode(),
    "no final newline": b"a,b\n1,2",
}


@pytest.mark.parametrize("raw", FAST_CASES.values(), ids=FAST_CASES.keys())
def test_fast_path_is_taken_and_reads_as_the_careful_reader(raw):
    path = Path("f.csv")
    fast = _outcome(lambda: _read_csv_arrow(path, raw))
    assert fast is not None, "the fast path should take this file"
    _assert_same(fast, _outcome(lambda: _read_csv_python(path, raw)))


SLOW_CASES = {
    "windows-1252": "a;b\nVärna;1\n".encode("cp1252"),
    "blank line first": b"\na,b\n1,2\n",
    "short row": b"a,b,c\n1,2\n",
    "long row": b"a,b\n1,2,3\n",
    "nul byte": b"a,b\n1,\x002\n",
    # the careful reader checks that a stray quote did not swallow rows
    "line break inside quotes": b'a,b\n"two\nlines",z\n',
}


@pytest.mark.parametrize("raw", SLOW_CASES.values(), ids=SLOW_CASES.keys())
def test_files_the_fast_path_leaves_to_the_careful_reader(raw):
    assert _read_csv_arrow(Path("f.csv"), raw) is None


_SPECIAL = st.text(alphabet=list('ab1 ,;\t"\r\nö\u00a0\u3000\x1f'), max_size=5)
_CELL = st.one_of(st.text(alphabet=list("ab1 ö"), max_size=4), _SPECIAL, st.just('"q,""x"""'))


@st.composite
def _tables(draw):
    """Mostly rectangular tables (so the fast path is tried), sometimes not."""
    width = draw(st.integers(1, 4))
    n_rows = draw(st.integers(1, 6))
    return [draw(st.lists(_CELL, min_size=width, max_size=width if draw(st.booleans()) else width + 1))
            for _ in range(n_rows)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=_tables(),
    sep=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    final=st.booleans(),
)
def test_fast_and_careful_readers_agree_on_any_text(rows, sep, newline, bom, final):
    text = newline.join(sep.join(cells) for cells in rows) + (newline if final else "")
    raw = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    if not raw[:65536].strip():
        return  # read_table stops at "empty file" before either reader
    path = Path("f.csv")
    fast = _outcome(lambda: _read_csv_arrow(path, raw))
    if fast is not None:  # None: the careful reader takes the file
        careful = _outcome(lambda: _read_csv_python(path, raw))
        _assert_same(fast, careful)
        # Every column dictionary-encoded: the same strings.
        coded = _outcome(lambda: _as_text(_arrow_table(path, *_parse_arrow(raw, encode=lambda h: range(len(h))))))
        _assert_same(coded, careful)


def _as_text(table):
    if table is not None:
        for name in table.headers:
            if isinstance(table.data[name].dtype, pd.CategoricalDtype):
                table.data[name] = table.data[name].astype("str")
    return table


def test_prefetched_file_reads_the_same(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("a;b\n 1 ;x\n;\n2;y\n", encoding="utf-8")
    ahead = prefetch_csv(p)
    assert ahead.parsed is not None
    _assert_same(_outcome(lambda: read_table(p, ahead)), _outcome(lambda: read_table(p)))
    # A file that could not be read ahead is read (and judged) as usual.
    missing = prefetch_csv(tmp_path / "nope.csv")
    assert missing.raw is None
    with pytest.raises(UnreadableFileError, match="finns inte"):
        read_table(tmp_path / "nope.csv", missing)


def test_columns_read_as_codes_hold_the_same_values(tmp_path):
    # " x " and "x" become one value, a cell of white space only is missing,
    # a blank row is still skipped and counted.
    p = tmp_path / "f.csv"
    p.write_text('a;b;c\n x ;1;k\nx;;"k "\n;;\n\\u3000;2;\n y;\\u00a0; z\n', encoding="utf-8")
    plain = read_table(p)
    coded = read_table(p, prefetch_csv(p, lambda headers: [headers.index("a"), headers.index("c")]))
    assert coded.blank_rows == plain.blank_rows == 1
    assert coded.data["_rad"].tolist() == plain.data["_rad"].tolist() == [2, 3, 5, 6]
    assert isinstance(coded.data["a"].dtype, pd.CategoricalDtype) and coded.data["b"].dtype == "str"
    for header in ("a", "c"):
        as_text = coded.data[header].astype("str")
        pd.testing.assert_series_equal(as_text, plain.data[header], check_names=True)
        positions, distinct = coded.distinct[header]
        assert distinct.iloc[positions].tolist() == plain.data[header].tolist()
        assert distinct.iloc[-1] is np.nan or pd.isna(distinct.iloc[-1])
    assert sorted(coded.distinct) == ["a", "c"]


@pytest.mark.parametrize("final", ["", "\n"])
def test_a_quote_that_never_closes_on_the_last_line_is_named_by_both_readers(tmp_path, final):
    # Found by the property test above: pyarrow took an unclosed quote on a
    # last line without a line break as an empty field, so the fast reader
    # went on to complain about the header instead.
    path = tmp_path / "f.csv"
    path.write_text(',"q,""x"""\n,"' + final, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"rad 2 ett citattecken .* aldrig avslutas"):
        read_table(path)
    # A quoted last field that does close keeps the fast path.
    path.write_text('a,b\n1,"x, y"', encoding="utf-8")
    assert _read_csv_arrow(path, path.read_bytes()) is not None
    assert read_table(path).data[["a", "b"]].iloc[0].tolist() == ["1", "x, y"]


def test_a_non_utf8_row_of_another_width_is_named_and_nothing_else_is_printed(tmp_path, capfd, monkeypatch):
    # The fast reader used to give pyarrow a handler for irregular rows; on a row
    # that is not UTF-8 pyarrow printed "Exception ignored ... UnicodeDecodeError"
    # to stderr before falling back. Now only the one sentence remains.
    path = tmp_path / "deltagande.csv"
    path.write_bytes(b"a,b\n1,2\n\xe5,3,4\n5,6\n")
    ignored = []  # what Python would print as "Exception ignored in ..."
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with pytest.raises(UnreadableFileError, match=r"rad 3"):
        read_table(path)
    assert _read_csv_arrow(path, path.read_bytes()) is None  # left to the careful reader
    captured = capfd.readouterr()
    assert ignored == [] and captured.err == "" and captured.out == ""
