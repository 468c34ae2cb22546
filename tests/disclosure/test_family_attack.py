"""A differencing attack on everything one förbund publishes for a year (issue 13).

The reader (:mod:`tests.attack`) takes the annual report, the delårsrapport
(January–August), H1, H2, the four quarters, the three tertials and the
month series, each with the periods shown beside it, exactly as
``report_tables`` shows them, and tries to work out every hidden count
(``..``) by subtraction, the stock–flow identity and the previous-period
columns: integer programs over the participations. It must recover nothing.
Then the same reader, given what per-report protection alone would show,
must recover something: the attack has teeth.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import finsam_analysis as fa
from finsam_analysis import periods
from finsam_analysis.measures import outcomes
from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.synthetic.sample import write_sample
from finsam_analysis.report.tables import SUMMARY_ROWS, report_tables

from .attack import CumulativeReader, Published, Reader, SplitReader, month_index, recovered

YEAR = 2025
REPORTS = [f"{YEAR}", f"{YEAR}H1", f"{YEAR}H2", *(f"{YEAR}Q{q}" for q in range(1, 5)), *(f"{YEAR}T{t}" for t in range(1, 4)),
           f"{YEAR}-01-01..{YEAR}-08-31"]  # fmt: skip
WINDOW = dt.date(YEAR - 3, 1, 1)  # the month series of a Q1 report reaches back to April three years before
LABEL_TO_KEY = {label: key for key, label, _ in SUMMARY_ROWS}
COUNTS = ("aktiva_deltaganden", "nya_deltaganden", "avslutade_deltaganden", "pagaende_vid_periodens_slut",
          "arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "okand")  # fmt: skip
MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "okt": 10,
          "nov": 11, "dec": 12}  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack") / "sample"
    write_sample(root, years=(YEAR - 4, YEAR))
    return fa.load_dataset(root)


def _cell(value) -> tuple[int, bool]:
    if value == SUPPRESSED:
        return 0, False
    return int(value), True


def published(ds, fid: str) -> dict[str, dict]:
    """Every report of the year, as its tables show it: {period label: {table key: data}}."""
    return {label: {t.key: t.data for t in report_tables(ds, fid, label)} for label in REPORTS}


def key_figure_reader(ds, fid: str, reports: dict) -> CumulativeReader:
    """The reader given the sammanfattning of every report and every month series."""
    n = month_index(dt.date(YEAR, 12, 31), WINDOW) + 1
    reader = CumulativeReader(WINDOW, n)
    seen_periods, seen_months = set(), set()
    for tables in reports.values():
        summary = tables["sammanfattning"]
        for label in summary.columns:
            if label in seen_periods:
                continue
            seen_periods.add(label)
            p = periods.parse_period(label)
            counts = {}
            for row, value in summary[label].items():
                key = LABEL_TO_KEY[row]
                if key in COUNTS and (value == SUPPRESSED or not isinstance(value, str)):
                    counts[key] = _cell(value)
            reader.add_period(label, month_index(p.start, WINDOW), month_index(p.end, WINDOW), counts)
        for label, value in tables["aktiva_per_manad"]["Aktiva deltaganden"].items():
            name, year = label.split()
            month = month_index(dt.date(int(year), MONTHS[name], 1), WINDOW)
            if month in seen_months or month < 0:
                continue
            seen_months.add(month)
            reader.add_month(month, *_cell(value))
    return reader


def split_reader(reports: dict, key: str) -> SplitReader:
    """The reader given one split table (avslutade and arbete/studier per group) of every report."""
    first = dt.date(YEAR, 1, 1)
    groups = sorted({g for tables in reports.values() for g in tables[key].index if g != "Totalt"})
    # "Man (inkl. okänt kön)" and "Man" are the same group.
    groups = sorted({g.split(" (")[0] for g in groups})
    reader = SplitReader(first, 12, tuple(groups))
    for label, tables in reports.items():
        p = periods.parse_period(label)
        data = tables[key]
        rows = {}
        for group, row in data.iterrows():
            cols = {"Av": _cell(row["Avslutade"]), "as": _cell(row["Arbete/studier"])}
            if group == "Totalt":
                totals = cols
            else:
                rows[str(group).split(" (")[0]] = cols
        for g in groups:
            rows.setdefault(g, {"Av": (0, True), "as": (0, True)})
        reader.add_period(label, month_index(p.start, first), month_index(p.end, first), rows, totals)
    return reader


@pytest.mark.parametrize("fid", ["skelleftea", "vasterbergslagen", "ange"])
def test_the_year_of_one_forbund_gives_nothing_hidden_away(sample, fid):
    reports = published(sample, fid)
    reader = key_figure_reader(sample, fid, reports)
    assert sum(not c.shown for c in reader.cells) > 10  # there is something to find
    assert reader.recovered() == []
    for key in ("resultat_kon", "resultat_alder", "resultat_insats"):
        assert split_reader(reports, key).recovered() == [], key


def test_the_attack_recovers_counts_that_per_report_protection_leaves(sample):
    """Without the family, hiding the small counts of each report is not enough."""
    fid = "vasterbergslagen"
    d = forbund_participations(sample, fid)
    n = month_index(dt.date(YEAR, 12, 31), WINDOW) + 1
    reader = CumulativeReader(WINDOW, n)
    for label in REPORTS:
        p = periods.parse_period(label)
        s = outcomes.summary(d, p)
        counts = {key: (s[key], not 0 < s[key] < 5) for key in COUNTS if key != "okand"}
        reader.add_period(label, month_index(p.start, WINDOW), month_index(p.end, WINDOW), counts)
    found = reader.recovered()
    assert found, "the reader should find what per-report suppression gives away"
    for (label, key), value in found:
        p = periods.parse_period(label)
        assert 0 < value < 5 and value == outcomes.summary(d, p)[key]  # and what it finds is true


def test_the_cumulative_reader_knows_exactly_what_the_participation_reader_knows():
    """Two formulations of one reader: by month-end totals, and by start × end × outcome groups."""
    rng = np.random.default_rng(3)
    first, n = dt.date(2024, 1, 1), 6
    for trial in range(6):
        starts = rng.integers(-1, n, size=40)  # -1: before the window
        ends = np.array([rng.integers(max(s, 0), n + 1) for s in starts])  # n: still going on
        outcome = rng.choice(["arbete", "studier", "arbetssokande", "ovriga"], size=40)
        micro, cumul = Reader(first, n), CumulativeReader(first, n)
        for a in range(n):
            for b in range(a, n):
                started = (starts >= a) & (starts <= b)
                ended = (ends >= a) & (ends <= b)
                counts = {
                    "nya_deltaganden": int(started.sum()),
                    "avslutade_deltaganden": int(ended.sum()),
                    "pagaende_vid_periodens_slut": int(((starts <= b) & (ends > b)).sum()),
                    "aktiva_deltaganden": int(((starts <= b) & (ends >= a)).sum()),
                    "arbete": int((ended & (outcome == "arbete")).sum()),
                }
                shown = {k: (v, bool(rng.random() < 0.5)) for k, v in counts.items()}
                micro.add_period(f"{a}-{b}", a, b, shown)
                cumul.add_period(f"{a}-{b}", a, b, shown)
        assert sorted(micro.recovered()) == sorted(cumul.recovered()), trial


def test_the_reader_finds_a_count_given_away_by_subtraction():
    """A hand case: the year and January–August shown, September–December hidden."""
    cells = [
        Published(("år",), np.array([1.0, 1.0]), 12, True),
        Published(("jan–aug",), np.array([1.0, 0.0]), 9, True),
        Published(("sep–dec",), np.array([0.0, 1.0]), 3, False),
    ]
    assert recovered(cells) == [(("sep–dec",), 3)]
    cells[1] = Published(("jan–aug",), np.array([1.0, 0.0]), 9, False)
    assert recovered(cells) == []
