"""Read a CSV or Excel file into a table of strings, row numbers kept.

This layer knows nothing about the schema. It turns whatever a förbund
delivers into a :class:`RawTable`: every cell a trimmed string (missing cells
are missing), headers as written, and for each row the number a spreadsheet
user sees (the header is row 1, so the first data row of a plain CSV is 2).
Typing, mapping and validation happen later, in one vectorised pass
(:mod:`finsam_analysis.ingest.validation`).

Two CSV readers give the same table: a fast one (pyarrow) for well-formed
UTF-8 files, and a careful one (``csv.reader``) for everything the fast one
is not sure to read the same way (see :func:`_read_csv_arrow`; a
property-based test compares them). :func:`prefetch_csv` runs the fast
reader's parsing in a worker thread, and may read chosen columns
dictionary-encoded: they come as categoricals of the same strings, with
their distinct values in ``RawTable.distinct``.

Decisions
---------
* Encoding and separator by the rules of :mod:`finsam_analysis.textfile`
  (one set for every text file the package reads); the separator is the
  header line's. A mix of UTF-8 and Windows-1252 lines is reported in
  ``RawTable.notes``. A header without any separator is "one column",
  which no table of the data format is, so it is an error.
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
from typing import Callable

import numpy as np
import pandas as pd

from finsam_analysis.errors import SchemaError, UnreadableFileError
from finsam_analysis.ingest.threads import on_two_cores
from finsam_analysis.textfile import SEPARATOR_NAMES, SEPARATORS, decode_text, detect_separator, records

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
    distinct : dict
        Header → ``(positions, distinct)`` as
        :func:`finsam_analysis.ingest.validation.distinct_values` gives them, for
        the columns read dictionary-encoded (a prefetched CSV file, columns
        the caller asked for, see :func:`prefetch_csv`). Such a column is a
        categorical of the same strings in ``data``.
    """

    path: Path
    data: pd.DataFrame
    headers: list[str]
    blank_rows: int = 0
    encoding: str | None = None
    separator: str | None = None
    notes: list[str] = field(default_factory=list)
    distinct: dict = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.data)


def read_table(path: str | Path, prefetched: Prefetched | None = None) -> RawTable:
    """Read a ``.csv`` or ``.xlsx`` file as strings.

    Parameters
    ----------
    path : str or Path
        The file.
    prefetched : Prefetched, optional
        The CSV file as :func:`prefetch_csv` read it ahead; the result is the
        same as without it.

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
    return _read_csv(path, prefetched)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


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


@dataclass
class Prefetched:
    """A CSV file read and parsed ahead, e.g. in a worker thread (:func:`prefetch_csv`).

    Attributes
    ----------
    raw : bytes or None
        The file's bytes (None if reading failed: the reader then tries again
        and reports the error itself, in its usual order).
    parsed : tuple or None
        What :func:`_parse_arrow` returned for ``raw`` (None: use the careful
        reader).
    """

    raw: bytes | None
    parsed: tuple | None = None


def prefetch_csv(path: str | Path, encode: Callable[[list[str]], list[int]] | None = None) -> Prefetched:
    """Read and parse a CSV file without judging it, for :func:`read_table` later.

    Meant for a worker thread: pyarrow parses with the GIL released, so the
    calling thread can do other work meanwhile. Never raises for a bad file;
    :func:`read_table` does every check, in the usual order, when it is
    given the result.

    Parameters
    ----------
    path : str or Path
    encode : callable, optional
        Given the headers (trimmed), the positions of the columns to read
        dictionary-encoded (see :func:`_parse_arrow`).
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return Prefetched(raw=None)
    # In a worker thread, next to a busy main thread: one core is what is left.
    return Prefetched(raw=raw, parsed=_parse_arrow(raw, threads=False, encode=encode))


def _read_csv(path: Path, prefetched: Prefetched | None = None) -> RawTable:
    raw = prefetched.raw if prefetched is not None and prefetched.raw is not None else path.read_bytes()
    # Look at the head first: strip() copies, and a big file is rarely empty.
    if not raw[:_SNIFF_BYTES].strip() and not raw.strip():
        raise UnreadableFileError(f"Filen {path} är tom.")
    _check_not_binary(path, raw)
    parsed = prefetched.parsed if prefetched is not None and prefetched.raw is not None else _parse_arrow(raw)
    if parsed is not None:
        fast = _arrow_table(path, *parsed)
        if fast is not None:
            return fast
    return _read_csv_python(path, raw)


def _read_csv_python(path: Path, raw: bytes) -> RawTable:
    """The careful reader: any encoding, leading blank lines, ragged rows."""
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
            f"Filen {path} har rubrikraden avgränsad med {SEPARATOR_NAMES[sep]} men raderna med "
            f"{SEPARATOR_NAMES[other]}. Använd samma avgränsare i hela filen."
        )
    table = _frame(path, headers, body, first_row=header_index + 2)
    table.encoding, table.separator = encoding, sep
    if cp1252_lines:
        table.notes.append(
            f"teckenkodningen var blandad: {cp1252_lines} "
            + ("rad var sparad" if cp1252_lines == 1 else "rader var sparade")
            + " som Windows-1252 och "
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
        rows = records(text, other)[1:]
        if rows and 2 * sum(len(r) == width for r in rows) > len(rows):
            return other
    return None


def _read_csv_arrow(path: Path, raw: bytes) -> RawTable | None:
    """Fast path for a well-formed UTF-8 CSV file, or None to read it carefully.

    pyarrow parses quoting the way ``csv.reader`` does (a field is quoted
    only when it starts with a quote, ``""`` inside is a quote, text after a
    closing quote is kept). Anything this path is not sure to read exactly
    as :func:`_read_csv_python` would (another encoding, a blank or ragged
    line, a header that is not on the first line, a stray control byte) makes
    it return None, so both paths give the same table. Cells are trimmed with
    the same function (Arrow's ``utf8_trim_whitespace``, which strips exactly
    what ``str.strip`` does).
    """
    parsed = _parse_arrow(raw)
    return None if parsed is None else _arrow_table(path, *parsed)


def _value_arrays(table):
    """Every chunk's values (a dictionary-encoded chunk: its dictionary)."""
    import pyarrow as pa

    for column in table.columns:
        for chunk in column.chunks:
            yield chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk


def _parse_arrow(
    raw: bytes, threads: bool = True, encode: Callable[[list[str]], list[int]] | None = None
) -> tuple | None:
    """Parse ``raw`` with pyarrow, or None to leave it to the careful reader.

    Returns ``(header cells, data columns, mask of non-blank rows,
    separator, bom)``; a data column is a pyarrow string array (trimmed, an
    empty cell missing) or, for the positions ``encode`` gives for the
    headers of the first line, a :class:`_Coded` column: pyarrow builds the
    dictionary while it parses, and trimming touches only the few distinct
    values. Only looks and parses (nothing judged yet), so it can run in a
    worker thread; :func:`_arrow_table` does the rest.
    """
    import pyarrow as pa

    bom = raw.startswith(b"\xef\xbb\xbf")
    body = memoryview(raw)[3:] if bom else memoryview(raw)
    first = _plain_first_line(raw, body, bom)
    sep = detect_separator(first) if first is not None else None
    if sep is None:
        return None
    table = _arrow_read(body, first, sep, threads, encode)
    if table is None or not _arrow_reads_as_careful(raw, table, sep):
        return None
    # Trimming is part of the parse (no judgement yet), so it too runs in a
    # worker thread when the file is prefetched.
    header_cells = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    n = table.num_rows - 1
    columns, filled = [], np.zeros(n, dtype=bool)

    def clean(column):
        return _trimmed_codes(column) if pa.types.is_dictionary(column.type) else _trimmed(column)

    for cells, present in on_two_cores(clean, [table.column(i).slice(1) for i in range(table.num_columns)], n):
        columns.append(cells)
        filled |= present
    return header_cells, columns, filled, sep, bom


def _plain_first_line(raw: bytes, body: memoryview, bom: bool) -> str | None:
    """The header line when the fast reader can take the file (UTF-8, no NUL, one line), else None."""
    if b"\x00" in raw:  # csv.reader refuses NUL; pyarrow would not
        return None
    end = raw.find(b"\n", 0, _SNIFF_BYTES)
    if end < 0:
        return None
    try:
        first = bytes(body[: end - (3 if bom else 0)]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    first = first[:-1] if first.endswith("\r") else first
    # str.splitlines() (the careful reader's header line) knows more line
    # breaks than CSV does: the first line must be the header for both.
    if not first.strip() or len(first.splitlines()) != 1:
        return None
    return first


def _arrow_read(body: memoryview, first: str, sep: str, threads: bool, encode):
    """pyarrow's table of strings (columns ``encode`` names dictionary-encoded), or None if any row is irregular."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    width = first.count(sep) + 1
    coded = set()
    if encode is not None:
        try:  # a hint only: a wrong guess still reads the same values
            names = [h.strip() for h in next(csv.reader([first], delimiter=sep))]
            coded = {i for i in encode(names) if 0 <= i < width}
        except Exception:  # noqa: BLE001
            coded = set()
    types = {
        f"f{i}": pa.dictionary(pa.int32(), pa.string()) if i in coded else pa.large_string() for i in range(width)
    }
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 22, use_threads=threads),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, quote_char='"', double_quote=True, escape_char=False,
                # a quoted line break goes to the careful reader, which checks
                # that a stray quote did not swallow rows
                # A row of another width raises (no invalid_row_handler: pyarrow would
                # decode the row for it and print a traceback on a non-UTF-8 one).
                newlines_in_values=False, ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
    except pa.ArrowInvalid:  # irregular rows, text that is not UTF-8: the careful reader names them
        return None
    if table.num_rows == 0 or table.num_columns < 2:
        return None
    return table


def _arrow_reads_as_careful(raw: bytes, table, sep: str) -> bool:
    """Whether the careful reader would read the same table (no long field, no quote left open, no quoted line break)."""
    import pyarrow.compute as pc

    if len(raw) > csv.field_size_limit():
        # a field the careful reader would refuse as too long: let it say so
        if any((pc.max(pc.binary_length(values)).as_py() or 0) > csv.field_size_limit()
               for values in _value_arrays(table)):
            return False  # fmt: skip
    if _unclosed_at_end(raw, sep):
        return False
    if b'"' in raw:
        # A line break inside quotes: the careful reader decides whether a
        # stray quote swallowed rows (it names the row).
        if any(pc.any(pc.match_substring_regex(values, "[\r\n]")).as_py() for values in _value_arrays(table)):
            return False
    return True


def _unclosed_at_end(raw: bytes, sep: str) -> bool:
    """Does a quote on the last line (one without a line break) never close?

    pyarrow then takes the rest of the file as the field; the careful reader
    refuses the file and names the row, so such a file is left to it.
    """
    last = raw[max(raw.rfind(b"\n"), raw.rfind(b"\r")) + 1 :]
    if b'"' not in last:
        return False
    try:
        list(csv.reader([last.decode("utf-8")], delimiter=sep, strict=True))
    except UnicodeDecodeError:
        return True
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


@dataclass
class _Coded:
    """A dictionary-encoded column: ``categories[codes]``, code -1 missing."""

    codes: np.ndarray
    categories: pd.Index


def _trimmed_codes(column) -> tuple[_Coded, np.ndarray]:
    """:func:`_trimmed` for a dictionary column: trim the distinct values only.

    Values that become equal when trimmed share a code, and a value that
    becomes empty is missing, so the categories are the trimmed, non-empty,
    distinct values.
    """
    import pyarrow.compute as pc

    column = column.unify_dictionaries()
    n = len(column)
    if column.num_chunks == 0 or n == 0:
        return _Coded(np.full(n, -1, dtype=np.intp), pd.Index([], dtype="str")), np.zeros(n, dtype=bool)
    trimmed = pd.array(pc.utf8_trim_whitespace(column.chunks[0].dictionary), dtype="str")
    filled = np.asarray(trimmed != "", dtype=bool)
    remap = np.full(len(trimmed), -1, dtype=np.intp)
    remap[filled], categories = pd.factorize(trimmed[filled])
    indices = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in column.chunks])
    codes = remap[indices]
    return _Coded(codes, pd.Index(categories, dtype="str")), codes >= 0


def _arrow_table(path: Path, header_cells: list[str], columns: list, filled, sep: str, bom: bool) -> RawTable | None:
    """The :class:`RawTable` of what :func:`_parse_arrow` made, or None.

    A dictionary-encoded column becomes a categorical of strings, and its
    distinct values go to ``RawTable.distinct`` (the typing uses them).
    """
    import pyarrow as pa

    if any(("\n" in h or "\r" in h) for h in header_cells) or not any(h.strip() for h in header_cells):
        return None
    headers = [h.strip() for h in header_cells]
    _check_headers(path, headers)

    n = len(filled)
    numbers = np.arange(2, n + 2, dtype=np.int64)
    blank = int(n - filled.sum())
    keep = pa.array(filled) if blank else None
    data, distinct = {}, {}
    for header, column in zip(headers, columns):
        if isinstance(column, _Coded):
            codes = column.codes[filled] if blank else column.codes
            data[header] = pd.Series(
                pd.Categorical.from_codes(codes, categories=column.categories, validate=False), copy=False
            )
            k = len(column.categories)
            distinct[header] = (
                np.where(codes < 0, k, codes),
                pd.Series(column.categories, dtype="str").reindex(range(k + 1)),
            )
        else:
            data[header] = pd.Series(pd.array(column.filter(keep) if blank else column, dtype="str"), copy=False)
    if blank:
        numbers = numbers[filled]
    frame = pd.DataFrame(data)
    frame["_rad"] = numbers
    encoding = "utf-8-sig" if bom else "utf-8"
    return RawTable(
        path=path, data=frame, headers=headers, blank_rows=blank, encoding=encoding, separator=sep, distinct=distinct
    )


#: Every character ``str.strip()`` removes (``str.isspace``); pyarrow's
#: ``utf8_trim_whitespace`` removes exactly the same (tests check both).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The bytes a white-space character can begin and end with in UTF-8: a cell
# whose first and last bytes are neither cannot need trimming.
_WS_FIRST = np.zeros(256, dtype=bool)
_WS_LAST = np.zeros(256, dtype=bool)
for _ch in WHITESPACE:
    _WS_FIRST[_ch.encode()[0]] = _WS_LAST[_ch.encode()[-1]] = True


def _trimmed(column):
    """Cells stripped of surrounding white space, empty ones missing.

    Returns the column and a numpy mask of the cells with a value. Most
    columns (dates, codes, ids) have no white space to strip: a look at each
    cell's first and last byte finds that out, and such a chunk keeps its
    buffers, the mask becoming its validity bitmap; only a chunk with a
    candidate cell is trimmed (by Arrow, as ``str.strip`` would).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks, masks = [], []
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        if chunk.null_count:  # not from the CSV reader; keep it simple
            chunk = pc.fill_null(chunk, "")
        n, offset = len(chunk), chunk.offset
        _, offsets, data = chunk.buffers()
        ends = np.frombuffer(offsets, dtype=np.int64, count=offset + n + 1)[offset:]
        nonempty = ends[1:] > ends[:-1]
        if n and np.any(nonempty):
            body = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
            starts, stops = ends[:-1][nonempty], ends[1:][nonempty]
            candidate = bool(np.any(_WS_FIRST[body[starts]]) or np.any(_WS_LAST[body[stops - 1]]))
        else:
            candidate = False
        if candidate:
            chunk = pc.utf8_trim_whitespace(chunk)
            n, offset = len(chunk), chunk.offset
            _, offsets, data = chunk.buffers()
            ends = np.frombuffer(offsets, dtype=np.int64, count=offset + n + 1)[offset:]
            nonempty = ends[1:] > ends[:-1]
        bits = np.concatenate([np.zeros(offset, dtype=bool), nonempty]) if offset else nonempty
        chunk = pa.Array.from_buffers(
            pa.large_string(),
            n,
            [pa.py_buffer(np.packbits(bits, bitorder="little")), offsets, data],
            null_count=int(n - nonempty.sum()),
            offset=offset,
        )
        chunks.append(chunk)
        masks.append(nonempty)
    mask = np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    return pa.chunked_array(chunks, type=pa.large_string()), mask


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


def _damaged_workbook(path, exc: Exception) -> UnreadableFileError:
    return UnreadableFileError(
        f"Filen {path} kunde inte läsas som Excel-fil (.xlsx): den verkar vara skadad ({type(exc).__name__})."
    )


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
        raise _damaged_workbook(path, exc) from None
    try:
        ws = wb.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001 (see above)
        raise _damaged_workbook(path, exc) from None
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
