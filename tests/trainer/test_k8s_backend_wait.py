"""wait_for_job_status: driven by watches (not polling), callbacks, and JobFailedError with the whole story."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import JobFailedError, OperationTimeoutError
from kubeflow.trainer import CustomTrainerContainer, KubernetesBackendConfig, TrainerClient, TrainJob
from kubeflow.trainer.options import Name

NS = "default"
NEVER = 3600.0  # a polling interval no test could wait for: only a watch can make these tests pass


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01))


def create(client: TrainerClient, name: str, nodes: int = 2) -> str:
    return client.train(trainer=CustomTrainerContainer(image="busybox", num_nodes=nodes), options=[Name(name)])


def in_background(target: object, *args: object, **kwargs: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


def test_wait_follows_the_job_through_its_life(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "watched")
    seen: list[str] = []
    changed = threading.Condition()

    def callback(job: TrainJob) -> None:
        with changed:
            seen.append(job.status)
            changed.notify_all()

    def reach(status: str) -> None:
        with changed:
            assert changed.wait_for(lambda: status in seen, timeout=30)

    def drive() -> None:  # each change waits until the client saw the previous one: no timing involved
        reach("Created")
        pods = kube_emulator.controller.create_pods(NS, name)
        for pod in pods:
            kube_emulator.controller.set_pod_phase(NS, pod, "Running")
        reach("Running")
        for pod in pods:
            kube_emulator.controller.set_pod_phase(NS, pod, "Succeeded")
        kube_emulator.controller.finish(NS, name, "Complete")

    runner = in_background(drive)
    job = client.wait_for_job_status(name, timeout=60, polling_interval=NEVER, callbacks=[callback])
    runner.join(30)
    assert job.status == "Complete"
    assert seen == ["Created", "Running", "Complete"]


def test_wait_for_running(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "to-run", nodes=1)

    def drive() -> None:
        (pod,) = kube_emulator.controller.create_pods(NS, name)
        kube_emulator.controller.set_pod_phase(NS, pod, "Running")

    in_background(drive)
    assert client.wait_for_job_status(name, {"Running"}, timeout=60, polling_interval=NEVER).status == "Running"


def test_failure_raises_with_step_reason_logs_and_events(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "doomed")
    log_lines = {"node-0": ["fine"], "node-1": ["loading", "Traceback (most recent call last):", "ValueError: boom"]}
    in_background(
        kube_emulator.controller.run_job,
        NS,
        name,
        outcome="Failed",
        failing_step="node-1",
        log_lines=log_lines,
        step_delay=0.05,
    )
    with pytest.raises(JobFailedError) as info:
        client.wait_for_job_status(name, timeout=60, polling_interval=NEVER)
    error = info.value
    assert error.job == name and error.step == "node-1" and error.exit_code == 1
    assert error.reason == "FailedJobs"
    assert error.detail == "jobset failed due to one or more job failures"
    assert error.log_tail[-1] == "ValueError: boom"
    assert any("BackoffLimitExceeded" in event for event in error.events)
    assert "ValueError: boom" in str(error) and "node-1" in str(error)


def test_waiting_for_failed_returns_instead_of_raising(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "expected-failure", nodes=1)
    kube_emulator.controller.run_job(NS, name, outcome="Failed")
    assert client.wait_for_job_status(name, {"Failed"}, timeout=5).status == "Failed"


def test_timeout(client: TrainerClient) -> None:
    name = create(client, "idle", nodes=1)
    with pytest.raises(OperationTimeoutError, match="idle"):
        client.wait_for_job_status(name, timeout=0.3, polling_interval=0.1)


def test_falls_back_to_polling_when_watching_is_forbidden(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "polled", nodes=1)
    # get_job reads the TrainJob by name; only the watch (and list_jobs) use the collection path.
    kube_emulator.add_fault(Fault(method="GET", path="/namespaces/default/trainjobs$", status=403, times=None))
    in_background(kube_emulator.controller.run_job, NS, name, step_delay=0.05)
    assert client.wait_for_job_status(name, timeout=60, polling_interval=0.05).status == "Complete"
    trainjob_watches = [
        r for r in kube_emulator.requests if r.path.endswith("/trainjobs") and r.query.get("watch") == ["true"]
    ]
    assert [r.status for r in trainjob_watches] == [403]  # tried once, then polled
