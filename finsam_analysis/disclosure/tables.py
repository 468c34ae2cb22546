"""Disclosure control of a table: counts by one or two splits, with margins and shares.

:func:`protect_table` turns a table of counts of persons (and shares or
statistics over them) into a :class:`ProtectedTable`: the margins are added
as lines and every cell goes through :func:`finsam_analysis.disclosure.rules.suppress`,
in agreement with numbers published elsewhere (``agree_with``).

Agreeing with another publication
---------------------------------
``agree_with`` names the cells (margins included) whose value is published
elsewhere too, e.g. the kön totals of a kön × ålder table, which the key
figures publish, with whether that other publication hides them. The table
then hides such a cell exactly when the other publication does, so the two
together reveal nothing: cells hidden there are held hidden (``hidden`` of
:func:`~finsam_analysis.disclosure.rules.suppress`), cells shown there are
known to a reader (``known``) and never chosen as complements.

The key figures hide kvinnor (2) and, as its complement, man (8), and show
the 10 aktiva deltagare. On its own the table would hide its grand total as
well, and the 10 from the key figures minus g0's 6 would give g1's 4 back.
Agreeing with the key figures, it shows the 10 and protects g1 with g0's
cells instead:

>>> counts = pd.DataFrame({"Kvinna": [0, 2], "Man": [6, 2]}, index=["g0", "g1"])
>>> protect_table(counts).display()
       Kvinna Man Totalt
g0          0   6      6
g1         ..  ..     ..
Totalt     ..  ..     ..
>>> kf = {("Totalt", "Kvinna"): True, ("Totalt", "Man"): True, ("Totalt", "Totalt"): False}
>>> protect_table(counts, agree_with=kf).display()
       Kvinna Man Totalt
g0          0  ..     ..
g1         ..  ..     ..
Totalt     ..  ..     10
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finsam_analysis.disclosure.rules import DEFAULT_MIN_CELL, Cell, _check_min_cell, footnote, suppress
from finsam_analysis.fmt import SUPPRESSED



@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts (and shares) after disclosure control.

    Attributes
    ----------
    values : pandas.DataFrame
        The numbers, with margins when they were added; count columns are
        integers, share columns floats.
    hidden : pandas.DataFrame
        Booleans of the same shape: True where the cell must not be shown.
    min_cell : int
        Smallest count of persons shown.
    """

    values: pd.DataFrame
    hidden: pd.DataFrame
    min_cell: int = DEFAULT_MIN_CELL

    @property
    def n_hidden(self) -> int:
        """Number of hidden cells."""
        return int(self.hidden.to_numpy().sum())

    @property
    def footnote(self) -> str:
        """The footnote to print under the table; empty when nothing is hidden."""
        return footnote(self.min_cell) if self.n_hidden else ""

    def display(self, decimals: int | None = None) -> pd.DataFrame:
        """The table to publish: hidden cells are ``".."``, the rest numbers.

        Parameters
        ----------
        decimals : int, optional
            Round float columns (shares) to this many decimals.

        Returns
        -------
        pandas.DataFrame
            Object dtype, same labels as :attr:`values`. Formatting numbers
            the Swedish way is left to the caller.
        """
        shown = self.values.astype(object)
        if decimals is not None:
            for j, dtype in enumerate(self.values.dtypes):
                if pd.api.types.is_float_dtype(dtype):
                    shown.iloc[:, j] = self.values.iloc[:, j].round(decimals).astype(object)
        return shown.mask(self.hidden.to_numpy(), SUPPRESSED)


def protect_table(
    counts: pd.DataFrame,
    min_cell: int = DEFAULT_MIN_CELL,
    *,
    margins: bool | str = True,
    total_label: str = "Totalt",
    shares: Mapping[Hashable, tuple[Hashable | None, Hashable]] | None = None,
    agree_with: Mapping[Cell, bool] | None = None,
    exempt: Iterable[Hashable] = (),
) -> ProtectedTable:
    """Apply disclosure control to a table of counts of persons.

    Parameters
    ----------
    counts : pandas.DataFrame
        Non-negative whole numbers, no missing values (e.g. from
        :func:`pandas.crosstab`). With ``shares``, the share columns are floats
        and may be missing.
    min_cell : int, default 5
        Smallest count shown; 1 turns suppression off.
    margins : {True, False, "given"}, default True
        ``True``: add a total column and row (``total_label``) and publish
        them (a single column or row gets none: it would repeat itself).
        ``"given"``: the last row, and for a cross-table the last column,
        already hold the totals (they must be the sums). ``False``: no
        totals; only safe when the table's total is published nowhere else.
    total_label : str, default "Totalt"
        Label of the added total row and column.
    shares : mapping, optional
        ``{share_column: (numerator_column, denominator_column)}`` for a table
        of groups × measures (numerator None for a statistic such as a median
        over the denominator's persons). Not summed across: ``margins`` must
        then be ``"given"`` or False.
    agree_with : mapping, optional
        ``{(row label, column label): hidden there}`` for cells also published
        elsewhere (see the module notes); cells not in the table are ignored.
    exempt : iterable, optional
        Column labels shown whatever their size, margins included
        (:func:`~finsam_analysis.disclosure.rules.suppress` ``exempt``): the
        "Uppgift saknas" column of kön.

    Returns
    -------
    ProtectedTable

    Raises
    ------
    ValueError
        Missing, negative or fractional counts; given totals that are not the
        sums; ``margins=True`` with ``shares``; an unknown column in
        ``shares``; a cell of ``agree_with`` that is a share or whose label
        is not unique.
    """
    _check_min_cell(min_cell)
    share_map = _checked_shares(counts, dict(shares or {}), margins)
    is_count = [col not in share_map for col in counts.columns]
    table, total_row, total_col = _framed(_typed_counts(counts, is_count), margins, total_label, bool(share_map))
    n_rows, n_cols = table.shape
    count_cols = [j for j in range(n_cols) if j == total_col or is_count[j]]
    if margins == "given":
        _check_given_totals(table, total_row, total_col, count_cols)
    array = table.to_numpy(dtype=float, na_value=np.nan)
    values = {(i, j): array[i, j] for i in range(n_rows) for j in count_cols}
    lines = _margin_lines(n_rows, count_cols, total_row, total_col)
    share_keys = _share_cells(counts.columns, share_map, n_rows)
    held, known, free = _cell_roles(table, agree_with, count_cols, values, exempt)
    hidden_keys = suppress(values, lines, min_cell, share_keys, hidden=held, known=known, exempt=free)
    mask = np.zeros((n_rows, n_cols), dtype=bool)
    for i, j in hidden_keys:
        mask[i, j] = not np.isnan(array[i, j])  # a missing share has nothing to hide
    hidden = pd.DataFrame(mask, index=table.index, columns=table.columns)
    return ProtectedTable(values=table, hidden=hidden, min_cell=int(min_cell))


def protect_regrouped(
    base: ProtectedTable,
    pieces: pd.DataFrame,
    base_rows: Mapping[Hashable, Sequence[Hashable]],
    groups: Mapping[Hashable, Sequence[Hashable]],
    *,
    total_label: str = "Totalt",
    exempt: Iterable[Hashable] = (),
) -> ProtectedTable:
    """Rows of other groups of the same persons, protected together with a published table.

    The run's own age groups (16–29, 55–64) overlap the fixed rows of
    ``base`` (55–64 lies inside 50+). Both are sums of *pieces*, counts a
    reader does not see; the new rows are decided with every cell of
    ``base`` as published (its hidden cells held hidden, the rest known), so
    no difference of a new row and a base row gives a hidden count back.

    Parameters
    ----------
    base : ProtectedTable
        Published, with margins (:func:`protect_table` ``margins=True``).
    pieces : pandas.DataFrame
        Counts per piece (rows) in the data columns of ``base``.
    base_rows : mapping
        Every data row label of ``base`` → the pieces it is the sum of.
    groups : mapping
        New row label → its pieces.
    total_label : str, default "Totalt"
        The total label of ``base``; the new rows get a total column.
    exempt : iterable, optional
        Columns shown whatever their size (as in ``base``).

    Returns
    -------
    ProtectedTable
        The new rows with a total column.
    """
    cols = [c for c in base.values.columns if c != total_label]
    new = pd.DataFrame({c: [int(pieces.loc[list(p), c].sum()) for p in groups.values()] for c in cols},
                       index=pd.Index(list(groups), dtype=object, name=base.values.index.name))  # fmt: skip
    if total_label in base.values.columns:
        new[total_label] = new[cols].sum(axis=1)
    values: dict = {("b", r, c): int(base.values.at[r, c]) for r in base.values.index for c in base.values.columns}
    held = [k for k in values if base.hidden.at[k[1], k[2]]]
    known = [k for k in values if not base.hidden.at[k[1], k[2]]]
    values |= {("p", a, c): None for a in pieces.index for c in cols}
    values |= {("n", r, c): int(new.at[r, c]) for r in new.index for c in new.columns}
    lines = _regrouped_lines(base.values, new, base_rows, groups, cols, total_label)
    free = [k for k in values if k[0] == "n" and k[2] in set(exempt)]
    hidden_keys = suppress(values, lines, base.min_cell, hidden=held, known=known, exempt=free)
    mask = pd.DataFrame(False, index=new.index, columns=new.columns)
    for kind, r, c in hidden_keys:
        if kind == "n":
            mask.at[r, c] = True
    return ProtectedTable(values=new, hidden=mask, min_cell=base.min_cell)


def _regrouped_lines(table, new, base_rows, groups, cols, total_label) -> list:
    """Margins of the base table, base rows and new rows as sums of pieces, new rows' totals."""
    lines = []
    rows = [r for r in table.index if r != total_label]
    if total_label in table.columns:
        lines += [(("b", r, total_label), [("b", r, c) for c in cols]) for r in table.index]
        lines += [(("n", r, total_label), [("n", r, c) for c in cols]) for r in new.index]
    if total_label in table.index:
        lines += [(("b", total_label, c), [("b", r, c) for r in rows]) for c in table.columns]
    for kind, labelled in (("b", base_rows), ("n", groups)):
        for r, mine in labelled.items():
            lines += [((kind, r, c), [("p", a, c) for a in mine]) for c in cols]
    return lines


def _share_cells(columns, share_map: dict, n_rows: int) -> dict:
    """``shares`` as cells: ``(row, share column) -> (numerator cell or None, denominator cell)``."""
    position = {col: j for j, col in enumerate(columns)}
    return {
        (i, position[share_col]): ((i, position[num]) if num is not None else None, (i, position[den]))
        for share_col, (num, den) in share_map.items()
        for i in range(n_rows)
    }


def _cell_roles(table, agree_with, count_cols, values, exempt) -> tuple[list, list, list]:
    """The cells hidden elsewhere, known from elsewhere and exempt; an exempt column is only exempt."""
    held, known = _agreeing_cells(table, agree_with, set(count_cols))
    exempt_cols = {j for j, col in enumerate(table.columns) if col in set(exempt)}
    free = [key for key in values if key[1] in exempt_cols]
    held = [key for key in held if key[1] not in exempt_cols]
    known = [key for key in known if key[1] not in exempt_cols]
    return held, known, free


def _checked_shares(counts: pd.DataFrame, share_map: dict, margins) -> dict:
    """``shares`` checked against the table and the margins option."""
    if margins not in (True, False, "given"):
        raise ValueError(f"margins måste vara True, False eller 'given' (fick {margins!r}).")
    if share_map and margins is True:
        raise ValueError(
            "En tabell med andelar summeras inte över kolumnerna: ange margins='given' eller False."
        )
    if share_map and not counts.columns.is_unique:
        raise ValueError("En tabell med andelar måste ha unika kolumnnamn.")
    columns = list(counts.columns)
    for share_col, (num, den) in share_map.items():
        for col in (share_col, num, den):
            if col is not None and col not in columns:
                raise ValueError(f"Kolumnen {col!r} finns inte i tabellen.")
        if den is None or den in share_map or num in share_map:
            raise ValueError(f"Andelen {share_col!r} måste bygga på antal i tabellen.")
    return share_map


def _framed(table: pd.DataFrame, margins, total_label: str, has_shares: bool):
    """The table with its margins, and the positions of the total row and column (or None)."""
    n_rows, n_cols = table.shape
    if margins is True:
        return _add_margins(table, total_label)
    if margins == "given":
        total_row = n_rows - 1 if n_rows >= 2 else None
        total_col = n_cols - 1 if n_cols >= 2 and not has_shares else None
        return table, total_row, total_col
    return table, None, None


def _margin_lines(n_rows: int, count_cols: list[int], total_row, total_col) -> list[tuple[Hashable, list]]:
    """Each row's total = the sum of its cells; each column's total = the sum of its rows."""
    data_rows = [i for i in range(n_rows) if i != total_row]
    data_cols = [j for j in count_cols if j != total_col]
    lines: list[tuple[Hashable, list]] = []
    if total_col is not None:
        lines += [((i, total_col), [(i, j) for j in data_cols]) for i in range(n_rows)]
    if total_row is not None:
        lines += [((total_row, j), [(i, j) for i in data_rows]) for j in count_cols]
    return lines


def _agreeing_cells(
    table: pd.DataFrame, agree_with: Mapping[Cell, bool] | None, count_cols: set
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The positions of ``agree_with`` cells hidden elsewhere, and of those shown there."""
    held, known = [], []
    for (row, col), hidden_there in (agree_with or {}).items():
        position = []
        for labels, label in ((table.index, row), (table.columns, col)):
            try:
                loc = labels.get_loc(label)
            except (KeyError, TypeError):
                break
            if not isinstance(loc, numbers.Integral):
                raise ValueError(f"Etiketten {label!r} finns flera gånger i tabellen.")
            position.append(int(loc))
        else:
            if position[1] not in count_cols:
                raise ValueError(f"Cellen {(row, col)!r} är ingen antalscell.")
            (held if hidden_there else known).append(tuple(position))
    return held, known



def _typed_counts(counts: pd.DataFrame, is_count: Sequence[bool]) -> pd.DataFrame:
    """Check the count columns and make them int64; share columns become float."""
    out = {}
    for j, col in enumerate(counts.columns):
        series = counts.iloc[:, j]
        if not is_count[j]:
            out[j] = pd.to_numeric(series, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
            continue
        if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
            raise ValueError(f"Kolumnen {col!r} innehåller inte antal.")
        numbers_ = series.to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(numbers_).any():
            raise ValueError(f"Kolumnen {col!r} saknar antal på någon rad; ange 0 där det inte finns någon.")
        if (numbers_ < 0).any() or (numbers_ != np.round(numbers_)).any():
            raise ValueError(f"Kolumnen {col!r} innehåller annat än antal (negativa tal eller decimaler).")
        out[j] = numbers_.astype("int64")
    frame = pd.DataFrame({j: out[j] for j in range(len(is_count))}, index=counts.index)
    frame.columns = counts.columns
    return frame



def _with_label(index: pd.Index, label: str) -> pd.Index:
    """``index`` plus a total label (categories dropped, names kept)."""
    if isinstance(index, pd.MultiIndex):
        entry = (label,) + ("",) * (index.nlevels - 1)
        if entry in index:
            raise ValueError(f"Etiketten {label!r} finns redan i tabellen.")
        return pd.MultiIndex.from_tuples([*index.tolist(), entry], names=index.names)
    if label in index:
        raise ValueError(f"Etiketten {label!r} finns redan i tabellen.")
    return pd.Index([*index.tolist(), label], dtype=object, name=index.name)



def _add_margins(table: pd.DataFrame, label: str) -> tuple[pd.DataFrame, int | None, int | None]:
    """Add a total row and column (not for a single row or column)."""
    array = table.to_numpy(dtype="int64")
    index, columns = table.index, table.columns
    total_row = total_col = None
    if array.shape[1] >= 2:
        array = np.column_stack([array, array.sum(axis=1)])
        columns = _with_label(columns, label)
        total_col = array.shape[1] - 1
    if array.shape[0] >= 2:
        array = np.vstack([array, array.sum(axis=0)])
        index = _with_label(index, label)
        total_row = array.shape[0] - 1
    return pd.DataFrame(array, index=index, columns=columns), total_row, total_col



def _check_given_totals(
    table: pd.DataFrame, total_row: int | None, total_col: int | None, count_cols: Sequence[int]
) -> None:
    """Given totals must be the sums, or the equations would be false."""
    array = table.to_numpy(dtype=float, na_value=np.nan)[:, list(count_cols)]
    if total_col is not None:  # only for a table of counts alone: the last column
        if not np.array_equal(array[:, :-1].sum(axis=1), array[:, -1]):
            raise ValueError("Den sista kolumnen är inte summan av de övriga kolumnerna.")
    if total_row is not None:
        parts = np.delete(array, total_row, axis=0)
        if not np.array_equal(parts.sum(axis=0), array[total_row]):
            raise ValueError("Den sista raden är inte summan av de övriga raderna.")
