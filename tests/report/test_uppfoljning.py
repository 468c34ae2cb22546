"""finsam uppfoljning: the internal workbook's counts against an independent count of the sample's files."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from finsam_analysis.report.uppfoljning import INTERNAL
from finsam_analysis.synthetic.sample import write_sample

from ..helpers import run_cli

YEAR = 2025


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("upp") / "data"
    write_sample(root, n_forbund=3, years=(2023, YEAR))
    return root


def independent(root, fid: str) -> dict[str, tuple[int, int, int, int]]:
    """Per individinriktad insats: (deltagare, kvinnor, män, kön okänt) active in YEAR, from the CSV alone."""
    d = pd.read_csv(root / "deltagande.csv", dtype=str, keep_default_na=False)
    d = d.loc[(d["forbund_id"] == fid) & (d["avslutsanledning"] != "felregistrering")]
    start, end = pd.to_datetime(d["startdatum"]), pd.to_datetime(d["slutdatum"].replace("", None))
    d = d.assign(s=start, e=end.fillna(pd.Timestamp("2262-01-01")), has_kon=d["kon"] != "")
    d = d.loc[(d["s"] <= f"{YEAR}-12-31") & (d["e"] >= f"{YEAR}-01-01")]
    out = {}
    for insats, part in d.groupby("insats_id"):
        latest = part.sort_values(["deltagare_id", "s", "e", "has_kon"]).groupby("deltagare_id").tail(1)
        kon = latest["kon"]
        out[insats] = (len(latest), int((kon == "kvinna").sum()), int((kon == "man").sum()), int((kon == "").sum()))
    return out


def test_workbook_counts_equal_an_independent_count(sample, tmp_path):
    fid = "alv_och_kust"  # its participants are in deltagande.csv (the Excel förbund is skelleftea)
    r = run_cli("uppfoljning", "--data-dir", sample, "--year", YEAR, "--forbund", fid, "--out", tmp_path)
    assert r.code == 0, r.err
    assert "publicera det inte" in r.out
    path = tmp_path / "uppfoljning" / str(YEAR) / f"{fid}_uppfoljning_internt.xlsx"
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws.cell(1, 1).value == INTERNAL
    rows = [[c.value for c in row] for row in wb["Insatser"].iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "Insats-id")
    cols = rows[header]
    got = {}
    for row in rows[header + 1:]:
        if not row[0] or not str(row[0]).startswith(fid) or row[cols.index("Typ")] != "Individinriktad insats":
            continue
        got[row[0]] = tuple(int(row[cols.index(c)]) for c in ("Deltagare", "Kvinnor", "Män", "Kön okänt"))
    expected = {k: v for k, v in independent(sample, fid).items() if k in got}
    assert got and got == expected
    # staff of a strukturövergripande insats equal insats_ekonomi.csv
    ek = pd.read_csv(sample / "insats_ekonomi.csv", dtype=str, keep_default_na=False)
    for row in rows[header + 1:]:
        if row[0] and row[cols.index("Typ")] == "Strukturövergripande insats":
            given = ek.loc[(ek["insats_id"] == row[0]) & (ek["ar"] == str(YEAR)), "deltagare_personal"]
            assert str(row[cols.index("Deltagare")]) == (given.iloc[0] if len(given) else "–")


def test_it_is_kept_apart_from_the_published_reports(sample, tmp_path):
    r = run_cli("uppfoljning", "--data-dir", sample, "--year", YEAR, "--forbund", "vasterbergslagen", "--out", tmp_path)
    assert r.code == 0
    assert [p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*.xlsx")] == ["uppfoljning"]
    bad = run_cli("uppfoljning", "--data-dir", sample, "--year", "20x5", "--forbund", "vasterbergslagen")
    assert bad.code == 2 and "Traceback" not in bad.err
