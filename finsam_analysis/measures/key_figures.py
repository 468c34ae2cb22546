"""Key figures: the REPORT.md §5 dictionary for one förbund and period.

``key_figures(dataset, forbund_id, period, min_cell=5)`` is what the
``<forbund_id>.json`` of a report holds. A suppressed value is ``None`` and
its key is listed in ``"suppressed"``; a value that is unknown (its column is
missing or empty) is ``None`` too, but not listed.

How the figures are protected (docs/methods.md §5)
--------------------------------------------------
* Counts of participations (aktiva, nya, avslutade, pågående and the outcome
  groups) and the shares over avslutade are shown exactly when the förbund's
  *family* of periods allows it (:mod:`finsam_analysis.disclosure.family`): every period
  the förbund can publish is protected together with all the others.
* Counts of persons (aktiva deltagare, kvinnor, män) are protected period by
  period with :func:`finsam_analysis.disclosure.rules.suppress`: a person active in
  two periods counts once in each, so they are not sums of each other.
  ``kon_okand`` (persons whose kön is missing in the förbund's file) is a
  count of the data's quality and is always shown; kvinnor and män are then
  hidden only when one of them is small.

Decisions where REPORT.md is silent
-----------------------------------
* ``rejected_rows`` counts the förbund's rejected participant rows (by the
  forbund_id written on the row). It is a data-quality count of rows, not a
  statistic about persons, and is not suppressed.
* The population keys come from helårsekvivalenter (20–64, kön totalt) for
  the months wholly inside the period
  (:func:`finsam_analysis.scb.population.population_figures`). They are
  public SCB figures and are not suppressed.
* ``tid_i_insats_median_dagar`` is shown when avslutade is shown and at least
  ``2 * min_cell`` (a median of fewer is nearly one person's own duration).
"""

from __future__ import annotations

from finsam_analysis.ingest import coverage
from finsam_analysis.measures import outcomes
from finsam_analysis.disclosure.rules import suppress
from finsam_analysis.errors import FinsamError
from finsam_analysis.disclosure.family import ForbundFamily, forbund_family
from finsam_analysis.scb.population import population_figures, population_figures_all
from finsam_analysis.periods import Period, parse_period, report_periods

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
)  # fmt: skip

#: Key figure -> the family series whose stretch over the period it is.
FLOW_SERIES = {
    "nya_deltaganden": "N", "avslutade_deltaganden": "Av",
    "arbete": "arbete", "studier": "studier", "arbete_studier": "as",
    "arbetssokande": "arbetssokande", "ovriga": "ovriga", "okand": "okand",
}  # fmt: skip

#: Share -> (numerator series, denominator series) in the family.
SHARE_SERIES = {
    "andel_arbete_studier": ("as", "Av"), "ci_low": ("as", "Av"), "ci_high": ("as", "Av"),
    "andel_okat_omfattning": ("omf_okat", "omf_kand"),
    "andel_offentlig_forsorjning_fore": ("off_fore", "Av"),
    "andel_offentlig_forsorjning_efter": ("off_efter", "Av"),
}  # fmt: skip

PERSON_KEYS = ("aktiva_deltagare", "kvinnor", "man", "kon_okand")


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


# ---------------------------------------------------------------------------
# Raw figures (never published)
# ---------------------------------------------------------------------------


def raw_key_figures(dataset, forbund_id: str, period: Period | str) -> dict:
    """Unsuppressed key figures, with the private counts ``_n_*``.

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
        population_figures(dataset.helarsekvivalenter, dataset.medlemmar, forbund_id, period),
        dataset.rejected_rows(forbund_id),
    )


def raw_key_figures_all(dataset, period: Period | str) -> dict[str, dict]:
    """:func:`raw_key_figures` of every förbund of the dataset, in one pass.

    The same dictionaries, value for value, as calling
    :func:`raw_key_figures` per förbund, at a fraction of the cost for a
    national dataset. For tests and internal use only.
    """
    period = parse_period(period)
    ids = list(dataset.forbund["forbund_id"])
    sums = outcomes.summaries(dataset.measurable(), period, "forbund_id", ids)
    population = population_figures_all(dataset.helarsekvivalenter, dataset.medlemmar, ids, period)
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


# ---------------------------------------------------------------------------
# Protection
# ---------------------------------------------------------------------------


def forbund_protection(dataset, forbund_id: str, min_cell: int = 5) -> ForbundFamily:
    """The förbund's family of periods, decided up to the extract date (computed once)."""
    last = coverage.extract_date(dataset)

    def build() -> ForbundFamily:
        return forbund_family(forbund_participations(dataset, forbund_id), last, min_cell)

    derived = getattr(dataset, "derived", None)
    if derived is None:
        return build()
    return derived(("family", forbund_id, min_cell, last), build)


def protect(raw: dict, family: ForbundFamily, period: Period, min_cell: int) -> dict:
    """The published key figures of ``raw`` (one period), given the förbund's family.

    Returns a new dictionary without private keys: hidden values are None
    and listed in ``"suppressed"`` (last); values that were None (unknown)
    stay None and are not listed.
    """
    hidden = set(_hidden_persons(raw, min_cell))
    for key, series in FLOW_SERIES.items():
        if not family.flow_shown((series,), period.start, period.end):
            hidden.add(key)
    if not family.stock_shown(("pag",), period.end):
        hidden.add("pagaende_vid_periodens_slut")
    if not family.aktiva_shown(("N",), ("pag",), period.start, period.end):
        hidden.add("aktiva_deltaganden")
    for key, (num, den) in SHARE_SERIES.items():
        if not (family.flow_shown((num,), period.start, period.end) and family.flow_shown((den,), period.start, period.end)):
            hidden.add(key)
    n = raw.get("avslutade_deltaganden")
    if "avslutade_deltaganden" in hidden or (n is not None and n < 2 * min_cell and min_cell > 1):
        hidden.add("tid_i_insats_median_dagar")
    out = {}
    listed = []
    for key, value in raw.items():
        if key.startswith("_") or key == "suppressed":
            continue
        if key in hidden and value is not None:
            out[key] = None
            listed.append(key)
        else:
            out[key] = value
    out["suppressed"] = sorted(listed)
    return out


def _hidden_persons(raw: dict, min_cell: int) -> frozenset:
    """Persons of the period: aktiva deltagare = kvinnor + män + kön okänd (always shown)."""
    values = {key: raw.get(key) for key in PERSON_KEYS}
    if any(v is None for v in values.values()):
        return frozenset(k for k, v in values.items() if v is None)
    lines = [("aktiva_deltagare", ["kvinnor", "man", "kon_okand"])]
    return suppress(values, lines, min_cell, exempt=["kon_okand"])


# ---------------------------------------------------------------------------
# The public functions
# ---------------------------------------------------------------------------


def key_figures(
    dataset, forbund_id: str, period: Period | str, min_cell: int = 5, *, allow_partial: bool = False
) -> dict:
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
    allow_partial : bool, default False
        A period that ends after the extract date is refused
        (:class:`finsam_analysis.ingest.coverage.CoverageError`) unless this is
        True; then the figures are those of the part up to the extract date
        (``period_end`` says so).

    Returns
    -------
    dict
        Exactly the keys of REPORT.md §5, in that order; JSON-serialisable.
    """
    _check_min_cell(min_cell)
    period = coverage.check_period(dataset, parse_period(period), allow_partial=allow_partial).period
    # The view a report for this period uses, so that its JSON and its tables agree.
    family = forbund_protection(dataset, forbund_id, min_cell).with_periods(report_periods(period))
    raw = raw_key_figures(dataset, forbund_id, period)
    return _publish(raw, family, period, min_cell)


def key_figures_all(dataset, period: Period | str, min_cell: int = 5, *, allow_partial: bool = False) -> dict[str, dict]:
    """:func:`key_figures` of every förbund of the dataset (the raw figures in one pass).

    Returns
    -------
    dict
        forbund_id → exactly what ``key_figures(dataset, forbund_id, period,
        min_cell)`` returns, in the order of ``dataset.forbund``.
    """
    _check_min_cell(min_cell)
    period = coverage.check_period(dataset, parse_period(period), allow_partial=allow_partial).period
    out = {}
    for fid, raw in raw_key_figures_all(dataset, period).items():
        family = forbund_protection(dataset, fid, min_cell).with_periods(report_periods(period))
        out[fid] = _publish(raw, family, period, min_cell)
    return out


def _check_min_cell(min_cell: int) -> None:
    if min_cell < 1:
        raise FinsamError(f"min_cell måste vara minst 1 (fick {min_cell}).")


def _publish(raw: dict, family: ForbundFamily, period: Period, min_cell: int) -> dict:
    raw["min_cell"] = min_cell
    return in_key_order(protect(raw, family, period, min_cell))


def in_key_order(protected: dict) -> dict:
    """Protected key figures with exactly the keys of :data:`KEY_ORDER`, as plain Python values."""
    return {k: _plain(protected.get(k)) for k in KEY_ORDER}


def _plain(value):
    """numpy scalars → Python numbers, so json.dumps works."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    return value


def cached_key_figures(dataset, forbund_id: str, period: Period, min_cell: int = 5, *, allow_partial: bool = False) -> dict:
    """:func:`key_figures`, computed once per dataset and arguments.

    The report's summary text, its tables, the JSON and the index all show
    the same key figures; in one process they share one computation
    (:meth:`Dataset.derived`). Treat the result as read-only.
    """
    derived = getattr(dataset, "derived", None)
    if derived is None:
        return key_figures(dataset, forbund_id, period, min_cell, allow_partial=allow_partial)
    return derived(
        ("key_figures", forbund_id, period.label, period.start, period.end, min_cell, allow_partial),
        lambda: key_figures(dataset, forbund_id, period, min_cell, allow_partial=allow_partial),
    )

