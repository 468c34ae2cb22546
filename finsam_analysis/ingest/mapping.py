"""``mapping.yaml``: a förbund's own headers and labels → the canonical schema.

The format is docs/dataformat.md §8. The mapping is checked when it is loaded, so a typo
in it is reported once, with the key that is wrong, instead of as thousands of
rejected rows.

Decisions where docs/dataformat.md is silent
---------------------------------
* ``values`` may also translate a non-coded column, e.g. insats names to
  ``insats_id`` (``values: {insats_id: {"Steget vidare": skel_01}}``). Labels
  not listed there pass through unchanged.
* In a dataset directory, ``mapping.yaml`` applies to every participant file
  there (``deltagande.csv`` and ``deltagande.xlsx`` may both exist). It is
  harmless on a canonical file: canonical headers and codes are always
  accepted, and a default only fills a column that is absent or empty.
* Header matching, like label matching, ignores case and surrounding space.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping as MappingT

import yaml

from finsam_analysis import schema
from finsam_analysis.errors import MappingError, UnreadableFileError
from finsam_analysis.textfile import decode_text

_KEYS = {"columns", "values", "defaults", "list_separator"}


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps yes/no/on/off/N/Y as text.

    YAML 1.1 would read a label such as ``N`` or ``Ja``-like ``yes`` as a
    boolean, and a mapping of answers would silently lose its labels.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def norm_label(value: str) -> str:
    """The form labels and headers are compared in: trimmed and case-folded."""
    return " ".join(str(value).split()).casefold()


@dataclass(frozen=True)
class Mapping:
    """A validated ``mapping.yaml``.

    Attributes
    ----------
    columns : dict
        Canonical column name → the förbund's header.
    values : dict
        Canonical column → {normalised label → canonical code}.
    defaults : dict
        Canonical column → constant value.
    list_separator : str
        Separator of several försörjning sources in one cell.
    source : Path or None
        The file it came from, for messages.
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    list_separator: str = ";"
    source: Path | None = None

    @classmethod
    def identity(cls) -> "Mapping":
        """The mapping of a file already in canonical form."""
        return cls()


def load_mapping(path: str | Path | None) -> Mapping:
    """Read and check ``mapping.yaml``; ``None`` gives the identity mapping.

    Raises
    ------
    MappingError
        Naming the file and the key that is wrong.
    """
    if path is None:
        return Mapping.identity()
    path = Path(path)
    try:
        # Notepad on Swedish Windows may save it as Windows-1252: decoded like the CSV files.
        text = decode_text(path, path.read_bytes())[0]
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 (safe loader)
    except FileNotFoundError:
        raise MappingError(f"Mappningsfilen {path} finns inte.") from None
    except UnreadableFileError as exc:
        raise MappingError(str(exc)) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (rad {where.line + 1})" if where is not None else ""
        raise MappingError(f"Mappningsfilen {path} är inte giltig YAML{at}.") from None
    return parse_mapping(doc or {}, source=path)


def parse_mapping(doc: object, source: Path | None = None) -> Mapping:
    """Check a parsed mapping document against the canonical schema."""
    name = str(source) if source else "mappningen"
    if not isinstance(doc, dict):
        raise MappingError(f"{name}: förväntade nycklarna columns, values, defaults.")
    unknown = set(doc) - _KEYS
    if unknown:
        raise MappingError(
            f"{name}: okänd nyckel {', '.join(sorted(map(str, unknown)))}; "
            f"tillåtna är {', '.join(sorted(_KEYS))}."
        )
    canonical = schema.DELTAGANDE
    columns = _as_dict(doc.get("columns"), f"{name}: columns")
    for col, header in columns.items():
        if col not in canonical:
            raise MappingError(
                f"{name}: columns.{col} är ingen kanonisk kolumn{did_you_mean(col, canonical)}. "
                f"Giltiga namn: {', '.join(canonical)}."
            )
        if not isinstance(header, (str, int)) or not str(header).strip():
            raise MappingError(f"{name}: columns.{col} måste vara en kolumnrubrik.")
    headers = [norm_label(h) for h in columns.values()]
    dup = {h for h in headers if headers.count(h) > 1}
    if dup:
        raise MappingError(f"{name}: rubriken '{dup.pop()}' är mappad till flera kolumner.")

    values: dict[str, dict[str, str]] = {}
    for col, table in _as_dict(doc.get("values"), f"{name}: values").items():
        if col not in canonical:
            raise MappingError(f"{name}: values.{col} är ingen kanonisk kolumn{did_you_mean(col, canonical)}.")
        table = _as_dict(table, f"{name}: values.{col}")
        vocab = canonical[col].vocabulary
        mapped: dict[str, str] = {}
        for label, code in table.items():
            code = "" if code is None else str(code).strip()
            if vocab is not None and code not in vocab:
                raise MappingError(
                    f"{name}: values.{col}: '{label}' mappas till '{code}', som inte är en "
                    f"giltig kod. Giltiga koder: {', '.join(vocab)}."
                )
            if not code:
                raise MappingError(f"{name}: values.{col}: '{label}' saknar kod.")
            mapped[norm_label(_yaml_scalar(label))] = code
        values[col] = mapped

    defaults = {}
    for col, value in _as_dict(doc.get("defaults"), f"{name}: defaults").items():
        if col not in canonical:
            raise MappingError(f"{name}: defaults.{col} är ingen kanonisk kolumn{did_you_mean(col, canonical)}.")
        if col == "personnummer":
            raise MappingError(f"{name}: personnummer kan inte ha ett standardvärde.")
        defaults[col] = _yaml_scalar(value)

    sep = doc.get("list_separator", ";")
    if not isinstance(sep, str) or not sep.strip():
        raise MappingError(f"{name}: list_separator måste vara ett tecken, t.ex. \";\".")
    return Mapping(
        columns={k: str(v).strip() for k, v in columns.items()},
        values=values,
        defaults=defaults,
        list_separator=sep.strip(),
        source=source,
    )


def _yaml_scalar(value: object) -> str:
    return str(value).strip()


def _as_dict(value: object, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(f"{where} måste vara en tabell av nyckel: värde.")
    return value


def did_you_mean(text: object, candidates) -> str:
    """`` (menade du 'X'?)`` for the closest candidate, compared with :func:`norm_label`; else ``""``."""
    by_norm = {norm_label(c): str(c) for c in candidates}
    close = difflib.get_close_matches(norm_label(text), list(by_norm), n=1, cutoff=0.6)
    return f" (menade du '{by_norm[close[0]]}'?)" if close else ""


def check_mapped_headers(headers: list[str], mapping: Mapping, fil: str) -> None:
    """Every header ``columns:`` names must be in the file: a typo is an error, not an empty column.

    Checked for a file that uses the mapping, i.e. has at least one of its
    own headers; a canonical ``deltagande.csv`` beside the förbund's
    ``deltagande.xlsx`` is left alone.

    Raises
    ------
    MappingError
        Naming the mapping file, the key, the header that is not there and
        the closest header that is.
    """
    present = {norm_label(h) for h in headers}
    own = {col: wanted for col, wanted in mapping.columns.items() if norm_label(wanted) != norm_label(col)}
    if not any(norm_label(wanted) in present for wanted in own.values()):
        return  # a file in canonical form beside the förbund's own (the mapping is not about it)
    name = str(mapping.source) if mapping.source else "mappningen"
    for col, wanted in own.items():
        if norm_label(wanted) not in present and norm_label(col) not in present:
            raise MappingError(
                f"{name}: columns.{col} pekar på rubriken '{wanted}', som inte finns i filen {fil}"
                f"{did_you_mean(wanted, headers)}. Rätta rubriken i mapping.yaml eller ta bort raden."
            )


def resolve_headers(headers: list[str], mapping: Mapping) -> MappingT[str, str]:
    """Map each file header to the canonical column it feeds.

    A header matches a canonical name directly, or the header the mapping
    gives for a canonical name (both compared with :func:`norm_label`).
    Headers that match nothing are left out of the result.
    """
    by_norm = {norm_label(h): h for h in headers}
    resolved: dict[str, str] = {}
    for col in schema.DELTAGANDE:
        wanted = mapping.columns.get(col)
        if wanted is not None and norm_label(wanted) in by_norm:
            resolved[by_norm[norm_label(wanted)]] = col
        elif norm_label(col) in by_norm and by_norm[norm_label(col)] not in resolved:
            resolved[by_norm[norm_label(col)]] = col
    return resolved
