"""The Katib emulation: Experiment -> Suggestion -> Trials -> TrainJobs -> metrics -> status, through the real client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client, watch

from kube_emulator import Fault, KubeEmulator

GROUP, VERSION = "kubeflow.org", "v1beta1"
NODE0 = {"jobset.sigs.k8s.io/replicatedjob-name": "node", "batch.kubernetes.io/job-completion-index": "0"}
SCRIPT = """\
import json, sys
kwargs = json.loads('{"lr": "${trialParameters.lr}", "layers": "${trialParameters.layers}"}')
lr, layers = float(kwargs["lr"]), int(kwargs["layers"])
if lr > FAIL_ABOVE:
    sys.exit("diverged")
print(f"epoch=1 loss={(lr - 0.3) ** 2 + layers / 1000 + 1}")
print(f"loss={(lr - 0.3) ** 2 + layers / 1000} accuracy={1 - lr}")
"""


def experiment(
    name: str,
    *,
    algorithm: str = "random",
    max_trials: int = 4,
    parallel: int = 2,
    max_failed: int = 3,
    fail_above: float = 99.0,
    goal: float | None = None,
    lr: dict[str, str] | None = None,
) -> dict[str, Any]:
    objective: dict[str, Any] = {
        "type": "minimize",
        "objectiveMetricName": "loss",
        "additionalMetricNames": ["accuracy"],
    }
    if goal is not None:
        objective["goal"] = goal
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Experiment",
        "metadata": {"name": name},
        "spec": {
            "maxTrialCount": max_trials,
            "parallelTrialCount": parallel,
            "maxFailedTrialCount": max_failed,
            "objective": objective,
            "algorithm": {"algorithmName": algorithm},
            "parameters": [
                {"name": "lr", "parameterType": "double", "feasibleSpace": lr or {"min": "0.1", "max": "0.5"}},
                {"name": "layers", "parameterType": "int", "feasibleSpace": {"min": "1", "max": "3"}},
            ],
            "metricsCollectorSpec": {"collector": {"kind": "StdOut"}},
            "trialTemplate": {
                "primaryContainerName": "node",
                "primaryPodLabels": NODE0,
                "successCondition": 'status.conditions.#(type=="Complete")#|#(status=="True")#',
                "failureCondition": 'status.conditions.#(type=="Failed")#|#(status=="True")#',
                "trialParameters": [{"name": "lr", "reference": "lr"}, {"name": "layers", "reference": "layers"}],
                "trialSpec": {
                    "apiVersion": "trainer.kubeflow.org/v1alpha1",
                    "kind": "TrainJob",
                    "spec": {
                        "runtimeRef": {"name": "torch-distributed"},
                        "trainer": {
                            "numNodes": 2,
                            "command": ["python3", "-c", "bootstrap"],
                            "args": ["{}", SCRIPT.replace("FAIL_ABOVE", str(fail_above))],
                        },
                    },
                },
            },
        },
    }


@pytest.fixture
def katib(kube_emulator: KubeEmulator) -> KubeEmulator:
    kube_emulator.install_katib()
    return kube_emulator


def wait_for(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def finished(emu: KubeEmulator, name: str) -> Callable[[], dict[str, Any] | None]:
    def check() -> dict[str, Any] | None:
        obj = emu.get(f"{GROUP}/{VERSION}", "Experiment", name, "default")
        conditions = (obj or {}).get("status", {}).get("conditions", [])
        done = any(c["type"] in ("Succeeded", "Failed") and c["status"] == "True" for c in conditions)
        return obj if done else None

    return check


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in obj["status"]["conditions"] if c["type"] == type_ and c["status"] == "True"), None)


def test_crds_are_served_and_discovered(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    crds = {c["metadata"]["name"] for c in katib.list_objects("apiextensions.k8s.io/v1", "CustomResourceDefinition")}
    assert {"experiments.kubeflow.org", "trials.kubeflow.org", "suggestions.kubeflow.org"} <= crds
    assert custom.list_namespaced_custom_object(GROUP, VERSION, "default", "experiments")["items"] == []


def test_experiment_runs_trials_as_trainjobs_and_finds_the_best(
    katib: KubeEmulator, custom: client.CustomObjectsApi, core: client.CoreV1Api
) -> None:
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", experiment("exp"))
    done = wait_for(finished(katib, "exp"))
    status = done["status"]
    assert condition(done, "Succeeded")["reason"] == "ExperimentMaxTrialsReached"
    assert status["trials"] == status["trialsSucceeded"] == 4
    assert len(status["succeededTrialList"]) == 4
    trials = custom.list_namespaced_custom_object(
        GROUP, VERSION, "default", "trials", label_selector="katib.kubeflow.org/experiment=exp"
    )["items"]
    assert len(trials) == 4

    def loss(trial: dict[str, Any]) -> float:
        values = {a["name"]: a["value"] for a in trial["spec"]["parameterAssignments"]}
        return (float(values["lr"]) - 0.3) ** 2 + int(values["layers"]) / 1000

    best = min(trials, key=loss)
    optimal = status["currentOptimalTrial"]
    assert optimal["bestTrialName"] == best["metadata"]["name"]
    metrics = {m["name"]: m for m in optimal["observation"]["metrics"]}
    assert float(metrics["loss"]["latest"]) == pytest.approx(loss(best))
    assert float(metrics["loss"]["max"]) == pytest.approx(loss(best) + 1)  # the epoch=1 line counted too
    assert set(metrics) == {"loss", "accuracy"}
    for trial in trials:
        assert trial["metadata"]["ownerReferences"][0]["kind"] == "Experiment"
        values = {a["name"]: a["value"] for a in trial["spec"]["parameterAssignments"]}
        assert 0.1 <= float(values["lr"]) <= 0.5 and values["layers"] in {"1", "2", "3"}
        trainjob = custom.get_namespaced_custom_object(
            "trainer.kubeflow.org", "v1alpha1", "default", "trainjobs", trial["metadata"]["name"]
        )
        assert trainjob["metadata"]["ownerReferences"][0]["name"] == trial["metadata"]["name"]
        script = trainjob["spec"]["trainer"]["args"][1]
        assert "${trialParameters" not in script and f'"lr": "{values["lr"]}"' in script
        pods = core.list_namespaced_pod(
            "default", label_selector=f"jobset.sigs.k8s.io/jobset-name={trial['metadata']['name']}"
        ).items
        assert len(pods) == 2 and all(p.status.phase == "Succeeded" for p in pods)
    suggestion = custom.get_namespaced_custom_object(GROUP, VERSION, "default", "suggestions", "exp")
    assert suggestion["status"]["suggestionCount"] == 4


def test_parallel_trial_count_is_honoured(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    katib.katib.step_delay = 0.05
    custom.create_namespaced_custom_object(
        GROUP, VERSION, "default", "experiments", experiment("par", max_trials=5, parallel=2)
    )
    stream = watch.Watch().stream(
        custom.list_namespaced_custom_object, GROUP, VERSION, "default", "experiments", timeout_seconds=60
    )
    peak = 0
    for event in stream:
        status = event["object"].get("status") or {}
        peak = max(peak, int(status.get("trialsRunning") or 0) + int(status.get("trialsPending") or 0))
        if any(c["type"] == "Succeeded" and c["status"] == "True" for c in status.get("conditions") or []):
            break
    assert 1 <= peak <= 2
    assert len(katib.list_objects(f"{GROUP}/{VERSION}", "Trial", "default")) == 5


def test_grid_enumerates_every_combination(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    body = experiment("grid", algorithm="grid", max_trials=100, lr={"min": "0.1", "max": "0.3", "step": "0.1"})
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", body)
    done = wait_for(finished(katib, "grid"))
    assert condition(done, "Succeeded")["reason"] == "ExperimentSuggestionEndReached"
    seen = {
        tuple(a["value"] for a in t["spec"]["parameterAssignments"])
        for t in katib.list_objects(f"{GROUP}/{VERSION}", "Trial", "default")
    }
    assert seen == {(lr, layers) for lr in ("0.1", "0.2", "0.3") for layers in ("1", "2", "3")}
    best = {a["name"]: a["value"] for a in done["status"]["currentOptimalTrial"]["parameterAssignments"]}
    assert best == {"lr": "0.3", "layers": "1"}


def test_failed_trials_beyond_max_failed_fail_the_experiment(
    katib: KubeEmulator, custom: client.CustomObjectsApi
) -> None:
    body = experiment("bad", fail_above=0.0, max_trials=10, parallel=1, max_failed=1)
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", body)
    done = wait_for(finished(katib, "bad"))
    assert condition(done, "Failed")["reason"] == "ExperimentMaxFailedTrialsReached"
    assert done["status"]["trialsFailed"] == 2 and done["status"]["trials"] == 2
    trial = katib.get(f"{GROUP}/{VERSION}", "Trial", done["status"]["failedTrialList"][0], "default")
    assert condition(trial, "Failed")["reason"] == "TrialFailed"
    trainjob = katib.get("trainer.kubeflow.org/v1alpha1", "TrainJob", trial["metadata"]["name"], "default")
    assert any(c["type"] == "Failed" and c["status"] == "True" for c in trainjob["status"]["conditions"])


def test_some_failed_trials_within_budget_still_succeed(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    body = experiment("mixed", fail_above=0.3, max_trials=6, parallel=3, max_failed=6)
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", body)
    done = wait_for(finished(katib, "mixed"))
    status = done["status"]
    assert condition(done, "Succeeded")
    assert status["trialsSucceeded"] + status["trialsFailed"] == 6
    best = {a["name"]: a["value"] for a in status["currentOptimalTrial"]["parameterAssignments"]}
    assert float(best["lr"]) <= 0.3


def test_goal_ends_the_experiment(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    custom.create_namespaced_custom_object(
        GROUP, VERSION, "default", "experiments", experiment("goal", goal=10.0, max_trials=50, parallel=1)
    )
    done = wait_for(finished(katib, "goal"))
    assert condition(done, "Succeeded")["reason"] == "ExperimentGoalReached"
    assert done["status"]["trials"] == 1


def test_missing_metric_makes_trials_metrics_unavailable(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    body = experiment("nometric", max_trials=2)
    body["spec"]["objective"]["objectiveMetricName"] = "val-loss"
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", body)
    done = wait_for(finished(katib, "nometric"))
    assert done["status"]["trialMetricsUnavailable"] == 2
    assert "currentOptimalTrial" not in done["status"]


def test_metrics_function_when_the_trial_is_not_a_script(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    katib.katib.metrics = lambda values: {"loss": float(values["lr"]), "accuracy": 0.5}
    body = experiment("container", max_trials=3)
    body["spec"]["trialTemplate"]["trialSpec"]["spec"]["trainer"] = {"image": "example/train:1", "numNodes": 1}
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", body)
    done = wait_for(finished(katib, "container"))
    best = done["status"]["currentOptimalTrial"]
    lr = {a["name"]: a["value"] for a in best["parameterAssignments"]}["lr"]
    assert float(next(m for m in best["observation"]["metrics"] if m["name"] == "loss")["latest"]) == float(lr)


def test_deleting_the_experiment_deletes_trials_and_trainjobs(
    katib: KubeEmulator, custom: client.CustomObjectsApi
) -> None:
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", experiment("gone", max_trials=2))
    wait_for(finished(katib, "gone"))
    custom.delete_namespaced_custom_object(GROUP, VERSION, "default", "experiments", "gone")
    assert katib.list_objects(f"{GROUP}/{VERSION}", "Trial", "default") == []
    assert katib.list_objects("trainer.kubeflow.org/v1alpha1", "TrainJob", "default") == []
    assert katib.list_objects(f"{GROUP}/{VERSION}", "Suggestion", "default") == []


def test_faults_on_experiment_paths(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    katib.add_fault(Fault(method="POST", path=r"/experiments$", status=503, after_commit=True))
    with pytest.raises(client.ApiException) as info:
        custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", experiment("flaky"))
    assert info.value.status == 503
    # The fault struck after the commit: the Experiment exists and runs.
    assert wait_for(finished(katib, "flaky"))


def test_unknown_trial_kind_fails_the_trial(katib: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    body = experiment("badkind", max_trials=1, max_failed=0)
    body["spec"]["trialTemplate"]["trialSpec"]["spec"]["runtimeRef"] = {"name": "x" * 300}
    body["spec"]["trialTemplate"]["trialSpec"]["kind"] = "Unknown"
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "experiments", body)
    done = wait_for(finished(katib, "badkind"))
    trial = katib.get(f"{GROUP}/{VERSION}", "Trial", done["status"]["failedTrialList"][0], "default")
    assert condition(trial, "Failed")["reason"] == "ReconcileFailed"


@pytest.fixture
def no_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    monkeypatch.setenv("KUBEFLOW_SDK_REFERENCE", str(tmp_path / "absent"))
    monkeypatch.delenv("KUBEFLOW_SDK_REFERENCE_REQUIRED", raising=False)
    yield


def test_without_reference_data_install_skips(kube_emulator: KubeEmulator, no_reference: None) -> None:
    with pytest.raises(pytest.skip.Exception):
        kube_emulator.install_katib()


def test_substitution_is_katibs_json_text_replacement() -> None:
    from kube_emulator.katib import collect, substitute

    out = substitute({"a": ["x=${trialParameters.lr}", {"b": "${trialParameters.lr}"}]}, {"lr": "0.5"})
    assert out == {"a": ["x=0.5", {"b": "0.5"}]}
    assert json.dumps(collect(["loss=1.5 acc=2", "loss = -2e-1", "noise lossy=3"], ["loss"])) == json.dumps(
        [{"name": "loss", "min": "-0.2", "max": "1.5", "latest": "-0.2"}]
    )
