"""The Trainer controller emulation: JobSet/Job/pod objects, phases, logs, events, TrainJob status."""

from __future__ import annotations

import re
import threading

import pytest
from emulator_helpers import GROUP, VERSION, trainjob
from kubernetes import client, watch

from kube_emulator import KubeEmulator

JS = "jobset.sigs.k8s.io/"
SDK_SELECTOR = (
    "jobset.sigs.k8s.io/jobset-name={name},"
    "jobset.sigs.k8s.io/replicatedjob-name in (dataset-initializer, model-initializer, launcher, node)"
)


def _create(custom: client.CustomObjectsApi, name: str, runtime: str = "torch-distributed", **spec: object) -> None:
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", trainjob(name, runtime, **spec))


def _get(custom: client.CustomObjectsApi, name: str) -> dict[str, object]:
    return custom.get_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", name)


def _pods(core: client.CoreV1Api, name: str) -> list[client.V1Pod]:
    return core.list_namespaced_pod("default", label_selector=SDK_SELECTOR.format(name=name)).items


def test_run_job_complete(kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api) -> None:
    _create(custom, "ok", trainer={"numNodes": 2, "image": "my/image:1"})
    kube_emulator.controller.run_job("default", "ok", log_lines=["epoch 1", "loss=0.1"])
    pods = _pods(core, "ok")
    assert len(pods) == 2
    for index, p in enumerate(
        sorted(pods, key=lambda p: p.metadata.labels["batch.kubernetes.io/job-completion-index"])
    ):
        assert re.fullmatch(rf"ok-node-0-{index}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", p.metadata.name)
        labels = p.metadata.labels
        assert labels[JS + "jobset-name"] == "ok" and labels[JS + "replicatedjob-name"] == "node"
        assert labels[JS + "job-index"] == "0"
        assert labels["batch.kubernetes.io/job-completion-index"] == str(index)
        assert labels["batch.kubernetes.io/job-name"] == labels["job-name"] == "ok-node-0"
        assert "trainer.kubeflow.org/trainjob-ancestor-step" not in labels
        owner = p.metadata.owner_references[0]
        assert (owner.kind, owner.name, owner.controller) == ("Job", "ok-node-0", True)
        assert [c.name for c in p.spec.containers] == ["node"] and p.spec.containers[0].image == "my/image:1"
        env = {e.name: e.value for e in p.spec.containers[0].env}
        assert env["PET_NNODES"] == "2" and env["PET_MASTER_ADDR"] == "ok-node-0-0.ok"
        assert p.status.phase == "Succeeded"
        assert p.status.container_statuses[0].state.terminated.exit_code == 0
        assert core.read_namespaced_pod_log(p.metadata.name, "default", container="node") == "epoch 1\nloss=0.1\n"
    status = _get(custom, "ok")["status"]
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("Complete", "True", "AllJobsCompleted", "jobset completed successfully")
    ]
    assert status["jobsStatus"] == [
        {"name": "node", "ready": 0, "succeeded": 1, "failed": 0, "active": 0, "suspended": 0}
    ]
    jobset = custom.get_namespaced_custom_object("jobset.x-k8s.io", "v1alpha2", "default", "jobsets", "ok")
    assert jobset["metadata"]["ownerReferences"][0]["kind"] == "TrainJob"
    reasons = {e.reason for e in core.list_namespaced_event("default").items}
    assert {"Scheduled", "Pulled", "Created", "Started", "Completed", "SuccessfulCreate", "AllJobsCompleted"} <= reasons


def test_run_job_failed_step(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "bad", trainer={"numNodes": 2})
    kube_emulator.controller.run_job("default", "bad", outcome="Failed", failing_step="node-1")
    by_index = {p.metadata.labels["batch.kubernetes.io/job-completion-index"]: p for p in _pods(core, "bad")}
    assert by_index["1"].status.phase == "Failed"
    assert by_index["1"].status.container_statuses[0].state.terminated.exit_code == 1
    assert by_index["0"].status.phase == "Succeeded"
    status = _get(custom, "bad")["status"]
    assert [(c["type"], c["reason"]) for c in status["conditions"]] == [("Failed", "FailedJobs")]
    assert status["conditions"][0]["message"] == "jobset failed due to one or more job failures"
    assert status["jobsStatus"][0]["failed"] == 1


def test_num_nodes_from_runtime(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "one")
    assert len(kube_emulator.controller.create_pods("default", "one")) == 1


@pytest.mark.usefixtures("trainer_reference")
def test_initializers_run_before_trainer(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "tune", "torchtune-llama3.2-1b", initializer={"dataset": {"storageUri": "hf://org/data"}})
    kube_emulator.controller.run_job("default", "tune", outcome="Failed", failing_step="dataset-initializer")
    pods = {p.metadata.labels[JS + "replicatedjob-name"]: p for p in _pods(core, "tune")}
    assert set(pods) == {"dataset-initializer", "model-initializer"}
    assert pods["dataset-initializer"].status.phase == "Failed"
    env = {e.name: e.value for e in pods["dataset-initializer"].spec.containers[0].env}
    assert env["STORAGE_URI"] == "hf://org/data"
    _create(custom, "tune2", "torchtune-llama3.2-1b")
    kube_emulator.controller.run_job("default", "tune2")
    names = {p.metadata.labels[JS + "replicatedjob-name"] for p in _pods(core, "tune2")}
    assert names == {"dataset-initializer", "model-initializer", "node"}


@pytest.mark.usefixtures("trainer_reference")
def test_mpi_runtime_launcher_and_nodes(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "mpi", "deepspeed-distributed", trainer={"numNodes": 3})
    kube_emulator.controller.run_job("default", "mpi")
    counts: dict[str, int] = {}
    for p in _pods(core, "mpi"):
        counts[p.metadata.labels[JS + "replicatedjob-name"]] = (
            counts.get(p.metadata.labels[JS + "replicatedjob-name"], 0) + 1
        )
        assert p.status.phase == "Succeeded"
    assert counts == {"node": 2, "launcher": 1}
    assert _get(custom, "mpi")["status"]["conditions"][0]["type"] == "Complete"


def test_auto_mode_runs_created_trainjobs(kube_emulator: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    kube_emulator.controller.auto = True
    _create(custom, "auto")
    assert kube_emulator.controller.wait_idle(timeout=20)
    assert _get(custom, "auto")["status"]["conditions"][0]["type"] == "Complete"


def test_suspend_and_resume(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    kube_emulator.controller.auto = True
    _create(custom, "susp", suspend=True)
    assert kube_emulator.controller.wait_idle(timeout=20)
    conditions = _get(custom, "susp")["status"]["conditions"]
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in conditions] == [
        ("Suspended", "True", "Suspended", "TrainJob is suspended")
    ]
    assert _pods(core, "susp") == []
    custom.patch_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "susp", {"spec": {"suspend": False}})
    assert kube_emulator.controller.wait_idle(timeout=20)
    conditions = {c["type"]: c for c in _get(custom, "susp")["status"]["conditions"]}
    assert (conditions["Suspended"]["status"], conditions["Suspended"]["reason"]) == ("False", "Resumed")
    assert conditions["Suspended"]["message"] == "TrainJob is resumed"
    assert conditions["Complete"]["status"] == "True"


def test_restarted_pod_keeps_completion_index(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "restart", trainer={"numNodes": 2})
    first, _ = kube_emulator.controller.create_pods("default", "restart")
    kube_emulator.controller.set_pod_phase("default", first, "Running")
    second = kube_emulator.controller.restart_pod("default", first)
    old, new = core.read_namespaced_pod(first, "default"), core.read_namespaced_pod(second, "default")
    assert old.status.phase == "Failed" and new.status.phase == "Pending" and second != first
    index = "batch.kubernetes.io/job-completion-index"
    assert old.metadata.labels[index] == new.metadata.labels[index] == "0"
    deleted = kube_emulator.controller.restart_pod("default", second, delete_old=True)
    assert [p.metadata.name for p in _pods(core, "restart") if p.metadata.labels[index] == "0"] == sorted(
        [first, deleted]
    )


def test_deleting_trainjob_deletes_its_objects(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "cascade", trainer={"numNodes": 2})
    kube_emulator.controller.create_pods("default", "cascade")
    custom.delete_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "cascade")
    assert _pods(core, "cascade") == []
    assert client.BatchV1Api(core.api_client).list_namespaced_job("default").items == []
    assert kube_emulator.get("jobset.x-k8s.io/v1alpha2", "JobSet", "cascade", "default") is None


def test_watch_sees_status_progress(kube_emulator: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    _create(custom, "watched")
    rv = _get(custom, "watched")["metadata"]["resourceVersion"]
    thread = threading.Thread(target=kube_emulator.controller.run_job, args=("default", "watched"))
    thread.start()
    final = None
    w = watch.Watch()
    try:
        for event in w.stream(
            custom.list_namespaced_custom_object,
            GROUP,
            VERSION,
            "default",
            "trainjobs",
            resource_version=rv,
            timeout_seconds=20,
        ):
            conditions = (event["object"].get("status") or {}).get("conditions") or []
            if conditions:
                final = conditions
                w.stop()
    finally:
        thread.join()
    assert final is not None and final[0]["type"] == "Complete"


def test_seed_trainjobs(kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api) -> None:
    names = kube_emulator.seed_trainjobs(20, 4, namespace="bench")
    assert len(names) == 20
    assert len(custom.list_namespaced_custom_object(GROUP, VERSION, "bench", "trainjobs")["items"]) == 20
    assert len(core.list_namespaced_pod("bench").items) == 80
    pods = core.list_namespaced_pod("bench", label_selector=f"{JS}jobset-name={names[3]}").items
    assert len(pods) == 4 and all(p.status.phase == "Running" for p in pods)


def test_unknown_failing_step_is_rejected(kube_emulator: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    _create(custom, "typo")
    with pytest.raises(ValueError, match="names no replicated job"):
        kube_emulator.controller.run_job("default", "typo", outcome="Failed", failing_step="worker-3")


def test_namespaced_training_runtime(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    cluster_runtime = kube_emulator.get(f"{GROUP}/{VERSION}", "ClusterTrainingRuntime", "torch-distributed")
    assert cluster_runtime is not None
    (job,) = cluster_runtime["spec"]["template"]["spec"]["replicatedJobs"]
    image = job["template"]["spec"]["template"]["spec"]["containers"][0]["image"]
    custom.create_namespaced_custom_object(
        GROUP,
        VERSION,
        "team",
        "trainingruntimes",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "TrainingRuntime",
            "metadata": {"name": "mine", "labels": {"trainer.kubeflow.org/framework": "torch"}},
            "spec": cluster_runtime["spec"],
        },
    )
    body = trainjob("nsrt", "mine", trainer={"numNodes": 3})
    body["spec"]["runtimeRef"]["kind"] = "TrainingRuntime"  # type: ignore[index]
    custom.create_namespaced_custom_object(GROUP, VERSION, "team", "trainjobs", body)
    final = kube_emulator.controller.run_job("team", "nsrt")
    assert final["status"]["conditions"][0]["type"] == "Complete"
    pods = core.list_namespaced_pod("team", label_selector=f"{JS}jobset-name=nsrt").items
    assert len(pods) == 3 and {p.spec.containers[0].image for p in pods} == {image}


@pytest.mark.usefixtures("trainer_reference")
def test_run_job_can_stop_while_running(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "held", "torchtune-llama3.2-1b", trainer={"numNodes": 2})
    running = kube_emulator.controller.run_job("default", "held", outcome=None, log_lines={"node-0": ["step 1"]})
    assert "conditions" not in running.get("status", {})
    phases = {(p.metadata.labels[JS + "replicatedjob-name"], p.status.phase) for p in _pods(core, "held")}
    assert phases == {("dataset-initializer", "Succeeded"), ("model-initializer", "Succeeded"), ("node", "Running")}
    assert running["status"]["jobsStatus"][-1] == {
        "name": "node",
        "ready": 1,
        "succeeded": 0,
        "failed": 0,
        "active": 1,
        "suspended": 0,
    }
    node0 = next(p for p in _pods(core, "held") if p.metadata.name.startswith("held-node-0-0-"))
    assert core.read_namespaced_pod_log(node0.metadata.name, "default", container="node") == "step 1\n"
    final = kube_emulator.controller.end_job("default", "held", outcome="Failed", failing_step="node-0")
    assert final["status"]["conditions"][0]["type"] == "Failed"
    codes = sorted(
        p.status.container_statuses[0].state.terminated.exit_code
        for p in _pods(core, "held")
        if p.metadata.labels[JS + "replicatedjob-name"] == "node"
    )
    assert codes == [1, 137]


def test_orphan_deletion_keeps_dependents(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    _create(custom, "orphan")
    kube_emulator.controller.create_pods("default", "orphan")
    custom.delete_namespaced_custom_object(
        GROUP, VERSION, "default", "trainjobs", "orphan", body=client.V1DeleteOptions(propagation_policy="Orphan")
    )
    assert kube_emulator.get("jobset.x-k8s.io/v1alpha2", "JobSet", "orphan", "default") is not None
    pod_name = _pods(core, "orphan")[0].metadata.name
    deleted = core.delete_namespaced_pod(pod_name, "default", grace_period_seconds=0)
    assert deleted.metadata.deletion_grace_period_seconds == 0
    assert _pods(core, "orphan") == []


def test_auto_mode_ignores_trainjobs_managed_elsewhere(
    kube_emulator: KubeEmulator, custom: client.CustomObjectsApi
) -> None:
    kube_emulator.controller.auto = True
    _create(custom, "kueue", managedBy="kueue.x-k8s.io/multikueue")
    _create(custom, "mine")
    assert kube_emulator.controller.wait_idle(timeout=20)
    assert "status" not in _get(custom, "kueue")
    assert _get(custom, "mine")["status"]["conditions"][0]["type"] == "Complete"
