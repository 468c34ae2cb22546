"""load_dataset / read_participants: typing, mapping, rejects, accounting, privacy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from finsam_analysis import load_dataset, read_participants
from finsam_analysis.errors import MappingError, SchemaError
from finsam_analysis.ingest.mapping import load_mapping

from ..helpers import DELTAGANDE_HEADER, assert_no_pnr, canonical_rows, make_pnr, write_dataset

# --------------------------------------------------------------------------
# The clean tiny dataset
# --------------------------------------------------------------------------


def test_clean_dataset_loads_every_row_typed(tiny):
    ds = load_dataset(tiny)
    d = ds.deltagande
    assert len(d) == 5
    assert ds.quality.rejected_rows == 0
    assert list(ds.forbund["forbund_id"]) == ["alfa", "beta"]
    # Dates are dates, codes are categoricals with the vocabulary as categories.
    assert str(d["startdatum"].dtype).startswith("datetime64")
    assert d.loc[0, "startdatum"] == pd.Timestamp("2024-02-01")
    assert list(d["kon"].cat.categories) == ["kvinna", "man"]
    # Empty kön is missing (counted as uppgift saknas), not rejected.
    assert pd.isna(d.loc[4, "kon"])
    # Several försörjning sources keep their order; the first is primary.
    assert d.loc[0, "forsorjning_fore"] == "forsorjningsstod;sjukpenning"
    # Kommunkod keeps its leading zero.
    assert d.loc[3, "folkbokforingskommun"] == "0180"
    # Decimal comma in insatser.csv: "0,4" -> 0.4
    a1 = ds.insatser.set_index("insats_id").loc["a1"]
    assert a1["mal_andel_arbete_studier"] == pytest.approx(0.4)
    assert a1["mal_deltagare_per_ar"] == 40
    assert ds.deltagande["kalla_rad"].tolist() == [2, 3, 4, 5, 6]
    assert "personnummer" not in d.columns
    assert set(ds.inputs) == {"deltagande.csv", "forbund.csv", "forbund_medlemmar.csv", "insatser.csv"}
    assert all(len(h) == 64 for h in ds.inputs.values())


def test_generated_deltagande_id_is_stable_and_unique(tiny, tmp_path):
    a = load_dataset(tiny).deltagande["deltagande_id"]
    b = load_dataset(tiny).deltagande["deltagande_id"]
    assert a.is_unique and a.tolist() == b.tolist()
    assert a.str.len().eq(17).all()


# --------------------------------------------------------------------------
# Rejected rows: every reason, with the spreadsheet row number
# --------------------------------------------------------------------------

BAD_ROWS = [
    # row 2: clean
    "p1,alfa,a1,kvinna,1990,2482,gymnasial,2024-01-10,2024-05-01,planenligt,arbetssokande,studier,,,,",
    # row 3: slutdatum before startdatum AND unknown kön -> two reasons
    "p2,alfa,a1,x,1990,2482,gymnasial,2024-06-10,2024-05-01,planenligt,,,,,,",
    # row 4: insats not in insatser.csv
    "p3,alfa,zz,man,1990,2482,,2024-01-10,,,,,,,,",
    # row 5: startdatum missing
    "p4,alfa,a1,man,1990,2482,,,,,,,,,,",
    # row 6: impossible födelseår
    "p5,alfa,a1,man,1850,2482,,2024-01-10,,,,,,,,",
    # row 7: slutdatum without avslutsanledning
    "p6,alfa,a1,x,1990,2482,,2024-01-10,2024-02-10,,,,,,,",
    # row 8: insats of another förbund
    "p7,alfa,b1,kvinna,1990,2482,,2024-01-10,,,,,,,,",
    # row 9: invalid date and omfattning above 100
    "p8,alfa,a1,kvinna,1990,2482,,2024-13-01,,,,,,,120,",
    # row 10: exact duplicate of row 2 (same person, insats, startdatum)
    "p1,alfa,a1,kvinna,1990,2482,gymnasial,2024-01-10,2024-05-01,planenligt,arbetssokande,studier,,,,",
    # row 11: unknown kön again, unknown försörjning item
    "p9,alfa,a1,x,1990,2482,,2024-01-10,,,,,sjukpenning;bidrag,,,",
]


@pytest.fixture
def bad(tmp_path) -> Path:
    return write_dataset(tmp_path / "bad", rows=BAD_ROWS)


def test_rejects_list_every_row_and_reason(bad):
    ds = load_dataset(bad)
    q = ds.quality
    rej = q.rejects
    by_row = rej.groupby("rad")["kolumn"].apply(sorted).to_dict()
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert by_row[3] == ["kon", "slutdatum"]
    assert by_row[4] == ["insats_id"]
    assert by_row[5] == ["startdatum"]
    assert by_row[6] == ["fodelsear"]
    assert by_row[7] == ["avslutsanledning", "kon"]
    assert by_row[8] == ["insats_id"]
    assert by_row[9] == ["omfattning_fore", "startdatum"]
    assert by_row[11] == ["forsorjning_fore", "kon"]
    reasons = dict(zip(zip(rej["rad"], rej["kolumn"]), rej["skal"]))
    assert reasons[(3, "slutdatum")] == "slutdatum ligger före startdatum"
    assert reasons[(4, "insats_id")] == "'zz' finns inte i insatser.csv"
    assert reasons[(8, "insats_id")] == "insatsen tillhör förbundet 'beta', inte 'alfa'"
    assert reasons[(11, "forsorjning_fore")] == "okänd kod 'bidrag'"
    assert set(rej["fil"]) == {"deltagande.csv"}


def test_accounting_adds_up(bad):
    ds = load_dataset(bad)
    fq = next(f for f in ds.quality.files if f.fil == "deltagande.csv")
    assert fq.rader_lasta == 10
    assert fq.rader_avvisade == 8
    assert fq.dubbletter == 1
    assert fq.rader_inlasta == 1 == len(ds.deltagande)
    assert fq.rader_inlasta + fq.rader_avvisade + fq.dubbletter == fq.rader_lasta
    dup = ds.quality.duplicates
    assert dup[["rad", "forsta_rad"]].values.tolist() == [[10, "deltagande.csv rad 2"]]


def test_unknown_labels_are_counted_per_column(bad):
    labels = load_dataset(bad).quality.unknown_labels
    table = {(r.kolumn, r.etikett): r.antal for r in labels.itertuples()}
    assert table == {("kon", "x"): 3, ("forsorjning_fore", "bidrag"): 1}


def test_bad_rows_in_small_tables_are_rejected_too(tmp_path):
    insatser = (
        "insats_id,forbund_id,namn,typ,startdatum\n"
        "a1,alfa,Steget,individinriktad,2019-01-01\n"
        "a1,alfa,Dubblett,individinriktad,2019-01-01\n"
        "q1,gamma,Okänt förbund,individinriktad,2019-01-01\n"
        "q2,alfa,Fel typ,projekt,2019-01-01\n"
        "b1,beta,Vägen,individinriktad,2020-01-01\n"
    )
    medlemmar = "forbund_id,kommunkod,giltig_from,giltig_tom\nalfa,2482,2005-12-01,\nalfa,9999,2005-12-01,\nbeta,0180,2004-01-01,\n"
    ds = load_dataset(write_dataset(tmp_path / "d", insatser__csv=insatser, forbund_medlemmar__csv=medlemmar))
    rej = ds.quality.rejects
    ins = rej[rej["fil"] == "insatser.csv"]
    assert sorted(ins["rad"]) == [3, 4, 5]
    assert "samma insats_id som rad 2" in ins.loc[ins["rad"] == 3, "skal"].iloc[0]
    med = rej[rej["fil"] == "forbund_medlemmar.csv"]
    assert med["rad"].tolist() == [3] and "9999" in med["skal"].iloc[0]
    assert sorted(ds.insatser["insats_id"]) == ["a1", "b1"]


def test_missing_required_column_is_one_clear_error(tmp_path):
    header = DELTAGANDE_HEADER.replace("startdatum,", "")
    rows = [",".join(r.split(",")[:7] + r.split(",")[8:]) for r in canonical_rows()]
    root = write_dataset(tmp_path / "d", deltagande__csv=header + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(SchemaError, match=r"deltagande.csv saknar den obligatoriska kolumnen 'startdatum'"):
        load_dataset(root)


def test_missing_file_is_named(tmp_path):
    root = write_dataset(tmp_path / "d")
    (root / "insatser.csv").unlink()
    with pytest.raises(Exception, match="saknar filen insatser.csv"):
        load_dataset(root)


# --------------------------------------------------------------------------
# A förbund's own Excel file through mapping.yaml
# --------------------------------------------------------------------------

MAPPING_YAML = """
columns:
  personnummer: "Personnummer"
  kon: "Kön"
  insats_id: "Insats"
  startdatum: "Inskrivningsdatum"
  slutdatum: "Utskrivningsdatum"
  avslutsanledning: "Avslut"
  folkbokforingskommun: "Kommun"
  forsorjning_fore: "Försörjning före"
  sysselsattning_efter: "Efter"
values:
  kon: {"K": kvinna, "M": man}
  insats_id: {"Steget vidare": a1}
  avslutsanledning: {"Klar": planenligt, "Avbröt": avbrott}
  forsorjning_fore: {"FB": forsorjningsstod, "SP": sjukpenning, "A-kassa": arbetsloshetsersattning}
  sysselsattning_efter: {"Arbete": forvarvsarbete, "Studerar": studier, "N": okand}
defaults:
  forbund_id: alfa
list_separator: ","
"""

HEADERS = ["Personnummer", "Kön", "Insats", "Inskrivningsdatum", "Utskrivningsdatum", "Avslut",
           "Kommun", "Försörjning före", "Efter", "Anteckning"]


def excel_rows():
    """Rows of the förbund file with generated personnummer (built at run time)."""
    anna = make_pnr(1996, 4, 12, 982)  # kvinna: even serial
    bo = make_pnr(1971, 11, 3, 991)  # man: odd serial
    cia = make_pnr(2002, 1, 30, 984)
    rows = [
        [anna, "K", "Steget vidare", dt.datetime(2024, 2, 1), dt.datetime(2024, 8, 30), "Klar", 2482, "FB, SP", "Arbete", "ok"],
        [bo, "m", "steget VIDARE", "2024-03-05", None, None, 2417, "a-kassa", None, None],
        # Same person as the first row, second participation, date as YYYYMMDD text.
        [anna.replace("-", ""), "k", "Steget vidare", "20240915", None, None, "2482", " sp ", None, None],
        [cia[2:], "K", "Steget vidare", dt.datetime(2024, 1, 8), dt.datetime(2024, 6, 1), "avbröt", 2482, None, "n", None],
    ]
    return rows, [anna, bo, cia]


def write_excel(path: Path, rows, headers=HEADERS, title_rows=0):
    wb = Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"Deltagarförteckning {i}"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)


@pytest.fixture
def excel_dataset(tmp_path):
    root = write_dataset(tmp_path / "x", rows=[])
    (root / "deltagande.csv").unlink()
    rows, people = excel_rows()
    write_excel(root / "deltagande.xlsx", rows)
    (root / "mapping.yaml").write_text(MAPPING_YAML, encoding="utf-8")
    return root, people


def test_excel_with_own_headers_loads_through_mapping(excel_dataset):
    root, people = excel_dataset
    ds = load_dataset(root)
    d = ds.deltagande.sort_values("kalla_rad").reset_index(drop=True)
    assert ds.quality.rejected_rows == 0, ds.quality.rejects
    assert len(d) == 4
    assert d["forbund_id"].tolist() == ["alfa"] * 4
    assert d["insats_id"].tolist() == ["a1"] * 4
    assert d["kon"].tolist() == ["kvinna", "man", "kvinna", "kvinna"]
    assert d["startdatum"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-01", "2024-03-05", "2024-09-15", "2024-01-08"]
    # Födelseår derived from the personnummer (no such column in the file).
    assert d["fodelsear"].tolist() == [1996, 1971, 1996, 2002]
    assert d["folkbokforingskommun"].tolist() == ["2482", "2417", "2482", "2482"]
    assert d["forsorjning_fore"].tolist()[:3] == ["forsorjningsstod;sjukpenning", "arbetsloshetsersattning", "sjukpenning"]
    assert d["avslutsanledning"].tolist()[0] == "planenligt" and d["avslutsanledning"].tolist()[3] == "avbrott"
    assert d["sysselsattning_efter"].tolist()[3] == "okand"
    # The same person, written two ways, links to one pseudonym.
    assert d.loc[0, "deltagare_id"] == d.loc[2, "deltagare_id"] != d.loc[1, "deltagare_id"]
    assert d["deltagare_id"].str.match(r"^p[0-9a-f]{20}$").all()
    assert "personnummer" not in d.columns
    fq = ds.quality.files[-1]
    assert fq.fil == "deltagande.xlsx" and fq.ignorerade_kolumner == ["Anteckning"]
    assert_no_pnr(d.to_csv(), people)


def test_same_key_links_across_files_other_key_does_not(tmp_path):
    rows, _ = excel_rows()
    write_excel(tmp_path / "a.xlsx", rows[:1])
    write_excel(tmp_path / "b.xlsx", rows[2:3])
    mapping = load_mapping_text(tmp_path, MAPPING_YAML)
    key1, key2 = b"k" * 32, b"q" * 32
    a, _ = read_participants(tmp_path / "a.xlsx", mapping, key=key1)
    b, _ = read_participants(tmp_path / "b.xlsx", mapping, key=key1)
    c, _ = read_participants(tmp_path / "b.xlsx", mapping, key=key2)
    assert a["deltagare_id"][0] == b["deltagare_id"][0] != c["deltagare_id"][0]


def load_mapping_text(tmp_path, text):
    p = tmp_path / "mapping.yaml"
    p.write_text(text, encoding="utf-8")
    return load_mapping(p)


def test_excel_row_numbers_follow_the_sheet(tmp_path):
    rows, people = excel_rows()
    rows[1][1] = "Q"  # unknown kön on the second data row
    rows[3][0] = make_pnr(2002, 1, 30, 984, bad_check=True)
    write_excel(tmp_path / "f.xlsx", rows, title_rows=2)  # header on sheet row 3
    mapping = load_mapping_text(tmp_path, MAPPING_YAML)
    d, q = read_participants(tmp_path / "f.xlsx", mapping)
    rej = q.rejects
    assert rej[["rad", "kolumn"]].values.tolist() == [[5, "Kön"], [7, "Personnummer"]]
    assert rej["skal"].tolist() == ["okänd kod 'Q'", "ogiltigt personnummer (felaktig kontrollsiffra)"]
    assert q.unknown_labels[["kolumn", "etikett", "antal"]].values.tolist() == [["Kön", "Q", 1]]
    assert len(d) == 2
    assert_no_pnr(rej.to_csv() + d.to_csv(), people + [rows[3][0]])


def test_personnummer_in_deltagare_id_is_pseudonymised(tmp_path):
    pnr = make_pnr(1980, 5, 17, 993)
    rows = [r.replace("d02,", pnr + ",", 1) for r in canonical_rows()]
    ds = load_dataset(write_dataset(tmp_path / "d", rows=rows))
    assert ds.quality.pseudonymised_ids == 1
    assert ds.deltagande.loc[1, "deltagare_id"].startswith("p")
    assert_no_pnr(ds.deltagande.to_csv(), [pnr])


def test_numeric_lopnummer_is_not_taken_for_a_personnummer(tmp_path):
    # 7-9 digit ids may parse as a personnummer that lost its zeros; they are kept.
    rows = [r.replace("d02,", "1234567,", 1).replace("d03,", "100101234,", 1) for r in canonical_rows()]
    ds = load_dataset(write_dataset(tmp_path / "d", rows=rows))
    assert ds.quality.pseudonymised_ids == 0
    assert ds.deltagande["deltagare_id"].tolist()[1:3] == ["1234567", "100101234"]


def test_a_new_key_is_announced(tmp_path, monkeypatch):
    monkeypatch.setenv("FINSAM_KEY_FILE", str(tmp_path / "new" / "k.key"))
    rows, _ = excel_rows()
    write_excel(tmp_path / "f.xlsx", rows)
    _, q = read_participants(tmp_path / "f.xlsx", load_mapping_text(tmp_path, MAPPING_YAML))
    assert (tmp_path / "new" / "k.key").is_file()
    assert any("ny nyckel" in n for n in q.notes)
    _, q2 = read_participants(tmp_path / "f.xlsx", load_mapping_text(tmp_path, MAPPING_YAML))
    assert not any("ny nyckel" in n for n in q2.notes)


def test_row_with_both_id_and_personnummer_is_rejected(tmp_path):
    pnr = make_pnr(1990, 2, 2, 981)
    text = "deltagare_id,personnummer,forbund_id,insats_id,kon,startdatum\nd1,{},alfa,a1,man,2024-01-01\n,{},alfa,a1,,2024-01-01\n"
    (tmp_path / "f.csv").write_text(text.format(pnr, pnr), encoding="utf-8")
    d, q = read_participants(tmp_path / "f.csv")
    assert q.rejects["rad"].tolist() == [2]
    assert "både deltagare_id och personnummer" in q.rejects["skal"].iloc[0]
    assert d["kon"].tolist() == ["man"]  # derived from the (odd) serial
    assert d["fodelsear"].tolist() == [1990]


def test_mapping_errors_name_the_key(tmp_path):
    with pytest.raises(MappingError, match=r"values.kon: 'K' mappas till 'kvinnna'"):
        load_mapping_text(tmp_path, "values:\n  kon: {K: kvinnna}\n")
    with pytest.raises(MappingError, match=r"columns.kommun är ingen kanonisk kolumn"):
        load_mapping_text(tmp_path, "columns:\n  kommun: Kommun\n")
    with pytest.raises(MappingError, match="okänd nyckel"):
        load_mapping_text(tmp_path, "kolumner: {}\n")
    with pytest.raises(MappingError, match="inte giltig YAML"):
        load_mapping_text(tmp_path, "columns: [\n")


def test_yaml_labels_like_no_and_n_stay_text(tmp_path):
    m = load_mapping_text(tmp_path, "values:\n  kon: {N: man, no: kvinna}\n")
    assert m.values["kon"] == {"n": "man", "no": "kvinna"}


def test_defaults_fill_absent_and_empty_cells(tmp_path):
    text = "deltagare_id,forbund_id,insats_id,kon,fodelsear,startdatum\nd1,,a1,man,1990,2024-01-01\nd2,beta,b1,man,1990,2024-01-01\n"
    (tmp_path / "f.csv").write_text(text, encoding="utf-8")
    mapping = load_mapping_text(tmp_path, "defaults:\n  forbund_id: alfa\n")
    d, q = read_participants(tmp_path / "f.csv", mapping)
    assert d["forbund_id"].tolist() == ["alfa", "beta"]


def test_an_unknown_label_close_to_a_known_one_gets_a_suggestion(tmp_path):
    rows = canonical_rows()
    rows[0] = rows[0].replace("planenligt", "planenlig").replace("forvarvsarbete", "Förvärvsarbet")
    rows[1] = rows[1].replace(",man,", ",kvina,")
    rows[2] = rows[2].replace("avbrott", "xyz")  # nothing close: no guess
    ds = load_dataset(write_dataset(tmp_path / "d", rows=rows))
    rej = ds.quality.rejects
    reasons = {(r, k, why) for r, k, why in zip(rej["rad"], rej["kolumn"], rej["skal"])}
    assert (2, "avslutsanledning", "okänd kod 'planenlig' (menade du 'planenligt'?)") in reasons
    assert (2, "sysselsattning_efter", "okänd kod 'Förvärvsarbet' (menade du 'Förvärvsarbete'?)") in reasons
    assert (3, "kon", "okänd kod 'kvina' (menade du 'kvinna'?)") in reasons
    assert (4, "avslutsanledning", "okänd kod 'xyz'") in reasons
