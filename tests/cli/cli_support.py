"""Helpers of the CLI tests: the real `kubeflow` console script in subprocesses, with a private state directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).with_name("kubeflow")


class Cli:
    """The console script with a private environment: its own state dir, no kubeconfig, no HOME of the user."""

    def __init__(self, root: Path, pycache: Path) -> None:
        self.root = root
        self.state = root / "state"
        self.home = root / "home"
        self.home.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "KUBEFLOW_LOCAL_STATE_DIR": str(self.state),
            "KUBEFLOW_ENV_CACHE_DIR": str(root / "envs"),
            "KUBECONFIG": str(root / "no-kubeconfig"),  # the default backend is local, whatever the machine has
            "HOME": str(self.home),
            "PYTHONPYCACHEPREFIX": str(pycache),  # one bytecode cache for the session, outside the tree
            "COLUMNS": "200",
        }
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        for key in ("KUBEFLOW_BACKEND", "_KUBEFLOW_COMPLETE"):
            self.env.pop(key, None)

    def __call__(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Result:
        run = subprocess.run(
            [str(SCRIPT), *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
        )
        return Result(run.returncode, run.stdout, run.stderr)

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(SCRIPT), *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.root,
            **kwargs,
        )

    def write(self, name: str, source: str) -> Path:
        path = self.root / name
        path.write_text(textwrap.dedent(source))
        return path

    def json(self, *args: str) -> Any:
        result = self(*args)
        assert result.code == 0, result
        return json.loads(result.out)

    def jobs(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.json("trainer", "jobs")
        return found


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def wait_until(predicate: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
