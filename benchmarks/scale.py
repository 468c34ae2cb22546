"""National-scale benchmark: loading and key figures at a million participations.

Issue #7 asks that ``finsam_analysis`` load a national dataset (about
1 000 000 participations over many years) and compute the key figures of
every förbund within three times the time DuckDB needs to read the same CSV
files and compute the same aggregation in SQL.

:func:`run_scale`

1. generates the dataset once with the package's own sample generator
   (:func:`finsam_analysis.synthetic.sample.write_sample`) and caches it in ``workdir``
   under a folder named by the parameters;
2. times, best of ``repeat`` runs each, ``load_dataset`` (all validation and
   the pseudonymisation of personnummer, as the product does it) and the key
   figures of every förbund for the latest year;
3. times DuckDB reading ``deltagande.csv`` and ``forbund.csv`` and computing
   the same figures in SQL;
4. checks that DuckDB's numbers equal the package's unsuppressed key figures
   for every förbund, and raises :class:`BenchmarkMismatch` if they do not.
   The SQL below is written from docs/dataformat.md and docs/rapporter.md, not from the package,
   so it is an independent second computation.

Run it with ``python benchmarks/scale.py [rows]`` (needs the ``bench``
extra: ``pip install -e '.[bench]'``). Personnummer in the generated data are
synthetic (födelsenummer 980–999), made at run time and never committed; the
pseudonym key is a random one made for the run, so the user's own key file is
neither read nor created.

The generated dataset
---------------------
75 förbund (the 27 of the catalogue and 48 synthetic one-kommun förbund),
years 2014–2025 (SCB's helårsekvivalenter start 2014), and the generator's
``volume`` raised so that there are about ``rows`` participations: real
förbund have a few hundred a year each, so a million rows at real volumes
would need eighty years of history. ``xlsx=False``: the förbund whose own
Excel file the sample normally carries is written into ``deltagande.csv``
instead, still with personnummer rather than pseudonyms, because DuckDB (the
yardstick) reads CSV and openpyxl alone would spend minutes on one förbund's
workbook at this scale.

What is and is not compared
---------------------------
Compared, for every förbund: all counts of docs/rapporter.md §5 (aktiva deltagare and
the split by kön, deltaganden, outcome groups), andel arbete/studier with its
Wilson interval, andel ökad omfattning with its counts, median tid i insats,
andel offentlig försörjning före/efter with their counts. Not compared: the
population keys (from the SCB JSON-stat files, which the SQL does not read)
and ``rejected_rows`` (the SQL does not validate); the benchmark instead
requires that the package rejected no row and found no duplicate, which the
generator promises, so both computations see the same rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import math
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

N_FORBUND = 75
YEARS = (2014, 2025)
SEED = 2025
#: Participations the generator writes at ``volume=1`` with N_FORBUND, YEARS
#: and SEED (measured); the volume for ``rows`` is ``rows / ROWS_AT_VOLUME_1``.
ROWS_AT_VOLUME_1 = 149_851
#: The key-figure keys both computations give (see the module docstring).
COMPARED = (
    "aktiva_deltagare", "kvinnor", "man", "kon_okand",
    "aktiva_deltaganden", "nya_deltaganden", "avslutade_deltaganden", "pagaende_vid_periodens_slut",
    "arbete", "studier", "arbete_studier", "arbetssokande", "ovriga", "okand",
    "andel_arbete_studier", "ci_low", "ci_high",
    "_n_omfattning_kand", "_n_okat_omfattning", "andel_okat_omfattning",
    "tid_i_insats_median_dagar",
    "_n_offentlig_fore", "_n_offentlig_efter",
    "andel_offentlig_forsorjning_fore", "andel_offentlig_forsorjning_efter",
)


class BenchmarkMismatch(AssertionError):
    """DuckDB and the package disagree: the benchmark's result is void."""


# --------------------------------------------------------------------------
# The independent computation (docs/dataformat.md §5–6, docs/rapporter.md §2)
# --------------------------------------------------------------------------

# docs/dataformat.md §6: offentlig försörjning = the groups ohalsa, arbetsmarknad and
# ekonomiskt_bistand. Outcome groups: arbete = forvarvsarbete and
# subventionerad_anstallning. Written out here on purpose, not taken from
# finsam_analysis.schema.
_OFFENTLIG = (
    "'sjukpenning', 'sjukersattning', 'aktivitetsersattning', "
    "'arbetsloshetsersattning', 'aktivitetsstod', 'etableringsersattning', 'forsorjningsstod'"
)
_KNOWN_SOURCES = (
    "'lon', 'sjukpenning', 'sjukersattning', 'aktivitetsersattning', 'arbetsloshetsersattning', 'aktivitetsstod', "
    "'etableringsersattning', 'forsorjningsstod', 'studiemedel', 'annan', 'ingen_offentlig'"
)
_Z95 = 1.959963984540054
# Counts are 0, not NULL, for a förbund without participations.
_COALESCED = ",\n        ".join(
    f"coalesce({t}.{c}, 0) AS {c}"
    for t, names in (
        ("p", ("aktiva_deltagare", "kvinnor", "man", "kon_okand")),
        ("g", ("aktiva_deltaganden", "nya_deltaganden", "avslutade_deltaganden", "pagaende_vid_periodens_slut",
               "arbete", "studier", "arbetssokande", "ovriga", "okand", "_n_omfattning_kand",
               "_n_okat_omfattning", "_n_offentlig_fore", "_n_offentlig_efter", "_n_kand_fore",
               "_n_kand_efter", "_n_syss_kand")),
    )
    for c in names
)

KEY_FIGURES_SQL = f"""
WITH raw AS (
    SELECT
        forbund_id,
        -- docs/dataformat.md §7: one person per personnummer, with or without the dash
        -- (the generator writes the 12-digit forms)
        coalesce(deltagare_id, replace(personnummer, '-', '')) AS person,
        deltagande_id,
        -- kön may be left out when a personnummer gives it (odd digit: man)
        coalesce(kon, CASE
            WHEN personnummer IS NULL THEN NULL
            WHEN CAST(substr(replace(personnummer, '-', ''), 11, 1) AS INTEGER) % 2 = 1 THEN 'man'
            ELSE 'kvinna' END) AS kon,
        startdatum, slutdatum, avslutsanledning, sysselsattning_efter,
        forsorjning_fore, forsorjning_efter, omfattning_fore, omfattning_efter
    FROM read_csv($deltagande, header = true, all_varchar = false, types = {{
        'forbund_id': 'VARCHAR', 'deltagande_id': 'VARCHAR', 'deltagare_id': 'VARCHAR', 'personnummer': 'VARCHAR',
        'kon': 'VARCHAR', 'startdatum': 'DATE', 'slutdatum': 'DATE',
        'avslutsanledning': 'VARCHAR', 'sysselsattning_efter': 'VARCHAR',
        'forsorjning_fore': 'VARCHAR', 'forsorjning_efter': 'VARCHAR',
        'omfattning_fore': 'INTEGER', 'omfattning_efter': 'INTEGER',
        'folkbokforingskommun': 'VARCHAR', 'fodelsear': 'INTEGER'}})
),
d AS (
    SELECT *,
        startdatum <= $e AND (slutdatum IS NULL OR slutdatum >= $s) AS aktiv,
        coalesce(slutdatum BETWEEN $s AND $e, false) AS avslutad,
        split_part(forsorjning_fore, ';', 1) IN ({_OFFENTLIG}) AS off_fore,
        split_part(forsorjning_efter, ';', 1) IN ({_OFFENTLIG}) AS off_efter,
        -- docs/rapporter.md §2: with no known source the share is NULL, never 0
        coalesce(split_part(forsorjning_fore, ';', 1) IN ({_KNOWN_SOURCES}), false) AS kand_fore,
        coalesce(split_part(forsorjning_efter, ';', 1) IN ({_KNOWN_SOURCES}), false) AS kand_efter
    FROM raw
    WHERE avslutsanledning IS DISTINCT FROM 'felregistrering'
),
people AS (  -- kön from each person's latest aktiv participation
    SELECT forbund_id, person,
        arg_max(kon, struct_pack(s := startdatum, e := coalesce(slutdatum, DATE '9999-12-31'),
                                 k := kon IS NOT NULL, i := deltagande_id)) AS kon
    FROM d WHERE aktiv GROUP BY forbund_id, person
),
p AS (
    SELECT forbund_id,
        count(*) AS aktiva_deltagare,
        count(*) FILTER (WHERE kon = 'kvinna') AS kvinnor,
        count(*) FILTER (WHERE kon = 'man') AS man,
        count(*) FILTER (WHERE kon IS NULL) AS kon_okand
    FROM people GROUP BY forbund_id
),
g AS (
    SELECT forbund_id,
        count(*) FILTER (WHERE aktiv) AS aktiva_deltaganden,
        count(*) FILTER (WHERE startdatum BETWEEN $s AND $e) AS nya_deltaganden,
        count(*) FILTER (WHERE avslutad) AS avslutade_deltaganden,
        count(*) FILTER (WHERE aktiv AND (slutdatum IS NULL OR slutdatum > $e)) AS pagaende_vid_periodens_slut,
        count(*) FILTER (WHERE avslutad AND sysselsattning_efter IN ('forvarvsarbete', 'subventionerad_anstallning'))
            AS arbete,
        count(*) FILTER (WHERE avslutad AND sysselsattning_efter = 'studier') AS studier,
        count(*) FILTER (WHERE avslutad AND sysselsattning_efter = 'arbetssokande') AS arbetssokande,
        count(*) FILTER (WHERE avslutad AND (sysselsattning_efter IS NULL OR sysselsattning_efter NOT IN
            ('forvarvsarbete', 'subventionerad_anstallning', 'studier', 'arbetssokande'))) AS ovriga,
        count(*) FILTER (WHERE avslutad AND (sysselsattning_efter IS NULL OR sysselsattning_efter = 'okand'))
            AS okand,
        count(*) FILTER (WHERE avslutad AND omfattning_fore IS NOT NULL AND omfattning_efter IS NOT NULL)
            AS _n_omfattning_kand,
        count(*) FILTER (WHERE avslutad AND omfattning_efter > omfattning_fore) AS _n_okat_omfattning,
        quantile_cont(slutdatum - startdatum, 0.5) FILTER (WHERE avslutad) AS tid_i_insats_median_dagar,
        count(*) FILTER (WHERE avslutad AND off_fore) AS _n_offentlig_fore,
        count(*) FILTER (WHERE avslutad AND off_efter) AS _n_offentlig_efter,
        count(*) FILTER (WHERE avslutad AND kand_fore) AS _n_kand_fore,
        count(*) FILTER (WHERE avslutad AND kand_efter) AS _n_kand_efter,
        count(*) FILTER (WHERE avslutad AND sysselsattning_efter IS NOT NULL AND sysselsattning_efter <> 'okand')
            AS _n_syss_kand
    FROM d GROUP BY forbund_id
),
f AS (  -- every förbund of forbund.csv, also one without participations
    SELECT fb.forbund_id,
        {_COALESCED},
        g.tid_i_insats_median_dagar
    FROM read_csv($forbund, header = true, all_varchar = true) fb
    LEFT JOIN p USING (forbund_id) LEFT JOIN g USING (forbund_id)
),
w AS (
    SELECT *, arbete + studier AS arbete_studier, avslutade_deltaganden AS n FROM f
),
x AS (  -- 95 % Wilson interval
    SELECT *,
        arbete_studier / nullif(n, 0) AS andel_arbete_studier,
        (arbete_studier / n + {_Z95} ^ 2 / (2 * n)) / (1 + {_Z95} ^ 2 / n) AS _centre,
        {_Z95} * sqrt((arbete_studier / n) * (1 - arbete_studier / n) / n + {_Z95} ^ 2 / (4 * n * n))
            / (1 + {_Z95} ^ 2 / n) AS _half
    FROM w
)
SELECT * EXCLUDE (_centre, _half, n, _n_kand_fore, _n_kand_efter, _n_syss_kand,
                  arbete, studier, arbete_studier, arbetssokande, ovriga, andel_arbete_studier),
    -- with avslutade but no known sysselsättning efter the outcome groups are NULL, never 0
    CASE WHEN n > 0 AND _n_syss_kand = 0 THEN NULL ELSE arbete END AS arbete,
    CASE WHEN n > 0 AND _n_syss_kand = 0 THEN NULL ELSE studier END AS studier,
    CASE WHEN n > 0 AND _n_syss_kand = 0 THEN NULL ELSE arbete_studier END AS arbete_studier,
    CASE WHEN n > 0 AND _n_syss_kand = 0 THEN NULL ELSE arbetssokande END AS arbetssokande,
    CASE WHEN n > 0 AND _n_syss_kand = 0 THEN NULL ELSE ovriga END AS ovriga,
    CASE WHEN _n_syss_kand = 0 THEN NULL ELSE andel_arbete_studier END AS andel_arbete_studier,
    CASE WHEN n = 0 OR _n_syss_kand = 0 THEN NULL WHEN arbete_studier = 0 THEN 0.0
         ELSE greatest(0.0, _centre - _half) END AS ci_low,
    CASE WHEN n = 0 OR _n_syss_kand = 0 THEN NULL WHEN arbete_studier = n THEN 1.0
         ELSE least(1.0, _centre + _half) END AS ci_high,
    _n_okat_omfattning / nullif(_n_omfattning_kand, 0) AS andel_okat_omfattning,
    CASE WHEN _n_kand_fore = 0 THEN NULL ELSE _n_offentlig_fore / n END AS andel_offentlig_forsorjning_fore,
    CASE WHEN _n_kand_efter = 0 THEN NULL ELSE _n_offentlig_efter / n END AS andel_offentlig_forsorjning_efter
FROM x
ORDER BY forbund_id
"""


def duckdb_key_figures(data_dir: Path, year: int) -> dict[str, dict]:
    """The key figures of every förbund for ``year``, computed by DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        cursor = con.execute(
            KEY_FIGURES_SQL,
            {
                "deltagande": str(data_dir / "deltagande.csv"),
                "forbund": str(data_dir / "forbund.csv"),
                "s": dt.date(year, 1, 1),
                "e": dt.date(year, 12, 31),
            },
        )
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    return {row[0]: dict(zip(names, row)) for row in rows}


# --------------------------------------------------------------------------
# The dataset
# --------------------------------------------------------------------------


def dataset_dir(rows: int, workdir: Path) -> Path:
    """The cached dataset for ``rows``, generated on first use."""
    from finsam_analysis import __version__
    from finsam_analysis.synthetic.sample import write_sample

    name = f"national_r{rows}_f{N_FORBUND}_y{YEARS[0]}-{YEARS[1]}_s{SEED}_v{__version__}"
    target = workdir / name
    if (target / "dataset.yaml").is_file():
        return target
    workdir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=name + ".", dir=workdir))
    try:
        write_sample(partial, seed=SEED, n_forbund=N_FORBUND, years=YEARS,
                     volume=rows / ROWS_AT_VOLUME_1, xlsx=False)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)  # whole or not at all: never half a cache
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


# --------------------------------------------------------------------------
# Timing and the comparison
# --------------------------------------------------------------------------


def _differences(ours: dict[str, dict], theirs: dict[str, dict]) -> list[str]:
    problems = []
    if set(ours) != set(theirs):
        problems.append(f"förbund differ: {sorted(set(ours) ^ set(theirs))}")
    for fid in sorted(set(ours) & set(theirs)):
        for key in COMPARED:
            a, b = ours[fid][key], theirs[fid][key]
            if a is None or b is None:
                same = a is None and b is None
            elif isinstance(a, int) and not isinstance(a, bool):
                same = isinstance(b, int) and a == b
            else:
                same = math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
            if not same:
                problems.append(f"{fid}.{key}: finsam {a!r}, duckdb {b!r}")
    return problems


def cpu_model() -> str:
    """The processor's model name from /proc/cpuinfo, or "" where there is none."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def machine() -> dict:
    """What the timings were taken on."""
    model = cpu_model()
    import duckdb
    import pandas
    import pyarrow

    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "duckdb": duckdb.__version__,
    }


def run_scale(rows: int = 1_000_000, workdir: Path | None = None, repeat: int = 5) -> dict:
    """Time finsam against DuckDB on a generated national dataset.

    Parameters
    ----------
    rows : int, default 1 000 000
        About how many participations to generate.
    workdir : Path, optional
        Where generated datasets are cached (default: the system temp
        directory, ``finsam-bench``).
    repeat : int, default 5
        Rounds of finsam then DuckDB; each timing keeps its best round (the
        machine is shared, and a round gives both the same conditions).

    Returns
    -------
    dict
        ``rows`` (participations in the file), ``forbund``, ``year``,
        ``finsam_load_s`` (``load_dataset``), ``finsam_key_figures_s``
        (:func:`~finsam_analysis.disclosure.published.key_figures_all`, disclosure control
        applied: what a user gets), ``finsam_raw_key_figures_s`` (the
        unsuppressed figures, what the SQL computes), ``finsam_s`` (load +
        published key figures), ``duckdb_s``, ``ratio`` (``finsam_s /
        duckdb_s``, i.e. with disclosure control, the slower of the two),
        ``ratio_raw`` (with the unsuppressed figures), ``ratio_per_round``
        (each round's finsam / DuckDB, to see the spread), ``agree`` (always True:
        a disagreement raises), ``machine``, ``data_dir``.

    Raises
    ------
    BenchmarkMismatch
        When DuckDB's figures differ from the package's, or the package
        rejected rows (then the two would not be computing over the same data).
    """
    from finsam_analysis import load_dataset
    from finsam_analysis.disclosure.published import key_figures_all
    from finsam_analysis.measures.key_figures import raw_key_figures_all

    workdir = Path(workdir) if workdir is not None else Path(tempfile.gettempdir()) / "finsam-bench"
    data_dir = dataset_dir(rows, workdir)
    year = YEARS[1]
    key = secrets.token_bytes(32)  # a key of its own: never the user's key file

    # Rounds of finsam then DuckDB, so that both meet the same load on a
    # shared machine; each timing keeps its best round.
    load_times, kf_times, raw_times, duck_times = [], [], [], []
    ds = fresh = None
    for _ in range(repeat):
        # Each run starts as a fresh process would: the last run's tables freed.
        ds = fresh = None
        gc.collect()
        start = time.perf_counter()
        ds = load_dataset(data_dir, key=key)
        load_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        published = key_figures_all(ds, str(year))
        kf_times.append(time.perf_counter() - start)
        # The same dataset with empty caches: the raw figures pay the same
        # one-off work as the published ones did.
        fresh = dataclasses.replace(ds)
        start = time.perf_counter()
        raw = raw_key_figures_all(fresh, str(year))
        raw_times.append(time.perf_counter() - start)
        if ds.quality.rejected_rows or ds.quality.duplicate_rows:
            raise BenchmarkMismatch(
                f"the package rejected {ds.quality.rejected_rows} rows and found "
                f"{ds.quality.duplicate_rows} duplicates in generated data; the comparison needs clean data"
            )
        n_rows = sum(f.rader_lasta for f in ds.quality.files if f.fil.startswith("deltagande"))
        ds = fresh = None
        gc.collect()
        start = time.perf_counter()
        theirs = duckdb_key_figures(data_dir, year)
        duck_times.append(time.perf_counter() - start)
        problems = _differences(raw, theirs)
        if problems:
            shown = "\n  ".join(problems[:20])
            raise BenchmarkMismatch(f"DuckDB and finsam disagree ({len(problems)} values):\n  {shown}")

    duckdb_s = min(duck_times)
    load_s, kf_s, raw_s = min(load_times), min(kf_times), min(raw_times)
    finsam_s = load_s + kf_s
    return {
        "rows": n_rows,
        "rows_requested": rows,
        "forbund": len(published),
        "year": year,
        "finsam_load_s": round(load_s, 3),
        "finsam_key_figures_s": round(kf_s, 3),
        "finsam_raw_key_figures_s": round(raw_s, 3),
        "finsam_s": round(finsam_s, 3),
        "duckdb_s": round(duckdb_s, 3),
        "ratio": round(finsam_s / duckdb_s, 2),
        "ratio_raw": round((load_s + raw_s) / duckdb_s, 2),
        "ratio_per_round": [round((a + b) / c, 2) for a, b, c in zip(load_times, kf_times, duck_times)],
        "ratio_uses": "finsam_load_s + finsam_key_figures_s (disclosure control applied)",
        "agree": True,
        "repeat": repeat,
        "machine": machine(),
        "data_dir": str(data_dir),
    }


if __name__ == "__main__":
    requested = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run_scale(requested), indent=2, ensure_ascii=False))
