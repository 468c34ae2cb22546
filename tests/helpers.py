"""Helpers shared by the tests: personnummer made at run time, a CLI runner, a tiny dataset.

No personnummer is written in any test file: tests that need them generate
them at run time (:func:`make_pnr`).
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from finsam_analysis.cli import main

#: The project's shared folder beside the checkout (the cross-check tables), when there is one.
SHARED = Path(__file__).resolve().parents[2] / "shared"


def luhn_digit(nine: str) -> int:
    """Luhn check digit, written independently of the package."""
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return (10 - total % 10) % 10


def make_pnr(year: int, month: int, day: int, serial: int, bad_check: bool = False) -> str:
    """A 12-digit personnummer ``YYYYMMDD-NNNN`` built at run time."""
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    check = (luhn_digit(nine) + (1 if bad_check else 0)) % 10
    return f"{year:04d}{month:02d}{day:02d}-{serial:03d}{check}"


PNR_PATTERN = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")


def assert_no_pnr(text: str, numbers: list[str]) -> None:
    """None of ``numbers`` appears in ``text`` in any written form."""
    for n in numbers:
        digits = n.replace("-", "").replace("+", "")
        forms = {n, digits, digits[2:], digits[2:8] + "-" + digits[8:]}
        for form in forms:
            assert form not in text, "a personnummer leaked"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliResult:
    """Run ``finsam`` in-process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return CliResult(code, out.getvalue(), err.getvalue())


# --------------------------------------------------------------------------
# A tiny dataset whose every number is known
# --------------------------------------------------------------------------

FORBUND_CSV = "forbund_id,namn,organisationsnummer\nalfa,Samordningsförbundet Alfa,\nbeta,Samordningsförbundet Beta,\n"
MEDLEMMAR_CSV = (
    "forbund_id,kommunkod,giltig_from,giltig_tom\n"
    "alfa,2482,2005-12-01,\nalfa,2417,2005-12-01,\nbeta,0180,2004-01-01,\n"
)
INSATSER_CSV = (
    "insats_id,forbund_id,namn,typ,startdatum,slutdatum,malgrupp,mal_deltagare_per_ar,mal_andel_arbete_studier\n"
    "a1,alfa,Steget vidare,individinriktad,2019-01-01,,Unga,40,\"0,4\"\n"
    "a2,alfa,Strukturarbete,strukturovergripande,2019-01-01,,,,\n"
    "b1,beta,Vägen framåt,individinriktad,2020-01-01,,,25,0.35\n"
)
DELTAGANDE_HEADER = (
    "deltagare_id,forbund_id,insats_id,kon,fodelsear,folkbokforingskommun,utbildningsniva,startdatum,"
    "slutdatum,avslutsanledning,sysselsattning_fore,sysselsattning_efter,forsorjning_fore,forsorjning_efter,"
    "omfattning_fore,omfattning_efter"
)


def canonical_rows() -> list[str]:
    """Five clean participations (rows 2–6 of deltagande.csv)."""
    return [
        "d01,alfa,a1,kvinna,1999,2482,gymnasial,2024-02-01,2024-09-30,planenligt,arbetssokande,forvarvsarbete,forsorjningsstod;sjukpenning,lon,0,100",
        "d02,alfa,a1,man,1985,2417,forgymnasial,2024-03-15,,,sjukskriven,,sjukpenning,,0,",
        "d03,alfa,a1,kvinna,2001,2482,okand,2023-11-01,2024-01-01,avbrott,ovrigt,okand,,,,",
        "d01,beta,b1,kvinna,1999,0180,gymnasial,2024-10-01,,,arbetssokande,,arbetsloshetsersattning,,25,",
        "d04,beta,b1,,1970,0180,eftergymnasial,2024-05-05,2024-12-31,planenligt,arbetssokande,studier,aktivitetsstod,studiemedel,0,50",
    ]


def write_dataset(root: Path, rows: list[str] | None = None, **files: str) -> Path:
    """Write the tiny dataset; ``files`` override or add files by name."""
    root.mkdir(parents=True, exist_ok=True)
    content = {
        "forbund.csv": FORBUND_CSV,
        "forbund_medlemmar.csv": MEDLEMMAR_CSV,
        "insatser.csv": INSATSER_CSV,
        "deltagande.csv": DELTAGANDE_HEADER + "\n" + "\n".join(rows if rows is not None else canonical_rows()) + "\n",
    }
    content.update({k.replace("__", "."): v for k, v in files.items()})
    for name, text in content.items():
        if text is None:
            continue
        (root / name).write_text(text, encoding="utf-8")
    return root


def frame_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False)
