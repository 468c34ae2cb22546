"""The vocabularies and participant columns in schema.py agree with the data contract.

The contract's own words are kept here as they were agreed (the project's
issue and spec text, §5 and §6 of the data contract), independent of
``schema.py`` and of ``docs/dataformat.md``, which is generated from the
schema: a change to a code, a label, a group or the order of the columns
fails here and must be a decision, not an accident.
"""

from __future__ import annotations

import re

import pytest

from finsam_analysis import schema

#: §6 of the data contract, verbatim (code → Swedish label in reports).
CONTRACT_SECTION_6 = """
`kon`: `kvinna` Kvinna · `man` Man

`utbildningsniva`: `forgymnasial` Förgymnasial · `gymnasial` Gymnasial ·
`eftergymnasial` Eftergymnasial · `okand` Uppgift saknas

`forsorjning` (före/efter; a participation may have several):
`lon` Lön (även subventionerad anställning) · `sjukpenning` Sjukpenning inkl.
rehabiliteringspenning · `sjukersattning` Sjukersättning · `aktivitetsersattning`
Aktivitetsersättning · `arbetsloshetsersattning` Arbetslöshetsersättning ·
`aktivitetsstod` Aktivitetsstöd inkl. utvecklingsersättning · `etableringsersattning`
Etableringsersättning · `forsorjningsstod` Försörjningsstöd (ekonomiskt bistånd) ·
`studiemedel` Studiemedel · `annan` Annan försörjning · `ingen_offentlig` Ingen offentlig
försörjning · `okand` Uppgift saknas

Försörjning groups: `ohalsa` = sjukpenning, sjukersattning, aktivitetsersattning ·
`arbetsmarknad` = arbetsloshetsersattning, aktivitetsstod, etableringsersattning ·
`ekonomiskt_bistand` = forsorjningsstod · `egen` = lon, studiemedel ·
`ovrig` = annan, ingen_offentlig · `okand`.
*Offentlig försörjning* = any of the groups ohalsa, arbetsmarknad, ekonomiskt_bistand.

`sysselsattning` (före/efter): `forvarvsarbete` Förvärvsarbete · `subventionerad_anstallning`
Subventionerad anställning · `studier` Studier · `praktik` Praktik/arbetsträning ·
`arbetssokande` Aktivt arbetssökande · `sjukskriven` Sjukskriven/ej arbetsför ·
`ovrigt` Övrigt · `okand` Uppgift saknas

Outcome groups (SUS standard report): `arbete` = forvarvsarbete, subventionerad_anstallning ·
`studier` = studier · `arbetssokande` = arbetssokande · `ovriga` = all other codes incl. okand.
`arbete_studier` = arbete ∪ studier.

`avslutsanledning`: `planenligt` Planenligt avslut · `avbrott` Avbrott · `annan_insats`
Övergång till annan insats · `flytt` Flyttat · `ohalsa` Ohälsa · `annat` Annat ·
`felregistrering` Felregistrering (such rows are left out of every statistic, and counted
in the data-quality section)

`tid_offentlig_forsorjning_fore`: `under_1_ar` · `1_2_ar` · `2_5_ar` · `over_5_ar` · `okand`

`remitterande_aktor`: `kommun` · `region` · `forsakringskassan` · `arbetsformedlingen` ·
`egen_anmalan` · `annan`
"""

#: The columns of §5 (one row per participation), in the contract's order.
CONTRACT_DELTAGANDE_COLUMNS = ['deltagande_id', 'forbund_id', 'insats_id', 'deltagare_id', 'personnummer', 'kon', 'fodelsear', 'folkbokforingskommun', 'utbildningsniva', 'startdatum', 'slutdatum', 'avslutsanledning', 'sysselsattning_fore', 'sysselsattning_efter', 'forsorjning_fore', 'forsorjning_efter', 'omfattning_fore', 'omfattning_efter', 'tid_offentlig_forsorjning_fore', 'remitterande_aktor']


def _section6() -> list[str]:
    return [" ".join(p.split()) for p in CONTRACT_SECTION_6.split("\n\n") if p.strip()]


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
    assert list(SPEC[name]) == list(spec), "codes and their order follow the contract"
    for code, label in spec.items():
        if label:  # the contract gives labels for most vocabularies
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


def test_deltagande_columns_match_the_contract():
    """The contract's columns, in its order; after them only the optional follow-ups of issue 17."""
    columns = list(schema.DELTAGANDE)
    assert columns[: len(CONTRACT_DELTAGANDE_COLUMNS)] == CONTRACT_DELTAGANDE_COLUMNS
    follow_ups = [f"uppfoljning_{m}m_{w}" for m in (3, 6, 12) for w in ("sysselsattning", "forsorjning")]
    assert columns[len(CONTRACT_DELTAGANDE_COLUMNS):] == follow_ups
    assert not any(schema.DELTAGANDE[c].required for c in follow_ups)


@pytest.mark.parametrize("age, group", [(15, "<16"), (16, "16-24"), (24, "16-24"), (25, "25-29"), (29, "25-29"),
                                        (30, "30-39"), (49, "40-49"), (50, "50+"), (64, "50+")])
def test_aldersgrupp_boundaries(age, group):
    assert schema.aldersgrupp(age) == group
