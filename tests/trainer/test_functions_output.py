"""Generated job scripts write whole lines, so processes that share one log never split each other's lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from kubeflow.trainer.functions import render_entrypoint

LINES = 5000


def chatter(worker: int, lines: int, start: float) -> None:
    import json
    import time

    time.sleep(max(0.0, start - time.time()))  # start together, so the writes really overlap
    for index in range(lines):
        print(json.dumps({"worker": worker, "index": index, "pad": "x" * 40}))


def test_processes_sharing_a_log_never_split_lines(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    start = time.time() + 1.0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # what the local backend sets so that logs stream
    with log.open("ab") as shared:  # one open file, as torchrun workers of one node share it
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", render_entrypoint(chatter, {"worker": worker, "lines": LINES, "start": start})],
                stdout=shared,
                env=env,
            )
            for worker in range(4)
        ]
        assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted((r["worker"], r["index"]) for r in records) == [(w, i) for w in range(4) for i in range(LINES)]
