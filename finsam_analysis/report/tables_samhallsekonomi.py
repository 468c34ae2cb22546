"""The section "Samhällsekonomisk uppskattning" (method: :mod:`finsam_analysis.measures.samhallsekonomi`).

Disclosure: a part's kronor are a sum of counts of deltaganden times the
user's amounts, so they are shown only where the counts behind them may be:
the part's group count in "Försörjning före och efter" (the same
deltaganden: Försäkringskassan = ohälsa, Arbetsförmedlingen = arbetsmarknad,
kommunen = ekonomiskt bistånd) is shown there. A part with a source counted
1 .. ``min_cell`` − 1 prices all its sources at the mean of their amounts,
so its kronor are that count times one fixed amount and say nothing about
the split between sources (decision: exact amounts would let a reader solve
for a small source's count). The cost per avslutat deltagande is hidden
with the number of avslutade.
"""

from __future__ import annotations

import math
from typing import Callable

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.fmt import NOT_AVAILABLE
from finsam_analysis.measures import ekonomi
from finsam_analysis.measures.samhallsekonomi import (
    SENSITIVITY, part_payments, payback_years, source_counts, unit_amounts,
)
from finsam_analysis.periods import Period
from finsam_analysis.report.table_base import ReportTable, _Hidden, _make, _placeholder

__all__ = ["samhallsekonomi_tables", "PART_GROUP"]

SECTION = "Samhällsekonomisk uppskattning"
SOURCE = "Källor: förbundets deltagaruppföljning, ekonomi (forbund_ekonomi.csv) och belopp (samhallsekonomi.csv)"
#: The försörjning group whose sources are exactly a part's (schema.FORSORJNING_GRUPP).
PART_GROUP = {"forsakringskassan": "ohalsa", "arbetsformedlingen": "arbetsmarknad", "kommun": "ekonomiskt_bistand"}
BEFORE, AFTER, CHANGE = "Före (kr/år)", "Vid avslut (kr/år)", "Förändring (kr/år)"
NOTE = (
    "Så räknas det: för periodens avslutade deltaganden räknas den först angivna försörjningen före och vid "
    "avslut. Varje källa hör till en part (Försäkringskassan: sjukpenning, sjuk- och aktivitetsersättning; "
    "Arbetsförmedlingen: arbetslöshetsersättning, aktivitetsstöd, etableringsersättning; kommunen: "
    "försörjningsstöd) och ger ett belopp per person och år ur samhallsekonomi.csv. Förändringen är "
    "summan vid avslut minus summan före; negativ betyder att parten betalar mindre. Antaganden: var och en "
    "räknas som helt försörjd av sin källa ett helt år, utan deltid och utan återgång efter avslut. Det som "
    "inte ingår: regionens kostnader (vård), parternas arbetstid och allt efter avslut. Det finns ingen "
    "jämförelsegrupp: förändringen är inte insatsens effekt, eftersom en del hade fått arbete ändå. "
    "Siffrorna är en uppskattning att diskutera, inte ett utfall. Ett belopp döljs (..) när det kunde ge "
    "tillbaka ett dolt antal: när partens antal är dolt i Försörjning före och efter. Har en av partens "
    "källor färre deltaganden än gränsen räknas alla dess källor med medelvärdet av partens belopp "
    "(medelbelopp), så att summan inte avslöjar hur många som hade vilken källa."
)


def _small_sources(counts: pd.DataFrame, min_cell: int) -> frozenset:
    """Parts with a source counted 1 .. min_cell − 1 (before or at exit): priced at their mean amount."""
    n = counts[["fore", "efter"]]
    small = ((n > 0) & (n < min_cell)).any(axis=1)
    return frozenset(counts.loc[small, "part"])


def _payments(counts, amounts, flow: Callable[[tuple], object], period: Period, min_cell: int) -> tuple[ReportTable, object]:
    at_mean = _small_sources(counts, min_cell)
    kr = part_payments(counts, amounts, at_mean)
    rows = {}
    for part, label in schema.PART.items():
        if part not in PART_GROUP:
            rows[label] = {BEFORE: NOT_AVAILABLE, AFTER: NOT_AVAILABLE, CHANGE: NOT_AVAILABLE}
            continue
        label = label + (" (medelbelopp)" if part in at_mean else "")
        cells = {}
        for when, column, key in (("fore", BEFORE, ("fore", PART_GROUP[part])), ("efter", AFTER, ("efter", PART_GROUP[part]))):
            value = kr.at[part, when]
            group_cell = flow(key)
            if isinstance(group_cell, _Hidden) or group_cell == "..":  # the count behind is hidden
                cells[column] = _Hidden(None, min_cell)
            else:
                cells[column] = None if math.isnan(value) else value
        both = all(isinstance(cells[c], float) for c in (BEFORE, AFTER))
        cells[CHANGE] = cells[AFTER] - cells[BEFORE] if both else (
            NOT_AVAILABLE if None in (cells[BEFORE], cells[AFTER]) else _Hidden(None, min_cell))
        rows[label] = cells
    total = {}
    for column in (BEFORE, AFTER, CHANGE):
        values = [r[column] for label, r in rows.items() if not label.startswith(schema.PART["region"])]
        if all(isinstance(v, float) for v in values):
            total[column] = sum(values)
        elif any(isinstance(v, _Hidden) for v in values):
            total[column] = _Hidden(None, min_cell)  # the sum of shown parts would give the hidden one
        else:
            total[column] = NOT_AVAILABLE
    rows["Totalt"] = total
    change = total[CHANGE]
    data = pd.DataFrame.from_dict(rows, orient="index")
    table = _make(
        "samhallsekonomi_parter", SECTION, f"Offentliga utbetalningar per part före och vid avslut, avslutade {period.swedish}",
        data, {BEFORE: "kr", AFTER: "kr", CHANGE: "kr"}, min_cell=min_cell, source=SOURCE, index_name="Part", note=NOTE,
    )  # fmt: skip
    if isinstance(change, float):
        return table, -change
    return table, change  # hidden (a _Hidden) or unknown (–)


def _payback(decrease: float | None, dataset, forbund_id: str, period: Period, avslutade: object, min_cell: int) -> ReportTable:
    costs = ekonomi.kostnader(dataset.forbund_ekonomi, forbund_id, period.start.year) if period.is_year else pd.Series(dtype="float64")
    cost = float(costs.sum()) if len(costs) else None
    per = NOT_AVAILABLE
    if cost is not None and isinstance(avslutade, (int, float)) and not isinstance(avslutade, bool) and avslutade > 0:
        per = cost / avslutade
    elif isinstance(avslutade, _Hidden) or avslutade == "..":
        per = _Hidden(None, min_cell)
    if isinstance(decrease, float):
        years = payback_years(cost, decrease)
        low = payback_years(cost, decrease * (1 + SENSITIVITY))
        high = payback_years(cost, decrease * (1 - SENSITIVITY))
    else:  # hidden: the payback time would give the hidden total back; unknown: nothing to divide by
        years = low = high = decrease if isinstance(decrease, _Hidden) and cost is not None else None
        decrease = decrease if isinstance(decrease, _Hidden) else None
    rows = {
        "Förbundets kostnader under året": (cost, "kr"),
        "Avslutade deltaganden": (avslutade, "count"),
        "Kostnad per avslutat deltagande": (per, "kr"),
        "Minskning av offentliga utbetalningar per år": (decrease, "kr"),
        "Återbetalningstid (år)": (years, "number"),
        f"Återbetalningstid om minskningen är {round(100 * SENSITIVITY)} % större (år)": (low, "number"),
        f"Återbetalningstid om minskningen är {round(100 * SENSITIVITY)} % mindre (år)": (high, "number"),
    }
    data = pd.DataFrame({"Värde": [v if v is not None else NOT_AVAILABLE for v, _ in rows.values()]},
                        index=list(rows))  # fmt: skip
    note = ("Återbetalningstid = förbundets kostnader under året / årets minskning av utbetalningarna för de "
            "avslutade. Ingen minskning, inga kostnader för året eller en period som inte är ett helår ger – "
            "(uppgift saknas).")  # fmt: skip
    return _make(
        "samhallsekonomi_aterbetalning", SECTION, f"Kostnad och återbetalningstid, {period.swedish}", data,
        {"Värde": "number"}, min_cell=min_cell, source=SOURCE, index_name="Mått", note=note,
        row_kinds={k: kind for k, (_, kind) in rows.items()},
    )  # fmt: skip


def _amounts(samhallsekonomi: pd.DataFrame, min_cell: int) -> ReportTable:
    given = samhallsekonomi.set_index("forsorjning") if len(samhallsekonomi) else pd.DataFrame()
    rows = {}
    for source, part in schema.FORSORJNING_PART.items():
        row = given.loc[source] if source in given.index else None
        amount = None if row is None or pd.isna(row["belopp_kr_per_ar"]) else float(row["belopp_kr_per_ar"])
        rows[schema.FORSORJNING[source]] = {
            "Part": schema.PART[part],
            "Belopp (kr per person och år)": amount if amount is not None else NOT_AVAILABLE,
            "Källa": (str(row["kalla"]) if row is not None and pd.notna(row["kalla"]) else "saknas: ange beloppet och dess källa"),
            "År": str(int(row["ar"])) if row is not None and pd.notna(row["ar"]) else NOT_AVAILABLE,
        }
    data = pd.DataFrame.from_dict(rows, orient="index")
    return _make(
        "samhallsekonomi_belopp", SECTION, "Belopp som uppskattningen bygger på", data,
        {"Part": "text", "Belopp (kr per person och år)": "kr", "Källa": "text", "År": "text"},
        min_cell=min_cell, source="Källa: samhallsekonomi.csv i datakatalogen", index_name="Försörjning",
        note="Beloppen är förbundets egna och kan ändras i samhallsekonomi.csv. Paketet har inga förvalda belopp: "
        "inget kunde kontrolleras mot en offentlig källa, så ett belopp som saknas gör partens siffra okänd (–).",
    )  # fmt: skip


def samhallsekonomi_tables(
    d: pd.DataFrame, dataset, forbund_id: str, period: Period, min_cell: int,
    flow: Callable[[tuple], object], avslutade: object,
) -> list[ReportTable]:  # fmt: skip
    """The section's three tables, or one explaining table without ``samhallsekonomi.csv``."""
    if dataset.samhallsekonomi.empty:
        return [_placeholder(
            "samhallsekonomi_parter", SECTION, "Samhällsekonomisk uppskattning",
            "Ingen uppskattning: datakatalogen har ingen samhallsekonomi.csv med belopp per försörjningskälla "
            "(se dataformatet). Paketet har inga förvalda belopp, så förbundet anger dem med sina källor.",
        )]  # fmt: skip
    counts = source_counts(d, period)
    payments, decrease = _payments(counts, unit_amounts(dataset.samhallsekonomi), flow, period, min_cell)
    return [payments, _payback(decrease, dataset, forbund_id, period, avslutade, min_cell),
            _amounts(dataset.samhallsekonomi, min_cell)]
