"""Swedish number and date formatting for text meant for people: one formatter for everything.

Used by the HTML report, the figures, the notebooks and every sentence the
package writes. The Excel workbook keeps real
numbers and gives them Excel number formats instead (:mod:`finsam_analysis.report.excel`).

Conventions
-----------
* Thousands are separated by a no-break space, U+00A0 (:data:`NBSP`):
  ``12 345``. The narrow no-break space U+202F is typographically finer but
  is missing from many fonts and from the default fonts of older Office
  versions, and it is not recognised as a digit separator when a number is
  pasted into Excel; U+00A0 is safe everywhere and still never breaks a
  number over two lines.
* The decimal sign is a comma: ``3,1``. Percent and currency units follow
  after a no-break space: ``43,2 %``, ``1 234 567 kr`` (Språkrådet).
* Rounding is half away from zero (``2,5`` → ``3``), as people expect,
  not Python's round-half-to-even.
* Negative numbers use the ASCII hyphen-minus, so that a copied value is
  still a number in Excel.
* A value that cannot be computed (``None``, NaN, ``pd.NA``) is shown as an
  en dash, :data:`NOT_AVAILABLE` (``–``); a value whose underlying column is
  missing or empty is the text :data:`UNKNOWN` ("uppgift saknas"), never 0.
* Any text passes through untouched, above all the suppression marker
  ``..`` (:data:`SUPPRESSED`), so a table cell
  can be formatted without first checking whether it was hidden.
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from finsam_analysis.periods import SWEDISH_MONTHS

#: What a hidden cell shows (the disclosure layer decides which cells are hidden).
SUPPRESSED = ".."

__all__ = [
    "NBSP",
    "NOT_AVAILABLE",
    "SHARE_DECIMALS",
    "SUPPRESSED",
    "UNKNOWN",
    "SWEDISH_MONTHS",
    "SWEDISH_MONTHS_SHORT",
    "fmt_dec",
    "fmt_int",
    "fmt_kr",
    "fmt_interval",
    "fmt_pct",
    "fmt_value",
    "is_missing",
    "swedish_month",
]

#: Thousands separator and the space before a unit (no-break space).
NBSP = "\u00a0"

#: What a value that cannot be computed shows (en dash).
NOT_AVAILABLE = "\u2013"

#: What a value shows whose underlying column is missing or empty (never 0).
UNKNOWN = "uppgift saknas"

#: Decimals of every share a person reads (tables, figures, sentences, Excel,
#: PDF): one value, one text, wherever it stands.
SHARE_DECIMALS = 1

SWEDISH_MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def is_missing(value: object) -> bool:
    """True for None, NaN, ``pd.NA`` and ``pd.NaT`` (not for text)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, str) else False
    except (TypeError, ValueError):
        return False


def _number_text(value: object, decimals: int) -> str:
    """``value`` rounded half away from zero, Swedish separators."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def _passthrough(value: object) -> str | None:
    """The text to show for text and missing values, else None (a number)."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return NOT_AVAILABLE
    return None


def fmt_int(value: object) -> str:
    """A whole number: ``fmt_int(12345) == "12 345"`` (no-break space).

    Floats are rounded half away from zero; None/NaN gives ``"–"``; text
    (e.g. ``".."``) is returned as it is.
    """
    text = _passthrough(value)
    return text if text is not None else _number_text(value, 0)


def fmt_dec(value: object, decimals: int = 1) -> str:
    """A decimal number: ``fmt_dec(3.14159, 1) == "3,1"``, ``"12 345,6"``."""
    text = _passthrough(value)
    return text if text is not None else _number_text(value, decimals)


def fmt_pct(share: object, decimals: int = SHARE_DECIMALS) -> str:
    """A share (fraction) as percent: ``fmt_pct(0.432) == "43,2 %"``."""
    text = _passthrough(share)
    return text if text is not None else _number_text(float(share) * 100, decimals) + NBSP + "%"


def fmt_interval(low: object, high: object, decimals: int = SHARE_DECIMALS) -> str:
    """A share interval: ``fmt_interval(0.303, 0.445) == "30,3–44,5 %"``."""
    for value in (low, high):
        text = _passthrough(value)
        if text is not None:
            return text
    return f"{_number_text(float(low) * 100, decimals)}–{fmt_pct(high, decimals)}"


def fmt_kr(value: object) -> str:
    """Kronor, whole: ``fmt_kr(1234567) == "1 234 567 kr"``."""
    text = _passthrough(value)
    return text if text is not None else _number_text(value, 0) + NBSP + "kr"


def fmt_value(value: object, kind: str = "number", decimals: int = SHARE_DECIMALS) -> str:
    """Format one table cell by its kind.

    Parameters
    ----------
    value : object
        A number, None/NaN, or text (``..`` passes through).
    kind : str
        ``count`` and ``days`` (whole numbers), ``share`` (percent),
        ``kr``, ``number`` (whole when it is whole, else ``decimals``
        decimals), ``points`` (procentenheter: ``+1,3``) or ``text``.
    decimals : int, default 1
        Decimals for shares and non-whole numbers.
    """
    text = _passthrough(value)
    if text is not None:
        return text
    if kind in ("count", "days"):
        return fmt_int(value)
    if kind == "share":
        return fmt_pct(value, decimals)
    if kind == "kr":
        return fmt_kr(value)
    if kind == "text":
        return str(value)
    if kind == "points":  # procentenheter, always with a sign and one decimal
        text = _number_text(value, decimals)
        return text if text.startswith("-") or text == _number_text(0, decimals) else "+" + text
    number = float(value)
    return fmt_int(number) if number == round(number) else fmt_dec(number, decimals)


def swedish_month(value: object, short: bool = False) -> str:
    """``"januari 2025"`` (or ``"jan 2025"`` with ``short``) for a date-like value."""
    if is_missing(value):
        return NOT_AVAILABLE
    ts = pd.Timestamp(value) if not isinstance(value, _dt.date) else value
    names = SWEDISH_MONTHS_SHORT if short else SWEDISH_MONTHS
    return f"{names[ts.month - 1]} {ts.year}"
