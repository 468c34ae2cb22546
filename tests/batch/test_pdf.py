"""PDF on A4: the förbund's name as title, and no table or figure wider than the printable width.

Needs Debian's headless chromium (the PDF's own renderer); skipped with the
reason where it is not installed.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from finsam_analysis.batch import pipeline
from finsam_analysis.synthetic.sample import write_sample

CHROMIUM = pipeline.find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium finns inte på den här maskinen")

#: A4 (210 mm) less the 12 mm margins of report.css, at 96 px per inch.
PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)

_MEASURE = """<script>
window.addEventListener('load', () => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('table, img')]
    .filter(t => t.getBoundingClientRect().right > limit + 1)
    .map(t => { const f = t.closest('figure'); const c = f && f.querySelector('figcaption');
                return c ? c.textContent : t.tagName; });
  document.title = 'WIDE:' + JSON.stringify(wide);
});
</script>"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pdf")
    write_sample(root / "data", n_forbund=4, years=(2024, 2025))
    return pipeline.run_reports(root / "data", "2025", None, out=root / "out", formats="html,pdf", jobs=2,
                                progress=False)


def _wide_tables(html_path, tmp_path) -> list[str]:
    probe = tmp_path / f"{html_path.stem}-probe.html"
    probe.write_text(html_path.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
         f"--window-size={PRINTABLE_PX},1000", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    found = re.search(r"<title>WIDE:(.*?)</title>", done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


def test_every_report_fits_the_page(run, tmp_path):
    assert run.exit_code == 0, [r.error for r in run.results]
    for r in run.results:
        assert _wide_tables(run.out_dir / f"{r.forbund_id}.html", tmp_path) == [], r.forbund_id


def test_pdf_is_titled_with_the_forbund(run):
    first = run.results[0].forbund_id
    pdf = (run.out_dir / f"{first}.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    html = (run.out_dir / f"{first}.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith("Samordningsförbund") and "helåret 2025" in title
    # chromium writes the page title as the document's /Title (UTF-16 hex or literal)
    assert b"/Title" in pdf


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page's MediaBox."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_one_browser_prints_many_reports_on_a4(tmp_path):
    from finsam_analysis.batch.pdf import PdfPrinter
    from finsam_analysis.errors import FinsamError

    css = "<style>@page { size: A4; margin: 14mm 12mm 16mm 12mm; }</style>"
    pages = {"kort": "<p>Ett stycke.</p>", "lang": "".join(f"<p>Stycke {i}</p>" for i in range(400))}
    for name, body in pages.items():
        (tmp_path / f"{name}.html").write_text(f"<html><head>{css}</head><body>{body}</body></html>", encoding="utf-8")
    with PdfPrinter() as printer:
        printer.print(tmp_path / "kort.html", tmp_path / "kort.pdf")
        with pytest.raises(FinsamError, match="saknas.html"):
            printer.print(tmp_path / "saknas.html", tmp_path / "saknas.pdf")
        printer.print(tmp_path / "lang.html", tmp_path / "lang.pdf")  # the same browser goes on after a failure
        first = printer._proc.pid
        printer.print(tmp_path / "kort.html", tmp_path / "kort2.pdf")
        assert printer._proc.pid == first
    assert not (tmp_path / "saknas.pdf").exists()
    short, long = _pages((tmp_path / "kort.pdf").read_bytes()), _pages((tmp_path / "lang.pdf").read_bytes())
    # A4 is 595.3 × 841.9 points; 400 paragraphs of about 19 px fill more than one page.
    assert len(short) == 1 and len(long) > 1
    for width, height in short + long:
        assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5
