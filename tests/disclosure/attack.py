"""An independent reader who combines everything a förbund publishes to work out hidden counts.

Nothing here uses the protection code. The reader's unknowns are the
participations of one förbund grouped by *start month × end month × outcome
group* (participations that started before the window form one start class;
those still going on after it one end class). Every published count is a sum
of some of these groups:

* nya deltaganden of a period = started in it; avslutade = ended in it; an
  outcome group = ended in it with that outcome;
* pågående vid periodens slut = started by its end and not ended by then;
* aktiva deltaganden of a period, and every month of the month series =
  started by its end and not ended before its start.

Given the values that are shown, an integer program per hidden count finds
the smallest and largest value it can take (groups are whole numbers, at
least 0). A hidden count whose smallest and largest value coincide has been
*recovered*. Split tables (by åldersgrupp, insats, …) count only avslutade,
so :class:`SplitReader` groups by end month × group × arbete/studier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

OUTCOMES = ("arbete", "studier", "arbetssokande", "ovriga")


def month_index(day: dt.date, first: dt.date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


@dataclass
class Published:
    """One published count: the reader knows ``value`` when shown, else it is hidden."""

    name: tuple
    row: np.ndarray  # coefficients over the reader's unknowns
    value: int
    shown: bool


@dataclass
class Reader:
    """Unknowns: participations by (start class, end class, outcome); see the module notes."""

    first: dt.date  # first month of the window
    n_months: int
    cells: list[Published] = field(default_factory=list)

    def __post_init__(self) -> None:
        # start classes: 0 = before the window, 1 + m = month m; end classes: 0 .. n-1 months, n = later
        keys = []
        for s in range(self.n_months + 1):
            for e in range(self.n_months + 1):
                if s >= 1 and e < s - 1:
                    continue
                if e == self.n_months:
                    keys.append((s, e, None))
                else:
                    keys.extend((s, e, g) for g in OUTCOMES)
        self.keys = keys
        self.start = np.array([k[0] for k in keys])
        self.end = np.array([k[1] for k in keys])
        self.outcome = np.array([k[2] or "" for k in keys], dtype=object)

    # Masks over the unknowns, in month indices (end-exclusive where said)
    def started_by(self, m: int) -> np.ndarray:
        """Started in month ``m`` or earlier (m = -1: before the window)."""
        return self.start <= m + 1

    def ended_by(self, m: int) -> np.ndarray:
        return self.end <= m

    def add(self, name: tuple, mask: np.ndarray, value: int, shown: bool) -> None:
        self.cells.append(Published(name, mask.astype(float), int(value), bool(shown)))

    def add_period(self, label: str, a: int, b: int, counts: dict[str, tuple[int, bool]]) -> None:
        """A period of months ``a..b``: key figure name -> (value, shown)."""
        started = self.started_by(b) & ~self.started_by(a - 1)
        ended = self.ended_by(b) & ~self.ended_by(a - 1)
        masks = {
            "nya_deltaganden": started,
            "avslutade_deltaganden": ended,
            "pagaende_vid_periodens_slut": self.started_by(b) & ~self.ended_by(b),
            "aktiva_deltaganden": self.started_by(b) & ~self.ended_by(a - 1),
            "arbete_studier": ended & np.isin(self.outcome, ("arbete", "studier")),
        }
        for g in OUTCOMES:
            masks[g] = ended & (self.outcome == g)
        for key, (value, shown) in counts.items():
            if key in masks:
                self.add((label, key), masks[key], value, shown)

    def add_month(self, m: int, value: int, shown: bool) -> None:
        self.add(("manad", m), self.started_by(m) & ~self.ended_by(m - 1), value, shown)

    def recovered(self, integer: bool = True) -> list[tuple[tuple, int]]:
        return recovered(self.cells, integer)


def recovered(cells: list[Published], integer: bool = True, extra=None) -> list[tuple[tuple, int]]:
    """Hidden counts whose value the shown ones fix, with that value.

    ``extra``: more of the reader's knowledge as ``(M, lo, hi)``, ``lo <= M x <= hi``.
    Every unknown is a whole number of at least 0.
    """
    shown = [c for c in cells if c.shown]
    hidden = [c for c in cells if not c.shown]
    if not hidden:
        return []
    n = len(cells[0].row)
    constraints = []
    if shown:
        a_eq = np.vstack([c.row for c in shown])
        b_eq = np.array([c.value for c in shown], dtype=float)
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    if extra is not None:
        constraints.append(LinearConstraint(*extra))
    out = []
    seen: set[tuple] = set()
    for cell in hidden:
        key = tuple(cell.row)
        if key in seen:
            continue
        seen.add(key)
        lo = _solve(cell.row, constraints, n, integer)
        hi = -_solve(-cell.row, constraints, n, integer)
        if hi - lo < 0.5:
            out.append((cell.name, int(round(lo))))
    return out


def _solve(objective, constraints, n, integer: bool) -> float:
    integrality = np.ones(n) if integer else np.zeros(n)
    res = milp(objective, constraints=constraints, integrality=integrality, bounds=Bounds(0, np.inf))
    if res.status == 0:
        return float(res.fun)
    # "Unbounded or infeasible": the true numbers are always feasible, so it
    # is unbounded (no limit in that direction), unless the data are broken.
    check = milp(np.zeros(n), constraints=constraints, integrality=integrality, bounds=Bounds(0, np.inf))
    if check.status != 0:
        raise RuntimeError("Läsarens program saknar lösning: de publicerade talen stämmer inte.")
    return -np.inf


class CumulativeReader:
    """The same reader, in cumulative counts at month ends (far fewer unknowns).

    Unknowns: for every month end ``m`` of the window (and the day before it)
    the participations started so far ``N[m]``, ended so far ``A[m]`` and
    ended so far with each outcome ``O_g[m]``, plus subsets of the ended ones
    (``okand`` of övriga, offentlig försörjning före/efter). What a reader
    knows besides the shown counts: none of them falls, ``A = sum O_g``,
    ``A ≤ N`` (nothing ends before it starts), and a subset grows by at most
    as much as its whole each month. Any such numbers come from some set of
    participations (match ends to starts first in, first out), so this
    reader knows exactly what :class:`Reader` knows; ``test_family_attack``
    checks that on a small window.
    """

    SERIES = ("N", "A", *OUTCOMES, "okand", "off_fore", "off_efter")
    SUBSET = {"okand": "ovriga", "off_fore": "A", "off_efter": "A"}

    def __init__(self, first: dt.date, n_months: int) -> None:
        self.first, self.n = first, n_months
        self.cells: list[Published] = []
        self.width = n_months + 1  # index 0 is the day before the window

    def col(self, series: str, m: int) -> int:
        return self.SERIES.index(series) * self.width + (m + 1)

    def vec(self, terms) -> np.ndarray:
        row = np.zeros(len(self.SERIES) * self.width)
        for series, m, sign in terms:
            if series == "as":
                for g in ("arbete", "studier"):
                    row[self.col(g, m)] += sign
            else:
                row[self.col(series, m)] += sign
        return row

    def add(self, name, terms, value, shown) -> None:
        self.cells.append(Published(name, self.vec(terms), int(value), bool(shown)))

    def add_period(self, label: str, a: int, b: int, counts: dict[str, tuple[int, bool]]) -> None:
        forms = {
            "nya_deltaganden": [("N", b, 1), ("N", a - 1, -1)],
            "avslutade_deltaganden": [("A", b, 1), ("A", a - 1, -1)],
            "pagaende_vid_periodens_slut": [("N", b, 1), ("A", b, -1)],
            "aktiva_deltaganden": [("N", b, 1), ("A", a - 1, -1)],
            "arbete_studier": [("as", b, 1), ("as", a - 1, -1)],
        }
        for g in (*OUTCOMES, "okand", "off_fore", "off_efter"):
            forms[g] = [(g, b, 1), (g, a - 1, -1)]
        for key, (value, shown) in counts.items():
            if key in forms:
                self.add((label, key), forms[key], value, shown)

    def add_month(self, m: int, value: int, shown: bool) -> None:
        self.add(("manad", m), [("N", m, 1), ("A", m - 1, -1)], value, shown)

    def structure(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The reader's own knowledge as ``lo <= M x <= hi`` rows."""
        rows, lo, hi = [], [], []

        def add(terms, low, high):
            rows.append(self.vec(terms))
            lo.append(low)
            hi.append(high)

        for m in range(-1, self.n):
            add([("A", m, 1), *((g, m, -1) for g in OUTCOMES)], 0, 0)
            add([("N", m, 1), ("A", m, -1)], 0, np.inf)
            if m >= 0:
                for series in self.SERIES:
                    add([(series, m, 1), (series, m - 1, -1)], 0, np.inf)
                for part, whole in self.SUBSET.items():
                    add([(whole, m, 1), (whole, m - 1, -1), (part, m, -1), (part, m - 1, 1)], 0, np.inf)
            for part, whole in self.SUBSET.items():
                add([(whole, m, 1), (part, m, -1)], 0, np.inf)
        return np.vstack(rows), np.array(lo, float), np.array(hi, float)

    def recovered(self) -> list[tuple[tuple, int]]:
        m, lo, hi = self.structure()
        return recovered(self.cells, True, (m, lo, hi))


@dataclass
class SplitReader:
    """Unknowns: avslutade by (end month, group, arbete/studier or not) for one split."""

    first: dt.date
    n_months: int
    groups: tuple
    cells: list[Published] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keys = [(e, g, w) for e in range(self.n_months) for g in self.groups for w in (0, 1)]
        self.end = np.array([k[0] for k in self.keys])
        self.group = np.array([k[1] for k in self.keys], dtype=object)
        self.work = np.array([k[2] for k in self.keys])

    def add_period(self, label: str, a: int, b: int, rows: dict, totals: dict) -> None:
        """``rows``: group -> {"Av": (v, shown), "as": (v, shown)}; ``totals`` the same for the Totalt row."""
        ended = (self.end >= a) & (self.end <= b)
        for g, cols in rows.items():
            for col, (value, shown) in cols.items():
                mask = ended & (self.group == g) & ((self.work == 1) if col == "as" else True)
                self.cells.append(Published((label, g, col), mask.astype(float), value, shown))
        for col, (value, shown) in totals.items():
            mask = ended & ((self.work == 1) if col == "as" else True)
            self.cells.append(Published((label, "Totalt", col), mask.astype(float), value, shown))

    def recovered(self, integer: bool = True) -> list[tuple[tuple, int]]:
        return recovered(self.cells, integer)
