"""Measures of docs/rapporter.md §2 on a dataset whose answers were worked out by hand.

The rows of förbund alfa (period 2024 unless said otherwise):

 row  person insats kön    född start       slut        anledning       efter            note
  2   p1     a1     kvinna 1999 2023-06-01  2024-01-01  planenligt      forvarvsarbete   ends on the period's first day
  3   p2     a1     man    1985 2024-12-31  -           -               -                starts on its last day
  4   p3     a1     kvinna 2001 2024-03-01  2024-06-30  planenligt      studier
  5   p3     a3     -      2001 2024-07-01  -           -               -                same person, 2nd insats (latest: kön empty)
  6   p4     a1     man    1970 2024-02-01  2024-05-15  felregistrering forvarvsarbete   left out of everything
  7   p5     a1     -      1990 2022-01-01  2023-12-31  planenligt      -                ended before the period
  8   p6     a1     -      1994 2024-04-01  2024-10-31  avbrott         (empty)          unknown outcome
  9   p7     a3     -      1960 2025-01-01  -           -               -                starts after the period
 10   p8     a3     kvinna 2005 2024-05-01  2025-02-01  planenligt      arbetssokande    ends after the period
 11   p9     a1     kvinna 1980 2024-08-01  2024-12-31  planenligt      arbetssokande
 12   p1     b1 (förbund beta)  2024-03-01  -                                             a person in two förbund
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam_analysis import load_dataset
from finsam_analysis.measures import outcomes
from finsam_analysis.periods import parse_period

from ..helpers import DELTAGANDE_HEADER, INSATSER_CSV, write_dataset

ROWS = [
    "p1,alfa,a1,kvinna,1999,2482,gymnasial,2023-06-01,2024-01-01,planenligt,arbetssokande,forvarvsarbete,forsorjningsstod;sjukpenning,lon,0,100",
    "p2,alfa,a1,man,1985,2482,forgymnasial,2024-12-31,,,sjukskriven,,sjukpenning,,,",
    "p3,alfa,a1,kvinna,2001,2417,gymnasial,2024-03-01,2024-06-30,planenligt,ovrigt,studier,aktivitetsersattning,studiemedel,25,25",
    "p3,alfa,a3,,2001,2417,gymnasial,2024-07-01,,,ovrigt,,aktivitetsersattning,,,",
    "p4,alfa,a1,man,1970,2482,,2024-02-01,2024-05-15,felregistrering,,forvarvsarbete,forsorjningsstod,lon,0,100",
    "p5,alfa,a1,,1990,2482,,2022-01-01,2023-12-31,planenligt,,,,,,",
    "p6,alfa,a1,,1994,2482,,2024-04-01,2024-10-31,avbrott,arbetssokande,,,sjukpenning,10,",
    "p7,alfa,a3,,1960,2482,,2025-01-01,,,,,,,,",
    "p8,alfa,a3,kvinna,2005,2482,,2024-05-01,2025-02-01,planenligt,,arbetssokande,,,,",
    "p9,alfa,a1,kvinna,1980,2482,eftergymnasial,2024-08-01,2024-12-31,planenligt,arbetssokande,arbetssokande,arbetsloshetsersattning,arbetsloshetsersattning,0,0",
    "p1,beta,b1,kvinna,1999,0180,gymnasial,2024-03-01,,,arbetssokande,,forsorjningsstod,,,",
]
INSATSER = INSATSER_CSV + "a3,alfa,Unga vuxna,individinriktad,2023-01-01,,,,\n"
EKONOMI = "insats_id,ar,budget_kr,utfall_kr\na1,2024,520000,500000\na3,2024,100000,\n"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    write_dataset(root, rows=ROWS, insatser__csv=INSATSER, insats_ekonomi__csv=EKONOMI)
    dataset = load_dataset(root)
    assert dataset.quality.rejected_rows == 0, dataset.quality.rejects
    return dataset


@pytest.fixture(scope="module")
def alfa(ds):
    d = outcomes.participations(ds)
    return d.loc[d["forbund_id"] == "alfa"]


P2024 = parse_period("2024")


def test_felregistrering_is_left_out(ds):
    assert len(ds.deltagande) == 11
    assert len(outcomes.participations(ds)) == 10
    assert "p4" not in set(outcomes.participations(ds)["deltagare_id"])


def test_counts_on_the_edges(alfa):
    # aktiva: rows 2,3,4,5,8,10,11 (row 2 ends on the first day, row 3 starts on the last)
    assert outcomes.participation_counts(alfa, P2024) == {
        "aktiva_deltaganden": 7,
        "nya_deltaganden": 6,  # rows 3,4,5,8,10,11
        "avslutade_deltaganden": 4,  # rows 2,4,8,11
        "pagaende_vid_periodens_slut": 3,  # rows 3,5,10
    }


def test_persons_take_kon_from_their_latest_participation(alfa):
    # p1 K, p2 M, p3 latest row 5 (empty), p6 empty, p8 K, p9 K
    assert outcomes.person_counts(alfa, P2024) == {"aktiva_deltagare": 6, "kvinnor": 3, "man": 1, "kon_okand": 2}


def test_a_person_in_two_forbund_counts_in_each(ds):
    d = outcomes.participations(ds)
    beta = d.loc[d["forbund_id"] == "beta"]
    assert outcomes.person_counts(beta, P2024) == {"aktiva_deltagare": 1, "kvinnor": 1, "man": 0, "kon_okand": 0}


def _wilson_by_quadratic(k, n, z=1.959963984540054):
    # Solve (p̂ − p)² = z² p (1 − p) / n for p: an independent derivation.
    ph = k / n
    a = 1 + z * z / n
    b = -(2 * ph + z * z / n)
    c = ph * ph
    disc = math.sqrt(b * b - 4 * a * c)
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


def test_summary_of_outcomes(alfa):
    s = outcomes.summary(alfa, P2024)
    # avslutade rows 2 (arbete), 4 (studier), 8 (empty -> ovriga, okand), 11 (arbetssokande)
    assert {k: s[k] for k in outcomes.OUTCOME_KEYS} == {
        "arbete": 1, "studier": 1, "arbete_studier": 2, "arbetssokande": 1, "ovriga": 1, "okand": 1,
    }
    assert s["andel_arbete_studier"] == 0.5
    assert s["andel_okand"] == 0.25
    lo, hi = _wilson_by_quadratic(2, 4)
    assert s["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert s["ci_high"] == pytest.approx(hi, abs=1e-12)
    # omfattning known both: rows 2 (0->100 up), 4 (25->25), 11 (0->0); row 8 lacks efter
    assert (s["okat_omfattning"], s["omfattning_kand"]) == (1, 3)
    assert s["andel_okat_omfattning"] == pytest.approx(1 / 3)
    # tid: 214, 121, 213, 152 days -> median (152+213)/2, quartiles by linear interpolation
    assert s["tid_i_insats_median_dagar"] == 182.5
    assert s["tid_i_insats_q1_dagar"] == 121 + 0.75 * (152 - 121)
    assert s["tid_i_insats_q3_dagar"] == 213 + 0.25 * (214 - 213)
    # primary före: forsorjningsstod, aktivitetsersattning, (empty), arbetsloshetsersattning -> 3 of 4
    # primary efter: lon, studiemedel, sjukpenning, arbetsloshetsersattning -> 2 of 4
    assert s["andel_offentlig_forsorjning_fore"] == 0.75
    assert s["andel_offentlig_forsorjning_efter"] == 0.5


def test_transition_table(alfa):
    t = outcomes.forsorjning_transition(alfa.loc[outcomes.ended(alfa, P2024)])
    assert t.shape == (6, 6)
    assert int(t.to_numpy().sum()) == 4
    expected = {
        ("ekonomiskt_bistand", "egen"): 1,
        ("ohalsa", "egen"): 1,
        ("okand", "ohalsa"): 1,
        ("arbetsmarknad", "arbetsmarknad"): 1,
    }
    for (fore, efter), n in expected.items():
        assert t.loc[fore, efter] == n


def test_empty_period_gives_zeros_and_nones(alfa):
    s = outcomes.summary(alfa, parse_period("2019"))
    assert all(s[k] == 0 for k in outcomes.COUNT_KEYS)
    assert s["andel_arbete_studier"] is None and s["ci_low"] is None
    assert s["tid_i_insats_median_dagar"] is None


def test_other_period_kinds(alfa):
    # 2024Q4 = Oct–Dec: aktiva rows 3 (Dec 31), 5, 8 (ends Oct 31), 10, 11 -> 5; avslutade 8, 11
    s = outcomes.summary(alfa, parse_period("2024Q4"))
    assert (s["aktiva_deltaganden"], s["avslutade_deltaganden"], s["nya_deltaganden"]) == (5, 2, 1)
    # A range that starts on row 2's last day: it is still aktiv then.
    s = outcomes.summary(alfa, parse_period("2024-01-01..2024-01-01"))
    assert (s["aktiva_deltaganden"], s["avslutade_deltaganden"], s["pagaende_vid_periodens_slut"]) == (1, 1, 0)


def test_split_by_insats_counts_a_person_in_each(alfa):
    by = outcomes.summary_by(alfa, P2024, "insats")
    assert by.loc["a1", "aktiva_deltagare"] == 5  # p1 p2 p3 p6 p9
    assert by.loc["a3", "aktiva_deltagare"] == 2  # p3 p8
    assert by["aktiva_deltaganden"].sum() == 7
    # all four avslutade (rows 2, 4, 8, 11) are in a1
    assert by.loc["a1", "arbete_studier"] == 2 and by.loc["a1", "avslutade_deltaganden"] == 4


def test_split_by_kon_adds_up(alfa):
    by = outcomes.summary_by(alfa, P2024, "kon")
    assert list(by.index) == ["kvinna", "man", "okand"]
    assert by["aktiva_deltagare"].tolist() == [3, 1, 2]
    # participations by their own kön: rows 2,4,10,11 K; 3 M; 5,8 empty
    assert by["aktiva_deltaganden"].tolist() == [4, 1, 2]
    assert by["avslutade_deltaganden"].sum() == 4


def test_split_by_aldersgrupp(alfa):
    by = outcomes.summary_by(alfa, P2024, "aldersgrupp")
    # ages at start: row2 24, row3 39, row4 23, row5 23, row8 30, row10 19, row11 44
    # persons (latest): p1 24 (16-24), p2 39 (30-39), p3 23 (16-24), p6 30, p8 19, p9 44
    assert by["aktiva_deltagare"].to_dict() == {"<16": 0, "16-24": 3, "25-29": 0, "30-39": 2, "40-49": 1, "50+": 0}


def test_monthly_series_matches_a_month_by_month_count(alfa):
    series = outcomes.monthly_active(alfa, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01"))
    assert series.tolist() == [1, 0, 1, 2, 3, 3, 3, 4, 4, 4, 3, 4]
    for month, n in series.items():
        end = month + pd.offsets.MonthEnd(0)
        p = parse_period(f"{month:%Y-%m-%d}..{end:%Y-%m-%d}")
        assert outcomes.active(alfa, p).sum() == n


def test_insatser_mot_mal(ds, alfa):
    t = outcomes.insatser_mot_mal(alfa, ds.insatser[ds.insatser["forbund_id"] == "alfa"], ds.insats_ekonomi, P2024)
    assert t["insats_id"].tolist() == ["a1", "a3"]  # a2 is strukturövergripande
    a1 = t.set_index("insats_id").loc["a1"]
    assert a1["aktiva_deltagare"] == 5 and a1["mal_deltagare_per_ar"] == 40
    assert a1["andel_arbete_studier"] == pytest.approx(2 / 4)
    assert a1["mal_andel_arbete_studier"] == pytest.approx(0.4)
    assert a1["kostnad_per_deltagare"] == pytest.approx(500000 / 5)
    a3 = t.set_index("insats_id").loc["a3"]
    assert a3["utfall_kr"] is None or pd.isna(a3["utfall_kr"])
    # Targets are annual: not compared for a quarter.
    q = outcomes.insatser_mot_mal(alfa, ds.insatser[ds.insatser["forbund_id"] == "alfa"], ds.insats_ekonomi,
                                  parse_period("2024Q2"))
    assert q["mal_deltagare_per_ar"].isna().all()


def test_wilson_edges():
    assert outcomes.wilson_interval(0, 0) == (None, None)
    lo, hi = outcomes.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(_wilson_by_quadratic(0, 10)[1])
    lo, hi = outcomes.wilson_interval(10, 10)
    assert hi == 1.0 and lo == pytest.approx(_wilson_by_quadratic(10, 10)[0])


# --------------------------------------------------------------------------
# Properties on random participations
# --------------------------------------------------------------------------

SYSS = [None, "forvarvsarbete", "subventionerad_anstallning", "studier", "praktik", "arbetssokande",
        "sjukskriven", "ovrigt", "okand"]
row_strategy = st.tuples(
    st.integers(0, 7),  # person
    st.sampled_from(["i1", "i2", "i3"]),
    st.sampled_from(["kvinna", "man", None]),
    st.integers(1950, 2008),
    st.integers(0, 1500),  # start day offset from 2021-01-01
    st.one_of(st.none(), st.integers(0, 700)),  # duration
    st.sampled_from(SYSS),
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.integers(0, 100)),
    st.sampled_from([None, "forsorjningsstod", "lon", "sjukpenning;lon", "studiemedel"]),
)


def _frame(rows) -> pd.DataFrame:
    base = pd.Timestamp("2021-01-01")
    start = [base + pd.Timedelta(days=r[4]) for r in rows]
    end = [s + pd.Timedelta(days=r[5]) if r[5] is not None else pd.NaT for s, r in zip(start, rows)]
    from finsam_analysis import schema

    return pd.DataFrame(
        {
            "deltagare_id": [f"p{r[0]}" for r in rows],
            "forbund_id": "f",
            "insats_id": [r[1] for r in rows],
            "kon": pd.Categorical([r[2] for r in rows], categories=list(schema.KON)),
            "fodelsear": pd.array([r[3] for r in rows], dtype="Int64"),
            "folkbokforingskommun": pd.array(["2482"] * len(rows), dtype="str"),
            "utbildningsniva": pd.Categorical([None] * len(rows), categories=list(schema.UTBILDNINGSNIVA)),
            "startdatum": pd.to_datetime(start).astype("datetime64[ns]"),
            "slutdatum": pd.to_datetime(end).astype("datetime64[ns]"),
            "avslutsanledning": pd.Categorical(["planenligt" if r[5] is not None else None for r in rows],
                                               categories=list(schema.AVSLUTSANLEDNING)),
            "sysselsattning_efter": pd.Categorical([r[6] for r in rows], categories=list(schema.SYSSELSATTNING)),
            "omfattning_fore": pd.array([r[7] for r in rows], dtype="Int64"),
            "omfattning_efter": pd.array([r[8] for r in rows], dtype="Int64"),
            "forsorjning_fore": pd.array([r[9] for r in rows], dtype="str"),
            "forsorjning_efter": pd.array([r[9] for r in reversed(rows)], dtype="str"),
        }
    )


periods = st.sampled_from(["2021", "2022", "2023H2", "2024Q1", "2022T3", "2022-02-10..2023-03-05", "2020"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_strategy, min_size=0, max_size=25), period=periods)
def test_shares_in_range_and_groups_add_up(rows, period):
    d = outcomes.prepare(_frame(rows))
    p = parse_period(period)
    s = outcomes.summary(d, p)
    for key in ("andel_arbete_studier", "ci_low", "ci_high", "andel_okat_omfattning",
                "andel_offentlig_forsorjning_fore", "andel_offentlig_forsorjning_efter", "andel_okand"):
        assert s[key] is None or 0.0 <= s[key] <= 1.0
    if s["andel_arbete_studier"] is not None:
        assert s["ci_low"] <= s["andel_arbete_studier"] <= s["ci_high"]
    assert s["aktiva_deltaganden"] == s["avslutade_deltaganden"] + s["pagaende_vid_periodens_slut"]
    assert s["aktiva_deltagare"] == s["kvinnor"] + s["man"] + s["kon_okand"]
    assert s["avslutade_deltaganden"] == s["arbete_studier"] + s["arbetssokande"] + s["ovriga"]
    assert s["okand"] <= s["ovriga"]
    assert s["aktiva_deltagare"] <= s["aktiva_deltaganden"]
    for by in ("kon", "aldersgrupp"):
        t = outcomes.summary_by(d, p, by)
        for key in outcomes.COUNT_KEYS:
            assert t[key].sum() == s[key], (by, key)
    by_insats = outcomes.summary_by(d, p, "insats")
    if len(by_insats):
        assert by_insats["aktiva_deltaganden"].sum() == s["aktiva_deltaganden"]
        assert by_insats["aktiva_deltagare"].sum() >= s["aktiva_deltagare"]
    # the monthly series agrees with the definition of aktiv, month by month
    series = outcomes.monthly_active(d, pd.Timestamp("2021-01-01"), pd.Timestamp("2021-06-01"))
    for month, n in series.items():
        end = month + pd.offsets.MonthEnd(0)
        assert outcomes.active(d, parse_period(f"{month:%Y-%m-%d}..{end:%Y-%m-%d}")).sum() == n


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_strategy, min_size=0, max_size=25), period=periods)
def test_summaries_of_all_groups_equal_summary_per_group(rows, period):
    # The one-pass computation for many groups (the key figures of every
    # förbund) against summary() on each group's own rows, ties included:
    # a person's rows may share start and end and differ in kön.
    canonical = _frame(rows)
    if len(canonical) > 2:  # a felregistrering row, left out by both routes
        canonical.loc[1, "avslutsanledning"] = "felregistrering"
    d = outcomes.prepare(canonical)
    p = parse_period(period)
    keys = ["i1", "i2", "i3", "saknas"]
    # From the prepared table, and from the canonical one (masked, not copied).
    for together in (outcomes.summaries(d, p, "insats_id", keys), outcomes.summaries(canonical, p, "insats_id", keys)):
        assert list(together) == keys
        for key in keys:
            alone = outcomes.summary(d.loc[d["insats_id"] == key], p)
            assert list(together[key]) == list(alone)
            for name, value in alone.items():
                assert together[key][name] == value and type(together[key][name]) is type(value), (key, name)


def test_summaries_on_the_hand_dataset(ds):
    s = outcomes.summaries(outcomes.participations(ds), P2024, "forbund_id", ["alfa", "beta", "gamma"])
    # Worked out by hand above: alfa has 6 persons (3 K, 1 M, 2 unknown) and
    # 7 aktiva deltaganden; beta one woman; gamma has no rows at all.
    alfa = s["alfa"]
    assert (alfa["aktiva_deltagare"], alfa["kvinnor"], alfa["man"], alfa["kon_okand"]) == (6, 3, 1, 2)
    assert (alfa["aktiva_deltaganden"], alfa["nya_deltaganden"], alfa["avslutade_deltaganden"]) == (7, 6, 4)
    assert (alfa["arbete"], alfa["studier"], alfa["arbetssokande"], alfa["ovriga"], alfa["okand"]) == (1, 1, 1, 1, 1)
    assert alfa["andel_arbete_studier"] == 0.5 and alfa["tid_i_insats_median_dagar"] == 182.5
    assert (s["beta"]["aktiva_deltagare"], s["beta"]["kvinnor"]) == (1, 1)
    assert s["gamma"]["aktiva_deltagare"] == 0 and s["gamma"]["andel_arbete_studier"] is None


def test_the_latest_participation_is_the_same_whatever_the_order_of_the_rows():
    """Ties on startdatum and slutdatum: a known kön wins, then the highest deltagande_id."""
    base = [
        "t1,alfa,a1,kvinna,1990,2482,,2024-03-01,,,,,,,,",
        "t1,alfa,a3,man,1990,2482,,2024-03-01,,,,,,,,",
        "t1,alfa,a1,,1990,2482,,2024-03-01,,,,,,,,",
    ]
    ids = ["x-1", "x-2", "x-3"]
    header = "deltagande_id," + DELTAGANDE_HEADER
    import itertools

    seen = set()
    for perm in itertools.permutations(range(3)):
        rows = [f"{ids[i]},{base[i]}" for i in perm]
        root = write_dataset(Path(tempfile.mkdtemp()), rows=[], deltagande__csv=header + "\n" + "\n".join(rows) + "\n",
                             insatser__csv=INSATSER)
        d = outcomes.prepare(load_dataset(root).deltagande)
        people = outcomes.person_counts(d, parse_period("2024"))
        # x-3 has no kön, so of the two with kön the highest id (x-2, man) decides.
        seen.add((people["kvinnor"], people["man"], people["kon_okand"]))
        assert outcomes.summaries(d, parse_period("2024"), "forbund_id", ["alfa"])["alfa"]["man"] == people["man"]
    assert seen == {(0, 1, 0)}
