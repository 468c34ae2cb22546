"""Strukturövergripande insatser, the verksamhetsplan's targets and participants by remitterande aktör."""

from __future__ import annotations

import pytest

import finsam_analysis as fa
from finsam_analysis.report.tables import report_tables

from ..helpers import canonical_rows, write_dataset

# a2 is alfa's strukturövergripande insats (from 2019), a1 its individinriktade.
EKONOMI = ("insats_id,ar,budget_kr,utfall_kr,deltagare_personal\n"
           "a1,2024,1000000,900000,\n"
           "a2,2024,300000,350000,42\n"
           "a1,2023,800000,700000,12\n")  # rejected: staff on an individinriktad insats
MAL = ("insats_id,ar,mal,status,kommentar\n"
       "a2,2024,En lokal överenskommelse är beslutad,uppnatt,Beslut i styrelsen i maj.\n"
       "a2,2024,Sex utbildningstillfällen,delvis,Fyra av sex.\n"
       "a1,2024,Minst 40 deltagare,,\n"
       "a1,2023,Minst 30 deltagare,ej_uppnatt,\n"
       "a1,2024,Minst 40 deltagare,uppnatt,\n"  # rejected: the same target twice
       "x9,2024,Okänd insats,pagar,\n")  # rejected: no such insats
REMISS = ["kommun", "kommun", "", "forsakringskassan", "region"]


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    rows = [r + "," + ref for r, ref in zip(canonical_rows(), REMISS)]
    root = tmp_path_factory.mktemp("ins") / "d"
    write_dataset(root, rows=rows, insats_ekonomi__csv=EKONOMI, insats_mal__csv=MAL)
    path = root / "deltagande.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[0] += ",remitterande_aktor"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return fa.load_dataset(root)


def test_rules_of_the_two_files(ds):
    rej = ds.quality.rejects
    assert rej.loc[rej["fil"] == "insats_ekonomi.csv", ["rad", "kolumn"]].values.tolist() == [[4, "deltagare_personal"]]
    assert sorted(rej.loc[rej["fil"] == "insats_mal.csv", "rad"].tolist()) == [6, 7]
    assert len(ds.insats_mal) == 4


def test_structural_insatser_with_budget_staff_and_targets(ds):
    t = {x.key: x for x in report_tables(ds, "alfa", "2024", min_cell=1)}
    s = t["insatser_struktur"].data
    assert s.index.tolist() == ["Strukturarbete (a2)"]
    row = s.loc["Strukturarbete (a2)"]
    assert (row["Budget (kr)"], row["Utfall (kr)"], row["Deltagare (personal)"]) == (300_000, 350_000, 42)
    assert (row["Mål 2024"], row["Därav uppnådda"]) == (2, 1)
    assert row["Period"] == "2019-01-01–"
    goals = t["insatser_malen"].data
    assert goals["Insats"].tolist() == ["Steget vidare (a1)", "Strukturarbete (a2)", "Strukturarbete (a2)"]
    assert goals["Status"].tolist() == ["uppgift saknas", "Uppnått", "Delvis uppnått"]
    assert goals["Kommentar"].tolist()[1] == "Beslut i styrelsen i maj."
    # a half-year shows the year's targets, but no yearly money
    half = {x.key: x for x in report_tables(ds, "alfa", "2024H2", min_cell=1)}
    assert half["insatser_struktur"].data.iloc[0]["Budget (kr)"] == "–"
    # beta has neither
    beta = {x.key: x for x in report_tables(ds, "beta", "2024")}
    assert "inga strukturövergripande" in beta["insatser_struktur"].data.iloc[0, 0]
    assert "Uppgift saknas" in beta["insatser_malen"].data.iloc[0, 0]


def test_participants_by_remitterande_aktor(ds):
    # alfa 2024: d01 (kommun), d02 (kommun), d03 (none: ended 2024-01-01, still aktiv on the 1st)
    t = {x.key: x for x in report_tables(ds, "alfa", "2024", min_cell=1)}["deltagare_remitterande"].data
    assert t.loc["Kommun", "Aktiva deltagare"] == 2 and t.loc["Uppgift saknas", "Aktiva deltagare"] == 1
    assert t.loc["Totalt", "Aktiva deltagare"] == 3
    assert t.loc["Kommun", "Andel"] == pytest.approx(2 / 3)
    hidden = {x.key: x for x in report_tables(ds, "alfa", "2024")}["deltagare_remitterande"].data
    assert hidden.loc["Kommun", "Aktiva deltagare"] == ".."  # 2 < 5
