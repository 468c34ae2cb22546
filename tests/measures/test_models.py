"""finsam_analysis.report.exploration: flows, extra breakdowns, comparison and the outcome model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finsam_analysis import load_dataset
from finsam_analysis.report import exploration as modelling
from finsam_analysis.measures import models, outcomes
from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.errors import FinsamError
from finsam_analysis.disclosure.published import key_figures
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.periods import parse_period
from finsam_analysis.synthetic.sample import write_sample
from finsam_analysis.report.tables import report_tables

from ..helpers import write_dataset


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    """Two förbund of the synthetic sample, 2023–2025, loaded with a private key."""
    root = tmp_path_factory.mktemp("modelling") / "data"
    write_sample(root, n_forbund=2, years=(2023, 2025))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FINSAM_KEY_FILE", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
        mp.delenv("FINSAM_PSEUDONYM_KEY", raising=False)
        return load_dataset(root)


# ---------------------------------------------------------------------------
# Synthetic participations with a known model
# ---------------------------------------------------------------------------

TRUE_OR = {
    ("kon", "kvinna"): 2.0,
    ("aldersgrupp", "25-29"): 0.8,
    ("aldersgrupp", "30-39"): 0.6,
    ("aldersgrupp", "40-49"): 0.5,
    ("aldersgrupp", "50+"): 0.4,
    ("utbildningsniva", "forgymnasial"): 0.7,
    ("utbildningsniva", "eftergymnasial"): 1.5,
    ("forsorjning_fore", "ohalsa"): 0.5,
    ("forsorjning_fore", "ekonomiskt_bistand"): 0.8,
    ("forsorjning_fore", "egen"): 1.3,
}
AGE_BIRTH = {"16-24": 2004, "25-29": 1997, "30-39": 1990, "40-49": 1980, "50+": 1968}  # ages at a 2024 start
FORS_SOURCE = {"arbetsmarknad": "aktivitetsstod", "ohalsa": "sjukpenning", "ekonomiskt_bistand": "forsorjningsstod",
               "egen": "lon"}  # fmt: skip


def synthetic(n: int = 4000, seed: int = 20250101, kon_missing: int = 0) -> pd.DataFrame:
    """Prepared participations whose outcome follows a logistic model with :data:`TRUE_OR`."""
    rng = np.random.default_rng(seed)
    kon = rng.choice(["kvinna", "man"], size=n, p=[0.55, 0.45]).astype(object)
    age = rng.choice(list(AGE_BIRTH), size=n, p=[0.35, 0.2, 0.2, 0.15, 0.1])
    utb = rng.choice(["forgymnasial", "gymnasial", "eftergymnasial"], size=n, p=[0.35, 0.45, 0.2])
    fors = rng.choice(list(FORS_SOURCE), size=n, p=[0.25, 0.3, 0.3, 0.15])
    eta = np.full(n, -0.6)
    for values, name in ((kon, "kon"), (age, "aldersgrupp"), (utb, "utbildningsniva"), (fors, "forsorjning_fore")):
        eta += np.array([np.log(TRUE_OR.get((name, v), 1.0)) for v in values])
    y = rng.random(n) < 1 / (1 + np.exp(-eta))
    kon[:kon_missing] = None
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 150, n), unit="D")
    frame = pd.DataFrame(
        {
            "deltagande_id": [f"x{i}" for i in range(n)],
            "forbund_id": "alfa",
            "insats_id": rng.choice(["a1", "a2"], size=n),
            "deltagare_id": [f"p{i}" for i in range(n)],
            "kon": pd.Categorical(kon, categories=["kvinna", "man"]),
            "fodelsear": pd.array([AGE_BIRTH[a] for a in age], dtype="Int64"),
            "folkbokforingskommun": "2482",
            "utbildningsniva": pd.Categorical(utb, categories=["forgymnasial", "gymnasial", "eftergymnasial", "okand"]),
            "startdatum": start,
            "slutdatum": start + pd.to_timedelta(rng.integers(30, 200, n), unit="D"),
            "avslutsanledning": "planenligt",
            "sysselsattning_efter": np.where(y, "forvarvsarbete", "arbetssokande"),
            "forsorjning_fore": pd.array([FORS_SOURCE[f] for f in fors], dtype="str"),
            "forsorjning_efter": pd.array(["lon"] * n, dtype="str"),
        }
    )
    return outcomes.prepare(frame)


@pytest.fixture(scope="module")
def known():
    return synthetic()


def estimate(model: modelling.OutcomeModel, term: str) -> pd.Series:
    row = model.table.loc[model.table["term"] == term]
    assert len(row) == 1, f"{term} saknas i modellen"
    return row.iloc[0]


def test_the_model_recovers_a_known_odds_ratio(known):
    model = modelling.outcome_model(known, "2024-2025")
    assert model.fitted, model.message
    assert model.n == len(known)
    women = estimate(model, "kon[kvinna]")
    assert women["ki_lag"] <= 2.0 <= women["ki_hog"]
    assert 1.5 <= women["oddskvot"] <= 2.5  # within ±25 % of the truth
    for (name, level), truth in TRUE_OR.items():
        row = estimate(model, f"{name}[{level}]")
        assert row["ki_lag"] <= truth <= row["ki_hog"], (name, level, row["oddskvot"])


def test_reference_levels_are_explicit(known):
    model = modelling.outcome_model(known, (2024, 2025))
    refs = model.table.loc[model.table["referens"]].set_index("variabel")["niva"].to_dict()
    assert refs == {"Kön": "Man", "Åldersgrupp": "16–24 år", "Utbildningsnivå": "Gymnasial",
                    "Försörjning före (först angivna)": "Arbetsmarknad"}  # fmt: skip
    assert (model.table.loc[model.table["referens"], "oddskvot"] == 1.0).all()
    other = modelling.outcome_model(known, (2024, 2025), reference={"kon": "kvinna"})
    women_ref = estimate(modelling.outcome_model(known, (2024, 2025)), "kon[kvinna]")["oddskvot"]
    assert estimate(other, "kon[man]")["oddskvot"] == pytest.approx(1 / women_ref, rel=1e-4)


def test_too_few_avslutade_refuses_to_fit():
    model = modelling.outcome_model(synthetic(n=80), "2024-2025")
    assert not model.fitted
    assert "minst 100" in model.message and "80" in model.message
    assert model.table.empty
    assert "observationsdata" in model.caveats
    assert "Modellen skattas inte" in modelling.model_html(model)


def test_a_small_level_is_never_shown(known):
    d = synthetic(n=1500, kon_missing=3)  # three participations with kön missing
    model = modelling.outcome_model(d, "2024-2025", min_cell=5)
    assert model.fitted
    kon = model.table.loc[model.table["variabel"] == "Kön"]
    assert "Uppgift saknas" not in set(kon["niva"])
    merged = kon.loc[kon["niva"] == models.MERGED_LABEL].iloc[0]
    assert merged["n"] == SUPPRESSED and pd.isna(merged["oddskvot"])  # too small to estimate or show
    numbers = [v for v in model.table["n"] if v != SUPPRESSED]
    assert min(numbers) >= 5
    # The merged row's count is hidden, and so is a complement: nothing can be subtracted back.
    assert (kon["n"] == SUPPRESSED).sum() >= 2
    assert model._n_used == 1500 - 3
    assert any("ingår inte" in note for note in model.notes)


def test_missing_values_are_a_level_of_their_own():
    model = modelling.outcome_model(synthetic(n=1500, kon_missing=200), "2024-2025")
    assert "Uppgift saknas" in set(model.table.loc[model.table["variabel"] == "Kön", "niva"])
    assert model._n_used == 1500


def test_fixed_effects_and_labels(known):
    model = modelling.outcome_model(known, "2024-2025", fixed_effects="insats",
                                    labels={"insats": {"a1": "Steget", "a2": "Vägen"}})  # fmt: skip
    insats = model.table.loc[model.table["variabel"] == "Insats"]
    assert set(insats["niva"]) == {"Steget", "Vägen"}
    assert insats["referens"].sum() == 1
    row = insats.loc[~insats["referens"]].iloc[0]
    assert row["ki_lag"] <= 1.0 <= row["ki_hog"]  # insats has no true effect
    with pytest.raises(FinsamError, match="Okänd fast effekt"):
        modelling.outcome_model(known, "2024-2025", fixed_effects="kommun")


def test_model_period_and_years():
    assert modelling.model_period("2025").label == "2023-01-01..2025-12-31"
    assert modelling.model_period("2025Q2", years=2).label == "2024-01-01..2025-06-30"
    assert models._model_period("2023-2025").label == "2023-01-01..2025-12-31"
    assert models._model_period((2024, 2024)).label == "2024"
    assert models._model_period(2024).label == "2024"


def test_dataset_model_on_the_sample(ds):
    model = modelling.dataset_outcome_model(ds, "2023-2025", fixed_effects="forbund",
                                            reference={"forbund": "skelleftea"})  # fmt: skip
    assert model.fitted, model.message
    forbund = model.table.loc[model.table["variabel"] == "Förbund"]
    assert forbund.loc[forbund["referens"], "niva"].tolist() == ["Samordningsförbundet Skellefteå"]
    table = modelling.model_table(model)
    assert table.formatted().loc["Man", "Oddskvot"] == "1 (referens)"


# ---------------------------------------------------------------------------
# Flows
# ---------------------------------------------------------------------------


def test_flows_per_month_counts_by_hand(tiny):
    d = forbund_participations(load_dataset(tiny), "alfa")
    f = modelling.flows_per_month(d, "2023-11-01", "2024-10-31")
    # d01 2024-02-01..2024-09-30, d02 2024-03-15.., d03 2023-11-01..2024-01-01
    assert f.loc["2023-11-01"].tolist() == [1, 0, 1]
    assert f.loc["2024-01-01"].tolist() == [0, 1, 1]
    assert f.loc["2024-02-01"].tolist() == [1, 0, 1]
    assert f.loc["2024-03-01"].tolist() == [1, 0, 2]
    assert f.loc["2024-09-01"].tolist() == [0, 1, 2]
    assert f.loc["2024-10-01"].tolist() == [0, 0, 1]
    assert list(f.columns) == ["nya", "avslutade", "aktiva"]


def test_flow_identity_holds_on_the_sample(ds):
    d = forbund_participations(ds, "skelleftea")
    f = modelling.flows_per_month(d, "2023-01-01", "2025-12-31")
    assert (f["aktiva"].diff().iloc[1:] == (f["nya"] - f["avslutade"].shift(1)).iloc[1:]).all()


def derivable(flows: pd.DataFrame, hidden: pd.DataFrame, totals: list[list[int]]) -> list:
    """Hidden nya/avslutade a reader can work out (written independently of the package).

    Published: shown cells, aktiva per month (all), and the sums of nya and
    avslutade over each list of month positions in ``totals``.
    """
    n = len(flows)
    unknowns = [(c, i) for c in ("nya", "avslutade") for i in range(n) if hidden[c].iloc[i]]
    pos = {u: j for j, u in enumerate(unknowns)}
    rows = []
    for i in range(1, n):  # nya(i) − avslutade(i−1) = aktiva(i) − aktiva(i−1)
        row = np.zeros(len(unknowns))
        if ("nya", i) in pos:
            row[pos[("nya", i)]] = 1
        if ("avslutade", i - 1) in pos:
            row[pos[("avslutade", i - 1)]] = -1
        rows.append(row)
    for idx in totals:
        for c in ("nya", "avslutade"):
            row = np.zeros(len(unknowns))
            for i in idx:
                if (c, i) in pos:
                    row[pos[(c, i)]] = 1
            rows.append(row)
    a = np.array(rows) if rows else np.zeros((0, len(unknowns)))
    rank = np.linalg.matrix_rank(a) if len(unknowns) else 0
    out = []
    for u, j in pos.items():
        e = np.zeros(len(unknowns))
        e[j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(u)
    return out


def test_protect_flows_hides_a_small_month_and_what_would_give_it_back():
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    nya = np.array([12, 14, 3, 15, 16, 12, 11, 13, 12, 14, 15, 13])
    avslutade = np.array([13, 12, 14, 11, 16, 12, 15, 12, 13, 11, 12, 14])
    aktiva = 100 + np.r_[0, np.cumsum(nya[1:] - avslutade[:-1])]
    flows = pd.DataFrame({"nya": nya, "avslutade": avslutade, "aktiva": aktiva}, index=months)
    year = parse_period("2024")
    protected = modelling.protect_flows(flows, 5, [year])
    hidden = protected.hidden
    assert hidden["nya"].iloc[2]  # primary
    assert not hidden["aktiva"].any()  # published in the report as they are
    assert hidden.to_numpy().sum() >= 4  # a complement for the identity and one for the yearly sum
    assert derivable(flows, hidden, [list(range(12))]) == []
    # Without the yearly total published, the identity alone needs one complement.
    alone = modelling.protect_flows(flows, 5, [])
    assert alone.hidden["avslutade"].iloc[1] and alone.n_hidden == 2
    assert derivable(flows, alone.hidden, []) == []
    assert modelling.protect_flows(flows, 1, [year]).n_hidden == 0


def test_flows_table_on_the_sample_is_safe(ds):
    table = modelling.flows_table(ds, "skelleftea", "2025", min_cell=5, months=36)
    assert len(table.data) == 36 and table.section == "Deltagare"
    shown = table.data.replace(SUPPRESSED, np.nan).apply(pd.to_numeric)
    assert ((shown >= 5) | (shown == 0) | shown.isna()).all().all()
    d = forbund_participations(ds, "skelleftea")
    flows = modelling.flows_per_month(d, "2023-01-01", "2025-12-31")
    hidden = table.data.eq(SUPPRESSED)
    hidden.columns, hidden.index = ["nya", "avslutade", "aktiva"], flows.index
    years = [list(range(k * 12, k * 12 + 12)) for k in range(3)]
    assert derivable(flows, hidden, years) == []
    assert (table.data.iloc[:, 2] == modelling.flows_per_month(d, "2023-01-01", "2025-12-31")["aktiva"]
            .where(lambda s: (s >= 5) | (s == 0), SUPPRESSED).to_numpy()).all()  # fmt: skip
    fig = modelling.flows_figure(table, synthetic=True)
    assert "nya och avslutade" in fig.alt and fig.title


# ---------------------------------------------------------------------------
# Rates, population, comparison
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("by", list(modelling.RATE_SPLITS))
def test_rate_table_total_is_the_key_figures(ds, by):
    table = modelling.rate_table(ds, "skelleftea", "2025", by, min_cell=5)
    kf = key_figures(ds, "skelleftea", "2025", 5)
    total = table.data.loc["Totalt"]
    assert total[modelling.AVSLUTADE] == kf["avslutade_deltaganden"]
    assert total[modelling.ARBETE_STUDIER] == kf["arbete_studier"]
    assert total[modelling.ANDEL_AS] == pytest.approx(kf["andel_arbete_studier"])
    counts = table.data.loc[table.data.index != "Totalt", modelling.AVSLUTADE]
    shown = [v for v in counts if v != SUPPRESSED]
    assert all(v == 0 or v >= 5 for v in shown)
    assert (counts == SUPPRESSED).sum() != 1  # one hidden cell alone would be total − the rest


def test_rate_table_follows_hidden_key_figures(tmp_path):
    """A Totalt the key figures hide is hidden here too, and so are enough parts."""
    rows = [
        f"d{i:02d},alfa,a1,kvinna,1990,2482,{'gymnasial' if i < 2 else 'forgymnasial'},2024-01-01,2024-06-30,"
        f"planenligt,arbetssokande,{'studier' if i < 3 else 'arbetssokande'},sjukpenning,lon,0,100"
        for i in range(4)
    ]
    d = load_dataset(write_dataset(tmp_path / "small", rows=rows, dataset__yaml="uttagsdatum: 2024-12-31\n"))
    table = modelling.rate_table(d, "alfa", "2024", "utbildningsniva", min_cell=5)
    assert table.data.loc["Totalt", modelling.AVSLUTADE] == SUPPRESSED
    assert table.data.loc["Totalt", modelling.ANDEL_AS] == SUPPRESSED
    assert table.footnote
    with pytest.raises(FinsamError, match="Okänd uppdelning"):
        modelling.rate_table(d, "alfa", "2024", "kommun")


def test_population_tables_match_the_report(ds):
    report = {t.key: t for t in report_tables(ds, "skelleftea", "2025")}
    by_kon = modelling.population_by_kon(ds, "skelleftea", "2025")
    jamf = report["befolkning_jamforelse"].data
    assert list(by_kon.data.index) == list(jamf.index)
    assert np.allclose(by_kon.data["Förbundet, totalt"].astype(float), jamf["Förbundet"].astype(float))
    assert np.allclose(by_kon.data["Riket, totalt"].astype(float), jamf["Riket"].astype(float))
    assert by_kon.n_hidden == 0 and "SCB" in by_kon.source
    by_kommun = modelling.population_by_kommun(ds, "skelleftea", "2025")
    assert {"Skellefteå", "Norsjö", "Förbundet", "Riket"} <= set(by_kommun.data.columns)
    assert np.allclose(by_kommun.data["Förbundet"].astype(float), jamf["Förbundet"].astype(float))


def test_open_population_needs_scb_data(tiny):
    with pytest.raises(FinsamError, match="helårsekvivalenter"):
        modelling.open_population(tiny, "alfa", "2024")


def test_compare_forbund_is_the_key_figures(ds):
    frame = modelling.compare_forbund(ds, "2025", min_cell=5)
    assert list(frame.index) == list(ds.forbund["forbund_id"])
    for fid in frame.index:
        kf = key_figures(ds, fid, "2025", 5)
        expected = {k: v for k, v in kf.items() if k != "forbund_id"}
        assert {k: frame.at[fid, k] for k in expected} == expected
    table = modelling.comparison_table(frame)
    assert list(table.data.index) == list(ds.forbund["namn"])
    assert "Totalt" not in table.data.index  # no sum over förbund
    fig = modelling.comparison_figure(frame)
    assert "per förbund" in fig.title


def test_comparison_table_shows_hidden_key_figures_as_dots():
    frame = pd.DataFrame(
        {"forbund_namn": ["A"], "period": ["2025"], "min_cell": [5], "synthetic_data": [False],
         **{k: [1] for k, _, _ in modelling.COMPARISON_COLUMNS}, "man": [None], "suppressed": [["man"]],
         "andel_arbete_studier": [None], "ci_low": [0.2], "ci_high": [0.5]},
        index=pd.Index(["a"], name="forbund_id"),
    )  # fmt: skip
    table = modelling.comparison_table(frame)
    assert table.data.loc["A", "Män"] == SUPPRESSED
    assert table.data.loc["A", "Andel arbete/studier"] == "–"  # not computable, not hidden
    assert table.footnote


def test_show_tables_rejects_an_unknown_key(tiny):
    from finsam_analysis.report.html import open_report

    report = open_report(tiny, "alfa", "2024")
    with pytest.raises(FinsamError, match="ingen tabell"):
        modelling.show_tables(report, "finns_inte")
