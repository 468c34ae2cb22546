"""A model of arbete/studier at exit: logistic regression, odds ratios with 95 % intervals.

:func:`fit_outcome_model` fits the model on prepared participations and
returns an :class:`OutcomeModel` whose counts of avslutade per level are
raw; :func:`finsam_analysis.disclosure.cells.protect_model` protects them and
:func:`finsam_analysis.report.exploration.outcome_model` is what a notebook
calls (fit, then protect).

Decisions
---------
* A missing value is its own level ("Uppgift saknas") rather than dropping
  the participation.
* A level with fewer than ``min_cell`` avslutade, or fewer than ``min_cell``
  with or without arbete/studier, is never estimated on its own: such levels
  are merged into one level "Övriga (små grupper)"; if that merged level is
  still too small its participations are left out of the fit (the few cannot
  be estimated). These are the model's own rules (what can be estimated);
  the published counts are protected in the disclosure layer.
* The standard errors are cluster-robust by ``deltagare_id`` (one person can
  have several participations).
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finsam_analysis import schema
from finsam_analysis.errors import FinsamError
from finsam_analysis.fmt import fmt_dec, fmt_int
from finsam_analysis.measures import outcomes
from finsam_analysis.periods import Period, parse_period

MISSING_LABEL = "Uppgift saknas"
MERGED = "_ovriga"
MERGED_LABEL = "Övriga (små grupper)"

#: Person-level predictors: name -> (Swedish heading, column, labels, reference level).
MODEL_VARIABLES: dict[str, tuple[str, str, Mapping[str, str], str]] = {
    "kon": ("Kön", "kon", {**dict(schema.KON), outcomes.MISSING: MISSING_LABEL}, "man"),
    "aldersgrupp": (
        "Åldersgrupp", "aldersgrupp",
        {"<16": "Under 16 år", "16-24": "16–24 år", "25-29": "25–29 år", "30-39": "30–39 år",
         "40-49": "40–49 år", "50+": "50 år och äldre", outcomes.MISSING: MISSING_LABEL},
        "16-24",
    ),
    "utbildningsniva": ("Utbildningsnivå", "utbildningsniva", dict(schema.UTBILDNINGSNIVA), "gymnasial"),
    "forsorjning_fore": (
        "Försörjning före (först angivna)", "forsorjning_fore_grupp", dict(schema.FORSORJNING_GRUPP_LABELS),
        "arbetsmarknad",
    ),
}  # fmt: skip

#: Optional fixed effects: name -> (Swedish heading, column).
FIXED_EFFECTS = {"insats": ("Insats", "insats_id"), "forbund": ("Förbund", "forbund_id")}

CAVEATS = (
    "Läs modellen som en beskrivning, inte som ett svar på vad som fungerar. "
    "(1) Uppgifterna är observationsdata från förbundets uppföljning, inte ett experiment: oddskvoterna visar "
    "samband, inte orsaker. "
    "(2) Deltagarna väljs till insatserna av handläggare, remitterande aktörer och sig själva; skillnader mellan "
    "grupper, insatser eller förbund kan bero på vilka som kom dit och inte på vad de fick. "
    "(3) Modellen justerar bara för det som finns i data: hälsa, arbetslivserfarenhet, språk och den lokala "
    "arbetsmarknaden saknas. "
    "(4) Saknade uppgifter ingår som en egen grupp, Uppgift saknas, så att inga deltaganden faller bort; "
    "sysselsättning efter avslut som saknas räknas som inte arbete/studier, som i förbundets andel. "
    "(5) En oddskvot är inte en kvot mellan andelar; när andelen är hög ser skillnaden större ut i odds än i "
    "andel. "
    "(6) Röjandekontroll: en grupp med färre än {min_cell} avslutade, eller färre än {min_cell} som gick eller "
    "inte gick till arbete/studier, visas aldrig; den slås ihop med andra små grupper till Övriga (små grupper), "
    "och blir även den för liten skattas den inte. Med färre än {min_n} avslutade deltaganden skattas ingen "
    "modell alls. "
    "(7) Samma person kan ha flera deltaganden; intervallen är klusterrobusta per deltagare. Intervallen är "
    "95 % (Wald) och säger inget om fel i själva uppgifterna."
)


@dataclass
class OutcomeModel:
    """A fitted (or refused) model of arbete/studier at exit.

    Attributes
    ----------
    fitted : bool
        False when the model was not estimated; ``message`` says why.
    period : Period
        The avslutade participations (slutdatum in it) the model covers.
    n : int or None
        Avslutade deltaganden in the period (raw; once protected None when
        below ``min_cell``).
    table : DataFrame
        Tidy odds ratios, one row per shown level: ``variabel``, ``niva``
        (Swedish labels), ``term`` (``kon[kvinna]``), ``referens`` (bool),
        ``n`` (avslutade in the level: an int, raw from
        :func:`fit_outcome_model`, an int or ``".."`` once protected),
        ``oddskvot`` (1 for the reference), ``ki_lag``, ``ki_hog`` (missing
        for the reference and for a level that could not be estimated).
    message : str
        Why the model was not fitted ("" when it was).
    notes : list of str
        What was merged, left out or is uncertain.
    caveats : str
        How (not) to read the model, in Swedish.
    min_cell : int
    """

    fitted: bool
    period: Period
    n: int | None
    table: pd.DataFrame
    message: str = ""
    notes: list[str] = field(default_factory=list)
    caveats: str = ""
    min_cell: int = 5
    _n_used: int = field(default=0, repr=False)


def model_period(period: Period | str, years: int = 3) -> Period:
    """From 1 January ``years − 1`` years before the period's year to the period's end.

    ``model_period("2025")`` is 2023-01-01..2025-12-31: a model needs more
    avslutade than one year of a förbund usually gives.
    """
    period = parse_period(period)
    if years < 1:
        raise FinsamError(f"years måste vara minst 1 (fick {years}).")
    return Period.from_dates(_dt.date(period.end.year - years + 1, 1, 1), period.end)


def _model_period(period_or_years) -> Period:
    """A Period from a period, a year, ``"2023-2025"`` or ``(2023, 2025)``."""
    if isinstance(period_or_years, Period):
        return period_or_years
    if isinstance(period_or_years, str):
        match = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})\s*", period_or_years)
        if match:
            period_or_years = (int(match.group(1)), int(match.group(2)))
        else:
            return parse_period(period_or_years)
    if isinstance(period_or_years, (int, np.integer)) and not isinstance(period_or_years, bool):
        return parse_period(str(int(period_or_years)))
    years = [int(y) for y in period_or_years]
    if not years or min(years) > max(years):
        raise FinsamError(f"Ogiltiga år {period_or_years!r} för modellen.")
    return Period.from_dates(_dt.date(min(years), 1, 1), _dt.date(max(years), 12, 31))


def _sparse(n: int, k: int, threshold: int) -> bool:
    """Too few persons, or too few with or without the outcome, to show or estimate."""
    return n < threshold or k < threshold or (n - k) < threshold


def _model_levels(keys: pd.Series, y: np.ndarray, keep: np.ndarray, threshold: int) -> dict:
    """Usable levels of one variable over the kept rows, and the fate of the rest."""
    sub, ys = keys[keep], y[keep]
    n = sub.value_counts()
    k = sub[ys].value_counts().reindex(n.index, fill_value=0)
    usable = [lvl for lvl in n.index if not _sparse(int(n[lvl]), int(k[lvl]), threshold)]
    small = [lvl for lvl in n.index if lvl not in usable]
    merged_ok = bool(small) and not _sparse(int(n[small].sum()), int(k[small].sum()), threshold)
    return {"usable": usable, "small": small, "merged_ok": merged_ok}


_EMPTY_COLUMNS = ["variabel", "niva", "term", "referens", "n", "oddskvot", "ki_lag", "ki_hog"]


def fit_outcome_model(
    d: pd.DataFrame,
    period_or_years,
    *,
    min_cell: int = 5,
    min_n: int = 100,
    fixed_effects: str | None = None,
    reference: Mapping[str, str] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> OutcomeModel:
    """Logistic regression of arbete/studier at exit on avslutade participations (counts raw).

    Parameters
    ----------
    d : DataFrame
        Prepared participations (:func:`finsam_analysis.measures.outcomes.participations`
        or one förbund's); felregistreringar are already left out.
    period_or_years : Period, str, int or (int, int)
        Which avslutade: slutdatum in the period (``"2025"``,
        ``"2023-01-01..2025-12-31"``), the year, or the years ``"2023-2025"``
        / ``(2023, 2025)``.
    min_cell : int, default 5
        No level with fewer than ``min_cell`` avslutade, or fewer than
        ``min_cell`` with or without arbete/studier, is estimated on its own
        (see the module docstring).
    min_n : int, default 100
        Fewest avslutade deltaganden to fit a model at all.
    fixed_effects : {None, "insats", "forbund"}
        Add insats or förbund as a categorical predictor (insats is nested in
        förbund, so choose one).
    reference : mapping, optional
        Reference level per variable, overriding :data:`MODEL_VARIABLES`
        (and the default for a fixed effect: its largest level). A reference
        that is too small falls back to the largest usable level.
    labels : mapping, optional
        ``{variable: {code: label}}`` for the fixed effect's levels.

    Returns
    -------
    OutcomeModel
        Outcome: ``arbete_studier`` (förvärvsarbete, subventionerad anställning
        or studier after exit). Predictors: kön, åldersgrupp, utbildningsnivå,
        försörjning före (group of the first listed source), and the fixed
        effect. ``fitted`` is False, with a message, when there are too few
        avslutade, too few outcomes of either kind, or the model does not
        converge.
    """
    period = _model_period(period_or_years)
    threshold = max(int(min_cell), 1)
    caveats = CAVEATS.format(min_cell=threshold, min_n=min_n)
    variables, refs = _variables(fixed_effects, reference, labels)
    av = d.loc[outcomes.ended(d, period)]
    y = av["utfall"].isin(["arbete", "studier"]).to_numpy(dtype=bool)

    def refuse(message: str) -> OutcomeModel:
        return OutcomeModel(False, period, len(av), pd.DataFrame(columns=_EMPTY_COLUMNS), message, [], caveats,
                            threshold)  # fmt: skip

    message = _too_few(len(av), int(y.sum()), threshold, min_n, period)
    if message:
        return refuse(message)
    keys = {name: _level_keys(av[spec[1]]) for name, spec in variables.items()}
    plan, keep, included, notes = _plan(keys, y, variables, threshold)
    if not included:
        return refuse("Modellen skattas inte: ingen förklarande variabel har två tillräckligt stora grupper.")
    X, level_of, reference_of = _design(keys, plan, included, variables, refs, keep, threshold, notes)
    groups = pd.factorize(av["deltagare_id"].astype(object).to_numpy()[keep])[0] if "deltagare_id" in av else None
    yy = y[keep].astype("float64")
    fit = _fit(X, yy, groups)
    if isinstance(fit, str):
        return refuse(fit)
    result, ci = fit
    _note_few_events(yy, len(level_of), notes)
    rows = _level_rows(keys, plan, included, variables, reference_of, level_of, result, ci, notes)
    table = pd.DataFrame(rows, columns=_EMPTY_COLUMNS)
    return OutcomeModel(True, period, len(av), table, "", notes, caveats, threshold, _n_used=int(keep.sum()))


def _variables(fixed_effects, reference, labels) -> tuple[dict, dict]:
    """The model's variables (with the fixed effect) and the reference level of each."""
    variables = dict(MODEL_VARIABLES)
    if fixed_effects is not None:
        if fixed_effects not in FIXED_EFFECTS:
            raise FinsamError(f"Okänd fast effekt '{fixed_effects}'. Välj bland {', '.join(FIXED_EFFECTS)}.")
        heading, column = FIXED_EFFECTS[fixed_effects]
        variables[fixed_effects] = (heading, column, dict((labels or {}).get(fixed_effects, {})), None)
    refs = {name: spec[3] for name, spec in variables.items()}
    refs.update(reference or {})
    return variables, refs


def _too_few(n_total: int, events: int, threshold: int, min_n: int, period: Period) -> str:
    """Why no model can be fitted on these avslutade ("" when one can)."""
    # The count is named only when it is at least min_cell (or none at all): a small one is not shown.
    shown_n = fmt_int(n_total) if n_total >= threshold or n_total == 0 else f"färre än {threshold}"
    if n_total < min_n:
        return (
            f"Modellen skattas inte: {shown_n} avslutade deltaganden under {period.swedish}, minst {min_n} behövs. "
            "Välj en längre period eller fler förbund."
        )
    if _sparse(n_total, events, threshold):
        return (
            f"Modellen skattas inte: färre än {threshold} av de avslutade gick till arbete/studier, "
            "eller färre än så gjorde det inte."
        )
    return ""


def _level_keys(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), outcomes.MISSING).reset_index(drop=True)


def _plan(keys: dict, y: np.ndarray, variables: dict, threshold: int) -> tuple[dict, np.ndarray, list, list]:
    """Which levels are estimated, which rows are kept, which variables are in the model.

    Small levels are merged; the rows of a merged group that is still too
    small are left out. Dropping rows changes the other variables' counts,
    so this repeats until nothing changes.
    """
    n_total = len(y)
    keep = np.ones(n_total, dtype=bool)
    for _ in range(10):
        plan = {name: _model_levels(keys[name], y, keep, threshold) for name in variables}
        drop = np.zeros(n_total, dtype=bool)
        for name, p in plan.items():
            if len(p["usable"]) + int(p["merged_ok"]) < 2:
                continue  # the variable is left out of the model; its rows stay
            if p["small"] and not p["merged_ok"]:
                drop |= keys[name].isin(p["small"]).to_numpy() & keep
        if not drop.any():
            break
        keep &= ~drop
    included = [name for name, p in plan.items() if len(p["usable"]) + int(p["merged_ok"]) >= 2]
    notes: list[str] = []
    left_out = [variables[name][0] for name in variables if name not in included]
    if left_out:
        notes.append("Ingår inte i modellen (bara en grupp var tillräckligt stor): " + ", ".join(left_out) + ".")
    if included and not keep.all():
        notes.append(
            "Några få avslutade deltaganden i sammanslagna grupper som ändå var för små ingår inte i skattningen."
        )
    return plan, keep, included, notes


def _design(keys, plan, included, variables, refs, keep, threshold, notes) -> tuple[pd.DataFrame, dict, dict]:
    """The design matrix (explicit reference levels), each term's (variable, level), each reference."""
    columns: dict[str, np.ndarray] = {}
    level_of: dict[str, tuple[str, str]] = {}
    reference_of: dict[str, str] = {}
    for name in included:
        p = plan[name]
        mapped = keys[name].where(~keys[name].isin(p["small"]), MERGED)
        counts = mapped[keep].value_counts()
        wanted = refs.get(name)
        ref = wanted if wanted in p["usable"] else max(p["usable"], key=lambda lvl: (int(counts[lvl]), str(lvl)))
        if wanted is not None and ref != wanted:
            notes.append(
                f"{variables[name][0]}: referensgruppen {_level_label(variables[name], wanted)} var för liten; "
                f"referens är i stället {_level_label(variables[name], ref)}."
            )
        reference_of[name] = ref
        for lvl in _order(variables[name], p["usable"]) + ([MERGED] if p["merged_ok"] else []):
            if lvl != ref:
                columns[f"{name}[{lvl}]"] = (mapped == lvl).to_numpy(dtype="float64")
                level_of[f"{name}[{lvl}]"] = (name, lvl)
        if p["small"]:
            notes.append(
                f"{variables[name][0]}: grupper med färre än {threshold} avslutade, eller färre än {threshold} "
                f"som gick eller inte gick till arbete/studier, är sammanslagna till {MERGED_LABEL}."
            )
    X = pd.DataFrame(columns).loc[keep].reset_index(drop=True)
    X.insert(0, "const", 1.0)
    return X, level_of, reference_of


def _fit(X: pd.DataFrame, y: np.ndarray, groups):
    """``(result, ci)`` of the logit fit, or the Swedish reason it failed."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning

    try:
        with warnings.catch_warnings():
            # Separation, non-convergence and overflow become errors here (and a refusal).
            for category in (ConvergenceWarning, PerfectSeparationWarning, HessianInversionWarning, RuntimeWarning):
                warnings.simplefilter("error", category)
            fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if groups is not None else {}
            result = sm.Logit(y, X).fit(disp=0, maxiter=200, **fit_kw)
        converged = bool(result.mle_retvals.get("converged", False))
        ci = result.conf_int(0.05)
        finite = np.isfinite(result.params).all() and np.isfinite(ci.to_numpy()).all()
    except Exception as exc:  # noqa: BLE001 - statsmodels raises several kinds (LinAlgError, warnings)
        return f"Modellen kunde inte skattas ({type(exc).__name__}): grupperna är för små eller för lika."
    if not converged or not finite or (np.abs(result.params.drop("const")) > 15).any():
        return "Modellen konvergerade inte: grupperna är för små eller för lika för att skattas stabilt."
    return result, ci


def _note_few_events(y: np.ndarray, n_parameters: int, notes: list[str]) -> None:
    events = int(y.sum())
    epv = min(events, len(y) - events) / max(n_parameters, 1)
    if epv < 10:
        notes.append(f"Bara {fmt_dec(epv, 1)} utfall per skattad parameter (tumregeln är minst 10): skattningarna är osäkra.")


def _level_rows(keys, plan, included, variables, reference_of, level_of, result, ci, notes) -> list[dict]:
    """One row per shown level, with its raw number of avslutade (over every avslutad, in or out of the fit)."""
    rows = []
    for name in included:
        heading, p, ref = variables[name][0], plan[name], reference_of[name]
        order = _order(variables[name], p["usable"])
        n_level = {lvl: int((keys[name] == lvl).sum()) for lvl in order}
        # Every other level (small, or with all its rows left out of the fit) is in the merged row,
        # so the shown rows add up to the total.
        rest = int((~keys[name].isin(order)).sum())
        if rest:
            n_level[MERGED] = rest
        for lvl, n in n_level.items():
            term = f"{name}[{lvl}]"
            estimated = term in level_of
            rows.append({
                "variabel": heading,
                "niva": MERGED_LABEL if lvl == MERGED else _level_label(variables[name], lvl),
                "term": term,
                "referens": lvl == ref,
                "n": n,
                "oddskvot": float(np.exp(result.params[term])) if estimated else (1.0 if lvl == ref else None),
                "ki_lag": float(np.exp(ci.loc[term, 0])) if estimated else None,
                "ki_hog": float(np.exp(ci.loc[term, 1])) if estimated else None,
            })  # fmt: skip
            if lvl == MERGED and not estimated:
                notes.append(f"{heading}: {MERGED_LABEL} är för liten för att skattas och ingår inte i modellen.")
    return rows


def _order(spec: tuple, levels: Sequence[str]) -> list[str]:
    """Levels in vocabulary order (then the rest sorted, Uppgift saknas last)."""
    vocab = list(spec[2])
    known = [lvl for lvl in vocab if lvl in levels and lvl != outcomes.MISSING]
    rest = sorted((lvl for lvl in levels if lvl not in vocab and lvl != outcomes.MISSING), key=str)
    return known + rest + ([outcomes.MISSING] if outcomes.MISSING in levels else [])


def _level_label(spec: tuple, level: str) -> str:
    if level == MERGED:
        return MERGED_LABEL
    if level == outcomes.MISSING:
        return MISSING_LABEL
    return str(spec[2].get(level, level))


def _unique_labels(ids: pd.Series, names: pd.Series) -> dict[str, str]:
    """id → name; a name used twice gets its id in brackets (two förbund can both have "Steget")."""
    names = names.astype(str).to_numpy()
    twice = {n for n in names if (names == n).sum() > 1}
    return {i: (f"{n} ({i})" if n in twice else n) for i, n in zip(ids, names)}


def fit_dataset_outcome_model(
    dataset,
    period_or_years,
    *,
    forbund_id: str | None = None,
    fixed_effects: str | None = None,
    reference: Mapping[str, str] | None = None,
    min_cell: int = 5,
    min_n: int = 100,
) -> OutcomeModel:
    """:func:`fit_outcome_model` on a dataset: one förbund's avslutade, or every förbund's (counts raw).

    Fixed-effect levels get their names (förbund and insats names) from the
    dataset. With ``fixed_effects="forbund"``, ``reference={"forbund": id}``
    compares every förbund with that one.
    """
    from finsam_analysis.measures.key_figures import forbund_participations

    if forbund_id is not None:
        d = forbund_participations(dataset, forbund_id)
    else:
        d = outcomes.participations(dataset)
    labels = {
        "forbund": _unique_labels(dataset.forbund["forbund_id"], dataset.forbund["namn"]),
        "insats": _unique_labels(dataset.insatser["insats_id"], dataset.insatser["namn"]),
    }
    return fit_outcome_model(d, period_or_years, min_cell=min_cell, min_n=min_n, fixed_effects=fixed_effects,
                             reference=reference, labels=labels)  # fmt: skip
