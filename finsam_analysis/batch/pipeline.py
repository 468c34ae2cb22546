"""The report runner: one notebook per förbund, rendered in a batch.

``run_reports`` validates every parameter up front, loads the dataset once to
check the förbund, then renders ``notebooks/forbund_report.ipynb`` for each
förbund with papermill's Python API (several in parallel: each runs in its own
kernel process, so no state leaks from one report into another), exports HTML
in-process with nbconvert, and writes the outputs of docs/rapporter.md §5.

Guarantees
----------
* Atomic files: everything is written to a temporary file in the same folder
  and moved into place with ``os.replace``; a reader never sees half a file.
* No stale files: before a förbund is rendered, its outputs from an earlier
  run are removed, so after a failure nothing is left that could be mistaken
  for a new report. The manifest says what happened to each förbund.
* A failing förbund does not stop the others; the run's exit code is 1 and
  the summary names it with the cell and error that failed.
* Determinism: the JSON and Excel values depend only on the inputs; the
  generation time honours ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from finsam_analysis.aldersgrupper import as_text, parse_aldersgrupper
from finsam_analysis.batch.pdf import NOT_INSTALLED, PdfPrinter, find_chromium, html_to_pdf  # noqa: F401 (re-exported)
from finsam_analysis.files import atomic_write
from finsam_analysis.version import __version__
from finsam_analysis.provenance import generated_at, git_commit, package_versions
from finsam_analysis.errors import FinsamError, OutputError
from finsam_analysis.ingest import coverage
from finsam_analysis.periods import Period, parse_period
from finsam_analysis.ingest.personnummer import redact

FORMATS = ("html", "xlsx", "json", "ipynb", "pdf", "docx")
DEFAULT_FORMATS = ("html", "xlsx", "json")
NOTEBOOK = "forbund_report.ipynb"


class UsageError(FinsamError):
    """A parameter of the run is wrong (exit code 2)."""


@dataclass
class ForbundResult:
    """What happened to one förbund of the run."""

    forbund_id: str
    status: str = "pending"  # pending | ok | failed | interrupted
    seconds: float = 0.0
    error: str | None = None
    files: list[str] = field(default_factory=list)
    resumed: bool = False  # kept from the previous run (``resume=True``)
    key_figures: dict | None = field(default=None, repr=False)  # for the index page


@dataclass
class RunResult:
    """The whole run: per-förbund results and where things are."""

    out_dir: Path
    period: Period
    results: list[ForbundResult]
    seconds: float
    #: The period asked for when ``period`` is its part up to the extract date.
    coverage: "coverage.Coverage | None" = None
    #: Rows of the participant files that were rejected when loading (not in any report).
    rejected_rows: int = 0
    data_dir: Path | None = None

    @property
    def failed(self) -> list[ForbundResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


# --------------------------------------------------------------------------
# Small, reusable pieces
# --------------------------------------------------------------------------


def notebook_path() -> Path:
    """The report notebook: in the source tree, or shipped with the package."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package.parent / "notebooks" / NOTEBOOK, package / "notebooks" / NOTEBOOK):
        if candidate.is_file():
            return candidate
    raise FinsamError(f"Rapportmallen {NOTEBOOK} hittades inte (letade i notebooks/).")


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"html,xlsx"`` → ``("html", "xlsx")``; unknown formats are a usage error."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise UsageError(
            f"Okänt format {', '.join(bad) or '(inget)'}. Välj bland {', '.join(FORMATS)}."
        )
    return chosen


def _describe_failure(exc: BaseException) -> str:
    """One or two sentences: the cell and the error, never a traceback."""
    ename = getattr(exc, "ename", None)
    if ename is not None:  # papermill.PapermillExecutionError
        cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", "?")
        evalue = str(getattr(exc, "evalue", "")).strip().splitlines()
        return redact(f"Cell {cell} misslyckades: {ename}: {evalue[0] if evalue else ''}".strip())
    if isinstance(exc, OSError) and exc.errno:
        name = Path(exc.filename).name if exc.filename else "en fil"
        return redact(f"Kunde inte skriva {name}: {os.strerror(exc.errno)} (felkod {errno.errorcode.get(exc.errno, exc.errno)}).")
    return redact(f"{type(exc).__name__}: {exc}".splitlines()[0])


# --------------------------------------------------------------------------
# One förbund
# --------------------------------------------------------------------------


def _outputs(out_dir: Path, forbund_id: str, formats: Iterable[str]) -> dict[str, Path]:
    return {f: out_dir / f"{forbund_id}.{f}" for f in formats}


def _remove_stale(out_dir: Path, forbund_id: str) -> None:
    """Remove a förbund's outputs, and temporary files a killed writer left."""
    for fmt in FORMATS:
        (out_dir / f"{forbund_id}.{fmt}").unlink(missing_ok=True)
    for tmp in out_dir.glob(f".{forbund_id}.*.tmp"):
        tmp.unlink(missing_ok=True)
    (out_dir / f".{forbund_id}.pdf-source.html").unlink(missing_ok=True)


def render_one(ctx: "_RunContext", forbund_id: str) -> ForbundResult:
    """Render the report of one förbund; never raises, reports failure instead.

    The JSON and the Excel workbook are written from the library (the same
    cached tables the notebook shows); the notebook renders the narrative
    HTML. With ``ctx.engine == "fork"`` this runs in a forked child and the
    notebook runs in-process (papermill engine ``finsam``); otherwise
    papermill starts a Jupyter kernel for it.
    """
    import nbformat
    import papermill as pm

    from finsam_analysis.report.html import cached_key_figures, write_data_outputs

    result = ForbundResult(forbund_id)
    start = time.perf_counter()
    out_dir, formats = ctx.out_dir, ctx.formats
    _remove_stale(out_dir, forbund_id)
    try:
        paths = _outputs(out_dir, forbund_id, formats)
        note = ctx.coverage.note if ctx.coverage is not None else ""
        write_data_outputs(ctx.dataset, forbund_id, ctx.period, ctx.min_cell, paths, note, ctx.coverage)
        nb = None
        if {"html", "ipynb", "pdf"} & set(formats):
            parameters = {
                "data_dir": str(ctx.data_dir),
                "forbund_id": forbund_id,
                "period": ctx.asked.label,
                "min_cell": int(ctx.min_cell),
                "allow_partial": ctx.allow_partial,
                "aldersgrupper": as_text(ctx.dataset.aldersgrupper),
            }
            if ctx.engine == "fork":
                from finsam_analysis.batch.executor import register

                nb = pm.execute_notebook(
                    str(notebook_path()), None, parameters=parameters, engine_name=register(),
                    kernel_name="python3", progress_bar=False, log_output=False,
                )
            else:
                nb = pm.execute_notebook(
                    str(notebook_path()), None, parameters=parameters,
                    kernel_name="python3", progress_bar=False, log_output=False,
                    # No cwd=: papermill would chdir the whole process, which races
                    # between threads; every path passed is absolute instead.
                    extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                )
        title = _title(ctx, forbund_id)
        if "html" in formats:
            atomic_write(paths["html"], notebook_to_html(nb, title))
        if "ipynb" in formats:
            atomic_write(paths["ipynb"], nbformat.writes(nb))
        if "pdf" in formats:
            html_path = _pdf_source(out_dir, forbund_id, formats)
            if "html" not in formats:
                atomic_write(html_path, notebook_to_html(nb, title))
            if not ctx.defer_pdf:  # else the run's one browser prints it (_PdfQueue)
                html_to_pdf(html_path, paths["pdf"])
                if "html" not in formats:
                    html_path.unlink(missing_ok=True)
        later = {"pdf"} if ctx.defer_pdf else set()
        missing = [str(p.name) for f, p in paths.items() if f not in later and not p.is_file()]
        if missing:
            raise FinsamError(f"Rapporten skrev inte {', '.join(missing)}.")
        result.files = sorted(p.name for p in paths.values())
        result.key_figures = cached_key_figures(ctx.dataset, forbund_id, ctx.period, ctx.min_cell)
        result.status = "ok"
    except BaseException as exc:  # noqa: BLE001 (a failing förbund must not stop the batch)
        _remove_stale(out_dir, forbund_id)
        if isinstance(exc, KeyboardInterrupt):
            raise
        result.status = "failed"
        result.error = _describe_failure(exc)
    result.seconds = round(time.perf_counter() - start, 2)
    return result


def _pdf_source(out_dir: Path, forbund_id: str, formats) -> Path:
    """The HTML a PDF is printed from: the report's own, or a hidden one when no HTML is asked for."""
    return out_dir / (f"{forbund_id}.html" if "html" in formats else f".{forbund_id}.pdf-source.html")


def print_pdf(ctx: "_RunContext", result: ForbundResult, printer: PdfPrinter) -> ForbundResult:
    """Print the PDF of a report its child finished (the run's one browser); a failure fails the förbund."""
    start = time.perf_counter()
    fid = result.forbund_id
    source = _pdf_source(ctx.out_dir, fid, ctx.formats)
    try:
        printer.print(source, ctx.out_dir / f"{fid}.pdf")
        if "html" not in ctx.formats:
            source.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 (one förbund's PDF must not stop the batch)
        _remove_stale(ctx.out_dir, fid)
        result.status, result.error, result.files = "failed", _describe_failure(exc), []
    result.seconds = round(result.seconds + time.perf_counter() - start, 2)
    return result


class _PdfQueue:
    """PDFs printed one by one in a thread, by one browser, while the children go on.

    Starting chromium costs more than printing a report; one browser for the
    run prints every report as its child finishes (:mod:`finsam_analysis.batch.pdf`).
    """

    def __init__(self, ctx: "_RunContext") -> None:
        self.ctx = ctx
        self.printer = PdfPrinter()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finsam-pdf")
        self.pending: list = []

    def submit(self, result: ForbundResult) -> None:
        self.pending.append(self.pool.submit(print_pdf, self.ctx, result, self.printer))

    def done(self, wait: bool = False) -> list[ForbundResult]:
        """The results whose PDF is printed (all of them, waiting, when ``wait``)."""
        finished = [f for f in self.pending if wait or f.done()]
        self.pending = [f for f in self.pending if f not in finished]
        return [f.result() for f in finished]

    def close(self) -> None:
        """Stop: what is not printed yet stays pending (the run marks it interrupted)."""
        for f in self.pending:
            f.cancel()
        self.printer.close()  # a print under way fails at once
        self.pool.shutdown(wait=True)
        self.printer.close()  # again: the thread may have started a browser after the first


def _title(ctx: "_RunContext", forbund_id: str) -> str:
    namn = ctx.dataset.forbund.set_index("forbund_id").at[forbund_id, "namn"]
    return f"{namn} – {ctx.asked.swedish}"


# --------------------------------------------------------------------------
# HTML and PDF
# --------------------------------------------------------------------------

def notebook_to_html(nb, title: str | None = None) -> str:
    """Standalone HTML through the project's nbconvert template: no code, prompts or parameter cells.

    ``title`` becomes the page's ``<title>`` (and so the PDF's title): the förbund and the period.
    """
    cells = _reader_cells(nb)
    if title:
        cells.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(cells)
    return body


_LOCAL = threading.local()


def _exporter():
    """The HTML exporter, made once per thread (loading its templates is slow)."""
    from nbconvert import HTMLExporter

    if getattr(_LOCAL, "exporter", None) is not None:
        return _LOCAL.exporter
    from finsam_analysis.report import markup

    exporter = HTMLExporter(
        extra_template_basedirs=[str(markup.NBCONVERT_TEMPLATES)],
        template_name=markup.NBCONVERT_TEMPLATE,
        language_code="sv",
        # nbconvert's permalink after each heading is hidden by its own CSS; empty, it cannot
        # leak into copied text either. The heading keeps its id for the contents to link to.
        anchor_link_text="",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.exclude_raw = True
    # Compile the templates now (the parent of forked children does this once).
    exporter.from_notebook_node(_empty_notebook())
    _LOCAL.exporter = exporter
    return exporter


def _empty_notebook():
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("#")])


def _reader_cells(nb):
    """A copy of ``nb`` with only what a reader sees.

    Parameter cells (tagged ``parameters``/``injected-parameters``) and code
    cells without output would otherwise leave empty containers in the HTML.
    """
    import copy

    out = copy.deepcopy(nb)
    hidden = {"parameters", "injected-parameters"}
    out.cells = [
        c
        for c in out.cells
        if not hidden & set(c.get("metadata", {}).get("tags", []))
        and (c.cell_type == "markdown" or (c.cell_type == "code" and c.get("outputs")))
    ]
    return out


# --------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------


def validate_run(
    data_dir: Path,
    period: str,
    forbund: Sequence[str] | None,
    formats,
    min_cell: int,
    allow_partial: bool = False,
    aldersgrupper=None,
):
    """Check every parameter before any work starts; returns what the run needs.

    ``aldersgrupper`` (the förbund's own age groups, :mod:`finsam_analysis.aldersgrupper`)
    is checked here and carried by the returned dataset.

    The data is loaded through :func:`~finsam_analysis.ingest.dataset.load_dataset_cached`,
    the call the report notebook makes: a forked child then finds the
    parent's dataset (and the tables already computed on it) instead of
    reading and validating every file again.
    """
    from finsam_analysis.ingest.dataset import load_dataset_cached, with_aldersgrupper

    period_obj = parse_period(period)
    fmts = parse_formats(formats)
    try:
        groups = parse_aldersgrupper(aldersgrupper)
    except FinsamError as exc:
        raise UsageError(str(exc)) from None
    if int(min_cell) < 1:
        raise UsageError(f"--min-cell måste vara minst 1 (fick {min_cell}).")
    if "pdf" in fmts and find_chromium() is None:
        raise UsageError(NOT_INSTALLED)
    dataset = with_aldersgrupper(load_dataset_cached(Path(data_dir)), groups)
    from finsam_analysis.measures.key_figures import match_forbund_id, unknown_forbund_message

    known = list(dataset.forbund["forbund_id"])
    chosen = known if forbund is None else [match_forbund_id(f, known) or f for f in forbund]
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise UsageError(unknown_forbund_message(unknown[0], known, data_dir))
    chosen = list(dict.fromkeys(chosen))  # "ange" and "Ange" are one förbund
    try:
        covered = coverage.check_period(dataset, period_obj, allow_partial=allow_partial)
    except coverage.CoverageError as exc:
        raise UsageError(str(exc)) from None
    return dataset, covered, fmts, chosen


def run_reports(
    data_dir: str | Path,
    period: str,
    forbund: Sequence[str] | None = None,
    *,
    out: str | Path = "reports",
    formats: str | Sequence[str] = DEFAULT_FORMATS,
    jobs: int | None = None,
    min_cell: int = 5,
    progress: bool = True,
    engine: str | None = None,
    resume: bool = False,
    allow_partial: bool = False,
    aldersgrupper: str | Sequence | None = None,
) -> RunResult:
    """Render the reports of ``forbund`` (None = all) for ``period``.

    A period that ends after the dataset's extract date is refused before any
    work starts, unless ``allow_partial``: then every report covers the part
    up to the extract date and says so on every page (:mod:`.coverage`).

    Parameters
    ----------
    engine : {"fork", "kernel"}, optional
        How notebooks run. ``"fork"`` (the default where the operating system
        can fork and we are not inside a Jupyter kernel) forks one prepared
        process per förbund and runs the notebook in it with papermill's
        ``finsam`` engine (:mod:`finsam_analysis.batch.executor`); ``"kernel"``
        starts a Jupyter kernel per förbund, as papermill does by default.
        Both give every report a fresh interpreter state.
    aldersgrupper : str or sequence, optional
        The förbund's own age groups beside the fixed ones, e.g.
        ``"16-29,55-64"`` (:mod:`finsam_analysis.aldersgrupper`); recorded in
        the manifest, since every output of a year must use the same groups.
    resume : bool
        Keep the reports that the previous run into the same folder finished
        (status ok in its manifest, same inputs, parameters and version, files
        present) and render only the rest, e.g. after an interrupted run.

    Returns
    -------
    RunResult
        Per-förbund status; ``exit_code`` is 1 when any failed.

    Raises
    ------
    FinsamError
        For a wrong parameter, unreadable data or an output folder that
        cannot be written, before anything is written.
    """
    started = time.perf_counter()
    run, context = _prepare_run(
        data_dir, period, forbund, out, formats, jobs, min_cell, engine, allow_partial, aldersgrupper
    )
    if resume:
        _keep_finished(run, context)
    todo = [r.forbund_id for r in run.results if r.status != "ok"]
    bar = _progress(len(todo), progress)
    status = "interrupted"
    try:
        with _interrupts_stop_the_run():
            _render_all(run, context, todo, bar, started)
            status = "failed" if run.failed else "ok"
    finally:
        if bar is not None:
            bar.close()
        _finish(run, context, status, started)
    return run


def _prepare_run(data_dir, period, forbund, out, formats, jobs, min_cell, engine, allow_partial, aldersgrupper=None):
    """Validate the parameters, check the output folder and set up the run's result and context."""
    data_dir = Path(data_dir).resolve()
    dataset, covered, fmts, chosen = validate_run(
        data_dir, period, forbund, formats, min_cell, allow_partial, aldersgrupper
    )
    engine = _choose_engine(engine)
    out_dir = Path(out).resolve() / covered.asked.label
    check_writable(out_dir)
    jobs = max(1, min(int(jobs or os.cpu_count() or 1), len(chosen)))
    run = RunResult(
        out_dir=out_dir, period=covered.period, results=[ForbundResult(fid) for fid in chosen], seconds=0.0,
        coverage=covered, rejected_rows=int(dataset.rejected_rows()), data_dir=data_dir,
    )  # fmt: skip
    context = _RunContext(
        dataset, data_dir, covered.period, out_dir, fmts, min_cell, jobs, engine, covered, defer_pdf="pdf" in fmts
    )
    return run, context


def _keep_finished(run: RunResult, context: _RunContext) -> None:
    """Take over the reports the previous run into the same folder finished."""
    by_id = {r.forbund_id: r for r in run.results}
    for fid, kept in _resumable(context).items():
        if fid in by_id:
            by_id[fid].__dict__.update(kept.__dict__)


def _render_all(run: RunResult, context: _RunContext, todo: list[str], bar, started: float) -> None:
    """Render ``todo``, updating the results, the manifest and the progress bar as each ends."""
    order = [r.forbund_id for r in run.results]
    by_id = {r.forbund_id: r for r in run.results}
    _write_or_explain(write_manifest, run, context, status="running")
    runner = _run_forked if context.engine == "fork" else _run_threaded

    def record(result: ForbundResult) -> None:
        by_id[result.forbund_id] = result
        run.results = [by_id[fid] for fid in order]
        run.seconds = round(time.perf_counter() - started, 2)
        _write_or_explain(write_manifest, run, context, status="running")
        if bar is not None:
            bar.set_postfix_str(result.forbund_id)
            bar.update(1)

    printing = _PdfQueue(context) if context.defer_pdf else None
    with closing(runner(context, todo)) as results, closing(printing) if printing else nullcontext():
        for result in results:
            if printing is not None and result.status == "ok":
                printing.submit(result)
            else:
                record(result)
            for printed in printing.done() if printing is not None else ():
                record(printed)
        for printed in printing.done(wait=True) if printing is not None else ():
            record(printed)


def _finish(run: RunResult, context: _RunContext, status: str, started: float) -> None:
    """Mark what did not finish as interrupted, then write the index and the final manifest."""
    for r in run.results:
        if r.status == "pending":
            _remove_stale(run.out_dir, r.forbund_id)
            r.status, r.error = "interrupted", "Avbrutet innan rapporten var klar."
    run.seconds = round(time.perf_counter() - started, 2)
    try:
        _write_or_explain(write_index, run, context.dataset, context.min_cell)
    finally:
        _write_or_explain(write_manifest, run, context, status=status)


def _write_or_explain(write, run: RunResult, *args, **kwargs) -> None:
    """Write the index or manifest; a disk fault becomes one clear sentence."""
    try:
        write(run, *args, **kwargs)
    except OSError as exc:
        what = "manifest.json" if write is write_manifest else "index.html"
        reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
        raise OutputError(
            f"Kunde inte skriva {what} i {run.out_dir} ({reason}). Rapporter som blev klara finns kvar; "
            "frigör utrymme eller välj en annan --out och kör igen med --resume."
        ) from None


class _interrupts_stop_the_run:
    """While the run lasts, Ctrl-C (SIGINT) and ``kill`` (SIGTERM) stop it cleanly.

    Both raise :class:`KeyboardInterrupt` in the main thread: finished reports
    stay, the others leave nothing, the manifest says "interrupted" and
    ``--resume`` does the rest. SIGINT is set to Python's default handler
    even when the process started with it ignored: a shell ignores SIGINT
    for a command it starts in the background (``make test &``, a script's
    ``&``), and a run that then shrugs off Ctrl-C and finishes with exit 0
    is not what anyone pressing it expects. The dispositions are restored
    afterwards.
    """

    def __enter__(self):
        self._saved = {}
        if threading.current_thread() is threading.main_thread():
            self._saved[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
            self._saved[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        return False


@dataclass
class _RunContext:
    """What every förbund's rendering needs (shared read-only)."""

    dataset: object
    data_dir: Path
    period: Period
    out_dir: Path
    formats: tuple[str, ...]
    min_cell: int
    jobs: int
    engine: str
    coverage: "coverage.Coverage | None" = None
    #: The PDFs are printed by the run's one browser, not by each report.
    defer_pdf: bool = False

    @property
    def asked(self) -> Period:
        """The period asked for (the folder's name); ``period`` may be its part up to the extract date."""
        return self.coverage.asked if self.coverage is not None else self.period

    @property
    def allow_partial(self) -> bool:
        return bool(self.coverage is not None and self.coverage.partial)


ENGINES = ("fork", "kernel")


def _choose_engine(engine: str | None) -> str:
    if engine is None:
        inside_kernel = "ipykernel" in sys.modules and _ipython_running()
        return "fork" if hasattr(os, "fork") and not inside_kernel else "kernel"
    if engine not in ENGINES:
        raise UsageError(f"Okänd motor '{engine}'. Välj {' eller '.join(ENGINES)}.")
    if engine == "fork" and not hasattr(os, "fork"):
        raise UsageError("Motorn fork kräver ett system som kan forka processer (Linux, macOS).")
    return engine


def _ipython_running() -> bool:
    shell_cls = sys.modules.get("IPython.core.interactiveshell")
    return bool(shell_cls and shell_cls.InteractiveShell.initialized()
                and not hasattr(shell_cls.InteractiveShell.instance(), "_finsam_outputs"))


def check_writable(out_dir: Path) -> None:
    """Fail before any work when ``out_dir`` cannot be created or written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".finsam-probe.", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise UsageError(
            f"Utkatalogen {out_dir} går inte att skriva till ({reason}). Välj en annan med --out."
        ) from None


def _run_threaded(ctx: _RunContext, todo: Sequence[str]):
    """Jupyter kernels, ``ctx.jobs`` at a time (threads only wait on them)."""
    from finsam_analysis.measures import outcomes

    outcomes.participations(ctx.dataset)  # prepared once, shared read-only by the threads
    with ThreadPoolExecutor(max_workers=ctx.jobs) as pool:
        futures = [pool.submit(render_one, ctx, fid) for fid in _largest_first(ctx, todo)]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _largest_first(ctx: _RunContext, todo: Sequence[str]) -> list[str]:
    """The förbund with the most deltaganden first.

    A report's time grows with its data, so starting the long ones first
    leaves short ones to fill the last gaps, instead of one long report
    running alone at the end while the other cores wait. The manifest and
    the index keep the order the user asked for.
    """
    sizes = ctx.dataset.deltagande["forbund_id"].value_counts()
    return sorted(todo, key=lambda fid: -int(sizes.get(fid, 0)))


def _prepare_parent(ctx: _RunContext) -> None:
    """Do once, before forking, what every report would otherwise redo.

    Imports, the prepared participations, the SCB series and the compiled
    HTML templates are then shared by every child (copy-on-write).
    """
    from finsam_analysis.batch import executor
    from finsam_analysis.measures import outcomes
    from finsam_analysis.report import charts
    from finsam_analysis.scb.population import dataset_summa_rows, dataset_wide

    outcomes.participations(ctx.dataset)
    dataset_wide(ctx.dataset)
    dataset_summa_rows(ctx.dataset)
    executor.register()
    executor.preload()
    _exporter()
    charts.warm_up()
    # Objects alive now are shared by every child; a garbage collection in a
    # child would touch (and so copy) all of them. Freeze them out of its reach.
    gc.collect()
    gc.freeze()


def _run_forked(ctx: _RunContext, todo: Sequence[str]):
    """One forked child per förbund, ``ctx.jobs`` at a time; yields results.

    A child that dies (killed, out of memory, a crash in a C library) is a
    failed förbund, not a failed run. On Ctrl-C (or any exception here) the
    children are stopped and their partial files removed.
    """
    import multiprocessing as mp
    from collections import deque
    from multiprocessing.connection import wait

    _prepare_parent(ctx)
    fork = mp.get_context("fork")
    queue = deque(_largest_first(ctx, todo))
    running: dict[int, tuple[str, object, object]] = {}
    try:
        while queue or running:
            while queue and len(running) < ctx.jobs:
                fid = queue.popleft()
                receive, send = fork.Pipe(duplex=False)
                child = fork.Process(target=_child_main, args=(ctx, fid, send), name=f"finsam-{fid}", daemon=True)
                _start_blocked(child, running, (fid, child, receive))
                send.close()
            for sentinel in wait(list(running)):
                fid, child, receive = running.pop(sentinel)
                try:
                    result = receive.recv()
                except (EOFError, OSError):  # the child died before sending
                    result = None
                child.join()
                receive.close()
                if result is None:
                    _remove_stale(ctx.out_dir, fid)
                    result = ForbundResult(fid, status="failed", error=_died(child.exitcode))
                yield result
    finally:
        for fid, child, receive in running.values():
            child.terminate()
        for fid, child, receive in running.values():
            child.join()
            receive.close()
            _remove_stale(ctx.out_dir, fid)


def _died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return f"Rapportprocessen avbröts av signalen {name} innan rapporten var klar (slut på minne?)."
    return f"Rapportprocessen avslutades oväntat (kod {exitcode}) innan rapporten var klar."


def _start_blocked(child, running: dict, entry: tuple) -> None:
    """Fork ``child`` and record it in ``running`` with SIGINT and SIGTERM blocked.

    Ctrl-C goes to the whole process group. A child must not take one before
    it has set SIGINT aside (it would die as a failed förbund), and the
    parent must not take one between the fork and recording the child: a
    child it does not know of is neither stopped nor cleaned up, and would
    write its report after the run said it was interrupted. Blocked, the
    signal waits: the parent takes it once the child is in ``running``; the
    child unblocks once SIGINT is ignored (:func:`_child_main`), and a SIGINT
    still pending there is then dropped, as it should be.
    """
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        child.start()
        running[child.sentinel] = entry
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _child_main(ctx: _RunContext, fid: str, send) -> None:
    """A forked child: render one förbund and send its result to the parent."""
    # Ctrl-C reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's SIGTERM handler raises KeyboardInterrupt; here terminate() must simply stop.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    # Warnings from libraries must not garble the parent's progress bar.
    sys.stdout = sys.stderr = open(os.devnull, "w")
    result = render_one(ctx, fid)
    send.send(result)
    send.close()


def _resumable(ctx: _RunContext) -> dict[str, ForbundResult]:
    """Reports of the previous run in ``ctx.out_dir`` that can be kept as they are."""
    try:
        old = json.loads((ctx.out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    same = (
        old.get("inputs_sha256") == ctx.dataset.inputs
        and old.get("versions", {}).get("finsam_analysis") == __version__
        and old.get("git_commit") == git_commit()
        and all(old.get("parameters", {}).get(k) == v for k, v in _parameters(ctx).items() if k not in ("forbund", "jobs", "engine"))
    )
    if not same:
        return {}
    kept = {}
    for fid, entry in (old.get("forbund") or {}).items():
        files = entry.get("files") or []
        wanted = sorted(f"{fid}.{f}" for f in ctx.formats)
        if entry.get("status") == "ok" and sorted(files) == wanted and all((ctx.out_dir / f).is_file() for f in files):
            kept[fid] = ForbundResult(fid, status="ok", seconds=entry.get("seconds", 0.0), files=files, resumed=True)
    return kept


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    # No monitor thread: the batch forks, and a fork should copy one thread only.
    tqdm.monitor_interval = 0
    return tqdm(total=total, desc="Rapporter", unit="förbund", file=sys.stderr, leave=False)


def _parameters(ctx: _RunContext) -> dict:
    return {
        "data_dir": str(ctx.data_dir),
        "period": ctx.period.label,
        "period_start": ctx.period.start.isoformat(),
        "period_end": ctx.period.end.isoformat(),
        "formats": list(ctx.formats),
        "jobs": ctx.jobs,
        "engine": ctx.engine,
        "min_cell": ctx.min_cell,
        "aldersgrupper": as_text(ctx.dataset.aldersgrupper),
    }


def write_manifest(run: RunResult, ctx: _RunContext, status: str) -> None:
    """``manifest.json``: parameters, inputs, versions, commit, timings, status.

    Written when the run starts (every förbund ``pending``), after each
    förbund and at the end, so that whatever stops the run the manifest says
    how far it got. ``status`` is ``running``, ``ok``, ``failed`` or
    ``interrupted``.
    """
    doc = {
        "generated_at": generated_at(),
        "status": status,
        "parameters": {**_parameters(ctx), "forbund": [r.forbund_id for r in run.results]},
        "synthetic_data": ctx.dataset.synthetic,
        "inputs_sha256": ctx.dataset.inputs,
        "versions": package_versions(),
        "git_commit": git_commit(),
        "seconds": run.seconds,
        "forbund": {
            r.forbund_id: {
                "status": r.status, "seconds": r.seconds, "error": r.error, "files": r.files,
                **({"resumed": True} if r.resumed else {}),
            }
            for r in run.results
        },
    }
    atomic_write(run.out_dir / "manifest.json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def write_index(run: RunResult, dataset, min_cell: int) -> None:
    """``index.html``: every förbund's key figures side by side, with links."""
    from finsam_analysis.report.html import render_index

    atomic_write(run.out_dir / "index.html", render_index(run, dataset, min_cell))


def summary_text(run: RunResult) -> str:
    """One or two sentences for the command line (a line more for rejected rows and each failure)."""
    ok = [r for r in run.results if r.status == "ok"]
    asked = run.coverage.asked if run.coverage is not None else run.period
    text = (
        f"{len(ok)} av {len(run.results)} rapporter för {asked.label} klara på {run.seconds:.0f} s. "
        f"Översikten finns i {run.out_dir / 'index.html'}."
    )
    if run.coverage is not None and run.coverage.partial:
        text += f"\n{run.coverage.note}"
    if run.rejected_rows:
        rows = "rad" if run.rejected_rows == 1 else "rader"
        text += (
            f"\n{run.rejected_rows} {rows} i deltagarfilerna avvisades vid inläsningen och ingår inte i rapporterna; "
            f"kör finsam validate --data-dir {run.data_dir} för att se dem."
        )
    for r in run.failed:
        text += f"\nMisslyckades: {r.forbund_id} — {r.error}"
    return text
