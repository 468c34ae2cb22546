"""`make bench`: the report batch against the naive pipeline and the analysis floor.

Usage::

    python benchmarks/bench.py [--forbund 24] [--national 75] [--rows 1000000] [--workdir .bench]
                               [--skip-naive] [--skip-scale] [--out results.json]

On a synthetic dataset of N förbund made by ``finsam sample-data --forbund N``
it times, one after the other on the same machine:

naive
    What a user would write: for each förbund the ``papermill`` command line,
    then ``jupyter nbconvert --to html --no-input``, one after the other.
finsam
    ``finsam report --all`` with default settings (HTML, Excel and JSON).
floor
    The pure analysis in one Python process, no notebooks: import, load the
    dataset, then ``key_figures`` and the report's tables for every förbund.

and prints wall seconds and the ratios naive/finsam and finsam/floor, and one
förbund's whole report in a prepared process (``benchmarks/phases.py``). Then the
national case (``--national 75``): ``finsam sample-data --forbund 75`` and
``finsam report --all`` with html, xlsx and json, and again with docx (and pdf
where Chromium is installed), with the ratio to the 30-second goal. Then it
runs ``benchmarks/scale.py``: loading and key figures on 1 000 000
participations against the same aggregation in DuckDB SQL.

Every step is a fresh process started from here (``subprocess``), so each
pays its own start-up, as it would for a user. The results are also written
as JSON (``--out``); docs/performance.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import cpu_model, run_scale  # noqa: E402 (a sibling script; imports DuckDB only when it runs)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PERIOD = "2025"
#: Issue 18's goal for the national case (html, xlsx, json) on 2 cores.
NATIONAL_GOAL_S = 30.0
FLOOR = """
import sys, time
from finsam_analysis.ingest.dataset import load_dataset
from finsam_analysis.disclosure.published import key_figures
from finsam_analysis.report.tables import report_tables
from finsam_analysis.periods import parse_period
t = time.perf_counter()
ds = load_dataset(sys.argv[1])
period = parse_period(sys.argv[2])
for fid in ds.forbund["forbund_id"]:
    key_figures(ds, fid, period)
    report_tables(ds, fid, period)
print(time.perf_counter() - t)
"""


def machine() -> dict:
    """What the figures were measured on."""
    cpu = cpu_model() or "okänd"
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": mem, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        raise SystemExit(f"Kommandot misslyckades: {' '.join(map(str, cmd[:3]))} … (kod {done.returncode})")
    return done


def timed(label: str, fn) -> float:
    print(f"  {label} …", end="", flush=True)
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f" {seconds:.1f} s", flush=True)
    return seconds


def forbund_ids(data: Path) -> list[str]:
    import csv

    with open(data / "forbund.csv", encoding="utf-8") as fh:
        return [row["forbund_id"] for row in csv.DictReader(fh)]


def naive(data: Path, out: Path) -> None:
    """papermill, then nbconvert, per förbund, one after the other."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    notebook = ROOT / "notebooks" / "forbund_report.ipynb"
    for fid in forbund_ids(data):
        executed = out / f"{fid}.ipynb"
        run([BIN / "papermill", notebook, executed, "-p", "data_dir", data, "-p", "forbund_id", fid,
             "-p", "period", PERIOD, "-p", "min_cell", "5", "--no-progress-bar", "--log-level", "ERROR"])
        run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed, "--log-level", "ERROR"])


def finsam(data: Path, out: Path, formats: str | None = None) -> None:
    shutil.rmtree(out, ignore_errors=True)
    extra = ["--format", formats] if formats else []
    run([BIN / "finsam", "report", "--data-dir", data, "--period", PERIOD, "--all", "--out", out, "--quiet", *extra])


def national(work: Path, n: int, results: dict) -> None:
    """The national case: n förbund, html+xlsx+json, then docx (+ pdf where Chromium is installed)."""
    from finsam_analysis.batch.pipeline import find_chromium

    data = sample_data(work, n)
    print(f"\nNationellt: {n} förbund, period {PERIOD}:")
    results["national_forbund"] = n
    results["national_s"] = timed("finsam report --all (html, xlsx, json)", lambda: finsam(data, work / "national"))
    word = "docx,pdf" if find_chromium() else "docx"
    results["national_word_formats"] = word
    results["national_word_s"] = timed(f"finsam report --all ({word})",
                                       lambda: finsam(data, work / "national-word", word))  # fmt: skip
    results["national_over_goal"] = results["national_s"] / NATIONAL_GOAL_S


def sample_data(work: Path, n: int) -> Path:
    data = work / f"data-{n}"
    if not (data / "forbund.csv").is_file():
        run([BIN / "finsam", "sample-data", "--out", data, "--forbund", n])
    return data


def one_forbund(data: Path) -> float:
    """Seconds of one förbund's whole report in a prepared process (benchmarks/phases.py, its last row)."""
    done = run([sys.executable, ROOT / "benchmarks" / "phases.py", data, "--period", PERIOD])
    return float(done.stdout.strip().splitlines()[-1].split()[-1].replace(",", "."))


def floor(data: Path) -> float:
    """The floor's own analysis seconds (the wall time is measured outside)."""
    return float(run([sys.executable, "-c", FLOOR, data, PERIOD]).stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forbund", type=int, default=24)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bench")
    parser.add_argument("--national", type=int, default=75, help="förbund in the national case (0: skip it)")
    parser.add_argument("--skip-naive", action="store_true", help="naive takes minutes; skip it")
    parser.add_argument("--skip-scale", action="store_true", help="skip the 1 M-row comparison with DuckDB")
    parser.add_argument("--out", type=Path, default=None, help="JSON with the results (default: WORKDIR/results.json)")
    args = parser.parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # A private key: the benchmark never touches the user's pseudonymisation key.
    os.environ.setdefault("FINSAM_PSEUDONYM_KEY", "ab" * 32)
    results: dict = {"machine": machine(), "forbund": args.forbund}
    print(f"Maskin: {results['machine']['cores']} kärnor, {results['machine']['cpu']}")

    data = sample_data(work, args.forbund)
    print(f"Rapporter för {args.forbund} förbund, period {PERIOD}:")
    if not args.skip_naive:
        results["naive_s"] = timed("naiv (papermill + nbconvert per förbund)", lambda: naive(data, work / "naive"))
    results["finsam_s"] = timed("finsam report --all", lambda: finsam(data, work / "finsam"))
    inner: list[float] = []
    results["floor_s"] = timed("golv (nyckeltal + tabeller, en process)", lambda: inner.append(floor(data)))
    results["floor_analysis_s"] = inner[0]

    results["one_forbund_s"] = one_forbund(data)

    print()
    print(f"{'':<44}{'sekunder':>10}")
    for key, label in (("naive_s", "naiv: papermill + nbconvert"), ("finsam_s", "finsam report --all"),
                       ("floor_s", "golv: nyckeltal + tabeller")):
        if key in results:
            print(f"{label:<44}{results[key]:>10.1f}")
    if "naive_s" in results:
        results["naive_over_finsam"] = results["naive_s"] / results["finsam_s"]
        print(f"{'naiv / finsam':<44}{results['naive_over_finsam']:>10.2f}")
    results["finsam_over_floor"] = results["finsam_s"] / results["floor_s"]
    print(f"{'finsam / golv':<44}{results['finsam_over_floor']:>10.2f}")
    print(f"{'ett förbunds rapport i en process (mål 1 s)':<44}{results['one_forbund_s']:>10.2f}")

    if args.national:
        national(work, args.national, results)
        print(f"{'nationellt / mål 30 s':<44}{results['national_over_goal']:>10.2f}")
        print(f"{'nationellt, sekunder per förbund':<44}{results['national_s'] / args.national:>10.2f}")

    if not args.skip_scale:
        print(f"\nInläsning och nyckeltal, {args.rows:,} deltaganden, mot DuckDB:".replace(",", " "))
        scale = run_scale(args.rows, work / "scale")
        results["scale"] = scale
        for key, value in scale.items():
            print(f"  {key:<40}{value}")
    out = args.out or work / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nResultaten finns i {out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
