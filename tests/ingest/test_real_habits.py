"""A förbund file kept the way a coordinator keeps it (issue 16): kommun by name, the
report's own labels as input, a total row and a note under the table, a mistyped
optional column in mapping.yaml, förbund ids in another case.

The expected values are worked out by hand from the rows below: Skellefteå is
2482 and Norsjö 2417 in SCB's list (cross-checked against the CC0 copy in
``../shared/reference`` by tests/test_reference.py).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pandas as pd

from finsam_analysis.cli import build_parser
from finsam_analysis.ingest.dataset import load_dataset
from finsam_analysis.measures.key_figures import match_forbund_id, unknown_forbund_message
from finsam_analysis.reference import kommunkod_from_name

from ..helpers import DELTAGANDE_HEADER, assert_no_pnr, make_pnr, run_cli, write_dataset
from .test_dataset import HEADERS, MAPPING_YAML, write_excel

ROOT = Path(__file__).resolve().parents[2]


def coordinator_rows():
    """Five participations with kommun written five ways, then a total row and a note."""
    people = [make_pnr(1990 + i, 3, 10 + i, 980 + 2 * i) for i in range(5)]  # even serial: kvinna
    kommuner = ["Skellefteå", "skelleftea", "SKELLEFTEÅ", "Norsjö kommun", "2417 Norsjö"]
    rows = [
        [pnr, "K", "Steget vidare", dt.datetime(2024, 2, 1 + i), None, None, kommun, None, None, None]
        for i, (pnr, kommun) in enumerate(zip(people, kommuner))
    ]
    rows.append(["Summa", None, None, None, None, None, None, None, None, 5])  # =ANTAL(...) of the Excel sheet
    rows.append([None, "Uppdaterad av samordnaren i januari", None, None, None, None, None, None, None, None])
    return rows, people


def coordinator_dataset(tmp_path: Path, mapping: str) -> tuple[Path, list[str]]:
    root = write_dataset(tmp_path / "egen", rows=[])
    (root / "deltagande.csv").unlink()
    rows, people = coordinator_rows()
    write_excel(root / "deltagande.xlsx", rows, headers=[*HEADERS[:-1], "Antal"])
    (root / "mapping.yaml").write_text(mapping, encoding="utf-8")
    return root, people


def test_readme_walk_through_with_kommun_names_and_a_total_row(tmp_path):
    root, people = coordinator_dataset(tmp_path, MAPPING_YAML)
    data = load_dataset(root)
    got = data.deltagande.sort_values("startdatum")["folkbokforingskommun"].astype(str).tolist()
    assert got == ["2482", "2482", "2482", "2417", "2417"]
    quality = data.quality
    assert quality.rejected_rows == 0, quality.rejects
    (fq,) = [f for f in quality.files if f.fil == "deltagande.xlsx"]
    assert (fq.rader_lasta, fq.rader_inlasta, fq.summarader) == (7, 5, 2)
    note = next(n for n in quality.notes if "summor eller anteckningar" in n)
    assert "rad 7, 8" in note and "Uppdaterad" not in note  # row numbers as in Excel, never the text
    r = run_cli("validate", "--data-dir", root)
    assert r.code == 0, r.out + r.err
    assert "2 summa- eller anteckningsrader lästes inte" in r.out
    assert_no_pnr(r.out + r.err, people)


def test_mistyped_optional_column_is_an_error_with_a_suggestion(tmp_path):
    root, people = coordinator_dataset(tmp_path, MAPPING_YAML.replace('"Kommun"', '"Kommunn"'))
    r = run_cli("validate", "--data-dir", root)
    assert r.code == 2
    assert "columns.folkbokforingskommun pekar på rubriken 'Kommunn'" in r.err
    assert "menade du 'Kommun'?" in r.err
    assert r.err.count("\n") == 1  # one sentence-line, no traceback
    assert_no_pnr(r.out + r.err, people)


def test_mistyped_canonical_key_suggests_the_column(tmp_path):
    root, _ = coordinator_dataset(tmp_path, MAPPING_YAML.replace("  folkbokforingskommun:", "  folkbokforingskomun:"))
    r = run_cli("validate", "--data-dir", root)
    assert r.code == 2 and "menade du 'folkbokforingskommun'?" in r.err


def test_report_labels_are_accepted_as_input(tmp_path):
    rows = [
        "d01,alfa,a1,Kvinna,1999,Skellefteå,Gymnasial,2024-02-01,2024-09-30,Flyttat,Aktivt arbetssökande,,,,,",
        "d02,alfa,a1,Man,1985,2417,okand,2024-03-15,2024-10-01,Planenligt avslut,,Studier,,,,",
    ]
    data = load_dataset(write_dataset(tmp_path / "etiketter", rows=rows))
    assert data.quality.rejected_rows == 0, data.quality.rejects
    got = data.deltagande.sort_values("deltagare_id")
    assert got["avslutsanledning"].astype(str).tolist() == ["flytt", "planenligt"]
    assert got["kon"].astype(str).tolist() == ["kvinna", "man"]
    assert got["sysselsattning_fore"].astype(str).tolist()[0] == "arbetssokande"
    assert got["folkbokforingskommun"].astype(str).tolist() == ["2482", "2417"]


def test_unknown_kommun_name_suggests_the_nearest(tmp_path):
    rows = ["d01,alfa,a1,kvinna,1999,Skelleftå,gymnasial,2024-02-01,,,,,,,,"]
    data = load_dataset(write_dataset(tmp_path / "fel", rows=rows))
    reasons = data.quality.rejects["skal"].astype(str).tolist()
    assert reasons == ["okänd kommunkod 'Skelleftå' (menade du 'Skellefteå'?)"]


def test_kommun_names_need_their_marks_only_where_two_kommuner_meet():
    names = pd.Series(["Håbo", "Habo", "habo", "Malmo", "Goteborgs stad", "Atlantis", None])
    assert kommunkod_from_name(names).tolist() == ["0305", "0643", "0643", "1280", "1480", pd.NA, pd.NA]


def test_a_total_row_is_not_mistaken_for_a_participation_with_an_id(tmp_path):
    # An id with digits is a person, however its first cell reads: rejected with reasons, not dropped.
    rows = ["Totalt1,alfa,a1,kvinna,1999,2482,gymnasial,,,,,,,,,"]
    data = load_dataset(write_dataset(tmp_path / "id", rows=rows))
    assert data.quality.rejected_rows == 1
    assert data.quality.files[-1].summarader == 0


def test_forbund_ids_ignore_case_and_suggest():
    known = ["alfa", "beta", "vasterbergslagen"]
    assert match_forbund_id("ALFA", known) == "alfa"
    assert match_forbund_id(" Beta ", known) == "beta"
    assert match_forbund_id("gamma", known) is None
    message = unknown_forbund_message("vasterbergslage", known, "data/x")
    assert "Menade du 'vasterbergslagen'?" in message
    assert "Alla 3 förbund visas med: finsam forbund --data-dir data/x" in message


def test_cli_forbund_ids_any_case_and_the_full_list(tiny, tmp_path):
    r = run_cli("uppfoljning", "--data-dir", tiny, "--year", "2024", "--forbund", "ALFA", "--out", tmp_path)
    assert r.code == 0, r.err
    assert "för alfa" in r.out
    r = run_cli("uppfoljning", "--data-dir", tiny, "--year", "2024", "--forbund", "alfq", "--out", tmp_path)
    assert r.code == 2 and "Menade du 'alfa'?" in r.err and "finsam forbund" in r.err
    r = run_cli("forbund", "--data-dir", tiny)
    assert r.code == 0
    assert r.out.splitlines() == [
        f"2 förbund i {tiny}:", "  alfa  Samordningsförbundet Alfa", "  beta  Samordningsförbundet Beta",
    ]


def test_every_command_has_swedish_help_with_an_example():
    parser = build_parser()
    action = next(a for a in parser._actions if hasattr(a, "choices") and isinstance(a.choices, dict))
    for name, sub in action.choices.items():
        r = run_cli(name, "--help")
        text = r.out
        assert r.code == 0, name
        assert text.startswith(f"användning: finsam {name}"), name
        assert f"exempel:\n  finsam {name} " in text, name
        assert "usage:" not in text and "show this help" not in text
        for option in sub._actions:  # a default worth knowing is shown
            if option.default not in (None, False, "==SUPPRESS==") and option.help and option.dest != "help":
                assert "standard" in option.help, (name, option.dest)


def test_make_help_is_swedish_and_expands_its_variables():
    out = subprocess.run(["make", "-s", "help", "PERIOD=2024H1"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "$(" not in out
    assert "rapport för 2024H1" in out
    assert "Show the targets" not in out and "Run the test suite" not in out


def test_canonical_header_is_unchanged():
    # The rows above are written against this header: a change here must update them.
    assert DELTAGANDE_HEADER.split(",")[5] == "folkbokforingskommun"
