"""Session check: the suite leaves no `kubeflow-*`, `torchelastic_*` or `torchinductor_*` entry in its TMPDIR.

Those are what a leaking test or product path leaves behind (the Kubernetes bootstrap run outside a container,
torchrun and torch's compile cache in a local node that was not given its job's own TMPDIR).

The session runs with a private TMPDIR (`pytest-tmpdir-*` inside the caller's), set before any test and inherited by
the xdist workers and every process the tests start, and removed at the end. So what the check finds is this
session's own doing, even on a machine where other processes share /tmp, and the caller's TMPDIR is left as it was
(`pytest-of-<user>`, the `tmp_path` base, lives inside the private one too). Each worker fails at its end if a leak
pattern appeared in that folder while it ran.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PATTERNS = ("kubeflow-*", "torchelastic_*", "torchinductor_*")
TEMP_VARS = ("TMPDIR", "TMP", "TEMP")
_OWNED = "_KUBEFLOW_TESTS_PRIVATE_TMPDIR"


def leftovers(folder: Path) -> set[str]:
    """The names in `folder` that match one of the leak patterns."""
    return {path.name for pattern in PATTERNS for path in folder.glob(pattern)}


def pytest_configure(config: pytest.Config) -> None:
    """In the main process (not an xdist worker): point TMPDIR/TMP/TEMP at a fresh private folder."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    private = tempfile.mkdtemp(prefix="pytest-tmpdir-")
    os.environ.update(dict.fromkeys(TEMP_VARS, private), **{_OWNED: private})
    tempfile.tempdir = None  # forget the cached default: from now on it is the private folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """In the main process: remove the private folder (the leak check has run in every worker by now)."""
    private = os.environ.get(_OWNED)
    if private and not os.environ.get("PYTEST_XDIST_WORKER") and tempfile.gettempdir() == private:
        shutil.rmtree(private, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _nothing_left_in_tmpdir() -> Iterator[None]:
    folder = Path(tempfile.gettempdir())
    before = leftovers(folder)
    yield
    new = sorted(leftovers(folder) - before)
    if new:
        pytest.fail(f"the test session left {new} in {folder} (TMPDIR); a test or a local job leaks temporary files")
