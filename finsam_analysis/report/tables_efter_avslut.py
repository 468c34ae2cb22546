"""The section "Uppföljning efter avslut": 3, 6 and 12 months after exit, and targets "inom N dagar".

Definitions: :mod:`finsam_analysis.measures.efter_avslut`. Disclosure: each
follow-up point is its own small table of persons, nådda + ej nådda +
uppföljning saknas = att följa upp, protected by
:func:`~finsam_analysis.disclosure.tables.protect_table`; every share is the
share of a pair (in the group, not in it) protected the same way, with the
pair's total hidden wherever the count it equals is hidden. A share is shown
only when both halves of its pair are, so no shown share and shown count
together give a hidden count.
"""

from __future__ import annotations

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.disclosure.tables import protect_table
from finsam_analysis.fmt import NOT_AVAILABLE
from finsam_analysis.measures.efter_avslut import follow_up_counts, has_follow_ups, months_for_target
from finsam_analysis.measures.outcomes import share
from finsam_analysis.periods import Period
from finsam_analysis.report.table_base import ReportTable, _Hidden, _make, _placeholder, _with_reasons

__all__ = ["follow_up_tables"]

SECTION = "Uppföljning efter avslut"
TITLE = "Uppföljning efter avslut: nådda och sysselsättning"
COUNTS = ("Nådda", "Ej nådda", "Uppföljning saknas")
TOTAL = "Att följa upp"
# Short headers: nine columns must fit A4 without breaking a word; the note says what each share is of.
SHARES = ("Andel nådda", "Arbete/studier", "Vid avslut", "Förändring (%-enheter)", "Egen försörjning")
NOTE = (
    "Deltaganden vars uppföljning inföll under perioden: slutdatum plus 3, 6 eller 12 månader ligger i "
    "perioden och före uttagsdatum. Nådda är de vars sysselsättning vid uppföljningen är registrerad. Andelarna "
    "gäller de nådda; andelen vid avslut gäller samma personer, så förändringen är en förändring för samma "
    "deltagare och inte för vilka som svarade. Uppföljningar som saknas räknas och redovisas men uppskattas "
    "aldrig. Arbete/studier och Egen försörjning är andelar av de nådda; Vid avslut är samma personers andel i "
    "arbete/studier vid avslut. Egen försörjning: lön eller studiemedel som huvudsaklig försörjning, bland nådda "
    "med känd försörjning."
)


def _pair_share(label: str, part: int, whole: int, min_cell: int, whole_hidden: bool) -> object:
    """``part / whole`` if the pair (part, whole − part) can be shown, else a hidden cell; ``–`` when whole is 0."""
    if whole == 0:
        return NOT_AVAILABLE
    pair = pd.DataFrame({"i": [part], "ej": [whole - part]}, index=[label])
    protected = protect_table(pair, min_cell, margins=True, agree_with={(label, "Totalt"): whole_hidden})
    hidden = protected.hidden.iloc[0]
    if hidden["i"] or hidden["ej"]:
        return _Hidden(part, min_cell, "small" if 0 < min(part, whole - part) < min_cell else "protect")
    return share(part, whole)


def _point_row(label: str, r: pd.Series, min_cell: int) -> dict:
    status = pd.DataFrame({COUNTS[0]: [int(r["nadda"])], COUNTS[1]: [int(r["ej_nadda"])],
                           COUNTS[2]: [int(r["saknas"])]}, index=[label])  # fmt: skip
    protected = protect_table(status, min_cell, margins=True)
    shown = _with_reasons(protected).iloc[0]
    nadda_hidden = bool(protected.hidden.iloc[0][COUNTS[0]])
    row = {TOTAL: shown["Totalt"], **{c: shown[c] for c in COUNTS}}
    row[SHARES[0]] = _pair_share(label, int(r["nadda"]), int(r["kohort"]), min_cell, bool(protected.hidden.iloc[0]["Totalt"]))
    now = _pair_share(label, int(r["arbete_studier"]), int(r["nadda"]), min_cell, nadda_hidden)
    then = _pair_share(label, int(r["arbete_studier_vid_avslut"]), int(r["nadda"]), min_cell, nadda_hidden)
    row[SHARES[1]], row[SHARES[2]] = now, then
    both = all(isinstance(v, float) for v in (now, then))
    row[SHARES[3]] = round(100 * (now - then), 1) if both else (NOT_AVAILABLE if NOT_AVAILABLE in (now, then) else "..")
    # Its denominator (reached with a known försörjning) is published nowhere else, and may be.
    row[SHARES[4]] = _pair_share(label, int(r["egen_forsorjning"]), int(r["forsorjning_kand"]), min_cell, False)
    return row


def _points(d: pd.DataFrame, dataset, period: Period, min_cell: int) -> ReportTable:
    counts = follow_up_counts(d, period, dataset.uttagsdatum)
    rows = {f"{m} mån": _point_row(f"{m} mån", r, min_cell) for m, r in counts.iterrows()}
    data = pd.DataFrame.from_dict(rows, orient="index")[[TOTAL, *COUNTS, *SHARES]]
    kinds = {TOTAL: "count", **{c: "count" for c in COUNTS}, **{c: "share" for c in SHARES}}
    kinds[SHARES[3]] = "points"
    return _make("uppfoljning_efter_avslut", SECTION, f"{TITLE}, {period.swedish}", data, kinds,
                 min_cell=min_cell, index_name="Uppföljning", note=NOTE)  # fmt: skip


def _targets(d: pd.DataFrame, dataset, forbund_id: str, period: Period, min_cell: int) -> ReportTable | None:
    """Per insats with a target "inom N dagar": the target against the share at that follow-up."""
    ins = dataset.insatser
    if "mal_inom_dagar" not in ins.columns:
        return None
    ins = ins.loc[(ins["forbund_id"] == forbund_id) & ins["mal_inom_dagar"].notna()].sort_values("insats_id")
    if ins.empty:
        return None
    rows = {}
    for r in ins.itertuples():
        m = months_for_target(int(r.mal_inom_dagar))
        label = f"{r.namn} ({r.insats_id})"
        row = {"Mål andel arbete/studier": r.mal_andel_arbete_studier, "Inom dagar": int(r.mal_inom_dagar),
               "Mäts vid (månader)": m if m is not None else NOT_AVAILABLE}  # fmt: skip
        if m is None:
            row.update({"Nådda": NOT_AVAILABLE, "Andel arbete/studier": NOT_AVAILABLE})
        else:
            c = follow_up_counts(d.loc[d["insats_id"] == r.insats_id], period, dataset.uttagsdatum).loc[m]
            single = protect_table(pd.DataFrame({"Nådda": [int(c["nadda"])]}, index=[label]), min_cell, margins=False)
            row["Nådda"] = _with_reasons(single).iloc[0]["Nådda"]
            row["Andel arbete/studier"] = _pair_share(label, int(c["arbete_studier"]), int(c["nadda"]), min_cell,
                                                      bool(single.hidden.iloc[0]["Nådda"]))  # fmt: skip
        rows[label] = row
    data = pd.DataFrame.from_dict(rows, orient="index")
    kinds = {"Mål andel arbete/studier": "share", "Inom dagar": "number", "Mäts vid (månader)": "number",
             "Nådda": "count", "Andel arbete/studier": "share"}  # fmt: skip
    return _make(
        "uppfoljning_mal", SECTION, f"Mål för arbete/studier efter avslut, {period.swedish}", data, kinds,
        min_cell=min_cell, index_name="Insats",
        note="Insatser vars mål för andel arbete/studier gäller inom ett antal dagar efter avslut "
        "(mal_inom_dagar i insatser.csv). Målet mäts vid den senaste uppföljningen inom så många dagar "
        "(en månad räknas som 30 dagar), bland dem som nåddes.",
    )  # fmt: skip


def follow_up_tables(d: pd.DataFrame, dataset, forbund_id: str, period: Period, min_cell: int) -> list[ReportTable]:
    """The section's tables; one explaining table when the förbund records no follow-ups."""
    if not has_follow_ups(d):
        columns = ", ".join(f"`{schema.uppfoljning_column(m, 'sysselsattning')}`" for m in schema.UPPFOLJNING_MANADER)
        return [_placeholder(
            "uppfoljning_efter_avslut", SECTION, TITLE,
            f"Förbundets deltagardata har inga uppföljningar efter avslut (kolumnerna {columns} är tomma eller "
            "saknas). Uppgift saknas; se dataformatet för hur uppföljningar registreras.",
        )]  # fmt: skip
    tables = [_points(d, dataset, period, min_cell)]
    target = _targets(d, dataset, forbund_id, period, min_cell)
    return tables + ([target] if target is not None else [])
