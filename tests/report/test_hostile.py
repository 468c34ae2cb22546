"""Hostile text from user files: it must stay text in every output.

Names of förbund and insatser, column headers of a förbund's own file and the
dataset directory's name reach the HTML report, the index page, the Excel
workbook and the figures. Here they carry HTML and script, formula starts and
mathtext; one förbund's report is rendered through the command line and every
output is parsed (``html.parser``, openpyxl and the workbook's XML), not
searched for strings: what must not exist is an element, an attribute or a
formula, and what must exist is the name, verbatim, as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import pandas as pd
import pytest
from openpyxl import load_workbook

import finsam_analysis as fa
from finsam_analysis.report import charts as plots
from finsam_analysis.report.excel import build_workbook
from finsam_analysis.report.tables import ReportTable

from ..helpers import DELTAGANDE_HEADER, run_cli, write_dataset

FORBUND_NAME = "Samordningsförbundet <script>alert('§FX1§')</script> & \"Alfa\""
#: Insats names: markup, a style break-out, a script URL, formula starts, mathtext, a control character.
INSATS_NAMES = {
    "h1": "\"><img src=x onerror=alert('§FX2§')>",
    "h2": "</style><script>alert('§FX3§')</script>",
    "h3": "javascript:alert('§FX4§')",
    "h4": '=HYPERLINK("http://evil.example/§FX5§";"klicka")',
    "h5": "+SUM(1;2) §FX6§",
    "h6": "-2+3 §FX7§",
    "h7": "@SUM(A1) §FX8§",
    "h8": "\t=1+1 §FX9§",
    "h9": "Kostnad $\\foo$ och $5 §FX10§",
    "h10": "Klocka\x07 §FX11§",
    "h11": "<a href='javascript:alert(\"§FX12§\")'>länk</a>",
}
HEADER_KON = "<b onmouseover=alert('§FX13§')>Kön</b>"
DIR_NAME = "data\"'><svg onload=alert('§FX14§')>"
MARKER = re.compile(r"§FX\d+§")


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A dataset full of hostile names, and its report rendered by ``finsam report``."""
    base = tmp_path_factory.mktemp("hostile")
    forbund = _csv([["forbund_id", "namn", "organisationsnummer"], ["alfa", FORBUND_NAME, ""]])
    insatser = [["insats_id", "forbund_id", "namn", "typ", "startdatum", "slutdatum", "malgrupp",
                 "mal_deltagare_per_ar", "mal_andel_arbete_studier"]]  # fmt: skip
    insatser += [[i, "alfa", name, "individinriktad", "2020-01-01", "", "<i>§FX15§</i>", "10", "0.4"]
                 for i, name in INSATS_NAMES.items()]  # fmt: skip
    header = DELTAGANDE_HEADER.replace(",kon,", f",{HEADER_KON},").split(",")
    rows, n = [header], 0
    for i in INSATS_NAMES:
        for k in range(6):  # enough for a row per insats; outcomes vary
            n += 1
            ended = k % 2 == 0
            rows.append([f"d{n:03d}", "alfa", i, ("K", "M")[k % 2], str(1970 + k), "2482", "gymnasial",
                         "2024-03-01", "2025-05-31" if ended else "", "planenligt" if ended else "",
                         "arbetssokande", ("forvarvsarbete", "studier", "ovrigt")[k % 3] if ended else "",
                         "sjukpenning", "lon" if ended else "", "0", "50" if ended else ""])  # fmt: skip
    rows.append([f"d{n + 1:03d}", "alfa", "h1", "X", "1980", "2482", "", "2024-03-01"] + [""] * 8)  # rejected kön
    mapping = ("columns:\n  kon: " + json.dumps(HEADER_KON) + "\nvalues:\n  kon: {\"K\": kvinna, \"M\": man}\n")
    root = write_dataset(
        base / DIR_NAME, forbund__csv=forbund, insatser__csv=_csv(insatser),
        deltagande__csv=_csv(rows), mapping__yaml=mapping, dataset__yaml="uttagsdatum: 2025-12-31\n",
        forbund_medlemmar__csv="forbund_id,kommunkod,giltig_from,giltig_tom\nalfa,2482,2005-12-01,\n",
    )  # fmt: skip
    out = base / "out"
    result = run_cli("report", "--data-dir", root, "--period", "2025", "--all", "--out", out,
                     "--format", "html,xlsx,json", "--quiet")  # fmt: skip
    return root, out / "2025", result


class Parsed(HTMLParser):
    """Every element, attribute and piece of text of an HTML document."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.raw[self._in][-1] += data
        else:
            self.text.append(data)


def assert_inert(html: str) -> Parsed:
    """No element or attribute came from the hostile text; return the parsed document."""
    doc = Parsed(html)
    for tag, attrs in doc.tags:
        assert tag not in ("svg", "iframe", "object", "embed", "b", "i"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not MARKER.search(name), (tag, name)
            # Names may be quoted in text attributes (alt text), as text.
            if name not in ("alt", "title", "aria-label"):
                assert not MARKER.search(value or ""), (tag, name, value)
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
        if tag == "img":
            assert attrs.get("src", "").startswith("data:image/png;base64,"), attrs.get("src", "")[:40]
        if tag == "a":
            assert not MARKER.search(attrs.get("href") or ""), attrs
    for kind, blocks in doc.raw.items():
        for block in blocks:
            assert not MARKER.search(block), (kind, block[:200])
    return doc


def test_the_report_renders(hostile):
    root, out, result = hostile
    assert result.code == 0, result.err
    assert {p.name for p in out.iterdir()} >= {"alfa.html", "alfa.xlsx", "alfa.json", "index.html"}
    # The row with an unknown kön label was rejected, under the förbund's own header.
    rejects = fa.load_dataset(root).quality.rejects
    assert rejects["kolumn"].tolist() == [HEADER_KON]


def test_html_report_shows_every_name_as_text(hostile):
    _, out, _ = hostile
    doc = assert_inert((out / "alfa.html").read_text(encoding="utf-8"))
    text = "".join(doc.text)
    assert FORBUND_NAME in text
    for i, name in INSATS_NAMES.items():
        shown = name.replace("\t", " ").replace("\x07", "")
        assert name in text or shown in text or " ".join(name.split()) in " ".join(text.split()), (i, name)
    assert HEADER_KON in text  # the header of the rejected row's column, in Datakvalitet
    assert DIR_NAME in text  # the data directory, in Om rapporten
    # The alt text of the figure per insats quotes the names whole: the quote
    # in '"><img …' did not end the attribute.
    alts = " ".join(attrs.get("alt", "") for tag, attrs in doc.tags if tag == "img")
    assert INSATS_NAMES["h1"] in alts and INSATS_NAMES["h9"] in alts


def test_index_page_shows_the_name_as_text(hostile):
    _, out, _ = hostile
    doc = assert_inert((out / "index.html").read_text(encoding="utf-8"))
    assert FORBUND_NAME in "".join(doc.text)
    links = [attrs["href"] for tag, attrs in doc.tags if tag == "a"]
    assert links == ["alfa.html"]


def test_json_holds_the_name_as_it_is(hostile):
    _, out, _ = hostile
    assert json.loads((out / "alfa.json").read_text(encoding="utf-8"))["forbund_namn"] == FORBUND_NAME


def test_excel_has_no_formula_and_keeps_the_names(hostile):
    _, out, _ = hostile
    path = out / "alfa.xlsx"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<f[ >/]", xml), name  # no formula element at all
    wb = load_workbook(path)
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    texts[cell.value] = cell
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    for i, name in INSATS_NAMES.items():
        # The CSV reader strips surrounding white space; the xlsx cannot hold \x07.
        assert name.strip().replace("\x07", "") in texts, (i, name)
    for formula in ("h4", "h5", "h6", "h7", "h8"):
        assert texts[INSATS_NAMES[formula].strip()].quotePrefix


def test_excel_keeps_negative_numbers_numbers():
    data = pd.DataFrame({"Antal": [-3, 12], "Belopp": [-1234.5, 10.0], "Text": ["-3", "=1+1"]},
                        index=pd.Index(["-rad", "+rad"], name="Grupp"))  # fmt: skip
    table = ReportTable(key="t", section="Insatser och mål", title="=titel", data=data,
                        kinds={"Antal": "count", "Belopp": "kr", "Text": "text"})  # fmt: skip
    wb = build_workbook([table], title="@titel", synthetic=False, provenance={"+nyckel": "-värde"})
    ws = wb["Insatser och mål"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[-3].data_type == "n" and cells[-1234.5].data_type == "n"
    for text in ("-3", "=1+1", "-rad", "+rad", "=titel", "@titel"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert wb["Om rapporten"]["A5"].value == "+nyckel" and wb["Om rapporten"]["A5"].quotePrefix


def test_mathtext_in_a_label_is_drawn_as_it_is():
    name = INSATS_NAMES["h9"]
    frame = pd.DataFrame({"andel": [0.5, 0.25], "ci_low": [0.3, 0.1], "ci_high": [0.7, 0.5], "avslutade": [20, 40]},
                         index=[name, "$x^2$"])  # fmt: skip
    result = plots.outcome_shares(frame, group_label="Insats", title="Titel med $\\alpha$", min_cell=5)
    png = plots.figure_to_png_bytes(result.fig)  # would raise: Unknown symbol: \foo
    assert png.startswith(b"\x89PNG")
    texts = [t for t in result.fig.findobj(lambda a: hasattr(a, "get_parse_math"))]
    labels = {t.get_text() for t in texts}
    assert any("$\\foo$" in label for label in labels) and any(label.startswith("$x^2$") for label in labels)
    assert not any(t.get_parse_math() for t in texts if "$" in t.get_text())
    plots.close(result)


@pytest.mark.parametrize("bad", ["../ut", "/tmp/ut", "javascript:alert(1)", "a b", ".dold", "å"])
def test_a_forbund_id_that_is_no_slug_is_rejected(tmp_path, bad):
    forbund = _csv([["forbund_id", "namn", "organisationsnummer"], ["alfa", "Alfa", ""], [bad, "Ond", ""],
                    ["Beta-2_x", "Beta", ""]])  # fmt: skip
    medlemmar = "forbund_id,kommunkod,giltig_from,giltig_tom\nalfa,2482,2005-12-01,\n" + _csv([[bad, "0180", "2004-01-01", ""]])
    ds = fa.load_dataset(write_dataset(tmp_path / "d", forbund__csv=forbund, forbund_medlemmar__csv=medlemmar))
    assert list(ds.forbund["forbund_id"]) == ["alfa", "Beta-2_x"]
    reasons = ds.quality.rejects
    own = reasons.loc[reasons["fil"] == "forbund.csv", "skal"].tolist()
    assert len(own) == 1 and own[0].startswith("ogiltigt forbund_id")
    assert (reasons["fil"] == "forbund_medlemmar.csv").sum() == 1  # its member row refers to it


def test_control_characters_from_a_file_do_not_reach_the_terminal(tmp_path):
    """A value echoed in a rejected row cannot steer the terminal (an ANSI escape, a bell)."""
    rows = [
        "d01,alfa,\x1b[2J\x1b]0;§FX16§\x07,kvinna,1990,2482,gymnasial,2024-02-01,,,arbetssokande,,,,0,",
        "d02,alfa,a1,kvinna,19\x9b90,2482,gymnasial,2024-02-01,,,arbetssokande,,,,0,",
    ]
    r = run_cli("validate", "--data-dir", write_dataset(tmp_path / "d", rows))
    assert r.code == 1 and "rad 2" in r.out and "rad 3" in r.out
    printed = r.out + r.err
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", printed)
    assert "?[2J" in printed  # shown, harmless
