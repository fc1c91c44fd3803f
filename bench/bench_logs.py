"""Benchmark of following local logs (issue 10). Prints figures; asserts nothing.

    uv run python bench/bench_logs.py [--mib 50]

1. `follow_lines` over one `--mib` MiB line (no line feed until the end): seconds and peak traced memory.
2. The same size of tqdm-style output (`\\r`-redrawn progress, one line feed at the end), followed and not followed.
3. `get_job_logs(step="all", follow=True)` shape: two nodes writing `--mib` MiB each while the consumer sits still,
   then reads 10 lines: peak traced memory and threads started.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.logs import follow_lines, read_lines
from kubeflow.core.local.models import LocalJobSpec, NodeSpec


def measure(label: str, run: object) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    count = run()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: {elapsed:.2f} s, {count} lines, peak traced memory {peak / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=50)
    args = parser.parse_args()
    size = args.mib * 2**20
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        huge = folder / "huge.log"
        huge.write_bytes(b"x" * size + b"\n")
        measure(f"follow one {args.mib} MiB line", lambda: sum(1 for _ in follow_lines(huge, lambda: True)))
        bars = folder / "bars.log"
        frame = b"\r 42%|#####################                             | 4200/10000 [00:42<00:58, 99.9it/s]"
        bars.write_bytes(frame * (size // len(frame)) + b"\n")
        measure(f"follow {args.mib} MiB of \\r progress bars", lambda: sum(1 for _ in follow_lines(bars, lambda: True)))
        measure(f"read   {args.mib} MiB of \\r progress bars", lambda: sum(1 for _ in read_lines(bars)))

        backend = LocalProcessBackend(LocalProcessBackendConfig(state_dir=folder / "state"))
        lines = size // 201
        writer = f"import sys\nfor i in range({lines}): sys.stdout.write('x' * 200 + '\\n')\n"
        nodes = [NodeSpec(name=f"node-{i}", argv=[sys.executable, "-c", writer]) for i in range(2)]
        backend.submit(LocalJobSpec(name="chatty", nodes=nodes))
        threads = threading.active_count()
        tracemalloc.start()
        stream = backend.log_iter_many("chatty", ["node-0", "node-1"], follow=True)
        next(stream)
        while (info := backend.describe("chatty")) is not None and info.status not in ("Complete", "Failed"):
            time.sleep(0.1)
        for _ in range(10):
            next(stream)
        _, peak = tracemalloc.get_traced_memory()
        started = threading.active_count() - threads
        stream.close()
        tracemalloc.stop()
        print(
            f'step="all", follow=True, 2 x {args.mib} MiB written while the consumer waits: peak traced memory '
            f"{peak / 2**20:.1f} MiB, reader threads started: {max(started, 0)}"
        )


if __name__ == "__main__":
    main()
