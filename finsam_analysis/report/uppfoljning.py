"""The internal workbook for Uppföljning Finsam: ``finsam uppfoljning``.

Exact counts (:mod:`finsam_analysis.measures.uppfoljning`), for the förbund to
copy into the national follow-up system; never published. Every sheet says
so in its first row, the file name says so, and it is written under
``<out>/uppfoljning/<year>/``, apart from the published reports of
``<out>/<period>/``, so that it is not mixed with them (nor listed in their
index or manifest).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from finsam_analysis import schema
from finsam_analysis.fmt import NOT_AVAILABLE, UNKNOWN
from finsam_analysis.measures.uppfoljning import uppfoljning_figures
from finsam_analysis.provenance import generated_at, git_commit
from finsam_analysis.report.excel import save_workbook, workbook_from_sheets
from finsam_analysis.report.table_base import ReportTable
from finsam_analysis.version import __version__

__all__ = ["INTERNAL", "uppfoljning_path", "write_uppfoljning"]

INTERNAL = "INTERNT UNDERLAG TILL UPPFÖLJNING FINSAM — exakta antal, får inte publiceras"
SOURCE = "Källa: förbundets deltagaruppföljning, insatsregister och ekonomi"


def uppfoljning_path(out: str | Path, forbund_id: str, year: int) -> Path:
    """Where the workbook goes: ``<out>/uppfoljning/<year>/<forbund_id>_uppfoljning_internt.xlsx``."""
    return Path(out) / "uppfoljning" / str(year) / f"{forbund_id}_uppfoljning_internt.xlsx"


def _table(key: str, title: str, data: pd.DataFrame, kinds: dict, note: str = "", row_kinds=None) -> ReportTable:
    return ReportTable(key=key, section="Uppföljning", title=title, data=data, kinds=kinds, source=SOURCE, note=note,
                       row_kinds=dict(row_kinds or {}))  # fmt: skip


def _forbund_table(fig) -> ReportTable:
    f = fig.forbund.iloc[0]
    rows = {
        "Budget för insatserna (kr)": (f["budget_kr"], "kr"),
        "Utfall för insatserna (kr)": (f["utfall_kr"], "kr"),
        "Förbundets kostnader totalt (kr)": (UNKNOWN if pd.isna(f["kostnader_kr"]) else f["kostnader_kr"], "kr"),
        "Deltagare i individinriktade insatser": (f["deltagare"], "count"),
        "därav kvinnor": (f["kvinnor"], "count"),
        "därav män": (f["man"], "count"),
        "därav kön okänt": (f["kon_okand"], "count"),
        "Nya deltagare under året": (f["nya_deltagare"], "count"),
        "Deltagare i strukturövergripande insatser (personal)": (f["deltagare_struktur"], "count"),
    }
    data = pd.DataFrame({"Värde": [v for v, _ in rows.values()]}, index=pd.Index(list(rows), name="Uppgift"),
                        dtype=object)  # fmt: skip
    return _table("forbund", f"Förbundet {int(f['ar'])}", data, {"Värde": "count"},
                  note="Budget och utfall ur insats_ekonomi.csv, förbundets kostnader (med administration) ur "
                  "forbund_ekonomi.csv. En person i flera insatser räknas en gång här.",
                  row_kinds={label: kind for label, (_, kind) in rows.items()})


def _insatser_table(fig, year: int) -> ReportTable:
    ins = fig.insatser
    data = pd.DataFrame({
        "Namn": ins["namn"].to_numpy(),
        "Typ": [schema.label(schema.INSATS_TYP, t) for t in ins["typ"]],
        "Start": [d.date().isoformat() for d in ins["startdatum"]],
        "Slut": ["" if pd.isna(d) else d.date().isoformat() for d in ins["slutdatum"]],
        "Budget (kr)": ins["budget_kr"].to_numpy(),
        "Utfall (kr)": ins["utfall_kr"].to_numpy(),
        "Deltagare": [NOT_AVAILABLE if pd.isna(v) else int(v) for v in ins["deltagare"]],
        "Kvinnor": [NOT_AVAILABLE if pd.isna(v) else int(v) for v in ins["kvinnor"]],
        "Män": [NOT_AVAILABLE if pd.isna(v) else int(v) for v in ins["man"]],
        "Kön okänt": [NOT_AVAILABLE if pd.isna(v) else int(v) for v in ins["kon_okand"]],
        "Nya deltagare": [NOT_AVAILABLE if pd.isna(v) else int(v) for v in ins["nya_deltagare"]],
    }, index=pd.Index(ins["insats_id"].to_numpy(), dtype=object, name="Insats-id"))
    kinds = {c: "count" for c in data.columns}
    kinds.update({"Namn": "text", "Typ": "text", "Start": "text", "Slut": "text", "Budget (kr)": "kr", "Utfall (kr)": "kr"})
    return _table("insatser", f"Insatser {year}", data, kinds,
                  note="Deltagare: aktiva deltagare under året; för strukturövergripande insatser deltagande personal "
                  "hos parterna.")  # fmt: skip


def write_uppfoljning(dataset, forbund_id: str, year: int, out: str | Path = "reports") -> Path:
    """Write the workbook of ``forbund_id`` and ``year``; returns its path."""
    fig = uppfoljning_figures(dataset, forbund_id, year)
    namn = str(dataset.forbund.set_index("forbund_id").at[forbund_id, "namn"])
    provenance = {
        "Förbund": f"{namn} ({forbund_id})", "År": str(year), "Programversion": f"finsam_analysis {__version__}",
        "Git-commit": git_commit() or "okänd", "Skapad": generated_at(),
        **{f"sha256 {k}": v for k, v in dataset.inputs.items()},
    }  # fmt: skip
    banners = [INTERNAL] + (["SYNTETISKA DATA — inte verklig statistik"] if dataset.synthetic else [])
    wb = workbook_from_sheets(
        {"Förbundet": ("Förbundet", [_forbund_table(fig)]), "Insatser": ("Insatser", [_insatser_table(fig, year)]),
         "Om underlaget": ("Om underlaget", [])},
        title=f"{namn}: underlag till Uppföljning Finsam {year}", banners=banners, provenance=provenance,
        provenance_sheet="Om underlaget",
    )  # fmt: skip
    path = uppfoljning_path(out, forbund_id, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)
    return path
