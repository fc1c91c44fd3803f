"""Benchmark of the local-process backend. Prints figures; asserts nothing.

    uv run python bench/bench_local.py [--runs N] [--packages "torch==2.13.0"]

1. `from kubeflow.trainer import TrainerClient, CustomTrainer` in fresh interpreters beside `import pydantic` alone
   (median and ratio in the same run; target <= 1.3x pydantic), and which of kubernetes/torch/pydantic got imported.
2. A no-package hello job, `train()` to `Complete` (median; target < 1 s).
3. A job whose packages are already cached: `train()` until its environment is ready and its nodes started
   (median; target < 1 s), after one build that fills the cache (reported too).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORT_PROBES = {
    "import pydantic": "import pydantic",
    "from pydantic import BaseModel": "from pydantic import BaseModel",
    "from kubeflow.trainer import TrainerClient, CustomTrainer": (
        "from kubeflow.trainer import TrainerClient, CustomTrainer"
    ),
    "... then the first CustomTrainer(...)": (
        "from kubeflow.trainer import TrainerClient, CustomTrainer; CustomTrainer(func=print, num_nodes=2)"
    ),
}
PROBE = """
import sys, time, json
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "kubernetes": "kubernetes" in sys.modules, "torch": "torch" in sys.modules,
                  "pydantic": "pydantic" in sys.modules}}))
"""


def hello() -> None:
    print("hello")


def bench_import(runs: int) -> None:
    """Each statement in fresh interpreters, interleaved so machine noise hits them alike; ratios to pydantic."""
    seconds: dict[str, list[float]] = {label: [] for label in IMPORT_PROBES}
    flags: dict[str, dict[str, bool]] = {}
    for _ in range(runs):
        for label, statement in IMPORT_PROBES.items():
            code = PROBE.format(statement=statement)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            result = json.loads(out)
            seconds[label].append(result.pop("seconds"))
            flags[label] = result
    base = statistics.median(seconds["import pydantic"])
    print(f"imports, median over {runs} fresh interpreters (ratio to `import pydantic` in the same run):")
    for label, values in seconds.items():
        median = statistics.median(values)
        loaded = ", ".join(name for name, present in flags[label].items() if present) or "none"
        print(f"  {label:58s} {median * 1000:6.1f} ms  x{median / base:4.2f}  (loads: {loaded})")


def bench_hello(runs: int, root: Path) -> None:
    from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

    client = TrainerClient(LocalProcessBackendConfig(state_dir=root / "state"))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        name = client.train(trainer=CustomTrainer(func=hello))
        job = client.wait_for_job_status(name, timeout=60)
        times.append(time.perf_counter() - start)
        assert job.status == "Complete"
    print(
        f"hello job train() -> Complete: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {runs} runs"
    )
    start = time.perf_counter()
    name = client.train(trainer=CustomTrainer(func=hello, num_nodes=2))
    client.wait_for_job_status(name, timeout=60)
    print(f"2-node hello job train() -> Complete: {(time.perf_counter() - start) * 1000:.0f} ms")


def bench_cached_env(runs: int, root: Path, packages: list[str]) -> None:
    from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

    config = LocalProcessBackendConfig(state_dir=root / "state-env", env_cache_dir=root / "envs")
    client = TrainerClient(config)
    trainer = CustomTrainer(func=hello, packages_to_install=packages)
    start = time.perf_counter()
    name = client.train(trainer=trainer)
    build = time.perf_counter() - start
    client.wait_for_job_status(name, timeout=1800)
    print(f"first job with {packages}: environment built and job started in {build:.1f} s (fills the cache)")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        name = client.train(trainer=trainer)  # returns once the environment is ready and the nodes are starting
        times.append(time.perf_counter() - start)
        client.wait_for_job_status(name, timeout=600)
        events = [event.message for event in client.get_job_events(name) if event.reason == "EnvironmentReady"]
        assert events and "reused" in events[0], events
    print(
        f"job with cached {packages}: train() -> environment ready, nodes started: "
        f"median {statistics.median(times) * 1000:.0f} ms over {runs} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--packages", default="torch==2.13.0", help="requirements of the cached-environment job")
    args = parser.parse_args()
    bench_import(args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-local-") as tmp:
        root = Path(tmp)
        bench_hello(args.runs, root)
        bench_cached_env(args.runs, root, [item.strip() for item in args.packages.split(",") if item.strip()])
    print("reference: the existing kubeflow SDK rebuilds a venv and reinstalls torch for every job (about 45 s here)")


if __name__ == "__main__":
    main()
