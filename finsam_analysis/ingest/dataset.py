"""Load a dataset directory (docs/dataformat.md §1) into typed, validated tables.

``load_dataset(path)`` reads every file of the layout, maps a förbund's own
participant file through ``mapping.yaml``, replaces personnummer by keyed
pseudonyms, rejects rows that break a rule and accounts for every row read:
``loaded + rejected + duplicates = read`` for each file (see
:class:`DataQuality`). Nothing here prints; the CLI and the report decide
what to show.

Speed (docs/performance-load.md): a worker thread parses the participant CSV
with pyarrow while this thread reads the small tables and the SCB files, and
another hashes the person ids for the duplicate test while the columns are
typed; every rule runs on distinct values. Checks, messages and errors come
in the same order as reading one file after another.

Decisions where docs/dataformat.md is silent
---------------------------------
* ``deltagande.csv`` and ``deltagande.xlsx`` may both be present; both are
  read and combined (e.g. most förbund in canonical CSV and one delivered as
  its own Excel file). ``mapping.yaml`` applies to each (see
  :mod:`finsam_analysis.ingest.mapping`).
* A row may carry ``deltagare_id`` or ``personnummer``, not both. A
  ``deltagare_id`` that is itself a valid personnummer (a common mistake) is
  pseudonymised like one and counted, never kept.
* ``kon`` and ``fodelsear`` may be left out when personnummer is given; an
  explicit value wins over the one derived from the number.
* A generated ``deltagande_id`` is a hash of (deltagare_id, insats_id,
  startdatum): stable between runs, unique after duplicates are removed.
* ``dataset.yaml`` (optional) describes the dataset; ``synthetic: true``
  makes every report carry the synthetic-data banner.
* A ``forbund_id`` must be an ascii slug (letters a–z in either case,
  digits, ``_`` and ``-``, starting with a letter or digit): it names the
  report's files, so ``../x``, ``/tmp/x`` or ``javascript:x`` are rejected
  rows, and so are the rows that refer to them.
"""

from __future__ import annotations

import datetime as _dt

import hashlib
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from finsam_analysis.ingest import personnummer as pnr
from finsam_analysis import schema
from finsam_analysis.aldersgrupper import parse_aldersgrupper
from finsam_analysis.memo import PerDataset
from finsam_analysis.errors import SchemaError, UnreadableFileError
from finsam_analysis.ingest.mapping import Mapping, check_mapped_headers, load_mapping, resolve_headers
from finsam_analysis.ingest.readers import Prefetched, RawTable, prefetch_csv, read_table
from finsam_analysis.ingest.validation import (MAX_AGE, MIN_AGE, RejectLog, as_categorical, distinct_values, reject_duplicate_keys, reject_foreign_keys, relpath, require_values, type_columns)

PARTICIPANT_FILES = ("deltagande.csv", "deltagande.xlsx")
MAPPING_FILE = "mapping.yaml"
METADATA_FILE = "dataset.yaml"
HELARSEKVIVALENTER_DIR = "helarsekvivalenter"

#: A förbund id is an ascii slug (docs/dataformat.md §2): it becomes a file name.
FORBUND_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]*"
FORBUND_ID_REASON = "ogiltigt forbund_id: bara a–z, A–Z, 0–9, _ och - (id:t blir ett filnamn)"


@dataclass
class FileQuality:
    """Row accounting for one input file."""

    fil: str
    rader_lasta: int = 0
    rader_inlasta: int = 0
    rader_avvisade: int = 0
    dubbletter: int = 0
    tomma_rader: int = 0
    ignorerade_kolumner: list[str] = field(default_factory=list)
    summarader: int = 0  # total and note rows, recognised and left out (_summary_rows)


@dataclass
class DataQuality:
    """What was read, rejected and changed on the way in.

    Attributes
    ----------
    files : list of FileQuality
        Row accounting per file.
    rejects : DataFrame
        One row per broken rule: ``fil``, ``rad``, ``kolumn``, ``skal``.
    duplicates : DataFrame
        ``fil``, ``rad``, ``forsta_rad`` of participations dropped as exact
        duplicates (same person, insats and startdatum).
    unknown_labels : DataFrame
        ``fil``, ``kolumn``, ``etikett``, ``antal``.
    pseudonymised_ids : int
        ``deltagare_id`` values that were personnummer and were pseudonymised.
    notes : list of str
        Other things worth telling the user, in Swedish.
    """

    files: list[FileQuality] = field(default_factory=list)
    rejects: pd.DataFrame = field(default_factory=lambda: RejectLog().frame())
    duplicates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["fil", "rad", "forsta_rad"])
    )
    unknown_labels: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["fil", "kolumn", "etikett", "antal"])
    )
    pseudonymised_ids: int = 0
    notes: list[str] = field(default_factory=list)
    scb_files: list[str] = field(default_factory=list)
    imputed: pd.DataFrame | None = None
    scb_overlaps: pd.DataFrame | None = None

    @property
    def rejected_rows(self) -> int:
        """Number of distinct rows rejected, over all files."""
        return sum(f.rader_avvisade for f in self.files)

    @property
    def duplicate_rows(self) -> int:
        return sum(f.dubbletter for f in self.files)

    def summary(self) -> pd.DataFrame:
        """Per-file accounting as a table (Swedish column names)."""
        return pd.DataFrame(
            [
                {
                    "Fil": f.fil,
                    "Lästa rader": f.rader_lasta,
                    "Inlästa": f.rader_inlasta,
                    "Avvisade": f.rader_avvisade,
                    "Dubbletter": f.dubbletter,
                    "Summa- och anteckningsrader": f.summarader,
                }
                for f in self.files
            ]
        )

    def rejected_by_reason(self) -> pd.DataFrame:
        """Rejected rows per file, column and kind of reason."""
        if self.rejects.empty:
            return pd.DataFrame(columns=["fil", "kolumn", "skal", "rader"])
        kind = self.rejects["skal"].str.replace(r"\s*'.*", "", regex=True)
        return (
            self.rejects.assign(skal=kind)
            .groupby(["fil", "kolumn", "skal"], sort=True)["rad"]
            .nunique()
            .rename("rader")
            .reset_index()
        )


@dataclass
class Dataset:
    """A loaded dataset directory.

    Attributes
    ----------
    path : Path
        The directory.
    forbund, medlemmar, insatser, insats_ekonomi, deltagande : DataFrame
        Canonical, typed tables (docs/dataformat.md §2–5); rejected rows removed.
    forbund_ekonomi : DataFrame
        The förbund's economy per year (docs/dataformat.md §2); empty
        without ``forbund_ekonomi.csv``.
    insats_mal : DataFrame
        The verksamhetsplan's targets per insats and year with their status
        (docs/dataformat.md §4); empty without ``insats_mal.csv``.
    samhallsekonomi : DataFrame
        The user's unit amounts for the samhällsekonomisk estimate
        (docs/dataformat.md §2); empty without ``samhallsekonomi.csv``.
        ``deltagande`` never has a ``personnummer`` column.
    helarsekvivalenter : DataFrame or None
        The normalised SCB table (filled by the benefit-statistics reader).
    quality : DataQuality
        Row accounting, rejects, duplicates.
    inputs : dict
        Relative file name → sha256 of every input file read (provenance).
    metadata : dict
        Contents of ``dataset.yaml`` when present.
    aldersgrupper : tuple of (int, int)
        The run's own age groups (:mod:`finsam_analysis.aldersgrupper`), set
        with :func:`with_aldersgrupper`; not read from a file.
    """

    path: Path
    forbund: pd.DataFrame
    medlemmar: pd.DataFrame
    insatser: pd.DataFrame
    insats_ekonomi: pd.DataFrame
    deltagande: pd.DataFrame
    quality: DataQuality
    inputs: dict[str, str]
    metadata: dict = field(default_factory=dict)
    helarsekvivalenter: pd.DataFrame | None = None
    forbund_ekonomi: pd.DataFrame = field(default_factory=lambda: _empty(schema.FORBUND_EKONOMI))
    insats_mal: pd.DataFrame = field(default_factory=lambda: _empty(schema.INSATS_MAL))
    samhallsekonomi: pd.DataFrame = field(default_factory=lambda: _empty(schema.SAMHALLSEKONOMI))
    aldersgrupper: tuple = ()

    def rejected_rows(self, forbund_id: str | None = None) -> int:
        """Rejected participant rows, of one förbund (as written) or all."""
        rej = self.quality.rejects
        rej = rej.loc[rej["fil"].isin(PARTICIPANT_FILES)]
        if forbund_id is not None:
            rej = rej.loc[rej["forbund_id"] == forbund_id]
        return int(rej[["fil", "rad"]].drop_duplicates().shape[0])

    def rejected_rows_per_forbund(self) -> dict[str, int]:
        """:meth:`rejected_rows` of every förbund with rejected rows, at once."""
        rej = self.quality.rejects
        rej = rej.loc[rej["fil"].isin(PARTICIPANT_FILES) & rej["forbund_id"].notna()]
        counts = rej[["forbund_id", "fil", "rad"]].drop_duplicates()["forbund_id"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    @property
    def synthetic(self) -> bool:
        """True when ``dataset.yaml`` marks the data as synthetic."""
        return bool(self.metadata.get("synthetic", False))

    @property
    def uttagsdatum(self) -> _dt.date | None:
        """The extract date: the last day the data describe (docs/rapporter.md §1).

        ``uttagsdatum`` in ``dataset.yaml`` when given, else the latest start
        or end date in the participations (:attr:`uttagsdatum_source` says
        which). None for a dataset without participations. A period that ends
        after it is refused (:func:`finsam_analysis.ingest.coverage.check_period`).
        """
        given = self.metadata.get(UTTAGSDATUM_KEY)
        if given is not None:
            return given
        dates = pd.concat([self.deltagande["startdatum"], self.deltagande["slutdatum"]]).dropna()
        return None if dates.empty else dates.max().date()

    @property
    def uttagsdatum_source(self) -> str:
        """``"dataset.yaml"`` or ``"data"`` (the latest date in the participations)."""
        return "dataset.yaml" if self.metadata.get(UTTAGSDATUM_KEY) is not None else "data"


# --------------------------------------------------------------------------
# Small tables
# --------------------------------------------------------------------------


def _canonical_frame(raw: RawTable, spec: schema.TableSpec, fil: str, mapping: Mapping | None = None):
    """Rename headers to canonical names; check required columns exist."""
    if spec.name == "deltagande":
        check_mapped_headers(raw.headers, mapping or Mapping.identity(), fil)
        resolved = resolve_headers(raw.headers, mapping or Mapping.identity())
    else:
        lookup = {h.strip().casefold(): h for h in raw.headers}
        resolved = {lookup[c]: c for c in spec.columns if c in lookup}
    frame = raw.data[list(resolved)].rename(columns=resolved)
    frame["_rad"] = raw.data["_rad"]
    frame["_fil"] = fil
    headers = {canon: header for header, canon in resolved.items()}
    ignored = [h for h in raw.headers if h not in resolved]
    return frame, headers, ignored


def _missing_columns_error(fil: str, missing: list[str], raw: RawTable, mapped: bool) -> SchemaError:
    found = ", ".join(raw.headers[:12]) + (" …" if len(raw.headers) > 12 else "")
    hint = (
        " Ange förbundets rubrik för den under columns: i mapping.yaml."
        if mapped or fil.startswith("deltagande")
        else ""
    )
    names = ", ".join(f"'{m}'" for m in missing)
    word = "kolumnen" if len(missing) == 1 else "kolumnerna"
    return SchemaError(
        f"Filen {fil} saknar den obligatoriska {word} {names} (hittade: {found}).{hint}"
    )


def _read_small(
    path: Path, spec: schema.TableSpec, root: Path, log: RejectLog, quality: DataQuality
) -> pd.DataFrame:
    raw = read_table(path)
    fil = relpath(path, root)
    quality.notes.extend(f"{fil}: {note}." for note in raw.notes)
    frame, headers, ignored = _canonical_frame(raw, spec, fil)
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise _missing_columns_error(fil, missing, raw, mapped=False)
    for name in spec.columns:
        if name not in frame.columns:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="str")
    typed = type_columns(frame, spec.columns, log, headers).data
    # Judged on the raw cells: an invalid value is reported as invalid, not missing.
    require_values(frame, list(spec.required), log, headers)
    if spec.key:
        reject_duplicate_keys(typed, spec.key, log, headers)
    quality.files.append(
        FileQuality(fil=fil, rader_lasta=raw.n_rows, tomma_rader=raw.blank_rows, ignorerade_kolumner=ignored)
    )
    return typed


# --------------------------------------------------------------------------
# Participations
# --------------------------------------------------------------------------


def _read_participant_frame(
    path: Path,
    root: Path | None,
    mapping: Mapping,
    log: RejectLog,
    quality: DataQuality,
    prefetched: Prefetched | None = None,
) -> tuple[pd.DataFrame, dict[str, str], FileQuality]:
    raw = read_table(path, prefetched)
    fil = relpath(path, root)
    quality.notes.extend(f"{fil}: {note}." for note in raw.notes)
    frame, headers, ignored = _canonical_frame(raw, schema.TABLES["deltagande"], fil, mapping)
    # Distinct values the reader worked out ahead, for the columns kept as read.
    distinct = {canon: raw.distinct[header] for canon, header in headers.items() if header in raw.distinct}
    summary = _summary_rows(raw.data, frame)
    if summary.any():
        quality.notes.append(_summary_note(fil, frame, summary))
        frame = frame[~summary]
        distinct = {}  # worked out over every row; typing recomputes them
    for col, value in mapping.defaults.items():
        distinct.pop(col, None)
        if col in frame.columns:
            frame[col] = _as_text(frame[col]).fillna(value)
        else:
            frame[col] = pd.Series(value, index=frame.index, dtype="str")
    has_pnr = "personnummer" in frame.columns
    missing = [c for c in ("forbund_id", "insats_id", "startdatum") if c not in frame.columns]
    if "deltagare_id" not in frame.columns and not has_pnr:
        missing.append("deltagare_id' eller 'personnummer")
    if not has_pnr:
        missing += [c for c in ("kon", "fodelsear") if c not in frame.columns]
    if missing:
        raise _missing_columns_error(fil, missing, raw, mapped=bool(mapping.columns))
    for name in schema.DELTAGANDE:
        if name not in frame.columns:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="str")
    fq = FileQuality(
        fil=fil, rader_lasta=raw.n_rows, tomma_rader=raw.blank_rows, ignorerade_kolumner=ignored,
        summarader=int(summary.sum()),
    )  # fmt: skip
    return frame, headers, fq, distinct


# The first filled cell of a total row, as a coordinator writes it ("Summa", "Totalt:", "Antal deltagare").
_TOTAL_WORD = re.compile(r"^\s*(summa|summering|totalt|total|antal|sum)\b", re.IGNORECASE)
# A note: a phrase (a word of three letters or more, then a space), never an id or a personnummer.
_PHRASE = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]{3,}\s")


def _summary_rows(raw: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Rows that are a total or a note, not a participation.

    Decision (docs/dataformat.md §9): a row without startdatum is a *total
    row* when its first filled cell starts with Summa, Summering, Totalt,
    Total, Antal or Sum and its person column holds no digit, and a *note
    row* when it has exactly one filled cell and that cell is a phrase
    (a word of three letters or more followed by a space). Both are left
    out, counted per file and named by row number only: a note's text is
    not repeated, since it may hold anything. Every other incomplete row is
    rejected as before, with its reasons.
    """
    if "startdatum" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    candidate = frame["startdatum"].isna().to_numpy()
    if not candidate.any():
        return candidate
    cells = raw.loc[candidate, [c for c in raw.columns if c != "_rad"]].astype(object)
    filled = cells.notna() & (cells.astype(str).apply(lambda col: col.str.strip()) != "")
    first = cells.where(filled).bfill(axis=1).iloc[:, 0].astype(str)
    person = pd.Series("", index=cells.index)
    for name in ("personnummer", "deltagare_id"):
        if name in frame.columns:
            person = person + frame.loc[candidate, name].fillna("").astype(str)
    no_digit = ~person.str.contains(r"\d", regex=True)
    total = first.str.match(_TOTAL_WORD) & no_digit
    note = (filled.sum(axis=1) == 1) & first.str.contains(_PHRASE) & no_digit
    out = np.zeros(len(frame), dtype=bool)
    out[candidate] = (total | note).to_numpy(dtype=bool)
    return out


def _summary_note(fil: str, frame: pd.DataFrame, rows: np.ndarray) -> str:
    numbers = frame["_rad"].to_numpy()[rows]
    shown = ", ".join(str(n) for n in numbers[:5]) + (" …" if len(numbers) > 5 else "")
    n = int(rows.sum())
    return (
        f"{fil}: {n} {'rad' if n == 1 else 'rader'} med summor eller anteckningar (rad {shown}) "
        "är inga deltaganden och lästes inte"
    )


def typed_columns(headers: list[str], mapping: Mapping) -> list[int]:
    """Positions of the headers that feed a typed column of ``deltagande``.

    The columns :func:`type_columns` parses (worth dictionary-encoding
    ahead, see :func:`readers.prefetch_csv`).
    """
    resolved = resolve_headers(headers, mapping)
    out = []
    for i, header in enumerate(headers):
        name = resolved.get(header)
        if name is None:
            continue
        kind = schema.DELTAGANDE[name].kind
        if kind != "personnummer" and (kind != "str" or mapping.values.get(name)):
            out.append(i)
    return out


def _pseudonymise(frame: pd.DataFrame, headers, key: bytes, log: RejectLog, quality: DataQuality):
    """Replace personnummer by HMAC pseudonyms; derive kön and födelseår."""
    raw_pnr = frame["personnummer"]
    # Only the rows that carry a number are parsed and changed: in a national
    # file most rows may already have a pseudonymous deltagare_id.
    has = raw_pnr.notna().to_numpy(dtype=bool)
    parsed = pnr.parse(raw_pnr[has])
    header = headers.get("personnummer", "personnummer")
    invalid = np.zeros(len(frame), dtype=bool)
    invalid[has] = parsed["fel"].notna().to_numpy(dtype=bool)
    # The reason never echoes the number itself (docs/dataformat.md §7).
    log.add(frame, invalid, header, lambda mask: "ogiltigt personnummer (" + parsed["fel"][mask[has]].astype("str") + ")")
    both = has & frame["deltagare_id"].notna().to_numpy(dtype=bool)
    log.add(frame, both, header, "både deltagare_id och personnummer är ifyllda; ange bara det ena")
    valid = parsed["pnr12"].notna().to_numpy(dtype=bool)
    rows = frame.index[has][valid]
    ids = pnr.pseudonymise(parsed["pnr12"][valid], key)
    frame["deltagare_id"] = _replaced(frame["deltagare_id"], rows, ids)
    fill = frame.loc[rows, "kon"].isna().to_numpy(dtype=bool)
    frame["kon"] = _replaced(frame["kon"], rows[fill], parsed["kon"][valid][fill])
    fill = frame.loc[rows, "fodelsear"].isna().to_numpy(dtype=bool)
    derived_year = parsed["fodelsear"][valid][fill].astype("Int64").astype("str")
    frame["fodelsear"] = _replaced(frame["fodelsear"], rows[fill], derived_year)
    frame["_pnr_invalid"] = invalid
    return frame.drop(columns=["personnummer"])


def _as_text(column: pd.Series) -> pd.Series:
    """A column the reader gave as a categorical, as plain strings (to be changed)."""
    return column.astype("str") if isinstance(column.dtype, pd.CategoricalDtype) else column


def _replaced(column: pd.Series, rows: pd.Index, values: pd.Series) -> pd.Series:
    """``column`` with the cells of ``rows`` set to ``values`` (a new Series).

    A categorical (as the reader may give a column) stays one, with the new
    values added to its categories.
    """
    values = values.to_numpy(dtype=object)
    if isinstance(column.dtype, pd.CategoricalDtype):
        new = pd.Index(pd.unique(values)).difference(column.cat.categories)
        out = column.cat.add_categories(new.astype(column.cat.categories.dtype)) if len(new) else column.copy()
    else:
        out = column.copy()
    if len(rows):
        out.loc[rows] = values
    return out


def _guard_ids(frame: pd.DataFrame, get_key, quality: DataQuality) -> pd.DataFrame:
    """Pseudonymise any deltagare_id that is really a personnummer."""
    ids = frame["deltagare_id"]
    # Only the written forms of a personnummer (10 or 12 digits): a short
    # numeric löpnummer is a legitimate pseudonymous key and stays as it is.
    written = ids.str.match(r"\d").fillna(False).astype(bool)  # cheap first look: a digit first
    if written.any():
        written[written] = ids[written].str.fullmatch(r"(?:\d{2})?\d{6}[-+]?\d{4}").fillna(False).astype(bool)
    looks = written.copy()
    if written.any():  # parse only the candidates, not a million pseudonyms
        looks[written] = pnr.looks_like_personnummer(ids[written]).fillna(False).astype(bool)
    n = int(looks.sum())
    if n:
        parsed = pnr.parse(ids[looks])
        frame.loc[looks, "deltagare_id"] = pnr.pseudonymise(parsed["pnr12"], get_key())
        quality.pseudonymised_ids += n
        quality.notes.append(
            f"{n} värden i deltagare_id var personnummer; de har ersatts med pseudonymer."
        )
    return frame


def _require_participant_values(raw: pd.DataFrame, headers, log: RejectLog) -> None:
    """Missing required values, judged on the raw (untyped) cells."""
    h = headers.get
    require_values(raw, ["forbund_id", "insats_id", "startdatum"], log, headers)
    log.add(
        raw,
        raw["deltagare_id"].isna() & ~raw.get("_pnr_invalid", False),
        h("deltagare_id", h("personnummer", "deltagare_id")),
        "värde saknas (deltagare_id eller personnummer krävs)",
    )
    log.add(
        raw,
        raw["fodelsear"].isna() & ~raw.get("_pnr_invalid", False),
        h("fodelsear", "fodelsear"),
        "värde saknas (obligatoriskt)",
    )


def _participant_rules(frame: pd.DataFrame, headers, log: RejectLog) -> None:
    h = headers.get
    ended = frame["slutdatum"].notna()
    before = ended & (frame["slutdatum"] < frame["startdatum"]).fillna(False)
    log.add(frame, before, h("slutdatum", "slutdatum"), "slutdatum ligger före startdatum")
    log.add(
        frame,
        ended & frame["avslutsanledning"].isna(),
        h("avslutsanledning", "avslutsanledning"),
        "avslutsanledning saknas fast slutdatum är ifyllt",
    )
    for m in schema.UPPFOLJNING_MANADER:  # a follow-up after an exit that has not happened
        column = schema.uppfoljning_column(m, "sysselsattning")
        if column in frame.columns:
            log.add(frame, ~ended & frame[column].notna(), h(column, column),
                    f"uppföljning {m} månader efter avslut fast slutdatum saknas")  # fmt: skip
    age = frame["startdatum"].dt.year.astype("Int64") - frame["fodelsear"]
    bad_year = frame["fodelsear"].notna() & (
        (frame["fodelsear"] < 1900) | ((age < MIN_AGE) | (age > MAX_AGE)).fillna(False)
    )
    log.add(
        frame,
        bad_year.fillna(False),
        h("fodelsear", h("personnummer", "fodelsear")),
        lambda mask: "omöjligt födelseår " + frame["fodelsear"][mask].astype("str")
        + f" (ålder vid start måste vara {MIN_AGE}–{MAX_AGE} år)",
    )


def read_participants(
    paths: list[Path] | Path,
    mapping: Mapping | str | Path | None = None,
    *,
    key: bytes | None = None,
    insatser: pd.DataFrame | None = None,
    forbund_ids: pd.Index | set | None = None,
    root: Path | None = None,
    log: RejectLog | None = None,
    quality: DataQuality | None = None,
    prefetched: dict[Path, Future] | None = None,
) -> tuple[pd.DataFrame, DataQuality]:
    """Read participant files into the canonical ``deltagande`` table.

    Parameters
    ----------
    paths : Path or list of Path
        ``.csv``/``.xlsx`` files, canonical or mapped.
    mapping : Mapping, path or None
        ``mapping.yaml`` (loaded if a path).
    key : bytes, optional
        HMAC key for personnummer; resolved with
        :func:`personnummer.resolve_key` when needed and not given.
    insatser : DataFrame, optional
        Known insatser; when given, unknown insats_id and an insats of another
        förbund are rejected.
    forbund_ids : collection, optional
        Known förbund; when given, unknown forbund_id is rejected.
    root : Path, optional
        Shown file names are relative to it.
    log, quality : optional
        Shared accumulators when called from :func:`load_dataset`.
    prefetched : dict, optional
        Path → future of :func:`readers.prefetch_csv` (files being read in
        a worker thread); the result is the same without it.

    Returns
    -------
    (DataFrame, DataQuality)
        Participations (no personnummer column) and the accounting.
    """
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    own_log = log is None
    log = log or RejectLog()
    quality = quality or DataQuality()
    get_key = _key_getter(key, quality)
    prefetched = prefetched or {}
    # Hashing the person ids for the duplicate test is the costliest single
    # step; a worker thread does it (GIL released) while this one types.
    with ThreadPoolExecutor(max_workers=1) as pool:
        files = [
            _typed_participants(path, root, mapping, log, quality, get_key, pool, prefetched.get(path))
            for path in paths
        ]
        for f in files:
            _rules_across_files(f, log, insatser, forbund_ids)
        data, dups = _kept_rows(files, log)
    for fq in (f.quality for f in files):
        fq.dubbletter = int((dups["fil"] == fq.fil).sum())
        fq.rader_inlasta = fq.rader_lasta - fq.rader_avvisade - fq.dubbletter - fq.summarader
        quality.files.append(fq)
    if len(dups):
        quality.duplicates = pd.concat([quality.duplicates, dups], ignore_index=True)
    if own_log:
        quality.rejects = log.frame()
    return _finalise(data), quality


def _key_getter(key: bytes | None, quality: "DataQuality"):
    """A function giving the pseudonymisation key, resolved only when a personnummer is present."""
    keys: list[bytes] = [key] if key is not None else []

    def get_key() -> bytes:
        if not keys:
            resolved = pnr.resolve_key()
            if resolved.created:
                quality.notes.append(
                    f"En ny nyckel för pseudonymisering skapades ({resolved.source}). Spara den: "
                    "samma nyckel behövs för att länka personer mellan filer och år."
                )
            keys.append(resolved.key)
        return keys[0]

    return get_key


def _rules_across_files(f: "_ParticipantFile", log: RejectLog, insatser, forbund_ids) -> None:
    """The rules across columns, and the keys that must exist in forbund.csv and insatser.csv."""
    _participant_rules(f.frame, f.headers, log)
    if forbund_ids is not None:
        reject_foreign_keys(f.frame, "forbund_id", forbund_ids, "forbund.csv", log, f.headers)
    if insatser is not None:
        reject_foreign_keys(f.frame, "insats_id", insatser["insats_id"], "insatser.csv", log, f.headers)
        _reject_other_forbunds_insats(f.frame, insatser, log, f.headers)


def _kept_rows(files: list["_ParticipantFile"], log: RejectLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every file's rows that were not rejected, one table, exact duplicates counted once."""
    out_frames, kept = [], []
    for f in files:
        keep = ~f.frame["_rad"].isin(log.rows(f.quality.fil))
        f.quality.rader_avvisade = int((~keep).sum())
        out_frames.append(f.frame.loc[keep] if f.quality.rader_avvisade else f.frame)
        kept.append(keep.to_numpy(dtype=bool))
    data = pd.concat(out_frames, ignore_index=True) if out_frames else pd.DataFrame()
    # One file: its ids' codes stand for the ids (codes of several files
    # are not comparable, so they are tested on the strings).
    one = len(files) == 1 and files[0].people is not None
    return _drop_duplicates(data, files[0].people.result()[kept[0]] if one else None)


@dataclass
class _ParticipantFile:
    """One participant file, typed, before the rules across columns."""

    frame: pd.DataFrame
    headers: dict[str, str]
    quality: FileQuality
    people: Future | None  # pandas.factorize codes of deltagare_id, being computed


def _typed_participants(
    path: Path,
    root: Path | None,
    mapping: Mapping,
    log: RejectLog,
    quality: DataQuality,
    get_key,
    pool: ThreadPoolExecutor,
    ahead: Future | None,
) -> _ParticipantFile:
    """Read one file: canonical columns, pseudonyms, types, required values."""
    frame, headers, fq, distinct = _read_participant_frame(
        path, root, mapping, log, quality, ahead.result() if ahead is not None else None
    )
    if frame["personnummer"].notna().any():
        frame = _pseudonymise(frame, headers, get_key(), log, quality)
        for changed in ("deltagare_id", "kon", "fodelsear"):
            distinct.pop(changed, None)
    else:
        frame = frame.drop(columns=["personnummer"])
    frame = _guard_ids(frame, get_key, quality)
    distinct.pop("deltagare_id", None)
    people = None
    if "deltagare_id" not in mapping.values:  # else typing changes the ids
        people = pool.submit(lambda ids: pd.factorize(ids)[0], frame["deltagare_id"])
    typed = type_columns(frame, schema.DELTAGANDE, log, headers, mapping, categorical=True, distinct=distinct)
    _require_participant_values(frame, headers, log)
    if len(typed.unknown_labels):
        quality.unknown_labels = pd.concat([quality.unknown_labels, typed.unknown_labels], ignore_index=True)
    return _ParticipantFile(typed.data, headers, fq, people)


def _reject_other_forbunds_insats(frame: pd.DataFrame, insatser: pd.DataFrame, log: RejectLog, headers) -> None:
    """Reject rows whose insats belongs to another förbund than the row's."""
    # Compared as codes of the few distinct ids, not as a million strings.
    ins_pos, ins = distinct_values(frame["insats_id"])
    fb_pos, fb = distinct_values(frame["forbund_id"])
    owner = ins.map(insatser.set_index("insats_id")["forbund_id"])
    owner_code = pd.Index(fb.astype(object)).get_indexer(owner.astype(object))
    wrong = (
        owner.notna().to_numpy(dtype=bool)[ins_pos]
        & fb.notna().to_numpy(dtype=bool)[fb_pos]
        & (np.where(owner_code < 0, -2, owner_code)[ins_pos] != fb_pos)
    )

    def reason(mask: np.ndarray) -> list[str]:
        owners = owner.take(ins_pos[mask]).astype("str")
        written = frame["forbund_id"][mask].astype("str")
        return [f"insatsen tillhör förbundet '{o}', inte '{w}'" for o, w in zip(owners, written)]

    log.add(frame, wrong, headers.get("insats_id", "insats_id"), reason)


def _drop_duplicates(data: pd.DataFrame, person: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop exact duplicates; ``person`` optionally gives ``deltagare_id`` as codes."""
    key = list(schema.DUPLICATE_KEY)
    if person is None:
        dup = data.duplicated(key, keep="first")
    else:
        columns = {c: person if c == "deltagare_id" else data[c] for c in key}
        dup = pd.DataFrame(columns, index=data.index).duplicated(keep="first")
    if not dup.any():
        return data, pd.DataFrame(columns=["fil", "rad", "forsta_rad"])
    first = data.loc[~dup].set_index(key)[["_fil", "_rad"]]
    rows = data.loc[dup]
    firsts = first.reindex(pd.MultiIndex.from_frame(rows[key]))
    dups = pd.DataFrame(
        {
            "fil": rows["_fil"].to_numpy(),
            "rad": rows["_rad"].to_numpy(),
            "forsta_rad": (firsts["_fil"].astype(str) + " rad " + firsts["_rad"].astype(str)).to_numpy(),
        }
    )
    return data.loc[~dup].reset_index(drop=True), dups


def _finalise(data: pd.DataFrame) -> pd.DataFrame:
    """Canonical column order and dtypes; codes as categoricals."""
    missing_id = data["deltagande_id"].isna()
    if missing_id.any():
        basis = (
            data["deltagare_id"].astype(str)
            + "|" + data["insats_id"].astype(str)
            + "|" + data["startdatum"].dt.strftime("%Y-%m-%d")
        )
        generated = basis[missing_id].map(lambda s: "g" + hashlib.sha256(s.encode()).hexdigest()[:16])
        data.loc[missing_id, "deltagande_id"] = generated
    out = pd.DataFrame(index=data.index)
    for name, col in schema.DELTAGANDE.items():
        if name == "personnummer":
            continue
        values = data[name]
        if col.kind == "code":
            values = as_categorical(values, list(col.vocabulary))
        elif col.kind in ("str", "codelist", "kommun"):
            values = values.astype("str")
        out[name] = values
    out["kalla_fil"] = data["_fil"].astype("str")
    out["kalla_rad"] = data["_rad"].astype("int64")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------
# The dataset directory
# --------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes (provenance)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_metadata(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        raise UnreadableFileError(f"Filen {path.name} är inte giltig YAML.") from None
    doc = doc if isinstance(doc, dict) else {}
    if UTTAGSDATUM_KEY in doc:
        doc[UTTAGSDATUM_KEY] = _metadata_date(path, doc[UTTAGSDATUM_KEY])
    return doc


#: The key of the extract date in ``dataset.yaml``.
UTTAGSDATUM_KEY = "uttagsdatum"


def _metadata_date(path: Path, value) -> _dt.date:
    """A date from ``dataset.yaml`` (YAML gives a date for ``2026-01-31``; text is parsed)."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UnreadableFileError(
            f"Filen {path.name}: {UTTAGSDATUM_KEY} '{value}' är inget datum; skriv det som ÅÅÅÅ-MM-DD."
        ) from None


def _account_small(quality: DataQuality, fil: str, frame: pd.DataFrame, log: RejectLog) -> pd.DataFrame:
    fq = next(f for f in quality.files if f.fil == fil)
    bad = frame["_rad"].isin(log.rows(fil))
    fq.rader_avvisade = int(bad.sum())
    fq.rader_inlasta = fq.rader_lasta - fq.rader_avvisade
    columns = [c for c in frame.columns if not c.startswith("_")]
    return frame.loc[~bad, columns].reset_index(drop=True)


def load_dataset(path: str | Path, *, key: bytes | None = None) -> Dataset:
    """Load and validate a dataset directory (docs/dataformat.md §1).

    Parameters
    ----------
    path : str or Path
        The directory.
    key : bytes, optional
        HMAC key for personnummer (default: :func:`personnummer.resolve_key`).

    Returns
    -------
    Dataset
        Typed tables without rejected rows, and the accounting in
        ``dataset.quality``. Rejected rows do not raise: check
        ``dataset.quality.rejected_rows``.

    Raises
    ------
    UnreadableFileError, SchemaError, MappingError
        When a file is missing or cannot be read as a table of the contract.
    """
    root = Path(path)
    if not root.is_dir():
        raise UnreadableFileError(f"Datakatalogen {root} finns inte.")
    # A worker thread reads, parses (pyarrow) and checksums the participant
    # CSV files, with the GIL released nearly all the time, while this thread
    # reads the small tables and the SCB files; on two cores that overlaps.
    # Every check still happens here, in the usual order, so results and
    # errors are the same as reading one file after the other.
    def encode(headers: list[str]) -> list[int]:
        # Errors in mapping.yaml are reported by the main thread, in order.
        mapping_path = root / MAPPING_FILE
        return typed_columns(headers, load_mapping(mapping_path if mapping_path.is_file() else None))

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = {
            root / name: pool.submit(prefetch_csv, root / name, encode)
            for name in PARTICIPANT_FILES
            if name.endswith(".csv") and (root / name).is_file()
        }
        digests = {
            name: pool.submit(sha256_file, root / name) for name in PARTICIPANT_FILES if (root / name).is_file()
        }
        return _load(root, key, ahead, digests)


def _load(root: Path, key: bytes | None, ahead: dict[Path, Future], digests: dict[str, Future]) -> Dataset:
    log, quality = RejectLog(), DataQuality()
    inputs: dict[str, str] = {}
    clean = _small_tables(root, log, quality, inputs)
    # Read now, while the worker parses; an error in them waits for the
    # participants, as it did when they were read last.
    try:
        scb_read, scb_error = _read_scb(root), None
    except Exception as exc:  # noqa: BLE001 (re-raised below, after the participants)
        scb_read, scb_error = None, exc

    participant_paths = [root / f for f in PARTICIPANT_FILES if (root / f).is_file()]
    if not participant_paths:
        raise UnreadableFileError(
            f"Datakatalogen {root} saknar deltagarfil (deltagande.csv eller deltagande.xlsx)."
        )
    mapping_path = root / MAPPING_FILE
    mapping = load_mapping(mapping_path if mapping_path.is_file() else None)
    if mapping_path.is_file():
        inputs[MAPPING_FILE] = sha256_file(mapping_path)
    deltagande, _ = read_participants(
        participant_paths, mapping, key=key, insatser=clean["insatser"],
        forbund_ids=set(clean["forbund"]["forbund_id"]), root=root, log=log, quality=quality, prefetched=ahead,
    )  # fmt: skip
    quality.rejects = log.frame()
    inputs.update((p.name, digests[p.name].result()) for p in participant_paths)
    if scb_error is not None:
        raise scb_error
    helarsekvivalenter = _apply_helarsekvivalenter(scb_read, inputs, quality)
    metadata = _read_metadata(root / METADATA_FILE)
    if (root / METADATA_FILE).is_file():
        inputs[METADATA_FILE] = sha256_file(root / METADATA_FILE)
    return Dataset(
        path=root, forbund=clean["forbund"], medlemmar=clean["forbund_medlemmar"], insatser=clean["insatser"],
        insats_ekonomi=clean.get("insats_ekonomi", _empty(schema.INSATS_EKONOMI)), deltagande=deltagande,
        insats_mal=clean.get("insats_mal", _empty(schema.INSATS_MAL)),
        quality=quality, inputs=dict(sorted(inputs.items())), metadata=metadata,
        helarsekvivalenter=helarsekvivalenter,
        forbund_ekonomi=clean.get("forbund_ekonomi", _empty(schema.FORBUND_EKONOMI)),
        samhallsekonomi=clean.get("samhallsekonomi", _empty(schema.SAMHALLSEKONOMI)),
    )  # fmt: skip


def _empty(columns) -> pd.DataFrame:
    """An optional table that was not given: its columns, no rows."""
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})


def _small_tables(root: Path, log: RejectLog, quality: DataQuality, inputs: dict[str, str]) -> dict:
    """forbund, forbund_medlemmar, insatser and the optional economy files, read, checked against each other."""
    tables: dict[str, pd.DataFrame] = {}
    for name in ("forbund", "forbund_medlemmar", "insatser", *OPTIONAL_TABLES):
        spec = schema.TABLES[name]
        p = root / spec.filename
        if not p.is_file():
            if name in OPTIONAL_TABLES:
                continue
            raise UnreadableFileError(
                f"Datakatalogen {root} saknar filen {spec.filename}, som krävs (se docs/dataformat.md §1)."
            )
        tables[name] = _read_small(p, spec, root, log, quality)
        inputs[spec.filename] = sha256_file(p)

    # The id names the report's files (reports/<period>/<forbund_id>.html): a
    # slash, "..", a space or a colon could put them elsewhere or make the
    # index page's link a script. The data format asks for an ascii slug.
    ids = tables["forbund"]["forbund_id"]
    bad_id = ids.notna() & ~ids.astype("str").str.fullmatch(FORBUND_ID_PATTERN).fillna(False).astype(bool)
    log.add(tables["forbund"], bad_id, "forbund_id", FORBUND_ID_REASON)
    forbund_ids = set(ids.loc[~bad_id].dropna())
    headers_identity: dict[str, str] = {}
    reject_foreign_keys(tables["forbund_medlemmar"], "forbund_id", forbund_ids, "forbund.csv", log, headers_identity)
    reject_foreign_keys(tables["insatser"], "forbund_id", forbund_ids, "forbund.csv", log, headers_identity)
    insats_ids = set(tables["insatser"]["insats_id"].dropna())
    for name in ("insats_ekonomi", "insats_mal"):
        if name in tables:
            reject_foreign_keys(tables[name], "insats_id", insats_ids, "insatser.csv", log, headers_identity)
    if "insats_ekonomi" in tables:
        _check_personal(tables["insats_ekonomi"], tables["insatser"], log)
    if "forbund_ekonomi" in tables:
        reject_foreign_keys(tables["forbund_ekonomi"], "forbund_id", forbund_ids, "forbund.csv", log, headers_identity)
        _check_ekonomi_kommuner(tables["forbund_ekonomi"], tables["forbund_medlemmar"], log)
    return {name: _account_small(quality, schema.TABLES[name].filename, frame, log) for name, frame in tables.items()}


#: Files of the dataset directory that may be absent.
OPTIONAL_TABLES = ("insats_ekonomi", "insats_mal", "forbund_ekonomi", "samhallsekonomi")


def _check_personal(ekonomi: pd.DataFrame, insatser: pd.DataFrame, log: RejectLog) -> None:
    """Staff taking part are counted for strukturövergripande insatser; participants come from the participant file."""
    typ = ekonomi["insats_id"].map(insatser.drop_duplicates("insats_id").set_index("insats_id")["typ"])
    log.add(ekonomi, ekonomi["deltagare_personal"].notna() & (typ == "individinriktad").fillna(False).astype(bool),
            "deltagare_personal", "deltagare_personal gäller strukturövergripande insatser; deltagarna i "
            "individinriktade räknas ur deltagarfilen")  # fmt: skip


def _check_ekonomi_kommuner(ekonomi: pd.DataFrame, medlemmar: pd.DataFrame, log: RejectLog) -> None:
    """A kommunkod (and an agreed share) belongs on a kommun's contribution, from a member that year."""
    kommun_post = (ekonomi["post"] == "medlemsavgift_kommun").fillna(False).astype(bool)
    has_kod = ekonomi["kommunkod"].notna()
    log.add(ekonomi, has_kod & ~kommun_post, "kommunkod", "kommunkod anges bara för medlemsavgift_kommun")
    has_share = ekonomi["avtalad_andel"].notna()
    log.add(ekonomi, has_share & ~(kommun_post & has_kod), "avtalad_andel",
            "avtalad_andel anges bara för en kommuns medlemsavgift_kommun")  # fmt: skip
    members = set()
    for m in medlemmar.itertuples():
        last = m.giltig_tom.year if pd.notna(m.giltig_tom) else 2100
        members |= {(m.forbund_id, m.kommunkod, year) for year in range(m.giltig_from.year, last + 1)}
    rows = ekonomi.loc[kommun_post & has_kod]
    not_member = pd.Series(False, index=ekonomi.index)
    if len(rows):  # a file without any kommun's contribution has nothing to check
        not_member.loc[rows.index] = [(f, k, int(a)) not in members for f, k, a in
                                      zip(rows["forbund_id"], rows["kommunkod"], rows["ar"])]  # fmt: skip
    log.add(ekonomi, not_member, "kommunkod", "kommunen var inte medlem i förbundet det året")


def _read_scb(root: Path) -> tuple | None:
    """The SCB folder read: ``(ScbData, {file: sha256})``, or None without files."""
    folder = root / HELARSEKVIVALENTER_DIR
    # Every visible file: read_directory reads the SCB forms and names every other file (never skipped in silence).
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")] if folder.is_dir() else []
    if not files:
        return None
    from finsam_analysis.scb.read import read_directory

    scb = read_directory(folder)
    return scb, {name: sha256_file(folder / name) for name in scb.files}


def _apply_helarsekvivalenter(read: tuple | None, inputs: dict[str, str], quality: DataQuality) -> pd.DataFrame | None:
    """The SCB table of ``helarsekvivalenter/``, or None when there are none."""
    if read is None:
        return None
    scb, checksums = read
    for name, digest in checksums.items():
        inputs[f"{HELARSEKVIVALENTER_DIR}/{name}"] = digest
    quality.scb_files = list(scb.files)
    quality.imputed = scb.imputed
    quality.scb_overlaps = scb.overlaps
    quality.notes.extend(scb.notes)
    return scb.table


# --------------------------------------------------------------------------
# The same dataset, once per process
# --------------------------------------------------------------------------

_LOADED: dict[tuple, Dataset] = {}


def _signature(root: Path) -> tuple:
    """Name, size and modification time of every file under ``root``."""
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file():
            st = p.stat()
            out.append((str(p.relative_to(root)), st.st_size, st.st_mtime_ns))
    return tuple(out)


_VARIANTS = PerDataset("dataset med egna åldersgrupper")


def with_aldersgrupper(dataset: Dataset, groups) -> Dataset:
    """The dataset with the run's own age groups (the same data; one object per choice).

    ``groups`` as :func:`finsam_analysis.aldersgrupper.parse_aldersgrupper`
    takes it. The variant is remembered per dataset, so every report of a run
    shares its prepared participations and family of periods.
    """
    chosen = parse_aldersgrupper(groups)
    if chosen == dataset.aldersgrupper:
        return dataset
    return _VARIANTS.get(dataset, chosen, lambda: dataclasses.replace(dataset, aldersgrupper=chosen))


def load_dataset_cached(path: str | Path, *, key: bytes | None = None) -> Dataset:
    """:func:`load_dataset`, remembered in this process while the files are unchanged.

    The report notebook calls this, so a batch that loaded the data once (and
    forks a child per förbund) or a JupyterLab session that opens several
    reports reads and validates the files only once. The memory holds
    pseudonymised data only and nothing is written to disk. A file that
    changes (size or modification time) makes the next call load again.
    """
    root = Path(path).resolve()
    if not root.is_dir():
        return load_dataset(root, key=key)
    signature = _signature(root)
    dataset = _LOADED.get((str(root), _key_identity(key), signature))
    if dataset is None:
        _LOADED.clear()  # one dataset at a time: a batch never needs more
        dataset = load_dataset(root, key=key)
        # Keyed on the identity after loading: the first load of files with
        # personnummer creates the key file, and the next call must match.
        _LOADED[(str(root), _key_identity(key), signature)] = dataset
    return dataset


def _key_identity(key: bytes | None) -> tuple:
    """What decides the pseudonymisation key, without resolving it.

    The key is resolved lazily (only when a file holds personnummer), so the
    memo keys on where it would come from: the environment and the key file.
    """
    def digest(raw: bytes) -> str:
        return hashlib.sha256(raw).hexdigest()

    if key is not None:
        return ("given", digest(key))
    env_key = os.environ.get(pnr.ENV_KEY, "")
    if env_key.strip():
        return ("env", digest(env_key.encode()))
    file = Path(os.environ.get(pnr.ENV_KEY_FILE, "").strip() or pnr.default_key_path()).expanduser()
    try:
        st = file.stat()
        return ("file", str(file), st.st_size, st.st_mtime_ns)
    except OSError:
        return ("file", str(file), None)
