"""Run a snippet in a fresh interpreter, for tests of what an import loads or of a missing optional dependency.

Importable as `from fresh_python import run_python` (`tests/support` is on pytest's pythonpath).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `code` (dedented) with this Python in a new process; its output is captured as text, never checked."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, check=False
    )
