"""Disclosure control over time: every period a förbund publishes, protected as one family.

A förbund publishes the same counts for many periods: the annual report, the
delårsrapport (January–August), half-years, quarters, tertials, the month
series and, beside each, the previous period. Protected one report at a time,
they undo each other: the year minus January–August gives September–December,
however carefully each report hides its own small numbers. This module decides,
once for each förbund, what every one of those periods may show, so that all of
them taken together give nothing away (docs/methods.md §5).

The idea
--------
Every participation count of a period is a difference of *cumulative counts at
the period's bounds*. With ``N(t)`` the participations started up to day ``t``
and ``A(t)`` those ended up to ``t``:

* nya deltaganden in ``(a, b]`` = ``N(b) − N(a)``, avslutade = ``A(b) − A(a)``,
  and the same for every outcome group and every split (by kön, ålder, insats,
  avslutsanledning, försörjning före × efter);
* pågående vid periodens slut = ``N(b) − A(b)``, a *stock*;
* aktiva deltaganden in ``(a, b]`` = ``N(b) − A(a)``, and so is a month of the
  month series.

Such a cumulative count at a bound is a *node value* of its *series*. The
standard periods (years, H, T, Q and January–August, and the periods shown
beside them) all begin and end at seven bounds a year: 31 December, 31 March,
30 April, 30 June, 31 August, 30 September and 31 December again. Whatever a
reader subtracts, what the published figures fix is node values, and the
differences between them.

So the decision is made per series and node: *known* (every period between two
known nodes of the series is shown) or *unknown* (every period with that bound
is hidden, ``..``). Nodes are decided in time order, as the periods ending there
are published (a delårsrapport is written before the year is over, and what it
showed cannot be taken back), and for each series a node is known only if

1. the count since the series' last known node is 0 or at least ``min_cell``,
   and inside the year what came after the same day a year earlier is at
   least ``room_min`` (so that the year's own figure is seldom hidden by a
   small last stretch); a stock is shown when it is 0 or at least
   ``min_cell``;
2. nothing a reader can then work out (below) is a count from 1 to
   ``min_cell − 1``, an unknown node already decided, or a group with the same
   outcome (a share of 0 % or 100 % of fewer than ``group_min`` persons).

What a reader can work out from known node values (the *closure*), assuming
conservatively that the reader knows every series' level:

* the sum lines at a node (avslutade = the outcome groups, each split's groups
  = its total, pågående = started − ended): a line with one unknown member
  gives it; the before × after table, whose lines cross, is also solved by
  elimination;
* the month series: a month's aktiva deltaganden is ``N`` at its end minus
  ``A`` at the end of the month before, so knowing one gives the other;
* order: a cumulative count never falls, so a zero stretch pins every node
  inside it, and a part (arbete/studier) that grows exactly as its whole
  (avslutade) over a stretch pins the parts inside it.

The guarantee: every count a reader can derive is a difference of known node
values of one series, a sum of stretches that are each 0 or at least
``min_cell``; no hidden cell's value, and no stretch from 1 to ``min_cell − 1``,
is ever determined; and no outcome share of 0 % or 100 % is shown over fewer
than ``group_min``. ``tests/disclosure/test_family_attack.py`` checks it with an
independent reader: integer programs over the participations of every
combination of start month, end month and outcome, given everything the
annual report, the delårsrapport, H1, H2, the quarters, the tertials and the
month series show.

Counts of *persons* (aktiva deltagare, kvinnor, män) are not differences of
node values: a person active in both halves counts once in the year. They are
protected period by period (:mod:`finsam_analysis.disclosure.rules`).

This module is the engine (:class:`Family`: series, lines, frames of nodes,
the closure and the decisions); :mod:`finsam_analysis.disclosure.forbund`
builds a förbund's series from its participations and runs the engine one
year at a time.
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left, bisect_right, insort
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from finsam_analysis.disclosure.audit import determined_columns
from finsam_analysis.disclosure.rules import DEFAULT_MIN_CELL

__all__ = [
    "FLOW",
    "STOCK",
    "Family",
    "Line",
    "SeriesSpec",
    "standard_bounds",
]

FLOW, STOCK = "flow", "stock"

#: The bounds (month, day) inside a year where standard periods begin or end:
#: after March (Q1), April (T1), June (H1, Q2), August (T2, Jan–Aug) and
#: September (Q3); 31 December closes the year.
STANDARD_BOUNDS: tuple[tuple[int, int], ...] = ((3, 31), (4, 30), (6, 30), (8, 31), (9, 30), (12, 31))


def standard_bounds(year: int) -> list[_dt.date]:
    """The standard period bounds inside ``year`` (31 December last)."""
    return [_dt.date(year, m, d) for m, d in STANDARD_BOUNDS]


@dataclass(frozen=True)
class SeriesSpec:
    """One series: a cumulative count (flow) or a count at a point in time (stock).

    Attributes
    ----------
    key : hashable
        The series' name, e.g. ``("Av",)`` or ``("kon", "as", "kvinna")``.
    kind : {"flow", "stock"}
    values : numpy.ndarray
        The value at every node of the family (cumulative for a flow).
    monthly : bool
        Whether the series has a node at every month end (the month series
        links ``N`` and ``A`` there); otherwise only at the standard bounds.
    """

    key: Hashable
    kind: str
    values: np.ndarray
    monthly: bool = False


@dataclass(frozen=True)
class Line:
    """``total = sum(parts)`` at every node where all its series have one."""

    total: Hashable
    parts: tuple[Hashable, ...]
    rank: bool = False  # part of a system that is solved by elimination (crossing lines)
    #: ``total = parts[0] + parts[1]`` with ``parts[1]`` a stock (pågående):
    #: started = ended + going on. Flows are known relative to the frame's
    #: start and the stock absolutely, so the line links differences:
    #: started − ended at a node is known exactly when the stock there is
    #: known relative to the frame's start.
    stock: bool = False


class _Fail(Exception):
    """A trial decision would give something away."""


#: The standard periods inside a year, as (first month, last month).
STANDARD_PERIODS: tuple[tuple[int, int], ...] = (
    (1, 12), (1, 6), (7, 12), (1, 3), (4, 6), (7, 9), (10, 12), (1, 4), (5, 8), (9, 12), (1, 8), (5, 12),
)  # fmt: skip


@dataclass
class Family:
    """The decisions of one frame (a calendar year): which node of which series is known.

    A reader's knowledge is kept as a union-find over the node values: two
    values in one set have a known difference, and the set of the frame's
    start (where every count is known, as the reference) holds what is known
    outright. Trials are undone from a log. Build frames with
    :func:`forbund_family`; query them with :meth:`flow_shown`,
    :meth:`stock_shown`, :meth:`aktiva_shown` and :meth:`month_shown`.
    """

    days: np.ndarray  # node days (numpy day numbers), sorted; node 0 is the frame's start
    standard: np.ndarray  # bool: a standard bound
    year_end: np.ndarray  # bool: 31 December
    series: list[SeriesSpec]
    lines: list[Line]
    subsets: list[tuple[Hashable, Hashable]]
    shares: list[tuple[Hashable, Hashable]]
    min_cell: int = DEFAULT_MIN_CELL
    group_min: int = 2 * DEFAULT_MIN_CELL
    room_min: int = 3 * DEFAULT_MIN_CELL
    month_links: dict[int, tuple[int, int]] = field(default_factory=dict)  # month-end node -> (N node, A node)
    #: Per series and node: the count from that day to the year's end one
    #: year earlier (the forecast of what is still to come), or None.
    remainder: np.ndarray | None = None
    #: Node pairs that are the bounds of a standard period.
    periods: list[tuple[int, int]] = field(default_factory=list)
    #: Bool per node: a bound of a period outside the family, decided after it.
    extra: np.ndarray | None = None
    #: Whether each stock (pågående, per insats too) at the frame's start is
    #: known: shown at the end of the year before, or the first year (nothing
    #: before it). One bool for every stock, or a bool per stock's key.
    stock_start_known: bool | dict = True

    # ------------------------------------------------------------------
    # Set-up
    # ------------------------------------------------------------------

    def __post_init__(self) -> None:
        self._index = {spec.key: k for k, spec in enumerate(self.series)}
        n_s, n_i = len(self.series), len(self.days)
        if self.extra is None:
            self.extra = np.zeros(n_i, dtype=bool)
        self.n_nodes = n_i
        self.values = np.vstack([np.asarray(x.values, dtype=np.int64) for x in self.series]) if n_s else np.zeros((0, n_i), np.int64)
        self.is_stock = np.array([x.kind == STOCK for x in self.series], dtype=bool)
        monthly = np.array([x.monthly for x in self.series], dtype=bool)
        self.exists = monthly[:, None] | self.standard[None, :]
        self.known = np.zeros((n_s, n_i), dtype=bool)
        self.decided_unknown = np.zeros((n_s, n_i), dtype=bool)
        self.known_nodes: list[list[int]] = [[] for _ in range(n_s)]
        self.month_accepted: dict[int, bool] = {}
        self._lines = [(self._index[ln.total], tuple(self._index[p] for p in ln.parts), ln.rank) for ln in self.lines]
        self._stock_line = [ln.stock for ln in self.lines]
        self._rank_lines = [(t, parts) for t, parts, rank in self._lines if rank]
        self._rank_memo: dict[tuple[int, ...], tuple[int, ...]] = {}
        # One row per crossing line over every series: +1 its total, -1 each part.
        self._rank_matrix = np.zeros((len(self._rank_lines), n_s))
        for r, (t, parts) in enumerate(self._rank_lines):
            np.add.at(self._rank_matrix[r], [t, *parts], [1.0] + [-1.0] * len(parts))
        self._lines_of: list[list[int]] = [[] for _ in range(n_s)]
        for j, (t, parts, _) in enumerate(self._lines):
            for m in (t, *parts):
                self._lines_of[m].append(j)
        share_set = {(self._index[a], self._index[b]) for a, b in self.shares}
        self._pairs_of: list[list[tuple[int, int, bool]]] = [[] for _ in range(n_s)]
        self._parts_of: list[list[int]] = [[] for _ in range(n_s)]
        for part, whole in dict.fromkeys([*self.subsets, *self.shares]):
            p, w = self._index[part], self._index[whole]
            entry = (p, w, (p, w) in share_set)
            self._pairs_of[p].append(entry)
            self._pairs_of[w].append(entry)
            self._parts_of[w].append(p)
        self._partners: dict[int, list[int]] = {}
        for a, b in self.periods:
            self._partners.setdefault(a, []).append(b)
            self._partners.setdefault(b, []).append(a)
        # Union-find over node values, plus the root of what is known outright.
        self._root = n_s * n_i
        self._parent = list(range(self._root + 1))
        self._size = [1] * (self._root + 1)
        self._members: list[list[int]] = [[v] for v in range(self._root + 1)]
        self._log: list[tuple] = []
        for x in range(n_s):  # the frame's start is the reference: known (a stock only if shown before)
            if not self.is_stock[x] or self._stock_start_known(self.series[x].key):
                self._union(x * n_i, self._root, [])
            else:
                self.decided_unknown[x, 0] = True
        self._log.clear()

    def _stock_start_known(self, key: Hashable) -> bool:
        known = self.stock_start_known
        return bool(known.get(key, True) if isinstance(known, dict) else known)

    def stocks_known_at_end(self) -> dict:
        """Per stock: known at this frame's last node, which is 31 December (the next frame's start)."""
        last = bool(self.year_end[-1])
        return {x.key: last and bool(self.known[k, -1]) for k, x in enumerate(self.series) if x.kind == STOCK}

    def key_index(self, key: Hashable) -> int:
        return self._index[key]

    def node(self, day: _dt.date) -> int:
        """The node index of ``day`` (which must be a node)."""
        t = np.datetime64(day, "D").astype("int64")
        i = int(np.searchsorted(self.days, t))
        if i >= len(self.days) or self.days[i] != t:
            raise KeyError(f"{day} är ingen periodgräns i familjen.")
        return i

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------

    def flow_shown(self, key: Hashable, start: _dt.date, end: _dt.date) -> bool:
        """Whether the count of ``key`` from ``start`` to ``end`` (inclusive) may be shown."""
        s = self._index[key]
        a, b = self.node(start - _dt.timedelta(days=1)), self.node(end)
        return bool(self.known[s, a] and self.known[s, b])

    def stock_shown(self, key: Hashable, day: _dt.date) -> bool:
        """Whether the stock ``key`` at the end of ``day`` may be shown."""
        return bool(self.known[self._index[key], self.node(day)])

    def aktiva_shown(self, started: Hashable, stock: Hashable, start: _dt.date, end: _dt.date,
                     ended: Hashable = ("Av",)) -> bool:
        """Whether aktiva in the period may be shown: when a reader works it out anyway.

        Aktiva = going on the day before the start + started in the period
        = ended in the period + going on at its end.
        """
        a, b = self.node(start - _dt.timedelta(days=1)), self.node(end)
        n, e, k = self._index[started], self._index[ended], self._index[stock]
        return bool(
            (self.known[k, a] and self.known[n, a] and self.known[n, b])
            or (self.known[k, b] and self.known[e, a] and self.known[e, b])
        )

    def month_shown(self, month_end: _dt.date) -> bool:
        """Whether the month series may show the month ending ``month_end``."""
        return self.month_accepted.get(self.node(month_end), False)

    def value(self, key: Hashable, start: _dt.date, end: _dt.date) -> int:
        """The count of ``key`` from ``start`` to ``end``, shown or not (for checks)."""
        s = self._index[key]
        a, b = self.node(start - _dt.timedelta(days=1)), self.node(end)
        return int(self.values[s, b] - self.values[s, a])

    # ------------------------------------------------------------------
    # The union-find, with an undo log for trials
    # ------------------------------------------------------------------

    def _find(self, v: int) -> int:
        parent = self._parent
        while parent[v] != v:
            v = parent[v]
        return v

    def _var(self, s: int, i: int) -> int:
        return s * self.n_nodes + i

    def _union(self, x: int, y: int, queue: list) -> None:
        """A reader learns ``value(x) − value(y)``; check and record what follows."""
        rx, ry = self._find(x), self._find(y)
        if rx == ry:
            return
        if self._size[rx] < self._size[ry]:
            rx, ry = ry, rx  # ry (the smaller) goes under rx
        known_root = self._find(self._root)
        becomes_known = None
        if rx == known_root:
            becomes_known = list(self._members[ry])
        elif ry == known_root:
            becomes_known = list(self._members[rx])
        self._parent[ry] = rx
        self._size[rx] += self._size[ry]
        moved = self._members[ry]
        self._members[rx].extend(moved)
        self._log.append(("union", ry, rx, len(moved)))
        if becomes_known is not None:
            for v in becomes_known:
                self._now_known(*divmod(v, self.n_nodes), queue)
        else:
            self._check_unknown_set(rx)

    def _now_known(self, s: int, i: int, queue: list) -> None:
        if self.decided_unknown[s, i]:
            raise _Fail  # a hidden cell would be worked out
        self.known[s, i] = True
        insort(self.known_nodes[s], i)
        self._log.append(("known", s, i))
        self._check(s, i)
        queue.append((s, i))

    def _undo(self, mark: int) -> None:
        while len(self._log) > mark:
            entry = self._log.pop()
            if entry[0] == "known":
                _, s, i = entry
                self.known[s, i] = False
                nodes = self.known_nodes[s]
                del nodes[bisect_left(nodes, i)]
            else:
                _, ry, rx, n_moved = entry
                self._parent[ry] = ry
                self._size[rx] -= self._size[ry]
                del self._members[rx][-n_moved:]

    def _check_unknown_set(self, root: int) -> None:
        """Values linked only to each other: no hidden cell, no small stretch inside."""
        by_series: dict[int, list[int]] = {}
        for v in self._members[root]:
            s, i = divmod(v, self.n_nodes)
            by_series.setdefault(s, []).append(i)
        for s, nodes in by_series.items():
            if len(nodes) < 2 or self.is_stock[s]:
                continue
            nodes.sort()
            inside = set(nodes)
            if any(j in inside for i in nodes for j in self._partners.get(i, ())):
                raise _Fail  # both bounds of a hidden period: its count is worked out
            v = self.values[s]
            if any(self._small(int(v[b] - v[a])) for a, b in zip(nodes, nodes[1:])):
                raise _Fail

    # ------------------------------------------------------------------
    # Checks and closure
    # ------------------------------------------------------------------

    def _neighbours(self, s: int, i: int) -> tuple[int | None, int | None]:
        nodes = self.known_nodes[s]
        k = bisect_left(nodes, i)
        before = nodes[k - 1] if k > 0 else None
        k = bisect_right(nodes, i)
        after = nodes[k] if k < len(nodes) else None
        return before, after

    def _small(self, n: int) -> bool:
        return 0 < n < self.min_cell

    def _check(self, s: int, i: int) -> None:
        """Raise :class:`_Fail` if knowing ``(s, i)`` gives away a small count."""
        v = self.values[s]
        if self.is_stock[s]:
            if self._small(int(v[i])):
                raise _Fail
            return
        before, after = self._neighbours(s, i)
        gap = 0 if before is None else int(v[i] - v[before])
        if self._small(gap):
            raise _Fail
        if after is None and not self._room_inside_year(s, i, gap):
            raise _Fail  # the year's last known bound so far, too close to its end
        if after is not None and self._small(int(v[after] - v[i])):
            raise _Fail
        for part, whole, is_share in self._pairs_of[s]:
            if is_share and self.known[part, i] and self.known[whole, i]:
                self._check_share(part, whole, i)

    def _joint_neighbours(self, part: int, whole: int, i: int) -> tuple[int | None, int | None]:
        nodes = self.known_nodes[part]
        k = bisect_left(nodes, i)
        before = next((j for j in reversed(nodes[:k]) if self.known[whole, j]), None)
        after = next((j for j in nodes[k + 1 :] if self.known[whole, j]), None)
        return before, after

    def _check_share(self, part: int, whole: int, i: int) -> None:
        """No stretch shows all or none of fewer than ``group_min`` (group disclosure)."""
        before, after = self._joint_neighbours(part, whole, i)
        for a, b in ((before, i), (i, after)):
            if a is None or b is None:
                continue
            n = int(self.values[whole, b] - self.values[whole, a])
            k = int(self.values[part, b] - self.values[part, a])
            if 0 < n < self.group_min and k in (0, n):
                raise _Fail

    def _closure(self, queue: list) -> None:
        """Everything a reader works out from the newly known ``queue``; raise _Fail if unsafe."""
        rank_nodes: set[int] = set()
        while queue or rank_nodes:
            if not queue:
                self._rank_pass(rank_nodes.pop(), queue)
                continue
            s, i = queue.pop()
            for j in self._lines_of[s]:
                total, parts, rank = self._lines[j]
                members = (total, *parts)
                if i == 0 or not all(self.exists[m, i] for m in members):
                    continue  # at the frame's start the flows are a reference, not knowledge
                if self._stock_line[j]:
                    self._stock_rule(total, parts[0], parts[1], i, queue)
                    continue
                unknown = [m for m in members if not self.known[m, i]]
                if len(unknown) == 1:
                    self._union(self._var(unknown[0], i), self._root, queue)
                elif rank and unknown:
                    rank_nodes.add(i)
            if not self.is_stock[s]:
                self._pin_zero(s, i, queue)
            for part, whole, _ in self._pairs_of[s]:
                if self.known[part, i] and self.known[whole, i]:
                    self._pin_whole(part, whole, i, queue)

    def _stock_rule(self, started: int, ended: int, stock: int, i: int, queue: list) -> None:
        """Started − ended at node ``i`` moves as the stock does since the frame's start.

        So a reader who knows the stock at ``i`` relative to its value at the
        start knows started − ended at ``i``, and the other way round (with
        both flows known, the stock follows; with the stock and one flow,
        the other).
        """
        n, e, k = self._var(started, i), self._var(ended, i), self._var(stock, i)
        if self._find(k) == self._find(self._var(stock, 0)):
            self._union(n, e, queue)
        if self._find(n) == self._find(e):
            self._union(k, self._var(stock, 0), queue)

    def _pin_zero(self, s: int, i: int, queue: list) -> None:
        """A count that does not move over a stretch pins it inside, and every part of it."""
        v = self.values[s]
        before, after = self._neighbours(s, i)
        for a, b in ((before, i), (i, after)):
            if a is None or b is None or v[a] != v[b]:
                continue
            for j in range(a + 1, b):
                if self.exists[s, j]:
                    self._union(self._var(s, j), self._root, queue)
            for p in self._parts_of[s]:
                for j in range(a + 1, b + 1):
                    if self.exists[p, j]:
                        self._union(self._var(p, j), self._var(p, a), queue)

    def _pin_whole(self, part: int, whole: int, i: int, queue: list) -> None:
        """A part that grows exactly as its whole over a stretch: the rest is pinned inside it."""
        before, after = self._joint_neighbours(part, whole, i)
        vp, vw = self.values[part], self.values[whole]
        for a, b in ((before, i), (i, after)):
            if a is None or b is None or b - a <= 1 or vp[b] - vp[a] != vw[b] - vw[a]:
                continue
            for j in range(a + 1, b):
                if self.exists[part, j] and self.exists[whole, j]:
                    self._union(self._var(part, j), self._var(whole, j), queue)

    def _rank_pass(self, i: int, queue: list) -> None:
        """Elimination over the crossing lines at node ``i``: unknowns they determine."""
        lines = self._rank_lines
        unknown = tuple(sorted({m for t, parts in lines for m in (t, *parts) if not self.known[m, i] and self.exists[m, i]}))
        if not unknown:
            return
        fixed = self._rank_memo.get(unknown)
        if fixed is None:  # the lines never change, so the answer depends on the unknowns alone
            fixed = self._rank_memo[unknown] = self._fixed_by_lines(unknown)
        for m in fixed:
            self._union(self._var(m, i), self._root, queue)

    def _fixed_by_lines(self, unknown: tuple[int, ...]) -> tuple[int, ...]:
        """The ``unknown`` series whose value the crossing lines determine (rank test)."""
        matrix = self._rank_matrix[:, list(unknown)]
        matrix = matrix[matrix.any(axis=1)]
        if not len(matrix):
            return ()
        return tuple(unknown[k] for k in sorted(determined_columns(matrix)))

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------

    def _try(self, x: int, y: int) -> bool:
        """Let a reader learn ``value(x) − value(y)`` if that gives nothing away."""
        mark = len(self._log)
        queue: list = []
        try:
            self._union(x, y, queue)
            self._closure(queue)
        except _Fail:
            self._undo(mark)
            return False
        return True

    def _room_inside_year(self, s: int, i: int, gap: int) -> bool:
        """A bound inside the year is known only with room on both sides.

        Besides the usual rule (the stretch since the last known bound is 0
        or at least ``min_cell``), what came after this day until the year's
        end one year earlier must be at least ``room_min``: what is left of
        the year then seldom ends up from 1 to ``min_cell − 1``, which would
        hide the whole year's figure. A bound with nothing new since the last
        known one changes nothing for the year's end and is always allowed.
        """
        if self.year_end[i] or gap == 0:
            return True
        return self.remainder is None or self.remainder[s, i] >= self.room_min

    def _primary_ok(self, s: int, i: int) -> bool:
        v = self.values[s]
        if self.is_stock[s]:
            return not self._small(int(v[i]))
        before, _ = self._neighbours(s, i)
        gap = 0 if before is None else int(v[i] - v[before])
        if self._small(gap):
            return False
        return self._room_inside_year(s, i, gap)

    def decide_node(self, s: int, i: int) -> bool:
        """Decide series ``s`` at bound ``i``: known if that is safe, else unknown for good."""
        if self.known[s, i] or not self.exists[s, i]:
            return bool(self.known[s, i])
        if self._primary_ok(s, i) and self._try(self._var(s, i), self._root):
            return True
        self.decided_unknown[s, i] = True
        return False

    def decide_month(self, i: int) -> bool:
        """Decide whether the month series shows the month ending at node ``i``."""
        n_node, a_node = self.month_links[i]
        n, a = self._index[("N",)], self._index[("Av",)]
        value = int(self.values[n, n_node] - self.values[a, a_node])
        # A month = going on at the frame's start + started − ended since: it
        # links started and ended only when that stock is known.
        ok = (
            not self._small(value)
            and bool(self.known[self._index[("pag",)], 0])
            and self._try(self._var(n, n_node), self._var(a, a_node))
        )
        self.month_accepted[i] = ok
        return ok

    def replay(self, base: "Family") -> None:
        """Take over every decision of ``base``, a frame over a subset of these nodes.

        What ``base`` showed stays shown and what it hid stays hidden; the
        closure adds what a reader then knows at the new nodes (a stretch
        that did not move pins them). Done release by release, in the order
        ``base`` decided them.
        """
        where = {int(day): i for i, day in enumerate(self.days)}
        index = [where[int(day)] for day in base.days]
        for s in range(len(self.series)):
            for i_base, i in enumerate(index):
                self.decided_unknown[s, i] = base.decided_unknown[s, i_base]
        n, a = self._index[("N",)], self._index[("Av",)]
        queue: list = []
        pending: list[int] = []
        for i_base, i in enumerate(index):
            if i_base in base.month_links:
                pending.append(i_base)
            if not base.standard[i_base] or i_base == 0:
                continue
            for s in range(len(self.series)):
                if base.known[s, i_base]:
                    self._union(self._var(s, i), self._root, queue)
            self._closure(queue)
            for m in pending:
                if base.month_accepted.get(m):
                    n_node, a_node = base.month_links[m]
                    self._union(self._var(n, index[n_node]), self._var(a, index[a_node]), queue)
                    self._closure(queue)
            pending = []
        self.month_accepted = {index[m]: ok for m, ok in base.month_accepted.items()}

    def decide_all(self, releases: Sequence[tuple[int, Sequence[int]]]) -> None:
        """Decide the releases in order: ``(bound node, month-end nodes released with it)``."""
        for i, months in releases:
            for s in self._order_at(i):
                self.decide_node(s, i)
            for m in months:
                self.decide_month(m)

    def _order_at(self, i: int) -> list[int]:
        """Series in priority order; inside the year, those that have not moved first.

        Such a series reveals nothing new at ``i``; left unknown inside the
        year, it would be a complement that protects nothing (a reader pins
        it as soon as a later bound shows that it still has not moved) and
        that hides its later bounds too, the year's end included. At the
        year's end no later bound can pin it, so there it may serve.
        """
        if self.year_end[i]:
            return list(range(len(self.series)))
        still, moved = [], []
        for s in range(len(self.series)):
            before, _ = self._neighbours(s, i)
            unmoved = not self.is_stock[s] and before is not None and self.values[s, i] == self.values[s, before]
            (still if unmoved else moved).append(s)
        return still + moved
