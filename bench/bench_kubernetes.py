"""Benchmark of the Kubernetes trainer backend against the API-server emulator.

Run: `uv run python bench/bench_kubernetes.py [--jobs 1000] [--pods 4] [--repeat 5]`

Measures, with 1,000 TrainJobs and 4,000 pods in the namespace:
* `list_jobs`: wall time and number of API requests;
* `get_job`: number of API requests;
* `wait_for_job_status`: reaction time between a status change on the server and the call returning.
and prints them beside the existing `kubeflow` SDK's figures (about 4 requests per `get_job`, several requests per
job in `list_jobs`, a status poll every 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from kube_emulator import KubeEmulator  # noqa: E402
from kubeflow.trainer import CustomTrainerContainer, KubernetesBackendConfig, TrainerClient  # noqa: E402
from kubeflow.trainer.options import Name  # noqa: E402

NS = "default"


def measure_list(client: TrainerClient, emu: KubeEmulator, repeat: int) -> tuple[list[float], int, int]:
    times = []
    requests = 0
    count = 0
    for _ in range(repeat):
        emu.reset_requests()
        start = time.perf_counter()
        count = len(client.list_jobs())
        times.append(time.perf_counter() - start)
        requests = len(emu.requests)
    return times, requests, count


def measure_per_job_pattern(client: TrainerClient, emu: KubeEmulator, sample: int) -> tuple[float, int, int]:
    """Replay the existing SDK's `list_jobs` request pattern (a list, then per job a runtime GET and a pod list).

    It runs on `sample` jobs with our own object client and is scaled to all jobs; only its request count and wall
    time mean anything (our parsing stays the same).
    """
    from kubeflow.core.kubernetes.resources import PODS
    from kubeflow.trainer.backends.kubernetes.resources import CLUSTER_TRAINING_RUNTIMES, TRAINJOBS

    objects = client.backend.objects  # type: ignore[attr-defined]
    emu.reset_requests()
    start = time.perf_counter()
    jobs = objects.list(TRAINJOBS, NS).items
    listed = time.perf_counter() - start
    list_requests = len(emu.requests)
    for job in jobs[:sample]:
        objects.get(CLUSTER_TRAINING_RUNTIMES, job["spec"]["runtimeRef"]["name"])
        objects.list(PODS, NS, label_selector=f"jobset.sigs.k8s.io/jobset-name={job['metadata']['name']}")
    per_job = time.perf_counter() - start - listed
    scale = len(jobs) / sample
    requests = list_requests + round((len(emu.requests) - list_requests) * scale)
    return listed + per_job * scale, requests, len(jobs)


def measure_get(client: TrainerClient, emu: KubeEmulator, name: str) -> tuple[int, float]:
    client.get_job(name)  # warm: the runtime is cached for a minute
    emu.reset_requests()
    start = time.perf_counter()
    client.get_job(name)
    elapsed = time.perf_counter() - start
    return len(emu.requests), elapsed


def measure_cold_get(config: KubernetesBackendConfig, emu: KubeEmulator, name: str) -> int:
    client = TrainerClient(config)
    client.get_job(name)  # connects; reads the runtime
    emu.reset_requests()
    TrainerClient(config).get_job(name)
    return len(emu.requests)


def measure_wait(client: TrainerClient, emu: KubeEmulator, index: int, polling_interval: float) -> float:
    name = client.train(trainer=CustomTrainerContainer(image="busybox", num_nodes=1), options=[Name(f"wait-{index}")])
    (pod,) = emu.controller.create_pods(NS, name)
    emu.controller.set_pod_phase(NS, pod, "Running")
    changed_at: list[float] = []

    def change() -> None:
        time.sleep(0.5)  # let the waiter settle into its watch
        emu.controller.set_pod_phase(NS, pod, "Succeeded")
        changed_at.append(time.perf_counter())
        emu.controller.finish(NS, name, "Complete")

    thread = threading.Thread(target=change, daemon=True)
    thread.start()
    client.wait_for_job_status(name, timeout=60, polling_interval=polling_interval)
    returned = time.perf_counter()
    thread.join()
    return returned - changed_at[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=4, help="pods per job")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with KubeEmulator(trainer_crds="master") as emu, tempfile.TemporaryDirectory() as tmp:
        emu.load_default_runtimes()
        start = time.perf_counter()
        names = emu.seed_trainjobs(args.jobs, args.pods, NS)
        seeded = time.perf_counter() - start
        config = KubernetesBackendConfig(config_file=str(emu.write_kubeconfig(Path(tmp) / "kubeconfig")))
        client = TrainerClient(config)
        client.list_runtimes()  # connect once

        list_times, list_requests, count = measure_list(client, emu, args.repeat)
        their_time, their_requests, _ = measure_per_job_pattern(client, emu, min(args.jobs, 100))
        get_requests, get_time = measure_get(client, emu, names[0])
        cold_get_requests = measure_cold_get(config, emu, names[0])
        reactions = [measure_wait(client, emu, i, polling_interval=2.0) for i in range(args.repeat)]

    pods = args.jobs * args.pods
    print(f"Emulator: {args.jobs} TrainJobs, {pods} pods (seeded in {seeded:.1f} s); {args.repeat} runs each.\n")
    rows = [
        (
            "list_jobs wall time",
            f"median {statistics.median(list_times):.2f} s (min {min(list_times):.2f} s)",
            f"~{their_time:.1f} s (its request pattern replayed on 100 jobs, scaled)",
        ),
        (
            "list_jobs requests",
            f"{list_requests} ({count} jobs; 500 per page)",
            f"~{their_requests} (1 list + a runtime GET and a pod list per job)",
        ),
        ("get_job requests", f"{get_requests} warm, {cold_get_requests} cold ({get_time * 1000:.0f} ms)", "about 4"),
        (
            "wait reaction time",
            f"median {statistics.median(reactions) * 1000:.0f} ms, max {max(reactions) * 1000:.0f} ms (watch)",
            "up to 2 s (polls every 2 s; ~1 s on average)",
        ),
    ]
    width = max(len(row[0]) for row in rows)
    ours = max(len(row[1]) for row in rows)
    print(f"{'':<{width}}  {'this SDK':<{ours}}  existing SDK")
    for label, mine, theirs in rows:
        print(f"{label:<{width}}  {mine:<{ours}}  {theirs}")


if __name__ == "__main__":
    main()
