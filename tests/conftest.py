"""Fixtures for every test: a private pseudonym key, the tiny dataset, a seeded generator.

The helpers the tests import (personnummer, the CLI runner, the tiny
dataset's files) are in :mod:`tests.helpers`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .helpers import write_dataset


@pytest.fixture(autouse=True)
def _private_key(tmp_path_factory, monkeypatch):
    """Every test gets its own key file, never the user's real one."""
    key_dir = tmp_path_factory.mktemp("key")
    monkeypatch.setenv("FINSAM_KEY_FILE", str(key_dir / "pseudonym.key"))
    monkeypatch.delenv("FINSAM_PSEUDONYM_KEY", raising=False)


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_dataset(tmp_path / "tiny")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)
