"""Where a report's time goes: the phases of ``finsam report``, timed one by one.

Usage::

    python benchmarks/phases.py DATA_DIR [--forbund ID] [--period 2025]

Prints, in seconds, the parent's one-off work (imports, loading the data,
preparing the engine) and one förbund's work split by step (tables, key
figures, figures, Excel, the notebook itself, HTML export), measured in a
single process the way a forked child does it. docs/performance.md quotes it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


class Clock:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float]] = []

    def __call__(self, label: str, fn):
        start = time.perf_counter()
        value = fn()
        self.rows.append((label, time.perf_counter() - start))
        return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--forbund", default=None)
    parser.add_argument("--period", default="2025")
    args = parser.parse_args(argv)
    sys.modules.setdefault("rfc3987_syntax", None)  # as `finsam report` does (see cli.py)
    clock = Clock()
    clock("import av paketet, pandas, matplotlib", lambda: __import__("finsam_analysis.report.html"))
    from finsam_analysis.batch import pipeline
    from finsam_analysis.report import charts as plots
    from finsam_analysis.report.excel import write_workbook
    from finsam_analysis.disclosure import published
    from finsam_analysis.disclosure.published import key_figures
    from finsam_analysis.measures import outcomes
    from finsam_analysis.report import html
    from finsam_analysis.scb.population import dataset_summa_rows, dataset_wide
    from finsam_analysis.ingest.dataset import load_dataset_cached
    from finsam_analysis.periods import parse_period
    from finsam_analysis.report.html import ForbundReport
    from finsam_analysis.report.tables import report_tables

    ds = clock("inläsning och validering av data", lambda: load_dataset_cached(args.data_dir))
    clock("förberedda deltaganden och SCB-serier",
          lambda: (outcomes.participations(ds), dataset_wide(ds), dataset_summa_rows(ds)))
    period = parse_period(args.period)
    fid = args.forbund or str(ds.forbund["forbund_id"].iloc[0])
    ctx = pipeline._RunContext(ds, args.data_dir.resolve(), period, Path(tempfile.mkdtemp()), ("html", "xlsx", "json"),
                               5, 1, "fork")
    clock("papermill, nbconvert, IPython: import och mallar", lambda: pipeline._prepare_parent(ctx))
    parent = len(clock.rows)

    clock("rapportens tabeller (report_tables)", lambda: report_tables(ds, fid, period, 5))
    clock("nyckeltal, perioden och jämförelseperioden", lambda: key_figures(ds, fid, period, 5))
    report = ForbundReport(ds, fid, period, 5)
    report.tables, report.figures, report.previous_figures  # noqa: B018 (computed above; cached here)
    figs = clock("figurer: rita", lambda: [f for t in report.tables.values() for f in report.figures_for(t)])
    clock(f"figurer: PNG ({len(figs)} st)", lambda: [plots.figure_to_png_bytes(f.fig, as_built=True) for f in figs])
    out = Path(tempfile.mkdtemp())
    clock("Excel", lambda: write_workbook(list(report.tables.values()), out / "x.xlsx", title="t", synthetic=True,
                                          provenance={}))
    # The whole report as a child makes it (tables and figures again, since a child starts afresh).
    published.REPORT_MEMO.forget(ds)
    html.REPORT_MEMO.forget(ds)
    result = clock("hela rapporten i en process (render_one)", lambda: pipeline.render_one(ctx, fid))
    assert result.status == "ok", result.error

    width = max(len(label) for label, _ in clock.rows) + 2
    print(f"Förälder (en gång per körning), {len(ds.deltagande)} deltaganden:")
    for label, seconds in clock.rows[:parent]:
        print(f"  {label:<{width}}{seconds:>7.2f}")
    print(f"Ett förbund ({fid}):")
    for label, seconds in clock.rows[parent:]:
        print(f"  {label:<{width}}{seconds:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
