"""Strukturövergripande insatser (their own section) and the verksamhetsplan's targets ("Insatser och mål").

Strukturövergripande insatser have no participants in the participant file;
what the förbund records of them is their period, budget and utfall
(``insats_ekonomi.csv``), how many of the parterna's staff took part
(``deltagare_personal``) and their targets with the status the förbund
writes (``insats_mal.csv``).

Decision where the brief is silent: ``deltagare_personal`` counts staff
taking part in their work role (a training, a network), reported by the
förbund as one number per insats and year; it says nothing about a person's
health, income or employment and is not a count of persons in the sense of
the disclosure rule, so it is shown as given.
"""

from __future__ import annotations

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.fmt import NOT_AVAILABLE, UNKNOWN
from finsam_analysis.periods import Period
from finsam_analysis.report.table_base import ReportTable, _make, _placeholder

__all__ = ["insats_tables"]

SECTION = "Insatser och mål"
STRUKTUR_SECTION = "Strukturövergripande insatser"
SOURCE = "Källa: förbundets insatsregister och verksamhetsplan (insatser.csv, insats_ekonomi.csv, insats_mal.csv)"


def insats_tables(dataset, forbund_id: str, period: Period) -> list[ReportTable]:
    """The table of strukturövergripande insatser and the table of targets for the period's year."""
    ins = dataset.insatser.loc[dataset.insatser["forbund_id"] == forbund_id].sort_values("insats_id")
    running = ins.loc[(ins["startdatum"] <= pd.Timestamp(period.end))
                      & (ins["slutdatum"].isna() | (ins["slutdatum"] >= pd.Timestamp(period.start)))]  # fmt: skip
    return [_struktur(dataset, running, period), _malen(dataset, running, period)]


def _label(row) -> str:
    return f"{row.namn} ({row.insats_id})"


def _struktur(dataset, running: pd.DataFrame, period: Period) -> ReportTable:
    struktur = running.loc[running["typ"] == "strukturovergripande"]
    title = f"Strukturövergripande insatser, {period.swedish}"
    if struktur.empty:
        return _placeholder("insatser_struktur", STRUKTUR_SECTION, title,
                            "Förbundet har inga strukturövergripande insatser under perioden.", SOURCE)  # fmt: skip
    year = period.end.year
    money = dataset.insats_ekonomi
    money = money.loc[pd.to_numeric(money["ar"], errors="coerce") == year].set_index("insats_id")
    goals = _year_goals(dataset, year)
    rows = {}
    for r in struktur.itertuples():
        m = money.loc[r.insats_id] if r.insats_id in money.index else None
        g = goals.loc[goals["insats_id"] == r.insats_id]
        rows[_label(r)] = [
            _period_text(r.startdatum, r.slutdatum),
            _money(m, "budget_kr", period), _money(m, "utfall_kr", period), _money(m, "deltagare_personal", period),
            len(g) if len(goals) else UNKNOWN, int((g["status"] == "uppnatt").sum()) if len(goals) else UNKNOWN,
        ]
    cols = ["Period", "Budget (kr)", "Utfall (kr)", "Deltagare (personal)", f"Mål {year}", "Därav uppnådda"]
    data = pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("Insats")
    note = "Deltagare (personal) = antal anställda hos parterna som deltagit, som förbundet redovisat det."
    if not period.is_year:
        note += " Budget, utfall och deltagare redovisas per helår."
    return _make(
        "insatser_struktur", STRUKTUR_SECTION, title, data,
        {"Period": "text", "Budget (kr)": "kr", "Utfall (kr)": "kr", "Deltagare (personal)": "number",
         f"Mål {year}": "number", "Därav uppnådda": "number"},
        min_cell=1, source=SOURCE, index_name="Insats", note=note,
    )  # fmt: skip


def _money(row, column: str, period: Period) -> object:
    if not period.is_year or row is None:
        return NOT_AVAILABLE
    value = row[column]
    return NOT_AVAILABLE if pd.isna(value) else float(value)


def _period_text(start, end) -> str:
    return f"{start.date().isoformat()}–{'' if pd.isna(end) else end.date().isoformat()}"


def _year_goals(dataset, year: int) -> pd.DataFrame:
    goals = dataset.insats_mal
    return goals.loc[pd.to_numeric(goals["ar"], errors="coerce") == year]


_SHORT_TYP = {"individinriktad": "individ", "strukturovergripande": "struktur"}


def _malen(dataset, running: pd.DataFrame, period: Period) -> ReportTable:
    year = period.end.year
    title = f"Mål i verksamhetsplanen {year}"
    goals = _year_goals(dataset, year)
    goals = goals.loc[goals["insats_id"].isin(running["insats_id"])]
    if goals.empty:
        return _placeholder("insatser_malen", SECTION, title,
                            f"Uppgift saknas: insats_mal.csv har inga mål för förbundets insatser {year}.", SOURCE)  # fmt: skip
    names = running.set_index("insats_id")
    order = goals.assign(_o=goals["insats_id"].map({i: n for n, i in enumerate(running["insats_id"])}))
    order = order.sort_values(["_o"], kind="stable")
    data = pd.DataFrame({
        "Insats": [f"{names.at[i, 'namn']} ({i})" for i in order["insats_id"]],
        # Short words: "Strukturövergripande insats" in a column of its own made the table wider than A4.
        "Typ": [_SHORT_TYP.get(names.at[i, "typ"], UNKNOWN) for i in order["insats_id"]],
        "Mål": order["mal"].astype(str).to_numpy(),
        "Status": [UNKNOWN if pd.isna(s) else schema.label(schema.MAL_STATUS, s) for s in order["status"]],
        "Kommentar": ["" if pd.isna(k) else str(k) for k in order["kommentar"]],
    }, index=pd.Index([str(n) for n in range(1, len(order) + 1)], dtype=object, name="Nr"))
    status = order["status"].value_counts()
    note = "Typ: individ = individinriktad, struktur = strukturövergripande insats. Status som förbundet anger den: " + ", ".join(
        f"{schema.MAL_STATUS[s].lower()} {int(status.get(s, 0))}" for s in schema.MAL_STATUS) + "."
    return _make(
        "insatser_malen", SECTION, title, data, {c: "text" for c in data.columns}, min_cell=1, source=SOURCE,
        index_name="Nr", note=note,
    )  # fmt: skip
