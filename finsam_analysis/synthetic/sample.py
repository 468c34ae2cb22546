"""A synthetic sample dataset (``finsam sample-data``).

:func:`write_sample` writes a complete dataset directory in the layout of
docs/dataformat.md §1: the real förbund of the package catalogue with their real member
kommuner, and made-up insatser, budgets and participations. Nothing in it is
real statistics; ``dataset.yaml`` says ``synthetic: true`` so every report
carries the synthetic-data banner.

The data are built to make reports look like real ones: volumes scaled to the
förbund's size, a young age profile, about 58 % women, försörjning before and
after that fits each participant's outcome, 30–55 % to arbete or studier at
exit, people who come back in another insats, and a few rows marked
``felregistrering``. Every row is valid: ``finsam validate`` accepts the whole
directory.

One förbund (``skelleftea`` when chosen, else the first chosen) delivers its
participations the way a förbund keeps them itself: ``deltagande.xlsx`` with
Swedish headers and labels, personnummer instead of a pseudonym, dates as a
mix of date cells and text, kommunkod as a number, plus the ``mapping.yaml``
that brings that file to the canonical schema (docs/dataformat.md §8). The other förbund
are in ``deltagande.csv`` in canonical form.

``helarsekvivalenter/TAB1386_<år>.json`` imitates what SCB's PxWeb API returns
for table HE0000T02N2 (TAB1386), one JSON-stat 2.0 file per year: riket and
every member kommun, each month, kön män/kvinnor/totalt, åldersgrupp 20-64,
and the nine contents under SCB's own labels (with SCB's misspelling). The
levels are plausible (riket 12–14 % of the 20–64-year-olds, kommuner 7.5–19.5 %)
and, as in SCB's database, about one kommun-month in 150 shows ekonomiskt
bistånd as 0 (bortfall) with the summa computed including that 0.

The generator is split by what it makes: :mod:`.parameters` (templates and
probabilities), :mod:`.organisation` (förbund, insatser, budgets),
:mod:`.participants` (the participations), :mod:`.own_file` (the förbund's
own Excel file and mapping) and :mod:`.scb` (the helårsekvivalenter); this
module puts them together and writes the directory.

Files written: ``forbund.csv``, ``forbund_medlemmar.csv``, ``insatser.csv``,
``insats_ekonomi.csv``, ``deltagande.csv`` (canonical, every förbund but
one), ``deltagande.xlsx`` + ``mapping.yaml`` (that one förbund's own Excel
file; with ``xlsx=False`` its rows are in ``deltagande.csv``),
``helarsekvivalenter/TAB1386_<år>.json`` (SCB-shaped JSON-stat 2.0, one per
year; ``SampleSummary.rows`` counts their values), ``dataset.yaml`` and
``README.txt``.

Determinism: the same ``seed``, ``n_forbund`` and ``years`` give byte-identical
files (CSV, YAML, README, JSON and the Excel workbook, whose timestamps are fixed).
All bulk generation is vectorised numpy; the only per-row loop writes the
Excel cells, which openpyxl requires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from finsam_analysis import reference
from finsam_analysis.version import __version__
from finsam_analysis.synthetic.organisation import (
    add_deltagare_personal, choose_forbund, forbund_size, insatser_frame, make_ekonomi, make_forbund_ekonomi,
    make_insats_mal, make_insatser, set_targets,
)
from finsam_analysis.synthetic.own_file import mapping_yaml, synthetic_personnummer, write_xlsx
from finsam_analysis.synthetic.parameters import INDIVID, MIN_AGE, date_text
from finsam_analysis.synthetic.participants import canonical_frame, make_deltagande
from finsam_analysis.synthetic.scb import HE_PXWEB_ID, HE_TABLE, write_helarsekvivalenter

__all__ = ["SampleSummary", "write_sample"]


@dataclass(frozen=True)
class SampleSummary:
    """What :func:`write_sample` wrote.

    Attributes
    ----------
    out : Path
        The dataset directory.
    forbund : tuple of str
        The förbund ids, in catalogue order.
    rows : dict
        File name → number of data rows written (header not counted).
    xlsx_forbund : str
        The förbund whose participations are in ``deltagande.xlsx`` (empty
        when it was not written, ``xlsx=False``).
    """

    out: Path
    forbund: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)
    xlsx_forbund: str = ""

    @property
    def forbund_ids(self) -> tuple[str, ...]:
        """Alias of :attr:`forbund`."""
        return self.forbund

def write_sample(
    out: Path,
    seed: int = 2025,
    n_forbund: int | None = None,
    years: tuple[int, int] = (2020, 2025),
    *,
    volume: float = 1.0,
    xlsx: bool = True,
) -> SampleSummary:
    """Write a deterministic synthetic dataset directory.

    Parameters
    ----------
    out : Path
        Directory to write (created if missing; existing files of the layout
        are overwritten).
    seed : int, default 2025
        Seed of ``numpy.random.default_rng``; the same seed (with the same
        other arguments) gives byte-identical files.
    n_forbund : int or None
        How many förbund: the first ``n_forbund`` of the catalogue, in
        catalogue order; ``None`` means all of it. Beyond the catalogue, one
        synthetic förbund is added per kommun that no catalogue förbund
        covers (``syntet_<kommunkod>``), in kommunkod order.
    years : (int, int)
        First and last calendar year of participations (inclusive).
    volume : float, default 1.0
        Multiplies every förbund's yearly number of participations. 1 gives
        volumes like real förbund; the national scale benchmark
        (``benchmarks/scale.py``) raises it to reach a million rows without
        inventing decades of history.
    xlsx : bool, default True
        Write the förbund-style ``deltagande.xlsx`` with its ``mapping.yaml``.
        With False, that förbund's rows go into ``deltagande.csv`` with
        ``personnummer`` instead of ``deltagare_id`` (loading still
        pseudonymises): at national scale openpyxl would dominate the
        benchmark, and DuckDB, its yardstick, reads only CSV.

    Returns
    -------
    SampleSummary
        What was written (the files are listed in the module notes).
    """
    out = Path(out)
    y0, y1 = _check_arguments(years, volume)
    rng = np.random.default_rng(seed)
    kommuner = reference.kommuner()
    forbund, medlemmar = choose_forbund(n_forbund, kommuner)
    fids = forbund["forbund_id"].tolist()
    xlsx_fid = "skelleftea" if "skelleftea" in fids else fids[0]
    # The order of these steps is the order of the random draws (determinism).
    size = forbund_size(rng, fids)
    insatser = make_insatser(rng, forbund, medlemmar, size, y0, y1)
    rows = make_deltagande(rng, fids, medlemmar, kommuner, insatser, size * volume, y0, y1, xlsx_fid)
    insatser = set_targets(rng, insatser, rows, y0, y1)
    ekonomi = make_ekonomi(rng, insatser, y0, y1)

    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def csv(name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(out / name, index=False, encoding="utf-8", lineterminator="\n")
        counts[name] = len(frame)

    csv("forbund.csv", forbund[["forbund_id", "namn", "organisationsnummer"]].fillna(""))
    med_out = medlemmar[["forbund_id", "kommunkod"]].copy()
    med_out["giltig_from"] = date_text(medlemmar["giltig_from"].to_numpy("datetime64[D]"))
    med_out["giltig_tom"] = date_text(medlemmar["giltig_tom"].to_numpy("datetime64[D]"))
    csv("forbund_medlemmar.csv", med_out)
    csv("insatser.csv", insatser_frame(insatser))
    csv("insats_ekonomi.csv", add_deltagare_personal(np.random.default_rng([seed, 3]), ekonomi, insatser))
    csv("insats_mal.csv", make_insats_mal(np.random.default_rng([seed, 4]), insatser, ekonomi, y1))
    # Its own generator: the economy of the förbund came later, and the other files must not change.
    csv("forbund_ekonomi.csv", make_forbund_ekonomi(np.random.default_rng([seed, 2]), medlemmar, ekonomi, insatser))
    csv("samhallsekonomi.csv", SAMHALLSEKONOMI_SAMPLE)
    _write_participants(out, rng, rows, forbund, insatser, xlsx_fid, xlsx, seed, csv, counts)
    he_counts = write_helarsekvivalenter(out, seed, sorted(set(medlemmar["kommunkod"])), kommuner, y0, y1)
    counts.update(he_counts)
    _write_description(out, seed, (y0, y1), fids, xlsx_fid, xlsx, list(he_counts))
    return SampleSummary(out=out, forbund=tuple(fids), rows=counts, xlsx_forbund=xlsx_fid if xlsx else "")


#: Unit amounts of the sample's samhallsekonomi.csv: invented round numbers, marked as such in the file,
#: so that the sample report shows the estimate. A förbund gives its own with their sources.
SAMHALLSEKONOMI_SAMPLE = pd.DataFrame(
    [(code, amount, "Påhittat exempelvärde (syntetiska data), ingen källa", 2025) for code, amount in (
        ("sjukpenning", 200_000), ("sjukersattning", 180_000), ("aktivitetsersattning", 150_000),
        ("arbetsloshetsersattning", 170_000), ("aktivitetsstod", 130_000), ("etableringsersattning", 120_000),
        ("forsorjningsstod", 110_000))],
    columns=["forsorjning", "belopp_kr_per_ar", "kalla", "ar"],
)  # fmt: skip


def _check_arguments(years: tuple[int, int], volume: float) -> tuple[int, int]:
    y0, y1 = int(years[0]), int(years[1])
    if y0 > y1:
        raise ValueError(f"years måste vara (första, sista) år, fick {years!r}.")
    if not volume > 0:
        raise ValueError(f"volume måste vara större än 0, fick {volume!r}.")
    if y1 - MIN_AGE > dt.date.today().year:
        raise ValueError(f"years {years!r} ligger för långt fram: deltagarna skulle inte vara födda än.")
    return y0, y1


def _write_participants(out, rng, rows, forbund, insatser, xlsx_fid, xlsx, seed, csv, counts) -> None:
    """``deltagande.csv``, and one förbund's own ``deltagande.xlsx`` with its ``mapping.yaml``.

    With ``xlsx=False`` that förbund's rows go into the CSV too, with
    personnummer instead of deltagare_id.
    """
    in_xlsx = rows["forbund_id"] == xlsx_fid
    if not xlsx:
        pnr = np.full(len(in_xlsx), "", dtype=object)
        pnr[in_xlsx] = synthetic_personnummer({k: v[in_xlsx] for k, v in rows.items()}, rng)
        csv("deltagande.csv", canonical_frame(rows, personnummer=pnr))
        return
    csv("deltagande.csv", canonical_frame({k: v[~in_xlsx] for k, v in rows.items()}))
    xrows = {k: v[in_xlsx] for k, v in rows.items()}
    names = dict(zip(insatser["insats_id"], insatser["namn"]))
    own = (insatser["forbund_id"] == xlsx_fid) & (insatser["typ"] == INDIVID)
    insats_names = dict(zip(insatser.loc[own, "namn"], insatser.loc[own, "insats_id"]))
    counts["deltagande.xlsx"] = write_xlsx(out / "deltagande.xlsx", rng, xrows, names)
    forbund_namn = dict(zip(forbund["forbund_id"], forbund["namn"]))[xlsx_fid]
    (out / "mapping.yaml").write_text(mapping_yaml(xlsx_fid, forbund_namn, insats_names, seed), encoding="utf-8")


def _write_description(out: Path, seed: int, years: tuple[int, int], fids, xlsx_fid: str, xlsx: bool,
                       he_files: list[str]) -> None:
    """``dataset.yaml`` (synthetic: true, the extract date) and ``README.txt``."""
    y0, y1 = years
    version = _version()
    meta = {
        "synthetic": True,
        "description": "SYNTETISKA DATA — inte verklig statistik",
        "generator": f"finsam_analysis {version}",
        "seed": int(seed),
        "years": [y0, y1],
        # The last day the data describe: reports for later periods are refused.
        "uttagsdatum": dt.date(y1, 12, 31),
        "n_forbund": len(fids),
        ("deltagande_xlsx_forbund" if xlsx else "personnummer_forbund"): xlsx_fid,
        "helarsekvivalenter": {
            "description": "SCB-formade JSON-stat2-filer (syntetiska), som PxWeb levererar dem",
            "table": HE_TABLE,
            "pxweb_id": HE_PXWEB_ID,
            "files": he_files,
        },
    }
    (out / "dataset.yaml").write_text(
        "# Syntetiskt exempeldataset skapat av `finsam sample-data`.\n"
        + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    (out / "README.txt").write_text(_readme(y0, y1, len(fids), xlsx_fid, seed, version, xlsx), encoding="utf-8")


def _version() -> str:
    return __version__

def _readme(y0: int, y1: int, n_forbund: int, xlsx_fid: str, seed: int, version: str, xlsx: bool = True) -> str:
    if xlsx:
        pnr_file = "deltagande.xlsx"
        files = f"""deltagande.csv         deltaganden i kanoniskt format (alla förbund utom {xlsx_fid})
deltagande.xlsx        {xlsx_fid}s egen deltagarfil, så som ett förbund för den i Excel
mapping.yaml           hur deltagande.xlsx översätts till det kanoniska formatet"""
    else:
        pnr_file = f"deltagande.csv ({xlsx_fid}s rader)"
        files = f"""deltagande.csv         deltaganden i kanoniskt format; {xlsx_fid}s rader har
                       personnummer i stället för deltagare_id"""
    return f"""SYNTETISKA DATA — inte verklig statistik
========================================

Den här katalogen innehåller ett påhittat exempeldataset för finsam_analysis.
Det är skapat av kommandot `finsam sample-data` (finsam_analysis {version},
seed {seed}) och beskriver {n_forbund} samordningsförbund åren {y0}–{y1}.

Förbunden och deras medlemskommuner är verkliga (paketets förbundskatalog),
men insatserna, budgetarna, alla deltagare och SCB-filerna med
helårsekvivalenter är slumpmässigt genererade. Inga uppgifter rör verkliga
personer. Personnumren i {pnr_file} är
syntetiska (födelsenummer 980–999) men har korrekt kontrollsiffra.
Siffrorna får inte användas eller citeras som statistik om något förbund
eller någon kommun.

Filer
-----
forbund.csv            förbunden
forbund_medlemmar.csv  medlemskommuner med giltighetstider
insatser.csv           insatser (individinriktade och strukturövergripande)
insats_ekonomi.csv     budget och utfall per insats och år
forbund_ekonomi.csv    förbundets intäkter per part och kostnader per år
insats_mal.csv         verksamhetsplanens mål per insats och år, med status
samhallsekonomi.csv    belopp per försörjningskälla för den samhällsekonomiska
                       uppskattningen: påhittade exempelvärden, ingen källa
{files}
helarsekvivalenter/    TAB1386_<år>.json: helårsekvivalenter per kommun och månad i
                       samma form (JSON-stat 2.0) som SCB:s tabell HE0000T02N2
                       (TAB1386) levereras, med riket och förbundens medlemskommuner;
                       också de är syntetiska
dataset.yaml           beskrivning av datasetet (synthetic: true)

Kontrollera datasetet med:  finsam validate --data-dir <den här katalogen>
"""
