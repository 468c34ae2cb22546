"""The figures Uppföljning Finsam asks a förbund for each year: exact, for an internal submission.

Since SUS closed, the national follow-up system asks every förbund for its
budget and utfall, its insatser (kind, period), the number of participants in
strukturövergripande insatser and the participants in individinriktade
insatser by kön. These are exact counts for the submission, not for
publication: the workbook that holds them (:mod:`finsam_analysis.report.uppfoljning`)
says so on every sheet and is written apart from the published outputs.

Decisions where the brief is silent
-----------------------------------
* Participants are *aktiva deltagare* in the year (persons with a
  participation active some day of it), per insats and for the förbund, by
  the kön of their latest participation (as in the report); a person in two
  insatser counts in both insatser and once for the förbund.
* New participants: persons whose first participation in the insats (for the
  förbund: in any of its insatser) starts in the year.
* The förbund's budget and utfall are the sums over its insatser
  (``insats_ekonomi.csv``); its total costs, administration included, come
  from ``forbund_ekonomi.csv`` and are unknown (None) without that year.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import pandas as pd

from finsam_analysis.measures import ekonomi, outcomes
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.periods import parse_period

__all__ = ["UppfoljningFigures", "uppfoljning_figures"]


@dataclass(frozen=True)
class UppfoljningFigures:
    """The year's figures: ``forbund`` (one row), ``insatser`` (one row per insats running in the year)."""

    forbund: pd.DataFrame
    insatser: pd.DataFrame


def _persons(d: pd.DataFrame, year_period) -> dict[str, int]:
    """Aktiva deltagare by kön (latest participation in the year), and the new ones."""
    act = d.loc[outcomes.active(d, year_period)]
    people = outcomes.latest_per_person(act)
    kon = people["kon"].astype("object")
    first = d.groupby("deltagare_id", observed=True)["startdatum"].min()
    new = first.loc[first.index.isin(people["deltagare_id"])]
    start, end = pd.Timestamp(year_period.start), pd.Timestamp(year_period.end)
    return {
        "deltagare": len(people), "kvinnor": int((kon == "kvinna").sum()), "man": int((kon == "man").sum()),
        "kon_okand": int(kon.isna().sum()), "nya_deltagare": int(((new >= start) & (new <= end)).sum()),
    }  # fmt: skip


def uppfoljning_figures(dataset, forbund_id: str, year: int) -> UppfoljningFigures:
    """Exact figures of ``forbund_id`` for ``year`` (never disclosure-controlled: internal only)."""
    period = parse_period(str(year))
    d = forbund_participations(dataset, forbund_id)
    ins = dataset.insatser.loc[dataset.insatser["forbund_id"] == forbund_id].sort_values("insats_id")
    s, e = pd.Timestamp(_dt.date(year, 1, 1)), pd.Timestamp(_dt.date(year, 12, 31))
    ins = ins.loc[(ins["startdatum"] <= e) & (ins["slutdatum"].isna() | (ins["slutdatum"] >= s))]
    money = ekonomi.insats_budget(dataset.insats_ekonomi, ins, year)
    staff = _staff(dataset.insats_ekonomi, year)
    rows = []
    for r in ins.itertuples():
        row = {"insats_id": r.insats_id, "namn": r.namn, "typ": r.typ, "startdatum": r.startdatum,
               "slutdatum": r.slutdatum, "budget_kr": money.at[r.insats_id, "budget_kr"],
               "utfall_kr": money.at[r.insats_id, "utfall_kr"]}  # fmt: skip
        if r.typ == "individinriktad":
            row.update(_persons(d.loc[d["insats_id"] == r.insats_id], period))
        else:
            row["deltagare"] = staff.get(r.insats_id)
        rows.append(row)
    insatser = pd.DataFrame(rows, columns=["insats_id", "namn", "typ", "startdatum", "slutdatum", "budget_kr",
                                           "utfall_kr", "deltagare", "kvinnor", "man", "kon_okand", "nya_deltagare"])
    costs = ekonomi.kostnader(dataset.forbund_ekonomi, forbund_id, year)
    individ = d.loc[d["insats_id"].isin(ins.loc[ins["typ"] == "individinriktad", "insats_id"])]
    forbund = pd.DataFrame([{
        "forbund_id": forbund_id, "ar": year, "budget_kr": float(insatser["budget_kr"].sum(min_count=1)),
        "utfall_kr": float(insatser["utfall_kr"].sum(min_count=1)),
        "kostnader_kr": float(costs.sum()) if not costs.empty else None, **_persons(individ, period),
        "deltagare_struktur": int(pd.to_numeric(insatser.loc[insatser["typ"] != "individinriktad", "deltagare"],
                                                errors="coerce").sum()),
    }])  # fmt: skip
    return UppfoljningFigures(forbund, insatser)


def _staff(insats_ekonomi: pd.DataFrame, year: int) -> dict[str, int]:
    rows = insats_ekonomi.loc[pd.to_numeric(insats_ekonomi["ar"], errors="coerce") == year]
    rows = rows.loc[rows["deltagare_personal"].notna()]
    return {i: int(v) for i, v in zip(rows["insats_id"], rows["deltagare_personal"])}
