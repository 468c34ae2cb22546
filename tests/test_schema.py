"""The vocabularies in schema.py agree with DATA.md §6, parsed from the spec itself."""

from __future__ import annotations

import re

import pytest

from finsam_analysis import schema

from .conftest import SHARED

DATA_MD = SHARED / "spec" / "DATA.md"


def _section6() -> list[str]:
    if not DATA_MD.is_file():
        pytest.skip("../shared/spec/DATA.md finns inte i den här utcheckningen")
    text = DATA_MD.read_text(encoding="utf-8")
    body = text.split("## 6.")[1].split("## 7.")[0]
    return [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]


def _vocab(name: str) -> dict[str, str]:
    """{code: label} of the paragraph that starts with `name`."""
    para = next(p for p in _section6() if p.startswith(f"`{name}`"))
    items = para.split(":", 1)[1]
    out = {}
    for piece in items.split(" · "):
        m = re.match(r"\s*`([^`]+)`\s*(.*)$", piece)
        label = re.sub(r"\s*\(such rows.*$", "", m.group(2)).strip()
        out[m.group(1)] = label
    return out


SPEC = {
    "kon": schema.KON,
    "utbildningsniva": schema.UTBILDNINGSNIVA,
    "forsorjning": schema.FORSORJNING,
    "sysselsattning": schema.SYSSELSATTNING,
    "avslutsanledning": schema.AVSLUTSANLEDNING,
    "tid_offentlig_forsorjning_fore": schema.TID_OFFENTLIG_FORSORJNING,
    "remitterande_aktor": schema.REMITTERANDE_AKTOR,
}


@pytest.mark.parametrize("name", list(SPEC))
def test_codes_and_labels_match_the_spec(name):
    spec = _vocab(name)
    assert list(SPEC[name]) == list(spec), "codes and their order follow DATA.md"
    for code, label in spec.items():
        if label:  # DATA.md gives labels for most vocabularies
            assert SPEC[name][code] == label


def _groups(prefix: str) -> dict[str, set[str]]:
    para = next(p for p in _section6() if p.startswith(prefix))
    out = {}
    for m in re.finditer(r"`([a-z_]+)` = ([^·`.]+)", para):
        out[m.group(1)] = {c.strip() for c in m.group(2).split(",") if c.strip() and " " not in c.strip()}
    return out


def test_forsorjning_groups_match_the_spec():
    groups = _groups("Försörjning groups")
    ours: dict[str, set[str]] = {}
    for code, group in schema.FORSORJNING_GRUPP.items():
        ours.setdefault(group, set()).add(code)
    for group, codes in groups.items():
        assert ours[group] == codes
    assert set(schema.FORSORJNING_GRUPP) == set(schema.FORSORJNING)
    assert schema.OFFENTLIG_FORSORJNING_GRUPPER == {"ohalsa", "arbetsmarknad", "ekonomiskt_bistand"}


def test_outcome_groups_match_the_spec():
    groups = _groups("Outcome groups")
    ours: dict[str, set[str]] = {}
    for code, group in schema.UTFALL_GRUPP.items():
        ours.setdefault(group, set()).add(code)
    assert ours["arbete"] == groups["arbete"] == {"forvarvsarbete", "subventionerad_anstallning"}
    assert ours["studier"] == {"studier"} and ours["arbetssokande"] == {"arbetssokande"}
    # "ovriga = all other codes incl. okand"
    assert ours["ovriga"] == set(schema.SYSSELSATTNING) - {"forvarvsarbete", "subventionerad_anstallning", "studier", "arbetssokande"}


def test_deltagande_columns_match_the_spec_table():
    text = DATA_MD.read_text(encoding="utf-8") if DATA_MD.is_file() else pytest.skip("no spec")
    table = text.split("## 5.")[1].split("## 6.")[0]
    names = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)
    assert names == list(schema.DELTAGANDE)


@pytest.mark.parametrize("age, group", [(15, "<16"), (16, "16-24"), (24, "16-24"), (25, "25-29"), (29, "25-29"),
                                        (30, "30-39"), (49, "40-49"), (50, "50+"), (64, "50+")])
def test_aldersgrupp_boundaries(age, group):
    assert schema.aldersgrupp(age) == group
