"""The förbund report: what the notebook calls, and the run's index page.

The notebook ``notebooks/forbund_report.ipynb`` only calls this module:
``open_report(...)`` (checks the parameters and loads the data, failing fast
with a clear message), then ``rapport.header()`` and one
``rapport.section(title)`` per section of docs/rapporter.md §4. Every table comes from
:func:`finsam_analysis.report.tables.report_tables` (disclosure control applied) and
every figure from :mod:`finsam_analysis.report.charts`; this module only lays them out
as escaped HTML with embedded images, so the rendered file stands alone.
"""

from __future__ import annotations

import base64
import json
from functools import cached_property
from pathlib import Path
from typing import Mapping

import pandas as pd

from finsam_analysis.aldersgrupper import parse_aldersgrupper
from finsam_analysis.files import atomic_write
from finsam_analysis.memo import PerDataset
from finsam_analysis.provenance import generated_at, git_commit
from finsam_analysis.version import __version__
from finsam_analysis.ingest import coverage
from finsam_analysis import fmt
from finsam_analysis.disclosure.rules import SUPPRESSED, footnote, rules_text
from finsam_analysis.errors import FinsamError
from finsam_analysis.disclosure.published import cached_key_figures, observed_expected
from finsam_analysis.measures.key_figures import forbund_participations
from finsam_analysis.periods import Period, parse_period, previous
from finsam_analysis.report import markup
from finsam_analysis.report.tables import SECTIONS  # noqa: F401 (re-exported: the report's sections, in order)

BANNER = "SYNTETISKA DATA — inte verklig statistik"

def open_report(
    data_dir: str | Path,
    forbund_id: str,
    period: str | Period,
    min_cell: int = 5,
    allow_partial: bool = False,
    aldersgrupper: str = "",
) -> "ForbundReport":
    """Check the report's parameters and load its data (the notebook's first call).

    ``aldersgrupper`` adds the förbund's own age groups (``"16-29,55-64"``)
    beside the fixed ones (:mod:`finsam_analysis.aldersgrupper`).

    A period that ends after the data's extract date is refused, unless
    ``allow_partial``: then the report covers the part up to it and marks
    every page (:mod:`finsam_analysis.ingest.coverage`).

    Raises
    ------
    FinsamError
        With one clear sentence when a parameter is wrong or the data cannot
        be read, before any section is rendered.
    """
    from finsam_analysis.ingest.dataset import load_dataset_cached, with_aldersgrupper

    period = parse_period(period)
    groups = parse_aldersgrupper(aldersgrupper)
    if not isinstance(min_cell, int) or min_cell < 1:
        raise FinsamError(f"min_cell måste vara ett heltal, minst 1 (fick {min_cell!r}).")
    path = Path(data_dir)
    if not path.is_dir():
        raise FinsamError(
            f"Datakatalogen {path} finns inte. Skapa exempeldata med 'make report' eller ange data_dir."
        )
    dataset = with_aldersgrupper(load_dataset_cached(path), groups)
    forbund_participations(dataset, forbund_id)  # raises for an unknown förbund
    covered = coverage.check_period(dataset, period, allow_partial=bool(allow_partial))
    return ForbundReport(dataset, forbund_id, covered.period, min_cell, covered=covered)


class ForbundReport:
    """One förbund's report for one period; builds HTML for each section."""

    def __init__(
        self, dataset, forbund_id: str, period: Period, min_cell: int = 5, covered: "coverage.Coverage | None" = None
    ) -> None:
        self.dataset = dataset
        self.forbund_id = forbund_id
        self.period = period
        self.min_cell = min_cell
        self.covered = covered or coverage.check_period(dataset, period)
        self.namn = str(dataset.forbund.set_index("forbund_id").at[forbund_id, "namn"])

    # -- data --------------------------------------------------------------
    @cached_property
    def tables(self) -> dict:
        return {t.key: t for t in cached_report_tables(self.dataset, self.forbund_id, self.period, self.min_cell)}

    @cached_property
    def figures(self) -> dict:
        return cached_key_figures(self.dataset, self.forbund_id, self.period, self.min_cell)

    @cached_property
    def previous_figures(self) -> dict:
        """The previous period's key figures as the sammanfattning shows them (None where hidden).

        Read from the table, not from :func:`key_figures` of that period on
        its own: beside the monthly series and the trend the report may hide
        more of it, and the sentences must not show what the table hides.
        """
        from finsam_analysis.report.tables import SUMMARY_ROWS

        data = self.tables["sammanfattning"].data
        column = data[previous(self.period).label]
        shown = {key: column.get(label) for key, label, _ in SUMMARY_ROWS}
        return {key: None if isinstance(v, str) or fmt.is_missing(v) else v for key, v in shown.items()}

    # -- display in a notebook ----------------------------------------------
    def header(self) -> None:
        """Display the banner (synthetic data), title and table of contents."""
        _display_html(self.header_html())

    def section(self, title: str) -> None:
        """Display one section of docs/rapporter.md §4."""
        _display_html(self.section_html(title))

    # -- HTML ------------------------------------------------------------------
    def header_html(self) -> str:
        return markup.render(
            "header.html.j2",
            synthetic=self.dataset.synthetic,
            banner=BANNER,
            partial_note=self.covered.note if self.covered.partial else None,  # fixed: printed on every page
            title=self.namn,
            subtitle=f"Uppföljning av deltagare och resultat, {self.period.swedish}",
            toc=[(markup.section_anchor(title), title) for title in SECTIONS],
        )

    def section_html(self, title: str) -> str:
        if title not in SECTIONS:
            raise FinsamError(f"Okänt avsnitt '{title}'. Avsnitten är: {', '.join(SECTIONS)}.")
        parts = [self.about_html()] if title == "Om rapporten" else []
        for t in self.tables.values():
            if t.section == title:
                parts.append(table_html(t))
                parts.extend(figure_html(f) for f in self.figures_for(t))
        synthetic_note = (f"{BANNER}: siffrorna är påhittade och visar bara hur rapporten ser ut."
                          if self.dataset.synthetic and title == "Sammanfattning" else None)  # fmt: skip
        lead = self.summary_sentences() if title == "Sammanfattning" else None
        # A partial period: every section says so, and every table's title gives the dates.
        partial_note = self.covered.note if self.covered.partial else None
        return markup.render(
            "section.html.j2", partial_note=partial_note, lead=lead, parts=parts, synthetic_note=synthetic_note,
            empty=not (parts or lead or partial_note or synthetic_note),
        )  # fmt: skip

    def figures_for(self, table) -> list:
        """Figures drawn from one table (see :mod:`finsam_analysis.report.table_charts`)."""
        from finsam_analysis.report.table_charts import figures_for_table

        return figures_for_table(self, table)

    def summary_sentences(self) -> str:
        """Two or three sentences written from the key figures: only from those that are known.

        A hidden figure is said to be too small to show, an unknown one
        ("uppgift saknas") to be missing in the förbund's data; neither is
        ever written as a number.
        """
        from finsam_analysis.report.tables import _unknown_keys

        k, p = self.figures, self.previous_figures
        unknown = _unknown_keys(k)
        sentences = [self._persons_sentence(k, p)]
        avsl, andel = k["avslutade_deltaganden"], k["andel_arbete_studier"]
        if avsl is None:
            sentences.append("Antalet avslutade deltaganden är för litet för att redovisas.")
        elif avsl == 0:
            sentences.append("Inga deltaganden avslutades under perioden.")
        elif andel is not None:
            sentences.append(
                f"{fmt.fmt_int(avsl)} deltaganden avslutades och {fmt.fmt_pct(andel)} av dem ledde till arbete "
                f"eller studier (95 % konfidensintervall {fmt.fmt_interval(k['ci_low'], k['ci_high'])})."
            )
        elif "andel_arbete_studier" in unknown:
            sentences.append(f"{fmt.fmt_int(avsl)} deltaganden avslutades; uppgift saknas om sysselsättningen efter avslut.")
        else:
            sentences.append(f"{fmt.fmt_int(avsl)} deltaganden avslutades; hur många som gick till arbete eller "
                             "studier är för få för att redovisas.")
        fore, efter = k["andel_offentlig_forsorjning_fore"], k["andel_offentlig_forsorjning_efter"]
        if fore is not None and efter is not None:
            sentences.append(
                f"Av dem som avslutade hade {fmt.fmt_pct(fore)} offentlig försörjning före insatsen "
                f"och {fmt.fmt_pct(efter)} efter."
            )
        elif avsl and {"andel_offentlig_forsorjning_fore", "andel_offentlig_forsorjning_efter"} & unknown:
            sentences.append("För de avslutade saknas uppgift om försörjningen före eller efter insatsen.")
        return " ".join(sentences)

    def _persons_sentence(self, k: dict, p: dict) -> str:
        n, n_prev = k["aktiva_deltagare"], p["aktiva_deltagare"]
        if n is None:
            return f"Under {self.period.swedish} var antalet deltagare för litet för att redovisas."
        s = f"Under {self.period.swedish} deltog {fmt.fmt_int(n)} personer i förbundets insatser"
        if k["kvinnor"] is not None and k["man"] is not None:
            s += f" ({fmt.fmt_int(k['kvinnor'])} kvinnor och {fmt.fmt_int(k['man'])} män"
            s += f", {fmt.fmt_int(k['kon_okand'])} utan uppgift om kön)" if k["kon_okand"] else ")"
        if n_prev is not None:
            s += f", jämfört med {fmt.fmt_int(n_prev)} under {previous(self.period).swedish}"
        return s + "."

    def about_html(self) -> str:
        """Definitions, the disclosure rule, sources and provenance."""
        defs = [
            ("Aktiv", "ett deltagande med startdatum senast periodens sista dag och utan slutdatum eller med "
                      "slutdatum tidigast periodens första dag."),
            ("Aktiva deltagare", "unika personer med minst ett aktivt deltagande; kön och ålder tas från personens "
                                 "senaste deltagande under perioden."),
            ("Arbete/studier", "sysselsättning efter avslut: förvärvsarbete, subventionerad anställning eller "
                               "studier. Andelen räknas på alla avslutade deltaganden, även de utan uppgift, med ett "
                               "95 % konfidensintervall enligt Wilson."),
            ("Offentlig försörjning", "den först angivna försörjningskällan hör till ohälsa, arbetsmarknad eller "
                                      "ekonomiskt bistånd."),
            ("Felregistrering", "deltaganden med avslutsanledningen felregistrering ingår inte i någon statistik."),
            ("Helårsekvivalenter", "en person som försörjs helt under ett helt år; förbundets andel är summan av "
                                   "medlemskommunernas helårsekvivalenter delat med deras folkmängd 20–64 år, "
                                   "medelvärden över årets månader."),
        ]
        return markup.render(
            "about.html.j2", definitions=defs, rule=rules_text(self.min_cell), provenance=self.provenance_items()
        )

    def provenance_items(self) -> list[tuple[str, str]]:
        """Parameters, program version, commit, time of generation and the sha256 of every input."""
        ds = self.dataset
        prov = {
            "Förbund": f"{self.namn} ({self.forbund_id})",
            "Period": f"{self.period.label} ({self.period.start.isoformat()}–{self.period.end.isoformat()})",
            "Minsta redovisade antal (min_cell)": str(self.min_cell),
            "Datakatalog": str(ds.path.name),
            "Programversion": f"finsam_analysis {__version__}",
            "Git-commit": git_commit() or "okänd",
            "Skapad": generated_at(),
        }
        prov.update({f"sha256 {name}": digest for name, digest in ds.inputs.items()})
        return list(prov.items())


def _display_html(text: str) -> None:
    from IPython.display import HTML, display

    display(HTML(text))


# --------------------------------------------------------------------------
# Tables and figures as HTML
# --------------------------------------------------------------------------


LONG_TABLE = 24  # rows; longer tables (the monthly series) fold away under their figure


def table_html(table) -> str:
    """A ReportTable as an accessible HTML table, every text escaped."""
    shown: pd.DataFrame = table.formatted()
    rows = [(label, row.tolist(), str(label).startswith("Totalt")) for label, row in shown.iterrows()]
    return markup.render(
        "table.html.j2",
        title=table.title,
        columns=[shown.index.name or ""] + list(shown.columns),
        rows=rows,
        folded=len(shown) > LONG_TABLE,
        notes=" ".join(n for n in (table.note, table.footnote, table.source) if n),
    )


def figure_html(result) -> str:
    """A charts.FigureResult as an embedded PNG with alt text."""
    from finsam_analysis.report.charts import close, figure_to_png_bytes

    png = figure_to_png_bytes(result.fig, as_built=True)  # straight from the builder
    close(result.fig)
    return markup.render("figure.html.j2", png_base64=base64.b64encode(png).decode("ascii"), alt=result.alt)


# --------------------------------------------------------------------------
# Files written outside the notebook: JSON, Excel, index
# --------------------------------------------------------------------------


#: Each loaded dataset's report tables: the notebook's HTML and the Excel export share them.
REPORT_MEMO = PerDataset("report tables")


def cached_report_tables(dataset, forbund_id: str, period: Period, min_cell: int) -> list:
    """:func:`tables.report_tables`, computed once per dataset and arguments.

    The notebook's HTML and the Excel export show the same tables; in one
    process they share the computation.
    """
    from finsam_analysis.report import tables

    return REPORT_MEMO.get(
        dataset,
        ("report_tables", forbund_id, period.label, period.start, period.end, min_cell),
        lambda: tables.report_tables(dataset, forbund_id, period, min_cell),
    )


def provenance(dataset, forbund_id: str, period: Period, min_cell: int) -> dict[str, str]:
    """Key/value provenance shown in the Excel workbook."""
    out = {
        "Förbund": forbund_id,
        "Period": period.label,
        "Periodens början": period.start.isoformat(),
        "Periodens slut": period.end.isoformat(),
        "min_cell": str(min_cell),
        "Programversion": f"finsam_analysis {__version__}",
        "Git-commit": git_commit() or "okänd",
        "Skapad": generated_at(),
        "Syntetiska data": "ja" if dataset.synthetic else "nej",
    }
    out.update({f"sha256 {k}": v for k, v in dataset.inputs.items()})
    return out


def write_data_outputs(
    dataset, forbund_id: str, period: Period, min_cell: int, paths: Mapping[str, Path], note: str = "",
    covered: "coverage.Coverage | None" = None,
) -> None:
    """Write ``<forbund_id>.json``, ``.xlsx`` and ``.docx`` (whichever are asked for).

    ``note`` (a partial period's) goes into the title at the top of every sheet.
    """
    if "json" in paths:
        kf = cached_key_figures(dataset, forbund_id, period, min_cell)
        atomic_write(paths["json"], json.dumps(kf, ensure_ascii=False, indent=2) + "\n")
    if "docx" in paths:
        from finsam_analysis.report.word import write_docx

        write_docx(ForbundReport(dataset, forbund_id, period, min_cell, covered=covered), paths["docx"])
    if "xlsx" in paths:
        from finsam_analysis.report.excel import write_workbook

        namn = str(dataset.forbund.set_index("forbund_id").at[forbund_id, "namn"])
        write_workbook(
            cached_report_tables(dataset, forbund_id, period, min_cell),
            paths["xlsx"],
            title=f"{namn}, {period.swedish}" + (f". {note}" if note else ""),
            synthetic=dataset.synthetic,
            provenance=provenance(dataset, forbund_id, period, min_cell),
        )


INDEX_COLUMNS = (
    ("aktiva_deltagare", "Aktiva deltagare", "count"),
    ("kvinnor", "Kvinnor", "count"),
    ("man", "Män", "count"),
    ("nya_deltaganden", "Nya deltaganden", "count"),
    ("avslutade_deltaganden", "Avslutade", "count"),
    ("andel_arbete_studier", "Andel arbete/studier", "share"),
    ("andel_offentlig_forsorjning_fore", "Offentlig försörjning före", "share"),
    ("andel_offentlig_forsorjning_efter", "Offentlig försörjning efter", "share"),
    ("befolkning_andel_20_64", "Andel 20–64 med ersättning", "share"),
    ("riket_andel_20_64", "Riket", "share"),
)


def render_index(run, dataset, min_cell: int) -> str:
    """The run's ``index.html``: every förbund side by side, with links and the observed/expected indicator."""
    from finsam_analysis.measures.jamforelse import CAVEATS

    names = dataset.forbund.set_index("forbund_id")["namn"]
    published = {r.forbund_id: r.key_figures or cached_key_figures(dataset, r.forbund_id, run.period, min_cell)
                 for r in run.results if r.status == "ok"}  # fmt: skip
    oe = _observed_expected(run, dataset, min_cell, published)
    rows = []
    for r in run.results:
        row = {"name": names.get(r.forbund_id, r.forbund_id), "link": None, "error": None, "cells": []}
        if r.status != "ok":
            row["error"] = r.error or ""
        else:
            row["link"] = f"{r.forbund_id}.html" if any(f.endswith(".html") for f in r.files) else None
            kf = published[r.forbund_id]
            row["cells"] = [SUPPRESSED if key in kf["suppressed"] else fmt.fmt_value(kf[key], kind)
                            for key, _, kind in INDEX_COLUMNS]  # fmt: skip
            hidden = "andel_arbete_studier" in kf["suppressed"]
            row["cells"].append(SUPPRESSED if hidden else _fmt_ratio(oe.get(r.forbund_id)))
        rows.append(row)
    return markup.render(
        "index.html.j2",
        period_label=run.period.label,
        synthetic=dataset.synthetic, banner=BANNER, partial_note=None,
        title=f"Samordningsförbund, {run.period.swedish}",
        subtitle=f"Nyckeltal för {len(run.results)} förbund. Klicka på ett förbund för hela rapporten.",
        columns=[label for _, label, _ in INDEX_COLUMNS] + [OE_COLUMN],
        rows=rows,
        note=f"{footnote(min_cell)}. Andelar av avslutade deltaganden; befolkningsandelar från SCB "
        "(helårsekvivalenter, 20–64 år).",
        oe_note=f"{OE_COLUMN}: {CAVEATS} Modellen skattas på alla förbund i datakatalogen, inte bara dem på sidan.",
    )  # fmt: skip


OE_COLUMN = "Observerat/förväntat (95 % KI)"


def _observed_expected(run, dataset, min_cell: int, published: dict) -> dict:
    """The indicator for the run's period; {} when the model cannot be made for it."""
    try:
        return observed_expected(dataset, run.period, min_cell, key_figures=published,
                                 allow_partial=run.coverage is not None)  # fmt: skip
    except FinsamError:
        return {}


def _fmt_ratio(value: dict | None) -> str:
    """``1,12 (1,02–1,33)``, or *uppgift saknas* when not estimated or not shown."""
    if not value or value.get("kvot") is None:
        return fmt.UNKNOWN
    return f"{fmt.fmt_dec(value['kvot'], 2)} ({fmt.fmt_dec(value['ki_lag'], 2)}–{fmt.fmt_dec(value['ki_hog'], 2)})"
