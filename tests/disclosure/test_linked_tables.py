"""Counts that different tables publish for linked groups: can a reader subtract them?

The sammanfattning (the period and its comparison periods), the monthly series
of aktiva deltaganden and the yearly trend of avslutade all count the same
participations over different stretches of time. A reader who subtracts one
from another learns counts that no table shows: aktiva in December minus
pågående at the year's end are the participations that ended in December;
aktiva in the year minus nya are those already going on when it began, which
are also last year's pågående at its end.

The reader here is written independently of the package. Every participation
falls in one *cell*: the stretch of time its startdatum lies in, the stretch
its slutdatum lies in (or none: still going on) and its outcome group, where
the stretches are cut at every date any published count starts or ends. Each
published count is a sum of cells, and so is each count a reader might want.
A count is worked out exactly when its vector of cells lies in the row space
of the published counts' vectors (the reader does not know which cells are
empty, so every cell is an unknown). That is the test, exact linear algebra,
for every hidden count, and for the counts a reader gets by subtracting
counts of nested groups (:func:`differences`): the participations that
started, ended (in all, or to arbete/studier) or were going on between any
two dates where a shown period or year starts or ends; those that started
in a period's first month or ended in its last; and those active in a
period but not in one of its months.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

import finsam_analysis as fa
from finsam_analysis.measures import key_figures as key_figures_module
from finsam_analysis.periods import Period, parse_period
from finsam_analysis.report.tables import report_tables

from ..helpers import write_dataset

MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
                                          "nov", "dec"))}  # fmt: skip
OUTCOMES = ("arbete", "studier", "arbetssokande", "ovriga")
ARBETE_STUDIER = {"arbete", "studier"}
HIDDEN = ".."

#: Sammanfattning rows a reader can put in equations: (kind, outcome groups).
SUMMARY = {
    "Aktiva deltaganden": ("aktiva", None),
    "Nya deltaganden": ("nya", None),
    "Avslutade deltaganden": ("avslutade", set(OUTCOMES)),
    "Pågående vid periodens slut": ("pagaende", None),
    "Avslut till arbete": ("avslutade", {"arbete"}),
    "Avslut till studier": ("avslutade", {"studier"}),
    "Avslut till arbete eller studier": ("avslutade", ARBETE_STUDIER),
    "Avslut till arbetssökande": ("avslutade", {"arbetssokande"}),
    "Övriga avslut": ("avslutade", {"ovriga"}),
}


# ---------------------------------------------------------------------------
# Data whose small groups sit exactly where tables meet
# ---------------------------------------------------------------------------


def _row(i: int, start: str, end: str | None = None, outcome: str = "arbetssokande", kon: str = "kvinna") -> str:
    efter = {"arbete": "forvarvsarbete", "studier": "studier", "arbetssokande": "arbetssokande",
             "ovriga": "ovrigt"}[outcome] if end else ""  # fmt: skip
    avslut = "planenligt" if end else ""
    return (f"x{i:03d},alfa,a1,{kon},1990,2482,gymnasial,{start},{end or ''},{avslut},arbetssokande,{efter},"
            "sjukpenning,,0,")  # fmt: skip


def _rows(groups: list[tuple[int, str, str | None, str | None]]) -> list[str]:
    """``(how many, startdatum, slutdatum, outcome)`` → rows; ``outcome`` None cycles all four."""
    out, i = [], 0
    for n, start, end, outcome in groups:
        for k in range(n):
            i += 1
            out.append(_row(i, start, end, outcome or OUTCOMES[k % 4], kon=("kvinna", "man")[i % 2]))
    return out


#: 2025 as a year: 3 nya in January 2025 (hidden) and, without the fix,
#: aktiva 2025 − pågående at the end of 2024 gives them back; 2 ended in
#: December 2025, aktiva in December − pågående at the year's end.
YEAR_CASE = [(40, "2023-03-01", None, None), (30, "2023-06-01", "2024-{m}-15", None),
             (3, "2025-01-10", None, None), (10, "2023-04-01", "2025-03-20", None),
             (2, "2023-04-01", "2025-12-05", None)]  # fmt: skip

#: 2025H2: 3 avslutade (all to arbete) in H1, hidden in the H1 column, but
#: the trend's 2025 minus H2 gives them, and their outcome, back.
HALF_CASE = [(40, "2023-03-01", None, None), (3, "2023-03-01", "2025-02-10", "arbete"),
             (20, "2023-03-01", "2025-09-10", None), (20, "2023-03-01", "2024-09-10", None)]  # fmt: skip


def _expand(case) -> list[tuple[int, str, str | None, str | None]]:
    out = []
    for n, start, end, outcome in case:
        if end and "{m}" in end:  # spread over the months January–November
            for k in range(n):
                out.append((1, start, end.format(m=f"{k % 11 + 1:02d}"), outcome))
        else:
            out.append((n, start, end, outcome))
    return out


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    root = tmp_path_factory.mktemp("linked")
    return {
        name: fa.load_dataset(write_dataset(root / name, _rows(_expand(case)), dataset__yaml="uttagsdatum: 2025-12-31\n"))
        for name, case in (("year", YEAR_CASE), ("half", HALF_CASE))
    }


# ---------------------------------------------------------------------------
# The reader
# ---------------------------------------------------------------------------


class Reader:
    """Cells of (start stretch, end stretch or open, outcome) and the counts over them."""

    def __init__(self, d: pd.DataFrame, dates: set[dt.date]):
        self.cuts = sorted(dates)
        self.n = len(self.cuts) + 1  # stretch 0 lies before the first cut
        cells = [(i, j, o) for i in range(self.n) for j in range(i, self.n) for o in OUTCOMES]
        cells += [(i, None, None) for i in range(self.n)]
        self.cells = cells
        self.col = {c: k for k, c in enumerate(cells)}
        self.true = np.zeros(len(cells))
        starts = [self.stretch(x.date()) for x in d["startdatum"]]
        ends = [None if pd.isna(x) else self.stretch(x.date()) for x in d["slutdatum"]]
        for i, j, o in zip(starts, ends, d["utfall"]):
            self.true[self.col[(i, j, o if j is not None else None)]] += 1

    def stretch(self, day: dt.date) -> int:
        return int(np.searchsorted(np.array(self.cuts, dtype="datetime64[D]"), np.datetime64(day, "D"), "right"))

    def at(self, day: dt.date) -> int:
        """The stretch that begins on ``day`` (a cut)."""
        return self.cuts.index(day) + 1

    def vector(self, test) -> np.ndarray:
        return np.array([1.0 if test(i, j, o) else 0.0 for i, j, o in self.cells])

    # The definitions of docs/rapporter.md §2, on stretches.
    def aktiva(self, s: dt.date, e: dt.date) -> np.ndarray:
        a, b = self.at(s), self.at(e + dt.timedelta(days=1))
        return self.vector(lambda i, j, o: i < b and (j is None or j >= a))

    def nya(self, s: dt.date, e: dt.date) -> np.ndarray:
        a, b = self.at(s), self.at(e + dt.timedelta(days=1))
        return self.vector(lambda i, j, o: a <= i < b)

    def avslutade(self, s: dt.date, e: dt.date, groups=set(OUTCOMES)) -> np.ndarray:
        a, b = self.at(s), self.at(e + dt.timedelta(days=1))
        return self.vector(lambda i, j, o: j is not None and a <= j < b and o in groups)

    def pagaende(self, day: dt.date) -> np.ndarray:
        """Going on at the start of ``day``: started before it, not ended before it."""
        b = self.at(day)
        return self.vector(lambda i, j, o: i < b and (j is None or j >= b))


def _month(label: str) -> dt.date:
    name, year = label.split()
    return dt.date(int(year), MONTHS[name], 1)


def _month_end(first: dt.date) -> dt.date:
    return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()


def _trend_period(label: str, period: Period) -> tuple[dt.date, dt.date]:
    year = int(re.match(r"\d{4}", label).group())
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), period.end)


def published(tables: dict, period: Period) -> tuple[list[tuple[str, object, tuple]], set[dt.date]]:
    """Every linked count the report shows: (what, shown value or "..", definition), and the cut dates."""
    out: list[tuple[str, object, tuple]] = []
    dates: set[dt.date] = set()
    summary = tables["sammanfattning"].data
    for label in summary.columns:
        p = parse_period(label)
        dates |= {p.start, p.end + dt.timedelta(days=1)}
        for row, (kind, groups) in SUMMARY.items():
            spec = ("pagaende", p.end + dt.timedelta(days=1)) if kind == "pagaende" else (kind, p.start, p.end, groups)
            out.append((f"{label}: {row}", summary.at[row, label], spec))
    for label, value in tables["aktiva_per_manad"].data.iloc[:, 0].items():
        first = _month(label)
        dates |= {first, _month_end(first) + dt.timedelta(days=1)}
        out.append((f"aktiva {label}", value, ("aktiva", first, _month_end(first), None)))
    trend = tables["resultat_trend"].data
    if "Avslutade" in trend.columns:
        for label in trend.index:
            s, e = _trend_period(label, period)
            dates |= {s, e + dt.timedelta(days=1)}
            out.append((f"avslutade {label}", trend.at[label, "Avslutade"], ("avslutade", s, e, set(OUTCOMES))))
            out.append((f"arbete/studier {label}", trend.at[label, "Arbete/studier"],
                        ("avslutade", s, e, ARBETE_STUDIER)))  # fmt: skip
    return out, dates


def build(reader: Reader, spec: tuple) -> np.ndarray:
    kind, *args = spec
    if kind == "pagaende":
        return reader.pagaende(args[0])
    if kind == "avslutade":
        return reader.avslutade(*args)
    return getattr(reader, kind)(args[0], args[1])


def leaks(dataset, forbund_id: str, period: str, min_cell: int) -> list[str]:
    """What a reader can work out exactly: hidden counts, and differences from 1 to min_cell − 1."""
    p = parse_period(period)
    tables = {t.key: t for t in report_tables(dataset, forbund_id, p, min_cell)}
    shown, dates = published(tables, p)
    d = key_figures_module.forbund_participations(dataset, forbund_id)
    reader = Reader(d, dates)
    rows, hidden = [], []
    for what, value, spec in shown:
        vector = build(reader, spec)
        true = float(vector @ reader.true)
        if value == HIDDEN:
            hidden.append((what, vector, true))
        else:
            # The reader's definitions give the published number: the model is right.
            assert true == value, (what, true, value)
            rows.append(vector)
    basis = np.linalg.svd(np.array(rows), full_matrices=False)[2]
    rank = int(np.sum(np.linalg.svd(np.array(rows), compute_uv=False) > 1e-9))
    basis = basis[:rank]

    def determined(vector: np.ndarray) -> bool:
        rest = vector - basis.T @ (basis @ vector)
        return bool(np.abs(rest).max() < 1e-8)

    found = [f"{what} = {true:g} (dold)" for what, vector, true in hidden if true and determined(vector)]
    for what, vector in differences(reader, tables, dates_of_periods(tables, p)):
        true = float(vector @ reader.true)
        if 1 <= true < min_cell and determined(vector):
            found.append(f"{what} = {true:g}")
    return found


def dates_of_periods(tables: dict, period: Period) -> list[dt.date]:
    """The dates where a period of the sammanfattning or a year of the trend starts or ends."""
    dates = set()
    for label in tables["sammanfattning"].data.columns:
        q = parse_period(label)
        dates |= {q.start, q.end + dt.timedelta(days=1)}
    trend = tables["resultat_trend"].data
    if "Avslutade" in trend.columns:
        for label in trend.index:
            s, e = _trend_period(label, period)
            dates |= {s, e + dt.timedelta(days=1)}
    return sorted(dates)


def differences(reader: Reader, tables: dict, dates: list[dt.date]) -> list[tuple[str, np.ndarray]]:
    """The unpublished counts a reader gets by subtracting shown counts of nested groups.

    Between any two dates where a shown period or year starts or ends: the
    nya, the avslutade and those to arbete/studier; at each such date, the
    participations going on. For each period of the sammanfattning: aktiva in
    its first month minus those going on at its start (started that month),
    aktiva in its last month minus its pågående at the end (ended that
    month), and its aktiva minus the aktiva of each month inside it.
    """
    out: list[tuple[str, np.ndarray]] = []
    for i, a in enumerate(dates):
        out.append((f"pågående {a}", reader.pagaende(a)))
        for b in dates[i + 1 :]:
            s, e = a, b - dt.timedelta(days=1)
            out.append((f"nya {s}..{e}", reader.nya(s, e)))
            out.append((f"avslutade {s}..{e}", reader.avslutade(s, e)))
            out.append((f"arbete/studier {s}..{e}", reader.avslutade(s, e, ARBETE_STUDIER)))
    months = [_month(label) for label in tables["aktiva_per_manad"].data.index]
    for label in tables["sammanfattning"].data.columns:
        q = parse_period(label)
        after = q.end + dt.timedelta(days=1)
        for first in months:
            last = _month_end(first)
            in_month = reader.aktiva(first, last)
            if first <= q.start <= last:
                out.append((f"började {label}, första månaden", in_month - reader.pagaende(q.start)))
            if first <= q.end <= last:
                out.append((f"slutade {label}, sista månaden", in_month - reader.pagaende(after)))
            if q.start <= first and last <= q.end:
                out.append((f"aktiva {label} men inte {first:%Y-%m}", reader.aktiva(q.start, q.end) - in_month))
    return out


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_the_cases_hold_the_small_groups_they_are_built_around(cases):
    """Without protection (min_cell 1) a reader gets the small counts the cases are about."""
    raw = {t.key: t for t in report_tables(cases["year"], "alfa", "2025", 1)}
    summary = raw["sammanfattning"].data
    assert summary.at["Nya deltaganden", "2025"] == 3
    months = raw["aktiva_per_manad"].data.iloc[:, 0]
    assert months["dec 2025"] - summary.at["Pågående vid periodens slut", "2025"] == 2
    assert summary.at["Aktiva deltaganden", "2025"] - summary.at["Pågående vid periodens slut", "2024"] == 3
    half = {t.key: t for t in report_tables(cases["half"], "alfa", "2025H2", 1)}
    trend = half["resultat_trend"].data
    assert trend.at["2025", "Avslutade"] - half["sammanfattning"].data.at["Avslutade deltaganden", "2025H2"] == 3


@pytest.mark.parametrize("case, period, min_cell", [("year", "2025", 5), ("half", "2025H2", 5), ("year", "2025Q1", 5),
                                                    ("half", "2025-01-01..2025-08-31", 5), ("year", "2025", 12),
                                                    ("half", "2025H2", 12)])  # fmt: skip
def test_no_linked_count_can_be_worked_out(cases, case, period, min_cell):
    assert leaks(cases[case], "alfa", period, min_cell) == []


def test_the_reader_finds_what_unprotected_tables_give_away(cases):
    """The test can fail: with the key figures protected but nothing linked, the reader finds the leaks."""
    ds = cases["year"]
    tables = {t.key: t for t in report_tables(ds, "alfa", "2025", 1)}
    # Publish what each table would show protected on its own: the sammanfattning
    # column by column (key figures alone), the months and the trend with primary
    # suppression only, as before the link was made.
    summary = tables["sammanfattning"].data.copy()
    for label in summary.columns:
        kf = fa.key_figures(ds, "alfa", label)
        for row in SUMMARY:
            key = {v: k for k, v in _summary_keys().items()}[row]
            if key in kf["suppressed"]:
                summary.at[row, label] = HIDDEN
    months = tables["aktiva_per_manad"].data.copy()
    months.iloc[:, 0] = [HIDDEN if 1 <= v < 5 else v for v in months.iloc[:, 0]]
    p = parse_period("2025")
    shown, dates = published({**tables, "sammanfattning": _Table(summary), "aktiva_per_manad": _Table(months)}, p)
    reader = Reader(key_figures_module.forbund_participations(ds, "alfa"), dates)
    rows = [build(reader, spec) for _, value, spec in shown if value != HIDDEN]
    basis = np.linalg.svd(np.array(rows), full_matrices=False)[2]
    basis = basis[: int(np.sum(np.linalg.svd(np.array(rows), compute_uv=False) > 1e-9))]
    nya = build(reader, ("nya", p.start, p.end))
    december = reader.avslutade(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    for vector, value in ((nya, 3), (december, 2)):
        assert vector @ reader.true == value
        assert np.abs(vector - basis.T @ (basis @ vector)).max() < 1e-8  # worked out exactly


class _Table:
    def __init__(self, data):
        self.data = data


def _summary_keys() -> dict[str, str]:
    from finsam_analysis.report.tables import SUMMARY_ROWS

    return {key: label for key, label, _ in SUMMARY_ROWS if label in SUMMARY}


def test_sample_forbund_are_protected_across_tables(tmp_path_factory):
    from finsam_analysis.synthetic.sample import write_sample

    root = tmp_path_factory.mktemp("linked_sample")
    write_sample(root, n_forbund=3, years=(2023, 2025))
    ds = fa.load_dataset(root)
    assert leaks(ds, "vasterbergslagen", "2025Q3", 10) == []
    assert leaks(ds, "vasterbergslagen", "2025-01-01..2025-08-31", 5) == []
