"""Where a figure comes from: program version, source commit, time of generation.

Every output carries these (the report's footer, the workbook's "Om
rapporten" sheet, the run's manifest.json). ``SOURCE_DATE_EPOCH`` (seconds
since 1970, UTC; the reproducible-builds convention) fixes the time of
generation, so two runs on the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from functools import lru_cache
from importlib import metadata as importlib_metadata
from pathlib import Path

from finsam_analysis.version import __version__

#: The time written into outputs when ``SOURCE_DATE_EPOCH`` is unset and a fixed time is wanted (Excel).
FIXED_DATE = dt.datetime(2000, 1, 1)


def _epoch() -> dt.datetime | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def generated_at() -> str:
    """ISO time of generation (UTC, ``Z``); ``SOURCE_DATE_EPOCH`` makes it reproducible."""
    when = _epoch() or dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    return when.isoformat().replace("+00:00", "Z")


def build_date() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` as a naive UTC datetime, else :data:`FIXED_DATE`.

    For file formats that store a time inside (an .xlsx's properties and
    zip members): without the variable they carry a fixed time, so the same
    tables give the same bytes.
    """
    when = _epoch()
    return when.replace(tzinfo=None) if when is not None else FIXED_DATE


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Versions of the package and of what the numbers depend on."""
    out = {"python": platform.python_version(), "finsam_analysis": __version__}
    for name in ("pandas", "numpy", "matplotlib", "openpyxl", "papermill", "nbconvert", "pyarrow", "jinja2"):
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            pass
    return out


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the source tree the package runs from, when known (``-dirty`` if changed)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        if out.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("-dirty" if dirty else "")
