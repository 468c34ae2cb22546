"""The key figures a report publishes: disclosure control applied.

``key_figures(dataset, forbund_id, period, min_cell=5)`` is what the
``<forbund_id>.json`` of a report holds (docs/rapporter.md §5). A hidden value
is ``None`` and its key is listed in ``"suppressed"``; a value that is unknown
(its column is missing or empty) is ``None`` too, but not listed.

How the figures are protected (docs/methods.md §5)
--------------------------------------------------
* Counts of participations (aktiva, nya, avslutade, pågående and the outcome
  groups) and the shares over avslutade are shown exactly when the förbund's
  *family* of periods allows it (:mod:`finsam_analysis.disclosure.family`):
  every period the förbund can publish is protected together with all the
  others.
* Counts of persons (aktiva deltagare, kvinnor, män) are protected period by
  period with :func:`finsam_analysis.disclosure.rules.suppress`: a person
  active in two periods counts once in each, so they are not sums of each
  other. ``kon_okand`` (persons whose kön is missing in the förbund's file)
  is a count of the data's quality and is always shown; kvinnor and män are
  then hidden only when one of them is small.
* ``rejected_rows`` (rows, not persons) and the population keys (public SCB
  figures) are not suppressed.
* ``tid_i_insats_median_dagar`` is shown when avslutade is shown and at least
  ``2 * min_cell`` (a median of fewer is nearly one person's own duration).
"""

from __future__ import annotations

from finsam_analysis.disclosure.forbund import ForbundFamily, forbund_family
from finsam_analysis.disclosure.rules import suppress
from finsam_analysis.errors import FinsamError
from finsam_analysis.ingest import coverage
from finsam_analysis.measures import jamforelse, outcomes
from finsam_analysis.measures.key_figures import forbund_participations, in_key_order, raw_key_figures, raw_key_figures_all
from finsam_analysis.memo import PerDataset
from finsam_analysis.periods import Period, parse_period, report_periods

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


#: Each loaded dataset's families and published key figures.
REPORT_MEMO = PerDataset("families and published key figures")


def forbund_protection(dataset, forbund_id: str, min_cell: int = 5) -> ForbundFamily:
    """The förbund's family of periods, decided up to the extract date (computed once).

    With the run's own age groups (``dataset.aldersgrupper``) they are
    decided in the same family, so every output of the run agrees.
    """
    last = coverage.extract_date(dataset)
    groups = tuple(getattr(dataset, "aldersgrupper", ()))

    def build() -> ForbundFamily:
        return forbund_family(forbund_participations(dataset, forbund_id), last, min_cell, aldersgrupper=groups)

    return REPORT_MEMO.get(dataset, ("family", forbund_id, min_cell, last, groups), build)


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
    """The key figures of the report's JSON (docs/rapporter.md §5), disclosure control applied.

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
        Exactly the keys of :data:`~finsam_analysis.measures.key_figures.KEY_ORDER`, in that order; JSON-serialisable.
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


def observed_expected(
    dataset, period: Period, min_cell: int = 5, *, key_figures=None, allow_partial: bool = False
) -> dict[str, dict]:
    """The observed/expected indicator of every förbund, shown only where its andel arbete/studier is.

    The indicator is a ratio of counts of the förbund's avslutade, so it is
    released exactly where the published key figure ``andel_arbete_studier``
    of the same period is (known and not suppressed); elsewhere all its
    values are None. See :mod:`finsam_analysis.measures.jamforelse`. The
    model is fitted on every förbund of the dataset, once per period.

    Parameters
    ----------
    key_figures : mapping, optional
        forbund_id → the published key figures of the period, for the
        förbund to publish (a batch passes what its reports wrote, so
        nothing is protected twice). Default: every förbund of the dataset.

    Returns
    -------
    dict
        forbund_id → ``{"kvot", "ki_lag", "ki_hog"}`` (floats or None).
    """
    table = REPORT_MEMO.get(
        dataset, ("observed_expected", period.label, period.start, period.end, min_cell),
        lambda: jamforelse.observed_expected(outcomes.participations(dataset), period, min_cell=min_cell),
    )  # fmt: skip
    if key_figures is None:
        key_figures = {fid: cached_key_figures(dataset, fid, period, min_cell, allow_partial=allow_partial)
                       for fid in dataset.forbund["forbund_id"].astype(str)}  # fmt: skip
    out = {}
    for fid, kf in key_figures.items():
        shown = fid in table.index and kf.get("andel_arbete_studier") is not None and (
            "andel_arbete_studier" not in kf["suppressed"])
        out[fid] = {k: (float(table.at[fid, k]) if shown else None) for k in ("kvot", "ki_lag", "ki_hog")}
    return out


def cached_key_figures(dataset, forbund_id: str, period: Period, min_cell: int = 5, *, allow_partial: bool = False) -> dict:
    """:func:`key_figures`, computed once per dataset and arguments.

    The report's summary text, its tables, the JSON and the index all show
    the same key figures; in one process they share one computation
    Treat the result as read-only.
    """
    return REPORT_MEMO.get(
        dataset,
        ("key_figures", forbund_id, period.label, period.start, period.end, min_cell, allow_partial),
        lambda: key_figures(dataset, forbund_id, period, min_cell, allow_partial=allow_partial),
    )

