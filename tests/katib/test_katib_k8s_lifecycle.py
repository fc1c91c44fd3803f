"""The Kubernetes Katib backend against the emulator, through the public API (`KatibClient` and `OptimizerClient`).

The emulated Katib really runs each trial's generated script (see `kube_emulator.katib`), so these tests check the
whole path: the Experiment body, Katib's text substitution, the typed conversion in the trial, the StdOut metrics.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import InvalidInputError, JobFailedError, NotFoundError
from kubeflow.katib import (
    CMAESSearch,
    GridSearch,
    KatibClient,
    KubernetesBackendConfig,
    Objective,
    RandomSearch,
    Search,
    TrainJobTemplate,
    TrialConfig,
)
from kubeflow.trainer import CustomTrainer

KATIB = "kubeflow.org/v1beta1"


def quadratic(lr: float, layers: int, optimizer: str, scale: float = 1.0) -> None:
    assert isinstance(lr, float), type(lr)
    assert isinstance(layers, int), type(layers)
    assert isinstance(optimizer, str), type(optimizer)
    penalty = 0.0 if optimizer == "adam" else 0.5
    print(f"loss={scale * ((lr - 0.3) ** 2 + layers / 100 + penalty)}")
    print(f"accuracy={1 - lr}")


def fragile(lr: float) -> None:
    import sys

    if lr > 0.05:
        sys.exit("diverged")
    print(f"loss={lr}")


def reporting(lr: float) -> None:
    from kubeflow.katib import report_metrics

    report_metrics({"loss": lr}, epoch=1)


def flags(batch: int, shuffle: bool) -> None:
    assert isinstance(batch, int) and isinstance(shuffle, bool)
    print(f"loss={batch / 100 + (0 if shuffle else 1)}")


@pytest.fixture
def katib(kube_emulator: KubeEmulator) -> KubeEmulator:
    kube_emulator.install_katib()
    return kube_emulator


@pytest.fixture
def client(katib: KubeEmulator, kubeconfig_path: Path) -> KatibClient:
    return KatibClient(KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01))


def template(func: Any = quadratic, **func_args: Any) -> TrainJobTemplate:
    return TrainJobTemplate(trainer=CustomTrainer(func=func, func_args=func_args or None, num_nodes=2))


SPACE = {
    "lr": Search.uniform(0.1, 0.5),
    "layers": Search.integer(1, 3),
    "optimizer": Search.choice(["adam", "sgd"]),
}


def loss_of(parameters: dict[str, str], scale: float = 1.0) -> float:
    penalty = 0.0 if parameters["optimizer"] == "adam" else 0.5
    return scale * ((float(parameters["lr"]) - 0.3) ** 2 + int(parameters["layers"]) / 100 + penalty)


def test_optimize_wait_best_result(client: KatibClient, katib: KubeEmulator) -> None:
    name = client.optimize(
        template(scale=2.0),
        search_space=SPACE,
        trial_config=TrialConfig(num_trials=6, parallel_trials=3),
        objectives=[Objective(metric="loss"), Objective(metric="accuracy", direction="maximize")],
        algorithm=RandomSearch(random_state=7),
    )
    seen: list[str] = []
    job = client.wait_for_job_status(name, timeout=120, polling_interval=1, callbacks=[lambda j: seen.append(j.status)])
    assert job.status == "Complete" and seen[-1] == "Complete"
    assert len(job.trials) == 6 and all(t.status == "Succeeded" for t in job.trials)
    for trial in job.trials:
        metric = next(m for m in trial.metrics if m.name == "loss")
        assert float(metric.latest) == pytest.approx(loss_of(trial.parameters, 2.0))
        assert trial.trainjob is not None and trial.trainjob.status == "Complete" and trial.trainjob.num_nodes == 2
    best = client.get_best_results(name)
    assert best is not None
    expected = min(job.trials, key=lambda t: loss_of(t.parameters, 2.0))
    assert best.trial_name == expected.name and best.parameters == expected.parameters
    assert {m.name for m in best.metrics} == {"loss", "accuracy"}
    # The job reads back as it was asked for.
    assert set(job.search_space) == {"lr", "layers", "optimizer"}
    assert job.search_space["optimizer"].choices == ["adam", "sgd"]
    assert job.trial_config.num_trials == 6 and job.trial_config.parallel_trials == 3
    assert job.algorithm == RandomSearch(random_state=7)
    assert [o.metric for o in job.objectives] == ["loss", "accuracy"]
    # Logs: the best trial's node 0 by default, or a named trial.
    lines = list(client.get_job_logs(name))
    assert any(line.startswith("loss=") for line in lines)
    assert float(next(line for line in lines if line.startswith("loss=")).split("=")[1]) == pytest.approx(
        loss_of(best.parameters, 2.0)
    )
    other = job.trials[0].name
    assert any(line.startswith("loss=") for line in client.get_job_logs(name, trial_name=other))
    assert any(line.startswith("loss=") for line in client.get_job_logs(name, trial_name=other, follow=True))
    with pytest.raises(NotFoundError):
        list(client.get_job_logs(name, trial_name="not-a-trial"))
    assert [j.name for j in client.list_jobs()] == [name]


def test_report_metrics_in_the_trial(client: KatibClient) -> None:
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=reporting)),
        search_space={"lr": Search.loguniform(0.01, 1.0)},
        trial_config=TrialConfig(num_trials=2, parallel_trials=2),
    )
    job = client.wait_for_job_status(name, timeout=120, polling_interval=1)
    for trial in job.trials:
        assert float(trial.metrics[0].latest) == pytest.approx(float(trial.parameters["lr"]))


def test_grid_with_booleans_and_ints(client: KatibClient) -> None:
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=flags)),
        search_space={"batch": Search.choice([16, 32]), "shuffle": Search.choice([True, False])},
        trial_config=TrialConfig(num_trials=4, parallel_trials=2),
        algorithm=GridSearch(),
    )
    job = client.wait_for_job_status(name, timeout=120, polling_interval=1)
    assert sorted(tuple(sorted(t.parameters.items())) for t in job.trials) == [
        (("batch", b), ("shuffle", s)) for b in ("16", "32") for s in ("False", "True")
    ]
    best = client.get_best_results(name)
    assert best is not None and best.parameters == {"batch": "16", "shuffle": "True"}
    assert job.search_space["batch"].choices == [16, 32]
    assert job.search_space["shuffle"].choices == [True, False]


def test_failed_trials_fail_the_job_with_a_typed_error(client: KatibClient) -> None:
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=fragile)),
        search_space={"lr": Search.uniform(0.1, 0.9)},
        trial_config=TrialConfig(num_trials=5, parallel_trials=1, max_failed_trials=1),
    )
    with pytest.raises(JobFailedError) as info:
        client.wait_for_job_status(name, timeout=120, polling_interval=1)
    assert info.value.reason == "ExperimentMaxFailedTrialsReached"
    assert isinstance(info.value, RuntimeError)  # what code written for kubeflow 0.5 catches
    job = client.get_job(name)
    assert job.status == "Failed" and [t.status for t in job.trials] == ["Failed", "Failed"]
    assert job.trials[0].trainjob is not None and job.trials[0].trainjob.status == "Failed"
    assert any("diverged" in line for line in client.get_job_logs(name, trial_name=job.trials[0].name))
    assert client.get_best_results(name) is None
    assert client.wait_for_job_status(name, status={"Failed"}, timeout=5, polling_interval=1).status == "Failed"


def test_a_failed_trial_within_budget_still_completes(client: KatibClient) -> None:
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=fragile)),
        search_space={"lr": Search.choice([0.01, 0.5, 0.02])},
        trial_config=TrialConfig(num_trials=3, parallel_trials=3, max_failed_trials=2),
        algorithm=GridSearch(),
    )
    job = client.wait_for_job_status(name, timeout=120, polling_interval=1)
    assert sorted(t.status for t in job.trials) == ["Failed", "Succeeded", "Succeeded"]
    best = client.get_best_results(name)
    assert best is not None and best.parameters == {"lr": "0.01"}


def test_bad_input_creates_nothing(client: KatibClient, katib: KubeEmulator) -> None:
    katib.reset_requests()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"search_space": {}}, "search_space"),
        ({"search_space": {"nope": Search.uniform(0, 1)}}, "search_space"),
        ({"search_space": {**SPACE, "lr": Search.uniform(0.1, 0.5)}, "algorithm": GridSearch()}, "search_space"),
        ({"search_space": SPACE, "algorithm": CMAESSearch()}, "algorithm"),
        ({"search_space": {**SPACE, "optimizer": Search.choice(['a"b', "c"])}}, "search_space"),
        (
            {"search_space": SPACE, "trial_config": TrialConfig(num_trials=2, parallel_trials=1, max_failed_trials=3)},
            "max_failed_trials",
        ),
        ({"search_space": {"lr": SPACE["lr"]}, "objectives": [Objective(metric="f1")]}, "objectives"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInputError) as info:
            func = reporting if "objectives" in kwargs else quadratic
            client.optimize(TrainJobTemplate(trainer=CustomTrainer(func=func)), **kwargs)
        assert field in info.value.field, (field, info.value)
    with pytest.raises(NotFoundError):
        client.optimize(TrainJobTemplate(trainer=CustomTrainer(func=quadratic), runtime="no-such"), search_space=SPACE)
    assert not [r for r in katib.requests if r.method not in ("GET",)]
    assert katib.list_objects(KATIB, "Experiment") == []


def test_create_retried_after_5xx_is_not_duplicated(client: KatibClient, katib: KubeEmulator) -> None:
    katib.add_fault(Fault(method="POST", path=r"/experiments$", status=503, after_commit=True, times=1))
    katib.add_fault(Fault(method="POST", path=r"/experiments$", status=500, times=1))
    name = client.optimize(template(), search_space=SPACE, trial_config=TrialConfig(num_trials=2, parallel_trials=2))
    assert [e["metadata"]["name"] for e in katib.list_objects(KATIB, "Experiment")] == [name]
    assert client.wait_for_job_status(name, timeout=120, polling_interval=1).status == "Complete"


def test_server_refusal_is_caught_as_value_or_runtime_error(client: KatibClient, katib: KubeEmulator) -> None:
    katib.add_fault(Fault(method="POST", path=r"/experiments$", status=422, message="admission webhook denied"))
    with pytest.raises(RuntimeError) as info:  # kubeflow 0.5 raised RuntimeError for any failed create
        client.optimize(template(), search_space=SPACE)
    assert isinstance(info.value, ValueError) and "admission webhook denied" in str(info.value)
    assert katib.list_objects(KATIB, "Experiment") == []
    katib.add_fault(Fault(method="POST", path=r"/experiments$", status=500, times=None))
    with pytest.raises(RuntimeError):  # retried, then reported
        client.optimize(template(), search_space=SPACE)
    katib.clear_faults()
    assert katib.list_objects(KATIB, "Experiment") == []


def test_wait_survives_dropped_watches(client: KatibClient, katib: KubeEmulator) -> None:
    katib.katib.step_delay = 0.1
    name = client.optimize(template(), search_space=SPACE, trial_config=TrialConfig(num_trials=3, parallel_trials=1))
    drops = 0

    def drop(_: Any) -> None:
        nonlocal drops
        drops += 1
        katib.drop_connections()

    job = client.wait_for_job_status(name, timeout=120, polling_interval=1, callbacks=[drop])
    assert job.status == "Complete" and drops >= 2


def test_trainjobs_without_the_experiment_label_are_still_found(client: KatibClient, katib: KubeEmulator) -> None:
    name = client.optimize(template(), search_space=SPACE, trial_config=TrialConfig(num_trials=2, parallel_trials=2))
    job = client.wait_for_job_status(name, timeout=120, polling_interval=1)
    trainjob = katib.get("trainer.kubeflow.org/v1alpha1", "TrainJob", job.trials[0].name, "default")
    assert trainjob is not None and trainjob["metadata"]["labels"]["katib.kubeflow.org/experiment"] == name
    del trainjob["metadata"]["labels"]["katib.kubeflow.org/experiment"]  # as made by another client
    katib.apply(trainjob)
    again = client.get_job(name)
    assert all(t.trainjob is not None and t.trainjob.status == "Complete" for t in again.trials)


def test_delete_removes_trials_and_trainjobs(client: KatibClient, katib: KubeEmulator) -> None:
    name = client.optimize(template(), search_space=SPACE, trial_config=TrialConfig(num_trials=2, parallel_trials=2))
    client.wait_for_job_status(name, timeout=120, polling_interval=1)
    assert client.get_job_events(name) is not None
    client.delete_job(name)
    assert katib.list_objects(KATIB, "Experiment") == []
    assert katib.list_objects(KATIB, "Trial") == []
    assert katib.list_objects("trainer.kubeflow.org/v1alpha1", "TrainJob") == []
    with pytest.raises(NotFoundError):
        client.get_job(name)
    with pytest.raises(RuntimeError):  # kubeflow 0.5 raised RuntimeError here; NotFoundError is one
        client.delete_job(name)


def slow(lr: float) -> None:
    import time

    print(f"loss={lr}", flush=True)
    time.sleep(1.5)
    print(f"loss={lr / 2}", flush=True)


def test_delete_stops_running_trials(client: KatibClient, katib: KubeEmulator) -> None:
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow)),
        search_space={"lr": Search.uniform(0.1, 0.5)},
        trial_config=TrialConfig(num_trials=6, parallel_trials=2),
    )
    job = client.wait_for_job_status(name, status={"Running"}, timeout=60, polling_interval=1)
    assert job.status == "Running"
    client.delete_job(name)
    assert katib.list_objects(KATIB, "Experiment") == []
    # Trials already started may finish their run, but nothing they make outlives the Experiment.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = katib.list_objects("trainer.kubeflow.org/v1alpha1", "TrainJob") + katib.list_objects(KATIB, "Trial")
        if not left and not katib.list_objects("v1", "Pod", "default"):
            break
        time.sleep(0.2)
    assert katib.list_objects(KATIB, "Trial") == []
    assert katib.list_objects("trainer.kubeflow.org/v1alpha1", "TrainJob") == []
    assert katib.list_objects("v1", "Pod", "default") == []


def test_follow_logs_of_a_running_trial(client: KatibClient) -> None:
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow)),
        search_space={"lr": Search.choice([0.5])},
        trial_config=TrialConfig(num_trials=1, parallel_trials=1),
    )
    lines = list(client.get_job_logs(name, follow=True))  # waits for the trial, then follows it to its end
    assert [line for line in lines if line.startswith("loss=")] == ["loss=0.5", "loss=0.25"]
    assert client.wait_for_job_status(name, timeout=60, polling_interval=1).status == "Complete"


def test_events_of_the_job_and_its_trials(client: KatibClient, katib: KubeEmulator) -> None:
    name = client.optimize(template(), search_space=SPACE, trial_config=TrialConfig(num_trials=1, parallel_trials=1))
    job = client.wait_for_job_status(name, timeout=120, polling_interval=1)
    katib.record_event("default", {"kind": "Experiment", "name": name}, "ExperimentSucceeded", "done")
    katib.record_event("default", {"kind": "Trial", "name": job.trials[0].name}, "TrialSucceeded", "ok")
    katib.record_event("default", {"kind": "Experiment", "name": "someone-else"}, "Other", "no")
    events = [(e.involved_object_kind, e.reason) for e in client.get_job_events(name)]
    # What the (emulated) Katib controllers recorded, then the two recorded here; never another job's.
    assert events[:2] == [("Experiment", "ExperimentCreated"), ("Trial", "TrialCreated")]
    assert ("Experiment", "ExperimentMaxTrialsReached") in events and ("Trial", "TrialSucceeded") in events
    assert events[-2:] == [("Experiment", "ExperimentSucceeded"), ("Trial", "TrialSucceeded")]
    assert ("Experiment", "Other") not in events


def test_optimizer_client_face(katib: KubeEmulator, kubeconfig_path: Path) -> None:
    from kubeflow.optimizer import OptimizerClient
    from kubeflow.optimizer import Search as OSearch
    from kubeflow.optimizer import TrialConfig as OTrialConfig
    from kubeflow.trainer import TrainJobTemplate as TTemplate

    optimizer = OptimizerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))
    name = optimizer.optimize(
        TTemplate(trainer=CustomTrainer(func=quadratic)),
        search_space={
            "lr": OSearch.uniform(0.1, 0.5),
            "layers": Search.integer(1, 2),
            "optimizer": OSearch.choice(["adam"]),
        },
        trial_config=OTrialConfig(num_trials=2, parallel_trials=2),
    )
    job = optimizer.wait_for_job_status(name, timeout=120, polling_interval=1)
    assert job.status == "Complete"
    result = optimizer.get_best_results(name)
    assert result is not None and set(result.parameters) == {"lr", "layers", "optimizer"}
    try:
        optimizer.get_job("missing")
    except RuntimeError:  # the except clause kubeflow 0.5 users wrote
        pass
    else:
        raise AssertionError("get_job of a missing job must raise")


@pytest.mark.parametrize("release", ["v2.0.1", "v2.1.0"])
def test_older_trainer_releases(release: str, tmp_path: Path) -> None:
    with KubeEmulator(trainer_crds=release) as emu:
        emu.load_default_runtimes()
        emu.install_katib()
        kubeconfig = emu.write_kubeconfig(tmp_path / "kubeconfig")
        client = KatibClient(KubernetesBackendConfig(config_file=str(kubeconfig)))
        name = client.optimize(
            template(), search_space=SPACE, trial_config=TrialConfig(num_trials=2, parallel_trials=2)
        )
        job = client.wait_for_job_status(name, timeout=120, polling_interval=1)
        assert [t.status for t in job.trials] == ["Succeeded", "Succeeded"]
        best = client.get_best_results(name)
        assert best is not None and best.trial_name in {t.name for t in job.trials}
        trainjob = emu.get("trainer.kubeflow.org/v1alpha1", "TrainJob", job.trials[0].name, "default")
        assert trainjob is not None and trainjob["spec"]["trainer"]["numNodes"] == 2


def test_following_the_logs_of_a_job_just_created_waits_for_its_first_trial(
    client: KatibClient, katib: KubeEmulator
) -> None:
    import threading

    katib.katib.auto = False  # Katib has not made a Trial yet when the logs are asked for
    name = client.optimize(template(), search_space=SPACE, trial_config=TrialConfig(num_trials=1, parallel_trials=1))
    lines: list[str] = []
    follower = threading.Thread(target=lambda: lines.extend(client.get_job_logs(name, follow=True)), daemon=True)
    follower.start()
    follower.join(1.5)
    assert follower.is_alive(), f"follow=True returned before any trial existed: {lines}"
    uid = katib.list_objects(KATIB, "Experiment")[0]["metadata"]["uid"]
    threading.Thread(target=katib.katib.drive, args=("default", name, uid), daemon=True).start()
    follower.join(120)
    assert any(line.startswith("loss=") for line in lines), lines
