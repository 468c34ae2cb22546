"""Key figures: the REPORT.md §5 dictionary for one förbund and period.

``key_figures(dataset, forbund_id, period, min_cell=5)`` is what the
``<forbund_id>.json`` of a report holds. Every count and share in it has gone
through :func:`finsam_analysis.disclosure.protect_key_figures`; a suppressed
value is ``None`` and its key is listed in ``"suppressed"``.

Decisions where REPORT.md is silent
-----------------------------------
* ``rejected_rows`` counts the förbund's rejected participant rows (by the
  forbund_id written on the row). It is a data-quality count of rows, not a
  statistic about persons, and is not suppressed.
* The population keys (``befolkning_ar``, ``befolkning_andel_20_64``,
  ``riket_andel_20_64``) come from helårsekvivalenter (20–64, kön totalt) when
  the dataset has them, else ``None``; see
  :func:`finsam_analysis.forsorjningsformer.population_figures` for the year.
  They are public SCB figures and are not suppressed.
"""

from __future__ import annotations

from . import outcomes
from .disclosure import protect_key_figures
from .errors import FinsamError
from .forsorjningsformer import population_figures, population_figures_all
from .periods import Period, parse_period

#: The keys of the JSON, in the order of REPORT.md §5.
KEY_ORDER = (
    "forbund_id", "forbund_namn", "period", "period_start", "period_end", "synthetic_data", "min_cell",
    "aktiva_deltagare", "kvinnor", "man", "kon_okand",
    "aktiva_deltaganden", "nya_deltaganden", "avslutade_deltaganden", "pagaende_vid_periodens_slut",
    "arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "okand",
    "andel_arbete_studier", "ci_low", "ci_high",
    "andel_okat_omfattning",
    "tid_i_insats_median_dagar",
    "andel_offentlig_forsorjning_fore", "andel_offentlig_forsorjning_efter",
    "befolkning_ar", "befolkning_andel_20_64", "riket_andel_20_64",
    "rejected_rows",
    "suppressed",
)


class UnknownForbundError(FinsamError):
    """The förbund is not in the dataset."""


def forbund_participations(dataset, forbund_id: str):
    """The prepared participations of one förbund (raises if unknown)."""
    known = dataset.forbund["forbund_id"]
    if forbund_id not in set(known):
        listed = ", ".join(sorted(known)[:10]) + (" …" if len(known) > 10 else "")
        raise UnknownForbundError(
            f"Förbundet '{forbund_id}' finns inte i datakatalogen {dataset.path} (finns: {listed})."
        )
    d = dataset.participations()
    return d.loc[d["forbund_id"] == forbund_id]


def raw_key_figures(dataset, forbund_id: str, period: Period | str) -> dict:
    """Unsuppressed key figures, with the private denominators ``_n_*``.

    For tests and internal use only: never publish this dictionary.
    """
    period = parse_period(period)
    d = forbund_participations(dataset, forbund_id)
    return _raw(
        dataset,
        forbund_id,
        dataset.forbund.set_index("forbund_id").at[forbund_id, "namn"],
        period,
        outcomes.summary(d, period),
        population_figures(dataset.scb_wide(), dataset.medlemmar, forbund_id, period.year),
        dataset.rejected_rows(forbund_id),
    )


def raw_key_figures_all(dataset, period: Period | str) -> dict[str, dict]:
    """:func:`raw_key_figures` of every förbund of the dataset, in one pass.

    The same dictionaries, value for value, as calling
    :func:`raw_key_figures` per förbund, at a fraction of the cost for a
    national dataset (one pass over the participations and the SCB table
    instead of one per förbund). For tests and internal use only.

    Returns
    -------
    dict
        forbund_id → raw key figures, in the order of ``dataset.forbund``.
    """
    period = parse_period(period)
    ids = list(dataset.forbund["forbund_id"])
    sums = outcomes.summaries(dataset.measurable(), period, "forbund_id", ids)
    population = population_figures_all(dataset.helarsekvivalenter, dataset.medlemmar, ids, period.year)
    rejected = dataset.rejected_rows_per_forbund()
    names = dict(zip(dataset.forbund["forbund_id"], dataset.forbund["namn"]))
    return {
        fid: _raw(dataset, fid, names[fid], period, sums[fid], population[fid], rejected.get(fid, 0))
        for fid in ids
    }


def _raw(
    dataset, forbund_id: str, namn, period: Period, s: dict, population: dict, rejected_rows: int
) -> dict:
    return {
        "forbund_id": forbund_id,
        "forbund_namn": str(namn),
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "synthetic_data": dataset.synthetic,
        "min_cell": None,
        **{k: s[k] for k in outcomes.COUNT_KEYS},
        "andel_arbete_studier": s["andel_arbete_studier"],
        "ci_low": s["ci_low"],
        "ci_high": s["ci_high"],
        "andel_okat_omfattning": s["andel_okat_omfattning"],
        "tid_i_insats_median_dagar": s["tid_i_insats_median_dagar"],
        "andel_offentlig_forsorjning_fore": s["andel_offentlig_forsorjning_fore"],
        "andel_offentlig_forsorjning_efter": s["andel_offentlig_forsorjning_efter"],
        **population,
        "rejected_rows": rejected_rows,
        "_n_omfattning_kand": s["omfattning_kand"],
        "_n_okat_omfattning": s["okat_omfattning"],
        "_n_offentlig_fore": s["offentlig_fore"],
        "_n_offentlig_efter": s["offentlig_efter"],
    }


def key_figures(dataset, forbund_id: str, period: Period | str, min_cell: int = 5) -> dict:
    """The key figures of REPORT.md §5, disclosure control applied.

    Parameters
    ----------
    dataset : Dataset
        From :func:`finsam_analysis.load_dataset`.
    forbund_id : str
        A förbund of the dataset.
    period : Period or str
        E.g. ``"2025"``, ``"2025H1"``, ``"2025-01-01..2025-08-31"``.
    min_cell : int, default 5
        Smallest count of persons shown; 1 turns suppression off.

    Returns
    -------
    dict
        Exactly the keys of REPORT.md §5, in that order; JSON-serialisable.
    """
    _check_min_cell(min_cell)
    return _publish(raw_key_figures(dataset, forbund_id, period), min_cell)


def key_figures_all(dataset, period: Period | str, min_cell: int = 5) -> dict[str, dict]:
    """:func:`key_figures` of every förbund of the dataset, in one pass.

    Parameters
    ----------
    dataset : Dataset
    period : Period or str
    min_cell : int, default 5

    Returns
    -------
    dict
        forbund_id → exactly what ``key_figures(dataset, forbund_id, period,
        min_cell)`` returns, in the order of ``dataset.forbund``.
    """
    _check_min_cell(min_cell)
    return {fid: _publish(raw, min_cell) for fid, raw in raw_key_figures_all(dataset, period).items()}


def _check_min_cell(min_cell: int) -> None:
    if min_cell < 1:
        raise FinsamError(f"min_cell måste vara minst 1 (fick {min_cell}).")


def _publish(raw: dict, min_cell: int) -> dict:
    raw["min_cell"] = min_cell
    return in_key_order(protect_key_figures(raw, min_cell=min_cell))


def in_key_order(protected: dict) -> dict:
    """Protected key figures with exactly the keys of :data:`KEY_ORDER`, as plain Python values."""
    return {k: _plain(protected.get(k)) for k in KEY_ORDER}


def _plain(value):
    """numpy scalars → Python numbers, so json.dumps works."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    return value


def cached_key_figures(dataset, forbund_id: str, period: Period, min_cell: int = 5) -> dict:
    """:func:`key_figures`, computed once per dataset and arguments.

    The report's summary text, its tables, the JSON and the index all show
    the same key figures; in one process they share one computation
    (:meth:`Dataset.derived`). Treat the result as read-only.
    """
    derived = getattr(dataset, "derived", None)
    if derived is None:
        return key_figures(dataset, forbund_id, period, min_cell)
    return derived(
        ("key_figures", forbund_id, period.label, period.start, period.end, min_cell),
        lambda: key_figures(dataset, forbund_id, period, min_cell),
    )
