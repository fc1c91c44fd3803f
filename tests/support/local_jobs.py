"""Helpers for tests of the local-process engine (`kubeflow.core.local`) on real processes.

Importable as `from local_jobs import ...` (`tests/support` is on pytest's pythonpath). Every wait here waits on a
condition with a deadline; none sleeps and then asserts.
"""

from __future__ import annotations

import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.models import LocalJobInfo, NodeSpec

PY = sys.executable


def node(name: str, code: str, **env: str) -> NodeSpec:
    """A node that runs `code` (dedented) with this Python, with `env` added to its environment."""
    return NodeSpec(name=name, argv=[PY, "-c", textwrap.dedent(code)], env=env)


def wait_done(b: LocalProcessBackend, name: str, timeout: float = 60.0) -> LocalJobInfo:
    """Wait until job `name` is Complete or Failed and return it; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        info = b.describe(name)
        assert info is not None
        if info.status in ("Complete", "Failed"):
            return info
        assert time.monotonic() < deadline, f"job {name} still {info.status}"
        b.wait_for_change(name, 0.5, since=info.revision)


def wait_until(check: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> None:
    """Wait until `check()` is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def wait_for_text(path: Path, timeout: float = 30.0) -> str:
    """Wait until `path` exists and holds non-blank text, and return that text stripped."""
    wait_until(lambda: path.exists() and path.read_text().strip(), timeout, what=f"{path} written")
    return path.read_text().strip()
