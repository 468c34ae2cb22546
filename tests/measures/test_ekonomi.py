"""The förbund's economy: income per part against the statutory split, costs and result, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import finsam_analysis as fa
from finsam_analysis.measures import ekonomi
from finsam_analysis.report.tables import report_tables

from ..helpers import write_dataset

# alfa has Skellefteå (2482) and Norsjö (2417) as members from 2005.
EKONOMI_CSV = (
    "forbund_id,ar,post,kommunkod,belopp_kr,avtalad_andel\n"
    "alfa,2024,medlemsavgift_forsakringskassan,,1000000,\n"
    "alfa,2024,medlemsavgift_region,,500000,\n"
    "alfa,2024,medlemsavgift_kommun,2482,400000,0.8\n"
    "alfa,2024,medlemsavgift_kommun,2417,100000,0.2\n"
    "alfa,2024,ovriga_intakter,,20000,\n"
    "alfa,2024,kostnad_insatser,,1600000,\n"
    "alfa,2024,kostnad_administration,,300000,\n"
    "alfa,2023,medlemsavgift_forsakringskassan,,900000,\n"
    "alfa,2023,kostnad_insatser,,950000,\n"
    # rejected: a kommunkod on a cost, a kommun that is not a member, an unknown post, an agreed share on FK
    "alfa,2024,kostnad_ovrigt,2482,5,\n"
    "alfa,2024,medlemsavgift_kommun,0180,50000,\n"
    "beta,2024,hyra,,1,\n"
    "beta,2024,medlemsavgift_forsakringskassan,,10,0.5\n"
)
INSATS_EKONOMI = "insats_id,ar,budget_kr,utfall_kr\na1,2024,1000000,900000\na2,2024,300000,350000\na1,2023,800000,700000\n"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("ek") / "d", forbund_ekonomi__csv=EKONOMI_CSV,
                         insats_ekonomi__csv=INSATS_EKONOMI)
    return fa.load_dataset(root)


def test_rows_breaking_a_rule_are_rejected_with_their_reason(ds):
    rej = ds.quality.rejects
    rej = rej.loc[rej["fil"] == "forbund_ekonomi.csv"].sort_values("rad")
    assert rej["rad"].tolist() == [11, 12, 13, 14]
    assert rej["skal"].tolist()[:2] == ["kommunkod anges bara för medlemsavgift_kommun",
                                        "kommunen var inte medlem i förbundet det året"]
    assert "okänd kod 'hyra'" in rej["skal"].tolist()[2]
    assert rej["kolumn"].tolist()[3] == "avtalad_andel"
    assert len(ds.forbund_ekonomi) == 9


def test_income_per_part_against_the_statutory_split(ds):
    t = ekonomi.intakter(ds.forbund_ekonomi, "alfa", 2024)
    # contributions 1 000 000 + 500 000 + 400 000 + 100 000 = 2 000 000
    assert t.index.tolist() == ["medlemsavgift_forsakringskassan", "medlemsavgift_region", "2417", "2482",
                                "ovriga_intakter"]
    assert t["belopp_kr"].tolist() == [1_000_000, 500_000, 100_000, 400_000, 20_000]
    # law: 1/2, 1/4, and the kommuner's quarter as agreed (0.2 and 0.8)
    assert t["lagstadgad_andel"].tolist()[:4] == pytest.approx([0.5, 0.25, 0.05, 0.2])
    assert t["lagstadgat_kr"].tolist()[:4] == pytest.approx([1_000_000, 500_000, 100_000, 400_000])
    assert np.isnan(t.at["ovriga_intakter", "lagstadgad_andel"])
    assert ekonomi.kommun_basis(ds.forbund_ekonomi, "alfa", 2024, None) == "avtal"


def test_the_kommuner_quarter_by_folkmangd_without_an_agreement():
    rows = pd.DataFrame({
        "forbund_id": ["f"] * 3, "ar": [2024] * 3,
        "post": ["medlemsavgift_forsakringskassan", "medlemsavgift_kommun", "medlemsavgift_kommun"],
        "kommunkod": [None, "0001", "0002"], "belopp_kr": [600.0, 200.0, 100.0], "avtalad_andel": [None] * 3,
    })
    months = pd.date_range("2024-01-01", periods=2, freq="MS")
    he = pd.DataFrame({
        "kommunkod": ["0001", "0001", "0002", "0002"], "manad": list(months) * 2, "kon": "totalt",
        "aldersgrupp": "20-64", "ersattning": "summa", "helarsekvivalenter": 0.0,
        "folkmangd": [300, 300, 100, 100],  # 3 : 1
    })
    weights = ekonomi.kommun_weights(he, ["0001", "0002"], 2024)
    assert weights == pytest.approx({"0001": 0.75, "0002": 0.25})
    t = ekonomi.intakter(rows, "f", 2024, weights)
    # contributions 900; the kommuner's quarter 225 is shared 3:1 -> 168.75 and 56.25
    assert t.loc[["0001", "0002"], "lagstadgat_kr"].tolist() == pytest.approx([168.75, 56.25])
    assert ekonomi.kommun_basis(rows, "f", 2024, weights) == "folkmangd"
    assert ekonomi.kommun_basis(rows, "f", 2024, None) == "okand"
    assert ekonomi.kommun_weights(he, ["0001", "0003"], 2024) is None  # a kommun without folkmängd


def test_costs_and_result(ds):
    costs = ekonomi.kostnader(ds.forbund_ekonomi, "alfa", 2024)
    assert costs.to_dict() == {"kostnad_insatser": 1_600_000, "kostnad_administration": 300_000, "kostnad_ovrigt": 0}
    assert ekonomi.kostnader(ds.forbund_ekonomi, "alfa", 2022).empty  # not reported: unknown, not 0


def test_the_report_section(ds):
    tables = {t.key: t for t in report_tables(ds, "alfa", "2024", min_cell=1)}
    inc = tables["ekonomi_intakter"].data
    parts = ["Försäkringskassan", "Region", "Norsjö", "Skellefteå"]
    assert inc.loc[parts, "2024 (kr)"].sum() == inc.at["Summa medlemsavgifter", "2024 (kr)"] == 2_000_000
    assert inc.at["Summa intäkter", "2024 (kr)"] == 2_020_000
    assert inc.at["Försäkringskassan", "2023 (kr)"] == 900_000 and inc.at["Region", "2023 (kr)"] == 0
    res = tables["ekonomi_resultat"].data
    assert res.at["Över-/underskott", "2024 (kr)"] == 2_020_000 - 1_900_000
    assert res.at["Över-/underskott", "2023 (kr)"] == 900_000 - 950_000  # a deficit is negative
    ins = tables["ekonomi_insatser"].data
    assert ins["Utfall − budget (kr)"].tolist() == [-100_000, 50_000]
    # a1 had 3 aktiva deltagare in 2024 (tests/measures/test_outcomes.py): 900 000 / 3
    assert ins["Kostnad per deltagare (kr)"].tolist()[0] == pytest.approx(300_000)
    assert ins["Kostnad per deltagare (kr)"].tolist()[1] == "–"  # structural: no participants


def test_a_year_without_rows_is_unknown_and_a_small_group_hides_its_cost(ds):
    tables = {t.key: t for t in report_tables(ds, "beta", "2024")}
    assert "Uppgift saknas" in tables["ekonomi_intakter"].data.iloc[0, 0]
    alfa = {t.key: t for t in report_tables(ds, "alfa", "2024")}
    assert alfa["ekonomi_insatser"].data["Kostnad per deltagare (kr)"].tolist()[0] == ".."  # 3 < 5 persons
    assert alfa["ekonomi_insatser"].data["Utfall (kr)"].tolist()[0] == 900_000  # money is not hidden
    half = {t.key: t for t in report_tables(ds, "alfa", "2024H1")}
    assert "per helår" in half["ekonomi"].data.iloc[0, 0]
