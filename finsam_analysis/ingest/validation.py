"""Typing and validation of raw tables: nothing lost, nothing silent.

Every rule of docs/dataformat.md §9 is a vectorised mask over the whole table. A row that
breaks one or more rules is *rejected*: it leaves the data and every reason is
written to a :class:`RejectLog` with the file, the spreadsheet row number and
the column as the user named it (their own header when a mapping was used).
Values echoed in messages pass through :func:`personnummer.redact`, so a
personnummer typed into the wrong column never reaches a message either.

Decisions where docs/dataformat.md is silent
---------------------------------
* Dates: ``YYYY-MM-DD`` and ``YYYYMMDD``, optionally followed by a time (Excel
  text exports write ``2024-03-01 00:00:00``); anything else is rejected with
  the expected format in the message, rather than guessed (``03/04/2024`` is
  ambiguous).
* Numbers: spaces as thousands separators and a decimal comma are accepted;
  a trailing ``%`` is accepted, and for a share (0–1) it divides by 100.
* Impossible födelseår: before 1900, or an age at startdatum outside
  10–100 years.
"""

from __future__ import annotations

import difflib

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping as MappingT

import numpy as np
import pandas as pd

from finsam_analysis import reference
from finsam_analysis.ingest.mapping import Mapping, norm_label
from finsam_analysis.ingest.personnummer import redact
from finsam_analysis.schema import Column

REJECT_COLUMNS = ("fil", "rad", "kolumn", "skal", "forbund_id")
MIN_AGE, MAX_AGE = 10, 100
#: Longest value echoed in a message; a 100 000-character cell must not flood the output.
MAX_SHOWN_CHARS = 60

_DATE_RE = r"^(\d{4})-?(\d{2})-?(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_LONG_QUOTED = re.compile(r"'([^']{%d})[^']+'" % MAX_SHOWN_CHARS)


def shown(text: str, quoted: bool = True) -> str:
    """``text`` made fit for a message.

    Personnummer are masked, line breaks become spaces and values longer than
    :data:`MAX_SHOWN_CHARS` are cut with "…". With ``quoted`` only the
    ``'...'`` parts of a sentence are cut.
    """
    text = redact(text)  # before cutting, so that no half number survives
    text = re.sub(r"[\r\n\t]+", " ", text)  # one message, one line
    if quoted:
        return _LONG_QUOTED.sub(lambda m: f"'{m.group(1)}…'", text)
    return text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + "…"


class RejectLog:
    """Collects (file, row, column, reason) for every broken rule."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        rows: pd.DataFrame,
        mask: pd.Series | np.ndarray,
        column: str,
        reason: str | pd.Series | Callable[[np.ndarray], pd.Series],
    ) -> None:
        """Record ``reason`` for the rows of ``rows`` where ``mask`` holds.

        ``rows`` must carry ``_fil`` and ``_rad``; ``reason`` is a string, a
        Series aligned with ``rows``, or a function of the boolean mask that
        returns the reasons of the masked rows only (so a reason quoting the
        value is built for the few bad rows, not for every row).
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        hit = rows.loc[mask]
        if callable(reason):
            why = np.asarray(pd.Series(reason(mask)).astype(str), dtype=object)
        elif isinstance(reason, pd.Series):
            why = reason.loc[mask].astype(str).to_numpy()
        else:
            why = reason
        part = pd.DataFrame(
            {
                "fil": hit["_fil"].astype(str).to_numpy(),
                "rad": hit["_rad"].astype("int64").to_numpy(),
                "kolumn": column,
                "skal": why,
            }
        )
        # The förbund as written on the row, so a report can count its own rejects.
        fid = hit["forbund_id"].astype("str").to_numpy() if "forbund_id" in hit.columns else None
        part["forbund_id"] = pd.array(fid if fid is not None else [None] * len(part), dtype="str")
        self._parts.append(part)

    def extend(self, frame: pd.DataFrame) -> None:
        """Add already formed reject records."""
        if len(frame):
            self._parts.append(frame.loc[:, list(REJECT_COLUMNS)])

    def frame(self) -> pd.DataFrame:
        """All records, redacted, sorted by file and row."""
        if not self._parts:
            return pd.DataFrame(
                {c: pd.Series([], dtype="int64" if c == "rad" else "str") for c in REJECT_COLUMNS}
            )
        out = pd.concat(self._parts, ignore_index=True)
        uniq = out["skal"].unique()
        out["skal"] = out["skal"].map({u: shown(str(u)) for u in uniq})
        return out.sort_values(["fil", "rad"], kind="stable").reset_index(drop=True)

    def rows(self, fil: str) -> set[int]:
        """Row numbers of ``fil`` that have at least one reason."""
        out: set[int] = set()
        for part in self._parts:
            out.update(part.loc[part["fil"] == fil, "rad"].tolist())
        return out


@dataclass
class TypedTable:
    """Result of :func:`type_columns`: typed data and what was found."""

    data: pd.DataFrame
    unknown_labels: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["fil", "kolumn", "etikett", "antal"])
    )


# --------------------------------------------------------------------------
# Parsers: Series of strings -> (typed Series, mask of unparseable values)
# --------------------------------------------------------------------------


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ``YYYY-MM-DD``/``YYYYMMDD`` (optionally with a time) to dates.

    Returns the dates (``datetime64[ns]``, NaT where missing or invalid) and
    a mask of present but invalid values.
    """
    present = values.notna()

    def in_domain(parsed: pd.Series) -> pd.Series:
        # Years like 0999 or 9999 parse (pandas 3 is not limited to ns) but
        # are typos here; drop them before the cast to nanoseconds.
        year = parsed.dt.year
        return parsed.where((year >= 1900) & (year <= 2100)).astype("datetime64[ns]")

    # Fast path for the canonical form; the regex handles only what is left.
    dates = in_domain(pd.to_datetime(values, format="%Y-%m-%d", errors="coerce"))
    rest = present & dates.isna()
    if rest.any():
        parts = values[rest].str.extract(_DATE_RE)
        other = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": pd.to_numeric(parts[0], errors="coerce"),
                    "month": pd.to_numeric(parts[1], errors="coerce"),
                    "day": pd.to_numeric(parts[2], errors="coerce"),
                }
            ),
            errors="coerce",
        )
        dates = dates.copy()
        dates[rest] = in_domain(other)
    bad = present & dates.isna()
    return dates, bad


def _clean_number_text(values: pd.Series) -> pd.Series:
    s = values.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    return s.str.replace(",", ".", regex=False)


def parse_numbers(values: pd.Series, integer: bool, share: bool = False) -> tuple[pd.Series, pd.Series]:
    """Parse numbers written with decimal comma, spaces or a trailing ``%``.

    Returns the numbers (``Int64`` or ``Float64``) and a mask of present but
    unparseable values (and, for ``integer``, values with decimals).
    """
    present = values.notna()
    text = _clean_number_text(values)
    percent = text.str.endswith("%").fillna(False)
    num = pd.to_numeric(text.str.rstrip("%"), errors="coerce").astype("Float64")
    if share:
        num = num.where(~percent, num / 100)
    bad = present & num.isna()
    if integer:
        frac = (num % 1).fillna(0) != 0
        bad = bad | frac.fillna(False)
        num = num.where(~frac)
        return num.round().astype("Int64"), bad
    return num, bad


def canonical_labels(vocabulary: MappingT[str, str]) -> dict[str, str]:
    """{normalised code or Swedish label -> code}: the codes, and the labels the report prints.

    A förbund that copies a label from a report ("Flyttat") into its file
    gets the code back without a ``mapping.yaml`` entry.
    """
    out = {norm_label(label): code for code, label in vocabulary.items() if isinstance(label, str)}
    out.update({norm_label(c): c for c in vocabulary})
    return out


def _label_table(values: pd.Series, vocabulary: MappingT[str, str], mapped: MappingT[str, str]) -> dict:
    """Lookup {raw label -> code or None} over the distinct labels only."""
    canonical = canonical_labels(vocabulary)
    table = {}
    for label in values.dropna().unique():
        key = norm_label(label)
        table[label] = mapped.get(key) or canonical.get(key)
    return table


def map_codes(
    values: pd.Series, vocabulary: MappingT[str, str], mapped: MappingT[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Translate labels to codes (case-insensitive); mask unknown labels."""
    table = _label_table(values, vocabulary, mapped)
    codes = values.map(table)
    bad = values.notna() & codes.isna()
    return codes.astype("str"), bad


def map_code_lists(
    values: pd.Series, vocabulary: MappingT[str, str], mapped: MappingT[str, str], sep: str
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Translate lists of labels (``sep``-separated) to ``;``-joined codes.

    Returns the joined codes, a mask of cells with an unknown item, and the
    first unknown item per cell (for the message). Repeated codes within a
    cell are kept once, in order (the first is the *primary* source).
    """
    seps = {sep, ";"}  # a canonical ';' list is always understood
    canonical = canonical_labels(vocabulary)
    joined: dict[str, str | None] = {}
    first_bad: dict[str, str | None] = {}
    for cell in values.dropna().unique():
        items = [cell]
        for s in seps:
            items = [piece for item in items for piece in item.split(s)]
        codes, bad = [], None
        for item in (i.strip() for i in items):
            if not item:
                continue
            key = norm_label(item)
            code = mapped.get(key) or canonical.get(key)
            if code is None:
                bad = bad or item
            elif code not in codes:
                codes.append(code)
        joined[cell] = None if bad else (";".join(codes) or None)
        first_bad[cell] = bad
    out = values.map(joined).astype("str")
    bad_item = values.map(first_bad)
    return out, bad_item.notna(), bad_item


def distinct_values(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The distinct values of ``values`` and, per row, the position of its own.

    Returns ``(positions, distinct)``: ``distinct`` holds each value once and
    a missing value last (always present), ``positions`` indexes into it
    (for a categorical: its categories, used or not). An
    elementwise rule then runs once per distinct value, and
    :func:`per_row` spreads the result back: participant columns hold a few
    hundred dates or codes over a million rows.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # already coded: its categories
        codes = values.cat.codes.to_numpy().astype(np.intp)
        uniques = values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=uniques.dtype).reindex(range(len(uniques) + 1))
    codes[codes < 0] = len(uniques)
    return codes, distinct


def per_row(result, positions: np.ndarray, index: pd.Index):
    """Spread a per-distinct-value result (Series or array) back to the rows.

    A boolean mask comes back as a numpy array.
    """
    if isinstance(result, pd.Series) and result.dtype != bool:
        out = result.take(positions)
        out.index = index
        return out
    flags = np.asarray(result)
    if flags.dtype == bool and not flags.any():
        return np.zeros(len(positions), dtype=bool)
    return flags[positions]


def as_categorical(values: pd.Series, categories: list[str]) -> pd.Categorical:
    """``pd.Categorical(values, categories)``, matching distinct values only.

    Values outside ``categories`` become missing, as with the constructor,
    which would instead look up every row's string.
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and list(values.cat.categories) == list(categories):
        return values.array
    positions, distinct = distinct_values(values)
    return categorical_from_distinct(distinct, positions, categories)


def categorical_from_distinct(distinct: pd.Series, positions: np.ndarray, categories) -> pd.Categorical:
    """A categorical of the rows from per-distinct-value codes (see :func:`distinct_values`)."""
    index = pd.Index(list(categories))
    codes = index.get_indexer(pd.Index(distinct.astype(object)))  # -1 or a valid code by construction
    return pd.Categorical.from_codes(codes[positions], categories=index, validate=False)


def suggestion(value: object, vocabulary: MappingT[str, str], mapped: MappingT[str, str]) -> str:
    """`` (menade du 'X'?)`` for a label close to a code, a Swedish label or a mapped label, else ``""``."""
    text = norm_label(value)
    candidates: dict[str, str] = {}
    for code, label in vocabulary.items():
        candidates.setdefault(norm_label(code), code)
        candidates.setdefault(norm_label(label), label)
    for label in mapped:
        candidates.setdefault(label, label)
    close = difflib.get_close_matches(text, list(candidates), n=1, cutoff=0.75)
    return f" (menade du '{candidates[close[0]]}'?)" if close else ""


def _kommun_reason(value: object) -> str:
    """"okänd kommunkod 'x'", with the nearest kommun name where one is close."""
    names = {norm_label(n): n for n in reference.kommuner()["kommun"]}
    close = difflib.get_close_matches(norm_label(value), list(names), n=1, cutoff=0.75)
    hint = f" (menade du '{names[close[0]]}'?)" if close else " (väntade en kommunkod som 2080 eller ett kommunnamn som Falun)"
    return f"okänd kommunkod '{value}'" + hint


def _unknown_reasons(bad_values: pd.Series, vocabulary, mapped) -> pd.Series:
    """"okänd kod 'x'" for each distinct bad value, with a suggestion where one is close."""
    return bad_values.map(
        lambda v: f"okänd kod '{v}'" + suggestion(v, vocabulary, mapped) if isinstance(v, str) else "okänd kod"
    )


def _quoted(prefix: str, values: pd.Series, suffix: str = "'") -> Callable[[np.ndarray], pd.Series]:
    """A reason quoting the value, built only for the rows it is given."""
    return lambda mask: prefix + values[mask].astype("str") + suffix


def type_columns(
    frame: pd.DataFrame,
    columns: MappingT[str, Column],
    log: RejectLog,
    headers: MappingT[str, str],
    mapping: Mapping | None = None,
    categorical: bool = False,
    distinct: MappingT[str, tuple[np.ndarray, pd.Series]] | None = None,
) -> TypedTable:
    """Type every canonical column of ``frame``, logging bad values.

    Each rule runs on the distinct values of a column and is spread back to
    the rows (:func:`distinct_values`); the result is the same as running it
    on every row.

    Parameters
    ----------
    frame : DataFrame
        Canonical column names, string values, plus ``_fil`` and ``_rad``.
    columns : mapping of Column
        The table's schema (``schema.DELTAGANDE`` etc.).
    log : RejectLog
        Where bad values are recorded.
    headers : mapping
        Canonical name → the header the user sees, for messages.
    mapping : Mapping, optional
        Value mapping and list separator.
    categorical : bool, default False
        Give coded columns as categoricals of their vocabulary (unknown codes
        missing) instead of strings: what a large table is stored as anyway,
        built here from the distinct values at no extra cost.
    distinct : mapping, optional
        Column → :func:`distinct_values` of it, where already known (e.g. the
        reader worked them out in another thread).

    Returns
    -------
    TypedTable
        The typed frame (same index) and counts of unknown labels.
    """
    mapping = mapping or Mapping.identity()
    out = frame.copy(deep=False)  # copy-on-write: replacing a column leaves `frame` as it is
    fil = frame["_fil"].iloc[0] if len(frame) else ""
    typed = [
        name
        for name, col in columns.items()
        if name in out.columns and col.kind != "personnummer" and (col.kind != "str" or mapping.values.get(name))
    ]
    known = dict(distinct or {})

    def one(name: str) -> _TypedColumn:
        found = known.get(name)
        return _type_column(
            out[name], columns[name], headers.get(name, name), mapping, categorical, fil,
            found if found is not None else distinct_values(out[name]),
        )

    # Each column on its own, then what was found is logged in schema order.
    # (Typing two columns at a time was measured: no faster, with the worker
    # thread of read_participants hashing the ids meanwhile.)
    unknown: list[pd.DataFrame] = []
    for name, result in zip(typed, map(one, typed)):
        for mask, reason in result.rejects:
            log.add(frame, mask, headers.get(name, name), reason)
        if result.unknown is not None and len(result.unknown):
            unknown.append(result.unknown)
        out[name] = result.values
    table = TypedTable(out)
    if unknown:
        table.unknown_labels = pd.concat(unknown, ignore_index=True)
    return table


@dataclass
class _TypedColumn:
    values: object
    rejects: list = field(default_factory=list)  # (mask, reason) in the order to log them
    unknown: pd.DataFrame | None = None


def _type_column(
    values: pd.Series,
    col: Column,
    header: str,
    mapping: Mapping,
    categorical: bool,
    fil: str,
    found: tuple[np.ndarray, pd.Series],
) -> _TypedColumn:
    """Type one column (pure: nothing is logged here, see :func:`type_columns`)."""
    positions, distinct = found
    mapped = mapping.values.get(col.name, {})
    result = _TypedColumn(values=None)

    def rows(per_distinct):
        return per_row(per_distinct, positions, values.index)

    def some(per_distinct, mask: np.ndarray) -> pd.Series:
        # The rows of `mask` only: messages need the few bad rows.
        return per_distinct.take(positions[mask])

    if col.kind == "str":
        table = {v: mapped.get(norm_label(v), v) for v in distinct.dropna()}
        result.values = rows(distinct.map(table).astype("str"))
    elif col.kind == "code":
        codes_u, bad_u = map_codes(distinct, col.vocabulary, mapped)
        bad = rows(bad_u)
        reasons_u = _unknown_reasons(distinct.where(bad_u), col.vocabulary, mapped)
        result.rejects.append((bad, lambda mask: some(reasons_u, mask).astype("str")))
        if bad.any():
            result.unknown = _count_unknown(values[bad], fil, header)
        if categorical:
            result.values = categorical_from_distinct(codes_u, positions, col.vocabulary)
        else:
            result.values = rows(codes_u)
    elif col.kind == "codelist":
        codes_u, bad_u, item_u = map_code_lists(distinct, col.vocabulary, mapped, mapping.list_separator)
        bad = rows(bad_u)
        reasons_u = _unknown_reasons(item_u.where(bad_u), col.vocabulary, mapped)
        result.rejects.append((bad, lambda mask: some(reasons_u, mask).astype("str")))
        if bad.any():
            result.unknown = _count_unknown(some(item_u, bad), fil, header)
        result.values = rows(codes_u)
    elif col.kind == "kommun":
        raw = distinct
        if mapped:
            raw = raw.map(lambda v: mapped.get(norm_label(v), v) if isinstance(v, str) else v)
        codes_u = reference.normalise_kommunkod(raw)
        # A kommun by name ("Falun", "Östersunds kommun") is as good as its code.
        codes_u = codes_u.mask(codes_u.notna() & ~reference.is_kommunkod(codes_u), reference.kommunkod_from_name(raw))
        codes_u = codes_u.fillna(reference.normalise_kommunkod(raw))  # keep the text of what is unknown
        bad_u = codes_u.notna() & ~reference.is_kommunkod(codes_u)
        reasons_u = raw.where(bad_u).map(_kommun_reason, na_action="ignore")
        result.rejects.append((rows(bad_u), lambda mask: some(reasons_u, mask).astype("str")))
        result.values = rows(codes_u.where(~bad_u))
    elif col.kind == "date":
        dates, bad = (rows(r) for r in parse_dates(distinct))
        result.rejects.append((bad, _quoted("ogiltigt datum '", values, "' (väntat ÅÅÅÅ-MM-DD)")))
        result.values = dates
    elif col.kind in ("int", "float"):
        nums_u, bad_u = parse_numbers(distinct, integer=col.kind == "int", share=col.bounds == (0.0, 1.0))
        what = "heltal" if col.kind == "int" else "tal"
        result.rejects.append((rows(bad_u), _quoted(f"ogiltigt {what} '", values)))
        if col.bounds is not None:
            lo, hi = col.bounds
            outside_u = (nums_u.notna() & ((nums_u < lo) | (nums_u > hi))).fillna(False)
            result.rejects.append(
                (rows(outside_u), _quoted("värdet '", values, f"' ligger utanför {_fmt(lo)}–{_fmt(hi)}"))
            )
            nums_u = nums_u.where(~outside_u)
        result.values = rows(nums_u)
    return result


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


def _count_unknown(labels: pd.Series, fil: str, header: str) -> pd.DataFrame:
    if isinstance(labels.dtype, pd.CategoricalDtype):  # count the strings, not every category
        labels = labels.astype("str")
    counts = labels.value_counts()
    return pd.DataFrame(
        {
            "fil": fil,
            "kolumn": header,
            "etikett": [shown(str(x), quoted=False) for x in counts.index],
            "antal": counts.to_numpy(dtype="int64"),
        }
    )


def require_values(
    frame: pd.DataFrame, names: list[str], log: RejectLog, headers: MappingT[str, str]
) -> None:
    """Reject rows without a value in a required column."""
    for name in names:
        if name in frame.columns:
            log.add(frame, frame[name].isna(), headers.get(name, name), "värde saknas (obligatoriskt)")


def reject_foreign_keys(
    frame: pd.DataFrame,
    column: str,
    allowed: pd.Index | set,
    target: str,
    log: RejectLog,
    headers: MappingT[str, str],
) -> None:
    """Reject rows whose ``column`` is not among ``allowed`` (a key of ``target``)."""
    values = frame[column]
    positions, distinct = distinct_values(values)  # a few hundred ids over many rows
    bad = (distinct.notna() & ~distinct.isin(list(allowed))).to_numpy(dtype=bool)[positions]
    log.add(frame, bad, headers.get(column, column), _quoted("'", values, f"' finns inte i {target}"))


def reject_duplicate_keys(
    frame: pd.DataFrame, key: tuple[str, ...], log: RejectLog, headers: MappingT[str, str]
) -> None:
    """Reject later rows repeating an identifying key of the same file."""
    present = frame[list(key)].notna().all(axis=1)
    dup = frame.duplicated(list(key), keep="first") & present
    if dup.any():
        first = frame.loc[present].drop_duplicates(list(key)).set_index(list(key))["_rad"]
        idx = pd.MultiIndex.from_frame(frame[list(key)]) if len(key) > 1 else frame[key[0]]
        first_row = pd.Series(first.reindex(idx).to_numpy(), index=frame.index)
        log.add(
            frame,
            dup,
            headers.get(key[0], key[0]),
            "samma " + "/".join(key) + " som rad " + first_row.astype("Int64").astype("str"),
        )


def relpath(path: Path, root: Path | None) -> str:
    """The file name as shown in messages: relative to the dataset root."""
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)
