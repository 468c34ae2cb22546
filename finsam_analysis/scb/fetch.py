"""Download SCB's helårsekvivalenter table through PxWebApi 2.0 (docs/dataformat.md §10).

``finsam fetch-scb --out DIR [--from 2014M01]`` calls :func:`fetch_scb`. It
downloads table HE0000T02N2 (PxWebApi 2.0 id ``TAB1386``) as JSON-stat 2.0 into
``DIR/helarsekvivalenter/TAB1386_001.json``, ``TAB1386_002.json`` …, each file
the text of one API response exactly as it came, so the loader reads what SCB
published and nothing in between.

The API (PxWebApi 2.0; default ``https://statistikdatabasen.scb.se/api/v2``,
overridden by the ``base_url`` argument or the ``FINSAM_SCB_API`` environment
variable):

* ``GET {base}/config``: ``maxDataCells`` (cells one data call may return),
  ``maxCallsPerTimeWindow`` and ``timeWindow`` (seconds).
* ``GET {base}/tables/TAB1386/metadata?lang=sv``: JSON-stat 2.0 without
  values; the dimensions and their value codes.
* ``POST {base}/tables/TAB1386/data?lang=sv&outputFormat=json-stat2`` with
  ``{"selection": [{"variableCode": ..., "valueCodes": [...]}, ...]}``.

What is selected
----------------
Every ``Region`` (the 290 kommuner and ``00`` riket), every ``Kon`` (``1``,
``2``, ``1+2``), every ``ContentsCode`` (the codes are opaque; the loader maps
them through the labels in each file's own metadata), every ``Tid`` from
``start`` on, and the age groups ``20-64`` *and* ``20-65`` (those of them the
table has). Both age groups are fetched because the contract's normalised
table carries ``aldersgrupp``: 20–64 is the group SCB's reference figures use,
20–65 follows the raised pension age, and a user comparing over time needs to
choose. It costs twice the cells: for 2014M01–2025M12 (144 months, 312
regions with the län, 3 kön, 9 contents) 2 426 112 cells, which
:func:`plan_chunks` splits into 17 data calls at SCB's 150 000 cells per call
(9 with one age group), plus one metadata call. A variable the table might
gain later is fetched in full, so no cell is silently eliminated (PxWebApi
lets an eliminable variable be left out of the selection, and would then
answer with its total instead).

Chunking
--------
A call may not return more than ``maxDataCells`` cells (the product of the
number of selected values per variable). :func:`plan_chunks` splits the
selection into blocks of the cube: regions first (all months, as many
regions per call as fit, spread evenly), and only if a single region with all
months is too large, one region per call and months in contiguous ranges; if
even one region-month is too large it goes on to ``ContentsCode``, ``Kon`` and
``Aldersgrupp``. The blocks are disjoint and together cover every selected
cell exactly once; each response is checked against its block.

Politeness and failures
-----------------------
The limits are read from ``/config`` (``maxDataCells``,
``maxCallsPerTimeWindow``, ``timeWindow``; SCB publishes 150 000 cells and 30
calls per 10 s) and counted as the server counts them: PxWebApi's rate limit
(AspNetCoreRateLimit, ``appsettings.json`` of PxTools/PxWebApi) leaves
``/config`` out and does not count refused calls, so neither does the
fetcher. At most ``maxCallsPerTimeWindow`` of the other calls are made in any
``timeWindow`` seconds, measured from the *end* of earlier calls so that the
server's own window never sees too many. A 429 or 5xx answer, a reset
connection or a timeout is retried up to three times, after ``Retry-After``
when the server sends one and otherwise after 1, 2 and 4 seconds.

Error answers are ``application/problem+json`` (RFC 7807). The OpenAPI text
(PxTools/PxApiSpecs ``PxAPI-2.yml``) gives 403 for too many cells, the
reference server (PxTools/PxWebApi, ``ProblemUtility.TooManyCellsSelected``)
answers 400 "Too many cells selected": either way the chunk is split in two
and fetched again. An unknown table is 404 on ``/metadata`` and 400 with
"Non-existent table" on ``/data``; both give one sentence naming the table.
Anything else fails at once with a :class:`FetchError` of one or two plain
Swedish sentences (the CLI exits 1); "offline" (DNS failure, connection
refused, network unreachable) is never retried. ``outputFormat=json-stat2``
is always sent, since SCB's ``defaultDataFormat`` is ``px``.

Files
-----
Chunks are written into a hidden staging directory inside
``helarsekvivalenter/`` (temp file, fsync, ``os.replace``). Only when every
chunk has arrived are they moved to their final names (``os.replace``, atomic
per file) and earlier ``TAB1386_<nnn>.json`` files that the new download does
not replace are removed. A failed or interrupted fetch therefore leaves the
earlier download exactly as it was and no new file at all. Other files in the
directory (a CSV download, another table) are never touched.
"""

from __future__ import annotations

import email.utils
import errno
import http
import http.client
import itertools
import json
import math
import os
import re
import shutil
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from finsam_analysis.errors import FinsamError
from finsam_analysis.files import atomic_write, fsync_dir

DEFAULT_BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
BASE_URL_ENV = "FINSAM_SCB_API"
DEFAULT_TABLE = "TAB1386"
DEFAULT_START = "2014M01"
OUTPUT_DIR = "helarsekvivalenter"
LANG = "sv"

#: Age groups fetched, those of them the table has (see the module docstring).
AGE_GROUPS = ("20-64", "20-65")
#: Variables TAB1386 must have; a table without one of them is not the one we know.
REQUIRED_VARIABLES = ("Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid")
#: The order in which variables are split when a selection exceeds maxDataCells.
SPLIT_ORDER = ("Region", "Tid", "ContentsCode", "Kon", "Aldersgrupp")

MAX_RETRIES = 3
BACKOFF_SECONDS = 1.0
MAX_RETRY_AFTER = 300.0
#: Used when /config does not state a limit (SCB's published values are 150 000
#: cells and 30 calls per 10 seconds; these are a little more careful).
FALLBACK_MAX_CELLS = 100_000
FALLBACK_MAX_CALLS = 30
FALLBACK_TIME_WINDOW = 10.0

_START_RE = re.compile(r"^(\d{4})M(0[1-9]|1[0-2])$")
_STAGING_PREFIX = ".hamtning-"
_STALE_STAGING_SECONDS = 6 * 3600


class FetchError(FinsamError):
    """Downloading from SCB failed; the message says why in plain Swedish."""

    exit_code = 1


class _HttpRefusal(FetchError):
    """An HTTP error answer that is not retried; the status and the problem body kept for the caller."""

    def __init__(self, message: str, status: int, problem: dict):
        super().__init__(message)
        self.status = status
        self.problem = problem


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_scb` did."""

    directory: Path  #: ``out/helarsekvivalenter``
    files: tuple[Path, ...]  #: the files written, in chunk order
    calls: int  #: HTTP requests made, config, metadata and retries included
    cells: int  #: data cells downloaded (sum over the files)
    first_period: str  #: first month fetched, e.g. ``2014M01``
    last_period: str  #: last month fetched
    removed: tuple[Path, ...] = ()  #: files of an earlier fetch that were removed

    def summary(self) -> str:
        """One Swedish sentence for the command line."""
        cells = f"{self.cells:,}".replace(",", "\u00a0")
        return (
            f"Hämtade {cells} värden från SCB ({self.first_period}–{self.last_period}) "
            f"i {len(self.files)} {'fil' if len(self.files) == 1 else 'filer'} till {self.directory} "
            f"({self.calls} anrop)."
        )


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def validate_start(start: str) -> str:
    """Return ``start`` as ``YYYYMmm`` or raise :class:`FetchError`."""
    text = str(start).strip().upper() if start is not None else ""
    if not _START_RE.match(text):
        raise FetchError(
            f"'{start}' är ingen månad i SCB:s form ÅÅÅÅMmm. Ange till exempel --from 2014M01."
        )
    return text


def resolve_base_url(base_url: str | None = None) -> str:
    """The API base: the argument, else ``$FINSAM_SCB_API``, else SCB's own."""
    url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(
            f"'{url}' är ingen http- eller https-adress till SCB:s API. "
            f"Rätta {BASE_URL_ENV} eller ta bort den så används {DEFAULT_BASE_URL}."
        )
    return url


# --------------------------------------------------------------------------
# Chunking
# --------------------------------------------------------------------------

Selection = list[tuple[str, list[str]]]


def _even_batches(codes: Sequence[str], max_size: int) -> list[list[str]]:
    """Contiguous batches of at most ``max_size``, sizes differing by at most one."""
    n = len(codes)
    k = math.ceil(n / max_size)
    base, extra = divmod(n, k)
    out, pos = [], 0
    for i in range(k):
        size = base + (1 if i < extra else 0)
        out.append(list(codes[pos : pos + size]))
        pos += size
    return out


def plan_chunks(
    selection: Sequence[tuple[str, Sequence[str]]],
    max_cells: int,
    split_order: Sequence[str] = SPLIT_ORDER,
) -> list[Selection]:
    """Split ``selection`` into disjoint blocks of at most ``max_cells`` cells.

    ``selection`` is ``[(variable, [codes...]), ...]`` in the table's order;
    every block keeps that order. Variables are split in ``split_order``
    (others after it): the first one is split into as few even batches as
    fit with every other variable whole; if even one of its values with every
    other variable whole is too much, it is taken one value at a time and the
    next variable is split, and so on. The blocks are enumerated with the
    first split variable outermost, so the files follow region, then time.
    """
    if max_cells < 1:
        raise ValueError("max_cells must be at least 1")
    names = [name for name, _ in selection]
    codes = {name: list(values) for name, values in selection}
    if any(not values for values in codes.values()):
        return []
    order = [v for v in split_order if v in codes] + [v for v in names if v not in split_order]
    group = {name: len(values) for name, values in codes.items()}
    for var in order:
        other = math.prod(size for name, size in group.items() if name != var)
        if other * group[var] <= max_cells:
            break
        if other <= max_cells:
            group[var] = max_cells // other
            break
        group[var] = 1
    batches = {name: _even_batches(codes[name], group[name]) for name in names}
    chunks: list[Selection] = []
    for combo in itertools.product(*(batches[v] for v in order)):
        picked = dict(zip(order, combo))
        chunks.append([(name, picked[name]) for name in names])
    return chunks


def cell_count(selection: Sequence[tuple[str, Sequence[str]]]) -> int:
    """Cells a selection returns: the product of the value counts."""
    return math.prod(len(values) for _, values in selection)


# --------------------------------------------------------------------------
# Time and rate limit
# --------------------------------------------------------------------------


class _Clock:
    """``clock()`` that is guaranteed to move forward by what ``sleep`` slept.

    With the real ``time.sleep`` this is just ``clock``. With an injected
    sleep that returns at once (tests), the time it "slept" is added so the
    rate limiter sees its waits take effect.
    """

    def __init__(self, sleep: Callable[[float], Any], clock: Callable[[], float]):
        self._sleep = sleep
        self._clock = clock
        self._skew = 0.0

    def now(self) -> float:
        return self._clock() + self._skew

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        before = self.now()
        self._sleep(seconds)
        after = self.now()
        if after < before + seconds:
            self._skew += before + seconds - after


class _RateLimiter:
    """At most ``max_calls`` calls in any ``window`` seconds (sliding window).

    A call occupies the window from the moment it *ended*, which the server
    can only have seen earlier, so the server's window is never exceeded.
    """

    def __init__(self, clock: _Clock, max_calls: int, window: float):
        self.clock = clock
        self.max_calls = max(1, int(max_calls))
        self.window = max(0.0, float(window))
        self._ends: deque[float] = deque()

    def configure(self, max_calls: int, window: float) -> None:
        self.max_calls = max(1, int(max_calls))
        self.window = max(0.0, float(window))

    def _expire(self, now: float) -> None:
        while self._ends and self._ends[0] <= now - self.window:
            self._ends.popleft()

    def wait_turn(self) -> None:
        now = self.clock.now()
        self._expire(now)
        while len(self._ends) >= self.max_calls:
            # Wait until the oldest of the last max_calls calls leaves the window.
            oldest = self._ends[-self.max_calls]
            self.clock.sleep(oldest + self.window - now + 0.01)
            now = self.clock.now()
            self._expire(now)

    def record(self) -> None:
        self._ends.append(self.clock.now())


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------


def _user_agent() -> str:
    try:
        from finsam_analysis.version import __version__
    except ImportError:  # pragma: no cover
        __version__ = "0"
    return f"finsam-analysis/{__version__} (Python urllib)"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _status_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _problem(body: bytes) -> dict:
    """An ``application/problem+json`` body (RFC 7807) as a dict; ``{}`` for anything else."""
    try:
        obj = json.loads(body[:4000].decode("utf-8", "replace"))
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def _too_many_cells(status: int, problem: dict) -> bool:
    """The server's "too many cells": 400 "Too many cells selected" (PxWebApi), 403 in the OpenAPI text."""
    title = f"{problem.get('title', '')} {problem.get('detail', '')}".casefold()
    return status == 403 or (status == 400 and "too many cells" in title)


def _non_existent_table(status: int, problem: dict) -> bool:
    """PxWebApi answers an unknown table with 404 on metadata and 400 (body status 404) on data."""
    return status == 404 or (status == 400 and "non-existent table" in str(problem.get("title", "")).casefold())


def _problem_text(body: bytes) -> str:
    """A short, single-line explanation from an error body, if it has one."""
    if not body:
        return ""
    text = body[:4000].decode("utf-8", "replace")
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        parts = [str(obj[k]) for k in ("title", "detail") if obj.get(k)]
        text = ": ".join(parts)
    elif text.lstrip().startswith("<"):
        return ""  # an HTML error page says nothing useful in one line
    text = " ".join(text.split())
    return text[:200].rstrip(". ")


def _offline_message(host: str, reason: object, timeout: float) -> str:
    if isinstance(reason, socket.gaierror):
        what = f"adressen {host} kunde inte slås upp"
    elif isinstance(reason, ConnectionRefusedError):
        what = f"{host} tog inte emot anslutningen"
    elif isinstance(reason, TimeoutError):
        seconds = f"{timeout:g}".replace(".", ",")
        what = f"inget svar från {host} inom {seconds} sekunder"
    elif isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.HTTPException)):
        what = f"anslutningen till {host} bröts"
    elif isinstance(reason, ssl.SSLError):
        what = f"den säkra anslutningen till {host} misslyckades"
    elif isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
        what = f"nätverket till {host} kan inte nås"
    else:
        detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        what = f"{host}: {detail}"
    return f"Kunde inte nå SCB:s API ({what}). Kontrollera internetanslutningen och försök igen."


def _http_message(status: int, path: str, body: bytes, attempts: int) -> str:
    phrase = _status_phrase(status)
    head = f"SCB:s API svarade med HTTP {status}" + (f" ({phrase})" if phrase else "") + f" på {path}"
    if status == 429 or 500 <= status < 600:
        return f"{head}, även efter {attempts} försök. Försök igen senare."
    detail = _problem_text(body)
    if status == 404:
        return f"{head}. Kontrollera adressen till API:t ({BASE_URL_ENV}) och tabellens id."
    if detail:
        return f"{head}: {detail}."
    return f"{head}. Tabellen eller API:t kan ha ändrats; rapportera felet."


def _is_transient(exc: BaseException) -> bool:
    return isinstance(
        exc,
        (TimeoutError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.HTTPException),
    )


class _Client:
    """JSON over HTTP with the rate limit, retries and Swedish errors."""

    def __init__(self, base_url: str, timeout: float, clock: _Clock):
        self.base_url = base_url
        self.host = urllib.parse.urlsplit(base_url).netloc
        self.timeout = timeout
        self.clock = clock
        self.limiter = _RateLimiter(clock, FALLBACK_MAX_CALLS, FALLBACK_TIME_WINDOW)
        self.calls = 0
        self._opener = urllib.request.build_opener()

    def request(
        self, path: str, query: dict[str, str], body: object | None = None, *, counted: bool = True
    ) -> tuple[bytes, Any]:
        """Send one request (GET, or POST with a JSON body); return raw bytes and parsed JSON.

        ``counted=False`` for ``/config``, which SCB's rate limit does not
        count (PxWebApi's ``EndpointWhitelist``): it neither waits its turn
        nor takes a place in the window. An answer 429 takes no place either,
        since the server does not count refused calls (``StackBlockedRequests``
        is off), but its ``Retry-After`` is waited.
        """
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        shown = urllib.parse.urlsplit(url).path
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": _user_agent()}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        for attempt in range(MAX_RETRIES + 1):
            req = urllib.request.Request(url, data=data, headers=headers, method="GET" if data is None else "POST")
            if counted:
                self.limiter.wait_turn()
            record = self.limiter.record if counted else (lambda: None)
            self.calls += 1
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    raw = resp.read()
            except urllib.error.HTTPError as exc:
                status = exc.code
                try:
                    err_body = exc.read()
                except Exception:  # noqa: BLE001 (the body is only decoration)
                    err_body = b""
                wait = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                exc.close()
                if status != 429:
                    record()
                if (status == 429 or 500 <= status < 600) and attempt < MAX_RETRIES:
                    self.clock.sleep(wait if wait is not None else BACKOFF_SECONDS * 2**attempt)
                    continue
                raise _HttpRefusal(_http_message(status, shown, err_body, attempt + 1), status, _problem(err_body)) from None
            except urllib.error.URLError as exc:
                record()
                reason = exc.reason
                if _is_transient(reason) and attempt < MAX_RETRIES:
                    self.clock.sleep(BACKOFF_SECONDS * 2**attempt)
                    continue
                raise FetchError(_offline_message(self.host, reason, self.timeout)) from None
            except (OSError, http.client.HTTPException) as exc:
                record()
                if _is_transient(exc) and attempt < MAX_RETRIES:
                    self.clock.sleep(BACKOFF_SECONDS * 2**attempt)
                    continue
                raise FetchError(_offline_message(self.host, exc, self.timeout)) from None
            record()
            return raw, _parse_json(raw, shown)
        raise AssertionError("unreachable")  # pragma: no cover


def _parse_json(raw: bytes, shown: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise FetchError(
            f"SCB:s API skickade ett svar på {shown} som inte är giltig JSON. "
            "Försök igen senare; består felet kan API:t ha ändrats."
        ) from None


def _unexpected(shown: str, what: str) -> FetchError:
    return FetchError(
        f"SCB:s API skickade ett oväntat svar på {shown} ({what}). "
        "Tabellen eller API:t kan ha ändrats; rapportera felet."
    )


# --------------------------------------------------------------------------
# JSON-stat
# --------------------------------------------------------------------------


def _category_codes(dimension: Any) -> list[str]:
    """Value codes of a JSON-stat 2.0 dimension, in their index order."""
    category = dimension["category"]
    index = category.get("index")
    if isinstance(index, list):
        return [str(c) for c in index]
    if isinstance(index, dict):
        return [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    label = category.get("label")
    if isinstance(label, dict) and len(label) == 1:  # a single category may omit index
        return [str(c) for c in label]
    raise TypeError("category without index")


def _dimensions(meta: Any, shown: str) -> list[tuple[str, list[str]]]:
    try:
        ids = meta.get("id") or list(meta["dimension"])
        dims = [(str(var), _category_codes(meta["dimension"][var])) for var in ids]
    except (AttributeError, KeyError, TypeError):
        raise _unexpected(shown, "inga JSON-stat-dimensioner") from None
    missing = [v for v in REQUIRED_VARIABLES if v not in dict(dims)]
    if missing:
        raise _unexpected(shown, "variabeln " + ", ".join(missing) + " saknas")
    return dims


def _check_dataset(obj: Any, chunk: Selection, shown: str) -> None:
    """The response is a JSON-stat dataset holding exactly the cells asked for."""
    try:
        if obj.get("class") != "dataset":
            raise _unexpected(shown, "inte ett JSON-stat-dataset")
        ids = [str(v) for v in obj["id"]]
        asked = dict(chunk)
        if sorted(ids) != sorted(asked):
            raise _unexpected(shown, "andra variabler än i urvalet")
        for var in ids:
            got = _category_codes(obj["dimension"][var])
            if len(got) != len(asked[var]) or set(got) != set(asked[var]):
                raise _unexpected(shown, f"andra värden för {var} än i urvalet")
        n = math.prod(int(s) for s in obj["size"])
        values = obj["value"]
    except (AttributeError, KeyError, TypeError, ValueError):
        raise _unexpected(shown, "ofullständigt JSON-stat-dataset") from None
    if n != cell_count(chunk) or not isinstance(values, (list, dict)) or (
        isinstance(values, list) and len(values) != n
    ):
        raise _unexpected(shown, "fel antal värden")


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------




def _own_files(directory: Path, table: str) -> list[Path]:
    pattern = re.compile(rf"^{re.escape(table)}_\d{{3,}}\.json$")
    return sorted(p for p in directory.iterdir() if p.is_file() and pattern.match(p.name))


def _remove_stale_staging(directory: Path, table: str, now: float) -> None:
    """Staging directories a killed fetch left behind (older than six hours)."""
    for p in directory.glob(f"{_STAGING_PREFIX}{table}-*"):
        try:
            if p.is_dir() and now - p.stat().st_mtime > _STALE_STAGING_SECONDS:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


def _write_failed(directory: Path, exc: OSError) -> FetchError:
    reason = exc.strerror or str(exc)
    return FetchError(
        f"Kunde inte skriva de hämtade filerna i {directory} ({reason}). "
        "Kontrollera att katalogen är skrivbar och att disken inte är full."
    )


# --------------------------------------------------------------------------
# The fetch
# --------------------------------------------------------------------------


def _positive_number(value: Any, fallback: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        return fallback
    return float(value)


def fetch_scb(
    out: str | os.PathLike[str],
    start: str = DEFAULT_START,
    *,
    base_url: str | None = None,
    table: str = DEFAULT_TABLE,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    timeout: float = 60,
    clock: Callable[[], float] = time.monotonic,
) -> FetchResult:
    """Download ``table`` from ``start`` on into ``out/helarsekvivalenter/``.

    Parameters
    ----------
    out : directory of the dataset; ``helarsekvivalenter/`` is created in it.
    start : first month, ``YYYYMmm`` (default ``2014M01``, the table's start).
    base_url : PxWebApi 2.0 base; default ``$FINSAM_SCB_API`` or SCB's.
    table : the table id.
    progress : called as ``progress(done, total)`` in chunks, first with
        ``(0, total)`` once the plan is known, then after each chunk.
    sleep, clock : injected for tests; waits (rate limit, retries) go through
        ``sleep``.
    timeout : seconds per HTTP request.

    Raises
    ------
    FetchError
        Bad ``start``, no network, an HTTP error after retries, a malformed
        answer, or files that cannot be written. Nothing is changed on disk
        then, apart from possibly creating the (empty) output directory.
    """
    start = validate_start(start)
    base = resolve_base_url(base_url)
    client = _Client(base, float(timeout), _Clock(sleep, clock))
    table_path = "/tables/" + urllib.parse.quote(table, safe="")
    max_cells = _configure(client, base)
    selection = _selection(client, base, table, table_path, start)
    months = dict(selection)["Tid"]
    chunks = plan_chunks(selection, max_cells)
    if progress:
        progress(0, len(chunks))
    directory = Path(out) / OUTPUT_DIR
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(directory, table, time.time())
        staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{table}-", dir=directory))
    except OSError as exc:
        raise _write_failed(directory, exc) from None
    try:
        names, cells = _download(client, base, table, table_path, chunks, staging, directory, progress)
        removed = _move_into_place(directory, staging, table, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return FetchResult(
        directory=directory, files=tuple(directory / n for n in names), calls=client.calls, cells=cells,
        first_period=min(months), last_period=max(months), removed=removed,
    )  # fmt: skip


def _configure(client: "_Client", base: str) -> int:
    """The API's limits (cells per call, calls per time window) from ``/config``; returns cells per call."""
    _, config = client.request("/config", {}, counted=False)
    if not isinstance(config, dict):
        raise _unexpected(urllib.parse.urlsplit(base + "/config").path, "ingen konfiguration")
    max_cells = int(_positive_number(config.get("maxDataCells"), FALLBACK_MAX_CELLS))
    client.limiter.configure(
        int(_positive_number(config.get("maxCallsPerTimeWindow"), FALLBACK_MAX_CALLS)),
        _positive_number(config.get("timeWindow"), FALLBACK_TIME_WINDOW),
    )
    return max_cells


def _selection(client: "_Client", base: str, table: str, table_path: str, start: str) -> Selection:
    """Every value of every variable, the months from ``start`` on and the age group 20–64 (from the metadata)."""
    meta_shown = urllib.parse.urlsplit(base + table_path + "/metadata").path
    try:
        _, meta = client.request(table_path + "/metadata", {"lang": LANG})
    except _HttpRefusal as exc:
        if _non_existent_table(exc.status, exc.problem):
            raise _no_such_table(table, base) from None
        raise
    selection: Selection = []
    for var, codes in _dimensions(meta, meta_shown):
        if var == "Tid":
            chosen = [c for c in codes if c >= start]
            if not chosen:
                raise FetchError(
                    f"SCB:s tabell {table} har inga månader från {start}; "
                    f"den senaste är {max(codes) if codes else 'okänd'}. Ange en tidigare månad med --from."
                )
        elif var == "Aldersgrupp":
            chosen = [c for c in codes if c in AGE_GROUPS]
            if not chosen:
                raise _unexpected(meta_shown, "åldersgruppen " + " eller ".join(AGE_GROUPS) + " saknas")
        else:
            chosen = list(codes)
        if not chosen:
            raise _unexpected(meta_shown, f"variabeln {var} har inga värden")
        selection.append((var, chosen))
    return selection


def _no_such_table(table: str, base: str) -> FetchError:
    return FetchError(
        f"SCB:s API ({base}) har ingen tabell {table}. Kontrollera tabellens id och adressen till API:t ({BASE_URL_ENV})."
    )


def _download(client, base, table, table_path, chunks, staging: Path, directory: Path, progress):
    """Each chunk as a JSON-stat2 file in ``staging``; returns the file names and the number of cells.

    A chunk the server finds too large (its ``maxDataCells`` is lower than
    ``/config`` said) is split in two and both halves are fetched in its
    place, down to a single cell; the files are numbered in the order they
    arrive, so they still cover every cell exactly once.
    """
    data_path = table_path + "/data"
    data_shown = urllib.parse.urlsplit(base + data_path).path
    pending = list(chunks)
    fetched: list[tuple[bytes, int]] = []
    total = len(chunks)
    while pending:
        chunk = pending.pop(0)
        body = {"selection": [{"variableCode": v, "valueCodes": list(c)} for v, c in chunk]}
        try:
            # outputFormat always explicit: SCB's default data format is px, not JSON-stat.
            raw, obj = client.request(data_path, {"lang": LANG, "outputFormat": "json-stat2"}, body)
        except _HttpRefusal as exc:
            if _non_existent_table(exc.status, exc.problem):
                raise _no_such_table(table, base) from None
            if _too_many_cells(exc.status, exc.problem) and cell_count(chunk) > 1:
                halves = plan_chunks(chunk, math.ceil(cell_count(chunk) / 2))
                if len(halves) < 2:  # cannot get smaller: say so rather than ask again
                    raise
                pending[:0] = halves
                total += len(halves) - 1
                continue
            raise
        _check_dataset(obj, chunk, data_shown)
        fetched.append((raw, cell_count(chunk)))
        if progress:
            progress(len(fetched), total)
    width = max(3, len(str(len(fetched))))
    names = [f"{table}_{i:0{width}d}.json" for i in range(1, len(fetched) + 1)]
    try:
        for name, (raw, _) in zip(names, fetched):
            atomic_write(staging / name, raw)
    except OSError as exc:
        raise _write_failed(directory, exc) from None
    return names, sum(n for _, n in fetched)


def _move_into_place(directory: Path, staging: Path, table: str, names: list[str]) -> tuple[Path, ...]:
    """Everything arrived: move it into place, then drop what is left of the old fetch (returned)."""
    try:
        previous = _own_files(directory, table)
        for name in names:
            os.replace(staging / name, directory / name)
        removed = tuple(p for p in previous if p.name not in set(names))
        for p in removed:
            p.unlink(missing_ok=True)
        fsync_dir(directory)
    except OSError as exc:
        raise _write_failed(directory, exc) from None
    return removed
