"""``finsam_analysis.scb.fetch`` against a local stand-in for PxWebApi 2.0.

No test touches the internet: :mod:`tests.pxweb_server` serves a tiny
synthetic TAB1386 on 127.0.0.1 while the test runs. Waits go through a
virtual clock, so the rate limit and the retries cost no real time.
"""

from __future__ import annotations

import errno
import itertools
import json
import math
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam_analysis.errors import FinsamError
from finsam_analysis.scb.fetch import (
    DEFAULT_BASE_URL,
    FetchError,
    cell_count,
    fetch_scb,
    plan_chunks,
    resolve_base_url,
    validate_start,
)

from .pxweb_server import (ALDERSGRUPPER, CONTENTS, KON, MONTHS, NULL_CELL, REGIONS, VARIABLES, FakePxWeb, expected_value)

OFFLINE_TAIL = "Kontrollera internetanslutningen och försök igen."
DATA_PATH = "/api/v2/tables/TAB1386/data"
FULL_CELLS = len(REGIONS) * len(KON) * len(ALDERSGRUPPER) * len(CONTENTS) * len(MONTHS)


class VirtualClock:
    """``clock``/``sleep`` pair: time moves only when something sleeps."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@pytest.fixture(autouse=True)
def _local_only(monkeypatch):
    """No proxy for 127.0.0.1, and no base URL from the developer's shell."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("FINSAM_SCB_API", raising=False)


@pytest.fixture
def vclock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def server():
    with FakePxWeb() as srv:
        yield srv


def fetch(srv: FakePxWeb, out: Path, vclock: VirtualClock, **kwargs):
    kwargs.setdefault("base_url", srv.base_url)
    return fetch_scb(out, sleep=vclock.sleep, clock=vclock.now, timeout=5, **kwargs)


def rebuild(directory: Path) -> dict[tuple[str, ...], float | None]:
    """Every cell of every written file, with plain json; a cell twice fails."""
    cube: dict[tuple[str, ...], float | None] = {}
    for path in sorted(directory.glob("TAB1386_*.json")):
        obj = json.loads(path.read_text(encoding="utf-8"))
        assert obj["version"] == "2.0" and obj["class"] == "dataset"
        ids = obj["id"]
        codes = []
        for var in ids:
            index = obj["dimension"][var]["category"]["index"]
            codes.append([c for c, _ in sorted(index.items(), key=lambda kv: kv[1])])
        assert [len(c) for c in codes] == obj["size"]
        values = obj["value"]
        assert len(values) == math.prod(obj["size"])
        for flat, cell in enumerate(itertools.product(*codes)):  # row-major, last fastest
            key = tuple(cell[ids.index(v)] for v in VARIABLES)
            assert key not in cube, f"cell {key} downloaded twice"
            cube[key] = values[flat]
    return cube


def expected_cube(start: str = "2014M01") -> dict[tuple[str, ...], float | None]:
    months = [m for m in MONTHS if m >= start]
    return {
        cell: expected_value(*cell)
        for cell in itertools.product(REGIONS, KON, ALDERSGRUPPER, CONTENTS, months)
    }


def own_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("TAB1386_*.json"))}


# --------------------------------------------------------------------------
# The happy path and chunking
# --------------------------------------------------------------------------


@pytest.mark.parametrize("max_cells", [400, 324, 200, 60, 54, 50, 1_000_000])
def test_chunks_respect_max_cells_and_cover_every_cell_once(tmp_path, vclock, max_cells):
    with FakePxWeb(max_cells=max_cells) as srv:
        result = fetch(srv, tmp_path, vclock)
    data = srv.data_requests()
    assert data, "no data calls"
    assert all(r.status == 200 for r in data), [r.status for r in data]
    assert all(0 < r.cells <= max_cells for r in data)
    assert sum(r.cells for r in data) == FULL_CELLS == result.cells
    assert result.calls == len(srv.requests) == 2 + len(data)
    assert len(result.files) == len(data)
    cube = rebuild(tmp_path / "helarsekvivalenter")
    assert cube == expected_cube()
    assert cube[NULL_CELL] is None


def test_default_run_layout_and_result(server, tmp_path, vclock):
    result = fetch(server, tmp_path, vclock)
    directory = tmp_path / "helarsekvivalenter"
    assert result.directory == directory
    # 324 cells per region ≤ 400 < 648: one region per call.
    assert [p.name for p in result.files] == [f"TAB1386_{i:03d}.json" for i in range(1, 6)]
    assert sorted(p.name for p in directory.iterdir()) == [p.name for p in result.files]
    assert (result.first_period, result.last_period) == ("2024M01", "2024M06")
    assert result.removed == ()
    assert "värden från SCB (2024M01–2024M06) i 5 filer" in result.summary()
    # The requests are the real API's: config, metadata in Swedish, then POSTed selections.
    first, second, third = server.requests[:3]
    assert (first.method, first.path) == ("GET", "/api/v2/config")
    assert (second.method, second.path, second.query) == ("GET", "/api/v2/tables/TAB1386/metadata", {"lang": "sv"})
    assert (third.method, third.path) == ("POST", DATA_PATH)
    assert third.query == {"lang": "sv", "outputFormat": "json-stat2"}
    assert [s["variableCode"] for s in third.body["selection"]] == list(VARIABLES)


def test_files_are_the_responses_byte_for_byte(server, tmp_path, vclock):
    result = fetch(server, tmp_path, vclock)
    assert [p.read_bytes() for p in result.files] == [r.response for r in server.data_requests()]


def test_both_age_groups_and_every_region_kon_and_content_are_selected(server, tmp_path, vclock):
    fetch(server, tmp_path, vclock)
    chosen: dict[str, set[str]] = {v: set() for v in VARIABLES}
    for r in server.data_requests():
        for s in r.body["selection"]:
            chosen[s["variableCode"]].update(s["valueCodes"])
    assert chosen == {
        "Region": set(REGIONS),
        "Kon": set(KON),
        "Aldersgrupp": {"20-64", "20-65"},
        "ContentsCode": set(CONTENTS),
        "Tid": set(MONTHS),
    }


def test_from_is_respected(server, tmp_path, vclock):
    result = fetch(server, tmp_path, vclock, start="2024M03")
    assert (result.first_period, result.last_period) == ("2024M03", "2024M06")
    for r in server.data_requests():
        tid = next(s["valueCodes"] for s in r.body["selection"] if s["variableCode"] == "Tid")
        assert min(tid) >= "2024M03"
    assert rebuild(tmp_path / "helarsekvivalenter") == expected_cube("2024M03")


def test_from_after_the_last_month_is_a_clear_error(server, tmp_path, vclock):
    with pytest.raises(FetchError, match=r"inga månader från 2030M01; den senaste är 2024M06"):
        fetch(server, tmp_path, vclock, start="2030M01")
    assert not server.data_requests()


def test_progress_is_reported_per_chunk(server, tmp_path, vclock):
    seen: list[tuple[int, int]] = []
    fetch(server, tmp_path, vclock, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 5) for i in range(6)]


def test_base_url_from_the_environment(server, tmp_path, vclock, monkeypatch):
    monkeypatch.setenv("FINSAM_SCB_API", server.base_url + "/")
    result = fetch_scb(tmp_path, sleep=vclock.sleep, clock=vclock.now, timeout=5)
    assert len(result.files) == 5
    assert resolve_base_url() == server.base_url
    monkeypatch.delenv("FINSAM_SCB_API")
    assert resolve_base_url() == DEFAULT_BASE_URL == "https://statistikdatabasen.scb.se/api/v2"


def test_a_bad_base_url_is_a_clear_error(tmp_path, vclock, monkeypatch):
    monkeypatch.setenv("FINSAM_SCB_API", "statistikdatabasen.scb.se/api/v2")
    with pytest.raises(FetchError, match="ingen http- eller https-adress"):
        fetch_scb(tmp_path, sleep=vclock.sleep, clock=vclock.now)


def test_the_fake_refuses_a_selection_above_max_data_cells(server):
    """The stand-in behaves like the API, so the chunking tests mean something."""
    body = {"selection": [{"variableCode": v, "valueCodes": list(c)} for v, c in server.dimensions().items()]}
    req = urllib.request.Request(
        server.base_url + "/tables/TAB1386/data?lang=sv&outputFormat=json-stat2",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    # PxWebApi's ProblemUtility.TooManyCellsSelected, returned through BadRequest().
    assert info.value.code == 400
    assert info.value.headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(info.value.read()) == {
        "type": "Parameter error", "title": "Too many cells selected", "status": 400, "detail": "Too many cells selected",
    }  # fmt: skip
    info.value.close()


def _post(server, selection, query="lang=sv&outputFormat=json-stat2", table="TAB1386"):
    req = urllib.request.Request(
        f"{server.base_url}/tables/{table}/data?{query}",
        data=json.dumps({"selection": selection}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers["Content-Type"], exc.read()


def small_selection(**changes):
    chosen = {"Region": ["0180"], "Kon": ["2"], "Aldersgrupp": ["20-64"], "ContentsCode": ["000007G1"], "Tid": ["2024M01"]}
    chosen.update(changes)
    return [{"variableCode": v, "valueCodes": c} for v, c in chosen.items() if c is not None]


def test_the_fake_answers_as_the_reference_server_does(server):
    """Each point where SCB's API differs from a naive fake (issue 16), checked on the fake itself."""
    config = json.loads(urllib.request.urlopen(server.base_url + "/config", timeout=5).read())
    assert config["defaultDataFormat"] == "px" and "parquet" in config["dataFormats"]
    assert {"maxDataCells", "maxCallsPerTimeWindow", "timeWindow", "license", "languages"} <= set(config)
    meta = json.loads(urllib.request.urlopen(server.base_url + "/tables/TAB1386/metadata?lang=de", timeout=5).read())
    assert meta["value"] == []  # any lang is accepted; metadata carries an empty value list
    assert meta["dimension"]["Kon"]["extension"] == {"elimination": True, "show": "value", "eliminationValueCode": "1+2"}
    assert "codelists" in meta["dimension"]["Region"]["extension"] and "noteMandatory" in meta["extension"]
    assert meta["dimension"]["Aldersgrupp"]["category"]["label"]["20-64"] == "20–64 år"  # en dash
    assert meta["dimension"]["Kon"]["category"]["label"]["1+2"] == "män och kvinnor totalt"
    # Kön may be left out (eliminable): the answer is its total and has no kön dimension.
    status, _, body = _post(server, small_selection(Kon=None))
    doc = json.loads(body)
    assert status == 200 and doc["id"] == ["Region", "Aldersgrupp", "ContentsCode", "Tid"]
    assert doc["value"] == [expected_value("0180", "1+2", "20-64", "000007G1", "2024M01")]
    # Region may not.
    status, ctype, body = _post(server, small_selection(Region=None))
    assert (status, json.loads(body)["title"]) == (400, "Missing selection for mandantory variable")
    assert ctype.startswith("application/problem+json")
    status, _, body = _post(server, small_selection(Region=["9999"]))
    assert (status, json.loads(body)["title"]) == (400, "Non-existent value")
    status, _, body = _post(server, small_selection(), table="TAB9999")
    assert (status, json.loads(body)) == (400, {"type": "Parameter error", "title": "Non-existent table", "status": 404})
    status, _, body = _post(server, small_selection(), query="lang=sv&outputFormat=pdf")
    assert (status, json.loads(body)["title"]) == (400, "Unsupported output format")


def test_without_output_format_the_answer_is_px_and_the_reader_reads_it(server, tmp_path):
    from finsam_analysis.scb.read import read_file

    status, _, body = _post(server, small_selection(Region=["0180", "2480"], Tid=["2024M01", "2024M02"]), query="lang=sv")
    assert status == 200 and body.startswith(b'CHARSET="ANSI";')
    (tmp_path / "svar.px").write_bytes(body)
    table = read_file(tmp_path / "svar.px")
    got = {(r.kommunkod, r.manad.strftime("%YM%m")): r.helarsekvivalenter for r in table.itertuples()}
    assert got == {(k, m): expected_value(k, "2", "20-64", "000007G1", m) for k in ("0180", "2480") for m in ("2024M01", "2024M02")}
    assert set(table["kon"]) == {"kvinna"}


# --------------------------------------------------------------------------
# plan_chunks on its own
# --------------------------------------------------------------------------


def real_shape(months: int = 140) -> list[tuple[str, list[str]]]:
    return [
        ("Region", ["00"] + [f"{i:04d}" for i in range(1, 291)]),
        ("Kon", ["1", "2", "1+2"]),
        ("Aldersgrupp", ["20-64", "20-65"]),
        ("ContentsCode", [f"C{i}" for i in range(9)]),
        ("Tid", [f"{2014 + i // 12}M{i % 12 + 1:02d}" for i in range(months)]),
    ]


def test_plan_for_the_real_table_splits_regions_only():
    selection = real_shape()
    chunks = plan_chunks(selection, 150_000)
    # 3·2·9·140 = 7 560 cells per region, 19 regions per call at most: 16 calls.
    assert len(chunks) == math.ceil(291 / (150_000 // 7_560)) == 16
    assert all(cell_count(c) <= 150_000 for c in chunks)
    assert all(dict(c)["Tid"] == dict(selection)["Tid"] for c in chunks)
    sizes = [len(dict(c)["Region"]) for c in chunks]
    assert max(sizes) - min(sizes) <= 1  # spread evenly
    assert [r for c in chunks for r in dict(c)["Region"]] == dict(selection)["Region"]
    assert [v for v, _ in chunks[0]] == [v for v, _ in selection]


def test_plan_splits_time_when_one_region_is_too_big():
    chunks = plan_chunks(real_shape(), 1_000)  # 54 cells per region-month: 18 months per call
    assert all(len(dict(c)["Region"]) == 1 for c in chunks)
    assert all(cell_count(c) <= 1_000 for c in chunks)
    months = [dict(c)["Tid"] for c in chunks if dict(c)["Region"] == ["00"]]
    assert len(months) == math.ceil(140 / 18)
    assert [m for block in months for m in block] == dict(real_shape())["Tid"]


def test_plan_fits_in_one_call_when_it_can():
    selection = real_shape(2)
    assert plan_chunks(selection, 10**9) == [selection]


def test_plan_rejects_a_zero_limit():
    with pytest.raises(ValueError):
        plan_chunks(real_shape(1), 0)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=5),
    max_cells=st.integers(min_value=1, max_value=400),
)
def test_plan_covers_every_cell_once_within_the_limit(sizes, max_cells):
    names = ["Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid"][: len(sizes)]
    selection = [(n, [f"{n}{i}" for i in range(k)]) for n, k in zip(names, sizes)]
    chunks = plan_chunks(selection, max_cells)
    seen: set[tuple[str, ...]] = set()
    for chunk in chunks:
        assert [v for v, _ in chunk] == names
        assert 0 < cell_count(chunk) <= max_cells
        for cell in itertools.product(*(codes for _, codes in chunk)):
            assert cell not in seen
            seen.add(cell)
    assert len(seen) == math.prod(sizes)


# --------------------------------------------------------------------------
# Rate limit and retries
# --------------------------------------------------------------------------


def test_rate_limit_waits_when_more_calls_would_fall_in_the_window(tmp_path, vclock):
    with FakePxWeb(max_calls=3, time_window=10, clock=vclock.now, enforce_rate_limit=True) as srv:
        result = fetch(srv, tmp_path, vclock)
    assert result.calls == 7  # config, metadata, 5 chunks
    assert all(r.status == 200 for r in srv.requests), "the server had to refuse a call"
    times = [r.at for r in srv.requests if not r.path.endswith("/config")]
    assert all(later - earlier >= 10 for earlier, later in zip(times, times[3:]))
    assert vclock.sleeps and all(0 < s <= 10.5 for s in vclock.sleeps)
    # Six counted calls at three per ten seconds: one wait. /config is not counted, as on SCB's
    # server, so the fetch does not wait a second time for it.
    assert 10 <= vclock.t - 1000.0 < 20


def test_a_refused_call_is_not_counted_and_retry_after_is_waited(tmp_path, vclock):
    with FakePxWeb(max_calls=3, time_window=10, clock=vclock.now, enforce_rate_limit=True) as srv:
        srv.fail_next(1, 429, path_contains="/data", retry_after="10")
        result = fetch(srv, tmp_path, vclock)
    assert [r.status for r in srv.data_requests()][:2] == [429, 200]
    assert 10.0 in vclock.sleeps
    assert rebuild(result.directory) == expected_cube()


def test_a_transient_503_is_retried(server, tmp_path, vclock):
    server.fail_next(2, 503, path_contains="/data")
    result = fetch(server, tmp_path, vclock)
    assert [r.status for r in server.data_requests()][:3] == [503, 503, 200]
    assert 1.0 in vclock.sleeps and 2.0 in vclock.sleeps  # exponential backoff
    assert rebuild(result.directory) == expected_cube()


def test_retry_after_is_honoured(server, tmp_path, vclock):
    server.fail_next(1, 429, path_contains="/metadata", retry_after="7")
    fetch(server, tmp_path, vclock)
    assert 7.0 in vclock.sleeps


def test_a_dropped_connection_is_retried(server, tmp_path, vclock):
    server.reset_next(1, path_contains="/data")
    result = fetch(server, tmp_path, vclock)
    assert server.data_requests()[0].status == -1
    assert rebuild(result.directory) == expected_cube()


def test_a_permanent_500_fails_and_keeps_the_earlier_download(server, tmp_path, vclock):
    directory = tmp_path / "helarsekvivalenter"
    fetch(server, tmp_path, vclock, start="2024M04")
    before = own_files(directory)
    assert len(before) == 3  # three months: two regions per call
    (directory / "notes.txt").write_text("mine", encoding="utf-8")

    server.requests.clear()
    server.fail_always(500, path_contains="/data", after=2)  # two chunks arrive, the third never
    with pytest.raises(FetchError) as info:
        fetch(server, tmp_path, vclock)
    message = str(info.value)
    assert "HTTP 500" in message and DATA_PATH in message
    assert message == (
        f"SCB:s API svarade med HTTP 500 (Internal Server Error) på {DATA_PATH}, "
        "även efter 4 försök. Försök igen senare."
    )
    assert [r.status for r in server.data_requests()] == [200, 200, 500, 500, 500, 500]
    assert info.value.exit_code == 1 and isinstance(info.value, FinsamError)
    # Nothing new, nothing lost, no staging left behind.
    assert own_files(directory) == before
    assert sorted(p.name for p in directory.iterdir()) == sorted([*before, "notes.txt"])


def test_a_failed_first_fetch_leaves_no_file(server, tmp_path, vclock):
    server.fail_always(500, path_contains="/data", after=1)
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch(server, tmp_path, vclock)
    directory = tmp_path / "helarsekvivalenter"
    assert not directory.exists() or list(directory.iterdir()) == []


def test_a_new_fetch_replaces_the_old_files_and_removes_extra_ones(tmp_path, vclock):
    directory = tmp_path / "helarsekvivalenter"
    with FakePxWeb(max_cells=100) as srv:
        first = fetch(srv, tmp_path, vclock)
    assert len(first.files) == 30  # 54 cells per region-month, one month per call
    (directory / "TAB9999_001.json").write_text("{}", encoding="utf-8")
    (directory / "TAB1386.csv").write_text("x", encoding="utf-8")
    with FakePxWeb(max_cells=400) as srv:
        second = fetch(srv, tmp_path, vclock)
    assert len(second.files) == 5
    assert sorted(p.name for p in second.removed) == [f"TAB1386_{i:03d}.json" for i in range(6, 31)]
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [f"TAB1386_{i:03d}.json" for i in range(1, 6)] + ["TAB9999_001.json", "TAB1386.csv"]
    )
    assert rebuild(directory) == expected_cube()


def test_a_server_allowing_fewer_cells_than_config_says_gets_halves(tmp_path, vclock):
    """400 "Too many cells selected" splits the chunk; every cell still arrives once."""
    with FakePxWeb(max_cells=400, true_max_cells=170) as srv:
        result = fetch(srv, tmp_path, vclock)
    statuses = [r.status for r in srv.data_requests()]
    assert statuses.count(400) == 5 and all(r.cells <= 170 for r in srv.data_requests() if r.status == 200)
    assert result.cells == FULL_CELLS
    assert rebuild(result.directory) == expected_cube()
    assert [p.name for p in result.files] == [f"TAB1386_{i:03d}.json" for i in range(1, len(result.files) + 1)]


def test_an_unknown_table_is_one_sentence_naming_it(server, tmp_path, vclock):
    with pytest.raises(FetchError) as info:
        fetch(server, tmp_path, vclock, table="TAB9999")
    assert str(info.value) == (
        f"SCB:s API ({server.base_url}) har ingen tabell TAB9999. "
        "Kontrollera tabellens id och adressen till API:t (FINSAM_SCB_API)."
    )


def test_a_table_gone_at_the_data_call_is_the_same_sentence(tmp_path, vclock):
    with FakePxWeb(unknown_data_table=True) as srv:
        with pytest.raises(FetchError, match=r"har ingen tabell TAB1386\."):
            fetch(srv, tmp_path, vclock)
    assert [r.status for r in srv.data_requests()] == [400]  # not retried


# --------------------------------------------------------------------------
# Offline, bad answers, bad input
# --------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_the_offline_message(tmp_path, vclock):
    port = closed_port()
    with pytest.raises(FetchError) as info:
        fetch_scb(tmp_path, base_url=f"http://127.0.0.1:{port}/api/v2", sleep=vclock.sleep, clock=vclock.now)
    assert str(info.value) == (
        f"Kunde inte nå SCB:s API (127.0.0.1:{port} tog inte emot anslutningen). {OFFLINE_TAIL}"
    )
    assert info.value.exit_code == 1
    assert vclock.sleeps == []  # offline is not retried
    assert not (tmp_path / "helarsekvivalenter").exists()


@pytest.mark.parametrize(
    "patch, reason",
    [
        ("getaddrinfo", "adressen statistikdatabasen.scb.se kunde inte slås upp"),
        ("unreachable", "nätverket till statistikdatabasen.scb.se kan inte nås"),
    ],
)
def test_no_network_is_the_offline_message(tmp_path, vclock, monkeypatch, patch, reason):
    """DNS failure and an unreachable network, simulated: this test never leaves the machine."""

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def unreachable(*args, **kwargs):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    if patch == "getaddrinfo":
        monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    else:
        monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(FetchError) as info:
        fetch_scb(tmp_path, sleep=vclock.sleep, clock=vclock.now)  # SCB's own address
    assert str(info.value) == f"Kunde inte nå SCB:s API ({reason}). {OFFLINE_TAIL}"
    assert vclock.sleeps == []


def test_a_server_that_never_answers_times_out_after_retries(server, tmp_path, vclock):
    server.hang_next(4, path_contains="/config")
    with pytest.raises(FetchError) as info:
        fetch_scb(tmp_path, base_url=server.base_url, sleep=vclock.sleep, clock=vclock.now, timeout=0.2)
    assert str(info.value) == (
        f"Kunde inte nå SCB:s API (inget svar från 127.0.0.1:{server.port} inom 0,2 sekunder). {OFFLINE_TAIL}"
    )
    assert [r.status for r in server.requests] == [-2] * 4
    assert vclock.sleeps == [1.0, 2.0, 4.0]


def test_malformed_json_is_said_plainly(tmp_path, vclock):
    with FakePxWeb(malformed_data=True) as srv:
        with pytest.raises(FetchError) as info:
            fetch(srv, tmp_path, vclock)
    assert str(info.value) == (
        f"SCB:s API skickade ett svar på {DATA_PATH} som inte är giltig JSON. "
        "Försök igen senare; består felet kan API:t ha ändrats."
    )
    assert own_files(tmp_path / "helarsekvivalenter") == {}


def test_an_answer_that_does_not_match_the_selection_is_refused(server, tmp_path, vclock, monkeypatch):
    original = server.dataset

    def wrong(chosen):
        if chosen is not None:  # drop one month from every answer
            chosen = {**chosen, "Tid": chosen["Tid"][:-1]}
        return original(chosen)

    monkeypatch.setattr(server, "dataset", wrong)
    with pytest.raises(FetchError, match=r"oväntat svar på /api/v2/tables/TAB1386/data \(andra värden för Tid"):
        fetch(server, tmp_path, vclock)


@pytest.mark.parametrize("start", ["2014-01", "2014M13", "2014M00", "2014M1", "14M01", "", "början", None])
def test_a_bad_start_is_refused_before_any_call(server, tmp_path, vclock, start):
    with pytest.raises(FetchError) as info:
        fetch(server, tmp_path, vclock, start=start)
    assert str(info.value) == (
        f"'{start}' är ingen månad i SCB:s form ÅÅÅÅMmm. Ange till exempel --from 2014M01."
    )
    assert info.value.exit_code == 1
    assert server.requests == []


def test_start_is_normalised():
    assert validate_start("2014m01") == "2014M01"
    assert validate_start(" 2020M12 ") == "2020M12"
