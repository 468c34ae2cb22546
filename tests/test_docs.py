"""The documentation agrees with the code.

* ``docs/dataformat.md`` is exactly what :func:`datadictionary.render`
  makes from the schema, and names every column, code and group of it; its
  sections are numbered as the code cites them; the key-figure table of
  ``docs/rapporter.md`` is the generated one.
* The README's commands exist in the CLI parser, and it shows ``make report``
  and ``make test`` first.
* ``docs/methods.md`` names every key figure; the docs index links every
  document and every link between the documents resolves.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from finsam_analysis import schema
from finsam_analysis import datadictionary
from finsam_analysis.disclosure import rules as disclosure
from finsam_analysis.measures import key_figures as figures
from finsam_analysis.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DICTIONARY = DOCS / "dataformat.md"
REPORTS = DOCS / "rapporter.md"
README = ROOT / "README.md"


@pytest.fixture(scope="module")
def rendered() -> str:
    return datadictionary.render()


@pytest.fixture(scope="module")
def committed() -> str:
    assert DICTIONARY.is_file(), "docs/dataformat.md saknas: kör `make docs`."
    return DICTIONARY.read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# The data dictionary
# --------------------------------------------------------------------------


def test_committed_dictionary_is_up_to_date(rendered, committed):
    if committed != rendered:
        old, new = committed.splitlines(), rendered.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
        pytest.fail(
            "docs/dataformat.md är inaktuell (stämmer inte med schemat): kör `make docs` "
            f"och checka in filen. Första skillnaden på rad {first + 1}:\n"
            f"  i filen: {old[first] if first < len(old) else '<slut>'}\n"
            f"  ur koden: {new[first] if first < len(new) else '<slut>'}"
        )


def test_render_is_deterministic(rendered):
    assert datadictionary.render() == rendered
    assert rendered.endswith("\n") and not rendered.endswith("\n\n")


def _vocabularies() -> dict[str, object]:
    """Every code → label mapping a column of the schema uses."""
    out = {}
    for spec in schema.TABLES.values():
        for col in spec.columns.values():
            if col.vocabulary is not None:
                out[f"{spec.name}.{col.name}"] = col.vocabulary
    return out


def test_every_file_and_column_is_documented(rendered):
    for spec in schema.TABLES.values():
        assert f"\n### `{spec.filename}`" in rendered, spec.filename
        section = rendered.split(f"### `{spec.filename}`", 1)[1].split("\n### ", 1)[0]
        for col in spec.columns.values():
            row = next((line for line in section.splitlines() if line.startswith(f"| `{col.name}` |")), None)
            assert row is not None, f"{spec.filename}: kolumnen {col.name} saknas"
            assert col.label in row, f"{spec.filename}.{col.name}: etiketten saknas"
            assert ("| ja" if col.required else "| nej") in row, f"{spec.filename}.{col.name}: krävs"
            if col.description:
                assert col.description in row
    for column in schema.HELARSEKVIVALENTER_COLUMNS:
        assert f"| `{column}` |" in rendered, column


@pytest.mark.parametrize("name", sorted(_vocabularies()))
def test_every_code_appears_with_its_label(rendered, name):
    for code, label in _vocabularies()[name].items():
        assert re.search(rf"^\| `{re.escape(code)}` \| {re.escape(label)} \|", rendered, re.M), (name, code)


def _section(text: str, heading: str) -> list[str]:
    """Lines of the ``###`` section whose heading starts with ``heading``."""
    return text.split(f"\n### {heading}", 1)[1].split("\n#", 1)[0].splitlines()


def test_groups_age_groups_and_ersattning_are_documented(rendered):
    for group, label in schema.FORSORJNING_GRUPP_LABELS.items():
        section = _section(rendered, "Försörjningsgrupper")
        row = next(line for line in section if line.startswith(f"| `{group}` | {label} |"))
        assert row.rstrip(" |").endswith("ja" if group in schema.OFFENTLIG_FORSORJNING_GRUPPER else "nej")
        for code, g in schema.FORSORJNING_GRUPP.items():
            if g == group:
                assert f"`{code}`" in row
    for group, label in schema.UTFALL_GRUPP_LABELS.items():
        section = _section(rendered, "Utfallsgrupper")
        row = next(line for line in section if line.startswith(f"| `{group}` | {label} |"))
        for code, g in schema.UTFALL_GRUPP.items():
            if g == group:
                assert f"`{code}`" in row
    for group in schema.ALDERSGRUPPER:
        assert f"| `{group}` |" in rendered, group
    for code, label in schema.ERSATTNING.items():
        assert f"| `{code}` | {label} |" in rendered, code


def test_reports_doc_holds_the_generated_key_figures():
    text = REPORTS.read_text(encoding="utf-8")
    assert datadictionary.render_key_figures() in text, "docs/rapporter.md: nyckeltalen är inaktuella, kör `make docs`"
    assert datadictionary.update_reports_doc(text) == text
    block = text.split(datadictionary.KEY_FIGURES_BEGIN, 1)[1].split(datadictionary.KEY_FIGURES_END, 1)[0]
    for key in figures.KEY_ORDER:
        assert f"| `{key}` |" in block, key
    for total, parts in disclosure.KEY_FIGURE_LINES:
        assert f"- `{total}` = " + " + ".join(f"`{p}`" for p in parts) in block


def test_reports_doc_without_markers_is_an_error():
    with pytest.raises(ValueError, match="Markeringarna"):
        datadictionary.update_reports_doc("# Rapporter\n")


#: What each numbered section is about; code cites "docs/dataformat.md §5" and "docs/rapporter.md §2".
DATAFORMAT_SECTIONS = {1: "filer", 2: "`forbund.csv`", 3: "`forbund_medlemmar.csv`", 4: "`insatser.csv`",
                       5: "`deltagande.csv`", 6: "Kodlistor", 7: "Personnummer", 8: "`mapping.yaml`",
                       9: "Felaktiga", 10: "Helårsekvivalenter", 11: "Referensdata"}
RAPPORTER_SECTIONS = {1: "Perioder", 2: "Måtten", 3: "Röjandekontroll", 4: "Förbundsrapporten",
                      5: "Vad en körning skriver", 6: "Kommandoraden"}


@pytest.mark.parametrize("doc, sections", [(DICTIONARY, DATAFORMAT_SECTIONS), (REPORTS, RAPPORTER_SECTIONS)])
def test_sections_are_numbered_as_the_code_cites_them(doc, sections):
    headings = dict(re.findall(r"^## (\d+)\. (.*)$", doc.read_text(encoding="utf-8"), re.M))
    assert sorted(map(int, headings)) == sorted(sections)
    for number, word in sections.items():
        assert word in headings[str(number)], (doc.name, number, headings[str(number)])


def test_every_section_the_code_cites_exists():
    numbers = {"dataformat.md": set(map(str, DATAFORMAT_SECTIONS)), "rapporter.md": set(map(str, RAPPORTER_SECTIONS))}
    sources = [*(ROOT / "finsam_analysis").rglob("*.py"), *DOCS.glob("*.md"), README, *(ROOT / "tests").rglob("*.py")]
    wrong = []
    for path in sources:
        for doc, number in re.findall(r"(dataformat\.md|rapporter\.md)\)? ?§ ?(\d+)", path.read_text(encoding="utf-8")):
            if number not in numbers[doc]:
                wrong.append(f"{path.relative_to(ROOT)}: {doc} §{number}")
    assert wrong == []


def test_reference_counts(rendered):
    assert "| 290 |" in rendered and "| 21 |" in rendered


def test_main_writes_and_checks(tmp_path, capsys):
    target, reports = tmp_path / "dd.md", tmp_path / "rapporter.md"
    stale = REPORTS.read_text(encoding="utf-8").replace("| `aktiva_deltagare` | Personer", "| `gammalt` | Personer")
    reports.write_text(stale, encoding="utf-8")
    options = ["--out", str(target), "--reports", str(reports)]
    assert datadictionary.main(["--check", *options]) == 1
    err = capsys.readouterr().err
    assert "make docs" in err and "dd.md" in err and "rapporter.md" in err
    assert datadictionary.main(options) == 0
    assert target.read_text(encoding="utf-8") == datadictionary.render()
    assert reports.read_text(encoding="utf-8") == REPORTS.read_text(encoding="utf-8")
    assert datadictionary.main(["--check", *options]) == 0


def test_makefile_has_a_docs_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\.PHONY:.*\bdocs\b", makefile, re.M)
    assert re.search(r"^docs:.*\n\t.*-m finsam_analysis\.datadictionary", makefile, re.M)


# --------------------------------------------------------------------------
# README and the command line
# --------------------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}


def _readme_commands(text: str) -> list[str]:
    """Every ``finsam …`` invocation in code spans, code blocks and the command table."""
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        found += [line.split("#")[0].strip() for line in block.splitlines() if line.strip().startswith("finsam ")]
    inline = re.sub(r"```.*?```", "", text, flags=re.S)
    found += [span.strip() for span in re.findall(r"`(finsam [^`]+)`", inline)]
    return found


def test_readme_commands_exist_in_the_cli():
    text = README.read_text(encoding="utf-8")
    parser = build_parser()
    subs = _subparsers(parser)
    commands = _readme_commands(text)
    assert commands, "README visar inga finsam-kommandon"
    seen = set()
    for command in commands:
        words = command.replace("\\|", "|").split()[1:]
        # Global options (finsam --debug …) come before the subcommand.
        while words and words[0].startswith("--"):
            assert words[0] in _options(parser), f"README: okänd global flagga i '{command}'"
            words = words[1:]
        if not words or words[0] in ("…", "..."):
            continue
        sub = words[0]
        assert sub in subs, f"README visar 'finsam {sub}', som inte finns i build_parser()"
        seen.add(sub)
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", " ".join(words[1:])):
            assert option in _options(subs[sub]), f"README: 'finsam {sub}' har ingen flagga {option}"
    assert seen == set(subs), f"README beskriver inte kommandona {sorted(set(subs) - seen)}"


def test_readme_shows_make_report_and_make_test_first():
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```[a-z]*\n(.*?)```", text, re.S).group(1)
    lines = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert lines[:2] == ["make report", "make test"], lines
    first_finsam = min((m.start() for m in re.finditer(r"\bfinsam (?:sample-data|validate|report|fetch-scb)\b", text)))
    assert text.index("make report") < first_finsam and text.index("make test") < first_finsam


def test_readme_make_targets_exist():
    text = README.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    for target in set(re.findall(r"`make ([a-z][a-z-]*)`", text)) | {"report", "test"}:
        assert target in targets, f"README nämner make {target}, som inte finns i Makefile"


# --------------------------------------------------------------------------
# Hand-written documents
# --------------------------------------------------------------------------


def test_methods_names_every_key_figure():
    methods = (DOCS / "methods.md").read_text(encoding="utf-8")
    missing = [key for key in figures.KEY_ORDER[7:] if key != "suppressed" and f"`{key}`" not in methods]
    assert not missing, f"docs/methods.md definierar inte nyckeltalen {missing}"


def test_glossary_is_a_table_of_30_to_40_terms():
    glossary = (DOCS / "glossary.md").read_text(encoding="utf-8")
    rows = [line for line in glossary.splitlines() if line.startswith("| ")][1:]  # header row off
    assert 30 <= len(rows) <= 40, len(rows)
    for term in ("samordningsförbund", "helårsekvivalent", "röjandekontroll", "folkbokföringskommun", "SUS"):
        assert term in glossary


def test_docs_index_lists_every_document():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for doc in sorted(DOCS.glob("*.md")):
        if doc.name != "README.md":
            assert f"({doc.name})" in index, f"docs/README.md länkar inte {doc.name}"


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_between_documents_resolve(doc):
    text = (DOCS / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (DOCS / doc).parent / path if path else DOCS / doc
        assert file.exists(), f"{doc}: länken {target} pekar på en fil som inte finns"
        if anchor and file.suffix == ".md":
            body = file.read_text(encoding="utf-8")
            assert f'<a id="{anchor}"></a>' in body, f"{doc}: ankaret #{anchor} finns inte i {file.name}"
