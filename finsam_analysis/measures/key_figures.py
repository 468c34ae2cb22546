"""Key figures before disclosure control: the dictionary of one förbund and period.

:func:`raw_key_figures` computes every key figure of the report's JSON
(docs/rapporter.md §5) for one förbund and period, unprotected, plus private
counts ``_n_*`` that the disclosure layer needs; never publish it.
:func:`finsam_analysis.disclosure.published.key_figures` is what a report
prints. A value that is unknown (its column is missing or empty) is
``None`` here already.

Decisions
---------
* ``rejected_rows`` counts the förbund's rejected participant rows (by the
  forbund_id written on the row). It is a data-quality count of rows, not a
  statistic about persons.
* The population keys come from helårsekvivalenter (20–64, kön totalt) for
  the months wholly inside the period
  (:func:`finsam_analysis.scb.population.population_figures`). They are
  public SCB figures.
"""

from __future__ import annotations

import difflib

from finsam_analysis.errors import FinsamError
from finsam_analysis.measures import outcomes
from finsam_analysis.periods import Period, parse_period
from finsam_analysis.memo import PerDataset
from finsam_analysis.scb.population import dataset_summa_rows, population_figures, population_figures_all

#: The keys of the JSON, in their order (docs/rapporter.md §5).
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
)  # fmt: skip

class UnknownForbundError(FinsamError):
    """The förbund is not in the dataset."""


def match_forbund_id(given: str, known) -> str | None:
    """The id in ``known`` that ``given`` names: exactly, else ignoring case and surrounding space."""
    known = list(known)
    if given in known:
        return given
    folded = {str(k).casefold(): k for k in known}
    return folded.get(str(given).strip().casefold())


def unknown_forbund_message(given: str, known, where: object) -> str:
    """One sentence: the id is not there, the closest ids, and how to list them all."""
    known = sorted(map(str, known))
    close = difflib.get_close_matches(str(given).casefold(), [k.casefold() for k in known], n=3, cutoff=0.6)
    by_fold = {k.casefold(): k for k in known}
    hint = f" Menade du {' eller '.join(repr(by_fold[c]) for c in close)}?" if close else ""
    return (
        f"Förbundet '{given}' finns inte i {where}.{hint} "
        f"Alla {len(known)} förbund visas med: finsam forbund --data-dir {where}"
    )


def resolve_forbund_id(dataset, forbund_id: str) -> str:
    """The dataset's own spelling of a förbund id (case does not matter).

    Raises
    ------
    UnknownForbundError
        With the closest ids and the command that lists them all.
    """
    known = dataset.forbund["forbund_id"]
    found = match_forbund_id(forbund_id, known)
    if found is None:
        raise UnknownForbundError(unknown_forbund_message(forbund_id, known, dataset.path))
    return found


def forbund_participations(dataset, forbund_id: str):
    """The prepared participations of one förbund (raises if unknown; case does not matter)."""
    forbund_id = resolve_forbund_id(dataset, forbund_id)
    d = outcomes.participations(dataset)
    return d.loc[d["forbund_id"] == forbund_id]


# ---------------------------------------------------------------------------
# Raw figures (never published)
# ---------------------------------------------------------------------------


def raw_key_figures(dataset, forbund_id: str, period: Period | str) -> dict:
    """Unsuppressed key figures, with the private counts ``_n_*``.

    For tests and internal use only: never publish this dictionary.
    Computed once per dataset, förbund and period (a report's tables, its
    JSON and its comparison columns all ask); each call gets its own copy.
    """
    period = parse_period(period)

    def compute() -> dict:
        d = forbund_participations(dataset, forbund_id)
        return _raw(
            dataset,
            forbund_id,
            dataset.forbund.set_index("forbund_id").at[forbund_id, "namn"],
            period,
            outcomes.summary(d, period),
            population_figures(dataset_summa_rows(dataset), dataset.medlemmar, forbund_id, period),
            dataset.rejected_rows(forbund_id),
        )

    return dict(_RAW.get(dataset, (forbund_id, period.start, period.end), compute))


#: raw_key_figures per (förbund, start, end).
_RAW = PerDataset("raw key figures")


def raw_key_figures_all(dataset, period: Period | str) -> dict[str, dict]:
    """:func:`raw_key_figures` of every förbund of the dataset, in one pass.

    The same dictionaries, value for value, as calling
    :func:`raw_key_figures` per förbund, at a fraction of the cost for a
    national dataset. For tests and internal use only.
    """
    period = parse_period(period)
    ids = list(dataset.forbund["forbund_id"])
    sums = outcomes.summaries(outcomes.measurable(dataset), period, "forbund_id", ids)
    population = population_figures_all(dataset_summa_rows(dataset), dataset.medlemmar, ids, period)
    rejected = dataset.rejected_rows_per_forbund()
    names = dict(zip(dataset.forbund["forbund_id"], dataset.forbund["namn"]))
    return {
        fid: _raw(dataset, fid, names[fid], period, sums[fid], population[fid], rejected.get(fid, 0))
        for fid in ids
    }


def _raw(
    dataset, forbund_id: str, namn, period: Period, s: dict, population: dict, rejected_rows: int
) -> dict:
    s = outcomes.apply_unknown(s)
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
        "_n_sysselsattning_efter_kand": s["sysselsattning_efter_kand"],
        "_n_forsorjning_fore_kand": s["forsorjning_fore_kand"],
        "_n_forsorjning_efter_kand": s["forsorjning_efter_kand"],
    }


def in_key_order(protected: dict) -> dict:
    """Protected key figures with exactly the keys of :data:`KEY_ORDER`, as plain Python values."""
    return {k: _plain(protected.get(k)) for k in KEY_ORDER}


def _plain(value):
    """numpy scalars → Python numbers, so json.dumps works."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    return value


