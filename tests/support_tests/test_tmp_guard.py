"""The session check of `tests/support/tmp_guard.py`, run on a small pytest session of its own (TMPDIR: a folder
of this test, holding an entry of "another process" that the session must neither blame nor touch)."""

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
    (private_tmp / "kubeflow-from-before").mkdir(exist_ok=True)  # another process's: not this session's
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # a top-level session, not a worker
    env.update({"PYTHONPATH": str(SUPPORT)}, **dict.fromkeys(("TMPDIR", "TMP", "TEMP"), str(private_tmp)))
    argv = [sys.executable, "-m", "pytest", "-p", "tmp_guard", "-p", "no:cacheprovider", "-q", "-k", select]
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    return done, private_tmp


def test_a_session_that_leaks_fails_naming_what_it_left(tmp_path: Path) -> None:
    done, private_tmp = session(tmp_path, "test_leaks")
    assert done.returncode != 0, done.stdout
    assert "left [" in done.stdout and "'kubeflow-" in done.stdout and "'torchelastic_" in done.stdout
    assert "kubeflow-from-before" not in done.stdout
    assert f"in {private_tmp}/pytest-tmpdir-" in done.stdout  # the session's private TMPDIR, inside the caller's
    assert sorted(p.name for p in private_tmp.iterdir()) == ["kubeflow-from-before"]  # and it is gone


def test_a_clean_session_passes_and_leaves_the_callers_tmpdir_as_it_was(tmp_path: Path) -> None:
    done, private_tmp = session(tmp_path, "test_cleans")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in private_tmp.iterdir()) == ["kubeflow-from-before"]
