"""Report tables (finsam_analysis.report.tables) and Swedish formatting (finsam_analysis.fmt).

Most checks run on the hand-worked dataset of tests/measures/test_outcomes.py, whose
numbers are known (förbund alfa, 2024: 6 aktiva deltagare, 3 kvinnor, 1 man,
2 kön okänd; 7 aktiva deltaganden; 4 avslutade of which 1 arbete, 1 studier,
1 arbetssökande, 1 övriga/okänd; tid i insats median 182.5 days). Checks of
disclosure across tables run on a generated sample of three förbund.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from finsam_analysis import load_dataset, schema
from finsam_analysis import fmt
from finsam_analysis.measures import outcomes
from finsam_analysis.disclosure.rules import KEY_FIGURE_LINES, SUPPRESSED, footnote
from finsam_analysis.disclosure.published import key_figures
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.periods import parse_period
from finsam_analysis.synthetic.sample import write_sample
from finsam_analysis.report.tables import (
    SECTIONS,
    SOURCE_DELTAGARE,
    SOURCE_SCB,
    TOTAL,
    ReportTable,
    _summary_by,
    comparison_periods,
    report_tables,
)

from ..helpers import write_dataset
from ..disclosure.test_disclosure import movable
from ..measures.test_outcomes import EKONOMI, INSATSER, ROWS

#: Sections whose counts are not counts of persons (or are public SCB figures).
NOT_PERSONS = {"Datakvalitet", "Om rapporten", "Försörjningsformer i befolkningen"}


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("tables")
    write_dataset(root, rows=ROWS, insatser__csv=INSATSER, insats_ekonomi__csv=EKONOMI)
    return load_dataset(root)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("tables_sample") / "data"
    write_sample(out, seed=11, n_forbund=3, years=(2022, 2024))
    return load_dataset(out)


def by_key(tables: list[ReportTable]) -> dict[str, ReportTable]:
    return {t.key: t for t in tables}


@pytest.fixture(scope="module")
def sample_tables(sample):
    """report_tables of the sample, computed once per (förbund, period, min_cell)."""
    cache: dict = {}

    def get(fid: str, period: str, min_cell: int = 5) -> dict[str, ReportTable]:
        if (fid, period, min_cell) not in cache:
            cache[fid, period, min_cell] = by_key(report_tables(sample, fid, period, min_cell=min_cell))
        return cache[fid, period, min_cell]

    return get


def numeric_cells(table: ReportTable, kind: str):
    """(row, column, value) of the numeric cells of a kind."""
    for row, values in zip(table.data.index, table.data.itertuples(index=False, name=None)):
        for col, value in zip(table.data.columns, values):
            if table.kind_of(row, col) == kind and isinstance(value, (int, float)) and not isinstance(value, bool):
                yield row, col, value


# ---------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------


def test_every_table_has_a_section_among_the_eight_and_a_unique_key(ds):
    tables = report_tables(ds, "alfa", "2024")
    assert {t.section for t in tables} == set(SECTIONS)
    for t in tables:
        assert t.section in SECTIONS
        assert t.key.isascii() and t.key.replace("_", "").isalnum()
        assert set(t.kinds) <= set(t.data.columns) and all(col in t.kinds for col in t.data.columns)
    keys = [t.key for t in tables]
    assert len(keys) == len(set(keys))
    # In report order.
    order = [SECTIONS.index(t.section) for t in tables]
    assert order == sorted(order)


def test_cells_are_numbers_dots_dashes_or_text(ds):
    for t in report_tables(ds, "alfa", "2024"):
        for row, values in zip(t.data.index, t.data.itertuples(index=False, name=None)):
            for col, value in zip(t.data.columns, values):
                if t.kind_of(row, col) == "text":
                    assert isinstance(value, str)
                else:
                    assert value in (SUPPRESSED, fmt.NOT_AVAILABLE, fmt.UNKNOWN) or type(value) in (int, float), (
                        t.key, row, col)


def test_a_bad_section_is_refused():
    with pytest.raises(ValueError, match="avsnitt"):
        ReportTable("x", "Bilagor", "X", pd.DataFrame(), {})


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def test_visible_counts_equal_outcomes_summary(ds):
    alfa = forbund_participations(ds, "alfa")
    s = outcomes.summary(alfa, parse_period("2024"))
    t = by_key(report_tables(ds, "alfa", "2024", min_cell=1))
    kon = t["deltagare_kon_alder"].data
    assert kon.loc[TOTAL, ["Kvinna", "Man", "Uppgift saknas", TOTAL]].tolist() == [
        s["kvinnor"], s["man"], s["kon_okand"], s["aktiva_deltagare"]
    ] == [3, 1, 2, 6]
    # p1 and p9 (40–49 år is p9, born 1980) by hand: 16–24 år holds p1 (K), p3 (kön okänd), p8 (K).
    assert kon.loc["16–24 år", ["Kvinna", "Man", "Uppgift saknas"]].tolist() == [2, 0, 1]
    grupper = t["resultat_grupper"].data["Antal"]
    ended = alfa.loc[alfa["slutdatum"].between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))]
    efter = ended["sysselsattning_efter"].astype("object")
    own = [int((efter == code).sum()) for code in ("praktik", "sjukskriven", "ovrigt")]
    assert grupper.tolist() == [s["arbete"], s["studier"], s["arbetssokande"], s["ovriga"], *own, s["okand"],
                                s["avslutade_deltaganden"]]  # fmt: skip
    assert sum(own) + s["okand"] == s["ovriga"]  # the categories and okänd make up Övriga
    assert t["resultat_grupper"].data.at["Arbete", "Andel av avslutade"] == 0.25
    rk = t["resultat_kon"].data
    assert rk.loc[TOTAL, ["Avslutade", "Arbete/studier", "Andel arbete/studier"]].tolist() == [4, 2, 0.5]
    assert rk.at[TOTAL, "95 % KI, låg"] == pytest.approx(s["ci_low"])
    # Kön okänd counts with män in tables of outcomes: p6 (kön empty) ended in 2024, to nothing.
    assert rk.loc["Man (inkl. okänt kön)", ["Avslutade", "Arbete/studier", "Andel arbete/studier"]].tolist() == [1, 0, 0.0]
    assert rk.loc["Kvinna", ["Avslutade", "Arbete/studier"]].tolist() == [3, 2]  # p1 arbete, p3 studier, p9
    off = t["offentlig_fore_efter"].data
    assert off["I offentlig försörjning"].tolist() == [3, 2]
    assert off["Andel i offentlig försörjning"].tolist() == [
        s["andel_offentlig_forsorjning_fore"], s["andel_offentlig_forsorjning_efter"]
    ]
    tid = t["tid_i_insats"].data
    assert tid.at[TOTAL, "Median (dagar)"] == s["tid_i_insats_median_dagar"] == 182.5
    assert t["deltagare_insats"].data["Aktiva deltagare"].to_dict() == {"Steget vidare": 5, "Unga vuxna": 2}
    # December 2024: rows 3, 5, 10 and 11 of the hand dataset.
    assert t["aktiva_per_manad"].data.at["dec 2024", "Aktiva deltaganden"] == 4
    assert len(t["aktiva_per_manad"].data) == 36
    assert t["forsorjning_overgang"].data.at["Före: Uppgift saknas", "Efter: Ohälsa"] == 1
    mal = t["insatser_mal"].data
    assert mal.at["Steget vidare", "Kostnad per deltagare (kr)"] == 100000.0  # 500 000 kr / 5
    assert mal.at["Steget vidare", "Mål deltagare per år"] == 40


def test_visible_counts_on_the_sample_equal_the_summary(sample, sample_tables):
    period = parse_period("2024")
    for fid in sample.forbund["forbund_id"]:
        s = outcomes.summary(forbund_participations(sample, fid), period)
        t = sample_tables(fid, "2024")
        total = t["deltagare_kon_alder"].data.at[TOTAL, TOTAL]
        assert total in (SUPPRESSED, s["aktiva_deltagare"])
        rk = t["resultat_kon"].data
        assert rk.at[TOTAL, "Avslutade"] in (SUPPRESSED, s["avslutade_deltaganden"])
        assert t["resultat_insats"].data.at[TOTAL, "Avslutade"] in (SUPPRESSED, s["avslutade_deltaganden"])


def test_the_direct_splits_equal_outcomes_summary_by(ds, sample):
    columns = ["aktiva_deltagare", "kvinnor", "man", "kon_okand", "avslutade_deltaganden", "arbete_studier"]
    for dataset, fid, period in ((ds, "alfa", "2024"), (sample, sample.forbund["forbund_id"][0], "2024Q2")):
        d = forbund_participations(dataset, fid)
        for split in ("kon", "aldersgrupp", "utbildningsniva", "folkbokforingskommun"):
            expected = outcomes.summary_by(d, parse_period(period), split)[columns].astype("int64")
            got = _summary_by(d, parse_period(period), split)[columns]
            assert got.index.tolist() == expected.index.tolist()
            assert (got.to_numpy() == expected.to_numpy()).all(), split


def test_every_count_from_1_to_min_cell_minus_1_is_hidden(ds, sample):
    cases = [(ds, "alfa", "2024", 5), (ds, "alfa", "2024Q3", 5), (ds, "beta", "2024", 5)]
    cases += [(sample, fid, p, m) for fid in sample.forbund["forbund_id"] for p, m in (("2024", 5), ("2023Q2", 10))]
    for dataset, fid, period, min_cell in cases:
        for t in report_tables(dataset, fid, period, min_cell=min_cell):
            if t.section in NOT_PERSONS:
                continue
            for row, col, value in numeric_cells(t, "count"):
                if row == "Kön uppgift saknas" or (t.key == "deltagare_kon_alder" and col == "Uppgift saknas"):
                    continue  # a count of the data's quality, always shown (docs/methods.md §5)
                assert value == 0 or value >= min_cell, (fid, period, t.key, row, col, value)
            if t.n_hidden:
                assert t.footnote == footnote(min_cell)
            assert t.n_hidden == int((t.data.astype(object) == SUPPRESSED).to_numpy().sum())


def test_a_share_on_few_persons_shows_dots(ds):
    t = by_key(report_tables(ds, "alfa", "2024"))
    rk = t["resultat_kon"].data
    assert rk.at["Kvinna", "Andel arbete/studier"] == SUPPRESSED  # 2 of 3
    assert rk.at["Kvinna", "95 % KI, låg"] == SUPPRESSED
    assert t["resultat_alder"].data.at["30–39 år", "Andel arbete/studier"] == SUPPRESSED  # 0 of 1
    assert t["sammanfattning"].data.at["Andel arbete/studier", "2024"] == SUPPRESSED
    assert t["tid_i_insats"].data.at[TOTAL, "Median (dagar)"] == SUPPRESSED  # 4 avslutade
    # A share of a hidden count is hidden even when the total is shown.
    utb = t["deltagare_utbildning"].data
    assert utb.at[TOTAL, "Aktiva deltagare"] == 6
    assert utb.at["Gymnasial", "Andel"] == SUPPRESSED
    # Kostnad per deltagare would give aktiva deltagare back.
    mal = t["insatser_mal"].data
    assert mal.at["Unga vuxna", "Aktiva deltagare"] == SUPPRESSED


def test_a_share_with_a_hidden_numerator_and_a_large_denominator_shows_dots(sample, sample_tables):
    hits = 0
    for fid in sample.forbund["forbund_id"]:
        for t in sample_tables(fid, "2024").values():
            if t.key not in ("resultat_kon", "resultat_alder", "resultat_insats", "resultat_trend"):
                continue
            d = t.data
            for row in d.index:
                if d.at[row, "Arbete/studier"] == SUPPRESSED:
                    assert d.at[row, "Andel arbete/studier"] == SUPPRESSED
                    assert d.at[row, "95 % KI, hög"] == SUPPRESSED
                    hits += d.at[row, "Avslutade"] != SUPPRESSED
    assert hits  # the sample has such rows


def test_min_cell_1_hides_nothing(ds):
    for t in report_tables(ds, "alfa", "2024", min_cell=1):
        assert t.n_hidden == 0 and t.footnote == ""
        assert not (t.data.astype(object) == SUPPRESSED).to_numpy().any(), t.key


def test_sammanfattning_periods_are_the_right_labels(ds):
    def columns(period):
        return by_key(report_tables(ds, "alfa", period))["sammanfattning"].data.columns.tolist()

    assert columns("2024") == ["2024", "2023"]  # previous = same period last year: shown once
    assert columns("2024Q3") == ["2024Q3", "2024Q2", "2023Q3"]
    assert columns("2024H1") == ["2024H1", "2023H2", "2023H1"]
    assert columns("2024-01-01..2024-08-31") == [
        "2024-01-01..2024-08-31", "2023-05-01..2023-12-31", "2023-01-01..2023-08-31"
    ]
    assert [p.label for p in comparison_periods("2025T2")] == ["2025T2", "2025T1", "2024T2"]


def test_sammanfattning_shows_key_figures_with_dots_and_dashes(ds):
    s = by_key(report_tables(ds, "alfa", "2024"))["sammanfattning"]
    kf = key_figures(ds, "alfa", "2024")
    assert s.data.at["Aktiva deltagare", "2024"] == kf["aktiva_deltagare"] == 6
    assert s.data.at["Kvinnor", "2024"] == SUPPRESSED and "kvinnor" in kf["suppressed"]
    # 2023: nothing with both omfattning known -> not computable, not hidden.
    kf23 = key_figures(ds, "alfa", "2023")
    assert kf23["andel_okat_omfattning"] is None and "andel_okat_omfattning" not in kf23["suppressed"]
    assert s.data.at["Andel med ökad omfattning", "2023"] == fmt.NOT_AVAILABLE
    assert s.row_kinds["Andel arbete/studier"] == "share"
    assert s.kind_of("Tid i insats, median (dagar)", "2024") == "days"
    assert s.formatted().at["Aktiva deltagare", "2024"] == "6"


def test_sources(ds):
    for t in report_tables(ds, "alfa", "2024"):
        if t.section in ("Sammanfattning", "Deltagare", "Resultat vid avslut", "Försörjning före och efter"):
            assert t.source == SOURCE_DELTAGARE


# ---------------------------------------------------------------------------
# SCB
# ---------------------------------------------------------------------------


def test_scb_tables_explain_that_there_is_no_data(ds):
    assert ds.helarsekvivalenter is None
    tables = report_tables(ds, "alfa", "2024")
    pop = [t for t in tables if t.section == "Försörjningsformer i befolkningen"]
    assert [t.key for t in pop] == ["befolkning_saknas"]
    assert "SCB" in pop[0].data.iat[0, 0] and pop[0].kinds == {"Kommentar": "text"}
    imp = by_key(tables)["datakvalitet_imputerade"]
    assert "SCB" in imp.data.iat[0, 0]


def _scb_rows(kommun, month, value, folk, imputed=False):
    return [
        {"kommunkod": kommun, "manad": month, "kon": "totalt", "aldersgrupp": "20-64", "ersattning": e,
         "helarsekvivalenter": float(v), "folkmangd": folk, "imputerad": imputed and e in ("ekonomiskt_bistand", "summa")}
        for e, v in zip(schema.ERSATTNING, [value] * 6 + [6 * value])
    ]  # fmt: skip


@pytest.fixture(scope="module")
def ds_scb(ds):
    """alfa's members 2482 (10 per ersättning) and 2417 (1 each), 2023 whole, 2024 Jan–Mar; riket."""
    rows = []
    for month in pd.date_range("2023-01-01", "2024-03-01", freq="MS"):
        rows += _scb_rows("2482", month, 10, 1000)
        rows += _scb_rows("2417", month, 1, 500, imputed=month == pd.Timestamp("2024-02-01"))
        rows += _scb_rows("00", month, 20, 1000)
    he = pd.DataFrame(rows)
    he["folkmangd"] = he["folkmangd"].astype("Int64")
    return dataclasses.replace(ds, helarsekvivalenter=he)


def test_scb_tables_from_helarsekvivalenter(ds_scb):
    t = by_key(report_tables(ds_scb, "alfa", "2024"))
    e = t["befolkning_ersattning"].data
    assert e.index.tolist() == ["2023", "2024 (del av år)"]
    assert e.at["2023", "Sjukpenning"] == 11.0 and e.at["2023", "Summa helårsekvivalenter"] == 66.0
    assert e.at["2023", "Folkmängd 20–64 år"] == 1500
    assert e.at["2023", "Andel av befolkningen 20–64 år"] == pytest.approx(66 / 1500)
    j = t["befolkning_jamforelse"].data
    assert j.at["2023", "Riket"] == pytest.approx(120 / 1000)
    k = t["befolkning_kommun"].data
    assert k.index.tolist() == ["Skellefteå", "Norsjö", "Förbundet", "Riket"] or k.index.tolist() == [
        "Norsjö", "Skellefteå", "Förbundet", "Riket"
    ]
    # Public figures: small numbers are shown, never "..".
    assert k.at["Norsjö", "Summa helårsekvivalenter"] == 6.0
    assert t["befolkning_kommun"].title.endswith("2024 (del av år)")
    for key in ("befolkning_ersattning", "befolkning_jamforelse", "befolkning_kommun"):
        assert t[key].source == SOURCE_SCB and t[key].n_hidden == 0
    imp = t["datakvalitet_imputerade"].data
    assert imp.at["Norsjö", "Imputerade månader"] == 1 and imp.at["Norsjö", "Första"] == "feb 2024"
    assert imp.at["Skellefteå", "Imputerade månader"] == 0


def test_scb_years_after_the_period_are_left_out(ds_scb):
    t = by_key(report_tables(ds_scb, "alfa", "2023"))
    assert t["befolkning_ersattning"].data.index.tolist() == ["2023"]
    assert t["datakvalitet_imputerade"].data.at["Norsjö", "Imputerade månader"] == 0  # Feb 2024 is later
    missing = by_key(report_tables(ds_scb, "alfa", "2021"))
    assert "befolkning_saknas" in missing


# ---------------------------------------------------------------------------
# Data quality
# ---------------------------------------------------------------------------


def test_data_quality_tables(ds):
    t = by_key(report_tables(ds, "alfa", "2024"))
    files = t["datakvalitet_filer"].data
    assert files.at["deltagande.csv", "Lästa rader"] == len(ROWS)
    assert t["datakvalitet_avvisade"].data.empty and "Inga rader" in t["datakvalitet_avvisade"].note
    saknas = t["datakvalitet_saknas"].data
    # alfa's 9 participations in the statistics; 4 lack kön (rows 5, 7, 8, 9).
    assert saknas.at["Kön", "Underlag (deltaganden)"] == 9
    assert saknas.at["Kön", "Saknas"] == 4
    assert saknas.at["Kön", "Andel saknas"] == pytest.approx(4 / 9)
    skyddade = t["datakvalitet_skyddade"].data["Dolda celler"]
    others = [x for x in report_tables(ds, "alfa", "2024") if x.key != "datakvalitet_skyddade"]
    assert skyddade[TOTAL] == sum(x.n_hidden for x in others) > 0


def test_rejected_rows_of_the_forbund_are_counted(tmp_path):
    rows = [*ROWS, "p10,alfa,a1,kvinna,1800,2482,,2024-01-01,,,,,,,,", "p11,beta,b1,kvinna,1800,0180,,2024-01-01,,,,,,,,"]
    write_dataset(tmp_path / "rej", rows=rows, insatser__csv=INSATSER, insats_ekonomi__csv=EKONOMI)
    dataset = load_dataset(tmp_path / "rej")
    rejected = by_key(report_tables(dataset, "alfa", "2024"))["datakvalitet_avvisade"].data
    assert rejected["Rader"].sum() == 1 and rejected.index.tolist() == ["deltagande.csv"]
    assert rejected["Kolumn"].tolist() == ["fodelsear"]


# ---------------------------------------------------------------------------
# Disclosure across tables: agreement with the key figures
# ---------------------------------------------------------------------------

KF_CELLS = {
    "deltagare_kon_alder": {(TOTAL, "Kvinna"): "kvinnor", (TOTAL, "Man"): "man",
                            (TOTAL, "Uppgift saknas"): "kon_okand", (TOTAL, TOTAL): "aktiva_deltagare"},
    "resultat_kon": {(TOTAL, "Avslutade"): "avslutade_deltaganden", (TOTAL, "Arbete/studier"): "arbete_studier"},
    "resultat_alder": {(TOTAL, "Avslutade"): "avslutade_deltaganden", (TOTAL, "Arbete/studier"): "arbete_studier"},
    "resultat_insats": {(TOTAL, "Avslutade"): "avslutade_deltaganden", (TOTAL, "Arbete/studier"): "arbete_studier"},
    "deltagare_utbildning": {(TOTAL, "Aktiva deltagare"): "aktiva_deltagare"},
    "deltagare_kommun": {(TOTAL, "Aktiva deltagare"): "aktiva_deltagare"},
    "avslutsanledning": {(TOTAL, "Antal"): "avslutade_deltaganden"},
    "forsorjning_overgang": {(TOTAL, TOTAL): "avslutade_deltaganden"},
    "tid_i_insats": {(TOTAL, "Avslutade"): "avslutade_deltaganden"},
    "resultat_grupper": {("Arbete", "Antal"): "arbete", ("Studier", "Antal"): "studier",
                         ("Arbetssökande", "Antal"): "arbetssokande", ("Övriga", "Antal"): "ovriga",
                         (TOTAL, "Antal"): "avslutade_deltaganden"},
}  # fmt: skip

SAMPLE_PERIODS = ("2024", "2024Q1", "2024Q2", "2023T1", "2023H2", "2022Q4")


def test_cells_that_are_key_figures_agree_with_the_key_figures(sample, sample_tables):
    checked = 0
    for fid in sample.forbund["forbund_id"]:
        for period in SAMPLE_PERIODS:
            kf = key_figures(sample, fid, period)
            t = sample_tables(fid, period)
            for key, cells in KF_CELLS.items():
                data = t[key].data
                for (row, col), name in cells.items():
                    if row in data.index and col in data.columns:
                        value = data.at[row, col]
                        assert (value == SUPPRESSED) == (name in kf["suppressed"]), (fid, period, key, row, col)
                        assert value == SUPPRESSED or value == kf[name]
                        checked += 1
    assert checked > 250


def _joint_check(table: ReportTable, raw: ReportTable, kf: dict, cells: dict, count_cols: list) -> None:
    """No hidden count of the table or the key figures can be worked out from both together."""
    data, values = table.data, raw.data
    rows = list(data.index)
    total_row = TOTAL if rows[-1] == TOTAL else None
    total_col = TOTAL if count_cols[-1] == TOTAL else None
    data_rows = [r for r in rows if r != total_row]
    data_cols = [c for c in count_cols if c != total_col]
    lines = []
    if total_col:
        lines += [(("t", r, total_col), [("t", r, c) for c in data_cols]) for r in rows]
    if total_row:
        lines += [(("t", total_row, c), [("t", r, c) for r in data_rows]) for c in count_cols]
    lines += [(("k", total), [("k", p) for p in parts]) for total, parts in KEY_FIGURE_LINES]
    lines += [(("k", name), [("t", r, c)]) for (r, c), name in cells.items() if r in rows and c in count_cols]
    unknown = [("t", r, c) for r in rows for c in count_cols if data.at[r, c] == SUPPRESSED]
    unknown += [("k", name) for name in kf["suppressed"] if name in dict(KEY_FIGURE_LINES) or
                any(name in parts for _, parts in KEY_FIGURE_LINES)]  # fmt: skip
    free = movable(unknown, lines)
    for key in unknown:
        raw_value = values.at[key[1], key[2]] if key[0] == "t" else None
        if key[0] == "t" and raw_value:
            assert free[key], (table.key, key, raw_value)


def test_a_table_together_with_the_key_figures_reveals_no_hidden_count(sample, sample_tables):
    for fid in sample.forbund["forbund_id"]:
        for period in SAMPLE_PERIODS:
            kf = key_figures(sample, fid, period)
            t = sample_tables(fid, period)
            raw = sample_tables(fid, period, 1)
            kon = t["deltagare_kon_alder"]
            _joint_check(kon, raw["deltagare_kon_alder"], kf, KF_CELLS["deltagare_kon_alder"], list(kon.data.columns))
            for key in ("resultat_kon", "resultat_alder", "resultat_insats"):
                _joint_check(t[key], raw[key], kf, KF_CELLS[key], ["Avslutade", "Arbete/studier"])


# ---------------------------------------------------------------------------
# Formatting (finsam_analysis.fmt)
# ---------------------------------------------------------------------------


def test_swedish_numbers():
    nb = "\u00a0"
    assert fmt.fmt_int(12345) == f"12{nb}345"
    assert fmt.fmt_int(1234567) == f"1{nb}234{nb}567"
    assert fmt.fmt_int(2.5) == "3" and fmt.fmt_int(-1234) == f"-1{nb}234" and fmt.fmt_int(-0.2) == "0"
    assert fmt.fmt_pct(0.432, decimals=1) == f"43,2{nb}%"
    assert fmt.fmt_pct(1.0) == f"100,0{nb}%" and fmt.fmt_pct(0.0005) == f"0,1{nb}%"
    assert fmt.fmt_dec(3.14159, 1) == "3,1" and fmt.fmt_dec(12345.67, 2) == f"12{nb}345,67"
    assert fmt.fmt_kr(1234567) == f"1{nb}234{nb}567{nb}kr"
    assert fmt.fmt_int(np.int64(7)) == "7"


def test_missing_and_suppressed_values():
    for missing in (None, float("nan"), np.nan, pd.NA, pd.NaT):
        assert fmt.fmt_int(missing) == "–"
        assert fmt.fmt_pct(missing) == "–"
    for f in (fmt.fmt_int, fmt.fmt_pct, fmt.fmt_dec, fmt.fmt_kr):
        assert f("..") == ".."
    assert fmt.fmt_value("..", "share") == ".."
    assert fmt.fmt_value(182.5, "days") == "183" and fmt.fmt_value(0.5, "share") == "50,0\u00a0%"
    assert fmt.fmt_value(66.0, "number") == "66" and fmt.fmt_value(11.25, "number") == "11,3"


def test_swedish_months():
    assert fmt.swedish_month(pd.Timestamp("2025-01-01")) == "januari 2025"
    assert fmt.swedish_month("2025-05-17", short=True) == "maj 2025"
    assert fmt.swedish_month(pd.Timestamp("2024-12-01"), short=True) == "dec 2024"
    import datetime

    assert fmt.swedish_month(datetime.date(2024, 3, 3)) == "mars 2024"
    assert fmt.swedish_month(None) == "–"


def test_formatted_table(ds):
    t = by_key(report_tables(ds, "alfa", "2024", min_cell=1))
    f = t["resultat_kon"].formatted()
    assert f.at[TOTAL, "Andel arbete/studier"] == "50,0\u00a0%"
    assert f.at["Man (inkl. okänt kön)", "Andel arbete/studier"] == "0,0\u00a0%"
    assert t["insatser_mal"].formatted().at["Steget vidare", "Utfall (kr)"] == "500\u00a0000\u00a0kr"
    hidden = by_key(report_tables(ds, "alfa", "2024"))["resultat_kon"].formatted()
    assert hidden.at["Kvinna", "Andel arbete/studier"] == ".."
