"""Reference data shipped with the package (docs/dataformat.md §11).

Three tables live in ``finsam_analysis/data/``:

``kommuner.csv``
    The 290 Swedish kommuner with their SCB codes: ``kommunkod`` (four digits,
    leading zero kept, e.g. ``0114``), ``kommun`` (short name, e.g.
    ``Upplands Väsby``) and ``lanskod`` (two digits).
``lan.csv``
    The 21 län: ``lanskod`` and ``lan`` (e.g. ``01``, ``Stockholms län``).
``forbund_katalog.csv`` and ``forbund_katalog_medlemmar.csv``
    A curated catalogue of real samordningsförbund and their member kommuner
    (``docs/dataformat.md §11``). The ``status`` column says whether the row is
    ``verified`` (named in a public förbund document) or ``likely``.

All readers are cached; every function returns a fresh copy so a caller that
modifies the result cannot change what the next caller sees.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

import pandas as pd

__all__ = [
    "KOMMUNKODER",
    "forbund_catalogue",
    "is_kommunkod",
    "kommun_namn",
    "kommunkod_from_name",
    "kommunkoder",
    "kommuner",
    "lan",
    "normalise_kommunkod",
]

_DATA_PACKAGE = "finsam_analysis"
_DATA_DIR = "data"

#: Status markers allowed in the förbund catalogue.
CATALOGUE_STATUSES: frozenset[str] = frozenset({"verified", "likely"})


def _read_data_csv(filename: str) -> pd.DataFrame:
    """Read one CSV file shipped in ``finsam_analysis/data`` with every column as text.

    Parameters
    ----------
    filename : str
        File name inside the package's ``data`` folder.

    Returns
    -------
    pandas.DataFrame
        All columns of ``str`` dtype; empty cells are empty strings, so codes such
        as ``NA`` would never be taken for missing values.
    """
    resource = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR, filename)
    with resources.as_file(resource) as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _lan_cached() -> pd.DataFrame:
    return _read_data_csv("lan.csv")[["lanskod", "lan"]]


@functools.lru_cache(maxsize=None)
def _kommuner_cached() -> pd.DataFrame:
    table = _read_data_csv("kommuner.csv")[["kommunkod", "kommun", "lanskod"]]
    merged = table.merge(_lan_cached(), on="lanskod", how="left", validate="many_to_one")
    return merged[["kommunkod", "kommun", "lanskod", "lan"]].reset_index(drop=True)


def lan() -> pd.DataFrame:
    """Return the 21 Swedish län.

    Returns
    -------
    pandas.DataFrame
        Columns ``lanskod`` (two-digit SCB code, e.g. ``"01"``) and ``lan``
        (full name, e.g. ``"Stockholms län"``), both of ``str`` dtype, ordered
        by code. The frame is a copy; changing it does not affect later calls.
    """
    return _lan_cached().copy()


def kommuner() -> pd.DataFrame:
    """Return the 290 Swedish kommuner with their län.

    Returns
    -------
    pandas.DataFrame
        Columns ``kommunkod`` (four-digit SCB code with leading zero, e.g.
        ``"0114"``), ``kommun`` (short name, e.g. ``"Upplands Väsby"``),
        ``lanskod`` (two digits, the first two of ``kommunkod``) and ``lan``
        (e.g. ``"Stockholms län"``), all of ``str`` dtype, ordered by
        ``kommunkod``. The frame is a copy; changing it does not affect later
        calls.

    Examples
    --------
    >>> k = kommuner()
    >>> len(k)
    290
    >>> k.loc[k["kommunkod"] == "0980", "kommun"].item()
    'Gotland'
    """
    return _kommuner_cached().copy()


@functools.lru_cache(maxsize=None)
def kommunkoder() -> frozenset[str]:
    """Return the set of valid four-digit kommunkoder.

    Returns
    -------
    frozenset of str
        The 290 codes, e.g. ``"0180"``. A frozenset is immutable, so the cached
        value is returned as is.
    """
    return frozenset(_kommuner_cached()["kommunkod"])


#: The 290 valid kommunkoder (``"0114"`` … ``"2584"``).
KOMMUNKODER: frozenset[str] = kommunkoder()


@functools.lru_cache(maxsize=None)
def _kommun_names() -> dict[str, str]:
    table = _kommuner_cached()
    return dict(zip(table["kommunkod"], table["kommun"], strict=True))


def kommun_namn(code: str) -> str:
    """Return the short name of a kommun from its code.

    Parameters
    ----------
    code : str
        Four-digit kommunkod with leading zero, e.g. ``"0180"``. The code is not
        normalised; use :func:`normalise_kommunkod` first for raw input.

    Returns
    -------
    str
        The short name, e.g. ``"Stockholm"``.

    Raises
    ------
    KeyError
        If ``code`` is not one of the 290 kommunkoder.

    Examples
    --------
    >>> kommun_namn("0114")
    'Upplands Väsby'
    """
    try:
        return _kommun_names()[code]
    except (KeyError, TypeError):
        raise KeyError(
            f"Okänd kommunkod: {code!r}. En kommunkod är fyra siffror med inledande "
            "nolla, t.ex. '0180' för Stockholm."
        ) from None


def is_kommunkod(values: pd.Series) -> pd.Series:
    """Tell which values are valid kommunkoder.

    Parameters
    ----------
    values : pandas.Series
        Values to check. They are compared as they are: ``"0180"`` is valid,
        ``180`` and ``" 0180"`` are not (normalise raw input first with
        :func:`normalise_kommunkod`). Missing values are not valid.

    Returns
    -------
    pandas.Series of bool
        Same index as ``values``; ``True`` where the value is one of the 290
        codes.
    """
    return pd.Series(values).isin(KOMMUNKODER).astype(bool)


def _plain(text: str, keep_marks: bool) -> str:
    """Case-folded, single-spaced; without diacritics unless ``keep_marks``."""
    text = " ".join(str(text).replace("-", " ").split()).casefold()
    if keep_marks:
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=None)
def _codes_by_name() -> tuple[dict[str, str], dict[str, str]]:
    """Kommun name -> code, as written (case-folded) and without å/ä/ö where that is unambiguous.

    Without diacritics two names meet (Håbo and Habo), so such a plain name
    is left out and must be written with its marks.
    """
    table = _kommuner_cached()
    exact = {_plain(n, True): c for n, c in zip(table["kommun"], table["kommunkod"], strict=True)}
    plain: dict[str, str | None] = {}
    for name, code in exact.items():
        key = _plain(name, False)
        plain[key] = None if key in plain and plain[key] != code else code
    return exact, {k: v for k, v in plain.items() if v is not None}


def _code_of_name(text: str) -> str | None:
    exact, plain = _codes_by_name()
    found = re.fullmatch(r"(\d{4})\s+(.+)", text.strip())
    if found and found.group(1) in KOMMUNKODER:  # "2080 Falun"
        return found.group(1)
    for name in (text, re.sub(r"\s+(kommun|stad)$", "", text.strip(), flags=re.I),
                 re.sub(r"s\s+(kommun|stad)$", "", text.strip(), flags=re.I)):  # fmt: skip
        code = exact.get(_plain(name, True)) or plain.get(_plain(name, False))
        if code:
            return code
    return None


def kommunkod_from_name(values: pd.Series) -> pd.Series:
    """The kommunkod of kommun names, as a förbund writes them.

    Parameters
    ----------
    values : pandas.Series
        Names in any case, with or without å/ä/ö (``"Falun"``, ``"FALUN"``,
        ``"Ostersund"``), with ``kommun``/``stad`` after them (``"Falu
        kommun"`` is not recognised, ``"Östersunds kommun"`` is), or a code
        followed by the name (``"2080 Falun"``). A name that is two kommuner
        once its marks are removed (``"Habo"``/``"Håbo"``) must keep them.

    Returns
    -------
    pandas.Series
        Dtype ``string``: the four-digit code, ``<NA>`` where the value is no
        kommun name.

    Examples
    --------
    >>> kommunkod_from_name(pd.Series(["Falun", "östersunds kommun", "Håbo", "Habo", "Atlantis"])).tolist()
    ['2080', '2380', '0305', '0643', <NA>]
    """
    series = pd.Series(values)
    uniques = pd.unique(series.dropna().astype(str))
    lookup = {u: _code_of_name(u) for u in uniques}
    out = series.map(lambda v: lookup.get(str(v)) if pd.notna(v) else None)
    return out.astype(pd.StringDtype())


_NUMERIC_CODE = r"\d{1,4}(?:\.0*)?"


def normalise_kommunkod(values: pd.Series) -> pd.Series:
    """Bring raw kommunkod values to the four-digit text form.

    Excel stores kommunkod as a number and loses the leading zero, so a column
    read from a förbund's file may hold ``180``, ``180.0`` or ``"180"`` for
    Stockholm (``"0180"``).

    Parameters
    ----------
    values : pandas.Series
        Raw values: numbers, text or missing, in any dtype.

    Returns
    -------
    pandas.Series
        Dtype ``string`` (missing values are ``<NA>``), same index and name as
        ``values``. Each value is stripped of surrounding whitespace; a whole
        number of one to four digits (``180``, ``180.0``, ``"180"``,
        ``"180.0"``) is zero-padded to four digits (``"0180"``); any other text
        (``"abc"``, ``"12345"``, ``"180.5"``) is left as it is so it can be
        reported as an unknown code. Missing values and empty or whitespace-only
        text become ``<NA>``. Validity is not checked here; use
        :func:`is_kommunkod`.

    Examples
    --------
    >>> normalise_kommunkod(pd.Series([180, 180.0, " 2482 ", "abc", None])).tolist()
    ['0180', '0180', '2482', 'abc', <NA>]
    """
    series = pd.Series(values)
    as_object = series.astype(object)
    missing = as_object.isna()
    text = as_object.where(missing, as_object.map(str, na_action="ignore"))
    text = text.astype(pd.StringDtype()).str.strip()
    text = text.mask(text == "")
    numeric = text.str.fullmatch(_NUMERIC_CODE).fillna(False).astype(bool)
    padded = text.str.split(".", n=1).str[0].str.zfill(4)
    result = text.mask(numeric, padded)
    result.name = series.name
    return result


@functools.lru_cache(maxsize=None)
def _catalogue_cached() -> tuple[pd.DataFrame, pd.DataFrame]:
    forbund = _read_data_csv("forbund_katalog.csv")[
        ["forbund_id", "namn", "organisationsnummer", "status", "kommentar"]
    ]
    for column in ("organisationsnummer", "kommentar"):
        forbund[column] = forbund[column].mask(forbund[column] == "")

    medlemmar = _read_data_csv("forbund_katalog_medlemmar.csv")[
        ["forbund_id", "kommunkod", "giltig_from", "giltig_tom", "status", "kommentar"]
    ]
    for column in ("giltig_from", "giltig_tom"):
        medlemmar[column] = pd.to_datetime(
            medlemmar[column].mask(medlemmar[column] == ""), format="%Y-%m-%d"
        ).astype("datetime64[ns]")
    medlemmar["kommentar"] = medlemmar["kommentar"].mask(medlemmar["kommentar"] == "")
    return forbund, medlemmar


def forbund_catalogue() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the curated catalogue of real samordningsförbund.

    The catalogue follows ``docs/dataformat.md §11``. No public machine-readable list of
    förbund exists; a user can replace it with their own ``forbund.csv`` and
    ``forbund_medlemmar.csv``.

    Returns
    -------
    forbund : pandas.DataFrame
        One row per förbund (27), in catalogue order: ``forbund_id``, ``namn``,
        ``organisationsnummer`` (missing: not recorded), ``status``
        (``"verified"`` or ``"likely"``) and ``kommentar`` (missing when there
        is none).
    medlemmar : pandas.DataFrame
        One row per membership period: ``forbund_id``, ``kommunkod``,
        ``giltig_from`` and ``giltig_tom`` (``datetime64``; ``giltig_tom`` is
        ``NaT`` while the kommun is still a member), ``status`` and
        ``kommentar``. Where no formation date is known, ``giltig_from`` is
        2004-01-01 (Lag 2003:1210 came into force) and ``kommentar`` says
        ``startdatum ej verifierat``.

    Notes
    -----
    ``status`` is ``"verified"`` when the members are named in a public förbund
    document and ``"likely"`` when the row is well known but not checked
    against a document. Both frames are copies.
    """
    forbund, medlemmar = _catalogue_cached()
    return forbund.copy(), medlemmar.copy()
