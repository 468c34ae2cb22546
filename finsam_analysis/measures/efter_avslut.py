"""Follow-up after exit: how the participants were doing 3, 6 and 12 months after they ended.

Definitions (docs/methods.md, "Uppföljning efter avslut"), decided where the
brief is silent:

* The **cohort** of a follow-up point *m* in a period is the participations
  (felregistreringar left out) whose follow-up date, ``slutdatum`` plus *m*
  calendar months, falls inside the period and on or before the extract date.
  So a year's report follows up those who ended *m* months before each of its
  days; a participation that ended too recently is in no cohort yet.
* **Nådd**: the follow-up's sysselsättning is recorded and is not ``ej_nadd``
  (``okand``, reached but not known, counts as reached, as at exit).
  **Ej nådd**: ``ej_nadd``. **Uppföljning saknas**: nothing recorded. Missing
  follow-ups are counted, never imputed.
* **Andel arbete/studier** at *m*: reached in the outcome groups arbete or
  studier (docs/dataformat.md §6), over the reached. The same persons' share
  at exit (``sysselsattning_efter``) stands beside it, so the change is a
  change for the same people and not a change of who answered.
* **Andel egen försörjning** at *m*: reached whose primary försörjning then is
  in the group *egen* (lön, studiemedel), over the reached with a försörjning
  recorded.

Everything here is a count of participations before disclosure control; the
report's tables protect them.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.measures import outcomes
from finsam_analysis.periods import Period

__all__ = ["FOLLOW_UP_COUNTS", "follow_up_counts", "has_follow_ups", "months_for_target"]

#: The counts per follow-up point, in this order.
FOLLOW_UP_COUNTS = (
    "kohort", "nadda", "ej_nadda", "saknas",
    "arbete_studier", "arbete_studier_vid_avslut",
    "forsorjning_kand", "egen_forsorjning",
)  # fmt: skip
_AS = [c for c, g in schema.UTFALL_GRUPP.items() if g in ("arbete", "studier")]


def has_follow_ups(d: pd.DataFrame) -> bool:
    """Whether any participation has a follow-up recorded (reached or not)."""
    columns = [schema.uppfoljning_column(m, "sysselsattning") for m in schema.UPPFOLJNING_MANADER]
    return any(c in d.columns and d[c].notna().any() for c in columns)


def _due(slut: pd.Series, months: int) -> pd.Series:
    return slut + pd.DateOffset(months=months)


def _primary_group(values: pd.Series) -> pd.Series:
    return outcomes._primary(values).map(dict(schema.FORSORJNING_GRUPP))


def follow_up_counts(d: pd.DataFrame, period: Period, uttagsdatum: _dt.date | None) -> pd.DataFrame:
    """Per follow-up point, the counts of :data:`FOLLOW_UP_COUNTS`.

    Parameters
    ----------
    d : DataFrame
        Prepared participations of one förbund (``outcomes.prepare``: no
        felregistreringar).
    period : Period
        The report period.
    uttagsdatum : date or None
        The extract date; a follow-up due after it cannot be in the data.

    Returns
    -------
    DataFrame
        Index: the months (3, 6, 12); integer columns :data:`FOLLOW_UP_COUNTS`.
    """
    last = pd.Timestamp(period.end)
    if uttagsdatum is not None:
        last = min(last, pd.Timestamp(uttagsdatum))
    exit_as = d["sysselsattning_efter"].astype("object").isin(_AS).to_numpy()
    rows = {}
    for m in schema.UPPFOLJNING_MANADER:
        syss_col, fors_col = schema.uppfoljning_column(m, "sysselsattning"), schema.uppfoljning_column(m, "forsorjning")
        syss = d[syss_col].astype("object") if syss_col in d.columns else pd.Series(None, index=d.index, dtype=object)
        fors = d[fors_col].astype("object") if fors_col in d.columns else pd.Series(None, index=d.index, dtype=object)
        due = _due(d["slutdatum"], m)
        cohort = ((due >= pd.Timestamp(period.start)) & (due <= last)).fillna(False).to_numpy(dtype=bool)
        recorded = syss.notna().to_numpy()
        ej = (syss == schema.EJ_NADD).to_numpy(dtype=bool)
        reached = cohort & recorded & ~ej
        known_fors = reached & fors.notna().to_numpy() & (fors != "okand").to_numpy(dtype=bool)
        egen = known_fors & (_primary_group(fors) == "egen").to_numpy(dtype=bool)
        rows[m] = {
            "kohort": cohort.sum(),
            "nadda": reached.sum(),
            "ej_nadda": (cohort & ej).sum(),
            "saknas": (cohort & ~recorded).sum(),
            "arbete_studier": (reached & syss.isin(_AS).to_numpy()).sum(),
            "arbete_studier_vid_avslut": (reached & exit_as).sum(),
            "forsorjning_kand": known_fors.sum(),
            "egen_forsorjning": egen.sum(),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").astype("int64")
    out.index.name = "manader"
    return out[list(FOLLOW_UP_COUNTS)]


def months_for_target(days: int) -> int | None:
    """The follow-up point a target "inom N dagar efter avslut" is measured at: the latest within N days.

    A month is counted as 30 days, so "inom 90 dagar" is the 3-month
    follow-up and "inom 60 dagar" has none (``None``).
    """
    within = [m for m in schema.UPPFOLJNING_MANADER if m * 30 <= days]
    return max(within) if within else None
