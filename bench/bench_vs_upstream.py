"""Side by side with the existing `kubeflow` SDK from PyPI, measured in one run. Prints figures; asserts nothing.

    uv run python bench/bench_vs_upstream.py [--runs N] [--packages "torch==2.13.0"] [--no-packages-job]

The existing SDK is installed once into its own venv, cached in `~/.cache/kubeflow-bench/upstream-venv-<version>`
(`--rebuild-upstream` makes it anew). Every measurement runs in a fresh interpreter, ours on this workspace's
`.venv/bin/python`, theirs on that venv's python, both on the local-process backend:

1. `from kubeflow.trainer import TrainerClient, CustomTrainer` (median, min, max over `--runs` interpreters, after
   one uncounted warm-up import that leaves both sides with compiled bytecode).
2. A no-package hello job, `train()` to a final status (each repetition in a fresh process).
3. A job with `packages_to_install` (default torch, the CPU wheel from `$PIP_FIND_LINKS`): the first and the second
   job, each in a fresh process. Both start cold: an empty uv cache (ours) and pip cache (theirs), then ours keeps
   the environment it built in its cache and theirs builds a new venv and reinstalls for every job.

A step of the existing SDK that fails is reported as failed with its reason, never replaced by a figure. Jobs, venvs
and package caches live in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

UPSTREAM = "kubeflow==0.5.0"
"""The existing SDK, the newest release on PyPI when this was written (`pip index versions kubeflow`)."""
UPSTREAM_VENV = Path.home() / ".cache" / "kubeflow-bench" / ("upstream-venv-" + UPSTREAM.split("==")[1])
REPO = Path(__file__).resolve().parents[1]
RESULT = "BENCH-RESULT "
POLL = 0.05
"""Both SDKs are polled this often by `wait_for_job_status`, so neither figure is rounded up to a 2 s default."""

IMPORT_PROBE = """
import json, sys, time
start = time.perf_counter()
from kubeflow.trainer import TrainerClient, CustomTrainer
seconds = time.perf_counter() - start
result = {"seconds": seconds, "kubernetes": "kubernetes" in sys.modules, "torch": "torch" in sys.modules}
print("%s" + json.dumps(result))
"""


def hello() -> None:
    print("hello")


def torch_version() -> None:
    import torch

    print("torch", torch.__version__)


def probe_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one job with the SDK this interpreter imports; time `train()` until the job is Complete or Failed."""
    from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

    func = {"hello": hello, "torch_version": torch_version}[spec["func"]]
    packages = spec["packages"] or None
    if spec["sdk"] == "ours":
        config = LocalProcessBackendConfig(state_dir=spec["state_dir"], env_cache_dir=spec["env_cache_dir"])
        trainer = CustomTrainer(func=func, packages_to_install=packages)
    else:  # theirs runs the job with `env` as its whole environment: without PATH, HOME, PIP_* it finds no config
        config = LocalProcessBackendConfig()
        trainer = CustomTrainer(func=func, packages_to_install=packages, env=dict(os.environ))
    client = TrainerClient(backend_config=config)
    result: dict[str, Any] = {}
    name = None
    start = time.perf_counter()
    try:  # the existing SDK has no default runtime for this backend: name its only one, on both sides
        name = client.train(runtime="torch-distributed", trainer=trainer)
        job = client.wait_for_job_status(
            name, status={"Complete", "Failed"}, timeout=spec["timeout"], polling_interval=POLL
        )
        result.update(seconds=time.perf_counter() - start, status=job.status)
    except Exception as error:  # report whatever went wrong, and stop the job
        result.update(seconds=time.perf_counter() - start, status="Error", error=f"{type(error).__name__}: {error}")
        if name is not None:
            try:
                client.delete_job(name)
            except Exception as cleanup_error:
                result["cleanup_error"] = repr(cleanup_error)
    if name is not None:
        try:
            result["log_tail"] = [line.rstrip("\n") for line in client.get_job_logs(name)][-4:]
        except Exception as error:
            result["log_tail"] = [f"(no logs: {type(error).__name__}: {error})"]
    return result


class Side:
    """One SDK: the interpreter that imports it and the environment its probes run with."""

    def __init__(self, key: str, label: str, python: Path, env: dict[str, str], tmp: Path) -> None:
        self.key, self.label, self.python, self.env, self.tmp = key, label, python, env, tmp

    def run(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run the interpreter in its own session; on timeout kill the whole group (a job it started included)."""
        process = subprocess.Popen(
            [str(self.python), *argv],
            cwd=self.tmp,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            return subprocess.CompletedProcess(process.args, -9, stdout, stderr + f"\nkilled after {timeout:.0f} s")
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def parse(completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The probe's result line, or the reason there is none."""
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT):
            parsed: dict[str, Any] = json.loads(line[len(RESULT) :])
            return parsed
    tail = (completed.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"status": "Error", "error": f"probe exited {completed.returncode}: {tail}"}


def cpu_torch_constraint(tmp: Path) -> Path:
    """A constraints file that only admits the torch wheel in `$PIP_FIND_LINKS` (or no torch), never a CUDA build."""
    wheels = [
        match.group(1)
        for location in os.environ.get("PIP_FIND_LINKS", "").split()
        if Path(location).is_dir()
        for wheel in Path(location).glob("torch-*.whl")
        if (match := re.match(r"torch-([^-]+)-", wheel.name))
    ]
    path = tmp / "constraints.txt"
    path.write_text(f"torch=={wheels[0]}\n" if wheels else "torch<0\n")
    return path


def upstream_python(constraint: Path, rebuild: bool) -> Path:
    """The python of the cached venv holding the existing SDK, built with uv when missing or stale."""
    from uv import find_uv_bin

    python = UPSTREAM_VENV / "bin" / "python"
    version = UPSTREAM.split("==")[1]
    check = "import importlib.metadata as m; print(m.version('kubeflow'))"
    if not rebuild and python.exists():
        found = subprocess.run([str(python), "-c", check], capture_output=True, text=True, check=False)
        if found.stdout.strip() == version:
            return python
    uv = find_uv_bin()
    print(f"building {UPSTREAM_VENV} with {UPSTREAM} (cached for later runs) ...", flush=True)
    subprocess.run([uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(UPSTREAM_VENV)], check=True)
    install = [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
    install += ["--constraint", str(constraint)]
    install += [arg for location in os.environ.get("PIP_FIND_LINKS", "").split() for arg in ("--find-links", location)]
    subprocess.run([*install, UPSTREAM], check=True)
    return python


def make_sides(tmp: Path, constraint: Path, rebuild: bool) -> list[Side]:
    base = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    ours_python = REPO / ".venv" / "bin" / "python"
    theirs_python = upstream_python(constraint, rebuild)
    sides = []
    for key, label, python, extra in (
        ("ours", "ours (this repo)", ours_python, {"UV_CACHE_DIR": str(tmp / "uv-cache")}),
        (
            "theirs",
            f"existing {UPSTREAM}",
            theirs_python,  # its jobs make their venv with the `python` on PATH, as in an activated venv
            {"PIP_CACHE_DIR": str(tmp / "pip-cache"), "PIP_CONSTRAINT": str(constraint)},
        ),
    ):
        side_tmp = tmp / key
        (side_tmp / "tmp").mkdir(parents=True)
        env = {**base, **extra, "TMPDIR": str(side_tmp / "tmp")}
        env["PATH"] = f"{python.parent}{os.pathsep}{base.get('PATH', '')}"
        sides.append(Side(key, label, python, env, side_tmp))
    return sides


def measure_import(side: Side, runs: int) -> dict[str, Any]:
    side.run(["-c", IMPORT_PROBE % RESULT], timeout=60)  # warm-up, not counted: writes any missing .pyc files
    results = [parse(side.run(["-c", IMPORT_PROBE % RESULT], timeout=60)) for _ in range(runs)]
    failed = [r for r in results if "seconds" not in r]
    if failed:
        return failed[0]
    return {
        "seconds": [r["seconds"] for r in results],
        "kubernetes": results[0]["kubernetes"],
        "torch": results[0]["torch"],
    }


def measure_jobs(side: Side, runs: int, func: str, packages: list[str], timeout: float) -> dict[str, Any]:
    """`runs` jobs, each in a fresh process; stops at the first that does not end Complete."""
    spec = {
        "sdk": side.key,
        "func": func,
        "packages": packages,
        "timeout": timeout,
        "state_dir": str(side.tmp / "state"),
        "env_cache_dir": str(side.tmp / "envs"),
    }
    seconds: list[float] = []
    last: dict[str, Any] = {}
    for _ in range(runs):
        last = parse(side.run([__file__, "--probe", json.dumps(spec)], timeout=timeout + 30))
        if last.get("status") != "Complete":
            return {**last, "failed": True}
        seconds.append(last["seconds"])
    return {"seconds": seconds, "log_tail": last.get("log_tail", [])}


def fmt(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def cell(result: dict[str, Any], notes: list[str], label: str) -> str:
    if result.get("failed") or "seconds" not in result or not isinstance(result["seconds"], list):
        reason = result.get("error") or f"status {result.get('status')}"
        if "seconds" in result and not isinstance(result["seconds"], list):
            reason += f" after {fmt(result['seconds'])}"
        tail = " | ".join(result.get("log_tail", [])[-2:])
        notes.append(f"[{len(notes) + 1}] {label}:\n    {reason}" + (f"\n    log: {tail}" if tail else ""))
        return f"FAILED [{len(notes)}]"
    values = result["seconds"]
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}..{fmt(max(values))})"


def ratio(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    if not all(isinstance(r.get("seconds"), list) and not r.get("failed") for r in (ours, theirs)):
        return "-"
    return f"{statistics.median(theirs['seconds']) / statistics.median(ours['seconds']):.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="interpreters for the import figure")
    parser.add_argument("--job-runs", type=int, default=3, help="hello jobs per SDK")
    parser.add_argument("--packages", default="torch==2.13.0", help="requirements of the job with packages")
    parser.add_argument("--no-packages-job", action="store_true", help="skip the job with packages")
    parser.add_argument("--rebuild-upstream", action="store_true", help="rebuild the existing SDK's venv")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(RESULT + json.dumps(probe_job(json.loads(args.probe))), flush=True)
        return
    packages = [item.strip() for item in args.packages.split(",") if item.strip()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-vs-upstream-") as name:
        tmp = Path(name)
        sides = make_sides(tmp, cpu_torch_constraint(tmp), args.rebuild_upstream)
        rows: list[tuple[str, dict[str, dict[str, Any]]]] = []
        print("measuring imports ...", flush=True)
        rows.append(("import TrainerClient, CustomTrainer", {s.key: measure_import(s, args.runs) for s in sides}))
        print("measuring hello jobs ...", flush=True)
        rows.append(
            (
                f"hello job, no packages: train() -> Complete (x{args.job_runs})",
                {s.key: measure_jobs(s, args.job_runs, "hello", [], 60) for s in sides},
            )
        )
        if not args.no_packages_job:
            for ordinal in ("1st", "2nd"):
                print(f"measuring the {ordinal} job with {packages} ...", flush=True)
                rows.append(
                    (
                        f"{ordinal} job with {', '.join(packages)}: train() -> Complete",
                        {s.key: measure_jobs(s, 1, "torch_version", packages, 240) for s in sides},
                    )
                )
    notes: list[str] = []
    header = ("measurement", *(s.label for s in sides), "existing/ours")
    table = [header]
    for label, results in rows:
        table.append(
            (
                label,
                *(cell(results[s.key], notes, f"{s.label}, {label}") for s in sides),
                ratio(results["ours"], results["theirs"]),
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    for index, row in enumerate(table):
        print("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    for side in sides:
        found = rows[0][1][side.key]
        if "kubernetes" in found:
            print(f"{side.label}: the import loads kubernetes: {found['kubernetes']}, torch: {found['torch']}")
        seen = [
            f"{label.split()[0]} job {line.split()[1]}"
            for label, results in rows[2:]
            for line in results[side.key].get("log_tail", [])
            if line.startswith("torch ")
        ]
        if seen:
            print(f"{side.label}: torch inside the jobs with packages: {', '.join(seen)}")
    for note in notes:
        print(note)
    print(f"(whole run {time.perf_counter() - started:.0f} s; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
