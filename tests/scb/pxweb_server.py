"""A tiny stand-in for SCB's PxWebApi 2.0, for tests of ``scb_fetch``.

Written from the API's own description and its reference server, and
answering as they do on every point the fetcher meets (issue 16):

* PxTools/PxApiSpecs ``PxAPI-2.yml`` (commit 264f16c): the endpoints, the
  ``/config`` schema (``defaultDataFormat``, ``dataFormats``, ``features``),
  JSON-stat 2.0 metadata with ``"value": []`` and dimension ``extension``
  (``elimination``, ``eliminationValueCode``, ``noteMandatory``,
  ``codelists``), ``application/problem+json`` error bodies.
* PxTools/PxWebApi (commit 92f4cfa4, 2026-06-29), where the two differ the
  server is followed: too many cells is HTTP 400 "Too many cells selected"
  (``ProblemUtility.TooManyCellsSelected``; the OpenAPI text says 403); an
  unknown table is 404 on ``/metadata`` and 400 on ``/data`` with a body
  whose ``status`` is 404 (``BadRequest(ProblemUtility.NonExistentTable())``);
  unknown variables and values are 400 "Non-existent variable/value"; a
  variable with ``elimination: false`` left out of a selection is 400
  "Missing selection for mandantory variable", an eliminable one left out is
  answered with its ``eliminationValueCode``; an unknown ``outputFormat`` is
  400; without ``outputFormat`` the answer is the default format, PX; the
  rate limit (``IpRateLimiting``: 30 calls per 10 s, ``EndpointWhitelist``
  ``get:/v2/config``, ``StackBlockedRequests: false``) counts neither
  ``/config`` nor refused calls, and refuses with 429, a ``Retry-After`` and
  AspNetCoreRateLimit's plain-text body; any ``lang`` is accepted.
* SCB's labels for TAB1386: "20–64 år" with an en dash, "män och kvinnor
  totalt" for 1+2.

It serves, on 127.0.0.1 and a free port, the three endpoints the fetcher uses,
shaped like the real API:

* ``GET  /api/v2/config``: ``maxDataCells``, ``maxCallsPerTimeWindow``, ``timeWindow`` …
* ``GET  /api/v2/tables/TAB1386/metadata?lang=sv``: JSON-stat 2.0 without values.
* ``POST /api/v2/tables/TAB1386/data?lang=sv&outputFormat=json-stat2`` with
  ``{"selection": [{"variableCode": ..., "valueCodes": [...]}, ...]}``: a
  JSON-stat 2.0 dataset (id order Region, Kon, Aldersgrupp, ContentsCode, Tid;
  values row-major, last dimension fastest).

The cube is synthetic and small: 5 regions (``00`` riket and four kommuner),
3 kön, the age groups 20-64 and 20-65, the 9 contents of TAB1386 under opaque
codes with SCB's labels (the "ersersättning" typo included), 6 months. Every
value is :func:`expected_value` of its codes, so a test can check each cell.

Like the real API it refuses a data call above ``maxDataCells`` (400 with a
problem-details body), unknown codes and missing variables (400). It records
every request, can be told to fail the next N matching requests (503, 429 …,
with an optional ``Retry-After``), to fail always (500) after a number of
successes, to drop the connection without answering, to hang (until stopped,
at most 10 s), or to send broken JSON.
Given a ``clock`` and ``enforce_rate_limit=True`` it answers 429 to a call
that would exceed ``maxCallsPerTimeWindow`` in ``timeWindow`` seconds of that
clock.

Use it as a context manager (the tests' fixture does): it serves only inside
the ``with`` block.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

API_PREFIX = "/api/v2"
TABLE = "TAB1386"

REGIONS = {
    "00": "Riket",
    "0114": "Upplands Väsby",
    "0180": "Stockholm",
    "1280": "Malmö",
    "2480": "Umeå",
}
KON = {"1": "män", "2": "kvinnor", "1+2": "män och kvinnor totalt"}
ALDERSGRUPPER = {"20-64": "20–64 år", "20-65": "20–65 år"}
#: Which variables PxWebApi lets a selection leave out, and the value it answers with then.
ELIMINATION = {"Kon": "1+2"}
#: The server's default data format (SCB's /config) and the formats it offers.
DEFAULT_FORMAT = "px"
DATA_FORMATS = ["px", "json-stat2", "csv", "xlsx", "html", "json-px", "parquet"]
#: Opaque codes, as SCB's are; labels exactly as SCB spells them.
CONTENTS = {
    "000007G1": "Sjukpenning",
    "000007G2": "Sjuk- och aktivitetsersersättning",
    "000007G3": "Arbetslöshetsersättning",
    "000007G4": "Arbetsmarknadsåtgärder",
    "000007G5": "Ekonomiskt bistånd",
    "000007G6": "Etableringsersättning",
    "000007G7": "Summa helårsekvivalenter",
    "000007G8": "Folkmängd",
    "000007G9": "Andel av befolkningen",
}
MONTHS = {f"2024M{m:02d}": f"2024M{m:02d}" for m in range(1, 7)}

VARIABLES = ("Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid")
VARIABLE_LABELS = {
    "Region": "region",
    "Kon": "kön",
    "Aldersgrupp": "åldersgrupp",
    "ContentsCode": "tabellinnehåll",
    "Tid": "månad",
}
#: The one missing value in the cube (SCB shows ".."; JSON-stat has null).
NULL_CELL = ("2480", "1+2", "20-64", "000007G6", "2024M01")


def expected_value(region: str, kon: str, alder: str, contents: str, month: str) -> float | None:
    """The value of a cell, from its codes alone (unique per cell)."""
    if (region, kon, alder, contents, month) == NULL_CELL:
        return None
    r = list(REGIONS).index(region)
    k = list(KON).index(kon)
    a = list(ALDERSGRUPPER).index(alder)
    c = list(CONTENTS).index(contents)
    t = list(MONTHS).index(month)
    return r * 100000 + k * 10000 + a * 1000 + c * 100 + t + 0.25


@dataclass
class Recorded:
    """One request the server saw."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0
    cells: int = 0  # data calls: cells selected
    at: float | None = None  # the server's clock, when it has one
    response: bytes = b""


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: for ever
    path_contains: str
    after: int  # let this many matching requests through first
    retry_after: str | None = None
    kind: str = "status"  # or "reset", "hang"
    seen: int = 0


@dataclass
class FakePxWeb:
    """The fake API; ``base_url`` is what ``fetch_scb(base_url=...)`` takes."""

    max_cells: int = 400
    max_calls: int = 3
    time_window: int = 10
    #: Cells the server really allows, when it differs from what /config says (None: the same).
    true_max_cells: int | None = None
    #: The table has gone between the metadata and the data call (answered as PxWebApi does).
    unknown_data_table: bool = False
    clock: Callable[[], float] | None = None
    enforce_rate_limit: bool = False
    malformed_data: bool = False
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._window: deque[float] = deque()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "FakePxWeb":
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakePxWeb":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    # -- failure injection -------------------------------------------------

    def fail_next(self, n: int, status: int = 503, *, path_contains: str = "", retry_after: str | None = None) -> None:
        """Answer the next ``n`` requests whose path contains ``path_contains`` with ``status``."""
        self._failures.append(_Failure(status, n, path_contains, 0, retry_after))

    def fail_always(self, status: int = 500, *, path_contains: str = "", after: int = 0) -> None:
        """Answer every matching request with ``status``, after ``after`` successes."""
        self._failures.append(_Failure(status, None, path_contains, after))

    def reset_next(self, n: int, *, path_contains: str = "") -> None:
        """Close the connection without an answer, ``n`` times."""
        self._failures.append(_Failure(0, n, path_contains, 0, kind="reset"))

    def hang_next(self, n: int, *, path_contains: str = "") -> None:
        """Read the request and then say nothing (until stopped), ``n`` times."""
        self._failures.append(_Failure(0, n, path_contains, 0, kind="hang"))

    def clear_failures(self) -> None:
        self._failures.clear()

    def data_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/data")]

    # -- the cube ----------------------------------------------------------

    def dimensions(self) -> dict[str, dict[str, str]]:
        return {
            "Region": REGIONS,
            "Kon": KON,
            "Aldersgrupp": ALDERSGRUPPER,
            "ContentsCode": CONTENTS,
            "Tid": MONTHS,
        }

    def config(self) -> dict[str, Any]:
        return {
            "apiVersion": "2.0.0",
            "appVersion": "fake",
            "languages": [{"id": "sv", "label": "Svenska"}, {"id": "en", "label": "English"}],
            "defaultLanguage": "sv",
            "maxDataCells": self.max_cells,
            "maxCallsPerTimeWindow": self.max_calls,
            "timeWindow": self.time_window,
            "license": "https://creativecommons.org/share-your-work/public-domain/cc0/",
            "sourceReferences": [{"language": "sv", "text": "Källa: SCB"}, {"language": "en", "text": "Source: Statistics Sweden"}],
            "defaultDataFormat": DEFAULT_FORMAT,
            "dataFormats": DATA_FORMATS,
            "features": [{"id": "CORS", "params": [{"key": "enabled", "value": "True"}]}],
        }

    def dataset(self, chosen: dict[str, list[str]] | None) -> dict[str, Any]:
        """JSON-stat 2.0 for the chosen codes (all when ``None``: metadata, ``"value": []``).

        A variable missing from ``chosen`` was eliminated: it is not in the
        answer, and its cells are those of its elimination value.
        """
        dims = self.dimensions()
        shown = [v for v in VARIABLES if chosen is None or v in chosen]
        picked = {v: ELIMINATION[v] for v in VARIABLES if v not in shown}
        codes = {v: [c for c in dims[v] if chosen is None or c in chosen[v]] for v in shown}
        dimension: dict[str, Any] = {}
        for v in shown:
            category: dict[str, Any] = {
                "index": {c: i for i, c in enumerate(codes[v])},
                "label": {c: dims[v][c] for c in codes[v]},
            }
            if v == "ContentsCode":
                category["unit"] = {
                    c: {"base": "procent" if dims[v][c].startswith("Andel") else "antal", "decimals": 1}
                    for c in codes[v]
                }
            extension: dict[str, Any] = {"elimination": v in ELIMINATION, "show": "value" if v != "Region" else "code_value"}
            if v in ELIMINATION:
                extension["eliminationValueCode"] = ELIMINATION[v]
            if v == "Region":
                extension["noteMandatory"] = {"0": True}
                extension["codelists"] = [{"id": "vs_RegionKommun07", "label": "Kommuner", "type": "Valueset",
                                           "links": [{"rel": "metadata", "href": "https://example.invalid/codelists/vs_RegionKommun07"}]}]
            dimension[v] = {"label": VARIABLE_LABELS[v], "category": category, "extension": extension}
            if v == "Region":
                dimension[v]["note"] = ["Regional indelning enligt den 1 januari året efter."]
        out: dict[str, Any] = {
            "version": "2.0",
            "class": "dataset",
            "label": "Antal helårsekvivalenter i åldrarna 20-64/20-65 år som försörjs med sociala "
            "ersättningar och bidrag efter region, kön, åldersgrupp, tabellinnehåll och månad",
            "source": "SCB",
            "updated": "2024-08-20T06:00:00Z",
            "id": shown,
            "size": [len(codes[v]) for v in shown],
            "dimension": dimension,
            "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
            "extension": {"px": {"tableid": TABLE, "matrix": "HE0000T02N2", "language": "sv", "decimals": 1},
                          "noteMandatory": {"0": True}, "discontinued": False},
            "note": ["Uppgifterna för ekonomiskt bistånd kan saknas för enstaka kommuner och månader."],
            "value": [],
        }  # fmt: skip
        if chosen is not None:
            out["value"] = [expected_value(*self._cell(dict(zip(shown, cell)), picked))
                            for cell in itertools.product(*(codes[v] for v in shown))]  # fmt: skip
        return out

    @staticmethod
    def _cell(given: dict[str, str], eliminated: dict[str, str]) -> tuple[str, ...]:
        both = {**eliminated, **given}
        return tuple(both[v] for v in VARIABLES)

    def px(self, chosen: dict[str, list[str]]) -> bytes:
        """The same answer as PX (the default data format), as the PX file format specification writes it."""
        doc = self.dataset(chosen)
        ids = doc["id"]
        lines = ['CHARSET="ANSI";', 'AXIS-VERSION="2013";', 'CODEPAGE="utf-8";', 'LANGUAGE="sv";',
                 f'MATRIX="{TABLE}";', f'TITLE="{doc["label"]}";', 'CONTENTS="Antal helårsekvivalenter";',
                 "STUB=" + ",".join(f'"{VARIABLE_LABELS[v]}"' for v in ids[:-2]) + ";",
                 "HEADING=" + ",".join(f'"{VARIABLE_LABELS[v]}"' for v in ids[-2:]) + ";",
                 f'CONTVARIABLE="{VARIABLE_LABELS["ContentsCode"]}";']  # fmt: skip
        for v in ids:
            cat = doc["dimension"][v]["category"]
            lines.append(f'VALUES("{VARIABLE_LABELS[v]}")=' + ",".join(f'"{cat["label"][c]}"' for c in cat["index"]) + ";")
            lines.append(f'CODES("{VARIABLE_LABELS[v]}")=' + ",".join(f'"{c}"' for c in cat["index"]) + ";")
        values = ['".."' if x is None else repr(x) for x in doc["value"]]
        lines.append("DATA=\n" + " ".join(values) + ";")
        return ("\n".join(lines) + "\n").encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    api: FakePxWeb
    timeout = 10  # a stuck client cannot hold a thread for long
    server_version = "FakePxWebApi/2.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        pass

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 (stdlib name)
        self._handle("POST")

    # -- plumbing ----------------------------------------------------------

    def _send(
        self, rec: Recorded, status: int, payload: Any, headers: dict[str, str] | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:  # fmt: skip
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        rec.status, rec.response = status, body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _problem(
        self, rec: Recorded, status: int, title: str, headers: dict[str, str] | None = None,
        *, body_status: int | None = None, detail: str | None = None,
    ) -> None:  # fmt: skip
        """An RFC 7807 body as PxWebApi's ProblemUtility writes it (``body_status``: when it differs from HTTP's)."""
        problem = {"type": "Parameter error", "title": title, "status": body_status or status}
        if detail:
            problem["detail"] = detail
        self._send(rec, status, problem, headers, content_type="application/problem+json; charset=utf-8")

    def _handle(self, method: str) -> None:
        api = self.api
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        rec = Recorded(method, parts.path, query, body, at=api.clock() if api.clock else None)
        with api._lock:
            api.requests.append(rec)
            failure = self._matching_failure(parts.path)
            limited = False
            # /config is on the EndpointWhitelist; a refused call is not counted (StackBlockedRequests: false).
            if api.enforce_rate_limit and api.clock is not None and parts.path != API_PREFIX + "/config":
                now = api.clock()
                while api._window and api._window[0] <= now - api.time_window:
                    api._window.popleft()
                limited = len(api._window) >= api.max_calls
                if not limited:
                    api._window.append(now)
        if failure is not None:
            if failure.kind == "hang":
                rec.status = -2
                api._stopping.wait(timeout=10)
                self.close_connection = True
                return
            if failure.kind == "reset":
                rec.status = -1
                self.close_connection = True
                return  # nothing written: the client sees the connection drop
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
            self._problem(rec, failure.status, "Injected failure", headers)
            return
        if limited:  # AspNetCoreRateLimit's own answer: plain text, not problem+json
            text = f"API calls quota exceeded! maximum admitted {api.max_calls} per {api.time_window}s."
            self._send(rec, 429, text.encode(), {"Retry-After": str(int(api.time_window))}, content_type="text/plain")
            return
        self._route(method, parts.path, query, body, rec)

    def _matching_failure(self, path: str) -> _Failure | None:
        for f in self.api._failures:
            if f.path_contains not in path:
                continue
            if f.remaining is not None and f.remaining <= 0:
                continue
            f.seen += 1
            if f.seen <= f.after:
                continue
            if f.remaining is not None:
                f.remaining -= 1
            return f
        return None

    def _route(self, method: str, path: str, query: dict[str, str], body: Any, rec: Recorded) -> None:
        api = self.api
        if not path.startswith(API_PREFIX + "/"):
            return self._problem(rec, 404, "Not found")
        tail = path[len(API_PREFIX) :]
        if tail == "/config" and method == "GET":
            return self._send(rec, 200, api.config())
        # Any lang is accepted (PxWebApi falls back to the default language).
        if tail == f"/tables/{TABLE}/metadata" and method == "GET":
            return self._send(rec, 200, api.dataset(None))
        if tail == f"/tables/{TABLE}/data" and api.unknown_data_table:
            return self._problem(rec, 400, "Non-existent table", body_status=404)
        if tail == f"/tables/{TABLE}/data":
            if method != "POST":
                return self._problem(rec, 405, "Method not allowed")
            return self._data(query, body, rec)
        if tail.startswith("/tables/") and tail.endswith("/data"):
            return self._problem(rec, 400, "Non-existent table", body_status=404)
        if tail.startswith("/tables/"):
            return self._problem(rec, 404, "Non-existent table")
        return self._problem(rec, 404, "Not found")

    def _data(self, query: dict[str, str], body: Any, rec: Recorded) -> None:
        api = self.api
        output = query.get("outputFormat", DEFAULT_FORMAT)
        if output not in DATA_FORMATS:
            return self._problem(rec, 400, "Unsupported output format", detail="Unsupported output format")
        if output not in ("json-stat2", "px"):
            return self._problem(rec, 400, f"This fake writes json-stat2 and px, not {output}")
        if not isinstance(body, dict) or not isinstance(body.get("selection"), list):
            return self._problem(rec, 400, "Missing selection for mandantory variable")
        dims = api.dimensions()
        chosen: dict[str, list[str]] = {}
        for item in body["selection"]:
            var, codes = item.get("variableCode"), item.get("valueCodes")
            if var not in dims:
                return self._problem(rec, 400, "Non-existent variable")
            if not isinstance(codes, list) or not codes or var in chosen or len(set(codes)) != len(codes):
                return self._problem(rec, 400, "Illegal selection for mandantory variable")
            if any(c not in dims[var] for c in codes):
                return self._problem(rec, 400, "Non-existent value")
            chosen[var] = codes
        if any(v not in chosen and v not in ELIMINATION for v in VARIABLES):
            return self._problem(rec, 400, "Missing selection for mandantory variable")
        rec.cells = 1
        for codes in chosen.values():
            rec.cells *= len(codes)
        if rec.cells > (api.true_max_cells or api.max_cells):
            return self._problem(rec, 400, "Too many cells selected", detail="Too many cells selected")
        if api.malformed_data:
            return self._send(rec, 200, b'{"version": "2.0", "class": "dataset", "value": [1, 2')
        if output == "px":
            return self._send(rec, 200, api.px(chosen), content_type="application/octet-stream")
        self._send(rec, 200, api.dataset(chosen))
