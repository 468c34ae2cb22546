"""Disclosure control of the exploration notebooks' tables, in agreement with the report.

The notebooks show counts the report does not (flows per month, outcomes by
utbildningsnivå, a model's groups). Every one goes through
:func:`finsam_analysis.disclosure.rules.suppress` (the same rule as the
report: primary suppression below ``min_cell``, then complements until no
hidden count can be worked out from published totals). A table that shares
a number with the key figures (a Totalt of avslutade, a yearly sum of nya)
passes it as ``forced`` when the key figures hide it and as ``known`` when
they show it, so it is never chosen as a complement (:func:`protect_cells`).

These tables are protected on their own, beside the report's family of
periods (docs/methods.md §5.3): a notebook is for exploring a förbund's own
data, not a publication.

Decisions
---------
* Flows: aktiva per month are published in the report (``aktiva_per_manad``)
  with only small counts hidden, and ``aktiva(m) − aktiva(m−1) = nya(m) −
  avslutade(m−1)`` holds exactly (a participation is aktiv in every month
  from its start month to its end month). :func:`protect_flows` protects
  nya and avslutade with these identities and with the period totals the
  report publishes (the report period, its comparison periods, each whole
  calendar year in the window) held as known.
* A share hides with its count or its denominator, and when the
  denominator is below ``min_cell``.
* A model's number of avslutade per shown level is protected like any
  count, each variable's levels adding up to the (published) total; the
  model's total is hidden when below ``min_cell``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Hashable, Iterable, Mapping, Sequence

import pandas as pd

from finsam_analysis.disclosure.rules import SUPPRESSED, suppress
from finsam_analysis.disclosure.tables import ProtectedTable
from finsam_analysis.periods import Period, month_range

TOTAL = "Totalt"


def protect_cells(
    values: Mapping[Hashable, float | None],
    lines: Sequence[tuple[Hashable, Sequence[Hashable]]],
    min_cell: int,
    *,
    known: Iterable[Hashable] = (),
    forced: Iterable[Hashable] = (),
) -> set:
    """Keys of ``values`` to hide, in agreement with numbers published elsewhere.

    A thin wrapper of :func:`finsam_analysis.disclosure.rules.suppress` (the one
    rule): ``known`` keys are shown elsewhere (never complements; they count
    as published), ``forced`` keys are hidden elsewhere (hidden here too, and
    protected). ``None`` values are auxiliary unknowns of the equations (a
    sum nobody publishes) and are never returned.
    """
    hidden = suppress(values, lines, min_cell, hidden=set(forced), known=set(known))
    return {key for key in hidden if values.get(key) is not None}


def known_or_forced(figures: dict, cells: Mapping[Hashable, str]) -> tuple[set, set]:
    """Split cells that are key figures into (known, forced) by the figures' suppression."""
    suppressed = set(figures.get("suppressed", ()))
    known = {cell for cell, key in cells.items() if key not in suppressed}
    forced = {cell for cell, key in cells.items() if key in suppressed}
    return known, forced


def _months_of(period: Period, months: pd.DatetimeIndex) -> list[int] | None:
    """Positions of the period's months in ``months``, or None if it is not whole months inside."""
    first_day = period.start.day == 1
    last_day = (period.end + _dt.timedelta(days=1)).day == 1
    if not (first_day and last_day):
        return None
    wanted = list(month_range(period.start, period.end))
    position = {m: i for i, m in enumerate(months)}
    if any(m not in position for m in wanted):
        return None
    return [position[m] for m in wanted]


def protect_flows(flows: pd.DataFrame, min_cell: int = 5, periods: Iterable[Period] = ()) -> ProtectedTable:
    """Disclosure control of :func:`finsam_analysis.measures.flows.flows_per_month`.

    Parameters
    ----------
    flows : DataFrame
        From :func:`finsam_analysis.measures.flows.flows_per_month`.
    min_cell : int, default 5
        Smallest count shown; 1 turns suppression off.
    periods : iterable of Period
        Periods whose totals of nya and avslutade are published elsewhere
        (the key figures); those of whole months inside the window become
        equations with a known total.

    Returns
    -------
    ProtectedTable
        Hidden: counts from 1 to ``min_cell − 1``, and nya/avslutade chosen
        as complements so that none of them can be worked out from the
        identity ``aktiva(m) + avslutade(m−1) = aktiva(m−1) + nya(m)`` and
        the period totals. Aktiva deltaganden are hidden exactly when the
        report's monthly table hides them (below ``min_cell``).
    """
    values: dict = {}
    n = len(flows)
    for i in range(n):
        for col in ("nya", "avslutade", "aktiva"):
            values[(col, i)] = int(flows[col].iloc[i])
    # Aktiva per month are published as they are (the report's monthly table).
    known = {("aktiva", i) for i in range(n) if values[("aktiva", i)] == 0 or values[("aktiva", i)] >= min_cell}
    lines: list = []
    for i in range(1, n):
        # aktiva(i) + avslutade(i−1) = aktiva(i−1) + nya(i). Only the unknowns' signs matter for what
        # is derivable, and aktiva is known unless it is small, so the identity is usually the line
        # nya(i) = avslutade(i−1) (+ constants), which also tells suppress() where a complement helps.
        now, before = ("aktiva", i), ("aktiva", i - 1)
        if now in known and before in known:
            lines.append((("nya", i), [("avslutade", i - 1), now, before]))
        elif before in known:
            lines.append((("nya", i), [now, ("avslutade", i - 1), before]))
        elif now in known:
            lines.append((("avslutade", i - 1), [before, ("nya", i), now]))
        else:  # both small: an auxiliary unknown for the sum both sides share
            both = ("S", i)
            values[both] = None
            lines.append((both, [before, ("nya", i)]))
            lines.append((both, [now, ("avslutade", i - 1)]))
    seen = set()
    for period in periods:
        idx = _months_of(period, pd.DatetimeIndex(flows.index))
        if not idx or tuple(idx) in seen:
            continue
        seen.add(tuple(idx))
        for col in ("nya", "avslutade"):
            total = ("K", col, tuple(idx))
            values[total] = 0
            known.add(total)
            lines.append((total, [(col, i) for i in idx]))
    hidden = protect_cells(values, lines, min_cell, known=known)
    mask = pd.DataFrame(False, index=flows.index, columns=["nya", "avslutade", "aktiva"])
    for key in hidden:
        if key[0] in mask.columns:
            mask.iat[key[1], mask.columns.get_loc(key[0])] = True
    return ProtectedTable(values=flows[["nya", "avslutade", "aktiva"]].copy(), hidden=mask, min_cell=int(min_cell))


def protect_outcome_by(counts: pd.DataFrame, key_figures: dict, min_cell: int) -> tuple[set, set]:
    """Hidden cells of :func:`finsam_analysis.measures.flows.outcome_by` with its Totalt row.

    Parameters
    ----------
    counts : DataFrame
        Columns ``n`` and ``k`` per level.
    key_figures : dict
        The period's published key figures: the Totalt of ``n`` is
        ``avslutade_deltaganden`` and of ``k`` ``arbete_studier``, hidden
        exactly when they hide them.
    min_cell : int

    Returns
    -------
    (set, set)
        The hidden ``(level, "n"|"k")`` cells (``level`` may be
        :data:`TOTAL`), and the levels whose share is hidden.
    """
    order = list(counts.index)
    values = {(level, col): int(counts.at[level, col]) for level in order for col in ("n", "k")}
    values[(TOTAL, "n")], values[(TOTAL, "k")] = int(counts["n"].sum()), int(counts["k"].sum())
    lines = [((TOTAL, col), [(level, col) for level in order]) for col in ("n", "k")]
    known, forced = known_or_forced(
        key_figures, {(TOTAL, "n"): "avslutade_deltaganden", (TOTAL, "k"): "arbete_studier"}
    )
    hidden = protect_cells(values, lines, min_cell, known=known, forced=forced)
    shares = {
        level for level in [*order, TOTAL]
        if (level, "n") in hidden or (level, "k") in hidden or (min_cell > 1 and values[(level, "n")] < min_cell)
    }  # fmt: skip
    return hidden, shares


def protect_model(model):
    """An :class:`~finsam_analysis.measures.models.OutcomeModel` with its counts protected.

    Each variable's levels add up to the model's total of avslutade, which
    is published (the model's title) when at least ``min_cell``; a level's
    count is hidden (``..``) when small or needed as a complement.
    """
    threshold = model.min_cell
    total = model.n if model.n is not None and model.n >= threshold else None
    table = model.table.copy()
    if len(table):
        table["n"] = table["n"].astype(object)
        for _, rows in table.groupby("variabel", sort=False):
            values = {i: int(table.at[i, "n"]) for i in rows.index}
            values[TOTAL] = int(model.n)
            hidden = protect_cells(values, [(TOTAL, list(rows.index))], threshold, known={TOTAL})
            for i in hidden:
                table.at[i, "n"] = SUPPRESSED
    return dataclasses.replace(model, n=total, table=table)
