"""Read a CSV or Excel file into a table of strings, row numbers kept.

This layer knows nothing about the schema. It turns whatever a förbund
delivers into a :class:`RawTable`: every cell a trimmed string (missing cells
are missing), headers as written, and for each row the number a spreadsheet
user sees (the header is row 1, so the first data row of a plain CSV is 2).
Typing, mapping and validation happen later, in one vectorised pass
(:mod:`finsam_analysis.validation`).

Decisions where DATA.md is silent
---------------------------------
* Encoding: a BOM wins (UTF-8, or UTF-16 as Excel's "Unicode-text" writes);
  otherwise UTF-8 if the whole file decodes. If it does not, each line is
  decoded on its own: as UTF-8 when it is valid UTF-8, else as Windows-1252
  (what Excel on Swedish Windows writes). A file pasted together from a UTF-8
  and a Windows-1252 export thus keeps "å" right in both parts instead of
  turning the UTF-8 lines into mojibake ("Ã¥"); the mix is reported in
  ``RawTable.notes``. A line that is neither is an error naming the line.
* Separator: the one of ``;``, ``,`` and tab that occurs most often in the
  header line, outside quotes. A header without any of them is "one column",
  which no table of the contract is, so it is an error.
* Completely empty rows (often trailing rows in Excel) are not data; they are
  skipped and counted in ``RawTable.blank_rows``.
* Quotes: a quoted field that never ends, or one that swallows whole rows
  (a line inside it holding a full row's worth of separators), is an error
  naming the row: read as written, the rows after it would silently vanish
  into one cell. A field longer than the csv module's limit (131 072
  characters, four times what an Excel cell holds) is an error too.
* A header split by one separator over data rows split by another is an
  error saying so, rather than every row rejected for missing values. A
  title line above the header (no separator above a line with several, or
  only the first header filled) is named as a probable title.
* Excel: the first worksheet, header on its first non-empty row. Date cells
  become ``YYYY-MM-DD``; whole numbers (kommunkod stored as a number) become
  digits without ``.0``. A password-protected workbook is an OLE container
  like a legacy ``.xls`` and is named as such; any failure inside the zip or
  XML layers means a damaged file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import SchemaError, UnreadableFileError

SEPARATORS = (";", ",", "\t")
_SEPARATOR_NAMES = {";": "semikolon", ",": "komma", "\t": "tabb"}
_SNIFF_BYTES = 64 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass
class RawTable:
    """A table read from one file, before any typing.

    Attributes
    ----------
    path : Path
        The file read.
    data : pandas.DataFrame
        One column per header (strings; missing cells are missing), plus the
        source row number in the column ``_rad``.
    headers : list of str
        Headers as written in the file (trimmed), in file order.
    blank_rows : int
        Completely empty rows that were skipped.
    encoding, separator : str or None
        What was detected (CSV only).
    """

    path: Path
    data: pd.DataFrame
    headers: list[str]
    blank_rows: int = 0
    encoding: str | None = None
    separator: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.data)


def read_table(path: str | Path) -> RawTable:
    """Read a ``.csv`` or ``.xlsx`` file as strings.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    RawTable

    Raises
    ------
    UnreadableFileError
        When the file is missing, empty, binary, an unreadable workbook, or
        has only one column.
    SchemaError
        When two headers are the same.
    """
    path = Path(path)
    if not path.is_file():
        raise UnreadableFileError(f"Filen {path} finns inte.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".xls":
        raise UnreadableFileError(
            f"Filen {path} är i det gamla Excel-formatet .xls, som inte stöds. "
            "Öppna den i Excel och spara den som .xlsx."
        )
    return _read_csv(path)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def decode_text(path: Path, raw: bytes) -> tuple[str, str, int]:
    """Decode a text file as DATA.md §1 allows (see the module notes).

    Returns
    -------
    (str, str, int)
        The text (without BOM), the encoding found (``utf-8``,
        ``utf-8-sig``, ``utf-16``, ``cp1252`` or ``utf-8+cp1252`` for a mix)
        and, for a mix, how many lines were Windows-1252.

    Raises
    ------
    UnreadableFileError
        When a line is neither UTF-8 nor Windows-1252.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").lstrip("\ufeff"), "utf-16", 0
        except UnicodeDecodeError:
            raise UnreadableFileError(
                f"Filen {path} ser ut att vara UTF-16 men kan inte avkodas. Spara den som UTF-8."
            ) from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        # A second BOM (tools that add one blindly) must not stick to the first header.
        return body.decode("utf-8").lstrip("\ufeff"), "utf-8-sig" if bom else "utf-8", 0
    except UnicodeDecodeError:
        pass
    lines, utf8, cp1252 = [], 0, 0
    for number, line in enumerate(body.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
                cp1252 += 1
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"Filen {path} har på rad {number} tecken som varken är UTF-8 eller Windows-1252 "
                    f"(byte {exc.start + 1} på raden). Spara filen som UTF-8."
                ) from None
    encoding = "utf-8+cp1252" if utf8 else "cp1252"
    return "\n".join(lines).lstrip("\ufeff"), encoding, cp1252 if utf8 else 0


def _check_not_binary(path: Path, raw: bytes) -> None:
    head = raw[:_SNIFF_BYTES]
    if head.startswith(_XLSX_MAGIC):
        raise UnreadableFileError(
            f"Filen {path} är en Excel-fil, inte en CSV-fil. Ge den filändelsen .xlsx."
        )
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFileError(
            f"Filen {path} är i det gamla Excel-formatet .xls, som inte stöds. "
            "Spara den som .xlsx eller CSV."
        )
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 is text
        raise UnreadableFileError(f"Filen {path} är inte en textfil (den innehåller binära data).")


def _header_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def detect_separator(header_line: str) -> str | None:
    """The separator that occurs most often in ``header_line`` outside quotes."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] > 0 else None


def _read_csv(path: Path) -> RawTable:
    raw = path.read_bytes()
    if not raw.strip():
        raise UnreadableFileError(f"Filen {path} är tom.")
    _check_not_binary(path, raw)
    text, encoding, cp1252_lines = decode_text(path, raw)
    header = _header_line(text)
    sep = detect_separator(header)
    if sep is None:
        lines = [line for line in text.splitlines()[:50] if line.strip()]
        below = detect_separator(lines[1]) if len(lines) > 1 else None
        if below and lines[1].count(below) >= 2:  # the next line looks like a header
            raise UnreadableFileError(
                f"Filen {path} har en första rad utan semikolon, komma eller tabb fast raden under har "
                "flera, troligen en titel ovanför kolumnrubrikerna. Ta bort den raden."
            )
        raise UnreadableFileError(
            f"Filen {path} har bara en kolumn: rubrikraden innehåller varken semikolon, "
            "komma eller tabb, så den kan inte vara en tabell enligt dataformatet."
        )
    # csv.reader is exact about quoting and gives us record numbers; the
    # vectorised work starts once the records are in a DataFrame.
    records, n_lines = _parse_records(path, text, sep)
    header_index = next((i for i, rec in enumerate(records) if any(c.strip() for c in rec)), None)
    if header_index is None:
        raise UnreadableFileError(f"Filen {path} är tom (den innehåller bara avgränsare).")
    headers = [h.strip() for h in records[header_index]]
    body = records[header_index + 1 :]
    if n_lines != len(records):  # some field spans lines: did a stray quote swallow rows?
        _check_swallowed_rows(path, body, sep, len(headers), first_row=header_index + 2)
    other = _other_separator(text, sep, body, len(headers))
    if other is not None:
        raise UnreadableFileError(
            f"Filen {path} har rubrikraden avgränsad med {_SEPARATOR_NAMES[sep]} men raderna med "
            f"{_SEPARATOR_NAMES[other]}. Använd samma avgränsare i hela filen."
        )
    table = _frame(path, headers, body, first_row=header_index + 2)
    table.encoding, table.separator = encoding, sep
    if cp1252_lines:
        table.notes.append(
            f"teckenkodningen var blandad: {cp1252_lines} rader var sparade som Windows-1252 och "
            "övriga som UTF-8; varje rad lästes med sin egen kodning"
        )
    return table


def _parse_records(path: Path, text: str, sep: str) -> tuple[list[list[str]], int]:
    """The records of ``text`` and the number of physical lines they took.

    Read strictly first, so that a quote that never closes is an error and
    not the rest of the file in one field; other strict complaints (text
    right after a closing quote) fall back to the lenient reading.
    """
    records: list[list[str]] = []
    for strict in (True, False):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=strict)
        records, start = [], 1
        try:
            for rec in reader:
                records.append(rec)
                start = reader.line_num + 1
            return records, reader.line_num
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                limit = f"{csv.field_size_limit():,}".replace(",", " ")
                raise UnreadableFileError(
                    f"Filen {path} har på rad {start} ett fält som är längre än {limit} tecken. "
                    'Oftast beror det på ett citattecken (") som aldrig avslutas; kontrollera raden.'
                ) from None
            if "unexpected end of data" in message:
                raise UnreadableFileError(
                    f'Filen {path} har på rad {start} ett citattecken (") som aldrig avslutas, så resten av '
                    "filen skulle läsas som ett enda fält. Kontrollera citattecknen på raden."
                ) from None
            if not strict:
                raise UnreadableFileError(f"Filen {path} kunde inte läsas som CSV (rad {start}: {message}).") from None
    return records, 0  # not reached: the lenient pass returns or raises


def _check_swallowed_rows(path: Path, body: list[list[str]], sep: str, width: int, first_row: int) -> None:
    """A field holding a line with a whole row's worth of separators swallowed rows."""
    need = max(2, width - 1)
    for offset, rec in enumerate(body):
        for cell in rec:
            if ("\n" in cell or "\r" in cell) and any(
                line.count(sep) >= need for line in cell.splitlines()[1:]
            ):
                raise UnreadableFileError(
                    f'Filen {path} har på rad {first_row + offset} ett citattecken (") som gör att '
                    "följande rader läses som en del av ett enda fält. Kontrollera citattecknen på raden."
                )


def _other_separator(text: str, sep: str, body: list[list[str]], width: int) -> str | None:
    """The separator the data rows use when it is not the header's, else None.

    Only asked when no data row has even half the header's fields.
    """
    data = [rec for rec in body if any(c.strip() for c in rec)]
    if width < 3 or not data or any(len(rec) > width // 2 for rec in data):
        return None
    for other in SEPARATORS:
        if other == sep:
            continue
        records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=other) if any(c.strip() for c in r)]
        rows = records[1:]
        if rows and 2 * sum(len(r) == width for r in rows) > len(rows):
            return other
    return None


def _frame(path: Path, headers: list[str], body: list[list], first_row: int) -> RawTable:
    """Build the string DataFrame, checking headers and row widths."""
    _check_headers(path, headers)
    width = len(headers)
    rows, numbers, blank, notes = [], [], 0, []
    too_wide: list[int] = []
    for offset, rec in enumerate(body):
        if not any((c is not None and str(c).strip()) for c in rec):
            blank += 1
            continue
        if len(rec) > width:
            if any(str(c).strip() for c in rec[width:] if c is not None):
                too_wide.append(first_row + offset)
            rec = rec[:width]
        elif len(rec) < width:
            rec = list(rec) + [None] * (width - len(rec))
        rows.append(rec)
        numbers.append(first_row + offset)
    if too_wide:
        # Cells beyond the last header would be lost without a trace: refuse.
        shown = ", ".join(str(n) for n in too_wide[:10])
        more = f" (och {len(too_wide) - 10} till)" if len(too_wide) > 10 else ""
        raise UnreadableFileError(
            f"Filen {path} har rader med fler fält än rubrikraden (rad {shown}{more}). "
            "Kontrollera avgränsaren och citattecknen."
        )
    frame = pd.DataFrame(rows, columns=headers, dtype="str") if rows else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in headers}
    )
    for col in headers:
        s = frame[col].str.strip()
        frame[col] = s.where(s != "")
    frame["_rad"] = pd.array(numbers, dtype="int64")
    return RawTable(path=path, data=frame, headers=headers, blank_rows=blank, notes=notes)


def _check_headers(path: Path, headers: list[str]) -> None:
    if len(headers) < 2:
        raise UnreadableFileError(
            f"Filen {path} har bara en kolumn och kan inte vara en tabell enligt dataformatet."
        )
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        if not h:
            continue
        key = h.casefold()
        if key in seen:
            raise SchemaError(
                f"Filen {path} har två kolumner med rubriken '{h}' (kolumn {seen[key]} och {i}). "
                "Ge dem olika namn."
            )
        seen[key] = i
    if any(not h for h in headers):
        blank = [i for i, h in enumerate(headers, start=1) if not h]
        if blank == list(range(2, len(headers) + 1)):
            raise SchemaError(
                f"Filen {path} har bara en rubrik på rubrikraden, troligen en titel ovanför "
                "kolumnrubrikerna. Ta bort den raden så att kolumnrubrikerna står först."
            )
        raise SchemaError(
            f"Filen {path} har kolumner utan rubrik (kolumn {', '.join(map(str, blank))}). "
            "Ge varje kolumn en rubrik eller ta bort den."
        )


# --------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    """One Excel cell as the string the CSV reader would have produced."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    text = str(value).strip()
    return text or None


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook

    head = path.read_bytes()[:8]
    if not head:
        raise UnreadableFileError(f"Filen {path} är tom.")
    if head.startswith(_OLE_MAGIC):
        # Excel stores a password-protected .xlsx in this container too.
        raise UnreadableFileError(
            f"Filen {path} är lösenordsskyddad eller i det gamla Excel-formatet .xls. "
            "Spara en kopia utan lösenord som .xlsx och läs in den."
        )
    if not head.startswith(_XLSX_MAGIC):
        raise UnreadableFileError(
            f"Filen {path} är ingen riktig Excel-fil (.xlsx): innehållet är inte en arbetsbok. "
            "Öppna den i Excel och spara den som .xlsx."
        )
    # Damaged bytes make openpyxl, zipfile, zlib or the XML parser fail in
    # many ways (zlib.error, ParseError, EOFError, ...): every one means the
    # same thing to the user, a damaged workbook.
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (see above)
        raise UnreadableFileError(
            f"Filen {path} kunde inte läsas som Excel-fil (.xlsx): den verkar vara skadad "
            f"({type(exc).__name__})."
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001 (see above)
        raise UnreadableFileError(
            f"Filen {path} kunde inte läsas som Excel-fil (.xlsx): den verkar vara skadad "
            f"({type(exc).__name__})."
        ) from None
    finally:
        wb.close()
    header_index = _excel_header_index(rows)
    if header_index is None:
        raise UnreadableFileError(f"Filen {path} är tom (första bladet har inga värden).")
    headers = list(rows[header_index])
    # Trailing empty header cells are Excel formatting, not columns.
    while headers and headers[-1] is None:
        headers.pop()
    headers = [h or "" for h in headers]
    table = _frame(path, headers, rows[header_index + 1 :], first_row=header_index + 2)
    if header_index:
        table.notes.append(f"rubrikraden är rad {header_index + 1}; raderna ovanför hoppades över")
    return table


def _excel_header_index(rows: list[list]) -> int | None:
    """Index of the header row: title rows above a table are common in Excel.

    The header is the first row that fills at least half as many cells as
    the fullest of the first 30 rows (and at least two).
    """
    filled = [sum(1 for c in r if c) for r in rows[:30]]
    if not filled or max(filled) == 0:
        return None
    need = max(2, (max(filled) + 1) // 2)
    return next((i for i, n in enumerate(filled) if n >= need), filled.index(max(filled)))
