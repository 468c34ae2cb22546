"""The finsam command: exit codes, plain sentences, nothing leaked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import assert_no_pnr, make_pnr, run_cli, write_dataset
from .ingest.test_dataset import BAD_ROWS, MAPPING_YAML, excel_rows, write_excel


def sentences(text: str) -> int:
    return sum(text.count(c) for c in ".!?")


def test_validate_clean_dataset_exits_0(tiny):
    r = run_cli("validate", "--data-dir", tiny)
    assert r.code == 0, r.out + r.err
    assert "5 deltaganden inlästa" in r.out
    assert "inga fel" in r.out


def test_validate_bad_rows_exits_1_listing_each_row_and_reason(tmp_path):
    root = write_dataset(tmp_path / "bad", rows=BAD_ROWS)
    r = run_cli("validate", "--data-dir", root)
    assert r.code == 1
    assert "Avvisade rader (8)" in r.out
    assert "deltagande.csv rad 3: kon: okänd kod 'x'; slutdatum: slutdatum ligger före startdatum" in r.out
    assert "deltagande.csv rad 4: insats_id: 'zz' finns inte i insatser.csv" in r.out
    assert "kolumnen 'kon': 'x' på 3 rader" in r.out
    assert "deltagande.csv rad 10 upprepar deltagande.csv rad 2" in r.out
    for row in (5, 6, 7, 8, 9, 11):
        assert f"deltagande.csv rad {row}:" in r.out


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary\xff\xfe" * 20, b"deltagare_id\nd1\nd2\n"],
    ids=["empty", "binary", "one-column"],
)
def test_unreadable_participant_file_exits_2_with_one_sentence(tmp_path, content):
    root = write_dataset(tmp_path / "d")
    (root / "deltagande.csv").write_bytes(content)
    r = run_cli("validate", "--data-dir", root)
    assert r.code == 2
    assert r.out == ""
    assert "Traceback" not in r.err
    assert r.err.startswith("finsam: Filen ") and "deltagande.csv" in r.err
    assert r.err.count("\n") == 1 and sentences(r.err) <= 2


def test_missing_directory_and_usage_errors_exit_2(tmp_path):
    r = run_cli("validate", "--data-dir", tmp_path / "nowhere")
    assert r.code == 2 and "finns inte" in r.err and "Traceback" not in r.err
    r = run_cli("validate")
    assert r.code == 2 and "fel i kommandoraden" in r.err
    r = run_cli("validate", "--data-dir", tmp_path, "--mapping", "m.yaml")
    assert r.code == 2 and "--mapping hör ihop med --participants" in r.err


def test_debug_shows_the_real_exception(tmp_path):
    with pytest.raises(Exception, match="finns inte"):
        run_cli("--debug", "validate", "--data-dir", tmp_path / "nowhere")


def test_validate_single_excel_file_with_mapping(tmp_path):
    rows, people = excel_rows()
    bad = make_pnr(1999, 9, 9, 985, bad_check=True)
    rows.append([bad, "K", "Steget vidare", "2024-05-05", None, None, 2482, None, None, None])
    write_excel(tmp_path / "egen.xlsx", rows)
    (tmp_path / "mapping.yaml").write_text(MAPPING_YAML, encoding="utf-8")
    r = run_cli("validate", "--participants", tmp_path / "egen.xlsx", "--mapping", tmp_path / "mapping.yaml")
    assert r.code == 1
    assert "4 deltaganden inlästa" in r.out
    assert "rad 6: Personnummer: ogiltigt personnummer (felaktig kontrollsiffra)" in r.out
    assert_no_pnr(r.out + r.err, people + [bad])


def test_sample_data_then_validate_exits_0(tmp_path):
    out = tmp_path / "s"
    r = run_cli("sample-data", "--out", out, "--forbund", "3", "--years", "2024-2025")
    assert r.code == 0, r.err
    assert (out / "deltagande.xlsx").is_file() and (out / "mapping.yaml").is_file()
    r = run_cli("validate", "--data-dir", out)
    assert r.code == 0, r.out[-3000:]
    assert "deltagande.xlsx" in r.out
    # The synthetic personnummer of the Excel file never reach the output.
    import re

    assert not re.search(r"\d{6}[-+]?\d{4}", r.out)


def test_sample_data_without_xlsx_at_double_volume(tmp_path):
    out = tmp_path / "s"
    r = run_cli("sample-data", "--out", out, "--forbund", "2", "--years", "2025", "--volume", "2,5", "--no-xlsx")
    assert r.code == 0, r.err
    assert not (out / "deltagande.xlsx").exists() and not (out / "mapping.yaml").exists()
    assert "personnummer" in (out / "deltagande.csv").read_text(encoding="utf-8").splitlines()[0]
    r = run_cli("validate", "--data-dir", out)
    assert r.code == 0, r.out[-3000:]
    import re

    assert not re.search(r"\d{6}[-+]?\d{4}", r.out)
    assert run_cli("sample-data", "--out", out, "--volume", "0").code == 2


def test_installed_console_script_runs(tmp_path):
    script = Path(sys.executable).with_name("finsam")
    assert script.is_file(), "the finsam command is installed by the package"
    r = subprocess.run([str(script), "validate", "--data-dir", str(tmp_path / "x")],
                       capture_output=True, text=True, env={**os.environ})
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "finns inte" in r.stderr


def test_fetch_scb_offline_exits_1_with_one_sentence(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("FINSAM_SCB_API", f"http://127.0.0.1:{port}/api/v2")
    r = run_cli("fetch-scb", "--out", tmp_path)
    assert r.code == 1
    assert "Kunde inte nå SCB:s API" in r.err and "Traceback" not in r.err
    assert r.err.count("\n") == 1
    assert not (tmp_path / "helarsekvivalenter").exists() or not any((tmp_path / "helarsekvivalenter").glob("*.json"))


def test_report_for_a_period_after_the_extract_date_is_refused_in_one_sentence(tiny, tmp_path):
    """The tiny dataset ends on 2024-12-31: 2031 is refused before any work, exit 2."""
    r = run_cli("report", "--data-dir", tiny, "--period", "2031", "--all", "--out", tmp_path / "out", "--quiet")
    assert r.code == 2, r.out + r.err
    assert "Traceback" not in r.err and r.err.count("\n") == 1 and sentences(r.err) <= 3
    assert "2031" in r.err and "31 december 2024" in r.err
    assert not (tmp_path / "out" / "2031").exists()


def test_report_says_how_many_rows_were_rejected_and_how_to_see_them(tmp_path):
    root = write_dataset(tmp_path / "bad", rows=BAD_ROWS, dataset__yaml="uttagsdatum: 2024-12-31\n")
    r = run_cli("report", "--data-dir", root, "--period", "2024", "--forbund", "alfa", "--out", tmp_path / "out",
                "--format", "json", "--quiet")
    assert r.code == 0, r.out + r.err
    assert "8 rader i deltagarfilerna avvisades" in r.out and f"finsam validate --data-dir {root}" in r.out


def test_help_and_usage_errors_are_in_swedish(capsys):
    import argparse

    before = argparse._
    r = run_cli("--help")
    assert r.code == 0
    assert r.out.startswith("användning: finsam") and "\nval:\n" in r.out
    assert "visa den här hjälptexten och avsluta" in r.out and "visa programmets version" in r.out
    assert "show this help" not in r.out and "options:" not in r.out
    r = run_cli("report", "--period", "2025")
    assert r.code == 2 and "följande argument krävs: --data-dir" in r.err
    r = run_cli("report", "--data-dir", "x", "--period", "2025", "--engine", "foo")
    assert r.code == 2 and "ogiltigt val 'foo'" in r.err
    r = run_cli("rapport")
    assert r.code == 2 and "ogiltigt val 'rapport'" in r.err
    assert argparse._ is before  # a program that imports finsam_analysis keeps argparse as it was
