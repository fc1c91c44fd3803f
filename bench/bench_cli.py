"""Benchmark of the `kubeflow` command's start-up. Prints figures; asserts nothing.

    uv run python bench/bench_cli.py [--runs N] [--jobs 100]

Each figure is the median wall time (and CPU time) of N fresh processes of the real console script, run with
bytecode as an installed package has it (`PYTHONPYCACHEPREFIX` in a temporary directory, warmed once):

1. `python -c pass`, for scale (the interpreter's own start-up on this machine, now).
2. `kubeflow --help` (goal <= 0.15 s): imports click and scans the entry points, never the trainer.
3. `kubeflow trainer jobs` with 100 local jobs (goal <= 0.4 s), piped (JSON) and as a table (`-o table`, rich).
4. `kubeflow trainer --help`.

It also reports which heavy modules each command imported, so a regression is easy to spot.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("kubeflow")


def noop() -> None:
    pass


def median_seconds(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of `runs` fresh processes."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


HEAVY = ("pydantic", "rich", "yaml", "kubernetes", "kubeflow.trainer", "torch")
PROBE = (
    "import atexit, sys\n"
    f"atexit.register(lambda: print('HEAVY', *sorted(m for m in sys.modules if m in {HEAVY!r}), file=sys.stderr))\n"
    "from kubeflow.cli import main\n"
    "main(sys.argv[1:])\n"
)


def imported(argv: list[str], env: dict[str, str]) -> list[str]:
    """The heavy modules the command imported."""
    run = subprocess.run([sys.executable, "-c", PROBE, *argv[1:]], env=env, capture_output=True, text=True, check=False)
    for line in run.stderr.splitlines():
        if line.startswith("HEAVY"):
            return line.split()[1:]
    return ["?"]


def make_jobs(state: Path, count: int) -> None:
    from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

    client = TrainerClient(LocalProcessBackendConfig(state_dir=state))
    names = [client.train(runtime="python", trainer=CustomTrainer(func=noop)) for _ in range(count)]
    for name in names:
        client.wait_for_job_status(name, status={"Complete", "Failed"}, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=100)
    args = parser.parse_args()
    if not SCRIPT.exists():
        sys.exit(f"{SCRIPT} is missing: run `uv sync` first.")
    root = Path(tempfile.mkdtemp(prefix="kubeflow-bench-cli-"))
    try:
        state = root / "state"
        env = {**os.environ, "KUBEFLOW_LOCAL_STATE_DIR": str(state), "KUBECONFIG": str(root / "no-kubeconfig")}
        # Measure as installed: with bytecode (kept out of the tree), even where PYTHONDONTWRITEBYTECODE is set.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        start = time.perf_counter()
        make_jobs(state, args.jobs)
        print(f"created {args.jobs} local jobs in {time.perf_counter() - start:.1f} s")
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("kubeflow --help", [str(SCRIPT), "--help"], 0.15),
            (f"kubeflow trainer jobs ({args.jobs} jobs, JSON)", [str(SCRIPT), "trainer", "jobs"], 0.4),
            (
                f"kubeflow trainer jobs ({args.jobs} jobs, -o table)",
                [str(SCRIPT), "trainer", "jobs", "-o", "table"],
                0.4,
            ),
            ("kubeflow trainer --help", [str(SCRIPT), "trainer", "--help"], None),
        ]
        print(f"median of {args.runs} fresh processes each:")
        for _, argv, _ in cases:  # warm: compile the bytecode once
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for label, argv, goal in cases:
            seconds, cpu = median_seconds(argv, env, args.runs)
            target = f"  goal <= {goal:.2f} s: {'met' if seconds <= goal else 'NOT met'}" if goal else ""
            heavy = "" if argv[0] == sys.executable else f"  imports: {', '.join(imported(argv, env)) or 'none'}"
            print(f"  {label:42s} wall {seconds * 1000:5.0f} ms  cpu {cpu * 1000:5.0f} ms{target}{heavy}")
        load = os.getloadavg()
        print(f"load average during the run: {load[0]:.1f} on {os.cpu_count()} CPUs (figures scale with it)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
