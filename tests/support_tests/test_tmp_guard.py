"""The session check of `tests/support/tmp_guard.py`, run on a small pytest session of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SUPPORT = Path(__file__).resolve().parents[1] / "support"
LEAKY = """\
import tempfile


def test_leaks() -> None:
    tempfile.mkdtemp(prefix="kubeflow-")
    tempfile.mkdtemp(prefix="torchelastic_")


def test_cleans(tmp_path) -> None:
    with tempfile.TemporaryDirectory(prefix="kubeflow-"):
        pass
"""


def session(tmp_path: Path, select: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "test_sample.py").write_text(LEAKY)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir(exist_ok=True)
    (private_tmp / "kubeflow-from-before").mkdir(exist_ok=True)  # present at the start: not this session's
    env = {**os.environ, "TMPDIR": str(private_tmp), "PYTHONPATH": str(SUPPORT)}
    argv = [sys.executable, "-m", "pytest", "-p", "tmp_guard", "-p", "no:cacheprovider", "-q", "-k", select]
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    return done, private_tmp


def test_a_session_that_leaks_fails_naming_what_it_left(tmp_path: Path) -> None:
    done, private_tmp = session(tmp_path, "test_leaks")
    assert done.returncode != 0, done.stdout
    assert "left [" in done.stdout and "'kubeflow-" in done.stdout and "'torchelastic_" in done.stdout
    assert "kubeflow-from-before" not in done.stdout.split("left [", 1)[1].split("]", 1)[0]
    assert str(private_tmp) in done.stdout


def test_a_clean_session_passes(tmp_path: Path) -> None:
    done, _ = session(tmp_path, "test_cleans")
    assert done.returncode == 0, done.stdout + done.stderr
