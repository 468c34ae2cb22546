"""Tests of the synthetic sample dataset (finsam_analysis.synthetic.sample).

Every check reads the files as a user would (CSV as text, the workbook with
openpyxl, the YAML with safe_load) and recomputes what it claims from the
data, so each test fails when the generator breaks its promise. No
personnummer is written here: the ones checked are those the generator made.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from finsam_analysis import reference, schema
from finsam_analysis.synthetic.sample import SampleSummary, write_sample

SEED = 11
YEARS = (2023, 2024)
CSV_FILES = (
    "forbund.csv",
    "forbund_medlemmar.csv",
    "insatser.csv",
    "insats_ekonomi.csv",
    "forbund_ekonomi.csv",
    "deltagande.csv",
)
ALL_FILES = CSV_FILES + ("deltagande.xlsx", "mapping.yaml", "dataset.yaml", "README.txt")
CODED = {
    "kon": schema.KON,
    "utbildningsniva": schema.UTBILDNINGSNIVA,
    "avslutsanledning": schema.AVSLUTSANLEDNING,
    "sysselsattning_fore": schema.SYSSELSATTNING,
    "sysselsattning_efter": schema.SYSSELSATTNING,
    "tid_offentlig_forsorjning_fore": schema.TID_OFFENTLIG_FORSORJNING,
    "remitterande_aktor": schema.REMITTERANDE_AKTOR,
}
CODE_LISTS = {"forsorjning_fore": schema.FORSORJNING, "forsorjning_efter": schema.FORSORJNING}


def read(path: Path) -> pd.DataFrame:
    """A CSV of the dataset as text; empty cells are ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def luhn_ok(ten_digits: str) -> bool:
    """Luhn over the 10-digit form (YYMMDDNNNC), written for this test."""
    total = 0
    for i, ch in enumerate(ten_digits[:9]):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return (10 - total % 10) % 10 == int(ten_digits[9])


def norm(label: object) -> str:
    return " ".join(str(label).split()).casefold()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, SampleSummary]:
    out = tmp_path_factory.mktemp("sample") / "data"
    summary = write_sample(out, seed=SEED, n_forbund=3, years=YEARS)
    return out, summary


@pytest.fixture(scope="module")
def tables(small) -> dict[str, pd.DataFrame]:
    out, _ = small
    return {name: read(out / name) for name in CSV_FILES}


@pytest.fixture(scope="module")
def workbook(small):
    out, _ = small
    wb = load_workbook(out / "deltagande.xlsx")  # not read-only: cell types are checked
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return wb, ws, list(rows[0]), rows[1:]


@pytest.fixture(scope="module")
def mapping(small) -> dict:
    out, _ = small
    return yaml.safe_load((out / "mapping.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def xlsx_canonical(workbook, mapping) -> pd.DataFrame:
    """The workbook translated to canonical codes with mapping.yaml, by this test."""
    _, _, header, rows = workbook
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    by_norm = {norm(h): h for h in header}
    sep = mapping.get("list_separator", ";")
    out = {}
    for col, head in mapping["columns"].items():
        values = frame[by_norm[norm(head)]]
        table = {norm(k): v for k, v in (mapping.get("values", {}).get(col) or {}).items()}
        vocab = schema.DELTAGANDE[col].vocabulary or {}
        canon = {norm(c): c for c in vocab}

        def code(v, table=table, canon=canon):
            key = norm(v)
            return table.get(key) or canon.get(key) or str(v).strip()

        if schema.DELTAGANDE[col].kind == "codelist":
            out[col] = values.map(
                lambda cell: "" if cell is None else ";".join(
                    code(p) for p in re.split(f"[{re.escape(sep)};]", cell) if p.strip()
                )
            )
        elif schema.DELTAGANDE[col].kind == "date":
            out[col] = values.map(
                lambda v: "" if v is None else (
                    v.date().isoformat() if isinstance(v, dt.datetime)
                    else pd.Timestamp(str(v)).date().isoformat()
                )
            )
        else:
            out[col] = values.map(lambda v: "" if v is None else code(v))
    result = pd.DataFrame(out)
    pnr = result["personnummer"].str.replace("-", "", regex=False)
    result["fodelsear"] = pnr.str[:4]
    result["deltagare_id"] = pnr  # only used for grouping inside the tests
    result["forbund_id"] = mapping["defaults"]["forbund_id"]
    return result


# --------------------------------------------------------------------------
# Files and determinism
# --------------------------------------------------------------------------


def test_all_files_exist_and_summary_counts(small, tables):
    out, summary = small
    for name in ALL_FILES:
        assert (out / name).is_file(), name
    assert summary.out == out
    assert summary.forbund == tuple(tables["forbund.csv"]["forbund_id"])
    for name in CSV_FILES:
        assert summary.rows[name] == len(tables[name]), name
    assert summary.rows["deltagande.xlsx"] > 0


def test_same_seed_same_bytes_other_seed_differs(small, tmp_path):
    out, _ = small
    again = tmp_path / "again"
    write_sample(again, seed=SEED, n_forbund=3, years=YEARS)
    for name in ALL_FILES:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    other = tmp_path / "other"
    write_sample(other, seed=SEED + 1, n_forbund=3, years=YEARS)
    assert (other / "deltagande.csv").read_bytes() != (out / "deltagande.csv").read_bytes()


def test_dataset_yaml_and_readme_say_synthetic(small):
    out, summary = small
    meta = yaml.safe_load((out / "dataset.yaml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert "SYNTETISKA DATA" in meta["description"]
    assert meta["generator"].startswith("finsam_analysis ")
    assert meta["seed"] == SEED
    assert list(meta["years"]) == list(YEARS)
    assert meta["n_forbund"] == len(summary.forbund) == 3
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "syntetisk" in readme.lower() and "finsam sample-data" in readme


# --------------------------------------------------------------------------
# Förbund, medlemmar, insatser, ekonomi
# --------------------------------------------------------------------------


def test_forbund_are_the_first_of_the_catalogue(tables):
    catalogue, members = reference.forbund_catalogue()
    fb = tables["forbund.csv"]
    assert list(fb.columns[:3]) == ["forbund_id", "namn", "organisationsnummer"]
    assert list(fb["forbund_id"]) == list(catalogue["forbund_id"][:3])
    assert list(fb["namn"]) == list(catalogue["namn"][:3])
    med = tables["forbund_medlemmar.csv"]
    expected = members[members["forbund_id"].isin(fb["forbund_id"])]
    assert sorted(zip(med["forbund_id"], med["kommunkod"])) == sorted(
        zip(expected["forbund_id"], expected["kommunkod"])
    )
    assert med["giltig_from"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_insatser_shape(tables):
    ins = tables["insatser.csv"]
    assert ins["insats_id"].is_unique
    assert set(ins["typ"]) <= set(schema.INSATS_TYP)
    per = ins.groupby("forbund_id")
    assert per.size().between(3, 8).all()
    assert (per["typ"].apply(lambda t: (t == "strukturovergripande").sum()) >= 1).all()
    assert (ins["insats_id"].str.rsplit("_", n=1).str[0] == ins["forbund_id"]).all()
    assert ins["insats_id"].str.fullmatch(r".+_\d{2}").all()
    assert per["namn"].apply(lambda n: n.is_unique).all()
    assert (ins["startdatum"] < f"{YEARS[0]}-01-01").any()
    assert (ins["startdatum"] >= f"{YEARS[0]}-01-01").any()
    ind = ins[ins["typ"] == "individinriktad"]
    share = ind["mal_andel_arbete_studier"]
    assert share.str.fullmatch(r"0\.\d+").all()  # decimal point, not comma
    assert share.astype(float).between(0.30, 0.50).all()
    assert (ind["mal_deltagare_per_ar"].astype(int) > 0).all()
    assert (ind["malgrupp"] != "").all()
    struct = ins[ins["typ"] == "strukturovergripande"]
    assert (struct["mal_deltagare_per_ar"] == "").all()


def test_ekonomi_budget_and_utfall(tables):
    eko, ins = tables["insats_ekonomi.csv"], tables["insatser.csv"]
    assert set(eko["insats_id"]) <= set(ins["insats_id"])
    assert not eko.duplicated(["insats_id", "ar"]).any()
    assert eko["ar"].astype(int).between(*YEARS).all()
    budget, utfall = eko["budget_kr"].astype(int), eko["utfall_kr"].astype(int)
    assert budget.between(500_000, 4_000_000).all()
    ratio = utfall / budget
    assert ratio.between(0.85, 1.05 + 1e-9).all()
    # only years the insats runs
    merged = eko.merge(ins, on="insats_id")
    assert (merged["startdatum"].str[:4].astype(int) <= merged["ar"].astype(int)).all()
    ended = merged[merged["slutdatum"] != ""]
    assert (ended["slutdatum"].str[:4].astype(int) >= ended["ar"].astype(int)).all()


# --------------------------------------------------------------------------
# deltagande.csv
# --------------------------------------------------------------------------


def test_deltagande_columns_and_formats(tables):
    d = tables["deltagande.csv"]
    expected = [c for c in schema.DELTAGANDE if c != "personnummer"]
    assert list(d.columns) == expected
    assert "skelleftea" not in set(d["forbund_id"])
    assert len(d) > 300
    assert d["deltagare_id"].str.fullmatch(r"d[0-9a-f]{10}").all()
    assert not d["deltagare_id"].str.contains(r"\d{10}").any()
    assert d["deltagande_id"].is_unique
    assert d["startdatum"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert d["slutdatum"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    assert not d.duplicated(list(schema.DUPLICATE_KEY)).any()


def test_every_insats_exists_and_belongs_to_the_forbund(tables):
    d, ins = tables["deltagande.csv"], tables["insatser.csv"]
    owner = d["insats_id"].map(ins.set_index("insats_id")["forbund_id"])
    assert owner.notna().all()
    assert (owner == d["forbund_id"]).all()
    typ = d["insats_id"].map(ins.set_index("insats_id")["typ"])
    assert (typ == "individinriktad").all()


def test_kommuner_are_valid_and_mostly_members(tables):
    d, med = tables["deltagande.csv"], tables["forbund_medlemmar.csv"]
    valid = set(reference.kommuner()["kommunkod"])
    kod = d["folkbokforingskommun"]
    assert kod[kod != ""].isin(valid).all()
    members = set(zip(med["forbund_id"], med["kommunkod"]))
    is_member = [(f, k) in members for f, k in zip(d["forbund_id"], kod)]
    assert np.mean(is_member) > 0.95


def test_dates_are_consistent(tables):
    d, ins = tables["deltagande.csv"], tables["insatser.csv"].set_index("insats_id")
    start = pd.to_datetime(d["startdatum"])
    slut = pd.to_datetime(d["slutdatum"].replace("", None))
    ended = slut.notna()
    assert (slut[ended] >= start[ended]).all()
    assert start.dt.year.between(*YEARS).all()
    assert (slut[ended] <= pd.Timestamp(f"{YEARS[1]}-12-31")).all()
    ins_start = pd.to_datetime(d["insats_id"].map(ins["startdatum"]))
    ins_end = pd.to_datetime(d["insats_id"].map(ins["slutdatum"]).replace("", None))
    assert (start >= ins_start).all()
    has_end = ins_end.notna()
    assert (start[has_end] <= ins_end[has_end]).all()
    assert (slut[ended & has_end] <= ins_end[ended & has_end]).all()
    # pågående at the end of the last year exist, and carry no exit information
    assert (~ended).sum() > 0
    for col in ("avslutsanledning", "sysselsattning_efter", "forsorjning_efter", "omfattning_efter"):
        assert (d.loc[~ended, col] == "").all(), col
    assert (d.loc[ended, "avslutsanledning"] != "").all()
    days = (slut[ended] - start[ended]).dt.days
    assert days.max() <= 731
    assert 100 <= days.median() <= 200  # about five months


def test_codes_are_in_the_vocabularies(tables):
    d = tables["deltagande.csv"]
    for col, vocab in CODED.items():
        used = set(d[col]) - {""}
        assert used <= set(vocab), (col, used - set(vocab))
    for col, vocab in CODE_LISTS.items():
        items = {i for cell in d[col] if cell for i in cell.split(";")}
        assert items <= set(vocab), (col, items - set(vocab))
    assert d["forsorjning_fore"].str.contains(";").any()
    for col in ("omfattning_fore", "omfattning_efter"):
        v = d.loc[d[col] != "", col].astype(int)
        assert v.between(0, 100).all()
    assert d["fodelsear"].str.fullmatch(r"\d{4}").all()


def test_realistic_shares(tables, xlsx_canonical):
    cols = ["forbund_id", "kon", "fodelsear", "startdatum", "slutdatum", "avslutsanledning",
            "sysselsattning_fore", "sysselsattning_efter", "omfattning_fore", "omfattning_efter"]
    d = pd.concat([tables["deltagande.csv"][cols], xlsx_canonical[cols]], ignore_index=True)
    d = d[d["avslutsanledning"] != schema.FELREGISTRERING]
    women = (d["kon"] == "kvinna").mean()
    assert 0.50 <= women <= 0.66, women
    assert 0 < (d["kon"] == "").mean() < 0.05
    age = d["startdatum"].str[:4].astype(int) - d["fodelsear"].astype(int)
    assert 24 <= age.median() <= 36, age.median()
    assert age.min() >= 16
    assert ((age >= 16) & (age <= 29)).mean() > 0.35
    assert (age > 60).mean() < 0.06
    avslutade = d[d["slutdatum"] != ""]
    group = avslutade["sysselsattning_efter"].map(schema.UTFALL_GRUPP)
    share = group.isin(["arbete", "studier"]).mean()
    assert 0.30 <= share <= 0.55, share
    okand = (avslutade["sysselsattning_efter"] == "okand").mean()
    assert 0.01 <= okand <= 0.10, okand
    assert (avslutade["avslutsanledning"] == "planenligt").mean() > 0.5
    # omfattning rises for those who go to arbete/studier
    both = avslutade[(avslutade["omfattning_fore"] != "") & (avslutade["omfattning_efter"] != "")]
    up = both["sysselsattning_efter"].map(schema.UTFALL_GRUPP).isin(["arbete", "studier"])
    rise = both["omfattning_efter"].astype(int) - both["omfattning_fore"].astype(int)
    assert rise[up].mean() > 30 > rise[~up].mean()


def test_forsorjning_efter_fits_the_outcome(tables):
    d = tables["deltagande.csv"]
    av = d[d["slutdatum"] != ""]
    primary = av["forsorjning_efter"].str.split(";").str[0]
    arbete = av["sysselsattning_efter"].map(schema.UTFALL_GRUPP) == "arbete"
    studier = av["sysselsattning_efter"] == "studier"
    known = primary != ""
    assert (primary[arbete & known] == "lon").mean() > 0.95
    assert (primary[studier & known] == "studiemedel").mean() > 0.7
    assert (primary[~arbete & ~studier] == "lon").mean() < 0.05


def test_people_come_back(tables):
    d = tables["deltagande.csv"]
    per = d.groupby("deltagare_id")
    twice = per.size() > 1
    assert twice.sum() > 5
    # a returning person keeps kön and födelseår, and starts again later in another insats
    assert (per["fodelsear"].nunique() == 1).all()
    assert (per["kon"].nunique() == 1).all()
    again = d[d["deltagare_id"].isin(twice[twice].index)].sort_values(["deltagare_id", "startdatum"])
    assert (again.groupby("deltagare_id")["insats_id"].nunique() > 1).mean() > 0.9


# --------------------------------------------------------------------------
# deltagande.xlsx and mapping.yaml
# --------------------------------------------------------------------------


def test_xlsx_headers_are_swedish(workbook):
    wb, ws, header, rows = workbook
    assert ws.title == "Deltagare"
    for h in ("Personnummer", "Kön", "Insats", "Inskrivningsdatum", "Utskrivningsdatum",
              "Avslutsorsak", "Folkbokföringskommun", "Utbildning", "Sysselsättning vid start",
              "Sysselsättning vid avslut", "Försörjning vid start", "Försörjning vid avslut",
              "Omfattning vid start (%)", "Omfattning vid avslut (%)"):
        assert h in header, h
    assert not set(header) & set(schema.DELTAGANDE)  # none is a canonical name
    assert "Födelseår" not in header
    assert len(rows) > 50
    assert wb.properties.created == wb.properties.modified == dt.datetime(2025, 1, 1)


def test_xlsx_cells_types(workbook):
    _, _, header, rows = workbook
    col = {h: i for i, h in enumerate(header)}
    starts = [r[col["Inskrivningsdatum"]] for r in rows]
    as_date = [isinstance(v, dt.datetime) for v in starts]
    assert 0.7 < np.mean(as_date) < 1.0  # mostly real date cells, some text
    text = [v for v in starts if isinstance(v, str)]
    assert text and all(re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", v) for v in text)
    kommun = [r[col["Folkbokföringskommun"]] for r in rows if r[col["Folkbokföringskommun"]] is not None]
    assert kommun and all(isinstance(v, int) for v in kommun)
    omf = [r[col["Omfattning vid start (%)"]] for r in rows if r[col["Omfattning vid start (%)"]] is not None]
    assert omf and all(isinstance(v, int) and 0 <= v <= 100 for v in omf)
    assert {r[col["Kön"]] for r in rows} <= {"K", "M", "k", "m", None}


def test_xlsx_personnummer_are_valid_and_match_kon(workbook):
    _, _, header, rows = workbook
    col = {h: i for i, h in enumerate(header)}
    checked = 0
    for r in rows:
        pnr, kon = r[col["Personnummer"]], r[col["Kön"]]
        assert isinstance(pnr, str) and re.fullmatch(r"\d{8}-?\d{4}", pnr)
        digits = pnr.replace("-", "")
        assert luhn_ok(digits[2:])
        day = int(digits[6:8])
        assert 1 <= (day - 60 if day > 60 else day) <= 31
        if kon is not None:
            is_man = int(digits[10]) % 2 == 1
            assert is_man == (kon.strip().upper() == "M")
            checked += 1
    assert checked > 0


def test_mapping_names_existing_headers_and_covers_every_label(workbook, mapping, small):
    out, summary = small
    _, _, header, rows = workbook
    assert set(mapping) == {"columns", "values", "defaults", "list_separator"}
    assert mapping["defaults"] == {"forbund_id": summary.xlsx_forbund} == {"forbund_id": "skelleftea"}
    assert mapping["list_separator"] == ","
    assert "SYNTET" in (out / "mapping.yaml").read_text(encoding="utf-8").splitlines()[0].upper()
    by_norm = {norm(h) for h in header}
    for canonical, head in mapping["columns"].items():
        assert canonical in schema.DELTAGANDE, canonical
        assert norm(head) in by_norm, head
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for canonical, table in mapping["values"].items():
        column = schema.DELTAGANDE[canonical]
        if column.vocabulary is not None:
            assert set(table.values()) <= set(column.vocabulary), canonical
        known = {norm(k) for k in table} | {norm(c) for c in column.vocabulary or {}}
        cells = frame[mapping["columns"][canonical]].dropna()
        labels = set()
        for cell in cells:
            parts = str(cell).split(mapping["list_separator"]) if column.kind == "codelist" else [cell]
            labels |= {norm(p) for p in parts}
        assert labels <= known, (canonical, labels - known)
    # insats names map to the förbund's own insatser
    ins = read(out / "insatser.csv").set_index("insats_id")
    for name, insats_id in mapping["values"]["insats_id"].items():
        assert ins.loc[insats_id, "forbund_id"] == "skelleftea"
        assert ins.loc[insats_id, "namn"] == name


def test_xlsx_labels_vary_in_case(workbook):
    _, _, header, rows = workbook
    col = {h: i for i, h in enumerate(header)}
    kon = {r[col["Kön"]] for r in rows}
    after = {r[col["Sysselsättning vid avslut"]] for r in rows} - {None}
    assert kon & {"k", "m"}
    assert any(v.isupper() and len(v) > 1 for v in after)
    fors = [r[col["Försörjning vid start"]] for r in rows if r[col["Försörjning vid start"]]]
    assert any(", " in v for v in fors)


def test_xlsx_translated_is_consistent(xlsx_canonical, tables):
    x = xlsx_canonical
    for col, vocab in CODED.items():
        if col in x:
            assert set(x[col]) - {""} <= set(vocab), col
    start = pd.to_datetime(x["startdatum"])
    slut = pd.to_datetime(x["slutdatum"].replace("", None))
    assert (slut.dropna() >= start[slut.notna()]).all()
    assert start.dt.year.between(*YEARS).all()
    ins = tables["insatser.csv"]
    assert set(x["insats_id"]) <= set(ins.loc[ins["forbund_id"] == "skelleftea", "insats_id"])
    valid = set(reference.kommuner()["kommunkod"])
    kod = x["folkbokforingskommun"].replace("", None).dropna().str.zfill(4)
    assert kod.isin(valid).all()


# --------------------------------------------------------------------------
# Validation by the package, more förbund than the catalogue
# --------------------------------------------------------------------------


def test_the_package_accepts_every_row(small):
    from finsam_analysis import load_dataset

    out, summary = small
    ds = load_dataset(out, key=bytes(range(32)))
    assert ds.quality.rejected_rows == 0
    assert ds.quality.duplicate_rows == 0
    assert len(ds.deltagande) == summary.rows["deltagande.csv"] + summary.rows["deltagande.xlsx"]
    assert ds.synthetic


def test_more_forbund_than_the_catalogue(tmp_path):
    out = tmp_path / "many"
    summary = write_sample(out, seed=3, n_forbund=30, years=(2023, 2024))
    fb = read(out / "forbund.csv")
    catalogue, members = reference.forbund_catalogue()
    assert len(fb) == 30 and len(summary.forbund) == 30
    assert list(fb["forbund_id"][:27]) == list(catalogue["forbund_id"])
    extra = fb.iloc[27:]
    assert extra["forbund_id"].str.fullmatch(r"syntet_\d{4}").all()
    codes = extra["forbund_id"].str[len("syntet_"):]
    kommuner = reference.kommuner()
    free = kommuner[~kommuner["kommunkod"].isin(members["kommunkod"])]["kommunkod"].sort_values()
    assert list(codes) == list(free[:3])
    names = kommuner.set_index("kommunkod").loc[list(codes), "kommun"]
    assert list(extra["namn"]) == ["Syntetiskt samordningsförbund " + k for k in names]
    med = read(out / "forbund_medlemmar.csv")
    syn = med[med["forbund_id"].str.startswith("syntet_")]
    assert list(syn["kommunkod"]) == list(codes)
    assert (syn["giltig_from"] == "2004-01-01").all() and (syn["giltig_tom"] == "").all()
    d = read(out / "deltagande.csv")
    assert set(extra["forbund_id"]) <= set(d["forbund_id"])
    # the largest förbund is Stockholms stad; some people appear in two förbund
    assert d["forbund_id"].value_counts().index[0] == "stockholms_stad"
    assert (d.groupby("deltagare_id")["forbund_id"].nunique() > 1).sum() >= 1
    felreg = (d["avslutsanledning"] == schema.FELREGISTRERING).mean()
    assert 0.001 <= felreg <= 0.012, felreg


def test_without_xlsx_that_forbund_keeps_its_personnummer_in_the_csv(tmp_path, small):
    from finsam_analysis import load_dataset

    out = tmp_path / "csv"
    summary = write_sample(out, seed=SEED, n_forbund=3, years=YEARS, xlsx=False)
    assert not (out / "deltagande.xlsx").exists() and not (out / "mapping.yaml").exists()
    default_out, default = small
    fid = default.xlsx_forbund
    assert summary.xlsx_forbund == ""
    assert yaml.safe_load((out / "dataset.yaml").read_text(encoding="utf-8"))["personnummer_forbund"] == fid
    d = read(out / "deltagande.csv")
    own = d["forbund_id"] == fid
    # The same participations as the default sample, that förbund's now in the CSV.
    assert own.sum() == default.rows["deltagande.xlsx"]
    before = read(default_out / "deltagande.csv").drop(columns="deltagande_id")
    pd.testing.assert_frame_equal(
        d.loc[~own].drop(columns=["deltagande_id", "personnummer"]).reset_index(drop=True), before
    )
    # Exactly one of deltagare_id and personnummer on every row (docs/dataformat.md §5).
    assert (d.loc[own, "deltagare_id"] == "").all() and (d.loc[own, "personnummer"] != "").all()
    assert (d.loc[~own, "personnummer"] == "").all()
    digits = d.loc[own, "personnummer"].str.replace("-", "", regex=False)
    assert digits.str.fullmatch(r"\d{12}").all() and digits.map(lambda p: luhn_ok(p[2:])).all()
    assert digits.str[8:11].astype(int).between(980, 999).all()  # the synthetic range
    assert (d.loc[own, "personnummer"].str.contains("-")).mean() > 0.8
    ds = load_dataset(out, key=bytes(range(32)))
    assert ds.quality.rejected_rows == 0 and ds.quality.duplicate_rows == 0
    assert len(ds.deltagande) == len(d)
    ids = ds.deltagande.loc[ds.deltagande["forbund_id"] == fid, "deltagare_id"]
    assert ids.str.fullmatch(r"p[0-9a-f]{20}").all()
    assert not set(ids) & set(d["personnummer"]) and not set(ids) & set(digits)


def test_volume_scales_the_participations(tmp_path):
    one = write_sample(tmp_path / "v1", n_forbund=2, years=(2024, 2025), xlsx=False)
    three = write_sample(tmp_path / "v3", n_forbund=2, years=(2024, 2025), xlsx=False, volume=3.0)
    ratio = three.rows["deltagande.csv"] / one.rows["deltagande.csv"]
    assert 2.6 < ratio < 3.4, ratio
    with pytest.raises(ValueError, match="volume"):
        write_sample(tmp_path / "v0", volume=0)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        write_sample(tmp_path / "a", n_forbund=0)
    with pytest.raises(ValueError):
        write_sample(tmp_path / "b", years=(2025, 2020))
    with pytest.raises(ValueError):
        write_sample(tmp_path / "c", n_forbund=10_000)


# --------------------------------------------------------------------------
# Helårsekvivalenter: SCB-shaped JSON-stat2 files (read here with plain json)
# --------------------------------------------------------------------------

import json  # noqa: E402
from itertools import product  # noqa: E402

HE_LABELS = (
    "Sjukpenning",
    "Sjuk- och aktivitetsersersättning",  # sic, as SCB spells it
    "Arbetslöshetsersättning",
    "Arbetsmarknadsåtgärder",
    "Ekonomiskt bistånd",
    "Etableringsersättning",
    "Summa helårsekvivalenter",
    "Folkmängd",
    "Andel av befolkningen",
)
HE_SIX = HE_LABELS[:6]
EKB, SUMMA, FOLK, ANDEL = "Ekonomiskt bistånd", "Summa helårsekvivalenter", "Folkmängd", "Andel av befolkningen"
KON = {"1": "män", "2": "kvinnor", "1+2": "män och kvinnor"}


def read_jsonstat(path: Path) -> tuple[dict, dict]:
    """A JSON-stat 2.0 file as (document, {(region, kon, alder, content label, tid): value}).

    Written for the test: the flat ``value`` list is row-major in the order of
    ``id`` (the last dimension varies fastest); contents are resolved through
    their labels, never through their codes.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    dims = doc["id"]
    codes = []
    for dim, n in zip(dims, doc["size"]):
        index = doc["dimension"][dim]["category"]["index"]
        ordered = sorted(index, key=index.get)
        assert len(ordered) == n and sorted(index.values()) == list(range(n)), dim
        codes.append(ordered)
    content_label = doc["dimension"]["ContentsCode"]["category"]["label"]
    ci = dims.index("ContentsCode")
    cells = {}
    for key, value in zip(product(*codes), doc["value"]):
        key = list(key)
        key[ci] = content_label[key[ci]]
        cells[tuple(key)] = value
    assert len(doc["value"]) == len(cells)
    return doc, cells


def he_files(out: Path) -> dict[int, Path]:
    files = sorted((out / "helarsekvivalenter").glob("*.json"))
    return {int(re.fullmatch(r"TAB1386_(\d{4})\.json", f.name).group(1)): f for f in files}


def he_cells(out: Path) -> dict[int, dict]:
    return {year: read_jsonstat(path)[1] for year, path in he_files(out).items()}


def regions_months(cells: dict) -> tuple[set[str], list[str]]:
    regions = {k[0] for k in cells}
    months = sorted({k[4] for k in cells})
    return regions, months


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    """The default dataset: every catalogue förbund, 2020–2025."""
    out = tmp_path_factory.mktemp("sample_full") / "data"
    write_sample(out)
    return out


@pytest.fixture(scope="module")
def small_he(small) -> dict[int, dict]:
    return he_cells(small[0])


@pytest.fixture(scope="module")
def full_he(full) -> dict[int, dict]:
    return he_cells(full)


def test_he_files_and_jsonstat_shape(small, tables):
    out, summary = small
    files = he_files(out)
    assert sorted(files) == list(range(YEARS[0], YEARS[1] + 1))
    members = set(tables["forbund_medlemmar.csv"]["kommunkod"])
    names = reference.kommuner().set_index("kommunkod")["kommun"]
    for year, path in files.items():
        doc, cells = read_jsonstat(path)
        assert list(doc)[:5] == ["version", "class", "label", "source", "updated"]
        assert doc["version"] == "2.0" and doc["class"] == "dataset"
        assert doc["label"].startswith("Antal helårsekvivalenter i åldrarna 20-64/20-65 år")
        assert doc["updated"] == f"{year + 1}-02-15T08:00:00Z"
        assert doc["id"] == ["Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid"]
        assert doc["role"] == {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]}
        assert "SYNTETISKA DATA" in doc["note"][0] and doc["extension"]["synthetic"] is True
        assert len(doc["value"]) == np.prod(doc["size"]) == summary.rows[f"helarsekvivalenter/{path.name}"]
        dim = doc["dimension"]
        for d in doc["id"]:
            assert set(dim[d]["category"]["label"]) == set(dim[d]["category"]["index"]), d
            assert dim[d]["label"]
        # regions: riket first, then every member kommun with SCB's "code name" label
        region = dim["Region"]["category"]
        assert set(region["index"]) == members | {"00"}
        assert region["index"]["00"] == 0 and region["label"]["00"] == "Riket"
        for code in members:
            assert region["label"][code] == f"{code} {names[code]}"
        assert dim["Kon"]["category"]["label"] == KON
        assert dim["Aldersgrupp"]["category"]["label"] == {"20-64": "20-64 år"}
        tid = dim["Tid"]["category"]
        assert list(tid["index"]) == [f"{year}M{m:02d}" for m in range(1, 13)]
        assert tid["label"] == {c: c for c in tid["index"]}
        contents = dim["ContentsCode"]["category"]
        assert sorted(contents["label"].values()) == sorted(HE_LABELS)
        assert "Sjuk- och aktivitetsersersättning" in contents["label"].values()
        assert set(contents["unit"]) == set(contents["index"])
        units = {contents["label"][c]: u for c, u in contents["unit"].items()}
        assert units[FOLK]["decimals"] == 0 and units[SUMMA]["decimals"] == 1
        # every region, kön, month and content has a value; types as SCB gives them
        assert len(cells) == (len(members) + 1) * 3 * 9 * 12
        for key, value in cells.items():
            if key[3] == FOLK:
                assert isinstance(value, int) and value >= 1000, key
            else:
                assert isinstance(value, float) and value >= 0 and round(value, 1) == value, key


def test_he_files_are_deterministic(small, tmp_path):
    out, _ = small
    again, other = tmp_path / "again", tmp_path / "other"
    write_sample(again, seed=SEED, n_forbund=3, years=YEARS)
    write_sample(other, seed=SEED + 1, n_forbund=3, years=YEARS)
    for year, path in he_files(out).items():
        assert (again / "helarsekvivalenter" / path.name).read_bytes() == path.read_bytes(), year
        assert (other / "helarsekvivalenter" / path.name).read_bytes() != path.read_bytes(), year
        assert path.read_bytes().decode("utf-8").count("\\u") == 0  # ensure_ascii=False


def test_he_mentioned_in_dataset_yaml_and_readme(small):
    out, _ = small
    meta = yaml.safe_load((out / "dataset.yaml").read_text(encoding="utf-8"))
    he = meta["helarsekvivalenter"]
    assert he["table"] == "HE0000T02N2" and he["pxweb_id"] == "TAB1386"
    assert he["files"] == [f"helarsekvivalenter/TAB1386_{y}.json" for y in range(YEARS[0], YEARS[1] + 1)]
    assert all((out / f).is_file() for f in he["files"])
    assert "helarsekvivalenter/" in (out / "README.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["small_he", "full_he"])
def test_he_every_member_kommun_every_month(which, request, small, full):
    out = small[0] if which == "small_he" else full
    cells_by_year = request.getfixturevalue(which)
    members = set(read(out / "forbund_medlemmar.csv")["kommunkod"])
    meta = yaml.safe_load((out / "dataset.yaml").read_text(encoding="utf-8"))
    y0, y1 = meta["years"]
    assert sorted(cells_by_year) == list(range(y0, y1 + 1))
    for year, cells in cells_by_year.items():
        regions, months = regions_months(cells)
        assert regions == members | {"00"}
        assert months == [f"{year}M{m:02d}" for m in range(1, 13)]
        for r, kon, m, label in product(regions, KON, months, HE_LABELS):
            assert (r, kon, "20-64", label, m) in cells


@pytest.mark.parametrize("which", ["small_he", "full_he"])
def test_he_sums_are_consistent(which, request):
    for year, cells in request.getfixturevalue(which).items():
        regions, months = regions_months(cells)
        for r, m in product(regions, months):
            def v(kon, label):
                return cells[(r, kon, "20-64", label, m)]

            for label in HE_LABELS[:8]:  # every count: totalt = män + kvinnor
                assert v("1+2", label) == pytest.approx(v("1", label) + v("2", label), abs=1e-6), (r, m, label)
            for kon in KON:
                assert v(kon, SUMMA) == pytest.approx(sum(v(kon, c) for c in HE_SIX), abs=0.15), (r, m, kon)
                assert v(kon, ANDEL) == pytest.approx(100 * v(kon, SUMMA) / v(kon, FOLK), abs=0.051)


@pytest.mark.parametrize("which", ["small_he", "full_he"])
def test_he_levels_are_plausible(which, request):
    cells_by_year = request.getfixturevalue(which)
    riket_folk = []
    for year, cells in cells_by_year.items():
        regions, months = regions_months(cells)

        def annual(r, label, kon="1+2"):
            return sum(cells[(r, kon, "20-64", label, m)] for m in months)

        share = {r: 100 * annual(r, SUMMA) / annual(r, FOLK) for r in regions}
        assert 12.0 <= share.pop("00") <= 14.0, year
        assert all(7.0 <= s <= 20.0 for s in share.values()), (year, min(share.values()), max(share.values()))
        folk = annual("00", FOLK) / 12
        assert 5.9e6 <= folk <= 6.1e6, year
        riket_folk.append(folk)
        # the mix of ersättningar in riket, roughly as docs/dataformat.md §10
        mix = {c: annual("00", c) / annual("00", SUMMA) for c in HE_SIX}
        assert 0.16 <= mix["Sjukpenning"] <= 0.23
        assert 0.25 <= mix["Sjuk- och aktivitetsersersättning"] <= 0.32
        assert 0.10 <= mix["Arbetslöshetsersättning"] <= 0.18
        assert 0.19 <= mix["Arbetsmarknadsåtgärder"] <= 0.29
        assert 0.10 <= mix[EKB] <= 0.14
        assert 0.01 <= mix["Etableringsersättning"] <= 0.04
        # kvinnor more sjukpenning, män more ekonomiskt bistånd
        assert annual("00", "Sjukpenning", "2") > annual("00", "Sjukpenning", "1")
        assert annual("00", EKB, "1") > annual("00", EKB, "2")
        # arbetslöshet a bit higher in January and July than the year's mean (not in 2020)
        if year != 2020:
            arb = [cells[("00", "1+2", "20-64", "Arbetslöshetsersättning", m)] for m in months]
            assert arb[0] > sum(arb) / 12 and arb[6] > sum(arb) / 12
    assert riket_folk == sorted(riket_folk)  # slowly growing


def test_he_sizes(full_he):
    cells = full_he[2024]
    folk = {r: cells[(r, "1+2", "20-64", FOLK, "2024M06")] for r in regions_months(cells)[0]}
    assert 560_000 <= folk["0180"] <= 680_000  # Stockholm
    assert 30_000 <= folk["2482"] <= 60_000  # Skellefteå
    assert 1_000 <= min(folk.values()) and max(v for r, v in folk.items() if r != "00") == folk["0180"]


@pytest.mark.parametrize("which", ["small_he", "full_he"])
def test_he_bortfall_ekonomiskt_bistand_zero(which, request):
    cells_by_year = request.getfixturevalue(which)
    first_year = min(cells_by_year)
    months_total = kommun_months = 0
    zero = []
    for year, cells in cells_by_year.items():
        regions, months = regions_months(cells)
        for r, m in product(regions, months):
            values = [cells[(r, kon, "20-64", EKB, m)] for kon in KON]
            if any(v == 0 for v in values):
                assert all(v == 0 for v in values), (r, m)  # all three kön rows
                assert r != "00", m  # never riket
                assert m != f"{first_year}M01", r  # never the very first month
                for kon in KON:  # summa includes the 0
                    six = sum(cells[(r, kon, "20-64", c, m)] for c in HE_SIX)
                    assert cells[(r, kon, "20-64", SUMMA, m)] == pytest.approx(six, abs=0.15)
                zero.append((r, m))
            kommun_months += r != "00"
        months_total += 1
    assert zero, "no bortfall month"
    if which == "full_he":  # about 1 in 150 kommun-months
        assert 1 / 400 <= len(zero) / kommun_months <= 1 / 70, len(zero) / kommun_months


def test_forbund_ekonomi_follows_the_insatser_and_the_law(small, tables):
    """Costs for insatser are the year's utfall; contributions split 1/2, 1/4, 1/4; every report shows them."""
    import finsam_analysis as fa
    from finsam_analysis.report.tables import report_tables

    ek, ins = tables["forbund_ekonomi.csv"], tables["insats_ekonomi.csv"]
    owner = tables["insatser.csv"].set_index("insats_id")["forbund_id"]
    utfall = ins.assign(fid=ins["insats_id"].map(owner), utfall=ins["utfall_kr"].astype(float))
    expected = utfall.groupby(["fid", ins["ar"].astype(int)])["utfall"].sum()
    costs = ek.loc[ek["post"] == "kostnad_insatser"]
    cost = costs.assign(ar=costs["ar"].astype(int)).set_index(["forbund_id", "ar"])["belopp_kr"]
    assert cost.astype(float).sort_index().tolist() == pytest.approx(expected.sort_index().tolist())
    paid = ek.assign(b=ek["belopp_kr"].astype(float)).pivot_table(index=["forbund_id", "ar"], columns="post",
                                                                   values="b", aggfunc="sum")
    total = paid[["medlemsavgift_forsakringskassan", "medlemsavgift_region", "medlemsavgift_kommun"]].sum(axis=1)
    assert (paid["medlemsavgift_forsakringskassan"] / total).tolist() == pytest.approx([0.5] * len(total), abs=1e-6)
    assert (paid["medlemsavgift_kommun"] / total).tolist() == pytest.approx([0.25] * len(total), abs=1e-4)

    out, summary = small
    ds = fa.load_dataset(out)
    assert ds.quality.rejects.loc[ds.quality.rejects["fil"] == "forbund_ekonomi.csv"].empty
    for fid in summary.forbund:
        t = {x.key: x for x in report_tables(ds, fid, str(YEARS[1]))}["ekonomi_intakter"].data
        parts = t.index[: t.index.get_loc("Summa medlemsavgifter")]
        assert t.loc[parts, f"{YEARS[1]} (kr)"].sum() == pytest.approx(t.at["Summa medlemsavgifter", f"{YEARS[1]} (kr)"])
        law = t.loc[parts, "Andel enligt lagen"].astype(float)
        assert law.iloc[:2].tolist() == [0.5, 0.25] and law.iloc[2:].sum() == pytest.approx(0.25)
