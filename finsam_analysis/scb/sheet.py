"""An Excel download from the Statistikdatabasen as one header and text rows.

The Statistikdatabasen's Excel file is the table as shown on screen: a title
row, one or more header rows (the heading variables; a merged cell spans the
columns below it), stub columns whose header cells are often empty and whose
value is written only where it changes, the numbers, and footnotes under the
table. This module undoes the layout, and the CSV reader reads the result:

- header rows are the rows between the title and the first data row (a row
  whose last filled cell is a number or a missing-value mark); a header row
  above the last is filled rightwards, as a merged cell reads;
- a column's header is its header cells joined by a space, so
  ``Sjukpenning`` over ``2024M01`` becomes ``Sjukpenning 2024M01``;
- an empty stub cell repeats the value above it;
- rows under the table with at most one filled cell are footnotes, counted.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

__all__ = ["SheetError", "sheet_table"]

_MISSING = frozenset({"..", "...", ".", "-", "–", "—", "x", "X", "…"})


class SheetError(ValueError):
    """The workbook holds no table this reader can use (Swedish message, without the file name)."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):  # Excel turned "2024-01" into a date
        return f"{value:%Y-%m}"
    return str(value).strip()


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    text = _text(value).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        float(text)
    except ValueError:
        return text in _MISSING
    return True


def _rows(path: Path) -> list[list[object]]:
    import openpyxl  # only Excel downloads need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"den kunde inte öppnas som Excel-arbetsbok ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return [row for row in rows if any(_text(v) for v in row)]


def _is_data(row: list[object]) -> bool:
    filled = [v for v in row if _text(v)]
    return len(filled) >= 2 and _is_number(filled[-1])


def sheet_table(path: Path) -> tuple[list[str], list[list[str]], int]:
    """The first sheet's table: column headers, body rows as text, footnote rows.

    Parameters
    ----------
    path : Path
        An ``.xlsx`` file.

    Returns
    -------
    tuple
        ``(header, body, footnotes)``: one header per column (empty where
        the file names none), the data rows with stub cells filled down,
        and the number of rows under the table that were not read.

    Raises
    ------
    SheetError
        When the sheet has no header and data rows.
    """
    rows = _rows(path)
    first_data = next((i for i, row in enumerate(rows) if _is_data(row)), None)
    if first_data is None:
        raise SheetError("det första bladet har inga rader med tal")
    width = max(len(row) for row in rows)
    rows = [[_text(v) for v in row] + [""] * (width - len(row)) for row in rows]
    # The title: rows above the header with at most one filled cell.
    headers = [row for row in rows[:first_data] if sum(bool(c) for c in row) > 1]
    if not headers:
        raise SheetError("tabellen har ingen rubrikrad ovanför talen")
    stub = next(i for i, c in enumerate(rows[first_data]) if _is_number(c) and i > 0 and _numbers_from(rows[first_data], i))
    for row in headers[:-1]:
        for i in range(stub + 1, width):
            row[i] = row[i] or row[i - 1]  # a merged heading cell
    header = [" ".join(h[i] for h in headers if h[i]) for i in range(width)]
    body, footnotes, last = [], 0, [""] * stub
    for row in rows[first_data:]:
        if sum(bool(c) for c in row) <= 1:
            footnotes += 1
            continue
        filled = [c or last[i] for i, c in enumerate(row[:stub])]
        last = filled
        body.append(filled + row[stub:])
    keep = [i for i in range(width) if header[i] or any(r[i] for r in body)]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in body], footnotes


def _numbers_from(row: list[str], start: int) -> bool:
    """Whether every filled cell from ``start`` on is a number (the value columns)."""
    return all(_is_number(c) for c in row[start:] if c)
