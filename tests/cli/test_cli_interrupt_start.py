"""Ctrl-C while `kubeflow trainer train` is still starting the job says what happened to the job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def test_ctrl_c_while_the_job_starts_says_it_may_keep_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kubeflow.cli.app import run
    from kubeflow.trainer.client import TrainerClient

    monkeypatch.setenv("KUBEFLOW_LOCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.delenv("KUBEFLOW_BACKEND", raising=False)
    script = tmp_path / "train.py"
    script.write_text("def main():\n    print('hi')\n")

    def interrupted(self: TrainerClient, *args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt  # Ctrl-C while the environment builds or the nodes start

    monkeypatch.setattr(TrainerClient, "train", interrupted)
    code = run(["trainer", "train", f"{script}:main", "--name", "slow", "--follow", "--backend", "local"])
    err = capsys.readouterr().err
    assert code == 130
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "slow" in lines[0] and "keeps running" in lines[0], err
