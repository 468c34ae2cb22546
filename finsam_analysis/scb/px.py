"""PX (PC-Axis) files as SCB writes them, turned into a JSON-stat-shaped dict.

PX is the default data format of SCB's PxWeb API 2.0 and a download choice
of the Statistikdatabasen. The format (SCB, *PX file format specification*,
2013) is a list of statements ``KEYWORD[lang]("sub","keys")=value;`` ending
with ``DATA=`` and the cube's numbers, stub variables outermost and heading
variables innermost.

Decision: a small reader of our own rather than the PyPI package ``pyaxis``.
pyaxis configures the root logger when imported, needs ``requests`` and
``pyjstat`` for a file on disk, and returns labels without the codes; the
part of the format this table uses is a few dozen lines. What is read: the
default language only (keywords without ``[lang]``), ``STUB``, ``HEADING``,
``VALUES``, ``CODES``, ``CONTVARIABLE``, ``TIMEVAL``, ``CODEPAGE`` and
``DATA``. Files with ``KEYS`` (rows keyed instead of a full cube) are refused
with a sentence, since SCB does not write them for this table.

The result has the keys a JSON-stat 2.0 dataset has (``id``, ``size``,
``dimension``, ``role``, ``value``), so the JSON-stat reader resolves its
dimensions and content labels the same way for both formats.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["PxError", "parse_px"]


class PxError(ValueError):
    """The text is not a PX file this reader can read (message in Swedish, without the file name)."""


_STATEMENT = re.compile(
    r'\s*(?P<key>[A-Za-z][A-Za-z0-9-]*)(?:\[(?P<lang>[^\]]*)\])?'
    r'(?:\((?P<sub>"[^"]*"(?:\s*,\s*"[^"]*")*)\))?\s*=\s*(?P<value>.*)',
    re.DOTALL,
)
_DATA = re.compile(r'(?:^|;)\s*DATA\s*=', re.MULTILINE)


def decode_px(raw: bytes) -> str:
    """The file's text: a BOM wins, then ``CODEPAGE``, then UTF-8, else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    head = raw[:4096].decode("latin-1")
    declared = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', head)
    if declared:
        try:
            return raw.decode(codecs.lookup(declared.group(1).strip()).name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: the content decides below
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _items(value: str) -> list[str]:
    """A statement's value as a list: items split at commas, quoted pieces of one item joined."""
    out = []
    for item in _split_outside_quotes(value, ","):
        pieces = re.findall(r'"([^"]*)"', item)
        out.append("".join(pieces) if pieces else item.strip())
    return out


def _statements(meta: str) -> dict[tuple[str, str], list[str]]:
    """``(KEYWORD, subkey)`` -> items, default language only."""
    found: dict[tuple[str, str], list[str]] = {}
    for statement in _split_outside_quotes(meta, ";"):
        if not statement.strip():
            continue
        match = _STATEMENT.match(statement)
        if match is None:
            raise PxError(f"raden {statement.strip()[:60]!r} följer inte PX-formatet (NYCKELORD=värde;)")
        if match.group("lang"):
            continue  # another language's texts; the default language is enough
        sub = ",".join(re.findall(r'"([^"]*)"', match.group("sub") or ""))
        found[(match.group("key").upper(), sub)] = _items(match.group("value"))
    return found


def _data_tokens(data: str) -> list[str]:
    body = data.split(";", 1)[0]
    return [token.strip('"') for token in re.findall(r'"[^"]*"|[^\s,"]+', body)]


def parse_px(text: str) -> dict:
    """A PX file's text as a JSON-stat-shaped dict.

    Parameters
    ----------
    text : str
        The decoded file (:func:`decode_px`).

    Returns
    -------
    dict
        ``id``, ``size``, ``dimension`` (each with ``label`` and
        ``category.index``/``category.label``), ``role`` (``metric`` from
        ``CONTVARIABLE``, ``time`` from ``TIMEVAL``), ``value`` (strings as
        written, missing-value dots included) and ``updated`` when given.

    Raises
    ------
    PxError
        When the text is not a PX file or its parts do not fit together.
    """
    found = _DATA.search(text)
    if found is None:
        raise PxError("den saknar DATA= och är därför ingen PX-fil")
    statements = _statements(text[: found.start() + 1])
    if any(key == "KEYS" for key, _ in statements):
        raise PxError("den har nycklade rader (KEYS), som den här läsaren inte tar; ladda ner hela tabellen som PX igen")
    names = statements.get(("STUB", ""), []) + statements.get(("HEADING", ""), [])
    if not names:
        raise PxError("den saknar STUB och HEADING, så dimensionerna är okända")
    dimension, sizes = {}, []
    for name in names:
        labels = statements.get(("VALUES", name))
        if labels is None:
            raise PxError(f"variabeln {name!r} saknar VALUES")
        codes = statements.get(("CODES", name), labels)
        if len(codes) != len(labels):
            raise PxError(f"variabeln {name!r} har {len(codes)} koder men {len(labels)} värden")
        dimension[name] = {"label": name, "category": {"index": codes, "label": dict(zip(codes, labels))}}
        sizes.append(len(labels))
    values = _data_tokens(text[found.end() :])
    role = {
        "metric": [n for n in statements.get(("CONTVARIABLE", ""), []) if n in dimension],
        "time": [sub for key, sub in statements if key == "TIMEVAL" and sub in dimension],
    }
    doc = {"id": names, "size": sizes, "dimension": dimension, "role": role, "value": values}
    updated = statements.get(("LAST-UPDATED", "")) or statements.get(("CREATION-DATE", ""))
    if updated:
        doc["updated"] = _px_time(updated[0])
    return doc


def _px_time(text: str) -> str | None:
    """PX times (``20250321 08:00``) as ISO text; anything else as given."""
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})\s*(\d{2}):(\d{2})", text.strip())
    return f"{match[1]}-{match[2]}-{match[3]}T{match[4]}:{match[5]}:00" if match else text
