"""pyproject.toml is the single source of dependencies; environment.yml mirrors it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_NAMES = {"python": None, "pip": None}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", req)
    name = re.sub(r"\[.*\]", "", m.group(1)).lower().replace("_", "-")
    return name, m.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    expected = dict(_split(r) for r in pip_reqs)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(
        _split(d) for d in env["dependencies"] if isinstance(d, str) and _split(d)[0] not in CONDA_NAMES
    )
    assert conda == expected, "environment.yml and pyproject.toml list different dependencies"
    assert "conda-forge" in env["channels"]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert _split(python)[1] == project["requires-python"]
