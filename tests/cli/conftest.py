"""Fixtures of the CLI tests: `cli`, the real `kubeflow` console script with a private local state directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import SCRIPT, Cli


@pytest.fixture(scope="session")
def pycache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pycache")


@pytest.fixture
def cli(tmp_path: Path, pycache: Path) -> Cli:
    assert SCRIPT.is_file(), f"{SCRIPT} is missing: the kubeflow console script is not installed (uv sync)"
    return Cli(tmp_path, pycache)
