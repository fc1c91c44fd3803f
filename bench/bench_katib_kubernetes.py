"""Benchmark of the Kubernetes Katib backend against the API-server emulator: requests and time per read.

Run: `uv run python bench/bench_katib_kubernetes.py [--experiments 50] [--trials 20] [--pods 2] [--repeat 3]`

Seeds N Experiments with M finished Trials each (every Trial with its TrainJob and pods, straight into the emulator's
store, no HTTP), then measures through `KatibClient(KubernetesBackendConfig(...))`:
* `get_job` (one Experiment with its M trials and their TrainJobs): API requests and wall time;
* `list_jobs` (N x M trials): API requests and wall time;
* `get_best_results`: API requests.
It prints beside them the request count of the existing SDK's `OptimizerClient` (kubeflow 0.5), from its code: per
Experiment one Trial list, then per Trial a trainer `get_job` (TrainJob, its pods, its runtime: 3 requests).
Needs the Katib CRDs of the reference data (`../shared/reference/katib`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from kube_emulator import KubeEmulator  # noqa: E402
from kubeflow.katib import KatibClient, KubernetesBackendConfig  # noqa: E402

NS = "default"
KATIB = "kubeflow.org/v1beta1"


def seed(emu: KubeEmulator, experiments: int, trials: int, pods: int) -> list[str]:
    """Insert finished Experiments, their Trials and the Trials' TrainJobs (with pods) directly."""
    names = []
    for e in range(experiments):
        name = f"exp-{e}"
        names.append(name)
        trial_names = emu.seed_trainjobs(trials, pods, NS, phase="Succeeded", name_prefix=name)
        for trial_name in trial_names:  # the label the SDK's trial template puts on each TrainJob
            trainjob = emu.get("trainer.kubeflow.org/v1alpha1", "TrainJob", trial_name, NS)
            assert trainjob is not None
            trainjob["metadata"].setdefault("labels", {})["katib.kubeflow.org/experiment"] = name
            emu.apply(trainjob)
        experiment = emu.apply(
            {
                "apiVersion": KATIB,
                "kind": "Experiment",
                "metadata": {"name": name, "namespace": NS},
                "spec": {
                    "maxTrialCount": trials,
                    "parallelTrialCount": 2,
                    "objective": {"type": "minimize", "objectiveMetricName": "loss"},
                    "algorithm": {"algorithmName": "random"},
                    "parameters": [
                        {"name": "lr", "parameterType": "double", "feasibleSpace": {"min": "0.01", "max": "0.1"}}
                    ],
                },
            }
        )
        best: dict[str, Any] | None = None
        for i, trial_name in enumerate(trial_names):
            observation = {"metrics": [{"name": "loss", "min": str(i), "max": str(i), "latest": str(i)}]}
            trial = {
                "apiVersion": KATIB,
                "kind": "Trial",
                "metadata": {
                    "name": trial_name,
                    "namespace": NS,
                    "labels": {"katib.kubeflow.org/experiment": name},
                    "ownerReferences": [
                        {"apiVersion": KATIB, "kind": "Experiment", "name": name, "uid": experiment["metadata"]["uid"]}
                    ],
                },
                "spec": {"parameterAssignments": [{"name": "lr", "value": str(0.01 + i / 1000)}]},
                "status": {
                    "conditions": [{"type": "Succeeded", "status": "True", "reason": "TrialSucceeded"}],
                    "observation": observation,
                },
            }
            emu.apply(trial)
            if best is None:
                best = {"bestTrialName": trial_name, "parameterAssignments": trial["spec"]["parameterAssignments"]}
                best["observation"] = observation
        experiment["status"] = {
            "conditions": [{"type": "Succeeded", "status": "True", "reason": "ExperimentMaxTrialsReached"}],
            "currentOptimalTrial": best,
        }
        emu.apply(experiment)
    return names


def measure(emu: KubeEmulator, call: Any, repeat: int) -> tuple[int, float]:
    call()  # warm: connection, runtimes
    times, requests = [], 0
    for _ in range(repeat):
        emu.reset_requests()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        requests = len(emu.requests)
    return requests, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experiments", type=int, default=50)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--pods", type=int, default=2, help="pods per trial TrainJob")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, m = args.experiments, args.trials

    with KubeEmulator(trainer_crds="master") as emu, tempfile.TemporaryDirectory() as tmp:
        emu.load_default_runtimes()
        emu.install_katib(auto=False)
        start = time.perf_counter()
        names = seed(emu, n, m, args.pods)
        print(
            f"seeded {n} Experiments x {m} Trials ({n * m} TrainJobs, {n * m * args.pods} pods) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        client = KatibClient(KubernetesBackendConfig(config_file=str(emu.write_kubeconfig(Path(tmp) / "kubeconfig"))))
        job = client.get_job(names[0])
        assert len(job.trials) == m and all(t.trainjob is not None for t in job.trials)
        get_requests, get_time = measure(emu, lambda: client.get_job(names[0]), args.repeat)
        list_requests, list_time = measure(emu, client.list_jobs, args.repeat)
        best_requests, _ = measure(emu, lambda: client.get_best_results(names[0]), args.repeat)
        assert len(client.list_jobs()) == n

    upstream_get = 2 + 3 * m
    upstream_list = 1 + n * (1 + 3 * m)
    rows = [
        (f"get_job ({m} trials)", get_requests, upstream_get, f"{get_time * 1000:.0f} ms"),
        (f"list_jobs ({n} x {m})", list_requests, upstream_list, f"{list_time * 1000:.0f} ms"),
        ("get_best_results", best_requests, 2 + 3, ""),
    ]
    print(f"{'operation':<26}{'requests':>10}{'kubeflow 0.5':>14}{'wall time':>12}")
    for label, ours, theirs, wall in rows:
        print(f"{label:<26}{ours:>10}{theirs:>14}{wall:>12}")


if __name__ == "__main__":
    main()
