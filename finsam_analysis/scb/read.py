"""Read SCB's helårsekvivalenter (HE0000T02N2 / TAB1386) as downloaded from PxWeb.

SCB table HE0000T02N2 (PxWeb v2 id TAB1386) counts helårsekvivalenter aged
20–64/20–65 supported by sociala ersättningar och bidrag, per kommun, kön,
åldersgrupp and month (docs/dataformat.md §10). This module turns the files a user
downloads from the statistics database into the normalised long table of
:data:`finsam_analysis.schema.HELARSEKVIVALENTER_COLUMNS`:

* :func:`read_jsonstat2` reads a JSON-stat 2.0 dataset (the PxWeb v2 default);
* :func:`read_pxweb_csv` reads the CSV downloads (long or wide by month);
* :func:`read_file` reads any one download: JSON-stat 2.0 and 1.0, PxWeb v1's
  own JSON, CSV, PX (:mod:`finsam_analysis.scb.px`) and the
  Statistikdatabasen's Excel file (:mod:`finsam_analysis.scb.sheet`);
* :func:`impute_bortfall` handles the zero trap of ekonomiskt bistånd;
* :func:`read_directory` reads a whole ``helarsekvivalenter/`` folder,
  resolves overlapping files and imputes, returning :class:`ScbData`.

Content codes (``ContentsCode``) are opaque and change between table versions,
so they are resolved only through the labels in the file itself, matched
tolerantly against the names SCB uses (including its spelling
"Sjuk- och aktivitetsersersättning").

Decisions where the spec is silent
----------------------------------
* Missing values: ``null``, empty, ``..``, ``...``, ``.``, ``-``, ``–``,
  ``x`` and ``…`` are missing (NaN), never 0. Any other text that is not a
  number is an error naming the file.
* Region: only riket (``00``) and four-digit kommunkoder are kept. Other
  region levels (two-digit län codes, or län by name: ``Stockholms län``) are
  dropped with a note. A three-digit code is taken to be a kommunkod that
  lost its leading zero in Excel, a bare kommun name (``Skellefteå``) is
  looked up in the package's kommun list, and any text with the word "riket"
  (``Riket``, ``Hela riket``), ``Sverige`` or ``Sweden`` is riket. A region
  that is none of these is not an error: its rows are left out and the note
  names it, since the rest of the file is still good.
* Kön: the codes ``1``, ``2``, ``1+2`` and ``TotSa``, and the texts SCB uses in
  Swedish and English downloads ("män och kvinnor totalt", "totalt, samtliga
  män och kvinnor", "men and women").
* A file without a kön dimension is taken as kön ``totalt`` (what PxWeb gives
  when kön is eliminated), with a note. A file without åldersgrupp is an
  error, because 20–64 and 20–65 overlap and cannot be told apart.
* A sparse JSON-stat ``value`` object is the whole cube: a position that is
  absent is a missing value (a row with NaN), exactly as ``null`` in a list.
* A CSV whose tabellinnehåll holds codes (``000006Y1``) cannot be resolved, as
  a CSV carries no labels for them: that is an error asking for text.
* JSON-stat dimensions of size 1 that are not recognised are ignored (noted);
  larger unknown dimensions are an error. The PxWeb v1 JSON-stat 1.0 wrapper
  (``{"dataset": {...}}``) is accepted too.
* The same cell twice in one file: kept once if the values agree, an error if
  they differ (a file must not contradict itself).
* Content labels are compared case-insensitively with diacritics, punctuation
  and extra spaces ignored. A label that *starts* with a known name wins (the
  longest such name); otherwise a label that contains exactly one known name
  as whole words is that content. Anything else is ignored with a note, and a
  file where no helårsekvivalenter content is recognised is an error.
* Helårsekvivalenter and folkmängd must be counts: a negative, infinite or
  over-a-billion value is an error naming the file. Folkmängd is rounded to a
  whole number. A file without Folkmängd gives
  ``folkmangd`` missing, so its zeros cannot be tested against the trap
  (this is noted by :func:`read_directory`).
* Zero trap: after imputation ``summa`` is the sum of the six ersättningar
  when all six are in the data (missing if any of them is missing); if the
  file lacks one of the six, the old summa plus the imputed value is used.
  Earlier imputations are never used as the source for a later month.
* Overlaps between files: values are compared on ``helarsekvivalenter`` and
  ``folkmangd``. The later JSON-stat ``updated`` decides only when every file
  holding the cell has one; otherwise the later file name wins. The kept file
  is reported also when the values agree.
* CSV: a title line above the header (the PxWeb "med rubrik" downloads) and
  footnote lines below the table (lines with at most one non-empty cell) are
  skipped; footnotes are noted. Besides UTF-8 and Windows-1252, UTF-16 with a
  BOM (Excel's "Unicode-text") is read, and a file mixing UTF-8 and
  Windows-1252 lines is decoded line by line, as the participant reader does
  (:func:`finsam_analysis.textfile.decode_text`).
* :func:`read_directory` skips hidden files (names starting with ``.``, the
  operating system's) and does not look into sub-folders. Every other file
  it does not read (another ending than ``.json``, ``.csv``, ``.px``,
  ``.xlsx``) is named in a note, so a population figure never goes missing
  without a word. The old Excel format ``.xls`` is one of those: save it as
  ``.xlsx`` or download CSV.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from finsam_analysis import reference
from finsam_analysis import schema
from finsam_analysis.errors import FinsamError, UnreadableFileError
from finsam_analysis.textfile import best_split, decode_text
from finsam_analysis.scb.px import PxError, decode_px, parse_px
from finsam_analysis.scb.sheet import SheetError, sheet_table

__all__ = [
    "BORTFALL_MIN_FOLKMANGD",
    "IMPUTED_COLUMNS",
    "OVERLAP_COLUMNS",
    "ScbData",
    "ScbFormatError",
    "impute_bortfall",
    "read_directory",
    "read_file",
    "read_jsonstat2",
    "read_pxweb_csv",
]


class ScbFormatError(FinsamError):
    """An SCB file (or folder of files) cannot be read as table HE0000T02N2."""

    exit_code = 2


#: Folkmängd from which a 0 in ekonomiskt bistånd is bortfall (docs/dataformat.md §10).
BORTFALL_MIN_FOLKMANGD = 1000

#: Columns of the report returned by :func:`impute_bortfall`.
IMPUTED_COLUMNS = (
    "kommunkod",
    "manad",
    "kon",
    "aldersgrupp",
    "folkmangd",
    "ursprungligt_varde",
    "imputerat_varde",
    "fran_manad",
)

#: Columns of :attr:`ScbData.overlaps`.
OVERLAP_COLUMNS = (
    "kommunkod",
    "manad",
    "kon",
    "aldersgrupp",
    "ersattning",
    "filer",
    "antal_filer",
    "olika_varden",
    "behallen_fil",
)

_CELL = ["kommunkod", "manad", "kon", "aldersgrupp"]
_KEY = [*_CELL, "ersattning"]
_SERIES = ["kommunkod", "kon", "aldersgrupp"]  # one time series of one ersättning
_ERSATTNINGAR = tuple(schema.ERSATTNING)
_SIX = tuple(code for code in _ERSATTNINGAR if code != "summa")
_EB = "ekonomiskt_bistand"
_FOLKMANGD, _ANDEL = "folkmangd", "andel"

_STR = pd.Series([], dtype="str").dtype  # pandas' default text dtype
_MISSING_TOKENS = frozenset({"", "..", "...", ".", "-", "–", "—", "x", "X", "…"})


@dataclass
class ScbData:
    """Everything read from a folder of SCB downloads.

    Attributes
    ----------
    table : pandas.DataFrame
        The normalised table (columns
        :data:`~finsam_analysis.schema.HELARSEKVIVALENTER_COLUMNS`) after
        imputation, sorted by kommun, month, kön, åldersgrupp and ersättning.
    files : list of str
        File names read, relative to the folder, in the order read.
    overlaps : pandas.DataFrame
        One row per cell found in more than one file (:data:`OVERLAP_COLUMNS`):
        the files involved, whether their values differed and which file was
        kept.
    imputed : pandas.DataFrame
        The report of :func:`impute_bortfall` (:data:`IMPUTED_COLUMNS`).
    notes : list of str
        Things worth telling the user, in Swedish.
    """

    table: pd.DataFrame
    files: list[str]
    overlaps: pd.DataFrame
    imputed: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class _FileRead:
    """One file, normalised, with what the directory reader needs besides."""

    table: pd.DataFrame
    notes: list[str]
    updated: pd.Timestamp | None = None


# --------------------------------------------------------------------------
# Text normalisation and the vocabularies of the table
# --------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, diacritics removed, punctuation as single spaces."""
    return _fold_text(str(text))


@functools.lru_cache(maxsize=4096)
def _fold_text(text: str) -> str:
    # Every file of a folder repeats the same few hundred labels.
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z+]+", " ", plain.casefold()).split())


def _fold_series(values: pd.Series) -> pd.Series:
    """:func:`_fold` over the distinct values of a Series (few distinct values)."""
    uniques = pd.unique(values.astype(str))
    return values.astype(str).map(dict(zip(uniques, map(_fold, uniques))))


# SCB's content names; the schema's labels are the correct spellings and SCB
# adds its own (the "ersersättning" typo, "Summa helårsekvivalenter").
_CONTENT_NAMES: dict[str, tuple[str, ...]] = {
    **{code: (label,) for code, label in schema.ERSATTNING.items()},
    "sjuk_och_aktivitetsersattning": (
        "Sjuk- och aktivitetsersersättning",
        schema.ERSATTNING["sjuk_och_aktivitetsersattning"],
    ),
    _FOLKMANGD: ("Folkmängd",),
    _ANDEL: ("Andel av befolkningen",),
}
# Short aliases that count only at the start of a label, never inside it.
_CONTENT_PREFIX_ONLY: dict[str, tuple[str, ...]] = {"summa": ("Summa",)}


@functools.lru_cache(maxsize=1024)
def _content_code(label: str) -> str | None:
    """The content (ersättning code, ``folkmangd`` or ``andel``) a label names."""
    tokens = tuple(_fold(label).split())
    if not tokens:
        return None
    prefix: list[tuple[int, str]] = []
    contained: set[str] = set()
    for code, names in _CONTENT_NAMES.items():
        for name in names:
            want = tuple(_fold(name).split())
            n = len(want)
            if tokens[:n] == want:
                prefix.append((n, code))
            elif any(tokens[i : i + n] == want for i in range(1, len(tokens) - n + 1)):
                contained.add(code)
    for code, names in _CONTENT_PREFIX_ONLY.items():
        for name in names:
            want = tuple(_fold(name).split())
            if tokens[: len(want)] == want:
                prefix.append((len(want), code))
    if prefix:
        return max(prefix)[1]
    if len(contained) == 1:
        return contained.pop()
    return None


_KON = {
    "1": "man",
    "2": "kvinna",
    "1+2": "totalt",
    "man": "man",  # also "män" once folded
    "men": "man",
    "kvinna": "kvinna",
    "kvinnor": "kvinna",
    "women": "kvinna",
    "totalt": "totalt",
    "total": "totalt",
    "man och kvinnor": "totalt",
    "kvinnor och man": "totalt",
    "bada konen": "totalt",
    "samtliga": "totalt",
    "men and women": "totalt",
    # SCB's texts for 1+2 in HE0000T02N2 downloads, and the code of newer v2 tables.
    "man och kvinnor totalt": "totalt",
    "kvinnor och man totalt": "totalt",
    "totalt samtliga man och kvinnor": "totalt",
    "samtliga man och kvinnor": "totalt",
    "totsa": "totalt",
    "both sexes": "totalt",
    "total men and women": "totalt",
    "men and women total": "totalt",
}


def _kon_codes(values: pd.Series) -> pd.Series:
    folded = _fold_series(values).str.replace(r"\s*\+\s*", "+", regex=True)
    codes = folded.map(_KON)
    # "Codes and texts" downloads: "1+2 män och kvinnor totalt" -> the code in front.
    code, _, text = folded.str.partition(" ")[[0, 1, 2]].T.to_numpy()
    both = pd.Series(code, index=values.index).map(_KON).where(pd.Series(text, index=values.index).map(_KON).notna())
    return codes.fillna(both)


@functools.lru_cache(maxsize=1)
def _lan_names() -> dict[str, str]:
    """Folded län name -> its 2-digit code: another region level, left out with a note like län by code."""
    lan = reference.lan()
    return dict(zip(lan["lan"].map(_fold), lan["lanskod"], strict=True))


# Riket as the English downloads and some users name it.
_RIKET_NAMES = frozenset({"riket", "hela riket", "sverige", "sweden", "hela sverige", "whole country", "total sweden"})
# An unrecognised region is kept as this prefix + its text, so that its rows are
# left out with a note (in _assemble_files) instead of failing the file.
_UNKNOWN_REGION = "?"


def _region_codes(values: pd.Series) -> pd.Series:
    """Riket -> ``00``; leading digits -> the code (4 digits, or 2 for län).

    Unrecognised values are missing.
    """
    text = values.astype(str).str.strip()
    folded = _fold_series(text)
    digits = text.str.extract(r"^(\d{1,4})(?!\d)", expand=False)
    n = digits.str.len()
    code = digits.mask(n == 3, digits.str.zfill(4))  # Excel dropped the leading zero
    code = code.mask(digits.isin(["0", "00", "000", "0000"]), schema.RIKET)
    code = code.mask(code.isna() & (folded.str.contains(r"\briket\b") | folded.isin(_RIKET_NAMES)), schema.RIKET)
    # Kommun names as the förbund files take them ("Falun", "Östersunds kommun"; Håbo and Habo kept apart).
    names = reference.kommunkod_from_name(text.str.replace(r"\s+municipality$", "", regex=True, case=False))
    return code.fillna(names.astype(object)).fillna(folded.map(_lan_names()))


def _aldersgrupp_codes(values: pd.Series) -> pd.Series:
    """``20-64``, ``20–64 år`` -> ``20-64``; other text is kept, trimmed."""
    text = values.astype(str).str.strip()
    span = text.str.extract(r"(\d+)\s*[-–—]\s*(\d+)")
    code = span[0] + "-" + span[1]
    other = text.str.replace(r"\s+år$", "", regex=True)
    return code.fillna(other.where(other != ""))


_MONTH_NAMES = {name: i for i, names in enumerate(
    (("januari", "jan", "january"), ("februari", "feb", "february"), ("mars", "mar", "march"),
     ("april", "apr"), ("maj", "may"), ("juni", "jun", "june"), ("juli", "jul", "july"),
     ("augusti", "aug", "august"), ("september", "sep", "sept"), ("oktober", "okt", "oct", "october"),
     ("november", "nov"), ("december", "dec")), start=1) for name in names}  # fmt: skip


def _month_starts(values: pd.Series) -> pd.Series:
    """``2024M01`` (also ``2024-01``, ``2024M01 2024M01``, ``januari 2024``) -> Timestamp 2024-01-01; else NaT."""
    text = values.astype(str).str.strip()
    parts = text.str.extract(r"^(\d{4})\s*(?:[Mm]\s*|-)(\d{1,2})(?:-01)?(?:\s.*)?$")
    # A month by name: "januari 2024", "2024 januari", "jan 2024".
    named = _fold_series(text).str.extract(r"^(?:([a-z]+) (\d{4})|(\d{4}) ([a-z]+))$")
    year = parts[0].fillna(named[1]).fillna(named[2])
    by_name = named[0].fillna(named[3]).map(_MONTH_NAMES)
    parts = pd.DataFrame({0: year, 1: parts[1].fillna(by_name.astype("Int64").astype(str).where(by_name.notna()))})
    month = pd.to_numeric(parts[1], errors="coerce")
    ok = month.between(1, 12)
    text = (parts[0] + "-" + parts[1].str.zfill(2) + "-01").where(ok)
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


_DIMENSIONS = {
    "region": frozenset({"region", "regionkod", "region kod", "kommun", "kommunkod"}),
    "kon": frozenset({"kon", "konkod", "kon kod", "sex"}),
    "alder": frozenset({"alder", "aldersgrupp", "aldersgrupper", "alder kod", "aldersgrupp kod", "age"}),
    "tid": frozenset({"tid", "manad", "manader", "period", "time", "tid kod", "manad kod"}),
    "content": frozenset(
        {"contentscode", "contents", "tabellinnehall", "innehall", "tabellinnehall kod", "contents code"}
    ),
}
_DIMENSION_LABELS = {
    "region": "region",
    "kon": "kön",
    "alder": "åldersgrupp",
    "tid": "månad",
    "content": "tabellinnehåll",
}
_ROLES = {"geo": "region", "time": "tid", "metric": "content"}


def _dimension_kind(name: object) -> str | None:
    folded = _fold(str(name)).replace("_", " ")
    return next((kind for kind, names in _DIMENSIONS.items() if folded in names), None)


_RESOLVERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "region": _region_codes,
    "kon": _kon_codes,
    "alder": _aldersgrupp_codes,
    "tid": _month_starts,
}
_EXPECTED = {
    "region": "en kommunkod (t.ex. 2482 eller 2482 Skellefteå) eller Riket",
    "kon": "män, kvinnor, totalt eller koderna 1, 2, 1+2",
    "alder": "t.ex. 20-64",
    "tid": "en månad som 2024M01",
}


def _examples(values: pd.Series, limit: int = 3) -> str:
    shown = [f"'{v}'" for v in pd.unique(values.astype(str))[:limit]]
    more = values.nunique() - len(shown)
    return ", ".join(shown) + (f" med flera ({more} till)" if more > 0 else "")


def _resolve(kind: str, raw: pd.Series, path: Path, fallback: pd.Series | None = None) -> pd.Series:
    """Normalise one dimension; every value must be recognised, except regions.

    An unknown region is marked (``_UNKNOWN_REGION`` + its text) and its
    rows are left out with a note: a file may hold regions the table does
    not use, and the rest of it is still good.
    """
    resolved = _RESOLVERS[kind](raw)
    if fallback is not None:
        resolved = resolved.fillna(_RESOLVERS[kind](fallback))
    bad = resolved.isna()
    if kind == "region":
        shown = raw if fallback is None else fallback
        return resolved.mask(bad, _UNKNOWN_REGION + shown.astype(str).str.strip())
    if bad.any():
        raise ScbFormatError(
            f"Filen {path}: {_DIMENSION_LABELS[kind]} {_examples(raw[bad])} känns inte igen "
            f"(väntade {_EXPECTED[kind]})."
        )
    return resolved


@functools.lru_cache(maxsize=64)
def _resolved_categories(kind: str, codes: tuple, labels: tuple) -> pd.Series | None:
    """:func:`_resolve` of a dimension's categories, or None if one is not recognised.

    Cached: the files of a folder (one per year) repeat the same categories,
    and resolving them is the slow part of reading a small file.
    """
    resolved = _RESOLVERS[kind](pd.Series(codes, dtype=object))
    resolved = resolved.fillna(_RESOLVERS[kind](pd.Series(labels, dtype=object)))
    if kind == "region":  # unknown regions are marked, as _resolve does
        return resolved.mask(resolved.isna(), _UNKNOWN_REGION + pd.Series(labels, dtype=object).astype(str).str.strip())
    return None if resolved.isna().any() else resolved


def _parse_values(raw: pd.Series, path: Path) -> pd.Series:
    """Numbers with decimal comma or point and space thousands; missing tokens -> NaN."""
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    rest = raw[numbers.isna() & raw.notna()]
    if rest.empty:
        return numbers
    text = rest.astype(str).str.strip()
    text = text[~text.isin(_MISSING_TOKENS)]
    cleaned = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    # With both marks the last one is the decimal mark; a lone comma is decimal.
    comma_last = cleaned.str.rfind(",") > cleaned.str.rfind(".")
    cleaned = cleaned.mask(comma_last, cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    cleaned = cleaned.mask(~comma_last, cleaned.str.replace(",", "", regex=False))
    parsed = pd.to_numeric(cleaned, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        raise ScbFormatError(
            f"Filen {path} har {int(bad.sum())} värden som inte är tal: {_examples(text[bad])}. "
            "Saknade värden ska vara tomma eller '..'."
        )
    numbers.loc[parsed.index] = parsed.astype("float64")
    return numbers


# --------------------------------------------------------------------------
# From resolved cells to the normalised table
# --------------------------------------------------------------------------


def _content_lookup(labels: pd.Series, path: Path, notes: list[str]) -> pd.Series:
    """Map each content label to its code; unknown labels are noted."""
    uniques = pd.unique(labels.astype(str))
    lookup = {label: _content_code(label) for label in uniques}
    unknown = [label for label, code in lookup.items() if code is None]
    if unknown:
        notes.append(
            f"Filen {path.name}: tabellinnehållet {', '.join(repr(u) for u in unknown)} "
            "känns inte igen och lästes inte."
        )
    if not any(code in schema.ERSATTNING for code in lookup.values()):
        raise ScbFormatError(
            f"Filen {path} innehåller inga helårsekvivalenter som känns igen "
            f"(tabellinnehåll: {', '.join(repr(u) for u in uniques[:6])}). "
            "Ladda ner tabellen HE0000T02N2 med tabellinnehållet i klartext."
        )
    return labels.astype(str).map(lookup)


def _empty_table() -> pd.DataFrame:
    return _typed(
        pd.DataFrame({c: pd.Series([], dtype=object) for c in schema.HELARSEKVIVALENTER_COLUMNS})
    )


_TEXT = ("kommunkod", "kon", "aldersgrupp", "ersattning")


def _as_text(out: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of ``out`` (a new frame, changed in place) as pandas text."""
    for col in columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            # Convert the few categories, then take: far cheaper than per row.
            categories = pd.array(np.asarray(out[col].cat.categories, dtype=object), dtype=_STR)
            out[col] = pd.Series(categories.take(out[col].cat.codes.to_numpy()), index=out.index)
        elif out[col].dtype != _STR:
            out[col] = out[col].astype(_STR)
    return out


def _typed(table: pd.DataFrame, text: bool = True) -> pd.DataFrame:
    """The column order and dtypes of the normalised table.

    ``text=False`` leaves categorical text columns categorical: a folder's
    table is resolved on their codes first (:func:`_resolve_overlaps`) and
    converted to text once, at the end.
    """
    # A new frame (copy-on-write): replacing its columns leaves `table` alone.
    out = table.loc[:, list(schema.HELARSEKVIVALENTER_COLUMNS)].copy(deep=False)
    _as_text(out, [c for c in _TEXT if text or not isinstance(out[c].dtype, pd.CategoricalDtype)])
    if out["manad"].dtype != "datetime64[ns]":
        out["manad"] = pd.to_datetime(out["manad"]).astype("datetime64[ns]")
    out["helarsekvivalenter"] = out["helarsekvivalenter"].astype("float64")
    out["folkmangd"] = pd.to_numeric(out["folkmangd"]).round().astype("Int64")
    out["imputerad"] = out["imputerad"].astype(bool)
    return out


def _sorted(table: pd.DataFrame, factorized: dict | None = None) -> pd.DataFrame:
    """Sorted by kommun, month, kön, åldersgrupp and ersättning (schema order).

    ``factorized`` may give ``pandas.factorize`` of these columns, if done.
    """
    # lexsort over integer ranks: much faster than sorting text columns.
    found = factorized or {}
    keys = []
    for col in _CELL:
        codes, distinct = found[col] if col in found else pd.factorize(table[col])
        ranks = pd.Index(np.asarray(distinct)).argsort().argsort()
        keys.append(ranks[codes])
    # schema order, via the few distinct values
    codes, distinct = found["ersattning"] if "ersattning" in found else pd.factorize(table["ersattning"])
    keys.append(pd.Index(_ERSATTNINGAR).get_indexer(pd.Index(np.asarray(distinct, dtype=object)))[codes])
    order = np.lexsort(keys[::-1])
    return table.take(order).reset_index(drop=True)


#: More people than this in one cell is not a count SCB can publish (Sweden: about 10.6 million).
MAX_PERSONS = 1e9


def _check_counts(cells: pd.DataFrame, paths: Sequence[Path], file: np.ndarray) -> None:
    """Helårsekvivalenter and folkmängd are counts of people: finite, 0 or more, below a billion.

    ``file`` gives each row's index in ``paths``; the message names the
    first file with such a value.
    """
    value = cells["value"]
    bad = (value.notna() & ~((value >= 0) & (value < MAX_PERSONS))).to_numpy()  # also inf and -inf
    if bad.any():
        first = int(file[bad][0])
        in_file = bad & (file == first)
        raise ScbFormatError(
            f"Filen {paths[first]} har {int(in_file.sum())} värden som inte kan vara antal personer (negativa, "
            f"oändliga eller över en miljard), till exempel {value[in_file].iloc[0]:g}. Ladda ner filen på nytt."
        )


def _cell_keys(cells: pd.DataFrame, file: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One integer per (file, kommun, month, kön, åldersgrupp), and the content's code.

    Equal cells of a file get equal keys and different cells different ones
    (missing values count as one value, as in ``duplicated``).
    """
    if not len(cells):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = [np.asarray(file), *(pd.factorize(cells[c], use_na_sentinel=False)[0] for c in _CELL)]
    key = np.ravel_multi_index(codes, [int(c.max()) + 1 for c in codes])
    content = pd.factorize(cells["content"], use_na_sentinel=False)[0]
    return key.astype(np.int64), content.astype(np.int64)


def _assemble(cells: pd.DataFrame, path: Path, notes: list[str]) -> pd.DataFrame:
    """Cells (resolved dimensions, ``content`` code, float ``value``) of one file -> table."""
    table, _ = _assemble_files(cells, np.zeros(len(cells), np.int64), [path], [notes])
    return _typed(_sorted(table))


def _note_regions(
    cells: pd.DataFrame, file: np.ndarray, rows: np.ndarray, paths: Sequence[Path], notes: Sequence[list[str]], what: str
) -> None:
    """One note per file for the regions of ``rows`` (a few named)."""
    for f in np.unique(file[rows]):
        names = pd.unique(cells["kommunkod"].to_numpy()[rows & (file == f)].astype(str))
        shown = ", ".join(repr(n.removeprefix(_UNKNOWN_REGION)) for n in names[:3])
        more = f" med flera ({len(names) - 3} till)" if len(names) > 3 else ""
        n = len(names)
        notes[f].append(f"Filen {paths[f].name}: {n} {'region' if n == 1 else 'regioner'} ({shown}{more}) {what}")


def _assemble_files(
    cells: pd.DataFrame, file: np.ndarray, paths: Sequence[Path], notes: Sequence[list[str]]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells of one or more files -> their table, and each row's file.

    Drops other region levels, checks that no file contradicts itself and
    attaches folkmängd to the ersättning rows, file by file: ``file`` gives
    each cell's index in ``paths``, and each file's notes go to its list in
    ``notes``. A folder's files are done in one pass, since per file the
    fixed cost of each step would outweigh the work.
    """
    # Categoricals: every check below works on a few distinct values.
    cells = cells.astype({c: "category" for c in ("kommunkod", "kon", "aldersgrupp", "content")})
    file = np.asarray(file, dtype=np.int64)
    regions = cells["kommunkod"].cat.categories.astype(str)
    unknown = regions[regions.str.startswith(_UNKNOWN_REGION)]
    other_regions = regions[(regions.str.len() != 4) & (regions != schema.RIKET) & ~regions.isin(unknown)]
    other_level = cells["kommunkod"].isin(other_regions).to_numpy()
    not_known = cells["kommunkod"].isin(unknown).to_numpy()
    _note_regions(cells, file, other_level, paths, notes, "som varken är kommun eller riket (t.ex. län) lästes inte.")
    _note_regions(cells, file, not_known, paths, notes, "känns inte igen som kommun, län eller riket; deras rader lästes inte.")
    other_level = other_level | not_known
    has_population = np.zeros(len(paths), dtype=bool)
    has_population[file[(cells["content"] == _FOLKMANGD).to_numpy()]] = True
    wanted = ~other_level & cells["content"].isin([*_ERSATTNINGAR, _FOLKMANGD]).to_numpy()
    cells, file = cells[wanted], file[wanted]
    _check_counts(cells, paths, file)

    # Integer keys (from the columns' codes) for the two duplicate tests:
    # the same answers as on the columns, without hashing them.
    cell_key, content_code = _cell_keys(cells, file)
    full_key = cell_key * (int(content_code.max(initial=0)) + 2) + content_code + 1
    keep = ~pd.DataFrame({"k": full_key, "v": cells["value"].to_numpy()}).duplicated().to_numpy()
    cells, file, cell_key, full_key = cells.loc[keep], file[keep], cell_key[keep], full_key[keep]
    clash = pd.Series(full_key).duplicated(keep=False).to_numpy()
    if clash.any():
        first = cells[clash].iloc[0]
        raise ScbFormatError(
            f"Filen {paths[int(file[clash][0])]} har olika värden för samma uppgift ({first['content']}, region "
            f"{first['kommunkod']}, {first['manad']:%Y-%m}, {first['kon']}, {first['aldersgrupp']}). "
            "Ladda ner filen på nytt."
        )

    for f in np.flatnonzero(~has_population):
        notes[f].append(
            f"Filen {paths[f].name} saknar folkmängd, så andelar och nollfällan för ekonomiskt "
            "bistånd kan inte beräknas för dess uppgifter."
        )
    # A left join on the cell (each cell of a file has at most one folkmängd:
    # the clash test above), by integer keys.
    is_he = cells["content"].isin(_ERSATTNINGAR).to_numpy()
    is_pop = (cells["content"] == _FOLKMANGD).to_numpy()
    at = pd.Index(cell_key[is_pop]).get_indexer(cell_key[is_he])
    # A trailing NaN is what a cell without folkmängd (at == -1) picks up.
    pop_values = np.append(cells["value"].to_numpy(dtype=float)[is_pop], np.nan)
    table = cells[is_he].reset_index(drop=True).assign(folkmangd=pop_values[at])
    table = table.rename(columns={"content": "ersattning", "value": "helarsekvivalenter"})
    table["imputerad"] = False
    return table, file[is_he]


# --------------------------------------------------------------------------
# JSON-stat 2.0
# --------------------------------------------------------------------------


def _load_json(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScbFormatError(f"Filen {path} kunde inte öppnas ({exc.strerror}).") from None
    if not raw.strip():
        raise ScbFormatError(f"Filen {path} är tom.")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScbFormatError(f"Filen {path} är inte en textfil i UTF-8, så den kan inte vara JSON-stat.") from None
    except json.JSONDecodeError as exc:
        raise ScbFormatError(
            f"Filen {path} är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}). Ladda ner den på nytt."
        ) from None
    if not isinstance(doc, dict):
        raise ScbFormatError(f"Filen {path} är JSON men inte ett JSON-stat-dataset.")
    # PxWeb v1 wraps a JSON-stat 1.0 dataset as {"dataset": {...}}.
    if "dimension" not in doc and len(doc) == 1:
        inner = next(iter(doc.values()))
        if isinstance(inner, dict) and "dimension" in inner:
            doc = inner
    if "columns" in doc and "data" in doc and "dimension" not in doc:
        return doc  # PxWeb v1's own JSON format (px-json), read by _pxjson_frame
    if doc.get("class") in ("collection", "bundle") or "dimension" not in doc or "value" not in doc:
        raise ScbFormatError(
            f"Filen {path} är inte ett JSON-stat-dataset (dimension och value saknas). "
            "Ladda ner tabellen i formatet JSON-stat2."
        )
    return doc


def _categories(path: Path, dim_id: str, dimension: dict) -> tuple[list[str], dict]:
    """The category codes of one dimension in position order, and their labels."""
    category = dimension.get("category") if isinstance(dimension, dict) else None
    if not isinstance(category, dict):
        raise ScbFormatError(f"Filen {path}: dimensionen {dim_id} saknar kategorier (category).")
    labels = category.get("label") or {}
    index = category.get("index")
    if index is None:
        codes = list(labels)
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    else:
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda item: int(item[1]))]
    return codes, {str(k): str(v) for k, v in labels.items()}


def _parse_updated(value: object, path: Path, notes: list[str]) -> pd.Timestamp | None:
    if value in (None, ""):
        return None
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        notes.append(f"Filen {path.name}: tidpunkten updated ({value!r}) kunde inte tolkas och används inte.")
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def _jsonstat_cells(doc: dict, path: Path, notes: list[str]) -> pd.DataFrame:
    dimensions = doc["dimension"]
    ids = doc.get("id") or dimensions.get("id")
    sizes = doc.get("size") or dimensions.get("size")
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise ScbFormatError(f"Filen {path}: id och size i JSON-stat-filen saknas eller har olika längd.")
    sizes = [int(s) for s in sizes]
    kinds, categories = _jsonstat_dimensions(doc, ids, sizes, path, notes)
    total = int(np.prod(sizes))
    if total == 0:
        raise ScbFormatError(f"Filen {path} innehåller inga uppgifter (en dimension är tom).")
    raw = _jsonstat_values(doc["value"], total, path)
    # JSON-stat stores the cube row-major in the order of "id".
    coords = np.unravel_index(np.arange(total, dtype=np.int64), sizes)
    cells = {"value": _parse_values(raw, path)}
    for kind, axis in kinds.items():
        codes, labels = categories[axis]
        code_series = pd.Series(codes, dtype=object)
        label_series = code_series.map(lambda c, labels=labels: labels.get(c, c))
        if kind == "content":
            # Opaque codes: only the file's own labels say what they are.
            resolved = _content_lookup(label_series, path, notes)
        else:
            resolved = _resolved_categories(kind, tuple(codes), tuple(label_series))
            if resolved is None:  # not recognised: _resolve names the file and values
                resolved = _resolve(kind, code_series, path, fallback=label_series)
            else:
                resolved = resolved.copy()
        # Expand through category codes, not by copying strings per cell.
        positions, distinct = pd.factorize(resolved)
        if kind == "tid":
            cells[kind] = np.asarray(distinct, dtype="datetime64[ns]")[positions[coords[axis]]]
        else:
            cells[kind] = pd.Categorical.from_codes(positions[coords[axis]], categories=distinct)
    frame = pd.DataFrame(cells)
    if "kon" not in kinds:
        notes.append(f"Filen {path.name} saknar kön; uppgifterna läses som totalt för båda könen.")
        frame["kon"] = "totalt"
    return frame.rename(columns={"region": "kommunkod", "alder": "aldersgrupp", "tid": "manad"})


def _jsonstat_dimensions(doc: dict, ids: list, sizes: list[int], path: Path, notes: list[str]):
    """Which axis is which dimension of the table (region, tid, content, ålder, kön) and each axis' categories."""
    dimensions = doc["dimension"]
    roles = doc.get("role") or dimensions.get("role") or {}
    role_of = {str(d): _ROLES[r] for r, members in roles.items() if r in _ROLES for d in (members or [])}
    kinds: dict[str, int] = {}
    categories = []
    for axis, dim_id in enumerate(ids):
        dimension = dimensions.get(dim_id)
        codes, labels = _categories(path, dim_id, dimension)
        if len(codes) != sizes[axis]:
            raise ScbFormatError(
                f"Filen {path}: dimensionen {dim_id} har {len(codes)} kategorier men size säger {sizes[axis]}."
            )
        categories.append((codes, labels))
        kind = _dimension_kind(dim_id) or _dimension_kind(dimension.get("label", "")) or role_of.get(dim_id)
        if kind is None:
            if sizes[axis] == 1:
                notes.append(f"Filen {path.name}: dimensionen {dim_id} känns inte igen och hoppades över.")
                continue
            raise ScbFormatError(
                f"Filen {path} har dimensionen {dim_id} som inte hör till tabellen HE0000T02N2."
            )
        if kind in kinds:
            raise ScbFormatError(
                f"Filen {path} har två dimensioner för {_DIMENSION_LABELS[kind]} "
                f"({ids[kinds[kind]]} och {dim_id})."
            )
        kinds[kind] = axis
    for kind in ("region", "tid", "content", "alder"):
        if kind not in kinds:
            raise ScbFormatError(f"Filen {path} saknar dimensionen {_DIMENSION_LABELS[kind]}.")
    return kinds, categories


def _jsonstat_values(values, total: int, path: Path) -> pd.Series:
    """The cube's values as one object Series of ``total`` cells (the sparse form filled in with null)."""
    if isinstance(values, dict):
        # Sparse form: an absent position is null, so the cube is filled in.
        positions = np.array([int(p) for p in values], dtype=np.int64)
        if len(positions) and (positions.min() < 0 or positions.max() >= total):
            raise ScbFormatError(f"Filen {path}: value har positioner utanför tabellen (storlek {total}).")
        dense = np.full(total, None, dtype=object)
        dense[positions] = list(values.values())
        return pd.Series(dense, dtype=object)
    if isinstance(values, list):
        if len(values) != total:
            raise ScbFormatError(
                f"Filen {path}: value har {len(values)} värden men dimensionerna ger {total}."
            )
        return pd.Series(values, dtype=object)
    raise ScbFormatError(f"Filen {path}: value är varken en lista eller ett objekt.")


def _read_jsonstat2(path: Path) -> _FileRead:
    cells, notes, updated = _jsonstat2_cells(path)
    return _FileRead(_assemble(cells, path, notes), notes, updated)


def _jsonstat2_cells(path: Path) -> tuple[pd.DataFrame, list[str], pd.Timestamp | None]:
    """A JSON-stat 2.0 download's cells, notes and ``updated`` time."""
    notes: list[str] = []
    doc = _load_json(path)
    if "columns" in doc:
        return _pxjson_cells(doc, path, notes)
    updated = _parse_updated(doc.get("updated"), path, notes)
    try:
        cells = _jsonstat_cells(doc, path, notes)
    except ScbFormatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ScbFormatError(
            f"Filen {path} kunde inte läsas som JSON-stat 2.0 ({type(exc).__name__}: {exc}). "
            "Ladda ner tabellen på nytt i formatet JSON-stat2."
        ) from None
    return cells, notes, updated


def _pxjson_cells(doc: dict, path: Path, notes: list[str]) -> tuple[pd.DataFrame, list[str], pd.Timestamp | None]:
    """PxWeb v1's ``json`` format: ``columns`` (type d, t or c) and ``data`` rows of ``key`` and ``values``.

    Read as the CSV layout it is: one column per dimension (named by its
    code or text, whichever is recognised) and one value column per content,
    named by the content's text.
    """
    try:
        columns = doc["columns"]
        header = []
        for column in columns:
            code, text = str(column.get("code", "")), str(column.get("text", ""))
            if column.get("type") == "c":
                header.append(text or code)
            else:
                header.append(code if _dimension_kind(code) else text)
        rows = [[*map(str, row["key"]), *("" if v is None else str(v) for v in row["values"])] for row in doc["data"]]
        frame = pd.DataFrame(rows, columns=header, dtype=object)
        meta = doc.get("metadata") or [{}]
        updated = _parse_updated(meta[0].get("updated") if isinstance(meta[0], dict) else None, path, notes)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ScbFormatError(
            f"Filen {path} kunde inte läsas som JSON från PxWeb ({type(exc).__name__}: {exc}). "
            "Ladda ner tabellen på nytt i formatet JSON-stat2."
        ) from None
    if frame.empty:
        raise ScbFormatError(f"Filen {path} innehåller inga uppgifter.")
    return _csv_cells(frame, path, notes), notes, updated


def _px_cells(path: Path) -> tuple[pd.DataFrame, list[str], pd.Timestamp | None]:
    """A PX file's cells, notes and update time (:mod:`finsam_analysis.scb.px`)."""
    notes: list[str] = []
    try:
        doc = parse_px(decode_px(path.read_bytes()))
    except OSError as exc:
        raise ScbFormatError(f"Filen {path} kunde inte öppnas ({exc.strerror}).") from None
    except PxError as exc:
        raise ScbFormatError(f"Filen {path} kunde inte läsas som PX-fil: {exc}.") from None
    updated = _parse_updated(doc.get("updated"), path, notes)
    return _jsonstat_cells(doc, path, notes), notes, updated


# Header names for stub columns an Excel download leaves unnamed, by what their values are.
_STUB_NAMES = {"region": "region", "kon": "kön", "alder": "ålder", "tid": "månad"}


def _stub_name(values: pd.Series, taken: set[str]) -> str | None:
    """The dimension an unnamed column holds, judged by its values."""
    values = values[values.astype(str).str.strip() != ""]
    for kind, name in _STUB_NAMES.items():
        if name not in taken and _RESOLVERS[kind](values).notna().all():
            return name
    if "tabellinnehåll" not in taken and values.map(_content_code).notna().all():
        return "tabellinnehåll"
    return None


def _xlsx_cells(path: Path) -> tuple[pd.DataFrame, list[str], None]:
    """An Excel download's cells and notes (:mod:`finsam_analysis.scb.sheet`)."""
    notes: list[str] = []
    try:
        header, body, footnotes = sheet_table(path)
    except SheetError as exc:
        raise ScbFormatError(f"Filen {path} kunde inte läsas som Excel-fil från Statistikdatabasen: {exc}.") from None
    frame = pd.DataFrame(body, dtype=object)
    taken = {h for h in header if h}
    for i, name in enumerate(header):
        if not name:
            header[i] = _stub_name(frame[i], taken) or f"kolumn {i + 1}"
            taken.add(header[i])
    frame.columns = header
    if footnotes:
        notes.append(f"Filen {path.name}: {_rader(footnotes)} med fotnoter eller annan text under tabellen lästes inte.")
    return _csv_cells(frame, path, notes), notes, None


def _rader(n: int) -> str:
    return f"{n} {'rad' if n == 1 else 'rader'}"


def _with_attrs(read: _FileRead) -> pd.DataFrame:
    table = read.table
    table.attrs = {"scb_notes": list(read.notes), "scb_updated": read.updated}
    return table


def read_jsonstat2(path: str | Path) -> pd.DataFrame:
    """Read a JSON-stat 2.0 download of HE0000T02N2 / TAB1386.

    Parameters
    ----------
    path : str or Path
        A ``.json`` file as downloaded from PxWeb (v2 ``json-stat2``; the v1
        JSON-stat wrapper is accepted too). Dimensions may come in any order
        and their ids in English or Swedish (``Region``/``region``,
        ``Kon``/``kön``, ``Aldersgrupp``/``ålder``, ``Tid``/``månad``,
        ``ContentsCode``/``tabellinnehåll``). ``value`` may be a dense list or
        a sparse ``{position: value}`` object.

    Returns
    -------
    pandas.DataFrame
        The normalised table (:data:`schema.HELARSEKVIVALENTER_COLUMNS`) before
        imputation: ``imputerad`` is False everywhere and missing values are
        NaN. "Andel av befolkningen" is not kept. ``attrs["scb_notes"]`` holds
        notes in Swedish and ``attrs["scb_updated"]`` the file's ``updated``
        time (UTC, or None).

    Raises
    ------
    ScbFormatError
        When the file is not a readable JSON-stat dataset of this table.
    """
    return _with_attrs(_read_jsonstat2(Path(path)))


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[: 64 * 1024] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScbFormatError(f"Filen {path} är inte en textfil (den innehåller binära data).")
    # The participant reader's rules: a BOM wins, else UTF-8, else line by line.
    try:
        return decode_text(path, raw)[0]
    except UnreadableFileError as exc:
        raise ScbFormatError(str(exc)) from None


def _records(path: Path, text: str) -> tuple[int, list[list[str]]]:
    """The table width and the non-empty records (separator: :func:`finsam_analysis.textfile.best_split`).

    The true separator splits the header and every data line into the same
    number of fields; a decimal comma under ``;`` gives ragged widths.
    """
    sep, width, rows = best_split(text)
    if sep is None:
        raise ScbFormatError(
            f"Filen {path} har bara en kolumn: varken semikolon, komma eller tabb skiljer kolumnerna."
        )
    return width, rows


def _csv_frame(path: Path, notes: list[str]) -> pd.DataFrame:
    """The table part of a PxWeb CSV as strings, headers trimmed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScbFormatError(f"Filen {path} kunde inte öppnas ({exc.strerror}).") from None
    if not raw.strip():
        raise ScbFormatError(f"Filen {path} är tom.")
    if raw.startswith(b"PK\x03\x04"):
        raise ScbFormatError(f"Filen {path} är en Excel- eller zip-fil, inte CSV. Ladda ner tabellen som CSV.")
    width, records = _records(path, _decode(path, raw))
    start = next(i for i, r in enumerate(records) if len(r) == width)  # lines above: the title
    header = [h.strip() for h in records[start]]
    body, footnotes = [], 0
    for record in records[start + 1 :]:
        # A data line has at least a region and a value; one cell is a footnote.
        if sum(bool(c.strip()) for c in record) <= 1:
            footnotes += 1
        elif len(record) == width:
            body.append([c.strip() for c in record])
        else:
            raise ScbFormatError(
                f"Filen {path}: raden med innehållet {';'.join(record)[:60]!r} har {len(record)} fält "
                f"men rubrikraden har {width}."
            )
    if footnotes:
        notes.append(f"Filen {path.name}: {_rader(footnotes)} med fotnoter eller annan text under tabellen lästes inte.")
    if not body:
        raise ScbFormatError(f"Filen {path} har en rubrikrad men inga uppgifter.")
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    keep = [i for i, h in enumerate(header) if h or (frame[i] != "").any()]  # trailing separators
    frame = frame[keep]
    header = [header[i] for i in keep]
    seen = pd.Series(header)
    if seen.duplicated().any():
        raise ScbFormatError(f"Filen {path} har samma rubrik flera gånger: {_examples(seen[seen.duplicated()])}.")
    frame.columns = header
    return frame


_MONTH_IN_HEADER = re.compile(r"(?<![0-9A-Za-z])(\d{4}M\d{2})(?![0-9A-Za-z])")


def _split_header(header: str) -> tuple[str | None, str | None]:
    """``"Sjukpenning 2024M01"`` -> (``"Sjukpenning"``, ``"2024M01"``)."""
    found = _MONTH_IN_HEADER.search(header)
    month = found.group(1) if found else None
    rest = _MONTH_IN_HEADER.sub(" ", header) if found else header
    rest = rest.strip(" ,;:-–")
    return (rest or None), month


def _csv_cells(frame: pd.DataFrame, path: Path, notes: list[str]) -> pd.DataFrame:
    dims: dict[str, str] = {}
    values: list[str] = []
    for header in frame.columns:
        kind = _dimension_kind(header)
        if kind is None:
            values.append(header)
        elif kind in dims:
            notes.append(f"Filen {path.name}: kolumnen {header!r} upprepar {dims[kind]!r} och lästes inte.")
        else:
            dims[kind] = header
    if "region" not in dims:
        raise ScbFormatError(f"Filen {path} saknar en kolumn för region.")
    if "alder" not in dims:
        raise ScbFormatError(
            f"Filen {path} saknar en kolumn för ålder (åldersgrupp); 20-64 och 20-65 kan inte skiljas åt utan den."
        )
    split = {header: _split_header(header) for header in values}
    if "content" in dims:
        if "tid" in dims:
            if len(values) != 1:
                raise ScbFormatError(
                    f"Filen {path} har kolumner för både tabellinnehåll och månad men {len(values)} värdekolumner; "
                    "väntade en enda."
                )
            layout = "long"
        else:
            not_month = [h for h, (content, month) in split.items() if content is not None or month is None]
            if not_month:
                raise ScbFormatError(
                    f"Filen {path}: kolumnerna {', '.join(map(repr, not_month[:3]))} är inga månader "
                    "(som 2024M01), fast tabellinnehållet står i en egen kolumn."
                )
            layout = "wide_by_time"
    else:
        no_content = [h for h, (content, _) in split.items() if content is None]
        if no_content:
            raise ScbFormatError(
                f"Filen {path} saknar tabellinnehåll: kolumnen {no_content[0]!r} säger inte vilken ersättning den gäller."
            )
        with_month = [h for h, (_, month) in split.items() if month is not None]
        if "tid" in dims and with_month:
            raise ScbFormatError(f"Filen {path} anger månaden både i en kolumn och i rubriken {with_month[0]!r}.")
        if "tid" not in dims and len(with_month) != len(values):
            missing = next(h for h in values if h not in with_month)
            raise ScbFormatError(f"Filen {path} saknar månad för kolumnen {missing!r}.")
        layout = "long_by_content"

    long = frame.melt(id_vars=list(dims.values()), value_vars=values, var_name="_column", value_name="_value")
    if layout == "long":
        content_text, month_text = long[dims["content"]], long[dims["tid"]]
    elif layout == "wide_by_time":
        content_text = long[dims["content"]]
        month_text = long["_column"].map({h: month for h, (_, month) in split.items()})
    else:
        content_text = long["_column"].map({h: content for h, (content, _) in split.items()})
        month_text = long[dims["tid"]] if "tid" in dims else long["_column"].map(
            {h: month for h, (_, month) in split.items()}
        )
    cells = pd.DataFrame(
        {
            "kommunkod": _resolve("region", long[dims["region"]], path),
            "manad": _resolve("tid", month_text, path),
            "aldersgrupp": _resolve("alder", long[dims["alder"]], path),
            "content": _content_lookup(content_text, path, notes),
            "value": _parse_values(long["_value"], path),
        }
    )
    if "kon" in dims:
        cells["kon"] = _resolve("kon", long[dims["kon"]], path)
    else:
        notes.append(f"Filen {path.name} saknar kön; uppgifterna läses som totalt för båda könen.")
        cells["kon"] = "totalt"
    return cells


def _read_pxweb_csv(path: Path) -> _FileRead:
    cells, notes, _ = _pxweb_csv_cells(path)
    return _FileRead(_assemble(cells, path, notes), notes)


def _pxweb_csv_cells(path: Path) -> tuple[pd.DataFrame, list[str], None]:
    """A CSV download's cells and notes (no ``updated`` time in CSV)."""
    notes: list[str] = []
    try:
        frame = _csv_frame(path, notes)
        cells = _csv_cells(frame, path, notes)
    except ScbFormatError:
        raise
    except (csv.Error, KeyError, TypeError, ValueError, UnicodeError) as exc:
        raise ScbFormatError(
            f"Filen {path} kunde inte läsas som en CSV-fil från PxWeb ({type(exc).__name__}: {exc})."
        ) from None
    return cells, notes, None


def read_pxweb_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV download of HE0000T02N2 / TAB1386.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` file: UTF-8 (with or without BOM) or Windows-1252;
        separator ``,``, ``;`` or tab (detected); codes or texts in the
        dimension columns. Two layouts are read: *long* (one column per
        content label, possibly followed by the month, e.g.
        ``Sjukpenning 2024M01``, or a month column) and *wide by time* (a
        tabellinnehåll column and one column per month, ``2024M01``...).
        Decimal comma, space thousands separators and ``..`` are understood.

    Returns
    -------
    pandas.DataFrame
        The normalised table, as :func:`read_jsonstat2` returns it
        (``attrs["scb_updated"]`` is None: CSV carries no update time).

    Raises
    ------
    ScbFormatError
        When the file cannot be read as a download of this table.
    """
    return _with_attrs(_read_pxweb_csv(Path(path)))


# --------------------------------------------------------------------------
# The zero trap
# --------------------------------------------------------------------------


def impute_bortfall(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace zeros in ekonomiskt bistånd that are really bortfall (docs/dataformat.md §10).

    Where a kommun has not reported ekonomiskt bistånd for a month SCB shows 0.
    A 0 in a kommun (not riket) whose own row has ``folkmangd`` ≥
    :data:`BORTFALL_MIN_FOLKMANGD` is replaced by the same kommun's latest
    earlier month (same kön and åldersgrupp) with a value that is neither
    missing nor bortfall; without one it becomes missing. The row and the
    recomputed ``summa`` row of that kommun-month are flagged ``imputerad``.

    Parameters
    ----------
    table : pandas.DataFrame
        A normalised table (:data:`schema.HELARSEKVIVALENTER_COLUMNS`).

    Returns
    -------
    table : pandas.DataFrame
        A new table, sorted, with the imputations made.
    report : pandas.DataFrame
        One row per replaced value (:data:`IMPUTED_COLUMNS`): the original
        value (0), the imputed one (NaN if none) and ``fran_manad``, the month
        it was taken from (NaT if none).
    """
    return _impute(_sorted(_typed(table)))


def _impute(out: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`impute_bortfall` on a typed and sorted table (changed in place)."""
    is_eb = out["ersattning"] == _EB
    eb = out.loc[is_eb, [*_CELL, "helarsekvivalenter", "folkmangd"]]
    value = eb["helarsekvivalenter"]
    large = (eb["folkmangd"] >= BORTFALL_MIN_FOLKMANGD).fillna(False).astype(bool)
    bortfall = (value == 0) & (eb["kommunkod"] != schema.RIKET) & large

    # Last usable value strictly before each month: ffill, then shift by one.
    usable = value.notna() & ~bortfall
    source = eb[_SERIES].assign(_value=value.where(usable), _month=eb["manad"].where(usable))
    filled = source.groupby(_SERIES, sort=False)[["_value", "_month"]].ffill()
    previous = filled.groupby([source[c] for c in _SERIES], sort=False).shift(1)

    report = eb.loc[bortfall, [*_CELL, "folkmangd"]].assign(
        ursprungligt_varde=value[bortfall],
        imputerat_varde=previous.loc[bortfall, "_value"].astype("float64"),
        fran_manad=previous.loc[bortfall, "_month"].astype("datetime64[ns]"),
    )
    report = report.loc[:, list(IMPUTED_COLUMNS)].reset_index(drop=True)
    if report.empty:
        return out, report

    rows = bortfall[bortfall].index  # `eb` keeps the index of `out`
    out.loc[rows, "helarsekvivalenter"] = previous.loc[rows, "_value"]
    out.loc[rows, "imputerad"] = True

    # summa of the affected kommun-months: the six after imputation.
    affected = pd.MultiIndex.from_frame(report[_CELL])
    cell_index = pd.MultiIndex.from_frame(out[_CELL])
    in_affected = cell_index.isin(affected)
    six = out[in_affected & out["ersattning"].isin(_SIX)]
    sums = six.groupby(_CELL)["helarsekvivalenter"].agg(["sum", "count", "size"])
    complete = sums["size"] == len(_SIX)
    recomputed = sums["sum"].where(sums["count"] == len(_SIX)).where(complete)
    is_summa = in_affected & (out["ersattning"] == "summa").to_numpy()
    old = pd.Series(out.loc[is_summa, "helarsekvivalenter"].to_numpy(), index=cell_index[is_summa])
    imputed = pd.Series(report["imputerat_varde"].to_numpy(), index=affected)
    new = recomputed.reindex(old.index)
    # Without all six in the data, add the imputed value to SCB's own summa.
    new = new.where(complete.reindex(old.index).fillna(False).astype(bool), old + imputed.reindex(old.index))
    out.loc[is_summa, "helarsekvivalenter"] = new.to_numpy()
    out.loc[is_summa, "imputerad"] = True
    return out, report


# --------------------------------------------------------------------------
# A folder of downloads
# --------------------------------------------------------------------------


# The readers by file ending; every other file in the folder is named in a note.
_READERS: dict[str, Callable[[Path], tuple[pd.DataFrame, list[str], pd.Timestamp | None]]] = {
    ".json": lambda path: _jsonstat2_cells(path),
    ".csv": lambda path: _pxweb_csv_cells(path),
    ".px": lambda path: _px_cells(path),
    ".xlsx": lambda path: _xlsx_cells(path),
}
_KINDS = "JSON-stat (.json), CSV (.csv), PX (.px) eller Excel (.xlsx)"


def _file_cells(path: Path) -> tuple[pd.DataFrame, list[str], pd.Timestamp | None]:
    """A download's cells, notes and ``updated`` time, by its ending."""
    return _READERS[path.suffix.lower()](path)


def read_file(path: str | Path) -> pd.DataFrame:
    """Read one SCB download of HE0000T02N2 / TAB1386 in any form :func:`read_directory` reads.

    Parameters
    ----------
    path : str or Path
        A ``.json`` (JSON-stat 2.0 or 1.0, or PxWeb v1's own JSON), ``.csv``,
        ``.px`` or ``.xlsx`` file.

    Returns
    -------
    pandas.DataFrame
        The normalised long table; the file's notes in ``attrs["scb_notes"]``.

    Raises
    ------
    ScbFormatError
        When the file cannot be read, or its ending is none of these.
    """
    path = Path(path)
    if path.suffix.lower() not in _READERS:
        raise ScbFormatError(f"Filen {path} kan inte läsas: bara {_KINDS} läses.")
    cells, notes, updated = _file_cells(path)
    return _with_attrs(_FileRead(_assemble(cells, path, notes), notes, updated))


def _resolve_overlaps(
    plain: pd.DataFrame, file: np.ndarray, names: Sequence[str], updated: Sequence[pd.Timestamp | None]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine the files; keep one row per cell and report cells in several files.

    ``plain`` holds the rows of every file (typed, text columns may be
    categorical, not sorted) and ``file`` each row's index in ``names`` and
    ``updated``. The result is typed and sorted.
    """
    no_overlaps = pd.DataFrame({c: pd.Series([], dtype=object) for c in OVERLAP_COLUMNS})
    if plain.empty:
        return _empty_table(), no_overlaps
    if (file == file[0]).all():
        return _typed(_sorted(plain)), no_overlaps
    # One integer per cell key: everything below works on integers.
    factorized = {c: pd.factorize(plain[c]) for c in _KEY}
    codes = [factorized[c][0] for c in _KEY]
    key = np.ravel_multi_index(codes, [int(c.max()) + 1 for c in codes])
    in_several = pd.Series(key).duplicated(keep=False).to_numpy()
    if not in_several.any():
        return _typed(_sorted(plain, factorized)), no_overlaps
    helpers = ["_file", "_order", "_updated"]
    combined = plain.assign(
        _file=np.asarray(names, dtype=object)[file],
        _order=file,
        _updated=pd.to_datetime(pd.Series(list(updated), dtype=object)).to_numpy()[file],
    )

    over = combined[in_several]
    cell = pd.factorize(key[in_several])[0]  # 0 .. number of overlapping cells - 1
    n_cells = int(cell.max()) + 1
    order = over["_order"].to_numpy()
    updated = pd.to_datetime(over["_updated"]).astype("datetime64[ns]")
    # `updated` decides only when every file with the cell has one.
    undated = np.bincount(cell, weights=updated.isna().to_numpy(), minlength=n_cells)
    stamp = updated.to_numpy().view("int64")
    rank = np.where(undated[cell] == 0, stamp, np.iinfo("int64").min)
    ranked = np.lexsort((order, rank, cell))
    last = np.r_[cell[ranked][1:] != cell[ranked][:-1], True]
    kept = over.iloc[ranked[last]]  # one row per cell, in cell order

    # Which files hold each cell: a presence matrix, named once per distinct combination.
    presence = np.zeros((n_cells, len(names)), dtype=bool)
    presence[cell, order] = True
    if len(names) < 63:  # a row fits in one int64 as bits: factorize instead of sorting rows
        bits = presence.astype(np.int64) @ (np.int64(1) << np.arange(len(names), dtype=np.int64))
        combo_of_cell, signatures = pd.factorize(bits)
        combos = ((signatures[:, None] >> np.arange(len(names))) & 1).astype(bool)
    else:
        combos, combo_of_cell = np.unique(presence, axis=0, return_inverse=True)
    combo_names = np.array(["; ".join(np.asarray(names)[row]) for row in combos], dtype=object)

    differed = _differs(over["helarsekvivalenter"], cell) | _differs(over["folkmangd"], cell)
    overlaps = kept[_KEY].assign(
        filer=combo_names[np.ravel(combo_of_cell)],
        antal_filer=presence.sum(axis=1),
        olika_varden=differed,
        behallen_fil=kept["_file"].to_numpy(),
    )
    overlaps = _as_text(_sorted(overlaps).loc[:, list(OVERLAP_COLUMNS)], _TEXT)

    table = pd.concat([combined[~in_several], kept], ignore_index=True).drop(columns=helpers)
    return _typed(_sorted(table)), overlaps


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The files' tables one after another; categorical columns stay categorical.

    ``pandas.concat`` turns categoricals with different categories into
    objects (text per row); their union keeps the work on a few distinct values.
    """
    columns = {}
    for col in tables[0].columns:
        parts = [t[col] for t in tables]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[col] = pd.Series(union_categoricals(parts, ignore_order=True))
        else:
            columns[col] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def _differs(values: pd.Series, cell: np.ndarray) -> np.ndarray:
    """Per cell: do the files disagree (a missing value against a number counts)?"""
    numbers = pd.Series(pd.to_numeric(values).astype("float64").to_numpy())
    grouped = numbers.groupby(cell)
    low, high = grouped.min().to_numpy(), grouped.max().to_numpy()
    missing = numbers.isna().groupby(cell).sum().to_numpy()
    size = grouped.size().to_numpy()
    return np.where(missing == 0, low != high, missing < size)


def _listed(folder: Path) -> tuple[list[Path], list[str]]:
    """The folder's files to read, in name order, and the names of the others (hidden files aside)."""
    if not folder.is_dir():
        raise ScbFormatError(f"Mappen {folder} finns inte.")
    # Hidden files (.DS_Store, macOS "._" copies) are the system's, not the user's.
    visible = sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")), key=lambda p: p.name)
    files = [p for p in visible if p.suffix.lower() in _READERS]
    skipped = [p.name for p in visible if p.suffix.lower() not in _READERS]
    if not files:
        raise ScbFormatError(
            f"Mappen {folder} innehåller inga filer från SCB ({_KINDS})"
            + (f"; {', '.join(skipped[:3])} kan inte läsas" if skipped else "")
            + ". Ladda ner tabellen HE0000T02N2 som JSON-stat2, CSV eller PX och lägg den där."
        )
    return files, skipped


def read_directory(path: str | Path) -> ScbData:
    """Read every SCB download (``.json``, ``.csv``) in a folder.

    Files are read in name order and combined. A cell (kommun, month, kön,
    åldersgrupp, ersättning) found in several files is an overlap: equal
    values are kept once; different values are taken from the file with the
    later JSON-stat ``updated`` time, else from the file later in name order.
    Every overlap is reported. The zero trap is then handled by
    :func:`impute_bortfall`.

    Parameters
    ----------
    path : str or Path
        The folder, usually ``<dataset>/helarsekvivalenter``.

    Returns
    -------
    ScbData

    Raises
    ------
    ScbFormatError
        When the folder is missing or holds no ``.json``/``.csv`` file, or a
        file cannot be read (the message names the file).
    """
    folder = Path(path)
    files, skipped = _listed(folder)
    read = [_file_cells(p) for p in files]
    cells = _concat([c for c, _, _ in read])
    of_file = np.repeat(np.arange(len(files)), [len(c) for c, _, _ in read])
    file_notes = [n for _, n, _ in read]
    # All files in one pass (per file, each step's fixed cost outweighs its work).
    table, of_file = _assemble_files(cells, of_file, files, file_notes)
    notes = [note for n in file_notes for note in n]
    if skipped:
        notes.append(
            f"{len(skipped)} {'fil' if len(skipped) == 1 else 'filer'} i mappen lästes inte ({', '.join(skipped[:5])}"
            + (" med flera" if len(skipped) > 5 else "")
            + f"): bara {_KINDS} läses."
        )

    combined, overlaps = _resolve_overlaps(
        _typed(table, text=False), of_file, [p.name for p in files], [u for _, _, u in read]
    )
    if not overlaps.empty:
        differed = int(overlaps["olika_varden"].sum())
        notes.append(
            f"{len(overlaps)} uppgifter fanns i flera filer: {len(overlaps) - differed} med samma värde "
            f"lästes en gång, och för {differed} med olika värden behölls den senast uppdaterade filen."
        )

    unchecked = (
        (combined["ersattning"] == _EB)
        & (combined["helarsekvivalenter"] == 0)
        & (combined["kommunkod"] != schema.RIKET)
        & combined["folkmangd"].isna()
    )
    if unchecked.any():
        notes.append(
            f"{int(unchecked.sum())} nollor för ekonomiskt bistånd kunde inte prövas som bortfall "
            "eftersom folkmängd saknas; de lästes som 0."
        )
    table, imputed = _impute(combined)
    if not imputed.empty:
        without = int(imputed["imputerat_varde"].isna().sum())
        minimum = f"{BORTFALL_MIN_FOLKMANGD:,}".replace(",", " ")
        notes.append(
            f"{len(imputed)} värden för ekonomiskt bistånd var 0 i kommuner med minst {minimum} "
            "invånare och räknades som bortfall: de ersattes med kommunens senaste tidigare månad"
            + (f" ({without} saknade tidigare månad och lämnades tomma)." if without else ".")
        )
    return ScbData(table=table, files=[p.name for p in files], overlaps=overlaps, imputed=imputed, notes=notes)
