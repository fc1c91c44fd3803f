"""A job reports progress and metrics about itself from inside; any client reads them back."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from kubeflow.core.local import progress
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobSpec, NodeSpec
from kubeflow.core.models import TERMINAL_STATUSES


def test_report_outside_a_job_writes_nothing(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(progress.PROGRESS_ENV, raising=False)
    assert progress.report(metrics={"loss": 1.0}) is False
    assert list(tmp_path.iterdir()) == []


def test_report_clamps_and_summarize_merges(tmp_path: Path) -> None:
    path = tmp_path / progress.PROGRESS_FILE
    assert progress.report(progress_percent=150, metrics={"loss": 0.9, "ok": True}, step=1, path=path)
    assert progress.report(estimated_remaining_seconds=-3, metrics={"loss": 0.5, "acc": 0.7}, step=2, path=path)
    with path.open("a") as handle:
        handle.write('{"time": "torn')  # a writer killed mid-line
    records = progress.read(path)
    assert [r.step for r in records] == [1, 2]
    assert records[0].progress_percent == 100 and records[0].metrics == {"loss": 0.9, "ok": "True"}
    latest = progress.summarize(records)
    assert latest is not None
    assert (latest.progress_percent, latest.estimated_remaining_seconds, latest.step) == (100, 0, 2)
    assert latest.metrics == {"loss": 0.5, "ok": "True", "acc": 0.7}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_every_node_reports_into_the_job(tmp_path: Path) -> None:
    backend = LocalProcessBackend(LocalProcessBackendConfig(state_dir=str(tmp_path / "state")))
    code = (
        "import os, sys; sys.path[:0] = [os.environ['CORE_SRC']]\n"
        "from kubeflow.core.local import progress\n"
        "for epoch in range(3):\n"
        "    assert progress.report(metrics={'loss': 1.0 / (epoch + 1)}, step=epoch)\n"
    )
    core_src = str(Path(progress.__file__).resolve().parents[3])
    nodes = [NodeSpec(name=f"node-{i}", argv=[sys.executable, "-c", code]) for i in range(2)]
    backend.submit(LocalJobSpec(name="reporter", nodes=nodes, env={"CORE_SRC": core_src}))
    deadline = time.monotonic() + 60
    while (info := backend.describe("reporter")) is not None and info.status not in TERMINAL_STATUSES:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert info is not None and info.status == "Complete", backend.log_tail("reporter", "node-0")
    records = backend.progress("reporter")
    assert sorted((r.node, r.step) for r in records) == [(f"node-{i}", e) for i in range(2) for e in range(3)]
    assert progress.PROGRESS_ENV not in os.environ
