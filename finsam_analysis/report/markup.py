"""HTML from templates: the jinja2 environment of the report's pages, autoescaped.

Every piece of HTML the package writes (the report's header, sections, tables,
figures and "Om rapporten", the run's index page, the exploration notebooks'
titles and model) is a template in ``report/templates/``; names and labels come
from users and are escaped by jinja2's autoescape, never by hand. A fragment
rendered here is :class:`markupsafe.Markup`, so it can be placed in another
template without being escaped twice.

The project's own nbconvert template (``templates/nbconvert/finsam``) turns the
executed notebook into the standalone report: JupyterLab's look, no code, and
no script loaded from the internet.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

__all__ = ["NBCONVERT_TEMPLATE", "NBCONVERT_TEMPLATES", "css", "render", "section_anchor"]

_TEMPLATES = Path(str(resources.files("finsam_analysis.report") / "templates"))

#: Where the project's nbconvert template lives, and its name.
NBCONVERT_TEMPLATES = _TEMPLATES / "nbconvert"
NBCONVERT_TEMPLATE = "finsam"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt variable is an error, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@lru_cache(maxsize=1)
def _css() -> Markup:
    return Markup((_TEMPLATES / "report.css").read_text(encoding="utf-8"))


def render(name: str, **context) -> Markup:
    """Template ``name`` rendered with ``context`` (plain values are escaped)."""
    return Markup(_environment().get_template(name).render(css=_css(), **context))


def css() -> Markup:
    """The report's styles as a ``<style>`` element (for a notebook's first output)."""
    return render("style.html.j2")


def section_anchor(heading: str) -> str:
    """The ``id`` nbconvert gives a Markdown heading, so the contents can link to it.

    nbconvert replaces spaces with ``-`` and percent-encodes what a URL
    fragment may not hold (``nbconvert.filters.strings``);
    ``tests/report/test_html.py`` checks every link of a rendered report
    against its headings, so a change in nbconvert is noticed.
    """
    return quote(heading.replace(" ", "-"), safe="?/:@!$&'()*+,;=")

