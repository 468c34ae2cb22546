"""Disclosure control (docs/rapporter.md §3): hand-worked cases and properties.

The privacy property is checked with methods written independently of the
module. Against exact derivation: the module compares matrix ranks, the tests
look at the null space of the equation matrix (SVD) and require that every
hidden cell can move while all published totals still hold. Against what the
bounds give away (a hidden count is at least 1, since zeros are shown): the
module solves linear programs and relies on their bounds being whole numbers,
the tests solve integer programs (``scipy.optimize.milp``, integrality
enforced) and require a second whole-number value for every hidden count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from finsam_analysis.disclosure.rules import FOOTNOTE_TEMPLATE, SUPPRESSED, footnote, suppress
from finsam_analysis.disclosure.tables import ProtectedTable, protect_table

#: Property tests: enough examples to find corner cases, fast enough to run always.
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KON_LINE = [("aktiva_deltagare", ["kvinnor", "man", "kon_okand"])]


# ---------------------------------------------------------------------------
# Independent checker
# ---------------------------------------------------------------------------


def movable(unknowns: list, lines: list[tuple[object, list]]) -> dict:
    """For each unknown: can it change while every line equation still holds?

    Builds the homogeneous system over the unknowns (published members are
    constants and drop out of a difference of two solutions) and looks at its
    null space from the SVD. An unknown is movable when some null vector has
    a nonzero component for it.
    """
    if not unknowns:
        return {}
    col = {key: j for j, key in enumerate(unknowns)}
    rows = []
    for total, parts in lines:
        row = np.zeros(len(unknowns))
        if total in col:
            row[col[total]] += 1
        for part in parts:
            if part in col:
                row[col[part]] -= 1
        rows.append(row)
    if not rows:
        return {key: True for key in unknowns}
    a = np.array(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * max(a.shape)).sum())
    null = vt[rank:]  # rows span the null space
    return {key: bool(null.shape[0] and np.abs(null[:, j]).max() > 1e-9) for key, j in col.items()}


def another_whole_value(values: dict, hidden, lines: list[tuple[object, list]]) -> dict:
    """For each hidden nonzero key: does a whole-number solution give it another value?

    What a reader knows: the line equations with the published values in
    them, every hidden count at least 1 (zeros are shown), no upper bound.
    One integer program per direction, with the key at ``value + 1`` or more,
    or at ``value - 1`` (and at least 1) or less; any solution will do
    (zero objective).
    """
    keys = list(hidden)
    col = {key: j for j, key in enumerate(keys)}
    rows, rhs = [], []
    for total, parts in lines:
        row = np.zeros(len(keys))
        constant = 0.0
        for key, sign in [(total, 1), *((part, -1) for part in parts)]:
            if key in col:
                row[col[key]] += sign
            else:
                constant += sign * values[key]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    out = {}
    for key in keys:
        if not values[key]:
            continue
        if not rows:
            out[key] = True
            continue
        equations = LinearConstraint(np.array(rows), rhs, rhs)
        found = False
        for low, high in ((values[key] + 1, np.inf), (1, values[key] - 1)):
            if high < low:
                continue
            lb, ub = np.ones(len(keys)), np.full(len(keys), np.inf)
            lb[col[key]], ub[col[key]] = low, high
            result = milp(np.zeros(len(keys)), integrality=np.ones(len(keys)),
                          bounds=Bounds(lb, ub), constraints=equations)  # fmt: skip
            if result.status == 0:
                found = True
                break
        out[key] = found
    return out


def table_lines(shape: tuple[int, int], total_row: bool, total_col: bool) -> list:
    """Margin equations of a table whose last row/column are totals (positions)."""
    n_rows, n_cols = shape
    tr, tc = n_rows - 1, n_cols - 1
    data_rows = range(n_rows - 1) if total_row else range(n_rows)
    data_cols = range(n_cols - 1) if total_col else range(n_cols)
    lines = []
    if total_col:
        lines += [((i, tc), [(i, j) for j in data_cols]) for i in range(n_rows)]
    if total_row:
        lines += [((tr, j), [(i, j) for i in data_rows]) for j in range(n_cols)]
    return lines


def hidden_positions(protected: ProtectedTable) -> list[tuple[int, int]]:
    rows, cols = np.nonzero(protected.hidden.to_numpy())
    return list(zip(rows.tolist(), cols.tolist()))


# ---------------------------------------------------------------------------
# Hand-worked examples
# ---------------------------------------------------------------------------


def test_one_small_count_in_a_line_takes_the_smallest_nonzero_partner():
    # kvinnor 3 is hidden (primary). With total 53 and okänd 0 shown, kvinnor
    # = 53 - man - 0, so one more member must go: man (50) is the smallest
    # nonzero one (the total is 53); the zero is shown, hiding it protects
    # nothing. kvinnor + man = 53 then has two unknowns.
    values = {"aktiva_deltagare": 53, "kvinnor": 3, "man": 50, "kon_okand": 0}
    assert suppress(values, KON_LINE) == {"kvinnor", "man"}


def test_three_by_three_table_hides_a_rectangle():
    counts = pd.DataFrame(
        [[2, 10, 12], [8, 20, 15], [9, 11, 30]], index=list("ABC"), columns=list("xyz")
    )
    protected = protect_table(counts)
    # (A,x)=2 is primary. Its row and its column each reveal it; the smallest
    # nonzero cell in either is (B,x)=8. Row A still reveals (A,x): its
    # smallest partner is (A,y)=10. Now row B and column y each hold one
    # hidden cell; (B,y)=20 closes the rectangle (it lies in both), which is
    # preferred over smaller cells (B,z)=15 or (C,y)=11 that would open new
    # lines. Every line then holds 0 or 2 hidden cells.
    expected = {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    hidden = protected.hidden.stack()
    assert set(hidden[hidden].index) == expected
    assert protected.values.loc["Totalt", "Totalt"] == 117
    assert list(protected.values.columns) == ["x", "y", "z", "Totalt"]
    shown = protected.display()
    assert shown.loc["A", "x"] == SUPPRESSED and shown.loc["C", "x"] == 9
    assert protected.n_hidden == 4
    assert protected.footnote == "Uppgifter som bygger på färre än 5 personer redovisas inte (..)"


def test_zero_is_never_the_complement_so_the_row_total_is_hidden():
    counts = pd.DataFrame([[3, 0], [10, 12]], index=list("AB"), columns=list("xy"))
    protected = protect_table(counts)
    # Row A is 3, 0 | 3: the only other part is 0, so the row total (3) is
    # the complement. Then column x and column "Totalt" each hold one hidden
    # cell; (B,x)=10 is the smallest in column x, and (B,Totalt)=22 closes
    # the rectangle with (A,Totalt). The zero stays shown.
    hidden = protected.hidden.stack()
    assert set(hidden[hidden].index) == {("A", "x"), ("A", "Totalt"), ("B", "x"), ("B", "Totalt")}
    assert protected.display().loc["A", "y"] == 0


def test_min_cell_one_turns_suppression_off():
    values = {"aktiva_deltagare": 53, "kvinnor": 3, "man": 49, "kon_okand": 1}
    assert suppress(values, KON_LINE, min_cell=1) == frozenset()
    protected = protect_table(pd.DataFrame([[1, 2], [3, 0]]), min_cell=1)
    assert protected.n_hidden == 0 and protected.footnote == ""


def test_share_hidden_below_min_cell_shown_at_min_cell():
    values = {"n4": 4, "k4": 0, "n5": 5, "k5": 0}
    shares = {"p4": ("k4", "n4"), "p5": ("k5", "n5")}
    # n4 = 4 is itself hidden; p4's denominator is below 5. n5 = 5 and its
    # numerator 0 are shown, so p5 is shown.
    assert suppress(values, (), 5, shares) == {"n4", "p4"}


def test_share_hidden_when_its_numerator_is_hidden():
    values = {"n": 40, "k": 3}
    assert suppress(values, (), 5, {"p": ("k", "n"), "median": (None, "n")}) == {"k", "p"}


def test_shares_table_given_total_row():
    frame = pd.DataFrame(
        {
            "avslutade": [4, 30, 34],
            "arbete_studier": [1, 12, 13],
            "andel": [0.25, 0.4, 13 / 34],
            "median_dagar": [100.0, 200.0, 180.0],
        },
        index=pd.Index(["Insats A", "Insats B", "Totalt"], name="insats"),
    )
    protected = protect_table(
        frame,
        margins="given",
        shares={"andel": ("arbete_studier", "avslutade"), "median_dagar": (None, "avslutade")},
    )
    hidden = protected.hidden
    # Insats A: 4 and 1 are primary; the total row would give them back, so
    # Insats B's 30 and 12 are the complements (columns are not summed across
    # each other). Both rows' shares and medians go with their denominators.
    assert hidden.loc["Insats A"].all() and hidden.loc["Insats B"].all()
    assert not hidden.loc["Totalt"].any()
    shown = protected.display(decimals=2)
    assert shown.loc["Totalt", "andel"] == pytest.approx(0.38)
    assert protected.values["avslutade"].dtype == np.int64


def test_one_column_frequency_table_gets_a_total_row_only():
    freq = pd.Series([12, 3, 0, 20], index=["gymnasium", "grundskola", "okand", "eftergymnasial"])
    protected = protect_table(freq.to_frame("antal"))
    assert list(protected.values.columns) == ["antal"]
    assert protected.values.loc["Totalt", "antal"] == 35
    # grundskola 3 is primary; the total row gives it back, so the smallest
    # nonzero other row (gymnasium 12) is hidden too; the zero is shown.
    assert protected.hidden["antal"].tolist() == [True, True, False, False, False]


def test_given_margins_match_added_margins():
    counts = pd.DataFrame([[2, 10, 12], [8, 20, 15], [9, 11, 30]])
    added = protect_table(counts)
    given_ = protect_table(added.values, margins="given")
    assert np.array_equal(added.hidden.to_numpy(), given_.hidden.to_numpy())


def test_given_totals_must_be_sums():
    with pytest.raises(ValueError, match="summan"):
        protect_table(pd.DataFrame([[1, 2, 4], [3, 4, 7]]), margins="given")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="min_cell"):
        suppress({"a": 1}, min_cell=0)
    with pytest.raises(ValueError, match="saknas"):
        suppress({"a": 1}, [("a", ["b"])])
    with pytest.raises(ValueError, match="negativt"):
        suppress({"a": -1})
    with pytest.raises(ValueError, match="antal"):
        protect_table(pd.DataFrame({"x": [1.5, 2.0]}))
    with pytest.raises(ValueError, match="margins"):
        protect_table(pd.DataFrame({"x": [1, 2], "p": [0.1, 0.2]}), shares={"p": ("x", "x")})


def test_categorical_labels_and_names_survive_margins():
    ct = pd.crosstab(
        pd.Categorical(["kvinna", "man", "man", "kvinna"], categories=["kvinna", "man"]),
        pd.Categorical(["16-24", "25-29", "16-24", "25-29"], categories=["16-24", "25-29"]),
        rownames=["kon"],
        colnames=["aldersgrupp"],
    )
    protected = protect_table(ct, min_cell=1)
    assert protected.values.index.name == "kon" and protected.values.columns.name == "aldersgrupp"
    assert protected.values.loc["Totalt", "Totalt"] == 4


def test_footnote_names_min_cell():
    assert footnote() == "Uppgifter som bygger på färre än 5 personer redovisas inte (..)"
    assert footnote(3) == FOOTNOTE_TEMPLATE.format(min_cell=3)
    assert "färre än 3 personer" in footnote(3)


def test_values_published_elsewhere_steer_the_complements():
    # The kön line of the first example: kvinnor 3 is primary and man (50) its
    # complement.
    values = {"aktiva_deltagare": 53, "kvinnor": 3, "man": 50, "kon_okand": 0}
    # Another publication shows man: a reader knows it, so hiding it here
    # protects nothing. kvinnor = 53 - 50 - 0 must be protected by the only
    # other nonzero member, the total.
    assert suppress(values, KON_LINE, known=["man"]) == {"kvinnor", "aktiva_deltagare"}
    # Another publication hides the total: it is hidden here too, and then
    # kvinnor + man = 53 - 0 has two unknowns, so nothing more is needed.
    assert suppress(values, KON_LINE, hidden=["aktiva_deltagare"]) == {"kvinnor", "aktiva_deltagare"}
    # It hides man and shows the total: the same cells as without it.
    assert suppress(values, KON_LINE, hidden=["man"], known=["aktiva_deltagare"]) == {"kvinnor", "man"}
    # It shows both the total and man: kvinnor follows from them and the zero,
    # whatever is hidden here. The small count is hidden (the rule has no
    # exception) and nothing else is, since hiding more could not help.
    assert suppress(values, KON_LINE, known=["aktiva_deltagare", "man"]) == {"kvinnor"}


def test_a_value_held_hidden_is_protected_even_when_it_is_zero():
    # Another publication hides a = 0 (hiding a zero happens there only as a
    # last resort). Shown here with the total 20 and b 20, a would be 20 - 20;
    # so one of them goes as well: both are 20, the total comes first in key
    # order. No other value is hidden and nothing is small.
    values = {"tot": 20, "a": 0, "b": 20}
    assert suppress(values, [("tot", ["a", "b"])], hidden=["a"]) == {"a", "tot"}
    # A share over a held count goes with it.
    assert suppress({"n": 40, "k": 20}, (), 5, {"p": ("k", "n")}, hidden=["n"]) == {"n", "p"}
    # None is not published: held or not, it is never listed.
    assert suppress({"n": None, "k": 20}, hidden=["n"]) == frozenset()


def test_a_table_agrees_with_the_key_figures_on_the_cells_they_share():
    # Kvinnor 2 and man 8 (its complement) are hidden in the key figures, the
    # 10 aktiva deltagare are shown. The table alone hides its grand total
    # too, and 10 - g0's 6 would give g1's total 4 back.
    counts = pd.DataFrame({"Kvinna": [0, 2], "Man": [6, 2]}, index=["g0", "g1"])
    alone = protect_table(counts)
    assert alone.hidden.at["Totalt", "Totalt"] and alone.hidden.at["g1", "Totalt"]
    kf = {("Totalt", "Kvinna"): True, ("Totalt", "Man"): True, ("Totalt", "Totalt"): False}
    protected = protect_table(counts, agree_with=kf)
    # The grand total is shown, the kön totals are hidden as in the key
    # figures. (g1, Totalt) = 4 would be 10 - 6: g0's 6 and total go too.
    # The zero is shown.
    hidden = protected.hidden.stack()
    assert set(hidden[hidden].index) == {
        ("g0", "Man"), ("g0", "Totalt"), ("g1", "Kvinna"), ("g1", "Man"), ("g1", "Totalt"),
        ("Totalt", "Kvinna"), ("Totalt", "Man"),
    }  # fmt: skip
    # A cell the table does not have (an empty group left out) is ignored.
    again = protect_table(counts, agree_with={**kf, ("Totalt", "Uppgift saknas"): False})
    assert again.hidden.equals(protected.hidden)


def test_bad_cells_published_elsewhere_are_refused():
    with pytest.raises(ValueError, match="både"):
        suppress({"a": 1, "b": 2}, hidden=["a"], known=["a"])
    with pytest.raises(ValueError, match="saknas"):
        suppress({"a": 1}, known=["b"])
    frame = pd.DataFrame({"n": [10, 20], "k": [5, 10], "p": [0.5, 0.5]})
    with pytest.raises(ValueError, match="antalscell"):
        protect_table(frame, margins=False, shares={"p": ("k", "n")}, agree_with={(0, "p"): True})


# ---------------------------------------------------------------------------
# Bounds: a hidden count is at least 1
# ---------------------------------------------------------------------------


def test_two_hidden_ones_that_sum_to_two_take_a_third_cell():
    # Row 10 | 1 | 1, total 12: the two 1s are primary. The rank test is
    # satisfied (b + c = 12 - 10 = 2 has two unknowns), but zeros are shown,
    # so each hidden cell is at least 1, and b + c = 2 leaves only b = c = 1.
    line = [("tot", ["a", "b", "c"])]
    values = {"tot": 12, "a": 10, "b": 1, "c": 1}
    assert movable(["b", "c"], line) == {"b": True, "c": True}
    assert another_whole_value(values, ["b", "c"], line) == {"b": False, "c": False}
    # So one more member of the line goes: the 10 (smaller than the total
    # 12). Then b + c = 12 - a with a >= 1, and b can be anything from 1 to 10.
    assert suppress(values, line) == {"a", "b", "c"}
    assert all(another_whole_value(values, ["a", "b", "c"], line).values())
    # The same row as a table: its total column is shown, the 10 is not.
    protected = protect_table(pd.DataFrame([[10, 1, 1]], columns=list("xyz")))
    assert protected.hidden.loc[0].tolist() == [True, True, True, False]
    assert protected.display().at[0, "Totalt"] == 12


def test_a_rectangle_that_the_rank_test_accepts_but_the_bounds_pin():
    counts = pd.DataFrame(
        [[1, 1, 20], [10, 12, 30], [9, 11, 7]], index=list("ABC"), columns=list("xyz")
    )
    # The rank test alone hides the rectangle (A,x) (A,y) (C,x) (C,y): (A,x)
    # and (A,y) are primary, (C,x) = 9 and (C,y) = 11 close the columns.
    # Every line through it holds two hidden cells, so nothing is determined
    # by the equations...
    table = protect_table(counts).values.to_numpy()
    rectangle = [(0, 0), (0, 1), (2, 0), (2, 1)]
    lines = table_lines(table.shape, True, True)
    assert all(movable(rectangle, lines).values())
    # ...but row A shows 20 and 22: (A,x) + (A,y) = 2, so both are 1, and the
    # columns then give (C,x) = 20 - 10 - 1 = 9 and (C,y) = 11.
    values = dict(np.ndenumerate(table))
    assert not any(another_whole_value(values, rectangle, lines).values())
    # The smallest published value in a line through the rectangle is
    # (C,z) = 7; column z then gives it back unless (A,z) = 20 goes too
    # (it closes the rectangle: row A already holds hidden cells).
    protected = protect_table(counts)
    hidden = protected.hidden.stack()
    assert set(hidden[hidden].index) == {(r, c) for r in "AC" for c in "xyz"}
    assert all(another_whole_value(values, hidden_positions(protected), lines).values())


def test_bounds_can_pin_a_cycle_of_hidden_cells_no_single_line_pins():
    counts = pd.DataFrame([[12, 1, 2], [5, 3, 8], [1, 20, 2]])
    # The rank test alone hides six cells on a cycle, two in each line:
    #   row 0: (0,1) + (0,2) = 15 - 12 = 3      col 0: (1,0) + (2,0) = 18 - 12 = 6
    #   row 1: (1,0) + (1,1) = 16 - 8 = 8       col 1: (0,1) + (1,1) = 24 - 20 = 4
    #   row 2: (2,0) + (2,2) = 23 - 20 = 3      col 2: (0,2) + (2,2) = 12 - 8 = 4
    # No line alone pins anything (no sum is 2). Around the cycle, with
    # t = (0,1): (0,2) = 3 - t, (2,2) = 1 + t, (2,0) = 2 - t, (1,0) = 4 + t,
    # (1,1) = 4 - t; t >= 1 and 2 - t >= 1 leave t = 1: all six are pinned.
    table = protect_table(counts).values.to_numpy()
    cycle = [(0, 1), (0, 2), (1, 0), (1, 1), (2, 0), (2, 2)]
    lines = table_lines(table.shape, True, True)
    values = dict(np.ndenumerate(table))
    assert all(movable(cycle, lines).values())
    assert not any(another_whole_value(values, cycle, lines).values())
    # (1,2) = 8 lies in two lines of the cycle (like 12 and 20) and is the
    # smallest of them: hiding it leaves row 1 and column 2 with three hidden
    # cells each, and the cycle can turn again.
    protected = protect_table(counts)
    assert set(hidden_positions(protected)) == {*cycle, (1, 2)}
    assert all(another_whole_value(values, hidden_positions(protected), lines).values())


def test_bounds_and_values_published_elsewhere():
    line = [("tot", ["a", "b", "c"])]
    values = {"tot": 12, "a": 10, "b": 1, "c": 1}
    # Another publication shows the 10: it cannot be the complement, so the
    # total is; then b + c = tot - 10 with tot unknown, and b has room.
    assert suppress(values, line, known=["a"]) == {"b", "c", "tot"}
    # It hides the total: held hidden, the total is an unknown of at least 1,
    # and b + c = tot - 10 has room without anything more.
    assert suppress(values, line, hidden=["tot"]) == {"b", "c", "tot"}
    # It shows the total and the 10: b = c = 1 whatever is hidden here. The
    # small counts are hidden (the rule has no exception), nothing else is.
    assert suppress(values, line, known=["tot", "a"]) == {"b", "c"}
    # Held counts are protected against the bounds too, even with
    # min_cell = 1: held b and c are not zero, so each is at least 1, and
    # b + c = 12 - 10 pins them; the 10 goes.
    assert suppress(values, line, 1, hidden=["b", "c"]) == {"a", "b", "c"}
    # A held zero is at least 0, and two held zeros whose sum is shown to be
    # 0 are pinned as well. The complement is the total (as small as c,
    # first in key order); then a + b = tot - 10 has room.
    zeros = {"tot": 10, "a": 0, "b": 0, "c": 10}
    assert suppress(zeros, line, hidden=["a", "b"]) == {"a", "b", "tot"}


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 6))
    cells = draw(st.lists(st.integers(0, 30), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    min_cell = draw(st.integers(2, 6))
    return pd.DataFrame(np.array(cells, dtype=int).reshape(n_rows, n_cols)), min_cell


@PROPERTY
@given(tables())
def test_table_properties(case):
    counts, min_cell = case
    protected = protect_table(counts, min_cell)
    values = protected.values.to_numpy()
    mask = protected.hidden.to_numpy()
    has_row, has_col = counts.shape[0] >= 2, counts.shape[1] >= 2
    assert values.shape == (counts.shape[0] + has_row, counts.shape[1] + has_col)

    # (a) every small count is hidden; (b) zeros are shown and nothing shown is small.
    small = (values >= 1) & (values < min_cell)
    assert mask[small].all()
    assert not mask[values == 0].any()
    assert not ((values >= 1) & (values < min_cell) & ~mask).any()

    # (c) the published table is the input and its sums: the equations hold.
    assert np.array_equal(values[: counts.shape[0], : counts.shape[1]], counts.to_numpy())
    lines = table_lines(values.shape, has_row, has_col)
    for total, parts in lines:
        assert values[total] == sum(values[p] for p in parts)

    # (d) privacy: every hidden cell can change while all totals still hold.
    hidden = hidden_positions(protected)
    assert all(movable(hidden, lines).values())

    # Deterministic, and the same for the same table given with its margins.
    assert np.array_equal(protect_table(counts, min_cell).hidden.to_numpy(), mask)
    if has_row:
        again = protect_table(protected.values, min_cell, margins="given")
        assert np.array_equal(again.hidden.to_numpy(), mask)
    assert protected.footnote == (footnote(min_cell) if mask.any() else "")


#: The integer-program check is slower: fewer examples of smaller tables.
BOUNDS_PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def small_tables(draw):
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cells = draw(st.lists(st.integers(0, 20), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    return pd.DataFrame(np.array(cells, dtype=int).reshape(n_rows, n_cols)), draw(st.integers(2, 6))


@BOUNDS_PROPERTY
@given(small_tables())
def test_every_hidden_count_has_two_possible_values(case):
    counts, min_cell = case
    protected = protect_table(counts, min_cell)
    values = protected.values.to_numpy()
    has_row, has_col = counts.shape[0] >= 2, counts.shape[1] >= 2
    lines = table_lines(values.shape, has_row, has_col)
    hidden = hidden_positions(protected)
    # Zeros are shown, so a reader may take every hidden cell to be >= 1.
    assert all(values[cell] > 0 for cell in hidden)
    room = another_whole_value(dict(np.ndenumerate(values)), hidden, lines)
    pinned = [cell for cell, ok in room.items() if not ok]
    assert not pinned, (counts, min_cell, pinned)


@PROPERTY
@given(tables())
def test_unprotected_with_min_cell_one(case):
    counts, _ = case
    assert protect_table(counts, 1).n_hidden == 0


def test_protect_follows_the_key_figures_on_random_tables():
    """Random kön × ålder tables: margins agree with the kön line alone, and nothing leaks."""
    rng = np.random.default_rng(5)
    disagreements = 0
    for _ in range(300):
        n_rows = int(rng.integers(2, 5))
        counts = pd.DataFrame(
            rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15, 40], size=(n_rows, 3)),
            index=pd.Index([f"g{i}" for i in range(n_rows)], dtype=object),
            columns=pd.Index(["Kvinna", "Man", "Uppgift saknas"], dtype=object),
        )
        k, m, o = (int(x) for x in counts.sum())
        kf_hidden = suppress({"aktiva": k + m + o, "k": k, "m": m, "o": o}, [("aktiva", ["k", "m", "o"])], 5)
        agree_with = {("Totalt", "Kvinna"): "k" in kf_hidden, ("Totalt", "Man"): "m" in kf_hidden,
                      ("Totalt", "Uppgift saknas"): "o" in kf_hidden,
                      ("Totalt", "Totalt"): "aktiva" in kf_hidden}  # fmt: skip
        plain = protect_table(counts, 5, margins=True)
        disagreements += any(bool(plain.hidden.at[cell]) != h for cell, h in agree_with.items())
        protected = protect_table(counts, 5, margins=True, agree_with=agree_with)
        for cell, h in agree_with.items():
            assert bool(protected.hidden.at[cell]) == h
        values, hidden = protected.values, protected.hidden
        rows, cols = list(values.index), list(values.columns)
        lines = [((r, "Totalt"), [(r, c) for c in cols[:-1]]) for r in rows]
        lines += [(("Totalt", c), [(r, c) for r in rows[:-1]]) for c in cols]
        unknown = [(r, c) for r in rows for c in cols if hidden.at[r, c]]
        free = movable(unknown, lines)
        for r, c in unknown:
            if values.at[r, c]:
                assert free[(r, c)], (counts, r, c)
        for r in rows:
            for c in cols:
                if 0 < values.at[r, c] < 5:
                    assert hidden.at[r, c]
    assert disagreements  # the case agree_with exists for does occur


@st.composite
def tables_published_elsewhere(draw):
    """A table and what a safe other publication of one of its margins hides.

    The other publication is, like the key figures for kön × ålder, the
    table's total row (or column) with the grand total, protected as one
    line on its own.
    """
    n_rows, n_cols = draw(st.integers(2, 5)), draw(st.integers(2, 4))
    # Small margins are what the other publication hides: small cells likely.
    cell = st.sampled_from([0, 0, 1, 2, 3, 4, 6, 9, 15, 40])
    cells = draw(st.lists(cell, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    counts = pd.DataFrame(np.array(cells, dtype=int).reshape(n_rows, n_cols))
    min_cell = draw(st.integers(2, 6))
    by_column = draw(st.booleans())
    sums = counts.sum(axis=0 if by_column else 1)
    values = {"total": int(sums.sum()), **{part: int(v) for part, v in sums.items()}}
    hidden_there = suppress(values, [("total", list(sums.index))], min_cell)
    total_row, total_col = counts.shape[0], counts.shape[1]
    agree_with = {(total_row, total_col): "total" in hidden_there}
    for part in sums.index:
        cell = (total_row, part) if by_column else (part, total_col)
        agree_with[cell] = part in hidden_there
    return counts, min_cell, agree_with


@PROPERTY
@given(tables_published_elsewhere())
def test_with_cells_published_elsewhere_nothing_hidden_is_derivable(case):
    counts, min_cell, agree_with = case
    # The table with its margins, labelled by position like agree_with.
    table = pd.DataFrame(protect_table(counts, min_cell).values.to_numpy())
    protected = protect_table(table, min_cell, margins="given", agree_with=agree_with)
    values = protected.values.to_numpy()
    mask = protected.hidden.to_numpy()

    # The table hides exactly what the other publication hides.
    for cell, hidden_there in agree_with.items():
        assert mask[cell] == hidden_there
    # Every small count is hidden.
    assert mask[(values >= 1) & (values < min_cell)].all()
    # No hidden count can be worked out from the table and the other
    # publication: the cells it shows are shown here too, and its line is the
    # table's total row (column), so the table's lines are all there is.
    lines = table_lines(values.shape, True, True)
    hidden = hidden_positions(protected)
    free = movable(hidden, lines)
    for cell in hidden:
        if values[cell] or agree_with.get(cell):
            assert free[cell], cell
