"""Counts the exploration notebooks show beside the report: flows per month, outcomes by a split.

Raw counts, never published as they are: the disclosure layer
(:mod:`finsam_analysis.disclosure.cells`) decides what may be shown and the
report layer (:mod:`finsam_analysis.report.exploration`) lays them out.

* :func:`flows_per_month` — nya, avslutade and aktiva deltaganden per month.
* :func:`outcome_by` — avslutade deltaganden and those to arbete/studier, by
  a column of the prepared participations (utbildningsnivå, remitterande
  aktör …), every level of the vocabulary and "okänd" for a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from finsam_analysis.measures import outcomes
from finsam_analysis.periods import Period, month_range


def flows_per_month(d: pd.DataFrame, first: object, last: object) -> pd.DataFrame:
    """Nya, avslutade and aktiva deltaganden per calendar month (raw counts).

    Parameters
    ----------
    d : DataFrame
        Prepared participations (:func:`finsam_analysis.measures.outcomes.participations`, usually one
        förbund's: :func:`finsam_analysis.measures.key_figures.forbund_participations`).
    first, last : date-like
        First and last month (any day in it).

    Returns
    -------
    DataFrame
        Indexed by month start (``manad``), int64 columns ``nya`` (startdatum
        in the month), ``avslutade`` (slutdatum in the month) and ``aktiva``
        (aktiv on at least one day of the month, as
        :func:`finsam_analysis.measures.outcomes.monthly_active`). Not protected: pass
        it to :func:`finsam_analysis.disclosure.cells.protect_flows` before showing it.
    """
    months = month_range(first, last)
    if len(months) == 0:
        raise ValueError(f"Månadsintervallet {first}–{last} är tomt.")

    def per_month(dates: pd.Series) -> np.ndarray:
        starts = dates.dropna().dt.to_period("M").dt.to_timestamp().value_counts()
        return starts.reindex(months, fill_value=0).to_numpy(dtype="int64")

    aktiva = outcomes.monthly_active(d, months[0], months[-1])
    return pd.DataFrame(
        {
            "nya": per_month(d["startdatum"]),
            "avslutade": per_month(d["slutdatum"]),
            "aktiva": aktiva.to_numpy(dtype="int64"),
        },
        index=pd.DatetimeIndex(months, name="manad"),
    )


def _levels(values: pd.Series, vocabulary: Mapping[str, str]) -> tuple[pd.Series, list[str]]:
    """Group key per row (missing → ``okand``) and the levels in vocabulary order."""
    keys = values.astype(object).where(values.notna(), outcomes.MISSING)
    order = [k for k in vocabulary if k != outcomes.MISSING]
    extra = sorted(set(keys) - set(order) - {outcomes.MISSING}, key=str)
    order += extra
    if (keys == outcomes.MISSING).any():
        order.append(outcomes.MISSING)
    return keys, order


def outcome_by(d: pd.DataFrame, period: Period, column: str, vocabulary: Mapping[str, str]) -> pd.DataFrame:
    """Avslutade deltaganden in ``period`` and those to arbete/studier, by ``column``.

    Parameters
    ----------
    d : DataFrame
        Prepared participations of one förbund.
    period : Period
        Avslutade: slutdatum in the period.
    column : str
        A column of ``d``; a missing value is the level
        :data:`finsam_analysis.measures.outcomes.MISSING`.
    vocabulary : mapping
        The column's codes, in the order the levels are listed (codes not in
        it follow, sorted; the missing level last).

    Returns
    -------
    DataFrame
        Indexed by level: int columns ``n`` (avslutade) and ``k`` (to
        arbete or studier). Raw counts.
    """
    av = d.loc[outcomes.ended(d, period)]
    keys, order = _levels(av[column], vocabulary)
    success = av["utfall"].isin(["arbete", "studier"]).to_numpy()
    n = keys.value_counts().reindex(order, fill_value=0)
    k = keys[success].value_counts().reindex(order, fill_value=0)
    return pd.DataFrame({"n": n.astype("int64"), "k": k.astype("int64")}, index=pd.Index(order, dtype=object))
