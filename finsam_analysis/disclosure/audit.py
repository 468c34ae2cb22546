"""What a reader can work out from published counts: the rank test and the bounds audit.

A table's published values and its *lines* (``total = sum(parts)``) are a
system of equations over the hidden values. :func:`derivable` is the rank
test (the equations alone fix a value: its unit vector lies in their row
space); :func:`bounded` is the final check, the reader's linear program with
the bounds a reader knows (hidden counts at least 1, every count at least
0): a hidden value is disclosed when no solution puts it 1 or more away
from its true value. :mod:`finsam_analysis.disclosure.rules` decides what to
hide with these two; :mod:`finsam_analysis.disclosure.family` uses the
elimination for its own, incremental rank test.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog

#: A line: ``(total, parts)``, meaning ``values[total] == sum(values[parts])``.
Line = tuple[Hashable, tuple[Hashable, ...]]



def bounded(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[Line],
    hidden: set,
    unknown: set,
    order: Mapping[Hashable, int],
    held: frozenset = frozenset(),
    safe: set | None = None,
    around_values: bool = False,
) -> list:
    """Hidden nonzero (or ``held``) keys pinned to one whole number by the lines and the bounds.

    The reader's linear program: the unknowns are the keys in ``unknown``
    that lie in a line; each line is an equation over them, the published
    members moved to the right-hand side. Bounds (none above: a reader does
    not know which hidden values are the small ones):

    * a hidden value that is not zero is at least 1 (zeros are shown, so
      ``..`` tells a reader the value is not zero);
    * a hidden zero (held hidden, or a last-resort complement) is at least 0,
      and so is a value that is ``None``: the true values always satisfy the
      program.

    A key is pinned when no solution puts it 1 or more away from its value:
    ``max x_k < value + 1`` and ``min x_k > value - 1``. The equations of a
    table with margins, and the key-figure lines, have a totally unimodular
    matrix (every value lies in at most two lines, with signs that split the
    lines into two classes), so the bounds of each ``x_k`` are whole numbers
    and every whole number between them is the value of a whole-number
    solution: "not pinned" means at least two possible counts. Lines that
    link several tables (a value in three lines or more, or signs that do
    not split the lines into two classes) lack that guarantee; for them
    every program is solved in whole numbers (mixed-integer, HiGHS) and the
    shortcuts below that rely on it are skipped, so the audit stays exact.

    When the values do not satisfy the lines (a caller that passes lines for
    the shape of the equations only), the program is solved around the
    values instead (``around_values``): ``x = value + d`` with ``A d = 0``,
    the same bounds on ``x`` and none on values that are ``None``.

    Work saved, in order: keys in ``safe`` (updated in place: keys already
    shown to have room) are not audited; a key that can move while every
    value at its bound stays put has room (linear algebra, no program); two
    joint programs push all open keys up (by at most 1) and down, and every
    whole-number solution is a witness for each key it moves by 1 or more;
    only what is left gets a program of its own. The equation matrix is
    built once per call.
    """
    safe = set() if safe is None else safe
    in_lines = {key for total, parts in lines for key in (total, *parts)}
    columns = sorted(unknown & in_lines, key=order.__getitem__)
    audit = [
        key for key in columns
        if key in hidden and key not in safe and counts[key] is not None and (counts[key] or key in held)
    ]  # fmt: skip
    if not audit:
        return []
    program = _ReaderProgram.build(counts, lines, columns, around_values)
    if program is None:  # the values break a line: solve around them
        return bounded(counts, lines, hidden, unknown, order, held, safe, around_values=True)
    if program.a_eq is None:
        safe.update(audit)  # in no equation with another unknown: anything goes
        return []
    try:
        return program.pinned(audit, safe)
    except _Infeasible:
        if around_values:  # x = value is a solution: cannot happen
            raise RuntimeError("Röjandekontrollens LP saknar lösning.") from None
        # The values break a line with a None member.
        return bounded(counts, lines, hidden, unknown, order, held, safe, around_values=True)


class _ReaderProgram:
    """The reader's linear program over ``columns`` (see :func:`bounded`)."""

    def __init__(self, columns, a_eq, b_eq, bounds, lower, value, at_bound):
        self.columns, self.a_eq, self.b_eq, self.bounds = columns, a_eq, b_eq, bounds
        self.lower, self.value, self.at_bound = lower, value, at_bound
        self.position = {key: j for j, key in enumerate(columns)}
        unimodular = a_eq is not None and _unimodular(a_eq)
        self.unimodular = unimodular
        self.integrality = None if unimodular else np.ones(len(columns))

    @classmethod
    def build(cls, counts, lines, columns, around_values: bool):
        """The program, or None when the values break a line and ``around_values`` is False."""
        position = {key: j for j, key in enumerate(columns)}
        rows, published = [], []
        for total, parts in lines:
            line_values = [counts[total], *(counts[p] for p in parts)]
            if (not around_values and None not in line_values
                    and abs(line_values[0] - sum(line_values[1:])) > 1e-9):
                return None  # fmt: skip
            row = np.zeros(len(columns))
            rest = 0.0  # published members, moved to the right-hand side
            for key, sign in ((total, 1.0), *((part, -1.0) for part in parts)):
                if key in position:
                    row[position[key]] += sign
                elif counts[key] is not None:
                    rest += sign * counts[key]
            if row.any():
                rows.append(row)
                published.append(-rest)
        value = np.array([counts[key] if counts[key] is not None else 0.0 for key in columns])
        lower = np.array([1.0 if counts[key] else 0.0 for key in columns])
        at_bound = np.array([counts[key] is None or value[j] <= lower[j] for j, key in enumerate(columns)])
        if not rows:
            return cls(columns, None, None, None, lower, value, at_bound)
        a_eq = np.vstack(rows)
        if around_values:
            b_eq = a_eq @ value
            bounds = [(lo, None) if counts[key] is not None else (None, None) for key, lo in zip(columns, lower)]
        else:
            b_eq = np.array(published)
            bounds = [(lo, None) for lo in lower]
        return cls(columns, a_eq, b_eq, bounds, lower, value, at_bound)

    def solve(self, objective: np.ndarray, audit: list, safe: set, box: list | None = None):
        """One program; every whole-number solution marks the keys it moves by 1 or more as safe."""
        result = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=box or self.bounds, method="highs",
                         integrality=self.integrality)  # fmt: skip
        if result.status == 4:  # "unbounded or infeasible": tell them apart
            result.status = 3 if self.solve(np.zeros(len(self.columns)), audit, safe).status == 0 else 2
        if result.status == 2:
            raise _Infeasible
        if result.status == 0 and np.all(np.abs(result.x - np.round(result.x)) < 1e-6):
            moved = np.abs(result.x - self.value) > 1 - 1e-6
            safe.update(key for key in audit if moved[self.position[key]])
        return result

    def pinned(self, audit: list, safe: set) -> list:
        """The keys of ``audit`` that cannot move by 1; ``safe`` gets the others."""
        # Linear algebra first, exact for the totally unimodular systems above:
        # if the equations let x_k move while every value at its bound (and every
        # None) stays put, or while just one of them goes up, x_k moves a little
        # without leaving the bounds (up, if it is at its own bound), so its
        # interval has positive length and whole ends: another count fits. With
        # F the values off their bounds: x_k at its bound moves when its column
        # a_k lies in span(A_F), or a_k + c a_t does for another t at its bound
        # and some c > 0 (their residuals off span(A_F) point opposite ways); x_k
        # off its bound moves when the null space of A_F moves it, or when some
        # a_t at its bound lies in span(A_F) and A_F n = -a_t needs n_k != 0.
        if self.unimodular:
            _move_by_algebra(self.a_eq, self.at_bound, [self.position[key] for key in audit], audit, safe, 1e-9)
        open_keys = [key for key in audit if key not in safe]
        if len(open_keys) > 1:
            # Values at their bound up (by at most 1), the others down: the
            # usual move, a small hidden count up and its complement down.
            objective = np.zeros(len(self.columns))
            box = list(self.bounds)
            for key in open_keys:
                j = self.position[key]
                objective[j] = -1.0 if self.at_bound[j] else 1.0
                box[j] = (self.lower[j], self.value[j] + 1 if self.at_bound[j] else self.value[j])
            self.solve(objective, audit, safe, box)
        return [key for key in audit if key not in safe and not self._moves(key, audit, safe)]

    def _moves(self, key, audit: list, safe: set) -> bool:
        """Whether ``key`` can move by 1 or more (min, then max of its value); marks it safe if so."""
        j = self.position[key]
        unit = np.zeros(len(self.columns))
        unit[j] = 1.0
        # Down first: a value above its bound usually sits in a line with
        # values at theirs, which can only go up.
        if not self.at_bound[j]:
            low = self.solve(unit, audit, safe)
            if low.status == 0 and low.fun <= self.value[j] - 1 + 1e-6:
                safe.add(key)
                return True
            if low.status != 0:
                raise RuntimeError(f"Röjandekontrollens LP för {key!r} löstes inte: {low.message}")
        high = self.solve(-unit, audit, safe)
        if high.status == 3 or (high.status == 0 and -high.fun >= self.value[j] + 1 - 1e-6):
            safe.add(key)
            return True
        if high.status != 0:
            raise RuntimeError(f"Röjandekontrollens LP för {key!r} löstes inte: {high.message}")
        return False


def _unimodular(matrix: np.ndarray) -> bool:
    """Whether ``matrix`` is totally unimodular by the Heller–Tompkins test.

    Sufficient, not necessary: entries in {-1, 0, 1}, at most two nonzeros
    per column, and the rows split into two classes so that a column's two
    entries have opposite signs within a class and equal signs across. A
    table with margins and the key-figure lines pass; linked tables may not.
    """
    if not np.isin(matrix, (-1.0, 0.0, 1.0)).all() or (np.count_nonzero(matrix, axis=0) > 2).any():
        return False
    side = [None] * matrix.shape[0]
    pairs = [np.flatnonzero(matrix[:, j]) for j in range(matrix.shape[1])]
    edges: dict[int, list[tuple[int, bool]]] = {i: [] for i in range(matrix.shape[0])}
    for j, rows in enumerate(pairs):
        if len(rows) == 2:
            a, b = rows
            same = matrix[a, j] != matrix[b, j]  # opposite signs: same class
            edges[a].append((b, same))
            edges[b].append((a, same))
    for start in range(matrix.shape[0]):
        if side[start] is not None:
            continue
        side[start] = 0
        stack = [start]
        while stack:
            a = stack.pop()
            for b, same in edges[a]:
                want = side[a] if same else 1 - side[a]
                if side[b] is None:
                    side[b] = want
                    stack.append(b)
                elif side[b] != want:
                    return False
    return True



class _Infeasible(Exception):
    """The reader's program has no solution: the values break a line (see :func:`bounded`)."""



def _move_by_algebra(a_eq: np.ndarray, at_bound: np.ndarray, columns: list, audit: list, safe: set, tol: float) -> None:
    """Add to ``safe`` the audited keys whose value can move without leaving the bounds.

    Exact only for a totally unimodular system (see :func:`bounded`).
    """
    free = np.flatnonzero(~at_bound)
    bound_at = np.flatnonzero(at_bound)
    sub = a_eq[:, free]
    if free.size:
        u, s, vt = np.linalg.svd(sub)
    else:
        u, s, vt = np.zeros((a_eq.shape[0], 0)), np.zeros(0), np.zeros((0, 0))
    rank = int((s > tol * max(sub.shape, default=1) * (s[0] if s.size else 1.0)).sum())
    span, null = u[:, :rank], vt[rank:]
    residual = a_eq - span @ (span.T @ a_eq)
    in_span = np.abs(residual).max(axis=0) < tol
    norm = np.linalg.norm(residual, axis=0)
    # k-components of the least-squares n with A_F n = -a_t, for t at its bound
    through = -(vt[:rank].T / s[:rank]) @ (span.T @ a_eq[:, bound_at])
    where_free = {j: i for i, j in enumerate(free)}
    for key, j in zip(audit, columns):
        if at_bound[j]:
            opposite = residual[:, bound_at].T @ residual[:, j] <= -(1 - tol) * norm[bound_at] * norm[j]
            moves = in_span[j] or bool(np.any(opposite & (bound_at != j) & (norm[bound_at] > tol)))
        else:
            i = where_free[j]
            moves = bool(null.shape[0] and np.abs(null[:, i]).max() > tol) or bool(
                np.any(in_span[bound_at] & (np.abs(through[i]) > tol))
            )
        if moves:
            safe.add(key)



def derivable(
    counts: Mapping[Hashable, float | None],
    lines: Sequence[Line],
    hidden: set,
    unknown: set,
    order: Mapping[Hashable, int],
    held: frozenset = frozenset(),
) -> list:
    """Hidden nonzero (or ``held``) keys that the line equations determine uniquely.

    One equation per line over its unknown members (the published members
    move to the right-hand side, which does not matter for uniqueness). Key
    ``k`` is determined iff ``e_k`` lies in the row space of the equation
    matrix ``A``, i.e. ``rank([A; e_k]) == rank(A)``.
    """
    # A hidden zero (only ever hidden when nothing else could be) needs no
    # protection unless it is held hidden, and a None value is not ours to
    # protect.
    audit = [key for key in sorted(unknown, key=order.__getitem__) if key in hidden and (counts[key] or key in held)]
    return _determined(lines, unknown, audit, order)



def determined_columns(matrix: np.ndarray) -> set[int]:
    """Columns whose unit vector lies in the row space: the unknowns the equations fix.

    Decided by one singular value decomposition: column ``k`` is fixed exactly
    when the null space has nothing in it, ``‖N[:, k]‖² = 0`` (``N`` the
    right singular vectors past the rank). One LAPACK call replaces a
    Python loop over the columns (ten times slower on a förbund's systems,
    docs/performance.md). Entries are small whole numbers, so a clear answer
    lies far from the tolerances; a rank or a column near one is settled by
    exact elimination over the rationals (:func:`determined_columns_exact`).
    """
    a = np.asarray(matrix, dtype=float)
    if a.size == 0:
        return set()
    _, sing, vt = np.linalg.svd(a, full_matrices=True)
    if ((sing > _TINY) & (sing < _CLEAR)).any():
        return determined_columns_exact(a)
    rank = int((sing >= _CLEAR).sum())
    leftover = (vt[rank:] ** 2).sum(axis=0)
    if ((leftover > _TINY) & (leftover < _CLEAR)).any():
        return determined_columns_exact(a)
    return set(np.flatnonzero(leftover <= _TINY).tolist())


#: Below this a singular value (or a column's share of the null space) is 0;
#: from ``_CLEAR`` up it is not; in between the exact elimination decides.
_TINY, _CLEAR = 1e-9, 1e-4


def determined_columns_exact(matrix) -> set[int]:
    """:func:`determined_columns` by Gauss–Jordan elimination over the rationals (exact, slow).

    In reduced row echelon form, column ``k`` is fixed exactly when it is a
    pivot whose row has no other entry.
    """
    rows = [[Fraction(float(x)) for x in row] for row in np.asarray(matrix)]  # a float's exact value
    n_cols = len(rows[0]) if rows else 0
    pivots: list[int] = []
    r = 0
    for j in range(n_cols):
        i = next((i for i in range(r, len(rows)) if rows[i][j] != 0), None)
        if i is None:
            continue
        rows[r], rows[i] = rows[i], rows[r]
        pivot = rows[r][j]
        rows[r] = [x / pivot for x in rows[r]]
        for i2 in range(len(rows)):
            if i2 != r and rows[i2][j] != 0:
                f = rows[i2][j]
                rows[i2] = [x - f * y for x, y in zip(rows[i2], rows[r])]
        pivots.append(j)
        r += 1
        if r == len(rows):
            break
    return {j for i, j in enumerate(pivots) if sum(1 for x in rows[i] if x != 0) == 1}


def _determined(lines: Sequence[Line], unknown: set, keys: Sequence, order: Mapping[Hashable, int]) -> list:
    """The ``keys`` (all in ``unknown``) that the line equations determine (rank test).

    ``e_k`` lies in the row space exactly when, in reduced row echelon form,
    column ``k`` is a pivot whose row has no other entry.
    """
    matrix, position = _equations(lines, unknown, order)
    if matrix is None:
        return []
    fixed = determined_columns(matrix)
    return [key for key in keys if key in position and position[key] in fixed]



def _equations(lines: Sequence[Line], unknown: set, order: Mapping[Hashable, int]):
    """The equation matrix of the lines over their unknown members, and each key's column."""
    in_lines = {key for total, parts in lines for key in (total, *parts)}
    columns = sorted(unknown & in_lines, key=order.__getitem__)
    if not columns:
        return None, {}
    position = {key: j for j, key in enumerate(columns)}
    rows = []
    for total, parts in lines:
        row = np.zeros(len(columns))
        if total in position:
            row[position[total]] += 1.0
        for part in parts:
            if part in position:
                row[position[part]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return None, position
    return np.vstack(rows), position
