"""The report runner: one notebook per förbund, rendered in a batch.

``run_reports`` validates every parameter up front, loads the dataset once to
check the förbund, then renders ``notebooks/forbund_report.ipynb`` for each
förbund with papermill's Python API (several in parallel: each runs in its own
kernel process, so no state leaks from one report into another), exports HTML
in-process with nbconvert, and writes the outputs of REPORT.md §5.

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

import datetime as dt
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Iterable, Sequence

from . import __version__
from .errors import FinsamError
from .periods import Period, parse_period
from .personnummer import redact

FORMATS = ("html", "xlsx", "json", "ipynb", "pdf")
DEFAULT_FORMATS = ("html", "xlsx", "json")
NOTEBOOK = "forbund_report.ipynb"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


class UsageError(FinsamError):
    """A parameter of the run is wrong (exit code 2)."""


@dataclass
class ForbundResult:
    """What happened to one förbund of the run."""

    forbund_id: str
    status: str = "pending"  # ok | failed
    seconds: float = 0.0
    error: str | None = None
    files: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """The whole run: per-förbund results and where things are."""

    out_dir: Path
    period: Period
    results: list[ForbundResult]
    seconds: float

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
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "notebooks" / NOTEBOOK, here / "notebooks" / NOTEBOOK):
        if candidate.is_file():
            return candidate
    raise FinsamError(f"Rapportmallen {NOTEBOOK} hittades inte (letade i notebooks/).")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; a report is an ordinary file (umask applies).
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generated_at() -> str:
    """ISO time of generation; ``SOURCE_DATE_EPOCH`` makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        if epoch and epoch.isdigit()
        else dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    )
    return when.isoformat().replace("+00:00", "Z")


def package_versions() -> dict[str, str]:
    """Versions of the package and of what the numbers depend on."""
    out = {"python": platform.python_version(), "finsam_analysis": __version__}
    for name in ("pandas", "numpy", "matplotlib", "openpyxl", "papermill", "nbconvert", "pyarrow"):
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            pass
    return out


def git_commit() -> str | None:
    """The commit of the source tree the package runs from, when known."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=5,
    ).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


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


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _describe_failure(exc: BaseException) -> str:
    """One or two sentences: the cell and the error, never a traceback."""
    ename = getattr(exc, "ename", None)
    if ename is not None:  # papermill.PapermillExecutionError
        cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", "?")
        evalue = str(getattr(exc, "evalue", "")).strip().splitlines()
        return redact(f"Cell {cell} misslyckades: {ename}: {evalue[0] if evalue else ''}".strip())
    return redact(f"{type(exc).__name__}: {exc}".splitlines()[0])


# --------------------------------------------------------------------------
# One förbund
# --------------------------------------------------------------------------


def _outputs(out_dir: Path, forbund_id: str, formats: Iterable[str]) -> dict[str, Path]:
    return {f: out_dir / f"{forbund_id}.{f}" for f in formats}


def _remove_stale(out_dir: Path, forbund_id: str) -> None:
    for fmt in FORMATS:
        (out_dir / f"{forbund_id}.{fmt}").unlink(missing_ok=True)


def render_one(
    dataset,
    data_dir: Path,
    forbund_id: str,
    period: Period,
    out_dir: Path,
    formats: Sequence[str],
    min_cell: int,
) -> ForbundResult:
    """Render the report of one förbund; never raises, reports failure instead.

    The JSON and the Excel workbook are computed here, in-process, from the
    library (deterministic, no kernel involved); the notebook renders the
    narrative HTML from the same library functions.
    """
    import nbformat
    import papermill as pm

    from .report import write_data_outputs

    result = ForbundResult(forbund_id)
    start = time.perf_counter()
    _remove_stale(out_dir, forbund_id)
    try:
        paths = _outputs(out_dir, forbund_id, formats)
        write_data_outputs(dataset, forbund_id, period, min_cell, paths)
        nb = None
        if {"html", "ipynb", "pdf"} & set(formats):
            nb = pm.execute_notebook(
                str(notebook_path()),
                None,
                parameters={
                    "data_dir": str(data_dir),
                    "forbund_id": forbund_id,
                    "period": period.label,
                    "min_cell": int(min_cell),
                },
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                # No cwd=: papermill would chdir the whole process, which races
                # between threads; every path passed is absolute instead.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        if "html" in formats:
            atomic_write(paths["html"], notebook_to_html(nb))
        if "ipynb" in formats:
            atomic_write(paths["ipynb"], nbformat.writes(nb))
        if "pdf" in formats:
            html_path = paths.get("html")
            if html_path is None:
                html_path = out_dir / f".{forbund_id}.pdf-source.html"
                atomic_write(html_path, notebook_to_html(nb))
            html_to_pdf(html_path, paths["pdf"])
            if "html" not in formats:
                html_path.unlink(missing_ok=True)
        missing = [str(p.name) for p in paths.values() if not p.is_file()]
        if missing:
            raise FinsamError(f"Rapporten skrev inte {', '.join(missing)}.")
        result.files = sorted(p.name for p in paths.values())
        result.status = "ok"
    except BaseException as exc:  # noqa: BLE001 (a failing förbund must not stop the batch)
        if isinstance(exc, KeyboardInterrupt):
            _remove_stale(out_dir, forbund_id)
            raise
        _remove_stale(out_dir, forbund_id)
        result.status = "failed"
        result.error = _describe_failure(exc)
    result.seconds = round(time.perf_counter() - start, 2)
    return result


# --------------------------------------------------------------------------
# HTML and PDF
# --------------------------------------------------------------------------

_HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def notebook_to_html(nb) -> str:
    """Standalone HTML: no code, prompts or parameter cells; a table of contents."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.exclude_raw = True
    body, _ = exporter.from_notebook_node(_reader_cells(nb))
    return _add_toc(_strip_remote_scripts(_strip_anchor_links(body)))


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


def _strip_remote_scripts(body: str) -> str:
    # The template links require.js/MathJax from a CDN; the report needs
    # neither, and a standalone file must not reach out to the internet.
    return re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)


def _strip_anchor_links(body: str) -> str:
    # nbconvert appends a "¶" permalink to every heading; in a report it is noise.
    return re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", body, flags=re.S)


def _add_toc(body: str) -> str:
    headings = _HEADING.findall(body)
    if not headings:
        return body
    items = "".join(
        f'<li><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>' for anchor, text in headings
    )
    toc = f'<nav class="finsam-toc" aria-label="Innehåll"><h2 class="toc-title">Innehåll</h2><ol>{items}</ol></nav>'
    marker = '<div class="finsam-toc-here"></div>'
    if marker in body:
        return body.replace(marker, toc, 1)
    return body.replace("<main>", "<main>" + toc, 1) if "<main>" in body else body


def html_to_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print an HTML report to PDF with Debian's headless chromium."""
    exe = find_chromium()
    if exe is None:
        raise FinsamError(
            "PDF kräver webbläsaren chromium, som inte är installerad. "
            "Installera den med: sudo apt-get update && sudo apt-get install chromium"
        )
    tmp = pdf_path.with_name(f".{pdf_path.name}.tmp")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}", html_path.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise FinsamError(f"chromium kunde inte skriva PDF:en (kod {done.returncode}).")
    os.replace(tmp, pdf_path)


# --------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------


def validate_run(data_dir: Path, period: str, forbund: Sequence[str] | None, formats, min_cell: int):
    """Check every parameter before any work starts; returns what the run needs."""
    from .loading import load_dataset

    period_obj = parse_period(period)
    fmts = parse_formats(formats)
    if int(min_cell) < 1:
        raise UsageError(f"--min-cell måste vara minst 1 (fick {min_cell}).")
    if "pdf" in fmts and find_chromium() is None:
        raise UsageError(
            "PDF kräver webbläsaren chromium, som inte är installerad. "
            "Installera den med: sudo apt-get update && sudo apt-get install chromium"
        )
    dataset = load_dataset(Path(data_dir))
    known = list(dataset.forbund["forbund_id"])
    chosen = known if forbund is None else list(dict.fromkeys(forbund))
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise UsageError(
            f"Förbundet {', '.join(unknown)} finns inte i {data_dir}. "
            f"Finns: {', '.join(known[:12])}{' …' if len(known) > 12 else ''}."
        )
    return dataset, period_obj, fmts, chosen


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
) -> RunResult:
    """Render the reports of ``forbund`` (None = all) for ``period``.

    Returns
    -------
    RunResult
        Per-förbund status; ``exit_code`` is 1 when any failed.

    Raises
    ------
    FinsamError
        For a wrong parameter or unreadable data, before anything is written.
    """
    started = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    out = Path(out).resolve()
    dataset, period_obj, fmts, chosen = validate_run(data_dir, period, forbund, formats, min_cell)
    out_dir = Path(out) / period_obj.label
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    results: dict[str, ForbundResult] = {}
    bar = _progress(len(chosen), progress)
    interrupted = False
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            dataset.participations()  # prepared once, shared read-only by the threads
            futures = {
                pool.submit(render_one, dataset, data_dir, fid, period_obj, out_dir, fmts, min_cell): fid
                for fid in chosen
            }
            for fut in as_completed(futures):
                fid = futures[fut]
                results[fid] = fut.result()
                if bar is not None:
                    bar.set_postfix_str(fid)
                    bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
    ordered = [results.get(fid) or ForbundResult(fid, status="failed", error="Avbrutet innan rapporten var klar.")
               for fid in chosen]
    run = RunResult(out_dir=out_dir, period=period_obj, results=ordered, seconds=round(time.perf_counter() - started, 2))
    write_index(run, dataset, min_cell)
    write_manifest(run, dataset, data_dir, fmts, jobs, min_cell, interrupted)
    if interrupted:
        raise KeyboardInterrupt
    return run


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="Rapporter", unit="förbund", file=sys.stderr, leave=False)


def write_manifest(run: RunResult, dataset, data_dir: Path, fmts, jobs: int, min_cell: int, interrupted=False) -> None:
    """``manifest.json``: parameters, inputs, versions, commit, timings, status."""
    doc = {
        "generated_at": generated_at(),
        "status": "interrupted" if interrupted else ("ok" if not run.failed else "failed"),
        "parameters": {
            "data_dir": str(data_dir),
            "period": run.period.label,
            "period_start": run.period.start.isoformat(),
            "period_end": run.period.end.isoformat(),
            "forbund": [r.forbund_id for r in run.results],
            "formats": list(fmts),
            "jobs": jobs,
            "min_cell": min_cell,
        },
        "synthetic_data": dataset.synthetic,
        "inputs_sha256": dataset.inputs,
        "versions": package_versions(),
        "git_commit": git_commit(),
        "seconds": run.seconds,
        "forbund": {
            r.forbund_id: {"status": r.status, "seconds": r.seconds, "error": r.error, "files": r.files}
            for r in run.results
        },
    }
    atomic_write(run.out_dir / "manifest.json", json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def write_index(run: RunResult, dataset, min_cell: int) -> None:
    """``index.html``: every förbund's key figures side by side, with links."""
    from .report import render_index

    atomic_write(run.out_dir / "index.html", render_index(run, dataset, min_cell))


def summary_text(run: RunResult) -> str:
    """One or two sentences for the command line."""
    ok = [r for r in run.results if r.status == "ok"]
    text = (
        f"{len(ok)} av {len(run.results)} rapporter för {run.period.label} klara på {run.seconds:.0f} s. "
        f"Översikten finns i {run.out_dir / 'index.html'}."
    )
    for r in run.failed:
        text += f"\nMisslyckades: {r.forbund_id} — {r.error}"
    return text


def escape(text: object) -> str:
    return html.escape("" if text is None else str(text))
