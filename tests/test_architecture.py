"""The folder listing is the architecture: imports point one way, no cycle, short functions, tests beside.

Layers, from the bottom (docs/architecture.md):

0. base — ``errors``, ``schema``, ``periods``, ``reference``, ``version``, ``files``, ``textfile``, ``memo``, ``provenance``, ``fmt``, ``aldersgrupper``
1. ``scb`` — SCB's files and API, population series
2. ``ingest`` — a förbund's files to the canonical tables
3. ``synthetic`` — the sample dataset
4. ``measures`` — the statistics, unprotected
5. ``disclosure`` — what may be shown
6. ``report`` — tables, charts, HTML, Excel
7. ``batch`` — many reports, the notebook, PDF
8. top — ``cli``, ``datadictionary`` and the package's ``__init__``

A module may import its own layer and the layers below, never above; and no
set of modules imports itself round (lazy imports inside functions count).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "finsam_analysis"
REPO = PACKAGE.parent
BASE = {"errors", "schema", "periods", "reference", "version", "files", "textfile", "memo", "provenance", "fmt", "aldersgrupper"}
LAYERS = {"scb": 1, "ingest": 2, "synthetic": 3, "measures": 4, "disclosure": 5, "report": 6, "batch": 7}
TOP = {"cli", "datadictionary"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1:
        return 8  # the package's __init__: the public API, on top
    head = parts[1]
    if head in BASE:
        return 0
    if head in TOP:
        return 8
    return LAYERS[head]


def imports(path: Path) -> set[str]:
    """Every finsam_analysis module ``path`` imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("finsam_analysis")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("finsam_analysis"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                out.add(candidate if _is_module(candidate) else base)
    out.discard(this)
    return out


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_belongs_to_a_layer():
    for name in MODULES:
        layer(name)  # raises KeyError for a folder that is not in the picture


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_layer_above_its_own(name):
    upward = [other for other in imports(MODULES[name]) if layer(other) > layer(name)]
    assert upward == [], f"{name} (lager {layer(name)}) importerar uppåt: {upward}"


def test_no_import_cycle():
    graph = {name: {o for o in imports(path) if o in MODULES} for name, path in MODULES.items()}
    # The package __init__s re-export their own modules: a module importing a
    # sibling through its package's __init__ is the same edge.
    seen, stack, cycles = set(), [], []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for other in sorted(graph[node]):
            visit(other)
        stack.pop()

    for name in sorted(graph):
        visit(name)
    assert cycles == []


def test_no_function_is_longer_than_80_lines():
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > 80:
                    long.append(f"{name}.{node.name}: {n} rader")
    assert long == []


#: Documents the code and docs may point to: they must exist in the repository.
DOC_REFERENCE = re.compile(r"\b(?:docs/)?([A-Za-z_-]+\.md)\b")


def test_every_document_a_file_points_to_is_in_the_repository():
    known = {p.name for p in REPO.rglob("*.md") if ".venv" not in p.parts}
    missing = []
    sources = [*PACKAGE.rglob("*.py"), *(REPO / "docs").glob("*.md"), REPO / "README.md",
               *(REPO / "notebooks").glob("*.ipynb"), *(REPO / "notebooks").glob("*.md"), REPO / "Makefile"]
    for path in sources:
        for match in DOC_REFERENCE.finditer(path.read_text(encoding="utf-8")):
            if match.group(1) not in known:
                missing.append(f"{path.relative_to(REPO)}: {match.group(1)}")
    assert missing == []


def test_tests_mirror_the_packages():
    """Each subpackage has its tests in the folder of the same name, and no test folder is left over."""
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    folders = {p.parent.name for p in (REPO / "tests").glob("*/__init__.py")}
    assert packages == folders == set(LAYERS)
    for name in packages:
        assert list((REPO / "tests" / name).glob("test_*.py")), f"tests/{name}/ har inga tester"
