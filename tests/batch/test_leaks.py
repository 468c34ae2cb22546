"""Leak scans: no personnummer and no small count in anything a run writes or prints.

One dataset, generated at run time, holds personnummer in every accepted form
(12 and 10 digits, with and without ``-``, ``+`` for the over-hundreds,
samordningsnummer, Excel number cells that lost their leading zero, one in the
deltagare_id column) and rows that are rejected while carrying one (bad check
digit, slutdatum before startdatum, unknown insats, a personnummer typed into
the kön, födelseår or startdatum column, one glued to another digit). Its
förbund ``lacka`` has small groups on purpose (a tiny insats, kön okänd, an
under-16, a rare utbildningsnivå, members of other kommuner); the second
förbund ``trasig`` fails with an error message that quotes personnummer.

The reports are rendered twice through ``finsam report`` (``--min-cell`` 5 with
html, xlsx, json and ipynb; 10 with html, xlsx and json), ``finsam validate``
lists the rejected rows, and a dataset whose participant file lacks its header
row makes loading fail. Then:

* every file written (HTML, every xml entry of the xlsx zip and every cell of
  every sheet, JSON, notebook, manifest, index), every new file in the data
  directory and everything printed (stdout, stderr, progress) is searched for
  each planted number in every written form, also without word boundaries
  and with the separators between digits taken out;
* every table is parsed (``html.parser`` for the HTML, the index and the
  notebook's outputs; openpyxl for the workbook; ``json`` for the key figures)
  and no count of persons from 1 to ``min_cell - 1`` may appear in a count
  cell; shares, days, targets, kronor, years and the unsuppressed data-quality
  and SCB tables are told apart by their column and section.

Both scanners are shown to catch what they look for: the personnummer forms in
a planted text, and the small counts in the unprotected tables (``min_cell``
1) and in a planted cell of the workbook and of the key figures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

import finsam_analysis as fa
from finsam_analysis.report import tables as tables_module
from finsam_analysis.report.html import table_html
from finsam_analysis.report.tables import report_tables

from ..helpers import DELTAGANDE_HEADER, make_pnr, run_cli, write_dataset

FORBUND = "forbund_id,namn,organisationsnummer\nlacka,Samordningsförbundet Läcka,\ntrasig,Samordningsförbundet Trasig,\n"
MEDLEMMAR = "forbund_id,kommunkod,giltig_from,giltig_tom\nlacka,2482,2005-12-01,\nlacka,2417,2005-12-01,\ntrasig,0180,2004-01-01,\n"
INSATSER = (
    "insats_id,forbund_id,namn,typ,startdatum,slutdatum,malgrupp,mal_deltagare_per_ar,mal_andel_arbete_studier\n"
    "l1,lacka,Stora steget,individinriktad,2019-01-01,,,60,0.4\n"
    "l2,lacka,Mellansteget,individinriktad,2019-01-01,,,30,0.4\n"
    "l3,lacka,Lilla steget,individinriktad,2024-01-01,,,5,0.5\n"
    "t1,trasig,Trasiga steget,individinriktad,2019-01-01,,,20,\n"
)
HEADER = DELTAGANDE_HEADER + ",personnummer"
OUTCOMES = ("forvarvsarbete", "studier", "arbetssokande", "ovrigt", "sjukskriven", "okand")
REASONS = ("planenligt", "avbrott", "annan_insats", "planenligt")


# ---------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------


@dataclass
class Planted:
    """The personnummer written into the dataset (12 digits, no separator) and the rows."""

    numbers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    xlsx: list[list[object]] = field(default_factory=list)

    def add(self, pnr: str) -> str:
        self.numbers.append(pnr.replace("-", ""))
        return pnr


def _ten(p12: str, sep: str = "-") -> str:
    d = p12.replace("-", "")
    return d[2:8] + sep + d[8:]


def _row(fid="lacka", insats="l1", start="2024-03-01", end="", kon="", fodelsear="", kommun="2482",
         utbildning="gymnasial", outcome="", reason="", deltagare_id="", personnummer="", fore="0",
         efter="") -> list[str]:  # fmt: skip
    syss_efter = outcome if end else ""
    avslut = reason or ("planenligt" if end else "")
    return [deltagare_id, fid, insats, kon, fodelsear, kommun, utbildning, start, end, avslut, "arbetssokande",
            syss_efter, "sjukpenning", "lon" if end else "", fore, efter, personnummer]  # fmt: skip


def build_dataset(root: Path) -> Planted:
    """Write the dataset; return every personnummer in it."""
    rng = np.random.default_rng(20251)
    planted = Planted()
    used: set[tuple] = set()

    def person(year: int, samord: bool = False) -> str:
        while True:
            month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
            s = int(rng.integers(980, 1000))
            if (year, month, day, s) not in used:
                used.add((year, month, day, s))
                return make_pnr(year, month, day + (60 if samord else 0), s)

    forms = (lambda p: p, lambda p: p.replace("-", ""), _ten, lambda p: _ten(p, ""))
    # lacka: 96 participations, personnummer in four written forms
    for k in range(96):
        year = int(rng.integers(1960, 2004))
        pnr = planted.add(person(year, samord=k % 23 == 0))
        start = dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1000)))
        ended = rng.random() < 0.55 and start < dt.date(2025, 10, 1)
        end = start + dt.timedelta(days=int(rng.integers(30, 400))) if ended else None
        if end and end > dt.date(2025, 12, 31):
            end = None
        insats = "l1" if k % 3 else "l2"
        kommun = "0180" if k in (5, 17, 40) else ("2482" if k % 2 else "2417")  # 3 from other kommuner
        if kommun == "0180":  # active in 2025, so the small group is in the report
            start, end = dt.date(2025, 2, 1) + dt.timedelta(days=k), None
        utbildning = "forgymnasial" if k in (8, 61) else ("eftergymnasial" if k % 4 == 0 else "gymnasial")
        planted.rows.append(_row(insats=insats, start=start.isoformat(), end=end.isoformat() if end else "",
                                 outcome=OUTCOMES[k % 6], reason="flytt" if k == 33 else REASONS[k % 4],
                                 kommun=kommun, utbildning=utbildning, personnummer=forms[k % 4](pnr),
                                 efter="50" if end and k % 2 else ""))  # fmt: skip
    # the tiny insats: two people
    for k in range(2):
        pnr = planted.add(person(1990 + k))
        planted.rows.append(_row(insats="l3", start="2025-02-01", personnummer=pnr))
    # kön okänd: two people without a personnummer and without kön
    for k in range(2):
        planted.rows.append(_row(deltagare_id=f"L-okand-{k}", kon="", fodelsear="1988", start="2025-01-15"))
    # an under-16 and an over-hundred (YYMMDD+NNNN)
    planted.rows.append(_row(start="2025-04-01", personnummer=planted.add(person(2010))))
    old = planted.add(person(1925))
    planted.rows.append(_row(start="2024-06-01", end="2025-03-01", outcome="ovrigt", personnummer=_ten(old, "+")))
    # a personnummer in the deltagare_id column
    planted.rows.append(_row(deltagare_id=planted.add(person(1977)), kon="man", fodelsear="1977",
                             start="2025-05-05"))  # fmt: skip
    # rejected rows that carry personnummer
    bad = make_pnr(1981, 3, 3, 987, bad_check=True)
    planted.numbers.append(bad.replace("-", ""))
    planted.rows.append(_row(start="2025-01-10", personnummer=bad))
    planted.rows.append(_row(start="2025-06-01", end="2025-02-01", outcome="studier",
                             personnummer=planted.add(person(1982))))  # fmt: skip
    planted.rows.append(_row(insats="zz", start="2025-02-02", personnummer=_ten(planted.add(person(1983)))))
    planted.rows.append(_row(deltagare_id="L-fel-1", kon=planted.add(person(1984)), fodelsear="1984",
                             start="2025-02-02"))  # fmt: skip
    planted.rows.append(_row(deltagare_id="L-fel-2", kon="kvinna", fodelsear=planted.add(person(1985)),
                             start="2025-02-02"))  # fmt: skip
    glued = planted.add(person(1986))
    planted.rows.append(_row(deltagare_id="L-fel-3", kon="man", fodelsear="1986", start="1" + glued.replace("-", "")))
    glued2 = planted.add(person(1987))
    planted.rows.append(_row(start="2025-02-02", fore=glued2 + "7", personnummer=_ten(planted.add(person(1988)))))
    # an exact duplicate (same person, insats, startdatum) is reported and counted once
    planted.rows.append(list(planted.rows[1]))
    # trasig: a few participations of its own
    for k in range(8):
        planted.rows.append(_row(fid="trasig", insats="t1", kommun="0180", start="2025-03-01",
                                 personnummer=planted.add(person(1970 + k))))  # fmt: skip
    # the Excel file: personnummer as number cells (12 and 10 digits; born 2000s, so a leading zero is lost)
    for year, as_number in ((1972, lambda p: int(p.replace("-", ""))), (1973, lambda p: int(_ten(p, ""))),
                            (2003, lambda p: int(_ten(p, "")))):  # fmt: skip
        pnr = planted.add(person(year))
        cells: list[object] = _row(start="2025-01-20", personnummer="")
        cells[-1] = as_number(pnr)
        planted.xlsx.append(cells)

    def csv_line(cells: list[str]) -> str:
        return ",".join(cells)

    deltagande = "\n".join([HEADER, *map(csv_line, planted.rows)]) + "\n"
    write_dataset(root, forbund__csv=FORBUND, forbund_medlemmar__csv=MEDLEMMAR, insatser__csv=INSATSER,
                  deltagande__csv=deltagande, dataset__yaml="uttagsdatum: 2025-12-31\n")  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for cells in planted.xlsx:
        ws.append([c if c != "" else None for c in cells])
    wb.save(root / "deltagande.xlsx")
    return planted


# ---------------------------------------------------------------------------
# The personnummer scanner
# ---------------------------------------------------------------------------

DATA_URI = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=\\n]+")
BETWEEN_DIGITS = re.compile(r"(?<=\d)[ \u00a0\u202f\t\-+.,:/]+(?=\d)")


def written_forms(p12: str) -> set[str]:
    """Every way a personnummer could be written, including as an Excel number."""
    d = p12.replace("-", "")
    ten = d[2:]
    forms = {d, ten, f"{d[:8]}-{d[8:]}", f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}", f"{d[:8]}+{d[8:]}",
             f"{d[:8]} {d[8:]}", f"{ten[:6]} {ten[6:]}", f"{d[:8]} - {d[8:]}", str(int(ten)), f"{int(ten)}.0",
             f"{d}.0"}  # fmt: skip
    return forms


def find_pnr(text: str, numbers: list[str]) -> list[str]:
    """The planted numbers that occur in ``text`` in any form, without word boundaries."""
    text = DATA_URI.sub("", text)
    joined = BETWEEN_DIGITS.sub("", text)
    found = []
    for p12 in numbers:
        if any(form in text for form in written_forms(p12)) or p12[2:] in joined:
            found.append(p12)
    return found


def texts_of(path: Path) -> list[tuple[str, str]]:
    """(where, text) for a file; an xlsx gives every zip entry and every cell value."""
    if path.suffix == ".xlsx":
        out = []
        with zipfile.ZipFile(path) as z:
            out += [(f"{path.name}:{name}", z.read(name).decode("utf-8", "replace")) for name in z.namelist()]
        wb = load_workbook(path)
        cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        return out + [(f"{path.name}:celler", "\n".join(cells))]
    return [(path.name, path.read_bytes().decode("utf-8", "replace"))]


# ---------------------------------------------------------------------------
# The small-count scanner
# ---------------------------------------------------------------------------

#: Not counts of persons in the report: tables of rows, public SCB figures, text.
UNSUPPRESSED_SECTIONS = {"Datakvalitet", "Försörjningsformer i befolkningen", "Försörjning i befolkningen",
                         "Om rapporten"}  # fmt: skip
#: Columns and rows that hold shares, days, targets, kronor or population figures.
NOT_A_COUNT = re.compile(r"(?i:andel|mål|utfall|kostnad|dagar|folkmängd|helårs|kvartil|median)|\bKI\b")
SWEDISH_INT = re.compile(r"^\d{1,3}(?:[\u00a0 ]\d{3})*$")
#: Kön uppgift saknas: a count of the förbund's data quality, shown whatever its size (docs/methods.md §5).
KON_UNKNOWN_ROW = "Kön uppgift saknas"
KON_UNKNOWN_COLUMN = "Uppgift saknas"


def _data_quality(label: str, column: str, columns) -> bool:
    return label == KON_UNKNOWN_ROW or (column == KON_UNKNOWN_COLUMN and "Kvinna" in columns)


KEY_COUNTS = ("aktiva_deltagare", "kvinnor", "man", "aktiva_deltaganden", "nya_deltaganden",
              "avslutade_deltaganden", "pagaende_vid_periodens_slut", "arbete", "studier", "arbete_studier",
              "arbetssokande", "ovriga", "okand")  # fmt: skip


@dataclass
class Table:
    section: str
    header: list[str]
    rows: list[tuple[str, list[str]]]


class HtmlTables(HTMLParser):
    """Every <table> with the <h2> section it stands under, header cells and rows."""

    def __init__(self, text: str, section: str = ""):
        super().__init__(convert_charrefs=True)
        self.section, self.tables = section, []
        self._heading: str | None = None
        self._cell: str | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._heading = ""
        elif tag == "table":
            self.tables.append(Table(self.section, [], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2" and self._heading is not None:
            self.section, self._heading = self._heading.strip(), None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            table = self.tables[-1]
            if self._in_head:
                table.header = self._row
            elif self._row:
                table.rows.append((self._row[0], self._row[1:]))
            self._row = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data
        if self._cell is not None:
            self._cell += data


def small_in_tables(tables: list[Table], min_cell: int) -> list[str]:
    """Count cells from 1 to min_cell − 1 in parsed HTML tables."""
    found = []
    for t in tables:
        if t.section in UNSUPPRESSED_SECTIONS:
            continue
        columns = t.header[1:] if t.header else []
        for label, cells in t.rows:
            if NOT_A_COUNT.search(label):
                continue
            for column, text in zip(columns, cells):
                if NOT_A_COUNT.search(column) or not SWEDISH_INT.match(text) or _data_quality(label, column, columns):
                    continue
                value = int(re.sub(r"\D", "", text))
                if 1 <= value < min_cell:
                    found.append(f"{t.section} / {label} / {column} = {value}")
    return found


def small_in_workbook(wb, min_cell: int) -> list[str]:
    """Count cells from 1 to min_cell − 1 on every sheet (headers are the shaded rows)."""
    found = []
    for ws in wb.worksheets:
        if ws.title in UNSUPPRESSED_SECTIONS:
            continue
        header: list[str] | None = None
        for row in ws.iter_rows():
            values = [c.value for c in row]
            if all(v is None for v in values):
                header = None
                continue
            if row[0].fill.fgColor.rgb in ("00E7E6E6", "FFE7E6E6"):
                header = [str(v or "") for v in values]
                continue
            if header is None or NOT_A_COUNT.search(str(values[0] or "")):
                continue
            for column, value in zip(header[1:], values[1:]):
                if isinstance(value, bool) or not isinstance(value, int) or NOT_A_COUNT.search(column):
                    continue
                if _data_quality(str(values[0] or ""), column, header):
                    continue
                if 1 <= value < min_cell:
                    found.append(f"{ws.title} / {values[0]} / {column} = {value}")
    return found


def small_in_key_figures(kf: dict, min_cell: int) -> list[str]:
    return [f"{key} = {kf[key]}" for key in KEY_COUNTS if kf[key] is not None and 1 <= kf[key] < min_cell]


def notebook_tables(nb: dict) -> list[Table]:
    """Tables of the executed notebook's HTML outputs, under the markdown headings before them."""
    out, section = [], ""
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("## "):
            section = source[3:].strip()
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html:
                out += HtmlTables("".join(html) if isinstance(html, list) else html, section).tables
    return out


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


@dataclass
class Run:
    data: Path
    planted: Planted
    out: dict[int, Path]
    printed: dict[str, str]
    new_data_files: list[Path]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("leaks")
    data = base / "data"
    planted = build_dataset(data)
    before = {p for p in data.rglob("*")}
    printed: dict[str, str] = {}
    real = tables_module.report_tables
    message = (f"trasiga uppgifter för {planted.numbers[-11][:8]}-{planted.numbers[-11][8:]}, "
               f"{planted.numbers[-10][2:]} och 1{planted.numbers[-9]}")  # fmt: skip

    def failing(dataset, forbund_id, period, min_cell=5):
        if forbund_id == "trasig":
            raise ValueError(message)
        return real(dataset, forbund_id, period, min_cell)

    mp = pytest.MonkeyPatch()
    mp.setattr(tables_module, "report_tables", failing)
    try:
        out = {}
        for min_cell, formats in ((5, "html,xlsx,json,ipynb"), (10, "html,xlsx,json")):
            out[min_cell] = base / f"out{min_cell}"
            r = run_cli("report", "--data-dir", data, "--period", "2025", "--all", "--out", out[min_cell],
                        "--format", formats, "--min-cell", str(min_cell))  # fmt: skip
            assert r.code == 1, r.err  # trasig fails, lacka does not
            printed[f"report {min_cell}"] = r.out + r.err
    finally:
        mp.undo()
    r = run_cli("validate", "--data-dir", data)
    assert r.code == 1
    printed["validate"] = r.out + r.err
    # A participant file without its header row: the first row, with a personnummer, is read as the headers.
    headless = base / "headless"
    first = planted.numbers[0]
    rows = [f"{first},lacka,l1,kvinna,1980,2482,gymnasial,2025-01-01,2025-02-01,planenligt,arbetssokande,studier,"
            "sjukpenning,lon,0,50", *(",".join(r[:16]) for r in planted.rows[1:4])]  # fmt: skip
    write_dataset(headless, forbund__csv=FORBUND, forbund_medlemmar__csv=MEDLEMMAR, insatser__csv=INSATSER,
                  deltagande__csv="\n".join(rows) + "\n", dataset__yaml="uttagsdatum: 2025-12-31\n")  # fmt: skip
    r = run_cli("report", "--data-dir", headless, "--period", "2025", "--all", "--out", base / "out_headless")
    assert r.code == 2
    printed["report utan rubrikrad"] = r.out + r.err
    r = run_cli("validate", "--participants", headless / "deltagande.csv")
    printed["validate --participants utan rubrikrad"] = r.out + r.err
    new = sorted(p for p in data.rglob("*") if p not in before and p.is_file())
    return Run(data, planted, {m: o / "2025" for m, o in out.items()}, printed, new)


# ---------------------------------------------------------------------------
# Personnummer
# ---------------------------------------------------------------------------


def test_the_dataset_carries_what_the_scan_looks_for(run):
    assert len(set(run.planted.numbers)) == len(run.planted.numbers) >= 110
    ds = fa.load_dataset(run.data)
    rejects = ds.quality.rejects
    assert len(rejects.groupby(["fil", "rad"])) == 7
    assert ds.quality.duplicate_rows == 1 and ds.quality.pseudonymised_ids == 1
    assert set(ds.deltagande["forbund_id"]) == {"lacka", "trasig"}
    # The three Excel number cells were read as personnummer (a pseudonym each, none rejected).
    assert not (rejects["fil"] == "deltagande.xlsx").any()
    assert "Samordningsförbundet Trasig" in (run.out[5] / "index.html").read_text(encoding="utf-8")


def test_the_scanner_finds_every_form():
    p12 = make_pnr(1984, 2, 29, 987).replace("-", "")
    old = make_pnr(2003, 1, 5, 991).replace("-", "")
    for text in (f"a{p12}b", f"x 19{p12[2:8]}-{p12[8:]} y", f"{p12[2:8]}+{p12[8:]}", f"1{p12}9",
                 f"{p12[:4]} {p12[4:8]}-{p12[8:]}", f"{int(old[2:])}.0", f"{p12[2:5]}\u00a0{p12[5:]}"):  # fmt: skip
        assert find_pnr(text, [p12, old]), text
    assert find_pnr("rad 3, 2025-01-01, 12 345 personer, data:image/png;base64,AAAA", [p12, old]) == []


def test_no_personnummer_in_any_file(run):
    files = [p for out in run.out.values() for p in sorted(out.rglob("*")) if p.is_file()] + run.new_data_files
    names = {p.name for p in files}
    assert {"lacka.html", "lacka.xlsx", "lacka.json", "lacka.ipynb", "index.html", "manifest.json"} <= names
    assert not any(n.startswith("trasig") for n in names)  # the failed förbund left nothing
    scanned = 0
    for path in files:
        for where, text in texts_of(path):
            assert find_pnr(text, run.planted.numbers) == [], where
            scanned += 1
    assert scanned >= 20


def test_no_personnummer_in_what_is_printed(run):
    for what, text in run.printed.items():
        assert find_pnr(text, run.planted.numbers) == [], what
    # and it said something: the failure, the rejected rows, the missing header
    assert "Misslyckades: trasig" in run.printed["report 5"] and "ÅÅÅÅMMDD-XXXX" in run.printed["report 5"]
    assert "Avvisade rader" in run.printed["validate"] and "Rapporter" in run.printed["report 5"]
    assert "saknar den obligatoriska" in run.printed["report utan rubrikrad"]
    assert "hittade: ÅÅÅÅMMDD-XXXX, lacka" in run.printed["report utan rubrikrad"]


def test_the_failure_is_recorded_without_the_number(run):
    manifest = json.loads((run.out[5] / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["forbund"]["trasig"]
    assert entry["status"] == "failed" and "trasiga uppgifter" in entry["error"]
    assert entry["error"].count("ÅÅÅÅMMDD-XXXX") == 3
    assert manifest["forbund"]["lacka"]["status"] == "ok"


# ---------------------------------------------------------------------------
# Small counts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("min_cell", [5, 10])
def test_no_small_count_in_the_html_report(run, min_cell):
    tables = HtmlTables((run.out[min_cell] / "lacka.html").read_text(encoding="utf-8")).tables
    counted = [t for t in tables if t.section not in UNSUPPRESSED_SECTIONS]
    assert len(counted) >= 15  # the parse found the participant tables
    assert {t.section for t in counted} >= {"Sammanfattning", "Deltagare", "Resultat vid avslut"}
    assert small_in_tables(tables, min_cell) == []


@pytest.mark.parametrize("min_cell", [5, 10])
def test_no_small_count_in_the_workbook(run, min_cell):
    wb = load_workbook(run.out[min_cell] / "lacka.xlsx")
    assert len(wb.worksheets) >= 7
    assert small_in_workbook(wb, min_cell) == []


@pytest.mark.parametrize("min_cell", [5, 10])
def test_no_small_count_in_the_key_figures_and_the_index(run, min_cell):
    kf = json.loads((run.out[min_cell] / "lacka.json").read_text(encoding="utf-8"))
    assert kf["min_cell"] == min_cell and kf["suppressed"]
    assert small_in_key_figures(kf, min_cell) == []
    index = HtmlTables((run.out[min_cell] / "index.html").read_text(encoding="utf-8"), "Översikt").tables
    assert len(index) == 1 and len(index[0].rows) == 2
    assert small_in_tables(index, min_cell) == []


def test_no_small_count_in_the_executed_notebook(run):
    nb = json.loads((run.out[5] / "lacka.ipynb").read_text(encoding="utf-8"))
    tables = notebook_tables(nb)
    assert len([t for t in tables if t.section not in UNSUPPRESSED_SECTIONS]) >= 15
    assert small_in_tables(tables, 5) == []


def test_the_small_count_scanner_finds_the_small_groups_unprotected(run):
    """With suppression off the same tables hold the small groups the data were built with."""
    ds = fa.load_dataset(run.data)
    raw = report_tables(ds, "lacka", "2025", min_cell=1)
    html = "".join(f"<h2>{t.section}</h2>{table_html(t)}" for t in raw)
    found = small_in_tables(HtmlTables(html).tables, 5)
    where = {f.split(" / ")[0] for f in found}
    assert {"Sammanfattning", "Deltagare", "Resultat vid avslut"} <= where, found
    assert any("Lilla steget" in f for f in found)
    assert any("Under 16 år" in f for f in found) and any("Övriga kommuner" in f for f in found)
    assert len(found) >= 20
    # More is hidden with min_cell 10 than with 5, and the scan sees the difference.
    assert len(small_in_tables(HtmlTables(html).tables, 10)) > len(found)


def test_kon_okand_is_shown_as_a_count_of_the_data_quality(run):
    """The two persons without kön: shown in the key figures and the kön table, as docs/methods.md says."""
    kf = json.loads((run.out[5] / "lacka.json").read_text(encoding="utf-8"))
    assert kf["kon_okand"] == 2 and "kon_okand" not in kf["suppressed"]
    tables = HtmlTables((run.out[5] / "lacka.html").read_text(encoding="utf-8")).tables
    kon = next(t for t in tables if "Kvinna" in t.header and KON_UNKNOWN_COLUMN in t.header)
    column = kon.header.index(KON_UNKNOWN_COLUMN) - 1
    assert dict(kon.rows)["Totalt"][column] == "2"


def test_the_small_count_scanner_finds_a_planted_cell(run, tmp_path):
    path = run.out[5] / "lacka.xlsx"
    wb = load_workbook(path)
    ws = wb["Deltagare"]
    target = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, int) and c.value >= 5
                  and c.column > 1)  # fmt: skip
    target.value = 3
    wb.save(tmp_path / "planted.xlsx")
    assert len(small_in_workbook(load_workbook(tmp_path / "planted.xlsx"), 5)) == 1
    kf = json.loads((run.out[5] / "lacka.json").read_text(encoding="utf-8"))
    assert small_in_key_figures({**kf, "kvinnor": 2}, 5) == ["kvinnor = 2"]
    html = (run.out[5] / "lacka.html").read_text(encoding="utf-8")
    planted = html.replace("<td>..</td>", "<td>4</td>", 1)
    assert planted != html and len(small_in_tables(HtmlTables(planted).tables, 5)) == 1
