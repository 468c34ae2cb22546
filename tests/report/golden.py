"""What a report publishes, as plain JSON: key figures, every table's cells, every figure's text.

Issue 18 made the reports faster without changing them; the test in
``test_outputs_unchanged.py`` holds today's outputs to the ones this file
wrote from the code before that work (``golden/``). The snapshot is what a
reader sees: the key-figures JSON, each table's title, labels, cells (".."
and "–" as printed), notes and footnotes, and each figure's alternative
text (which carries its values). PNG bytes are left out on purpose: they
follow the matplotlib and FreeType versions, not the data.

After a deliberate change to a report, write the snapshots again and read
the diff before committing it::

    .venv/bin/python -m tests.report.golden --update
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "golden"
#: Fixed, so pseudonyms (and any order they set) are the same in every run.
KEY = "5a" * 32
SEED, N_FORBUND = 2025, 2
PERIODS = ("2025", "2025H1")
MIN_CELL = 5


def _cell(value):
    """A JSON-able cell: numbers as numbers (NaN as None), everything else as its text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return str(value)


def snapshot(dataset, forbund_id: str, period, min_cell: int = MIN_CELL) -> dict:
    """Everything the report of ``forbund_id`` for ``period`` publishes, as JSON-able values."""
    from finsam_analysis.report.html import ForbundReport, cached_key_figures

    report = ForbundReport(dataset, forbund_id, period, min_cell)
    tables = []
    for table in report.tables.values():
        data = table.data
        tables.append({
            "key": table.key,
            "title": table.title,
            "label": str(data.index.name),
            "columns": [str(c) for c in data.columns],
            "rows": [[str(label), *(_cell(v) for v in row)] for label, row in zip(data.index, data.itertuples(index=False))],
            "note": table.note,
            "footnote": table.footnote,
            "source": table.source,
            "figures": [figure.alt for figure in report.figures_for(table)],
        })  # fmt: skip
    return {"key_figures": cached_key_figures(dataset, forbund_id, period, min_cell), "tables": tables}


def sample_dataset(directory: Path):
    """The sample data the snapshots are made from (first :data:`N_FORBUND` förbund, seed 2025)."""
    from finsam_analysis.ingest.dataset import load_dataset
    from finsam_analysis.synthetic.sample import write_sample

    write_sample(directory, seed=SEED, n_forbund=N_FORBUND)
    return load_dataset(directory)


def snapshots(directory: Path) -> dict[str, dict]:
    """``{"<förbund>_<period>": snapshot}`` of every förbund and :data:`PERIODS`."""
    from finsam_analysis.periods import parse_period

    before = os.environ.get("FINSAM_PSEUDONYM_KEY")
    os.environ["FINSAM_PSEUDONYM_KEY"] = KEY
    try:
        dataset = sample_dataset(directory)
    finally:  # the key is only for writing and reading these files
        if before is None:
            del os.environ["FINSAM_PSEUDONYM_KEY"]
        else:
            os.environ["FINSAM_PSEUDONYM_KEY"] = before
    return {
        f"{fid}_{label}": snapshot(dataset, str(fid), parse_period(label))
        for fid in dataset.forbund["forbund_id"]
        for label in PERIODS
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--update", action="store_true", help=f"write the snapshots to {GOLDEN_DIR}")
    parser.add_argument("--out", type=Path, default=None, help="write them here instead")
    args = parser.parse_args(argv)
    if not (args.update or args.out):
        parser.error("say --update or --out DIR")
    out = args.out or GOLDEN_DIR
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, snap in snapshots(Path(tmp) / "data").items():
            text = json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            (out / f"{name}.json").write_text(text, encoding="utf-8")
            print(f"{out / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
