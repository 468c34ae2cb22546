"""Follow-up after exit (issue 17, part 1) on a hand-worked case.

Six participations of förbund alfa (insats a1), period 2024, extract date
2025-01-31. Follow-up dates are slutdatum plus whole calendar months:

====  ==========  =================  =======================  ==========================
id    slutdatum   at exit            3 months                 12 months
====  ==========  =================  =======================  ==========================
d01   2023-12-15  förvärvsarbete     2024-03-15: arbete, lön  2024-12-15: not recorded
d02   2024-02-10  arbetssökande      2024-05-10: studier,     (2025-02-10, outside)
                                     studiemedel
d03   2024-03-01  arbetssökande      2024-06-01: ej nådd      (2025, outside)
d04   2024-05-20  sjukskriven        2024-08-20: nothing      (2025, outside)
d05   2024-11-15  studier            2025-02-15: outside      (outside)
d06   2023-06-30  arbetssökande      2023-09-30: outside      2024-06-30: arbetssökande,
                                                              försörjningsstöd
====  ==========  =================  =======================  ==========================

So at 3 months: 4 to follow up (d01–d04), 2 reached, 1 ej nådd, 1 missing;
both reached in arbete/studier (2/2), at exit 1 of the 2 (d01); both with
egen försörjning (lön, studiemedel). At 6 months: d01 (2024-06-15), d02
(2024-08-10), d03 (2024-09-01), d04 (2024-11-20) are due and none is
recorded: 4 missing. At 12 months: d01 and d06 are due; d06 reached, not in
arbete/studier, not egen försörjning; d01 missing.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from finsam_analysis.ingest.dataset import load_dataset
from finsam_analysis.measures.efter_avslut import follow_up_counts, months_for_target
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.periods import parse_period
from finsam_analysis.report.tables import report_tables
from finsam_analysis.synthetic.follow_up import make_follow_ups

from ..helpers import DELTAGANDE_HEADER, write_dataset

EXTRA = ",uppfoljning_3m_sysselsattning,uppfoljning_3m_forsorjning,uppfoljning_12m_sysselsattning,uppfoljning_12m_forsorjning"
ROWS = [
    "d01,alfa,a1,kvinna,1990,2482,gymnasial,2023-01-10,2023-12-15,planenligt,arbetssokande,forvarvsarbete,,,,,forvarvsarbete,lon,,",
    "d02,alfa,a1,man,1991,2482,gymnasial,2023-05-01,2024-02-10,planenligt,arbetssokande,arbetssokande,,,,,studier,studiemedel,,",
    "d03,alfa,a1,kvinna,1992,2482,gymnasial,2023-05-01,2024-03-01,avbrott,arbetssokande,arbetssokande,,,,,ej_nadd,,,",
    "d04,alfa,a1,man,1993,2482,gymnasial,2023-05-01,2024-05-20,ohalsa,sjukskriven,sjukskriven,,,,,,,,",
    "d05,alfa,a1,kvinna,1994,2482,gymnasial,2024-01-01,2024-11-15,planenligt,arbetssokande,studier,,,,,,,,",
    "d06,alfa,a1,man,1995,2482,gymnasial,2023-01-01,2023-06-30,planenligt,arbetssokande,arbetssokande,,,,,,,arbetssokande,forsorjningsstod",
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("efter")
    write_dataset(root, rows=[], **{"dataset__yaml": "uttagsdatum: 2025-01-31\n"})
    (root / "deltagande.csv").write_text(DELTAGANDE_HEADER + EXTRA + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    data = load_dataset(root)
    assert data.quality.rejected_rows == 0, data.quality.rejects
    return data


def test_counts_per_follow_up_point(dataset):
    d = forbund_participations(dataset, "alfa")
    got = follow_up_counts(d, parse_period("2024"), dt.date(2025, 1, 31))
    expected = pd.DataFrame(
        {"kohort": [4, 4, 2], "nadda": [2, 0, 1], "ej_nadda": [1, 0, 0], "saknas": [1, 4, 1],
         "arbete_studier": [2, 0, 0], "arbete_studier_vid_avslut": [1, 0, 0],
         "forsorjning_kand": [2, 0, 1], "egen_forsorjning": [2, 0, 0]},
        index=pd.Index([3, 6, 12], name="manader"),
    ).astype("int64")  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_the_extract_date_cuts_the_cohort(dataset):
    d = forbund_participations(dataset, "alfa")
    got = follow_up_counts(d, parse_period("2024"), dt.date(2024, 5, 31))
    assert got.loc[3, "kohort"] == 2  # d01 (2024-03-15) and d02 (2024-05-10); d03 is due on 2024-06-01


def test_report_table_without_suppression(dataset):
    tables = {t.key: t for t in report_tables(dataset, "alfa", "2024", min_cell=1)}
    t = tables["uppfoljning_efter_avslut"].data
    three = t.loc["3 mån"]
    assert (three["Att följa upp"], three["Nådda"], three["Ej nådda"], three["Uppföljning saknas"]) == (4, 2, 1, 1)
    assert (three["Andel nådda"], three["Arbete/studier"], three["Vid avslut"]) == (0.5, 1.0, 0.5)
    assert three["Förändring (%-enheter)"] == 50.0 and three["Egen försörjning"] == 1.0
    assert t.loc["6 mån", "Arbete/studier"] == "–"  # nobody reached: not 0
    assert tables["uppfoljning_efter_avslut"].formatted().loc["3 mån", "Förändring (%-enheter)"] == "+50,0"


def test_small_counts_are_hidden(dataset):
    tables = {t.key: t for t in report_tables(dataset, "alfa", "2024", min_cell=5)}
    t = tables["uppfoljning_efter_avslut"].data
    assert t.loc["3 mån", "Nådda"] == ".." and t.loc["3 mån", "Arbete/studier"] == ".."
    assert tables["uppfoljning_efter_avslut"].n_hidden > 0


def test_a_forbund_without_follow_ups_says_so(tiny):
    tables = {t.key: t for t in report_tables(load_dataset(tiny), "alfa", "2024", min_cell=1)}
    text = tables["uppfoljning_efter_avslut"].data.iloc[0, 0]
    assert "inga uppföljningar efter avslut" in text and "Uppgift saknas" in text


def test_a_follow_up_without_an_exit_is_rejected(tmp_path):
    row = "d09,alfa,a1,kvinna,1990,2482,gymnasial,2024-01-10,,,arbetssokande,,,,,,forvarvsarbete,lon,,"
    root = write_dataset(tmp_path / "x", rows=[])
    (root / "deltagande.csv").write_text(DELTAGANDE_HEADER + EXTRA + "\n" + row + "\n", encoding="utf-8")
    reasons = load_dataset(root).quality.rejects["skal"].astype(str).tolist()
    assert reasons == ["uppföljning 3 månader efter avslut fast slutdatum saknas"]


@pytest.mark.parametrize(("days", "months"), [(60, None), (90, 3), (179, 3), (180, 6), (365, 12), (1000, 12)])
def test_target_days_to_follow_up_point(days, months):
    assert months_for_target(days) == months


def test_generated_follow_ups_exist_only_after_an_exit_and_before_the_extract():
    import numpy as np

    rng = np.random.default_rng(1)
    slut = np.array(["2025-01-31", "NaT", "2025-10-15", "2024-06-30"], dtype="datetime64[D]")
    out = make_follow_ups(rng, slut, np.array(["studier", "", "arbetssokande", "forvarvsarbete"], dtype=object),
                          np.array(["planenligt", "", "planenligt", "felregistrering"], dtype=object),
                          np.datetime64("2025-12-31"))  # fmt: skip
    three, twelve = out["uppfoljning_3m_sysselsattning"], out["uppfoljning_12m_sysselsattning"]
    assert three[1] == "" and three[3] == "" and twelve[0] == "" and twelve[2] == ""
    assert (out["uppfoljning_3m_forsorjning"][three == "ej_nadd"] == "").all()
