"""Text files as förbund and SCB deliver them: the encoding and the separator.

One set of rules for every CSV the package reads (participant files,
mapping files, SCB tables; docs/dataformat.md §1):

* Encoding: a BOM wins (UTF-8, or UTF-16 as Excel's "Unicode-text" writes);
  otherwise UTF-8 if the whole file decodes. If it does not, each line is
  decoded on its own: as UTF-8 when it is valid UTF-8, else as Windows-1252
  (what Excel on Swedish Windows writes). A file pasted together from a
  UTF-8 and a Windows-1252 export thus keeps "å" right in both parts. A line
  that is neither is an error naming the line.
* Separator: of ``;``, ``,`` and tab, the one that splits the most of the
  given lines into the same number (more than one) of fields; between
  equally good ones the one splitting into more fields, then the first of
  :data:`SEPARATORS`. Quotes are read as :mod:`csv` reads them. Given the
  header line alone, that is the separator occurring most often in it
  outside quotes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from finsam_analysis.errors import UnreadableFileError

#: The separators a CSV file may use, in order of preference.
SEPARATORS = (";", ",", "\t")
#: Their names in messages.
SEPARATOR_NAMES = {";": "semikolon", ",": "komma", "\t": "tabb"}


def decode_text(path: Path, raw: bytes) -> tuple[str, str, int]:
    """Decode a text file by the rules above.

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
    return _decode_line_by_line(path, body)


def _decode_line_by_line(path: Path, body: bytes) -> tuple[str, str, int]:
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


def records(text: str, sep: str, *, keep_empty_fields: bool = False) -> list[list[str]]:
    """The records of ``text`` split by ``sep`` (quotes as :mod:`csv` reads them).

    Blank lines are left out, and so are records whose every field is empty
    (``;;;``), unless ``keep_empty_fields``.
    """
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    if keep_empty_fields:
        return [r for r in rows if r]
    return [r for r in rows if any(c.strip() for c in r)]


def modal_width(rows: list[list[str]]) -> tuple[int, int]:
    """The most common number of fields in ``rows`` (the widest of equally common ones) and how many have it."""
    counts: dict[int, int] = {}
    for row in rows:
        counts[len(row)] = counts.get(len(row), 0) + 1
    if not counts:
        return 0, 0
    most = max(counts.values())
    width = max(w for w, n in counts.items() if n == most)
    return width, most


def best_split(text: str, *, keep_empty_fields: bool = False) -> tuple[str | None, int, list[list[str]]]:
    """The separator of ``text`` by the rules above, the table's width and its records.

    Returns ``(None, 1, records)`` when no separator splits any line;
    ``keep_empty_fields`` as for :func:`records`.
    """
    best = None
    for order, sep in enumerate(SEPARATORS):
        rows = records(text, sep, keep_empty_fields=keep_empty_fields)
        width, count = modal_width(rows)
        score = (width > 1, count, width, -order)
        if best is None or score > best[0]:
            best = (score, sep, width, rows)
    (several, _, _, _), sep, width, rows = best
    return (sep, width, rows) if several else (None, 1, rows)


def detect_separator(text: str) -> str | None:
    """The separator of ``text`` (e.g. a header line), or None when it has a single column.

    A line of separators only (``;;;``) counts: it is a table with nothing in it.
    """
    return best_split(text, keep_empty_fields=True)[0]
