"""The report's section Ekonomi: income per part, costs and result, budget and utfall per insats.

Built from :mod:`finsam_analysis.measures.ekonomi`. Amounts are kronor and
never suppressed; the kostnad per deltagare of an insats is a share over its
aktiva deltagare and is hidden with them (as in "Insatser och mål", with the
same decisions). The economy is reported per calendar year: another period
gets one sentence saying so. The previous year stands beside; a year the
förbund did not report is "uppgift saknas", never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finsam_analysis import schema
from finsam_analysis.disclosure.tables import protect_table
from finsam_analysis.fmt import NOT_AVAILABLE, UNKNOWN
from finsam_analysis.measures import ekonomi
from finsam_analysis.periods import Period
from finsam_analysis.reference import kommun_namn
from finsam_analysis.report.table_base import ReportTable, _make, _placeholder, _with_reasons

__all__ = ["SECTION", "ekonomi_tables"]

SECTION = "Ekonomi"
SOURCE = "Källa: förbundets ekonomiska redovisning (forbund_ekonomi.csv, insats_ekonomi.csv)"


def ekonomi_tables(dataset, forbund_id: str, period: Period, min_cell: int, aktiva: pd.Series) -> list[ReportTable]:
    """The tables of the section; ``aktiva`` = aktiva deltagare per individinriktad insats in the period."""
    if not period.is_year:
        return [_placeholder("ekonomi", SECTION, f"Ekonomi, {period.swedish}",
                             "Ekonomin redovisas per helår: välj ett kalenderår som period.")]  # fmt: skip
    year = period.end.year
    out = []
    if ekonomi.has_year(dataset.forbund_ekonomi, forbund_id, year):
        out += [_intakter(dataset, forbund_id, year), _resultat(dataset, forbund_id, year)]
    else:
        out.append(_placeholder(
            "ekonomi_intakter", SECTION, f"Intäkter och kostnader, {year}",
            f"Uppgift saknas: forbund_ekonomi.csv har inga rader för förbundet {year}.", SOURCE,
        ))
    out.append(_insatser(dataset, forbund_id, year, min_cell, aktiva))
    return out


def _members(dataset, forbund_id: str, year: int) -> list[str]:
    m = dataset.medlemmar
    m = m.loc[m["forbund_id"] == forbund_id]
    valid = (m["giltig_from"].dt.year <= year) & (m["giltig_tom"].isna() | (m["giltig_tom"].dt.year >= year))
    return sorted(m.loc[valid, "kommunkod"].astype(str))


def _part_label(key: str) -> str:
    return ekonomi.PART_LABELS.get(key) or kommun_namn(key)


def _intakter(dataset, forbund_id: str, year: int) -> ReportTable:
    weights = ekonomi.kommun_weights(dataset.helarsekvivalenter, _members(dataset, forbund_id, year), year)
    now = ekonomi.intakter(dataset.forbund_ekonomi, forbund_id, year, weights)
    before = ekonomi.intakter(dataset.forbund_ekonomi, forbund_id, year - 1, weights)
    contributions = now.drop(index="ovriga_intakter")
    paid = contributions["belopp_kr"].sum()
    cols = [f"{year} (kr)", "Andel av medlemsavgifterna", "Andel enligt lagen", "Enligt lagen (kr)", f"{year - 1} (kr)"]
    rows = {}
    for key, r in now.iterrows():
        share = r["belopp_kr"] / paid if key != "ovriga_intakter" and paid > 0 else np.nan
        rows[_part_label(key)] = [r["belopp_kr"], share, r["lagstadgad_andel"], r["lagstadgat_kr"], _before(before, key)]
    rows["Summa medlemsavgifter"] = [paid, 1.0 if paid > 0 else np.nan, 1.0, paid,
                                     _before_sum(before, before.index.drop("ovriga_intakter", errors="ignore"))]
    rows["Summa intäkter"] = [now["belopp_kr"].sum(), np.nan, np.nan, np.nan, _before_sum(before, before.index)]
    data = pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("Part")
    data = _order(data, ["Övriga intäkter"], before=["Summa intäkter"])
    return _make(
        "ekonomi_intakter", SECTION, f"Intäkter per part, {year}", data,
        {cols[0]: "kr", cols[1]: "share", cols[2]: "share", cols[3]: "kr", cols[4]: "kr"},
        min_cell=1, source=SOURCE, index_name="Part", note=_intakter_note(ekonomi.kommun_basis(dataset.forbund_ekonomi, forbund_id, year, weights)),
    )  # fmt: skip


def _order(data: pd.DataFrame, move: list[str], before: list[str]) -> pd.DataFrame:
    """Rows ``move`` placed just before ``before`` (Övriga intäkter after the sum of the contributions)."""
    rest = [r for r in data.index if r not in move and r not in before]
    return data.loc[rest + [r for r in move if r in data.index] + before]


def _before(before: pd.DataFrame, key: str) -> object:
    if before.empty:
        return UNKNOWN
    return float(before.at[key, "belopp_kr"]) if key in before.index else 0.0


def _before_sum(before: pd.DataFrame, keys) -> object:
    return UNKNOWN if before.empty else float(before.loc[list(keys), "belopp_kr"].sum())


_BASIS_NOTE = {
    "tillsammans": " Kommunernas avgifter är redovisade tillsammans.",
    "avtal": " Kommunernas fjärdedel är fördelad enligt förbundets avtal (avtalad_andel).",
    "folkmangd": " Kommunernas fjärdedel är fördelad efter folkmängd 20–64 år (SCB, årsmedelvärde).",
    "okand": " Kommunernas inbördes fördelning är okänd: varken avtal eller folkmängd finns.",
}


def _intakter_note(basis: str) -> str:
    return ("Enligt lagen (2003:1210) om finansiell samordning betalar Försäkringskassan hälften av "
            "medlemsavgifterna, regionen en fjärdedel och kommunerna tillsammans en fjärdedel."
            + _BASIS_NOTE[basis])  # fmt: skip


def _resultat(dataset, forbund_id: str, year: int) -> ReportTable:
    cols = [f"{year} (kr)", f"{year - 1} (kr)"]
    values = {}
    for col, y in zip(cols, (year, year - 1)):
        income = ekonomi.intakter(dataset.forbund_ekonomi, forbund_id, y)
        costs = ekonomi.kostnader(dataset.forbund_ekonomi, forbund_id, y)
        if costs.empty:
            values[col] = [UNKNOWN] * (len(ekonomi.COSTS) + 3)
            continue
        total_in, total_out = float(income["belopp_kr"].sum()), float(costs.sum())
        values[col] = [total_in, *costs.tolist(), total_out, total_in - total_out]
    labels = ["Summa intäkter", *(schema.EKONOMI_POST[p] for p in ekonomi.COSTS), "Summa kostnader",
              "Över-/underskott"]  # fmt: skip
    data = pd.DataFrame(values, index=pd.Index(labels, name="Post"), dtype=object)
    return _make(
        "ekonomi_resultat", SECTION, f"Kostnader och resultat, {year}", data, {c: "kr" for c in cols},
        min_cell=1, source=SOURCE, index_name="Post",
        note="Över-/underskott = summa intäkter − summa kostnader; ett underskott är negativt.",
    )  # fmt: skip


def _insatser(dataset, forbund_id: str, year: int, min_cell: int, aktiva: pd.Series) -> ReportTable:
    ins = dataset.insatser.loc[dataset.insatser["forbund_id"] == forbund_id].sort_values("insats_id")
    # the insatser of the year, and of the year before for the comparison
    ins = ins.loc[(ins["startdatum"].dt.year <= year) & (ins["slutdatum"].isna() | (ins["slutdatum"].dt.year >= year - 1))]
    now = ekonomi.insats_budget(dataset.insats_ekonomi, ins, year)
    before = ekonomi.insats_budget(dataset.insats_ekonomi, ins, year - 1)
    title = f"Budget och utfall per insats, {year}"
    if now.empty:
        return _placeholder("ekonomi_insatser", SECTION, title, "Förbundet har inga insatser.", SOURCE)
    kostnad = _kostnad_per_deltagare(now, min_cell, aktiva)
    data = pd.DataFrame({
        "Typ": ["individinriktad" if t == "individinriktad" else "strukturövergripande" for t in now["typ"]],
        "Budget (kr)": now["budget_kr"].to_numpy(),
        "Utfall (kr)": now["utfall_kr"].to_numpy(),
        "Utfall − budget (kr)": (now["utfall_kr"] - now["budget_kr"]).to_numpy(),
        f"Utfall {year - 1} (kr)": before["utfall_kr"].reindex(now.index).to_numpy(),
        "Kostnad per deltagare (kr)": [kostnad.get(i, NOT_AVAILABLE) for i in now.index],
    }, index=pd.Index([f"{n} ({i})" for i, n in zip(now.index, now["namn"])], dtype=object, name="Insats"))
    kinds = {c: "kr" for c in data.columns}
    kinds["Typ"] = "text"
    return _make(
        "ekonomi_insatser", SECTION, title, data, kinds, min_cell=min_cell, source=SOURCE, index_name="Insats",
        note="Kostnad per deltagare = utfall / aktiva deltagare under året (bara individinriktade insatser). "
        "– = uppgift saknas i insats_ekonomi.csv eller kan inte beräknas.",
    )  # fmt: skip


def _kostnad_per_deltagare(now: pd.DataFrame, min_cell: int, aktiva: pd.Series) -> dict:
    """Utfall / aktiva deltagare per individinriktad insats, hidden with a small number of persons."""
    ids = [i for i in now.index if now.at[i, "typ"] == "individinriktad" and i in aktiva.index]
    if not ids:
        return {}
    persons = pd.DataFrame({
        "aktiva": aktiva.reindex(ids).astype("int64").to_numpy(),
        "kostnad": [now.at[i, "utfall_kr"] / aktiva[i] if aktiva[i] > 0 else np.nan for i in ids],
    }, index=pd.Index(ids, dtype=object))  # fmt: skip
    shown = _with_reasons(protect_table(persons, min_cell, margins=False, shares={"kostnad": (None, "aktiva")}))
    return dict(zip(ids, shown["kostnad"].tolist()))
