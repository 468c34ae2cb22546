"""Förbund series of helårsekvivalenter, on a table whose answers are worked out by hand.

Förbund "kust": 1482 member since 2005; 1440 joins 2024-03-15 (counts from March).
1482: sjukpenning = month number (1..5), the other five ersättningar 10 each -> summa 50 + m,
      folkmängd 1000, months Jan–May 2024.
1440: every ersättning 5 -> summa 30, folkmängd 500, months Jan–Apr (no May row).
Riket: summa 130, folkmängd 1000 every month.
"""

from __future__ import annotations

import pandas as pd
import pytest

from finsam_analysis.scb import population as ff
from finsam_analysis import schema
from finsam_analysis.periods import parse_period

MEDLEMMAR = pd.DataFrame(
    {
        "forbund_id": ["kust", "kust", "ensam"],
        "kommunkod": ["1482", "1440", "1440"],
        "giltig_from": pd.to_datetime(["2005-01-01", "2024-03-15", "2004-01-01"]).astype("datetime64[ns]"),
        "giltig_tom": pd.to_datetime([None, None, "2024-02-10"]).astype("datetime64[ns]"),
    }
)


def _rows(kommun, month, values, folk):
    return [
        {"kommunkod": kommun, "manad": pd.Timestamp(2024, month, 1), "kon": "totalt", "aldersgrupp": "20-64",
         "ersattning": e, "helarsekvivalenter": float(v), "folkmangd": folk, "imputerad": False}
        for e, v in zip(schema.ERSATTNING, values + [sum(values)])
    ]


@pytest.fixture
def he():
    rows = []
    for m in range(1, 6):
        rows += _rows("1482", m, [m, 10, 10, 10, 10, 10], 1000)
        rows += _rows("00", m, [30, 40, 20, 20, 15, 5], 1000)
    for m in range(1, 5):
        rows += _rows("1440", m, [5] * 6, 500)
    t = pd.DataFrame(rows)
    t["folkmangd"] = t["folkmangd"].astype("Int64")
    return t


def test_members_count_from_the_month_they_join_until_the_month_they_leave():
    months = pd.date_range("2024-01-01", "2024-05-01", freq="MS")
    mm = ff.member_months(MEDLEMMAR, "kust", months)
    assert mm.groupby("manad")["kommunkod"].apply(sorted).tolist() == [
        ["1482"], ["1482"], ["1440", "1482"], ["1440", "1482"], ["1440", "1482"]]
    leaving = ff.member_months(MEDLEMMAR, "ensam", months)
    assert leaving["manad"].dt.month.tolist() == [1, 2]


def test_monthly_sums_over_valid_members(he):
    m = ff.forbund_monthly(he, MEDLEMMAR, "kust")
    # May is left out: 1440 is a member but has no data.
    assert m.index.month.tolist() == [1, 2, 3, 4]
    assert m.attrs["manader_ofullstandiga"] == 1
    assert m["summa"].tolist() == [51, 52, 83, 84]
    assert m["folkmangd"].tolist() == [1000, 1000, 1500, 1500]
    assert m["kommuner"].tolist() == [1, 1, 2, 2]
    assert m["andel"].tolist() == pytest.approx([0.051, 0.052, 83 / 1500, 84 / 1500])


def test_yearly_share_is_mean_summa_over_mean_folkmangd(he):
    y = ff.yearly(ff.forbund_monthly(he, MEDLEMMAR, "kust"))
    row = y.loc[2024]
    assert row["summa"] == 67.5  # (51+52+83+84)/4
    assert row["folkmangd"] == 1250
    assert row["andel"] == pytest.approx(0.054)
    assert row["sjukpenning"] == 5.0  # (1 + 2 + (3+5) + (4+5)) / 4
    assert row["manader"] == 4 and bool(row["partiellt"])
    # Not the mean of the monthly shares:
    assert ff.forbund_monthly(he, MEDLEMMAR, "kust")["andel"].mean() != pytest.approx(0.054)


def test_riket_and_per_kommun(he):
    r = ff.yearly(ff.riket_monthly(he))
    assert r.loc[2024, "andel"] == pytest.approx(0.13) and r.loc[2024, "manader"] == 5
    k = ff.per_kommun_yearly(he, MEDLEMMAR, "kust").set_index("kommunkod")
    assert k.loc["1482", "summa"] == 53  # (51+52+53+54+55)/5
    assert k.loc["1440", "manader"] == 2 and k.loc["1440", "andel"] == pytest.approx(0.06)


def _shown(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if not k.startswith("_")}


def test_population_key_figures_use_the_months_inside_the_period(he):
    whole_year = ff.population_figures(he, MEDLEMMAR, "kust", parse_period("2024"))
    # Jan–Apr complete (May lacks 1440): (51+52+83+84)/4 = 67.5 over 1250.
    assert _shown(whole_year) == {
        "befolkning_ar": 2024, "befolkning_andel_20_64": pytest.approx(0.054), "riket_andel_20_64": pytest.approx(0.13)}
    assert (whole_year["_befolkning_manader"], whole_year["_befolkning_manader_perioden"]) == (4, 12)
    q1 = ff.population_figures(he, MEDLEMMAR, "kust", parse_period("2024Q1"))
    assert q1["befolkning_andel_20_64"] == pytest.approx((51 + 52 + 83) / 3 / ((1000 + 1000 + 1500) / 3))
    assert (q1["_befolkning_manader"], q1["_befolkning_manader_perioden"]) == (3, 3)
    # Only the months wholly inside a range: February and March.
    part = ff.population_figures(he, MEDLEMMAR, "kust", parse_period("2024-01-15..2024-03-31"))
    assert part["befolkning_andel_20_64"] == pytest.approx((52 + 83) / (1000 + 1500))
    # 2025 has no data: unknown, never 2024's share.
    later = ff.population_figures(he, MEDLEMMAR, "kust", parse_period("2025"))
    assert _shown(later) == {"befolkning_ar": None, "befolkning_andel_20_64": None, "riket_andel_20_64": None}
    assert ff.population_figures(None, MEDLEMMAR, "kust", parse_period("2024"))["befolkning_andel_20_64"] is None


def test_population_figures_of_all_forbund_at_once(he):
    # Hand values as above; "ensam" (1440 until February) has January and
    # February: summa 30, folkmängd 500.
    for table in (he, ff.wide(he)):
        together = ff.population_figures_all(table, MEDLEMMAR, ["kust", "ensam", "ingen"], parse_period("2024"))
        assert _shown(together["kust"]) == {
            "befolkning_ar": 2024, "befolkning_andel_20_64": pytest.approx(0.054),
            "riket_andel_20_64": pytest.approx(0.13)}
        assert together["ensam"]["befolkning_andel_20_64"] == pytest.approx(0.06)
        assert _shown(together["ingen"]) == {"befolkning_ar": None, "befolkning_andel_20_64": None,
                                             "riket_andel_20_64": None}
        for fid in ("kust", "ensam", "ingen"):
            for label in ("2023", "2024", "2024H1", "2025"):
                p = parse_period(label)
                assert ff.population_figures_all(table, MEDLEMMAR, [fid], p)[fid] == ff.population_figures(
                    he, MEDLEMMAR, fid, p)
    assert ff.population_figures_all(None, MEDLEMMAR, ["kust"], parse_period("2024"))["kust"]["befolkning_ar"] is None
