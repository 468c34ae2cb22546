"""Which figure the report draws beside which table.

Participant figures are drawn from the *protected* table they illustrate
(hidden cells stay hidden in the figure); the population figures use SCB's
public series, which are not suppressed. Keeping this mapping in one place
means a figure can never show a number its table hides.
"""

from __future__ import annotations

import pandas as pd

from finsam_analysis.report import charts
from finsam_analysis.report.tables import ANDEL_AS, AVSLUTADE, CI_HIGH, CI_LOW, TOTAL, population_years

RATE_COLUMNS = {ANDEL_AS: "andel", CI_LOW: "ci_low", CI_HIGH: "ci_high", AVSLUTADE: "avslutade"}


def _without_total(frame: pd.DataFrame) -> pd.DataFrame:
    rows = [i for i in frame.index if not str(i).startswith(TOTAL)]
    cols = [c for c in frame.columns if not str(c).startswith(TOTAL)]
    return frame.loc[rows, cols]


def _rates(table) -> pd.DataFrame:
    return _without_total(table.data).rename(columns=RATE_COLUMNS)


def _bare(label: object) -> str:
    """``"Före: Ohälsa"`` → ``"Ohälsa"``."""
    text = str(label)
    for prefix in ("Före: ", "Efter: "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _why(table, *columns: str) -> dict[str, str]:
    """Row label -> why its cell in ``columns`` is hidden (``small`` wins), for the figure's note."""
    out: dict[str, str] = {}
    for (row, col), reason in table.reasons.items():
        if str(row).startswith(TOTAL) or (columns and col not in columns):
            continue
        label = str(row)
        rank = {"small": 0, "group": 1, "protect": 2}  # the most telling reason of a row's cells
        out[label] = min(reason, out.get(label, reason), key=rank.get)
    return out


def figures_for_table(report, table) -> list:
    """FigureResults to show under ``table`` (often none)."""
    synthetic = report.dataset.synthetic
    kw = {"synthetic": synthetic}
    key = table.key
    if table.data is None or table.data.empty or list(table.data.columns) == ["Kommentar"]:
        return []  # nothing to draw, or a placeholder that explains why
    if key == "aktiva_per_manad":
        col = table.data.columns[0]
        last = pd.Timestamp(report.period.end.year, report.period.end.month, 1)
        months = pd.date_range(end=last, periods=len(table.data), freq="MS")
        series = pd.Series(table.data[col].to_numpy(), index=months, name=col)
        return [charts.active_per_month(series, min_cell=report.min_cell, why_hidden=_why(table, col), **kw)]
    if key in ("resultat_kon", "resultat_alder", "resultat_insats"):
        return [charts.outcome_shares(_rates(table), group_label=table.data.index.name, title=table.title,
                                     min_cell=report.min_cell, why_hidden=_why(table, ANDEL_AS), **kw)]
    if key == "resultat_trend":
        return [charts.outcome_trend(_rates(table), min_cell=report.min_cell, why_hidden=_why(table, ANDEL_AS), **kw)]
    if key == "forsorjning_overgang":
        data = _without_total(table.data)
        data = data.rename(index=_bare, columns=_bare)  # the axes say before and after
        why = {_bare(label): reason for label, reason in _why(table).items()}
        return [charts.transition_heatmap(data, min_cell=report.min_cell, why_hidden=why, **kw)]
    if key == "offentlig_fore_efter":
        k = report.figures
        return [charts.offentlig_forsorjning_before_after(k["andel_offentlig_forsorjning_fore"],
                                           k["andel_offentlig_forsorjning_efter"],
                                           n=k["avslutade_deltaganden"], min_cell=report.min_cell, **kw)]
    if key.startswith("befolkning_") and population_years(report.dataset, report.forbund_id, report.period) is not None:
        return _population_figures(report, key, kw)
    if key == "insatser_mal":
        return _insats_figure(report, table, kw)
    return []


def _population_figures(report, key: str, kw: dict) -> list:
    pop = population_years(report.dataset, report.forbund_id, report.period)
    years = pop.forbund.loc[pop.forbund.index <= report.period.year]
    if years.empty:
        return []
    riket = pop.riket.loc[pop.riket.index <= report.period.year]
    if key == "befolkning_ersattning":
        return [charts.helarsekvivalenter_by_ersattning(years, **kw)]
    if key == "befolkning_jamforelse":
        return [charts.share_against_riket(years["andel"], riket["andel"], forbund_label=report.namn, **kw)]
    if key == "befolkning_kommun":
        per = pop.kommun
        per = per.loc[per["ar"] <= report.period.year] if len(per) else per
        year = int(per["ar"].max()) if len(per) else None
        value = float(riket.at[year, "andel"]) if year in riket.index else None
        return [charts.share_per_kommun(per, riket=value, year=year, **kw)] if year else []
    return []


def _insats_figure(report, table, kw: dict) -> list:
    data = _without_total(table.data)
    aktiva = next((c for c in data.columns if str(c).startswith("Aktiva")), None)
    mal = next((c for c in data.columns if str(c).startswith("Mål") and "deltagare" in str(c).lower()), None)
    if aktiva is None:
        return []
    frame = pd.DataFrame({"aktiva_deltagare": data[aktiva]}, index=data.index)
    if mal is not None:
        frame["mal_deltagare_per_ar"] = data[mal]
    return [charts.insatser_against_targets(frame, min_cell=report.min_cell, why_hidden=_why(table, aktiva), **kw)]
