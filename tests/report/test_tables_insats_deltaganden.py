"""Deltaganden per insats ("Totalt / Just nu", nya, avslutade) and by kön (issue 15).

The right answers are counted here from the loaded participations with
plain pandas, not with the package's measures. The attack at the end gives
an independent integer-program reader every one of these tables of a year
(with the sammanfattning and the avslutade by kön and by insats) and checks
it can work out no hidden cell.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import finsam_analysis as fa
from finsam_analysis import periods
from finsam_analysis.disclosure.rules import SUPPRESSED
from finsam_analysis.report.tables import report_tables
from finsam_analysis.synthetic.sample import write_sample

from ..disclosure.attack import Published, month_index, recovered

YEAR = 2025
REPORTS = [f"{YEAR}", f"{YEAR}H1", f"{YEAR}H2", *(f"{YEAR}Q{q}" for q in range(1, 5)),
           *(f"{YEAR}T{t}" for t in range(1, 4)), f"{YEAR}-01-01..{YEAR}-08-31"]  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("per_insats") / "sample"
    write_sample(root, n_forbund=4, years=(YEAR - 3, YEAR), xlsx=False)
    return fa.load_dataset(root)


def _label(ds, insats_id: str) -> str:
    """The insats's name; with its id in brackets when another insats has the same name."""
    names = ds.insatser.set_index("insats_id")["namn"].astype(str)
    name = names[insats_id]
    return f"{name} ({insats_id})" if (names == name).sum() > 1 else name


def _expected(ds, fid: str, period) -> pd.DataFrame:
    """Per insats, counted from the rows: started by the end, going on at it, started and ended in the period."""
    d = _counted(ds, fid)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    s, e = d["startdatum"], d["slutdatum"]
    woman = d["kon"].astype("object") == "kvinna"
    flags = pd.DataFrame({
        "insats_id": d["insats_id"],
        "Totalt sedan start": s <= end,
        "Pågående vid periodens slut": (s <= end) & (e.isna() | (e > end)),
        "Nya i perioden": (s >= start) & (s <= end),
        "Avslutade i perioden": (e >= start) & (e <= end),
    })  # fmt: skip
    flags["Nya, kvinnor"] = flags["Nya i perioden"] & woman
    flags["Nya, män"] = flags["Nya i perioden"] & ~woman
    flags["Avslutade, kvinnor"] = flags["Avslutade i perioden"] & woman
    flags["Avslutade, män"] = flags["Avslutade i perioden"] & ~woman
    return flags.groupby("insats_id").sum()


def _counted(ds, fid: str) -> pd.DataFrame:
    """The förbund's rows, without felregistreringar (they are not participations, docs/rapporter.md §2)."""
    d = ds.deltagande
    return d.loc[(d["forbund_id"] == fid) & (d["avslutsanledning"].astype("object") != "felregistrering")]


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Column names without the "(inkl. okänt kön)" some förbund get."""
    return table.rename(columns=lambda c: c.split(" (")[0])


@pytest.mark.parametrize("label", [f"{YEAR}", f"{YEAR}Q3", f"{YEAR - 1}H2"])
def test_every_insats_row_and_the_total_equal_an_independent_count(sample, label):
    period = periods.parse_period(label)
    for fid in sorted(sample.forbund["forbund_id"]):
        tables = {t.key: t.data for t in report_tables(sample, fid, label, min_cell=1)}
        want = _expected(sample, fid, period)
        for key in ("insatser_deltaganden", "insatser_kon"):
            got = _plain(tables[key])
            for insats_id, row in want.iterrows():
                if row["Totalt sedan start"] == 0:
                    continue
                for col in got.columns:
                    assert got.at[_label(sample, insats_id), col] == row[col], (fid, key, insats_id, col)
            for col in got.columns:
                assert got.at["Totalt", col] == want[col].sum(), (fid, key, col)
        # the same avslutade as the result table per insats
        res = tables["resultat_insats"]
        for name in res.index.drop("Totalt"):
            assert res.at[name, "Avslutade"] == tables["insatser_deltaganden"].at[name, "Avslutade i perioden"]


# ---------------------------------------------------------------------------
# The attack: participations by (start class, end class, insats, kön)
# ---------------------------------------------------------------------------


class InsatsReader:
    """Unknowns: participations by start (before the year, or its month), end (before, a month, later), insats, kön."""

    def __init__(self, insatser: list[str], labels: dict[str, str]):
        self.labels = labels  # insats_id -> row label
        keys = [(s, e, g, k) for s in range(13) for e in range(14) for g in insatser for k in ("kvinna", "man")
                if not (s >= 1 and e < s)]  # fmt: skip
        self.keys = keys
        self.s = np.array([x[0] for x in keys])  # 0 = before the year, m = month m (1–12)
        self.e = np.array([x[1] for x in keys])  # 0 = before the year, m = month m, 13 = later or not ended
        self.g = np.array([x[2] for x in keys], dtype=object)
        self.k = np.array([x[3] for x in keys], dtype=object)
        self.cells: list[Published] = []

    def add(self, name: tuple, mask: np.ndarray, value: object) -> None:
        shown = value != SUPPRESSED
        self.cells.append(Published(name, mask.astype(float), 0 if not shown else int(value), shown))

    def add_report(self, label: str, tables: dict) -> None:
        p = periods.parse_period(label)
        a, b = p.start.month, p.end.month  # months 1..12 of the year
        started_by, going_on = self.s <= b, self.e > b
        nya, avslutade = (self.s >= a) & (self.s <= b), (self.e >= a) & (self.e <= b)
        rows = set(tables["insatser_deltaganden"].index)
        names = [(g, n) for g, n in self.labels.items() if n in rows]
        assert len(names) + 1 == len(rows)
        for g, name in [*names, (None, "Totalt")]:
            mine = np.ones(len(self.keys), bool) if g is None else self.g == g
            row = tables["insatser_deltaganden"].loc[name]
            self.add((label, name, "tot"), mine & started_by, row["Totalt sedan start"])
            self.add((label, name, "pag"), mine & started_by & going_on, row["Pågående vid periodens slut"])
            self.add((label, name, "N"), mine & nya, row["Nya i perioden"])
            self.add((label, name, "Av"), mine & avslutade, row["Avslutade i perioden"])
            kon = _plain(tables["insatser_kon"]).loc[name]
            for k, word in (("kvinna", "kvinnor"), ("man", "män")):
                self.add((label, name, "N", k), mine & nya & (self.k == k), kon[f"Nya, {word}"])
                self.add((label, name, "Av", k), mine & avslutade & (self.k == k), kon[f"Avslutade, {word}"])
        for name, k in (("Kvinna", "kvinna"), ("Man", "man")):
            res = tables["resultat_kon"]
            row = next(r for n, r in res.iterrows() if str(n).startswith(name))
            self.add((label, name, "Av-kon"), avslutade & (self.k == k), row["Avslutade"])


@pytest.mark.parametrize("fid", ["ange", "vasterbergslagen"])
def test_the_per_insats_tables_of_a_year_give_nothing_hidden_away(tmp_path_factory, fid):
    root = tmp_path_factory.mktemp("attack_insats") / "sample"
    write_sample(root, years=(YEAR - 2, YEAR), xlsx=False)
    ds = fa.load_dataset(root)
    reports = {label: {t.key: t.data for t in report_tables(ds, fid, label)} for label in REPORTS}
    insatser = sorted({str(i) for i in ds.deltagande.loc[ds.deltagande["forbund_id"] == fid, "insats_id"]})
    reader = InsatsReader(insatser, {i: _label(ds, i) for i in insatser})
    for label, tables in reports.items():
        reader.add_report(label, tables)
    hidden = [c for c in reader.cells if not c.shown]
    assert hidden, "there should be something to find"
    # the reader's rows are true: shown values equal the rows' own counts
    d = _counted(ds, fid)
    truth = _truth_vector(reader, d)
    for c in reader.cells:
        if c.shown:
            assert c.row @ truth == c.value, c.name
    assert recovered(reader.cells) == []


def test_the_attack_recovers_what_per_report_protection_leaves(tmp_path_factory):
    """The same reader, given the tables with only each cell's own small count hidden, finds something."""
    root = tmp_path_factory.mktemp("attack_insats_naive") / "sample"
    write_sample(root, years=(YEAR - 2, YEAR), xlsx=False)
    ds = fa.load_dataset(root)
    fid = "vasterbergslagen"
    naive = {}
    for label in REPORTS:
        tables = {t.key: t.data for t in report_tables(ds, fid, label, min_cell=1)}
        naive[label] = {k: v.map(lambda x: SUPPRESSED if isinstance(x, (int, np.integer)) and 0 < x < 5 else x)
                        for k, v in tables.items() if k in ("insatser_deltaganden", "insatser_kon", "resultat_kon")}  # fmt: skip
    insatser = sorted({str(i) for i in _counted(ds, fid)["insats_id"]})
    reader = InsatsReader(insatser, {i: _label(ds, i) for i in insatser})
    for label, tables in naive.items():
        reader.add_report(label, tables)
    found = recovered(reader.cells)
    assert found, "per-cell suppression alone should give something away"
    truth = _truth_vector(reader, _counted(ds, fid))
    rows = {c.name: c.row for c in reader.cells}
    for name, value in found:
        assert 0 < value < 5 and rows[name] @ truth == value  # and what it finds is true


def _truth_vector(reader: InsatsReader, d: pd.DataFrame) -> np.ndarray:
    first = dt.date(YEAR, 1, 1)
    index = {key: n for n, key in enumerate(reader.keys)}
    x = np.zeros(len(reader.keys))
    for r in d.itertuples():
        s = max(0, month_index(r.startdatum.date(), first) + 1)
        if pd.isna(r.slutdatum) or r.slutdatum.year > YEAR:
            e = 13
        else:
            e = max(0, month_index(r.slutdatum.date(), first) + 1)
        if s > 12:
            continue  # started after the year: in no count of it
        k = "kvinna" if r.kon == "kvinna" else "man"
        x[index[(s, e, str(r.insats_id), k)]] += 1
    return x
