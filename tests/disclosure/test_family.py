"""The family of periods: what each bound shows, on cases worked out by hand (issue 13)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import finsam_analysis as fa
from finsam_analysis.disclosure import published
from finsam_analysis.measures import key_figures as key_figures_module
from finsam_analysis.disclosure import family, forbund
from finsam_analysis.disclosure.family import FLOW, Family, Line, SeriesSpec
from finsam_analysis.disclosure.forbund import forbund_family
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.periods import parse_period
from finsam_analysis.synthetic.sample import write_sample

from ..helpers import write_dataset

# One frame: 31 December 2024 and the six bounds of 2025 (no month ends in between).
BOUNDS = [dt.date(2024, 12, 31), *family.standard_bounds(2025)]
DAYS = np.array([np.datetime64(x, "D").astype("int64") for x in BOUNDS])
PERIODS = forbund._period_nodes(BOUNDS)


def frame(series: dict[str, list[int]], lines=(), shares=(), remainder: dict | None = None) -> Family:
    """A frame of bounds only; ``remainder`` defaults to plenty of room everywhere."""
    specs = [SeriesSpec((k,), FLOW, np.array(v)) for k, v in series.items()]
    rem = np.array([remainder.get(k, [100] * 7) if remainder else [100] * 7 for k in series])
    return Family(
        days=DAYS, standard=np.ones(7, bool), year_end=np.array([True, False, False, False, False, False, True]),
        series=specs, lines=[Line((t,), tuple((p,) for p in parts)) for t, parts in lines],
        subsets=[((p,), (t,)) for t, parts in lines for p in parts], shares=[((a,), (b,)) for a, b in shares],
        remainder=rem, periods=PERIODS,
    )


def decide(fam: Family) -> Family:
    fam.decide_all([(i, []) for i in range(1, 7)])
    return fam


def known(fam: Family, key: str) -> list[bool]:
    return fam.known[fam.key_index((key,))].tolist()


def shown(fam: Family, key: str, label: str) -> bool:
    p = parse_period(label)
    return fam.flow_shown((key,), p.start, p.end)


def test_a_bound_is_known_when_the_stretch_since_the_last_known_one_is_large_enough():
    # Cumulative counts at 31 Dec, 31 Mar, 30 Apr, 30 Jun, 31 Aug, 30 Sep, 31 Dec.
    fam = decide(frame({"x": [0, 12, 14, 25, 27, 32, 40]}))
    # Mar: 12 since December. Apr: 2 → unknown. Jun: 13 since March. Aug: 2 since June → unknown.
    # Sep: 7 since June. Dec: 8 since September.
    assert known(fam, "x") == [True, True, False, True, False, True, True]
    for label in ("2025", "2025Q1", "2025H1", "2025Q2", "2025Q3", "2025Q4", "2025H2"):
        assert shown(fam, "x", label), label
    for hidden in ("2025T1", "2025T2", "2025T3", "2025-01-01..2025-08-31", "2025-05-01..2025-12-31"):
        assert not shown(fam, "x", hidden), hidden
    # Whatever a reader subtracts among the shown periods: 12, 13, 7, 8 and their sums.
    values = [0, 12, 25, 32, 40]
    assert all(b - a == 0 or b - a >= 5 for i, a in enumerate(values) for b in values[i + 1 :])


def test_a_bound_inside_the_year_needs_room_before_the_year_ends():
    # The same counts, but a year ago only 3 came after September: had September
    # been shown, a quiet last quarter would hide the whole year.
    rem = {"x": [100, 28, 26, 15, 13, 3, 0]}
    fam = decide(frame({"x": [0, 12, 14, 25, 37, 48, 50]}, remainder=rem))
    # Aug: 12 since June, but 13 < 15 came after August last year → unknown; Sep likewise (3).
    assert known(fam, "x") == [True, True, False, True, False, False, True]
    assert shown(fam, "x", "2025")  # 50, though only 2 came in the last quarter


def test_a_line_hides_a_second_part_with_the_first():
    # total = a + b at every bound; a gains 3 in the first quarter (too few), b 20.
    fam = decide(frame({"t": [0, 23, 30, 40, 50, 60, 70], "a": [0, 3, 5, 15, 20, 25, 30],
                        "b": [0, 20, 25, 25, 30, 35, 40]}, lines=[("t", ["a", "b"])]))
    # In March a is unknown (3) and b must be too, or total − b gives it.
    assert known(fam, "a")[1] is False and known(fam, "b")[1] is False and known(fam, "t")[1] is True
    # At the year's end every count is large: all shown, and a + b = total holds.
    assert all(known(fam, k)[6] for k in "tab")


def test_a_group_with_one_outcome_is_not_shown():
    # 7 avslutade in the year, none to arbete/studier: "0 of 7" tells each one's outcome.
    zeros = [0] * 7
    fam = decide(frame({"av": [0, 0, 0, 0, 0, 0, 7], "as": zeros, "rest": [0, 0, 0, 0, 0, 0, 7]},
                       lines=[("av", ["as", "rest"])], shares=[("as", "av")]))
    # The rest (7 of 7) would give the 0 back: it goes too.
    assert shown(fam, "av", "2025") and not shown(fam, "as", "2025") and not shown(fam, "rest", "2025")
    fam = decide(frame({"av": [0, 0, 0, 0, 0, 0, 12], "as": zeros, "rest": [0, 0, 0, 0, 0, 0, 12]},
                       lines=[("av", ["as", "rest"])], shares=[("as", "av")]))
    assert shown(fam, "as", "2025")  # 0 of 12 is at least group_min (10)


def test_a_part_that_stays_at_zero_with_its_whole_is_shown_at_zero():
    # A whole that does not move pins its parts: hiding them would protect nothing.
    fam = decide(frame({"w": [5, 5, 5, 5, 5, 5, 5], "p": [2, 2, 2, 2, 2, 2, 2], "q": [3, 3, 3, 3, 3, 3, 3]},
                       lines=[("w", ["p", "q"])]))
    assert all(all(known(fam, k)) for k in "wpq")


def _participations(rows: list[tuple[str, str | None, str]]) -> pd.DataFrame:
    """Prepared-looking participations: (startdatum, slutdatum, sysselsättning efter)."""
    d = pd.DataFrame(rows, columns=["startdatum", "slutdatum", "sysselsattning_efter"])
    d["startdatum"] = pd.to_datetime(d["startdatum"])
    d["slutdatum"] = pd.to_datetime(d["slutdatum"])
    return d


def test_a_hidden_year_end_does_not_hide_the_next_year(tmp_path):
    """Every year is its own frame: a small 2024 leaves 2025's figures alone."""
    rows = []
    for k in range(30):  # going on all the time
        rows.append(f"p{k:02d},alfa,a1,kvinna,1990,2482,gymnasial,2023-01-10,,,,,,,,")
    for k in range(3):  # 3 ended in 2024: hidden
        rows.append(f"q{k:02d},alfa,a1,man,1990,2482,gymnasial,2023-02-01,2024-06-15,planenligt,,studier,,,,")
    for k in range(20):  # 20 ended in 2025
        rows.append(f"r{k:02d},alfa,a1,man,1990,2482,gymnasial,2023-03-01,2025-0{k % 9 + 1}-10,planenligt,,studier,,,,")
    ds = fa.load_dataset(write_dataset(tmp_path / "d", rows, dataset__yaml="uttagsdatum: 2025-12-31\n"))
    fam = forbund_family(forbund_participations(ds, "alfa"), dt.date(2025, 12, 31))
    y2024, y2025 = parse_period("2024"), parse_period("2025")
    assert fam.value(("Av",), y2024.start, y2024.end) == 3 and not fam.flow_shown(("Av",), y2024.start, y2024.end)
    assert fam.value(("Av",), y2025.start, y2025.end) == 20 and fam.flow_shown(("Av",), y2025.start, y2025.end)


def test_a_small_stock_at_the_years_end_stays_hidden_the_next_year(tmp_path):
    rows = [f"p{k},alfa,a1,kvinna,1990,2482,gymnasial,2024-11-01,,,,,,,," for k in range(3)]  # 3 going on at 2024's end
    rows += [f"n{k:02d},alfa,a1,kvinna,1990,2482,gymnasial,2025-0{k % 9 + 1}-05,,,,,,,," for k in range(30)]
    ds = fa.load_dataset(write_dataset(tmp_path / "d", rows, dataset__yaml="uttagsdatum: 2025-12-31\n"))
    fam = forbund_family(forbund_participations(ds, "alfa"), dt.date(2025, 12, 31))
    assert not fam.stock_shown(("pag",), dt.date(2024, 12, 31))
    kf = fa.key_figures(ds, "alfa", "2025")
    # aktiva 2025 − nya 2025 would give the 3 going on at 2024's end back, and so would pågående at
    # 2025's end (33) − nya (30) + avslutade (0): both are hidden, nya and avslutade are shown.
    assert kf["nya_deltaganden"] == 30 and kf["avslutade_deltaganden"] == 0
    assert kf["aktiva_deltaganden"] is None and kf["pagaende_vid_periodens_slut"] is None


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("family") / "sample"
    write_sample(root, years=(2023, 2025))
    return fa.load_dataset(root)


def test_kvinnor_and_man_are_shown_wherever_both_are_large_enough(sample):
    """The done-when of issue 13: kön is publishable for every sample förbund."""
    for fid in sample.forbund["forbund_id"]:
        kf = fa.key_figures(sample, fid, "2025")
        raw = key_figures_module.raw_key_figures(sample, fid, "2025")
        if raw["kvinnor"] >= 5 and raw["man"] >= 5:
            assert kf["kvinnor"] == raw["kvinnor"] and kf["man"] == raw["man"], fid
        assert kf["kon_okand"] == raw["kon_okand"]  # a count of the data's quality, always shown


def test_the_family_counts_agree_with_the_measures(sample):
    """Every node difference is the count the measures give for the period."""
    from finsam_analysis.measures import outcomes

    fid = "skelleftea"
    d = forbund_participations(sample, fid)
    fam = published.forbund_protection(sample, fid)
    for label in ("2025", "2025H1", "2025Q3", "2025T2", "2025-01-01..2025-08-31", "2024Q4"):
        p = parse_period(label)
        s = outcomes.summary(d, p)
        for key, series in published.FLOW_SERIES.items():
            assert fam.value((series,), p.start, p.end) == s[key], (label, key)
        assert fam.stock_value(("pag",), p.end) == s["pagaende_vid_periodens_slut"]


def test_a_range_outside_the_family_shows_only_what_the_family_allows(sample):
    fam = published.forbund_protection(sample, "skelleftea")
    custom = parse_period("2025-02-01..2025-05-31")
    view = fam.with_periods([custom])
    # The standard periods look the same in the view.
    for label in ("2025", "2025H1", "2025Q1", "2025T1"):
        p = parse_period(label)
        for key in published.FLOW_SERIES.values():
            assert view.flow_shown((key,), p.start, p.end) == fam.flow_shown((key,), p.start, p.end)
    # A range across a year's end is shown only when each year's part is.
    across = parse_period("2024-10-01..2025-03-31")
    view = fam.with_periods([across])
    for key in published.FLOW_SERIES.values():
        parts = [view.flow_shown((key,), dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
                 view.flow_shown((key,), dt.date(2025, 1, 1), dt.date(2025, 3, 31))]
        assert view.flow_shown((key,), across.start, across.end) == all(parts)
