"""Session check: the suite leaves no `kubeflow-*`, `torchelastic_*` or `torchinductor_*` entry in its TMPDIR.

Those are what a leaking test or product path leaves behind (the Kubernetes bootstrap run outside a container,
torchrun and torch's compile cache in a local node that was not given its job's own TMPDIR). Each pytest process
(the controller and every xdist worker) runs with a private TMPDIR of its own, which the tests and every process
they start inherit, so other programs on the machine cannot trip the check and the check sees every leak of ours;
any matching entry found there at the end of the session fails the run. The private folder is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PATTERNS = ("kubeflow-*", "torchelastic_*", "torchinductor_*")
_PRIVATE: list[Path] = []


def leftovers(folder: Path) -> set[str]:
    """The names in `folder` that match one of the leak patterns."""
    return {path.name for pattern in PATTERNS for path in folder.glob(pattern)}


def pytest_configure(config: pytest.Config) -> None:
    """Give this pytest process a private TMPDIR (inherited by everything it starts)."""
    private = Path(tempfile.mkdtemp(prefix="kf-sdk-tests-"))
    _PRIVATE.append(private)
    os.environ["TMPDIR"] = str(private)
    tempfile.tempdir = None  # recompute from TMPDIR


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the private TMPDIR."""
    while _PRIVATE:
        shutil.rmtree(_PRIVATE.pop(), ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _nothing_left_in_tmpdir() -> Iterator[None]:
    folder = Path(tempfile.gettempdir())
    before = leftovers(folder)
    yield
    new = sorted(leftovers(folder) - before)
    if new:
        pytest.fail(f"the test session left {new} in {folder} (TMPDIR); a test or a local job leaks temporary files")
