"""Swedish personnummer: parsing, pseudonymisation, key management, redaction.

A personnummer is input only (docs/dataformat.md §7): on load it is parsed, validated and
replaced by a keyed pseudonym, and the raw number is never written to an output,
a log, a cache or an error message. Everything here is built so that holds:
error reasons are fixed Swedish phrases without the value, :func:`redact` masks
every personnummer-like substring of a message, and :class:`PseudonymKey` never
shows its key in ``repr``.

Accepted forms
--------------
``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` and
``YYMMDDNNNN``, with surrounding white space ignored. A value that arrives as a
number (an Excel cell) is turned into its digits: a ``.0`` float ending is
dropped, and a value of 7–9 digits is taken to be a 10-digit number whose
leading zeros a number cell dropped (born 2000–2009: one zero, two or three for
2000) and is left-padded with ``0`` to 10 digits. Such a value must then pass
the date and check-digit tests like any other.

Century of the 10-digit forms, relative to ``reference_date`` (default today):

* ``-`` or no separator: the century that puts the birth date within the 100
  years up to ``reference_date`` (a date later in the year than the reference
  date, in the reference year, therefore means a hundred years earlier);
* ``+`` (100 years or older): the latest year ending in ``YY`` that is at most
  ``reference_date.year - 100``. Skatteverket switches ``-`` to ``+`` in the
  calendar year a person turns 100, so this also covers someone who writes ``+``
  a few months before the actual birthday.

The check digit is Luhn (modulus 10, weights 2-1-2-...) over the 10-digit form.
Samordningsnummer (day of month + 60, i.e. 61–91) are valid; the date is checked
after subtracting 60. A date must be a real calendar date, from 1800 on, and not
after ``reference_date``.

Key management
--------------
The pseudonym is ``"p"`` + 20 hex characters of HMAC-SHA256 over the 12-digit
form (see :func:`pseudonymise`), keyed with a secret of at least 32 bytes that
the user controls. :func:`resolve_key` looks it up in this order:

1. an explicit ``key_file`` argument (e.g. from a command-line option);
2. the environment variable ``FINSAM_PSEUDONYM_KEY`` holding the key itself as
   at least 64 hexadecimal characters (256 bits), e.g. from a secrets manager in
   a scheduled job;
3. the environment variable ``FINSAM_KEY_FILE`` naming a key file;
4. the per-user default ``$XDG_CONFIG_HOME/finsam/pseudonym.key``, or
   ``~/.config/finsam/pseudonym.key`` when ``XDG_CONFIG_HOME`` is unset.

A key file holds the key as hexadecimal text (same format as the environment
variable, so a file's content can be moved to the variable and vice versa).
When the chosen key file does not exist it is created with 32 random bytes
(``secrets.token_bytes``), mode 0600 and parent directories 0700, and
``PseudonymKey.created`` is True so the caller can tell the user a new key was
made (this also applies to an explicit path, so a mistyped path shows up as a
new key rather than passing silently). Consequences the user must know:

* The **same key** must be used for every file and every year, otherwise the
  same person gets different ``deltagare_id`` and cannot be followed over time.
  **Losing the key breaks linkage** with everything pseudonymised before; keep a
  backup of it (e.g. in the organisation's password manager).
* Förbund that want to link persons **between** them must share one key (and
  can compare :attr:`PseudonymKey.fingerprint` to check they do); förbund that
  do not share a key produce unlinkable pseudonyms, which is the default.
* The key must **never be stored beside the data** (not in the dataset
  directory, a shared report folder or a repository): anyone holding both the
  key and the pseudonyms can recover personnummer by trying every possible
  number.

Synthetic numbers
-----------------
:func:`generate` makes valid numbers for sample data and tests. Their
födelsenummer (the three digits after the date) is always in 980–999, a range
this project keeps for synthetic and test numbers so that they are easy to
recognise in sample data. They are still syntactically valid and may coincide
with a real person's number; never use them outside test and sample data.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import os
import re
import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from finsam_analysis.errors import FinsamError

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "FEL_DATUM",
    "FEL_FORMAT",
    "FEL_KONTROLLSIFFRA",
    "PersonnummerError",
    "PseudonymKey",
    "default_key_path",
    "generate",
    "looks_like_personnummer",
    "luhn_check_digit",
    "parse",
    "pseudonymise",
    "redact",
    "resolve_key",
]

#: Reasons in ``parse(...)["fel"]``; fixed phrases, never containing the value.
FEL_FORMAT = "fel format"
FEL_DATUM = "ogiltigt datum"
FEL_KONTROLLSIFFRA = "felaktig kontrollsiffra"

ENV_KEY = "FINSAM_PSEUDONYM_KEY"
ENV_KEY_FILE = "FINSAM_KEY_FILE"

_MIN_KEY_BYTES = 32
_MIN_KEY_HEX = 2 * _MIN_KEY_BYTES
_NEW_KEY_BYTES = 32
_EARLIEST_YEAR = 1800
_REDACTED = "ÅÅÅÅMMDD-XXXX"

# Only ASCII digits: \d would also accept e.g. Arabic-Indic digits.
_FORM = re.compile(
    r"^(?P<cc>[0-9]{2})?(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})(?P<dd>[0-9]{2})"
    r"(?P<sep>[-+]?)(?P<nnn>[0-9]{3})(?P<check>[0-9])$"
)
# 10 or more digits in a row; or 6 or more, a - or + (spaces allowed around
# it) and 4 or more; or 6 or more, a space and 4. A personnummer glued to
# another digit (a typo, a cell merged with its neighbour) is masked with the
# whole run. \d on purpose: over-redaction is harmless.
_PNR_LIKE = re.compile(
    r"(?<!\d)(?:\d{10,}|\d{6,}[ \t\u00a0]?[-+][ \t\u00a0]?\d{4,}|\d{6,}[ \t\u00a0]\d{4})(?!\d)"
)
# What a personnummer looks like after a trip through an Excel number cell.
_EXCEL_ARTEFACT = r"[0-9]{7,9}(?:\.0*)?|[0-9]{10,12}\.0*"
_DIGIT_RUN = re.compile(r"[0-9]{10}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_LUHN_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int16)
# Per written form (length 10..13 -> 0..3), where the 12 digits of
# CCYYMMDDNNNC sit in the value's bytes; 13 is a "0" pad for the century.
_GATHER = np.array(
    [
        [13, 13, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],  # YYMMDDNNNN
        [13, 13, 0, 1, 2, 3, 4, 5, 7, 8, 9, 10],  # YYMMDD-NNNN / YYMMDD+NNNN
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],  # YYYYMMDDNNNN
        [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12],  # YYYYMMDD-NNNN
    ]
)
_ST_MISSING, _ST_VALID, _ST_FORMAT, _ST_DATE, _ST_CHECK = -1, 0, 1, 2, 3
_FEL_LABELS = pa.array(
    [FEL_FORMAT, FEL_DATUM, FEL_KONTROLLSIFFRA], type=pa.large_string()
)
_KON_LABELS = pa.array(["kvinna", "man"], type=pa.large_string())


class PersonnummerError(FinsamError, ValueError):
    """A personnummer or pseudonym key problem; the message never holds either."""


# --------------------------------------------------------------------------
# Luhn
# --------------------------------------------------------------------------


def luhn_check_digit(nine_digits: str) -> int:
    """Return the Luhn check digit for the first nine digits of a personnummer.

    Parameters
    ----------
    nine_digits : str
        ``YYMMDDNNN``: exactly nine ASCII digits (the 10-digit form without its
        check digit).

    Returns
    -------
    int
        The check digit, 0–9.

    Raises
    ------
    ValueError
        If the argument is not nine ASCII digits.
    """
    if not (
        isinstance(nine_digits, str)
        and len(nine_digits) == 9
        and nine_digits.isascii()
        and nine_digits.isdigit()
    ):
        raise ValueError("luhn_check_digit kräver exakt nio siffror (ÅÅMMDDNNN).")
    digits = np.frombuffer(nine_digits.encode("ascii"), dtype=np.uint8) - ord("0")
    return int(_luhn_many(digits.reshape(1, 9).astype(np.int64))[0])


def _luhn_many(digits9: np.ndarray) -> np.ndarray:
    """Check digits for an ``(n, 9)`` integer array of digits, vectorised."""
    digits9 = np.asarray(digits9, dtype=np.int16)
    # Doubled positions (1st, 3rd, ...) contribute the digit sum of 2*d.
    total = _LUHN_DOUBLED[digits9[:, 0::2]].sum(axis=1) + digits9[:, 1::2].sum(axis=1)
    return (-total) % 10


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def _as_date(reference_date: _dt.date | None) -> _dt.date:
    if reference_date is None:
        return _dt.date.today()
    if isinstance(reference_date, _dt.datetime):  # also pd.Timestamp
        return reference_date.date()
    if isinstance(reference_date, _dt.date):
        return reference_date
    raise TypeError("reference_date måste vara ett datum (datetime.date).")


def _to_text(uniques: pd.Index) -> pd.Series:
    """The unique raw values as stripped strings (numbers become their digits)."""
    return pd.Series(uniques).astype("string").str.strip()


def _undo_excel(text: pd.Series) -> pd.Series:
    """Undo what Excel does to a personnummer stored as a number."""
    # A float cell arrives as "YYYYMMDDNNNN.0".
    text = text.str.replace(r"\.0*$", "", regex=True)
    # A 10-digit number of someone born 2000-2009 starts with 0, which a
    # number cell drops (born 2000: up to three zeros, "000MDDNNNC").
    return text.str.pad(10, side="left", fillchar="0")


def _parse_unique(text: pd.Series, ref: _dt.date) -> dict[str, np.ndarray]:
    """Parse stripped unique strings into numpy columns (one entry per value).

    Returns ``status`` (one of the ``_ST_*`` codes), ``year``, ``man``,
    ``samord``, ``pnr_bytes`` (valid numbers as an ``(k, 12)`` uint8 matrix of
    ASCII digits) and ``pnr_pos`` (row in ``pnr_bytes``, -1 if not valid).
    """
    n = len(text)
    status = np.full(n, _ST_MISSING, dtype=np.int8)
    nonempty = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
    text, form = _in_a_form(text, nonempty)
    status[nonempty] = _ST_FORMAT
    idx = np.flatnonzero(form)
    d, has_cc, plus = _digits(text.iloc[idx])
    year, month, day, samord = _birth_date(d, has_cc, plus, ref)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    dim = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    ref_md = ref.month * 100 + ref.day
    date_ok = (
        (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= dim)
        & (year >= _EARLIEST_YEAR)
        & (year * 10000 + month * 100 + day <= ref.year * 10000 + ref_md)
    )
    check_ok = _luhn_many(d[:, 2:11]) == d[:, 11]
    form_ok = ~(has_cc & plus)
    ok = form_ok & date_ok & check_ok

    status[idx] = np.select(
        [~form_ok, ~date_ok, ~check_ok], [_ST_FORMAT, _ST_DATE, _ST_CHECK], _ST_VALID
    )
    year_out = np.zeros(n, dtype=np.int64)
    year_out[idx] = year
    man = np.zeros(n, dtype=bool)
    man[idx] = d[:, 10] % 2 == 1
    samord_out = np.zeros(n, dtype=bool)
    samord_out[idx[ok]] = samord[ok]
    # The 12-digit form: the computed century in front of the 10 digits.
    pnr_bytes = d[ok].copy()
    century = year[ok] // 100
    pnr_bytes[:, 0], pnr_bytes[:, 1] = century // 10, century % 10
    pnr_pos = np.full(n, -1, dtype=np.int64)
    pnr_pos[idx[ok]] = np.arange(int(ok.sum()))
    return {
        "status": status,
        "year": year_out,
        "man": man,
        "samord": samord_out,
        "pnr_bytes": (pnr_bytes + ord("0")).astype(np.uint8),
        "pnr_pos": pnr_pos,
    }


def _in_a_form(text: pd.Series, nonempty: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """The values (Excel's damage undone where that helps) and which are in one of the written forms."""
    form = text.str.fullmatch(_FORM.pattern).to_numpy(dtype=bool, na_value=False, copy=True)
    # Excel artefacts are rare: only values not already in a form are retried.
    retry = np.flatnonzero(nonempty & ~form)
    if retry.size:
        maybe = text.iloc[retry].str.fullmatch(_EXCEL_ARTEFACT).to_numpy(dtype=bool, na_value=False)
        retry = retry[maybe]
    if retry.size:
        fixed = _undo_excel(text.iloc[retry])
        text = text.copy()
        text.iloc[retry] = fixed.array
        form[retry] = fixed.str.fullmatch(_FORM.pattern).to_numpy(dtype=bool, na_value=False)
    return text, form


def _digits(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 12 digits of each value (a 10-digit form padded in front), whether it wrote its century, and a ``+``."""
    k = len(text)
    # Fixed-width ASCII bytes, one row per value, NUL-padded to 13; column 13
    # is a "0" used to pad the 10-digit forms to 12 digits.
    raw = np.array(text.tolist(), dtype="S13").view(np.uint8).reshape(k, 13)
    raw = np.hstack([raw, np.full((k, 1), ord("0"), dtype=np.uint8)])
    form_type = (raw[:, :13] != 0).sum(axis=1) - 10  # length 10..13 -> 0..3
    sep_char = raw[np.arange(k), np.where(form_type == 3, 8, 6)]
    # A 12-digit number carries its century; "+" would contradict it.
    plus = (form_type % 2 == 1) & (sep_char == ord("+"))
    has_cc = form_type >= 2
    d = raw[np.arange(k)[:, None], _GATHER[form_type]].astype(np.int64) - ord("0")
    return d, has_cc, plus


def _birth_date(d: np.ndarray, has_cc: np.ndarray, plus: np.ndarray, ref: _dt.date):
    """Year (the century from the form: ``-`` under 100 years old at ``ref``, ``+`` over), month, day, samordningsnummer."""
    cc, yy = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3]
    month, dd = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    samord = (dd >= 61) & (dd <= 91)
    day = dd - 60 * samord
    ref_md = ref.month * 100 + ref.day
    dash_year = ref.year - (ref.year - yy) % 100
    later_this_year = (dash_year == ref.year) & (month * 100 + day > ref_md)
    dash_year = np.where(later_this_year, dash_year - 100, dash_year)
    plus_base = ref.year - 100
    plus_year = plus_base - (plus_base - yy) % 100
    year = np.where(has_cc, cc * 100 + yy, np.where(plus, plus_year, dash_year))
    return year, month, day, samord


def _string_array(
    strings: pa.Array, positions: np.ndarray
) -> pd.arrays.ArrowStringArray:
    """``strings[positions]`` as a pandas ``string`` array, -1 giving <NA>."""
    taken = strings.take(pa.array(positions, mask=positions < 0))
    return pd.array(taken, dtype="string")


def parse(values: pd.Series, reference_date: _dt.date | None = None) -> pd.DataFrame:
    """Parse and validate personnummer in any accepted written form.

    Work is done once per distinct value and mapped back, so a file where each
    person appears many times costs little more than its distinct persons.

    Parameters
    ----------
    values : pandas.Series
        Raw values: strings in an accepted form (see the module docstring),
        numbers as read from Excel, or missing values.
    reference_date : datetime.date, optional
        The date that decides the century of 10-digit forms and after which a
        birth date is "in the future". Default: today.

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``, with columns

        ``pnr12`` : string
            ``YYYYMMDDNNNN`` (samordningsnummer keep their day + 60); <NA> when
            invalid or missing.
        ``fel`` : string
            ``"fel format"``, ``"ogiltigt datum"`` or
            ``"felaktig kontrollsiffra"`` (the first that applies, in that
            order) for an invalid value; <NA> when valid
            and when the input is missing or empty (a missing value is not an
            error here; whether it is allowed is the caller's rule).
        ``fodelsear`` : Int64
            Birth year; <NA> unless valid.
        ``kon`` : string
            ``"man"`` when the second-to-last digit is odd, else ``"kvinna"``;
            <NA> unless valid.
        ``samordningsnummer`` : bool
            True for a valid samordningsnummer (day 61–91), else False.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    ref = _as_date(reference_date)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = _parse_unique(_to_text(uniques), ref)

    def per_row(per_unique: np.ndarray, fill) -> np.ndarray:
        # codes == -1 (missing input) picks the appended fill value.
        return np.append(per_unique, fill)[codes]

    status = per_row(u["status"], _ST_MISSING)
    valid = status == _ST_VALID
    fel_pos = np.select(
        [status == _ST_FORMAT, status == _ST_DATE, status == _ST_CHECK], [0, 1, 2], -1
    )
    kon_pos = np.where(valid, per_row(u["man"], False).astype(np.int64), -1)
    k = len(u["pnr_bytes"])
    pnr_strings = pa.LargeStringArray.from_buffers(
        k,
        pa.py_buffer(np.arange(0, 12 * k + 1, 12, dtype=np.int64)),
        pa.py_buffer(np.ascontiguousarray(u["pnr_bytes"])),
    )
    return pd.DataFrame(
        {
            "pnr12": _string_array(pnr_strings, per_row(u["pnr_pos"], -1)),
            "fel": _string_array(_FEL_LABELS, fel_pos),
            "fodelsear": pd.arrays.IntegerArray(per_row(u["year"], 0), ~valid),
            "kon": _string_array(_KON_LABELS, kon_pos),
            "samordningsnummer": per_row(u["samord"], False),
        },
        index=values.index,
    )


def looks_like_personnummer(values: pd.Series) -> pd.Series:
    """Flag values that are valid personnummer in any accepted form.

    Used to catch a personnummer typed into a column that should hold only a
    pseudonymous id (``deltagare_id``). Acceptance is exactly :func:`parse`'s,
    including 7–9-digit numbers read as 10-digit ones that lost leading zeros,
    so plain numeric ids give false positives: about 6 % of 7-digit and under
    1 % of 8- and 9-digit ids look like a number of someone born 2000–2009
    (10-digit ids: a few %). Judge a column by the share of flagged values,
    or reject the flagged rows with a message that says why.

    Parameters
    ----------
    values : pandas.Series
        Any values.

    Returns
    -------
    pandas.Series of bool
        Same index; True where the value parses as a valid personnummer.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    return parse(values)["pnr12"].notna().astype(bool)


# --------------------------------------------------------------------------
# Pseudonyms
# --------------------------------------------------------------------------


def _check_key(key: bytes) -> bytes:
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError("Nyckeln måste vara bytes (se resolve_key).")
    if len(key) < _MIN_KEY_BYTES:
        raise PersonnummerError(
            f"Pseudonymnyckeln är för kort: den ska vara minst {_MIN_KEY_BYTES} byte."
        )
    return bytes(key)


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class _HmacSha256:
    """HMAC-SHA256 (RFC 2104) of many messages under one key.

    The key's inner and outer hash states are computed once and copied per
    message: the same digests as ``hmac.digest(key, message, "sha256")``
    (the tests compare them), about four times faster per message, which
    counts when a national file holds a million distinct numbers.
    """

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def _pseudonym(mac: _HmacSha256, pnr12: str) -> str:
    message = pnr12.encode("ascii")
    digest = mac.hexdigest(message)[:20]
    counter = 0
    # About 4 % of 20-hex strings hold ten digits in a row; such a pseudonym
    # would look like a personnummer to redact() and to the commit check, so
    # re-hash deterministically until it does not.
    while _DIGIT_RUN.search(digest):
        counter += 1
        digest = mac.hexdigest(message + b"#%d" % counter)[:20]
    return "p" + digest


def pseudonymise(pnr12: pd.Series, key: bytes) -> pd.Series:
    """Replace 12-digit personnummer by keyed pseudonyms.

    The pseudonym is ``"p"`` followed by the first 20 hex characters of
    HMAC-SHA256(key, the 12 ASCII digits). In the rare case (about 4 %) that
    those 20 characters contain ten decimal digits in a row, the HMAC of the
    digits followed by ``#1``, ``#2``, ... is used instead, so that a pseudonym
    never looks like a personnummer. The leading letter has the same purpose.

    Parameters
    ----------
    pnr12 : pandas.Series
        ``parse(...)["pnr12"]``: 12 digits or missing. Use :func:`parse` first so
        that every written form of a number gives the same pseudonym.
    key : bytes
        The secret key, at least 32 bytes (``resolve_key().key``).

    Returns
    -------
    pandas.Series of string
        Same index, named ``deltagare_id``; <NA> where the input is missing.

    Raises
    ------
    PersonnummerError
        If the key is too short, or a value is not 12 digits (the value is
        not shown).
    """
    key = _check_key(key)
    if not isinstance(pnr12, pd.Series):
        pnr12 = pd.Series(pnr12)
    codes, uniques = pd.factorize(pnr12.astype("string"), use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype="string")
    bad = int((~distinct.str.fullmatch("[0-9]{12}")).sum())
    if bad:
        raise PersonnummerError(
            f"pseudonymise kräver personnummer med tolv siffror (från parse); "
            f"{bad} olika värden har en annan form."
        )
    mac = _HmacSha256(key)
    pseudonyms = pd.array(
        [_pseudonym(mac, u) for u in distinct.tolist()], dtype="string"
    )
    return pd.Series(
        pseudonyms.take(codes, allow_fill=True), index=pnr12.index, name="deltagare_id"
    )


# --------------------------------------------------------------------------
# Key management
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PseudonymKey:
    """The secret used by :func:`pseudonymise` and where it came from.

    Attributes
    ----------
    key : bytes
        The secret. Not shown by ``repr``.
    source : str
        Swedish description of where the key came from (a file path or an
        environment variable name); never contains key material.
    created : bool
        True if the key file did not exist and was created now. The caller
        should tell the user, since a new key does not link with earlier runs.
    """

    key: bytes = field(repr=False)
    source: str
    created: bool = False

    @property
    def fingerprint(self) -> str:
        """Short non-secret id of the key, to check two parties share one."""
        return hmac.new(self.key, b"finsam-fingerprint", hashlib.sha256).hexdigest()[:8]


def default_key_path() -> Path:
    """Per-user default key file: ``$XDG_CONFIG_HOME/finsam/pseudonym.key``.

    Returns
    -------
    pathlib.Path
        Under ``$XDG_CONFIG_HOME`` when it is set to an absolute path (as the
        XDG spec requires), else under ``~/.config``.
    """
    xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base / "finsam" / "pseudonym.key"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _decode_hex_key(text: str) -> bytes | None:
    text = text.strip()
    # fullmatch, not just fromhex: fromhex would also accept inner spaces.
    if len(text) < _MIN_KEY_HEX or len(text) % 2 or not _HEX.fullmatch(text):
        return None
    return bytes.fromhex(text)


def _key_from_file(path: Path, how: str) -> PseudonymKey:
    source = f"nyckelfil {path} ({how})"
    created = False
    if not path.exists():
        created = _create_key_file(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PersonnummerError(
            f"Nyckelfilen {path} kunde inte läsas ({_os_reason(exc)})."
        ) from None
    try:
        key = _decode_hex_key(raw.decode("ascii"))
    except UnicodeDecodeError:
        key = None
    if key is None:
        # Never echo the content: it may be (part of) a real key.
        raise PersonnummerError(
            f"Nyckelfilen {path} har fel innehåll: den ska innehålla en nyckel på "
            f"minst {_MIN_KEY_HEX} hexadecimala tecken (0–9, a–f) och inget annat. "
            f"Återställ filen från säkerhetskopian; en ny nyckel bryter kopplingen "
            f"till tidigare pseudonymer."
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        warnings.warn(
            f"Nyckelfilen {path} kan läsas av andra användare; begränsa den med "
            f"'chmod 600'.",
            stacklevel=3,
        )
    return PseudonymKey(key=key, source=source, created=created)


def _create_key_file(path: Path) -> bool:
    """Create a new random key file; False if another process won the race."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: never overwrite a key that appeared meanwhile.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise PersonnummerError(
            f"Nyckelfilen {path} kunde inte skapas ({_os_reason(exc)})."
        ) from None
    try:
        os.write(fd, (secrets.token_bytes(_NEW_KEY_BYTES).hex() + "\n").encode("ascii"))
    finally:
        os.close(fd)
    return True


def resolve_key(key_file: str | os.PathLike | None = None) -> PseudonymKey:
    """Find (or create) the pseudonymisation key.

    Order: ``key_file``; env ``FINSAM_PSEUDONYM_KEY`` (the key as hex); env
    ``FINSAM_KEY_FILE``; the default file (:func:`default_key_path`). See the
    module docstring for why the same key must be kept and never stored beside
    the data. Empty environment variables count as unset.

    Parameters
    ----------
    key_file : str or os.PathLike, optional
        Explicit key file. Created if it does not exist.

    Returns
    -------
    PseudonymKey

    Raises
    ------
    PersonnummerError
        If ``FINSAM_PSEUDONYM_KEY`` is not at least 64 hex characters, or a key
        file cannot be read, created or has bad content. The message names the
        file or variable, never the key.
    """
    if key_file is not None:
        return _key_from_file(Path(key_file).expanduser(), "angiven")
    env_key = os.environ.get(ENV_KEY, "")
    if env_key.strip():
        key = _decode_hex_key(env_key)
        if key is None:
            raise PersonnummerError(
                f"Miljövariabeln {ENV_KEY} ska innehålla en nyckel på minst "
                f"{_MIN_KEY_HEX} hexadecimala tecken (0–9, a–f); "
                f"värdet visas inte."
            )
        return PseudonymKey(key=key, source=f"miljövariabeln {ENV_KEY}", created=False)
    env_file = os.environ.get(ENV_KEY_FILE, "").strip()
    if env_file:
        return _key_from_file(Path(env_file).expanduser(), f"från {ENV_KEY_FILE}")
    return _key_from_file(default_key_path(), "standardplats")


# --------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------


def redact(text: str) -> str:
    """Mask every personnummer-like substring of a message.

    Parameters
    ----------
    text : str
        Any message about to be printed, logged or written.

    Returns
    -------
    str
        ``text`` with every run of 10 or more digits, and every run of 6 or
        more digits, a ``-``/``+`` (or a space) and 4 or more, replaced by
        ``ÅÅÅÅMMDD-XXXX``. A personnummer inside a longer digit run (a typo,
        two cells run together) goes with the whole run, and other long
        numbers are masked too: over-redaction is preferred to a leak.
    """
    return _PNR_LIKE.sub(_REDACTED, str(text))


# --------------------------------------------------------------------------
# Synthetic numbers
# --------------------------------------------------------------------------


def generate(
    n: int,
    rng: np.random.Generator,
    birth_years,
    kon,
    samordningsnummer_share: float = 0.0,
    dash: bool = True,
) -> np.ndarray:
    """Make valid synthetic personnummer for sample data and tests.

    Parameters
    ----------
    n : int
        How many.
    rng : numpy.random.Generator
        Source of randomness (an int seed is accepted too); the result is
        deterministic for a given generator state.
    birth_years : int or array-like of int
        Birth year of each number (broadcast to ``n``); not after this year.
    kon : str or array-like of str
        ``"kvinna"`` or ``"man"`` for each number (broadcast to ``n``).
    samordningsnummer_share : float, default 0.0
        Probability that a number is a samordningsnummer (day + 60).
    dash : bool, default True
        ``YYYYMMDD-NNNN`` if True, else ``YYYYMMDDNNNN``.

    Returns
    -------
    numpy.ndarray of str
        A random birth date in the given year (not after today), födelsenummer
        in 980–999 (the synthetic range, see the module docstring) whose last
        digit is odd for men and even for women, and a correct check digit.
    """
    rng = np.random.default_rng(rng)
    if n < 0:
        raise ValueError("n får inte vara negativt.")
    years = np.broadcast_to(np.asarray(birth_years, dtype=np.int64), (n,))
    kon_arr = np.broadcast_to(np.asarray(kon, dtype=object), (n,))
    is_man = kon_arr == "man"
    if not (is_man | (kon_arr == "kvinna")).all():
        raise ValueError("kon måste vara 'kvinna' eller 'man'.")
    today_date = _dt.date.today()
    today = np.datetime64(today_date, "D")
    if n and ((years < _EARLIEST_YEAR).any() or (years > today_date.year).any()):
        raise ValueError(f"Födelseår måste ligga mellan {_EARLIEST_YEAR} och i år.")
    if not 0.0 <= samordningsnummer_share <= 1.0:
        raise ValueError("samordningsnummer_share måste ligga mellan 0 och 1.")

    first = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    next_first = (years - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    last = np.minimum(next_first - 1, today)
    span = (last - first).astype(np.int64) + 1
    birth = first + np.floor(rng.random(n) * span).astype(np.int64)
    month_start = birth.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    day = (birth - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    day = day + 60 * (rng.random(n) < samordningsnummer_share)
    fodnr = rng.integers(98, 100, n) * 10 + rng.integers(0, 5, n) * 2 + is_man

    yy = years % 100
    digits9 = np.stack(
        [yy // 10, yy % 10, month // 10, month % 10, day // 10, day % 10,
         fodnr // 100, fodnr // 10 % 10, fodnr % 10],
        axis=1,
    ).astype(np.int64)
    check = _luhn_many(digits9) if n else np.zeros(0, dtype=np.int64)
    sep = "-" if dash else ""
    return np.array(
        [
            f"{y:04d}{m:02d}{d:02d}{sep}{f:03d}{c}"
            for y, m, d, f, c in zip(
                years.tolist(),
                month.tolist(),
                day.tolist(),
                fodnr.tolist(),
                check.tolist(),
            )
        ],
        dtype=str,
    )
