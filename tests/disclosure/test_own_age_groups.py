"""The run's own age groups (16–29, 55–64) beside the fixed ones, protected together (issue 15).

A small förbund whose numbers are worked out by hand: 12 avslutade aged 20
(16–24) and 3 aged 27 (25–29), so 16–29 has 15; 8 aged 57 and 2 aged 52, so
50+ has 10 and 55–64 has 8. Shown side by side, 16–29 minus 16–24 would give
the 3 back and 50+ minus 55–64 the 2. An independent reader (integer
programs over the pieces the groups share, :mod:`tests.disclosure.attack`)
given every table of every period of the year must recover nothing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import finsam_analysis as fa
from finsam_analysis.aldersgrupper import parse_aldersgrupper
from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.errors import FinsamError
from finsam_analysis.ingest.dataset import with_aldersgrupper
from finsam_analysis.periods import parse_period
from finsam_analysis.report.tables import report_tables

from ..helpers import write_dataset
from .attack import Published, month_index, recovered

YEAR = 2025
REPORTS = [f"{YEAR}", f"{YEAR}H1", f"{YEAR}H2", *(f"{YEAR}Q{q}" for q in range(1, 5)),
           *(f"{YEAR}T{t}" for t in range(1, 4)), f"{YEAR}-01-01..{YEAR}-08-31"]  # fmt: skip
#: (age, kön, slutdatum, sysselsättning efter, how many)
PEOPLE = [
    (20, "kvinna", "2025-06-15", "studier", 4), (20, "kvinna", "2025-06-15", "arbetssokande", 2),
    (20, "man", "2025-06-15", "studier", 3), (20, "man", "2025-06-15", "arbetssokande", 3),
    (27, "kvinna", "2025-06-15", "forvarvsarbete", 2), (27, "man", "2025-06-15", "forvarvsarbete", 1),
    (35, "kvinna", "2025-09-15", "forvarvsarbete", 3), (35, "kvinna", "2025-09-15", "arbetssokande", 2),
    (35, "man", "2025-09-15", "forvarvsarbete", 2), (35, "man", "2025-09-15", "arbetssokande", 3),
    (57, "kvinna", "2025-06-15", "forvarvsarbete", 2), (57, "kvinna", "2025-06-15", "arbetssokande", 2),
    (57, "man", "2025-06-15", "forvarvsarbete", 2), (57, "man", "2025-06-15", "arbetssokande", 2),
    (52, "kvinna", "2025-06-15", "arbetssokande", 1), (52, "man", "2025-06-15", "arbetssokande", 1),
    (42, "kvinna", "", "", 5), (42, "man", "", "", 5),
]  # fmt: skip
FIXED = {20: "16–24 år", 27: "25–29 år", 35: "30–39 år", 42: "40–49 år", 52: "50 år och äldre", 57: "50 år och äldre"}
OWN = {"16–29 år": (16, 29), "55–64 år": (55, 64)}


def _rows() -> list[str]:
    rows, n = [], 0
    for age, kon, slut, efter, count in PEOPLE:
        for _ in range(count):
            orsak = "planenligt" if slut else ""
            rows.append(f"p{n:03d},alfa,a1,{kon},{YEAR - age},2482,gymnasial,2025-01-10,{slut},{orsak},,{efter},,,,")
            n += 1
    return rows


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("egna") / "d", _rows(), dataset__yaml="uttagsdatum: 2025-12-31\n")
    return with_aldersgrupper(fa.load_dataset(root), "16-29,55-64")


@pytest.fixture(scope="module")
def reports(ds):
    return {label: {t.key: t.data for t in report_tables(ds, "alfa", label)} for label in REPORTS}


def _cell(value) -> tuple[int, bool]:
    return (0, False) if value == SUPPRESSED else (int(value), True)


def _piece(age: int) -> tuple[str, str]:
    return FIXED[age], "".join("1" if lo <= age <= hi else "0" for lo, hi in OWN.values())


def _rows_of(label: str) -> set:
    """The pieces a row of either table is the sum of."""
    pieces = {_piece(age) for age in FIXED}
    if label in OWN:
        k = list(OWN).index(label)
        return {p for p in pieces if p[1][k] == "1"}
    return {p for p in pieces if label == "Totalt" or p[0] == label}


def test_the_option_is_read_as_a_forbund_writes_it():
    assert parse_aldersgrupper("16-29, 55–64") == ((16, 29), (55, 64))
    assert parse_aldersgrupper("16–29 år;55-64") == ((16, 29), (55, 64))
    assert parse_aldersgrupper([(16, 29)]) == ((16, 29),)
    assert parse_aldersgrupper("") == () and parse_aldersgrupper(None) == ()
    for bad, words in (("29-16", "inte giltig"), ("unga", "går inte att läsa"), ("16-29,16-29", "två gånger")):
        with pytest.raises(FinsamError, match=words):
            parse_aldersgrupper(bad)


def test_without_the_option_there_are_no_own_tables(ds):
    plain = fa.load_dataset(ds.path)
    keys = {t.key for t in report_tables(plain, "alfa", "2025")}
    assert "resultat_alder" in keys and "resultat_egna_aldersgrupper" not in keys
    assert "deltagare_egna_aldersgrupper" not in keys


def test_own_groups_count_what_a_hand_count_gives_where_shown(reports):
    own = reports["2025"]["resultat_egna_aldersgrupper"]
    fixed = reports["2025"]["resultat_alder"]
    # 16–29: 12 + 3 avslutade; 55–64: 8. Each is shown only where its fixed neighbour is not.
    for label, value, neighbour in (("16–29 år", 15, "16–24 år"), ("55–64 år", 8, "50 år och äldre")):
        shown_own = own.at[label, "Avslutade"] != SUPPRESSED
        assert not (shown_own and fixed.at[neighbour, "Avslutade"] != SUPPRESSED), label
        if shown_own:
            assert own.at[label, "Avslutade"] == value
    persons = reports["2025"]["deltagare_egna_aldersgrupper"]
    assert persons.at["55–64 år", "Kvinna"] == SUPPRESSED  # 4 kvinnor: below 5


def test_a_reader_of_every_period_recovers_no_hidden_avslutade(reports):
    first = dt.date(YEAR, 1, 1)
    pieces = sorted({_piece(age) for age in FIXED if age != 42})
    keys = [(e, p, w) for e in range(12) for p in pieces for w in (0, 1)]
    end = np.array([k[0] for k in keys])
    piece = [k[1] for k in keys]
    work = np.array([k[2] for k in keys])
    cells, secret = [], []
    for label, tables in reports.items():
        p = parse_period(label)
        ended = (end >= month_index(p.start, first)) & (end <= month_index(p.end, first))
        for key in ("resultat_alder", "resultat_egna_aldersgrupper"):
            for row, values in tables[key].iterrows():
                inside = np.array([x in _rows_of(str(row)) for x in piece])
                for col, w in (("Avslutade", None), ("Arbete/studier", 1)):
                    mask = ended & inside & ((work == 1) if w else True)
                    cells.append(Published((label, key, row, col), mask.astype(float), *_cell(values[col])))
        for x in pieces:  # what a reader would like to know: each piece of the period
            mask = ended & np.array([y == x for y in piece])
            truth = sum(n for age, _, slut, _, n in PEOPLE if slut and _piece(age) == x and p.start <= dt.date.fromisoformat(slut) <= p.end)
            secret.append(Published((label, "del", x), mask.astype(float), truth, False))
    assert sum(not c.shown for c in cells) > 5  # there is something to find
    found = recovered(cells + secret)
    assert [f for f in found if f[0][1] != "del"] == []
    assert [f for f in found if 0 < f[1] < 5] == []


def test_a_reader_of_the_persons_tables_recovers_nothing(reports):
    pieces = sorted({_piece(age) for age in FIXED})
    cols = ("Kvinna", "Man")
    keys = [(p, c) for p in pieces for c in cols]
    cells = []
    for key in ("deltagare_kon_alder", "deltagare_egna_aldersgrupper"):
        for row, values in reports["2025"][key].iterrows():
            for col in (*cols, "Totalt"):
                mask = np.array([p in _rows_of(str(row)) and (col == "Totalt" or c == col) for p, c in keys])
                cells.append(Published((key, row, col), mask.astype(float), *_cell(values[col])))
    secret = []
    for p, c in keys:
        truth = sum(n for age, kon, _, _, n in PEOPLE if _piece(age) == p and kon == c.lower())
        secret.append(Published(("del", p, c), np.array([k == (p, c) for k in keys], dtype=float), truth, False))
    assert sum(not c.shown for c in cells) >= 2
    found = recovered(cells + secret)
    assert [f for f in found if f[0][0] != "del"] == []
    assert [f for f in found if 0 < f[1] < 5] == []


def test_the_cli_option_reaches_the_workbook_and_the_manifest(ds, reports, tmp_path):
    import json

    import openpyxl

    from ..helpers import run_cli

    r = run_cli("report", "--data-dir", ds.path, "--period", "2025", "--forbund", "alfa", "--aldersgrupper",
                "16-29,unga", "--out", tmp_path / "bad", "--quiet")
    assert r.code == 2 and "Traceback" not in r.err and r.err.count("\n") == 1 and "'unga'" in r.err
    r = run_cli("report", "--data-dir", ds.path, "--period", "2025", "--forbund", "alfa", "--aldersgrupper",
                "16–29, 55-64", "--format", "xlsx", "--out", tmp_path / "out", "--quiet")
    assert r.code == 0, r.out + r.err
    manifest = json.loads((tmp_path / "out" / "2025" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["aldersgrupper"] == "16-29,55-64"  # normalised, so a rerun can compare
    sheet = openpyxl.load_workbook(tmp_path / "out" / "2025" / "alfa.xlsx")["Deltagare"]
    rows = {r[0]: r[1:4] for r in sheet.iter_rows(values_only=True) if r and r[0] in (*OWN, *FIXED.values())}
    # Hand count: 16–24 has 12 (6 + 6), 25–29 has 3, so 16–29 (15) beside a shown 16–24 would give the 3
    # back and is hidden; 55–64 has 8 (4 + 4, each below 5) and 50+ has 10, so only one of their totals shows.
    assert rows["16–24 år"] == (6, 6, 12) and rows["16–29 år"] == ("..", "..", "..")
    assert rows["55–64 år"][:2] == ("..", "..") and (rows["55–64 år"][2], rows["50 år och äldre"][2]) in ((8, ".."), ("..", 10))
    own = reports["2025"]["deltagare_egna_aldersgrupper"]
    for label in OWN:  # the workbook holds the same figures as the in-process tables
        assert tuple(own.loc[label, ["Kvinna", "Man", "Totalt"]]) == rows[label]
