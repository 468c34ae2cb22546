"""key_figures: exactly the docs/rapporter.md §5 dictionary, disclosure control applied."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import finsam_analysis as fa
from finsam_analysis.errors import FinsamError
from finsam_analysis.disclosure.published import key_figures_all
from finsam_analysis.measures.key_figures import KEY_ORDER, raw_key_figures, raw_key_figures_all
from finsam_analysis.periods import parse_period

from ..measures.test_outcomes import EKONOMI, INSATSER, ROWS, write_dataset

REPORT_MD = Path(__file__).resolve().parents[2] / "docs" / "rapporter.md"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("kf")
    write_dataset(root, rows=ROWS, insatser__csv=INSATSER, insats_ekonomi__csv=EKONOMI)
    return fa.load_dataset(root)


def test_keys_are_exactly_those_of_the_spec(ds):
    block = re.search(r"```json\n(.*?)```", REPORT_MD.read_text(encoding="utf-8"), re.S).group(1)
    spec_keys = list(json.loads(block))
    assert list(KEY_ORDER) == spec_keys
    kf = fa.key_figures(ds, "alfa", "2024")
    assert list(kf) == spec_keys
    json.dumps(kf)  # serialisable as it is


def test_min_cell_1_shows_the_raw_values(ds):
    kf = fa.key_figures(ds, "alfa", "2024", min_cell=1)
    raw = raw_key_figures(ds, "alfa", "2024")
    assert kf["suppressed"] == []
    for key in KEY_ORDER:
        if key not in ("min_cell", "suppressed"):
            assert kf[key] == raw[key], key
    # Values worked out by hand in test_outcomes.py
    assert (kf["aktiva_deltagare"], kf["kvinnor"], kf["man"], kf["kon_okand"]) == (6, 3, 1, 2)
    assert (kf["aktiva_deltaganden"], kf["nya_deltaganden"], kf["avslutade_deltaganden"],
            kf["pagaende_vid_periodens_slut"]) == (7, 6, 4, 3)
    assert kf["andel_arbete_studier"] == 0.5 and kf["tid_i_insats_median_dagar"] == 182.5
    assert kf["period_start"] == "2024-01-01" and kf["period_end"] == "2024-12-31"
    assert kf["forbund_namn"] == "Samordningsförbundet Alfa"
    assert kf["synthetic_data"] is False and kf["min_cell"] == 1
    assert kf["befolkning_andel_20_64"] is None and kf["rejected_rows"] == 0


def test_default_suppression_on_the_hand_dataset(ds):
    kf = fa.key_figures(ds, "alfa", "2024")
    # Counts 1-4 are hidden: kvinnor 3, man 1, avslutade 4, pågående 3 and every outcome group;
    # kon_okand 2 is a count of the data's quality and is shown. aktiva_deltagare 6 stays: kvinnor
    # + män = 4 leaves both with room. aktiva_deltaganden 7 minus nya 6 would give the 1
    # participation already going on when 2024 began (hidden at the end of 2023), and 7 − 4
    # avslutade the 3 pågående: aktiva_deltaganden goes too. Every share rests on avslutade
    # (4 < 5), omfattning on 3 known.
    hidden = {"kvinnor", "man", "avslutade_deltaganden", "pagaende_vid_periodens_slut",
              "arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "okand",
              "andel_arbete_studier", "ci_low", "ci_high", "andel_okat_omfattning",
              "tid_i_insats_median_dagar", "andel_offentlig_forsorjning_fore",
              "andel_offentlig_forsorjning_efter", "aktiva_deltaganden"}
    assert set(kf["suppressed"]) == hidden
    assert kf["suppressed"] == sorted(kf["suppressed"])
    assert all(kf[k] is None for k in hidden)
    assert (kf["aktiva_deltagare"], kf["nya_deltaganden"], kf["kon_okand"]) == (6, 6, 2)
    assert not any(k.startswith("_") for k in kf)


def test_rejected_rows_are_counted_per_forbund(tmp_path):
    rows = ROWS + ["p10,alfa,zz,man,1990,2482,,2024-01-01,,,,,,,,", "p11,beta,b1,x,1990,0180,,2024-01-01,,,,,,,,"]
    ds = fa.load_dataset(write_dataset(tmp_path / "r", rows=rows, insatser__csv=INSATSER))
    assert fa.key_figures(ds, "alfa", "2024")["rejected_rows"] == 1
    assert fa.key_figures(ds, "beta", "2024")["rejected_rows"] == 1
    assert ds.rejected_rows() == 2


def test_unknown_forbund_and_bad_arguments(ds):
    with pytest.raises(FinsamError, match="Förbundet 'gamma' finns inte"):
        fa.key_figures(ds, "gamma", "2024")
    with pytest.raises(FinsamError, match="Okänd period"):
        fa.key_figures(ds, "alfa", "2024Q9")
    with pytest.raises(FinsamError, match="min_cell"):
        fa.key_figures(ds, "alfa", "2024", min_cell=0)


def test_sample_data_key_figures_for_every_forbund(tmp_path):
    from finsam_analysis.synthetic.sample import write_sample

    write_sample(tmp_path / "s", n_forbund=4, years=(2024, 2025))
    ds = fa.load_dataset(tmp_path / "s")
    assert ds.synthetic
    for fid in ds.forbund["forbund_id"]:
        kf = fa.key_figures(ds, fid, "2025")
        assert kf["synthetic_data"] is True
        assert kf["aktiva_deltagare"] is not None and kf["aktiva_deltagare"] > 20
        shown = kf["andel_arbete_studier"]
        if shown is not None:
            assert 0.2 <= shown <= 0.7
            assert kf["ci_low"] <= shown <= kf["ci_high"]
        json.dumps(kf)


def _same(a: dict, b: dict) -> None:
    """Equal values of equal types, keys in the same order."""
    assert list(a) == list(b)
    for key in a:
        assert a[key] == b[key] and type(a[key]) is type(b[key]), (key, a[key], b[key])


def test_key_figures_all_on_the_hand_dataset(ds):
    together = key_figures_all(ds, "2024", min_cell=1)
    assert list(together) == ["alfa", "beta"]
    alfa = together["alfa"]
    # The values worked out by hand in test_outcomes.py
    assert (alfa["aktiva_deltagare"], alfa["kvinnor"], alfa["man"], alfa["kon_okand"]) == (6, 3, 1, 2)
    assert alfa["andel_arbete_studier"] == 0.5 and alfa["tid_i_insats_median_dagar"] == 182.5
    for fid in ("alfa", "beta"):
        for min_cell in (1, 5):
            _same(key_figures_all(ds, "2024", min_cell)[fid], fa.key_figures(ds, fid, "2024", min_cell))
        _same(raw_key_figures_all(ds, "2024")[fid], raw_key_figures(ds, fid, "2024"))
    with pytest.raises(FinsamError, match="min_cell"):
        key_figures_all(ds, "2024", min_cell=0)


def test_key_figures_all_equal_key_figures_per_forbund_on_generated_data(tmp_path):
    from finsam_analysis.synthetic.sample import write_sample

    root = tmp_path / "s"
    write_sample(root, n_forbund=5, years=(2022, 2025))
    # A few broken rows, so that rejected_rows differs between förbund.
    text = (root / "deltagande.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    broken = []
    for line, column, value in ((text[5], "kon", "x"), (text[-40], "startdatum", "2024/01/01")):
        cells = line.split(",")
        cells[header.index(column)] = value
        broken.append(",".join(cells))
    (root / "deltagande.csv").write_text("\n".join(text + broken) + "\n", encoding="utf-8")
    ds = fa.load_dataset(root)
    assert ds.quality.rejected_rows == 2
    for period in ("2025", "2024H2", "2023Q1", "2021"):
        together = key_figures_all(ds, period)
        raw = raw_key_figures_all(ds, period)
        assert list(together) == list(ds.forbund["forbund_id"])
        for fid in ds.forbund["forbund_id"]:
            _same(together[fid], fa.key_figures(ds, fid, period))
            _same(raw[fid], raw_key_figures(ds, fid, period))
    assert sum(kf["rejected_rows"] for kf in key_figures_all(ds, "2025").values()) == 2


def test_columns_that_are_missing_give_null_never_zero(tmp_path):
    """Without sysselsättning and försörjning columns every figure resting on them is unknown."""
    header = "deltagare_id,forbund_id,insats_id,kon,fodelsear,startdatum,slutdatum,avslutsanledning"
    rows = [f"p{k:02d},alfa,a1,{('kvinna', 'man')[k % 2]},1990,2024-0{k % 9 + 1}-01,2024-11-30,planenligt"
            for k in range(30)]
    root = write_dataset(tmp_path / "d", rows=[], deltagande__csv=header + "\n" + "\n".join(rows) + "\n",
                         insatser__csv=INSATSER, dataset__yaml="uttagsdatum: 2025-01-31\n")
    ds = fa.load_dataset(root)
    kf = fa.key_figures(ds, "alfa", "2024")
    assert kf["avslutade_deltaganden"] == 30
    for key in ("arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "andel_arbete_studier",
                "ci_low", "ci_high", "andel_offentlig_forsorjning_fore", "andel_offentlig_forsorjning_efter"):
        assert kf[key] is None and key not in kf["suppressed"], key
    assert kf["okand"] == 30  # what is known: all 30 lack sysselsättning efter
    from finsam_analysis import fmt
    from finsam_analysis.report.html import ForbundReport
    from finsam_analysis.report.tables import report_tables

    tables = {t.key: t for t in report_tables(ds, "alfa", "2024")}
    assert tables["sammanfattning"].data.at["Andel i offentlig försörjning före", "2024"] == fmt.UNKNOWN
    assert tables["resultat_grupper"].data.at["Arbete", "Antal"] == fmt.UNKNOWN
    assert tables["offentlig_fore_efter"].data["Andel i offentlig försörjning"].tolist() == [fmt.UNKNOWN] * 2
    sentences = ForbundReport(ds, "alfa", parse_period("2024")).summary_sentences()
    assert "0 %" not in sentences and "offentlig försörjning" not in sentences
    assert "uppgift saknas" in sentences


def test_a_period_after_the_extract_date_is_refused(ds):
    from finsam_analysis.ingest.coverage import CoverageError

    with pytest.raises(CoverageError, match="2031 börjar efter datauttaget.*1 februari 2025"):
        fa.key_figures(ds, "alfa", "2031")
    with pytest.raises(CoverageError, match="börjar efter datauttaget"):
        fa.key_figures(ds, "alfa", "2031Q1", allow_partial=True)
    with pytest.raises(CoverageError, match="slutar 28 februari 2025.*till och med 1 februari 2025.*uttagsdatum"):
        fa.key_figures(ds, "alfa", "2025-01-01..2025-02-28")
    # The data end on 2025-02-01 (p8): 2025 as a whole is refused, its part up to then allowed.
    with pytest.raises(CoverageError):
        fa.key_figures(ds, "alfa", "2025")
    part = fa.key_figures(ds, "alfa", "2025", allow_partial=True)
    assert (part["period_start"], part["period_end"]) == ("2025-01-01", "2025-02-01")
