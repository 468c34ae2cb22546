"""The samhällsekonomisk estimate per part (issue 17, part 2), on a hand-worked case.

Four deltaganden of alfa end in 2024; primary försörjning before → at exit:

=====  ========================  ==================  ============================
id     before                    at exit             part(s)
=====  ========================  ==================  ============================
d01    sjukpenning (200 000)     lön                 FK −200 000
d02    försörjningsstöd (110 000) försörjningsstöd   kommunen ±0
d03    arbetslöshetsers. (170 000) studiemedel       AF −170 000
d04    sjukersättning (180 000)  sjukersättning      FK ±0
=====  ========================  ==================  ============================

Before: FK 380 000, AF 170 000, kommunen 110 000 (660 000); at exit: FK 180 000,
AF 0, kommunen 110 000 (290 000). Yearly decrease 370 000 kr. Costs 2024:
300 000 + 70 000 = 370 000 kr, so the payback time is 1,0 year, 370 000 / 444 000
= 0,833… with a 20 % larger decrease and 370 000 / 296 000 = 1,25 with a smaller;
cost per avslutat deltagande 370 000 / 4 = 92 500 kr.
"""

from __future__ import annotations

import math

import pytest

from finsam_analysis.ingest.dataset import load_dataset
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.measures.samhallsekonomi import part_payments, payback_years, source_counts, unit_amounts
from finsam_analysis.periods import parse_period
from finsam_analysis.report.tables import report_tables

from ..helpers import write_dataset

ROWS = [
    "d01,alfa,a1,kvinna,1990,2482,gymnasial,2024-01-10,2024-06-15,planenligt,arbetssokande,forvarvsarbete,sjukpenning,lon,,",
    "d02,alfa,a1,man,1991,2482,gymnasial,2024-01-10,2024-07-15,planenligt,arbetssokande,arbetssokande,forsorjningsstod,forsorjningsstod,,",
    "d03,alfa,a1,kvinna,1992,2482,gymnasial,2024-01-10,2024-08-15,planenligt,arbetssokande,studier,arbetsloshetsersattning,studiemedel,,",
    "d04,alfa,a1,man,1993,2482,gymnasial,2024-01-10,2024-09-15,ohalsa,sjukskriven,sjukskriven,sjukersattning,sjukersattning,,",
]
AMOUNTS = (
    "forsorjning,belopp_kr_per_ar,kalla,ar\n"
    "sjukpenning,200000,Testvärde,2024\nsjukersattning,180000,Testvärde,2024\naktivitetsersattning,150000,Testvärde,2024\n"
    "arbetsloshetsersattning,170000,Testvärde,2024\naktivitetsstod,130000,Testvärde,2024\n"
    "etableringsersattning,120000,Testvärde,2024\nforsorjningsstod,110000,Testvärde,2024\n"
)
EKONOMI = (
    "forbund_id,ar,post,kommunkod,belopp_kr,avtalad_andel\n"
    "alfa,2024,kostnad_insatser,,300000,\nalfa,2024,kostnad_administration,,70000,\n"
)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("samhall"), rows=ROWS,
                         samhallsekonomi__csv=AMOUNTS, forbund_ekonomi__csv=EKONOMI,
                         dataset__yaml="uttagsdatum: 2025-01-31\n")  # fmt: skip
    data = load_dataset(root)
    assert data.quality.rejected_rows == 0, data.quality.rejects
    return data


def test_payments_per_part(dataset):
    counts = source_counts(forbund_participations(dataset, "alfa"), parse_period("2024"))
    kr = part_payments(counts, unit_amounts(dataset.samhallsekonomi))
    assert kr.loc["forsakringskassan"].tolist() == [380_000.0, 180_000.0]
    assert kr.loc["arbetsformedlingen"].tolist() == [170_000.0, 0.0]
    assert kr.loc["kommun"].tolist() == [110_000.0, 110_000.0]
    assert kr.loc["region"].tolist() == [0.0, 0.0]


def test_priced_at_the_parts_mean_amount(dataset):
    counts = source_counts(forbund_participations(dataset, "alfa"), parse_period("2024"))
    kr = part_payments(counts, unit_amounts(dataset.samhallsekonomi), frozenset({"forsakringskassan"}))
    mean = (200_000 + 180_000 + 150_000) / 3
    assert kr.loc["forsakringskassan", "fore"] == pytest.approx(2 * mean)
    assert kr.loc["forsakringskassan", "efter"] == pytest.approx(mean)
    assert kr.loc["arbetsformedlingen"].tolist() == [170_000.0, 0.0]  # the other parts as they were


def test_a_missing_amount_makes_the_part_unknown_not_zero(dataset):
    counts = source_counts(forbund_participations(dataset, "alfa"), parse_period("2024"))
    amounts = {k: v for k, v in unit_amounts(dataset.samhallsekonomi).items() if k != "sjukersattning"}
    kr = part_payments(counts, amounts)
    assert math.isnan(kr.loc["forsakringskassan", "fore"]) and math.isnan(kr.loc["forsakringskassan", "efter"])
    assert kr.loc["kommun", "fore"] == 110_000.0


def test_report_tables_without_suppression(dataset):
    tables = {t.key: t for t in report_tables(dataset, "alfa", "2024", min_cell=1)}
    parts = tables["samhallsekonomi_parter"].data
    assert parts.loc["Försäkringskassan", "Förändring (kr/år)"] == -200_000.0
    assert parts.loc["Totalt"].tolist() == [660_000.0, 290_000.0, -370_000.0]
    assert parts.loc["Regionen"].tolist() == ["–", "–", "–"]
    payback = tables["samhallsekonomi_aterbetalning"].data["Värde"]
    assert payback["Förbundets kostnader under året"] == 370_000.0
    assert payback["Kostnad per avslutat deltagande"] == 92_500.0
    assert payback["Återbetalningstid (år)"] == pytest.approx(1.0)
    assert payback["Återbetalningstid om minskningen är 20 % större (år)"] == pytest.approx(370 / 444)
    assert payback["Återbetalningstid om minskningen är 20 % mindre (år)"] == pytest.approx(1.25)


def test_small_groups_hide_the_kronor_and_the_payback(dataset):
    tables = {t.key: t for t in report_tables(dataset, "alfa", "2024", min_cell=5)}
    parts = tables["samhallsekonomi_parter"].data
    assert (parts.loc["Totalt"] == "..").all()
    payback = tables["samhallsekonomi_aterbetalning"].data["Värde"]
    assert payback["Återbetalningstid (år)"] == ".." and payback["Kostnad per avslutat deltagande"] == ".."


def test_without_amounts_the_report_says_so(tiny):
    tables = {t.key: t for t in report_tables(load_dataset(tiny), "alfa", "2024", min_cell=1)}
    assert "ingen samhallsekonomi.csv" in tables["samhallsekonomi_parter"].data.iloc[0, 0]


def test_payback_needs_a_cost_and_a_decrease():
    assert payback_years(100.0, 50.0) == 2.0
    assert payback_years(None, 50.0) is None and payback_years(100.0, -5.0) is None and payback_years(100.0, 0.0) is None
