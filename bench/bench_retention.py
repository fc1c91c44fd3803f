"""Benchmark of the local backend with many old jobs (issue 10, item 11). Prints figures; asserts nothing.

    uv run python bench/bench_retention.py [--counts 0,1000,10000] [--runs 5]

For each count of old (finished) jobs, each with a 10 MiB log (sparse: no disk used), retention off:
`TrainerClient.train()` p50 (a no-package hello job, until `train` returns) and `list_jobs()` median. Then, with the
default retention (`max_finished_jobs=1000`), how long the one pruning pass takes and `list_jobs()` afterwards.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient


def hello() -> None:
    print("hello")


def wait_finished(client: TrainerClient, name: str) -> None:
    client.wait_for_job_status(name, {"Complete", "Failed"}, timeout=120, polling_interval=0.05)


def plant_old_jobs(state: Path, template: Path, count: int) -> None:
    record = json.loads((template / "job.json").read_text())
    for index in range(count):
        name = f"old-{index:05d}"
        job = state / name
        shutil.copytree(template, job)
        record.update(name=name, uid=secrets.token_hex(8))
        (job / "job.json").write_text(json.dumps(record))
        with open(job / "logs" / "node-0.log", "ab") as handle:
            handle.truncate(10 * 2**20)


def timed(call: object) -> float:
    start = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="0,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for count in [int(item) for item in args.counts.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            state = Path(tmp) / "state"
            off = LocalProcessBackendConfig(state_dir=state, finished_job_ttl_seconds=None, max_finished_jobs=None)
            client = TrainerClient(off)
            template = client.train(trainer=CustomTrainer(func=hello))
            wait_finished(client, template)
            plant_old_jobs(state, state / template, count)
            trains = []
            for _ in range(args.runs):
                start = time.perf_counter()
                name = client.train(trainer=CustomTrainer(func=hello))
                trains.append(time.perf_counter() - start)
                wait_finished(client, name)
            lists = [timed(client.list_jobs) for _ in range(args.runs)]
            print(
                f"{count:>6} old jobs, retention off: train p50 {statistics.median(trains) * 1000:6.0f} ms, "
                f"list_jobs median {statistics.median(lists) * 1000:7.0f} ms ({len(client.list_jobs())} jobs)"
            )
            if count > 1000:
                on = TrainerClient(LocalProcessBackendConfig(state_dir=state))
                pruning = timed(on.list_jobs)  # the first call runs the (throttled) retention pass
                after = [timed(on.list_jobs) for _ in range(args.runs)]
                print(
                    f"{'':>6} default retention (max 1000 finished): pruning pass + list {pruning:.1f} s, then "
                    f"list_jobs median {statistics.median(after) * 1000:.0f} ms ({len(on.list_jobs())} jobs)"
                )


if __name__ == "__main__":
    main()
