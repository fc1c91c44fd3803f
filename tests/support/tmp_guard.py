"""Session check: the suite leaves no `kubeflow-*`, `torchelastic_*` or `torchinductor_*` entry in its TMPDIR.

Those are what a leaking test or product path leaves behind (the Kubernetes bootstrap run outside a container,
torchrun and torch's compile cache in a local node that was not given its job's own TMPDIR). The entries present
when the session starts are ignored; any new one fails the run at the end of the session (each xdist worker checks
the entries that appeared while it ran). Another process sharing the same TMPDIR could trip it: run the suite with a
private TMPDIR (`TMPDIR=$(mktemp -d) uv run pytest ...`) where that happens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PATTERNS = ("kubeflow-*", "torchelastic_*", "torchinductor_*")


def leftovers(folder: Path) -> set[str]:
    """The names in `folder` that match one of the leak patterns."""
    return {path.name for pattern in PATTERNS for path in folder.glob(pattern)}


@pytest.fixture(scope="session", autouse=True)
def _nothing_left_in_tmpdir() -> Iterator[None]:
    folder = Path(tempfile.gettempdir())
    before = leftovers(folder)
    yield
    new = sorted(leftovers(folder) - before)
    if new:
        pytest.fail(f"the test session left {new} in {folder} (TMPDIR); a test or a local job leaks temporary files")
