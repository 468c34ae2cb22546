"""Tests of the SCB readers (docs/dataformat.md §10) with hand-computed answers.

JSON-stat 2.0 fixtures are built here from tidy cells (:func:`jsonstat`), so the
same cube can be written in any dimension order, dense or sparse, with any
(opaque) content codes. CSV fixtures are written out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finsam_analysis import schema
from finsam_analysis.errors import FinsamError
from finsam_analysis.scb.read import (
    IMPUTED_COLUMNS,
    OVERLAP_COLUMNS,
    ScbData,
    ScbFormatError,
    impute_bortfall,
    read_directory,
    read_jsonstat2,
    read_pxweb_csv,
)

ORDER = ("Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid")
REGION_LABELS = {"00": "Riket", "2482": "2482 Skellefteå", "2480": "2480 Umeå", "0180": "0180 Stockholm"}
KON_LABELS = {"1": "män", "2": "kvinnor", "1+2": "totalt"}
SIC = "Sjuk- och aktivitetsersersättning"
LABELS = (
    "Sjukpenning",
    SIC,
    "Arbetslöshetsersättning",
    "Arbetsmarknadsåtgärder",
    "Ekonomiskt bistånd",
    "Etableringsersättning",
    "Summa helårsekvivalenter",
    "Folkmängd",
    "Andel av befolkningen",
)
CODES = ("000006Y1", "000006Y2", "000006Y3", "000006Y4", "000006Y5", "000006Y6", "000006Y7", "000006Y8", "000006Y9")
SIX = ("sjukpenning", "sjuk_och_aktivitetsersattning", "arbetsloshetsersattning",
       "arbetsmarknadsatgarder", "ekonomiskt_bistand", "etableringsersattning")  # fmt: skip


def jsonstat(
    cells: list[dict],
    order=ORDER,
    codes: dict[str, str] | None = None,
    ids: dict[str, str] | None = None,
    sparse: bool = False,
    updated: str | None = None,
    index_as_list: bool = False,
) -> dict:
    """A JSON-stat 2.0 dataset from tidy cells.

    Each cell is a dict with ``Region``, ``Kon``, ``Aldersgrupp``, ``Tid``,
    ``ContentsCode`` (the content *label*) and ``value``. ``codes`` maps content
    labels to the opaque codes written in the file; ``ids`` renames
    dimensions. Cells that are not given are null (dense) or absent (sparse).
    """
    codes = codes or dict(zip(LABELS, CODES))
    ids = ids or {}
    categories = {dim: list(dict.fromkeys(c[dim] for c in cells)) for dim in order}
    sizes = [len(categories[d]) for d in order]
    positions = [
        int(np.ravel_multi_index(tuple(categories[d].index(c[d]) for d in order), sizes)) for c in cells
    ]
    dense: list = [None] * int(np.prod(sizes))
    for pos, cell in zip(positions, cells):
        dense[pos] = cell["value"]

    def dimension(dim: str) -> dict:
        cats = categories[dim]
        if dim == "ContentsCode":
            file_codes = [codes[label] for label in cats]
            labels = dict(zip(file_codes, cats))
        else:
            file_codes = cats
            names = {"Region": REGION_LABELS, "Kon": KON_LABELS}.get(dim, {})
            labels = {c: names.get(c, f"{c} år" if dim == "Aldersgrupp" else c) for c in cats}
        index = file_codes if index_as_list else {c: i for i, c in enumerate(file_codes)}
        return {"label": ids.get(dim, dim).lower(), "category": {"index": index, "label": labels}}

    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Antal helårsekvivalenter efter region, kön, ålder, tabellinnehåll och månad",
        "source": "SCB",
        "id": [ids.get(d, d) for d in order],
        "size": sizes,
        "dimension": {ids.get(d, d): dimension(d) for d in order},
        "role": {"time": [ids.get("Tid", "Tid")], "metric": [ids.get("ContentsCode", "ContentsCode")]},
        "value": {str(p): cell["value"] for p, cell in zip(positions, cells) if cell["value"] is not None}
        if sparse
        else dense,
    }
    if updated:
        doc["updated"] = updated
    return doc


def cell(region, tid, label, value, kon="1+2", alder="20-64") -> dict:
    return {"Region": region, "Kon": kon, "Aldersgrupp": alder, "Tid": tid, "ContentsCode": label, "value": value}


def cube(regions=("2482", "00"), months=("2024M01", "2024M02"), kons=("1+2",), labels=LABELS) -> list[dict]:
    """Every cell present; value = a different hand-checkable number per cell."""
    out = []
    for r_i, region in enumerate(regions):
        for month in months:
            m_i = int(month[-2:]) - 1  # January is 0 whatever months are given
            for k_i, kon in enumerate(kons):
                for l_i, label in enumerate(labels):
                    if label.startswith("Folkmängd"):
                        value = 40000 + 1000 * r_i + 10 * m_i + k_i
                    else:
                        value = 100 * r_i + 10 * l_i + m_i + 0.25 * k_i
                    out.append(cell(region, month, label, value, kon=kon))
    return out


def write_json(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def value_of(table: pd.DataFrame, kommunkod: str, manad: str, ersattning: str, kon: str = "totalt") -> pd.Series:
    """The one row of a cell."""
    row = table[
        (table["kommunkod"] == kommunkod)
        & (table["manad"] == pd.Timestamp(manad))
        & (table["ersattning"] == ersattning)
        & (table["kon"] == kon)
    ]
    assert len(row) == 1, row
    return row.iloc[0]


# --------------------------------------------------------------------------
# JSON-stat 2.0
# --------------------------------------------------------------------------


def test_jsonstat_columns_dtypes_and_values(tmp_path):
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube())))
    assert tuple(table.columns) == schema.HELARSEKVIVALENTER_COLUMNS
    assert table["manad"].dtype == "datetime64[ns]"
    assert table["folkmangd"].dtype == "Int64"
    assert table["imputerad"].dtype == bool and not table["imputerad"].any()
    assert table["helarsekvivalenter"].dtype == "float64"
    assert set(table["kommunkod"]) == {"2482", "00"}
    assert set(table["kon"]) == {"totalt"}
    assert set(table["aldersgrupp"]) == {"20-64"}
    assert set(table["ersattning"]) == set(schema.ERSATTNING)  # Folkmängd and Andel are not rows
    assert len(table) == 2 * 2 * 7
    # 2482 is region 0, February is month 1; Ekonomiskt bistånd is label 4: 0 + 40 + 1.
    row = value_of(table, "2482", "2024-02-01", "ekonomiskt_bistand")
    assert row["helarsekvivalenter"] == 41.0
    assert row["folkmangd"] == 40010
    # Riket (region 1), January, summa (label 6): 100 + 60 + 0.
    row = value_of(table, "00", "2024-01-01", "summa")
    assert row["helarsekvivalenter"] == 160.0
    assert row["folkmangd"] == 41000
    # The sic spelling is sjuk- och aktivitetsersättning (label 1).
    assert value_of(table, "2482", "2024-01-01", "sjuk_och_aktivitetsersattning")["helarsekvivalenter"] == 10.0


def test_same_cube_in_two_dimension_orders_is_identical(tmp_path):
    cells = cube(kons=("1", "2", "1+2"))
    a = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cells)))
    other = ("Tid", "ContentsCode", "Region", "Aldersgrupp", "Kon")
    b = read_jsonstat2(write_json(tmp_path / "b.json", jsonstat(list(reversed(cells)), order=other)))
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 2 * 2 * 3 * 7
    assert value_of(a, "2482", "2024-01-01", "sjukpenning", kon="kvinna")["helarsekvivalenter"] == 0.25
    assert value_of(a, "2482", "2024-01-01", "sjukpenning", kon="man")["folkmangd"] == 40000
    assert value_of(a, "2482", "2024-01-01", "sjukpenning", kon="kvinna")["folkmangd"] == 40001


def test_sparse_value_dict_equals_dense(tmp_path):
    dense = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube())))
    sparse = read_jsonstat2(write_json(tmp_path / "b.json", jsonstat(cube(), sparse=True)))
    pd.testing.assert_frame_equal(dense, sparse)


def test_sparse_value_dict_absent_positions_are_missing(tmp_path):
    cells = [c for c in cube() if not (c["Region"] == "2482" and c["ContentsCode"] == "Sjukpenning")]
    cells.append(cell("2482", "2024M01", "Sjukpenning", None))  # keeps the category, no value
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cells, sparse=True)))
    assert np.isnan(value_of(table, "2482", "2024-01-01", "sjukpenning")["helarsekvivalenter"])
    assert np.isnan(value_of(table, "2482", "2024-02-01", "sjukpenning")["helarsekvivalenter"])
    assert value_of(table, "00", "2024-02-01", "sjukpenning")["helarsekvivalenter"] == 101.0


def test_content_codes_resolved_through_labels_only(tmp_path):
    shuffled = dict(zip(LABELS, reversed(CODES)))
    a = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube())))
    b = read_jsonstat2(write_json(tmp_path / "b.json", jsonstat(cube(), codes=shuffled)))
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("spelling", [SIC, "Sjuk- och aktivitetsersättning", "SJUK- OCH AKTIVITETSERSÄTTNING "])
def test_both_spellings_of_sjuk_och_aktivitetsersattning(tmp_path, spelling):
    labels = ("Sjukpenning", spelling, "Folkmängd")
    codes = {"Sjukpenning": "X1", spelling: "X2", "Folkmängd": "X3"}
    cells = cube(labels=labels)
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cells, codes=codes)))
    assert set(table["ersattning"]) == {"sjukpenning", "sjuk_och_aktivitetsersattning"}
    assert value_of(table, "00", "2024-02-01", "sjuk_och_aktivitetsersattning")["helarsekvivalenter"] == 111.0


def test_labels_with_extra_words_and_unknown_label_noted(tmp_path):
    labels = (
        "Sjukpenning, antal helårsekvivalenter",
        "Helårsekvivalenter med ekonomiskt bistånd",
        "Folkmängd (antal)",
        "Andel av befolkningen, procent",
        "Något helt annat",
    )
    codes = {label: f"C{i}" for i, label in enumerate(labels)}
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube(labels=labels), codes=codes)))
    assert set(table["ersattning"]) == {"sjukpenning", "ekonomiskt_bistand"}
    assert value_of(table, "2482", "2024-01-01", "ekonomiskt_bistand")["helarsekvivalenter"] == 10.0
    assert value_of(table, "2482", "2024-01-01", "ekonomiskt_bistand")["folkmangd"] == 40000
    notes = table.attrs["scb_notes"]
    assert any("Något helt annat" in n for n in notes)


def test_nothing_recognisable_is_an_error(tmp_path):
    labels = ("Medelålder", "Folkmängd")
    path = write_json(tmp_path / "konstig.json", jsonstat(cube(labels=labels), codes={"Medelålder": "A", "Folkmängd": "B"}))
    with pytest.raises(ScbFormatError, match="konstig.json"):
        read_jsonstat2(path)


def test_andel_is_not_kept(tmp_path):
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube())))
    assert not table["ersattning"].str.contains("andel").any()
    assert "andel" not in set(table.columns)


def test_null_and_dots_are_missing_not_zero(tmp_path):
    cells = cube()
    for c in cells:
        if c["Region"] == "2482" and c["Tid"] == "2024M01" and c["ContentsCode"] == "Arbetsmarknadsåtgärder":
            c["value"] = None
        if c["Region"] == "00" and c["Tid"] == "2024M02" and c["ContentsCode"] == "Etableringsersättning":
            c["value"] = ".."
        if c["Region"] == "00" and c["Tid"] == "2024M01" and c["ContentsCode"] == "Folkmängd":
            c["value"] = None
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cells)))
    assert np.isnan(value_of(table, "2482", "2024-01-01", "arbetsmarknadsatgarder")["helarsekvivalenter"])
    assert np.isnan(value_of(table, "00", "2024-02-01", "etableringsersattning")["helarsekvivalenter"])
    assert pd.isna(value_of(table, "00", "2024-01-01", "sjukpenning")["folkmangd"])
    assert table["helarsekvivalenter"].isna().sum() == 2


def test_swedish_lower_case_dimension_ids(tmp_path):
    ids = {"Region": "region", "Kon": "kön", "Aldersgrupp": "ålder", "Tid": "månad", "ContentsCode": "tabellinnehåll"}
    a = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube())))
    b = read_jsonstat2(write_json(tmp_path / "b.json", jsonstat(cube(), ids=ids)))
    pd.testing.assert_frame_equal(a, b)


def test_category_index_as_list(tmp_path):
    a = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube())))
    b = read_jsonstat2(write_json(tmp_path / "b.json", jsonstat(cube(), index_as_list=True)))
    pd.testing.assert_frame_equal(a, b)


def test_updated_is_exposed(tmp_path):
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cube(), updated="2025-03-20T06:00:00Z")))
    assert table.attrs["scb_updated"] == pd.Timestamp("2025-03-20 06:00:00")


def test_value_length_mismatch_is_an_error(tmp_path):
    doc = jsonstat(cube())
    doc["value"] = doc["value"][:-1]
    with pytest.raises(ScbFormatError, match="a.json"):
        read_jsonstat2(write_json(tmp_path / "a.json", doc))


def test_lan_regions_are_dropped_with_a_note(tmp_path):
    cells = cube(regions=("2482", "24"))
    table = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cells)))
    assert set(table["kommunkod"]) == {"2482"}
    assert any("län" in n for n in table.attrs["scb_notes"])


# --------------------------------------------------------------------------
# CSV (hand-written fixtures: Skellefteå and riket, January and February 2024)
# --------------------------------------------------------------------------

EXPECTED_CSV = pd.DataFrame(
    {
        "kommunkod": ["00", "00", "00", "00", "2482", "2482", "2482", "2482"],
        "manad": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"] * 2).astype("datetime64[ns]"),
        "kon": ["totalt"] * 8,
        "aldersgrupp": ["20-64"] * 8,
        "ersattning": ["sjukpenning", "ekonomiskt_bistand"] * 4,
        "helarsekvivalenter": [150000.5, 95000.0, 151000.0, np.nan, 1234.5, 310.25, 1250.0, 305.75],
        "folkmangd": pd.array([5900000, 5900000, 5901000, 5901000, 42000, 42000, 42010, 42010], dtype="Int64"),
        "imputerad": [False] * 8,
    }
).astype({"kommunkod": "str", "kon": "str", "aldersgrupp": "str", "ersattning": "str"})

CSV_LONG_COMMA_TEXTS = (
    '"region","kön","ålder","Sjukpenning 2024M01","Sjukpenning 2024M02","Ekonomiskt bistånd 2024M01",'
    '"Ekonomiskt bistånd 2024M02","Folkmängd 2024M01","Folkmängd 2024M02",'
    '"Andel av befolkningen 2024M01","Andel av befolkningen 2024M02"\n'
    '"2482 Skellefteå","totalt","20-64 år",1234.5,1250.0,310.25,305.75,42000,42010,3.7,3.7\n'
    '"Riket","totalt","20-64 år",150000.5,151000,95000,"..",5900000,5901000,13.1,13.2\n'
)

CSV_LONG_SEMICOLON_CODES = (
    "Antal helårsekvivalenter efter region, kön, ålder, tabellinnehåll och månad\n"
    "\n"
    "Region;Kon;Aldersgrupp;Tid;Sjukpenning;Ekonomiskt bistånd;Folkmängd;Andel av befolkningen\n"
    "2482;1+2;20-64;2024M01;1 234,5;310,25;42 000;3,7\n"
    "2482;1+2;20-64;2024M02;1 250,0;305,75;42 010;3,7\n"
    "00;1+2;20-64;2024M01;150 000,5;95 000;5 900 000;13,1\n"
    "00;1+2;20-64;2024M02;151 000;..;5 901 000;13,2\n"
    "\n"
    '"Fotnot: .. betyder att uppgift saknas."\n'
)

CSV_WIDE_TAB_TEXTS = (
    "region\tkön\tålder\ttabellinnehåll\t2024M01\t2024M02\n"
    "2482 Skellefteå\tmän och kvinnor\t20-64 år\tSjukpenning\t1234,5\t1250\n"
    "2482 Skellefteå\tmän och kvinnor\t20-64 år\tEkonomiskt bistånd\t310,25\t305,75\n"
    "2482 Skellefteå\tmän och kvinnor\t20-64 år\tFolkmängd\t42000\t42010\n"
    "2482 Skellefteå\tmän och kvinnor\t20-64 år\tAndel av befolkningen\t3,7\t3,7\n"
    "Riket\tmän och kvinnor\t20-64 år\tSjukpenning\t150000,5\t151000\n"
    "Riket\tmän och kvinnor\t20-64 år\tEkonomiskt bistånd\t95000\t..\n"
    "Riket\tmän och kvinnor\t20-64 år\tFolkmängd\t5900000\t5901000\n"
    "Riket\tmän och kvinnor\t20-64 år\tAndel av befolkningen\t13,1\t13,2\n"
)

CSV_WIDE_SEMICOLON_CODES = (
    "Region;Kon;Aldersgrupp;ContentsCode;2024M01;2024M02\n"
    '2482;1+2;20-64;Sjukpenning;"1 234,5";1250\n'
    "2482;1+2;20-64;Ekonomiskt bistånd;310,25;305,75\n"
    "2482;1+2;20-64;Folkmängd;42000;42010\n"
    "00;1+2;20-64;Sjukpenning;150000,5;151000\n"
    "00;1+2;20-64;Ekonomiskt bistånd;95000;-\n"
    "00;1+2;20-64;Folkmängd;5900000;5901000\n"
)

CSV_FULLY_LONG_COMMA = (
    "region,kön,ålder,tabellinnehåll,månad,värde\n"
    "2482 Skellefteå,totalt,20-64 år,Sjukpenning,2024M01,1234.5\n"
    "2482 Skellefteå,totalt,20-64 år,Sjukpenning,2024M02,1250\n"
    "2482 Skellefteå,totalt,20-64 år,Ekonomiskt bistånd,2024M01,310.25\n"
    "2482 Skellefteå,totalt,20-64 år,Ekonomiskt bistånd,2024M02,305.75\n"
    "2482 Skellefteå,totalt,20-64 år,Folkmängd,2024M01,42000\n"
    "2482 Skellefteå,totalt,20-64 år,Folkmängd,2024M02,42010\n"
    "Riket,totalt,20-64 år,Sjukpenning,2024M01,150000.5\n"
    "Riket,totalt,20-64 år,Sjukpenning,2024M02,151000\n"
    "Riket,totalt,20-64 år,Ekonomiskt bistånd,2024M01,95000\n"
    "Riket,totalt,20-64 år,Ekonomiskt bistånd,2024M02,..\n"
    "Riket,totalt,20-64 år,Folkmängd,2024M01,5900000\n"
    "Riket,totalt,20-64 år,Folkmängd,2024M02,5901000\n"
)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        pytest.param(CSV_LONG_COMMA_TEXTS, "utf-8", id="long-comma-texts-utf8"),
        pytest.param(CSV_LONG_COMMA_TEXTS, "utf-8-sig", id="long-comma-texts-bom"),
        pytest.param(CSV_LONG_SEMICOLON_CODES, "utf-8-sig", id="long-semicolon-codes-title-footnote"),
        pytest.param(CSV_LONG_SEMICOLON_CODES, "cp1252", id="long-semicolon-codes-cp1252"),
        pytest.param(CSV_WIDE_TAB_TEXTS, "cp1252", id="wide-tab-texts-cp1252"),
        pytest.param(CSV_WIDE_TAB_TEXTS, "utf-8", id="wide-tab-texts-utf8"),
        pytest.param(CSV_WIDE_SEMICOLON_CODES, "utf-8", id="wide-semicolon-codes"),
        pytest.param(CSV_FULLY_LONG_COMMA, "cp1252", id="fully-long-comma"),
    ],
)
def test_csv_variants(tmp_path, text, encoding):
    path = tmp_path / "he.csv"
    path.write_bytes(text.encode(encoding))
    table = read_pxweb_csv(path)
    pd.testing.assert_frame_equal(table, EXPECTED_CSV)


def test_csv_kon_codes_and_texts(tmp_path):
    text = (
        "Region;Kön;Ålder;Tid;Sjukpenning;Folkmängd\n"
        "2482;1;20-65;2024M01;10;100\n"
        "2482;2;20-65;2024M01;20;200\n"
        "2482;1+2;20-65;2024M01;30;300\n"
        "2480;män;20-65 år;2024M01;1;1000\n"
        "2480;kvinnor;20-65 år;2024M01;2;2000\n"
        "2480;Totalt;20-65 år;2024M01;3;3000\n"
    )
    (tmp_path / "k.csv").write_text(text, encoding="utf-8")
    table = read_pxweb_csv(tmp_path / "k.csv")
    got = table.set_index(["kommunkod", "kon"])["folkmangd"].to_dict()
    assert got == {
        ("2480", "kvinna"): 2000, ("2480", "man"): 1000, ("2480", "totalt"): 3000,
        ("2482", "kvinna"): 200, ("2482", "man"): 100, ("2482", "totalt"): 300,
    }  # fmt: skip
    assert set(table["aldersgrupp"]) == {"20-65"}


def test_csv_same_as_jsonstat(tmp_path):
    cells = [
        cell("2482", m, label, v)
        for m, values in (("2024M01", (1234.5, 310.25, 42000)), ("2024M02", (1250.0, 305.75, 42010)))
        for label, v in zip(("Sjukpenning", "Ekonomiskt bistånd", "Folkmängd"), values)
    ]
    from_json = read_jsonstat2(write_json(tmp_path / "a.json", jsonstat(cells)))
    (tmp_path / "a.csv").write_text(CSV_WIDE_SEMICOLON_CODES, encoding="utf-8")
    from_csv = read_pxweb_csv(tmp_path / "a.csv")
    pd.testing.assert_frame_equal(from_json, from_csv[from_csv["kommunkod"] == "2482"].reset_index(drop=True))


def test_csv_text_in_value_column_is_an_error(tmp_path):
    path = tmp_path / "trasig.csv"
    path.write_text("Region;Kon;Aldersgrupp;Tid;Sjukpenning\n2482;1+2;20-64;2024M01;tolv\n", encoding="utf-8")
    with pytest.raises(ScbFormatError, match="trasig.csv.*tolv"):
        read_pxweb_csv(path)


def test_csv_unknown_kon_is_an_error(tmp_path):
    path = tmp_path / "kon.csv"
    path.write_text("Region;Kon;Aldersgrupp;Tid;Sjukpenning\n2482;båda;20-64;2024M01;12\n", encoding="utf-8")
    with pytest.raises(ScbFormatError, match="kon.csv.*båda"):
        read_pxweb_csv(path)


# --------------------------------------------------------------------------
# The zero trap
# --------------------------------------------------------------------------


def he_table(rows: list[tuple]) -> pd.DataFrame:
    """Normalised table from (kommunkod, manad, kon, {ersattning: value}, folkmangd)."""
    records = [
        {
            "kommunkod": kommun,
            "manad": pd.Timestamp(manad),
            "kon": kon,
            "aldersgrupp": "20-64",
            "ersattning": ers,
            "helarsekvivalenter": value,
            "folkmangd": folk,
            "imputerad": False,
        }
        for kommun, manad, kon, values, folk in rows
        for ers, value in values.items()
    ]
    table = pd.DataFrame(records)
    table["manad"] = table["manad"].astype("datetime64[ns]")
    table["folkmangd"] = table["folkmangd"].astype("Int64")
    return table


def month(sp, sa, al, am, eb, et, summa=None):
    values = dict(zip(SIX, (sp, sa, al, am, eb, et)))
    values["summa"] = summa if summa is not None else sp + sa + al + am + eb + et
    return values


def test_zero_trap_replaced_by_latest_earlier_month():
    table = he_table(
        [
            ("2482", "2024-01-01", "totalt", month(10, 20, 3, 4, 11.0, 0.5), 5000),
            ("2482", "2024-02-01", "totalt", month(10, 20, 3, 4, 12.5, 0.5), 5000),
            ("2482", "2024-03-01", "totalt", month(10, 20, 3, 4, 0.0, 0.5), 5000),  # summa 37.5 as SCB shows
        ]
    )
    out, report = impute_bortfall(table)
    march = out[out["manad"] == pd.Timestamp("2024-03-01")].set_index("ersattning")
    assert march.loc["ekonomiskt_bistand", "helarsekvivalenter"] == 12.5
    # summa by hand: 10 + 20 + 3 + 4 + 12.5 + 0.5 = 50.0
    assert march.loc["summa", "helarsekvivalenter"] == 50.0
    assert march["imputerad"].to_dict() == {e: e in ("ekonomiskt_bistand", "summa") for e in schema.ERSATTNING}
    assert not out.loc[out["manad"] < pd.Timestamp("2024-03-01"), "imputerad"].any()
    assert tuple(report.columns) == IMPUTED_COLUMNS
    assert len(report) == 1
    rec = report.iloc[0]
    assert (rec["kommunkod"], rec["manad"], rec["kon"], rec["aldersgrupp"]) == (
        "2482", pd.Timestamp("2024-03-01"), "totalt", "20-64",
    )  # fmt: skip
    assert rec["ursprungligt_varde"] == 0.0
    assert rec["imputerat_varde"] == 12.5
    assert rec["fran_manad"] == pd.Timestamp("2024-02-01")
    # The input is not changed.
    assert table.loc[table["manad"] == pd.Timestamp("2024-03-01"), "helarsekvivalenter"].sum() == 37.5 * 2


def test_zero_trap_skips_earlier_bortfall_and_missing():
    table = he_table(
        [
            ("0180", "2024-01-01", "kvinna", {"ekonomiskt_bistand": 7.0}, 3000),
            ("0180", "2024-02-01", "kvinna", {"ekonomiskt_bistand": 0.0}, 3000),
            ("0180", "2024-03-01", "kvinna", {"ekonomiskt_bistand": np.nan}, 3000),
            ("0180", "2024-04-01", "kvinna", {"ekonomiskt_bistand": 0.0}, 3000),
            # Another kön of the same kommun is its own series.
            ("0180", "2024-03-01", "man", {"ekonomiskt_bistand": 2.0}, 3000),
            ("0180", "2024-04-01", "man", {"ekonomiskt_bistand": 3.0}, 3000),
        ]
    )
    out, report = impute_bortfall(table)
    kvinna = out[out["kon"] == "kvinna"].set_index("manad")["helarsekvivalenter"]
    assert kvinna.tolist()[0:2] == [7.0, 7.0]
    assert np.isnan(kvinna.iloc[2])  # missing stays missing
    assert kvinna.iloc[3] == 7.0  # not the imputed February, the real January
    assert report["fran_manad"].tolist() == [pd.Timestamp("2024-01-01")] * 2
    assert out.loc[out["kon"] == "man", "helarsekvivalenter"].tolist() == [2.0, 3.0]


def test_zero_in_small_kommun_is_kept():
    table = he_table([("2480", "2024-01-01", "totalt", month(1, 2, 0, 0, 3.0, 0), 800),
                      ("2480", "2024-02-01", "totalt", month(1, 2, 0, 0, 0.0, 0), 800)])  # fmt: skip
    out, report = impute_bortfall(table)
    assert report.empty
    assert value_of(out, "2480", "2024-02-01", "ekonomiskt_bistand")["helarsekvivalenter"] == 0.0
    assert value_of(out, "2480", "2024-02-01", "summa")["helarsekvivalenter"] == 3.0
    assert not out["imputerad"].any()


def test_zero_in_first_month_becomes_missing_and_flagged():
    table = he_table([("0180", "2024-01-01", "totalt", month(10, 20, 3, 4, 0.0, 0.5), 5000),
                      ("0180", "2024-02-01", "totalt", month(10, 20, 3, 4, 9.0, 0.5), 5000)])  # fmt: skip
    out, report = impute_bortfall(table)
    jan = out[out["manad"] == pd.Timestamp("2024-01-01")].set_index("ersattning")
    assert np.isnan(jan.loc["ekonomiskt_bistand", "helarsekvivalenter"])
    assert np.isnan(jan.loc["summa", "helarsekvivalenter"])
    assert jan.loc[["ekonomiskt_bistand", "summa"], "imputerad"].all()
    assert len(report) == 1 and np.isnan(report.loc[0, "imputerat_varde"]) and pd.isna(report.loc[0, "fran_manad"])
    assert value_of(out, "0180", "2024-02-01", "ekonomiskt_bistand")["helarsekvivalenter"] == 9.0


def test_riket_is_never_imputed():
    table = he_table([("00", "2024-01-01", "totalt", month(10, 20, 3, 4, 5.0, 0.5), 5_900_000),
                      ("00", "2024-02-01", "totalt", month(10, 20, 3, 4, 0.0, 0.5), 5_900_000)])  # fmt: skip
    out, report = impute_bortfall(table)
    assert report.empty and not out["imputerad"].any()
    assert value_of(out, "00", "2024-02-01", "ekonomiskt_bistand")["helarsekvivalenter"] == 0.0


def test_summa_without_all_six_adds_the_imputed_value():
    table = he_table(
        [
            ("2482", "2024-01-01", "totalt", {"ekonomiskt_bistand": 4.0, "summa": 40.0}, 5000),
            ("2482", "2024-02-01", "totalt", {"ekonomiskt_bistand": 0.0, "summa": 36.0}, 5000),
        ]
    )
    out, _ = impute_bortfall(table)
    assert value_of(out, "2482", "2024-02-01", "summa")["helarsekvivalenter"] == 40.0


def test_imputation_through_read_directory(tmp_path):
    cells = []
    for tid, eb in (("2024M01", 11.0), ("2024M02", 12.5), ("2024M03", 0.0)):
        values = dict(zip(LABELS, (10, 20, 3, 4, eb, 0.5, 37.5 + eb, 5000, 1.0)))
        cells += [cell("2482", tid, label, v) for label, v in values.items()]
    write_json(tmp_path / "he.json", jsonstat(cells))
    data = read_directory(tmp_path)
    assert isinstance(data, ScbData)
    assert data.files == ["he.json"]
    assert value_of(data.table, "2482", "2024-03-01", "ekonomiskt_bistand")["helarsekvivalenter"] == 12.5
    assert value_of(data.table, "2482", "2024-03-01", "summa")["helarsekvivalenter"] == 50.0
    assert len(data.imputed) == 1
    assert any("bortfall" in n for n in data.notes)


# --------------------------------------------------------------------------
# A folder of downloads
# --------------------------------------------------------------------------


def test_overlap_with_identical_values_counted_once(tmp_path):
    write_json(tmp_path / "a.json", jsonstat(cube(months=("2024M01", "2024M02"))))
    write_json(tmp_path / "b.json", jsonstat(cube(months=("2024M02", "2024M03"))))
    data = read_directory(tmp_path)
    assert data.files == ["a.json", "b.json"]
    assert not data.table.duplicated(["kommunkod", "manad", "kon", "aldersgrupp", "ersattning"]).any()
    assert len(data.table) == 2 * 3 * 7
    assert tuple(data.overlaps.columns) == OVERLAP_COLUMNS
    assert len(data.overlaps) == 2 * 7  # February for both regions
    assert set(data.overlaps["manad"]) == {pd.Timestamp("2024-02-01")}
    assert not data.overlaps["olika_varden"].any()
    assert set(data.overlaps["filer"]) == {"a.json; b.json"}
    assert any("14 uppgifter fanns i flera filer" in n for n in data.notes)


def test_overlap_with_different_values_later_updated_wins(tmp_path):
    old = cube()
    new = cube()
    for c in new:
        if c["Tid"] == "2024M02" and c["Region"] == "2482" and c["ContentsCode"] == "Sjukpenning":
            c["value"] = 99.0
    # The newer data sits in the file that comes first by name.
    write_json(tmp_path / "a_ny.json", jsonstat(new, updated="2025-03-01T08:00:00Z"))
    write_json(tmp_path / "b_gammal.json", jsonstat(old, updated="2024-06-01T08:00:00Z"))
    data = read_directory(tmp_path)
    assert value_of(data.table, "2482", "2024-02-01", "sjukpenning")["helarsekvivalenter"] == 99.0
    differed = data.overlaps[data.overlaps["olika_varden"]]
    assert len(differed) == 1
    row = differed.iloc[0]
    assert (row["kommunkod"], row["manad"], row["ersattning"]) == ("2482", pd.Timestamp("2024-02-01"), "sjukpenning")
    assert row["behallen_fil"] == "a_ny.json"
    assert row["antal_filer"] == 2
    assert len(data.overlaps) == 2 * 2 * 7


def test_overlap_without_updated_later_name_wins(tmp_path):
    new = cube()
    for c in new:
        if c["Tid"] == "2024M01" and c["Region"] == "00" and c["ContentsCode"] == "Folkmängd":
            c["value"] = 12345
    write_json(tmp_path / "2024_a.json", jsonstat(cube()))
    write_json(tmp_path / "2024_b.json", jsonstat(new))
    data = read_directory(tmp_path)
    assert value_of(data.table, "00", "2024-01-01", "summa")["folkmangd"] == 12345
    differed = data.overlaps[data.overlaps["olika_varden"]]
    assert len(differed) == 7  # folkmängd belongs to every ersättning row
    assert set(differed["behallen_fil"]) == {"2024_b.json"}


def test_directory_mixes_json_and_csv(tmp_path):
    (tmp_path / "skelleftea.csv").write_text(CSV_LONG_COMMA_TEXTS, encoding="utf-8")
    write_json(tmp_path / "umea.json", jsonstat(cube(regions=("2480",))))
    (tmp_path / "notes.txt").write_text("inte en SCB-fil", encoding="utf-8")
    data = read_directory(tmp_path)
    assert data.files == ["skelleftea.csv", "umea.json"]
    assert set(data.table["kommunkod"]) == {"00", "2482", "2480"}
    assert data.overlaps.empty


def test_unreadable_file_names_the_file(tmp_path):
    write_json(tmp_path / "a.json", jsonstat(cube()))
    (tmp_path / "trasig.json").write_text('{"version": "2.0", "class": "dataset", ', encoding="utf-8")
    with pytest.raises(ScbFormatError, match="trasig.json") as info:
        read_directory(tmp_path)
    assert isinstance(info.value, FinsamError) and info.value.exit_code == 2


def test_not_jsonstat_names_the_file(tmp_path):
    write_json(tmp_path / "lista.json", [1, 2, 3])
    with pytest.raises(ScbFormatError, match="lista.json"):
        read_directory(tmp_path)


def test_binary_csv_names_the_file(tmp_path):
    (tmp_path / "bild.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(ScbFormatError, match="bild.csv"):
        read_directory(tmp_path)


def test_empty_directory_is_an_error(tmp_path):
    folder = tmp_path / "helarsekvivalenter"
    folder.mkdir()
    with pytest.raises(ScbFormatError, match="helarsekvivalenter"):
        read_directory(folder)


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(ScbFormatError, match="finns inte"):
        read_directory(tmp_path / "saknas")


def test_many_files_overlapping(tmp_path):
    # More files than fit in one int64 bit mask: the other path names them too.
    labels = ("Ekonomiskt bistånd", "Folkmängd")
    for i in range(64):
        cells = cube(regions=("2482",), months=("2024M01",), labels=labels)
        if i == 63:
            cells[0]["value"] = 1.5
        write_json(tmp_path / f"f{i:02d}.json", jsonstat(cells))
    data = read_directory(tmp_path)
    assert len(data.files) == 64
    assert len(data.table) == 1
    assert data.table.loc[0, "helarsekvivalenter"] == 1.5
    row = data.overlaps.iloc[0]
    assert row["antal_filer"] == 64 and row["olika_varden"] and row["behallen_fil"] == "f63.json"
    assert row["filer"] == "; ".join(f"f{i:02d}.json" for i in range(64))


def test_hidden_files_are_skipped_and_other_files_named(tmp_path):
    write_json(tmp_path / "a.json", jsonstat(cube()))
    (tmp_path / "._a.json").write_bytes(b"\x00\x05\x16\x07")  # macOS metadata
    (tmp_path / "läsmig.txt").write_text("hej", encoding="utf-8")
    data = read_directory(tmp_path)
    assert data.files == ["a.json"]
    assert any("läsmig.txt" in n and "._a.json" not in n for n in data.notes)


def test_csv_without_kon_and_with_names_only(tmp_path):
    text = "region;ålder;Tid;Sjukpenning;Folkmängd\nSkellefteå;20-64 år;2024M01;5;1000\nHela riket;20-64 år;2024M01;7;2000\n"
    (tmp_path / "n.csv").write_text(text, encoding="utf-8")
    table = read_pxweb_csv(tmp_path / "n.csv")
    assert table[["kommunkod", "kon", "folkmangd"]].values.tolist() == [["00", "totalt", 2000], ["2482", "totalt", 1000]]
    assert any("saknar kön" in n for n in table.attrs["scb_notes"])
