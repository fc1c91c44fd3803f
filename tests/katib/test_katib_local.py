"""The local Katib backend on real processes: trials are trainer jobs, the driver is a detached process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kubeflow.core.errors import JobFailedError, NotFoundError
from kubeflow.core.local import procs
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.katib import (
    CMAESSearch,
    Direction,
    GridSearch,
    KatibClient,
    MedianStop,
    MultivariateTPESearch,
    Objective,
    OptimizationJob,
    RandomSearch,
    Search,
    SobolSearch,
    TPESearch,
    TrainJobTemplate,
    TrialConfig,
)
from kubeflow.trainer import CustomTrainer, TrainerClient

TIMEOUT = 240


def quadratic(x: int, offset: int) -> None:
    print(f"x={x}")
    print(f"epoch 1: loss={(x - 3) ** 2 + offset}")


def typed(lr: float, layers: int, optimizer: str, dropout: float, fused: bool, seed: int) -> None:
    from kubeflow.katib import report_metrics

    assert isinstance(lr, float) and isinstance(layers, int) and isinstance(optimizer, str), (lr, layers, optimizer)
    assert isinstance(dropout, float) and isinstance(fused, bool) and seed == 7, (dropout, fused, seed)
    for epoch in range(3):
        report_metrics({"loss": (lr - 0.02) ** 2 + layers / (epoch + 1), "accuracy": 1 - lr}, epoch=epoch)


def slow(x: float, seconds: float) -> None:
    import time

    from kubeflow.katib import report_metrics

    time.sleep(seconds)
    report_metrics({"loss": x})


def wait_until(check: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_grid_finds_the_known_optimum_with_printed_metrics(katib: KatibClient) -> None:
    template = TrainJobTemplate(trainer=CustomTrainer(func=quadratic, func_args={"offset": 10}), runtime="python")
    name = katib.optimize(
        template,
        search_space={"x": Search.choice([1, 2, 3, 4, 5])},
        trial_config=TrialConfig(num_trials=5, parallel_trials=2),
        algorithm=GridSearch(),
    )
    seen: list[str] = []
    job = katib.wait_for_job_status(
        name, timeout=TIMEOUT, polling_interval=1, callbacks=[lambda j: seen.append(j.status)]
    )
    assert job.status == "Complete" and seen[-1] == "Complete"
    assert len(job.trials) == 5
    assert sorted(t.parameters["x"] for t in job.trials) == ["1", "2", "3", "4", "5"]
    for trial in job.trials:
        assert trial.status == "Succeeded"
        assert trial.trainjob is not None and trial.trainjob.name == trial.name and trial.trainjob.status == "Complete"
        loss = next(m for m in trial.metrics if m.name == "loss")
        assert float(loss.latest) == (int(trial.parameters["x"]) - 3) ** 2 + 10
    best = katib.get_best_results(name)
    assert best is not None and best.parameters == {"x": "3"}
    assert [(m.name, m.min, m.max, m.latest) for m in best.metrics] == [("loss", "10", "10", "10")]
    assert best.trial_name is not None
    assert "epoch 1: loss=10" in list(katib.get_job_logs(name))
    other = next(t.name for t in job.trials if t.name != best.trial_name)
    assert any(line.startswith("x=") for line in katib.get_job_logs(name, trial_name=other))
    with pytest.raises(NotFoundError):
        katib.get_job_logs(name, trial_name="not-a-trial")
    reasons = [(e.involved_object_name, e.reason) for e in katib.get_job_events(name)]
    assert (name, "Created") in reasons and (name, "MaxTrialsReached") in reasons
    assert job.search_space["x"].choices == [1, 2, 3, 4, 5]  # type: ignore[union-attr]
    assert [job.name for job in katib.list_jobs()] == [name]


def test_values_reach_the_function_typed_and_intermediate_metrics_are_kept(katib: KatibClient) -> None:
    template = TrainJobTemplate(
        trainer=CustomTrainer(func=typed, func_args={"seed": 7, "layers": 100}), runtime="python"
    )
    name = katib.optimize(
        template,
        search_space={
            "lr": Search.loguniform(0.001, 0.1),
            "layers": Search.integer(1, 4),
            "optimizer": Search.choice(["adam", "sgd"]),
            "dropout": Search.choice([0.1, 0.2]),
            "fused": Search.choice([True, False]),
        },
        objectives=[Objective(metric="loss"), Objective(metric="accuracy", direction=Direction.MAXIMIZE)],
        trial_config=TrialConfig(num_trials=4, parallel_trials=4, max_failed_trials=0),
        algorithm=TPESearch(random_state=3),
    )
    job = katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    assert [t.status for t in job.trials] == ["Succeeded"] * 4
    values = []
    for trial in job.trials:
        layers = int(trial.parameters["layers"])
        assert 1 <= layers <= 4
        metrics = {m.name: m for m in trial.metrics}
        assert float(metrics["loss"].max) == pytest.approx((float(trial.parameters["lr"]) - 0.02) ** 2 + layers)
        assert float(metrics["loss"].latest) == pytest.approx(float(metrics["loss"].min))
        values.append((float(metrics["loss"].min), trial.name))
    best = katib.get_best_results(name)
    assert best is not None and best.trial_name == min(values)[1]


def test_early_stopping_stops_trials_worse_than_the_median(katib: KatibClient, tmp_path: Path) -> None:
    def curve(x: int, counter: str) -> None:
        import os
        import time

        from kubeflow.katib import report_metrics

        fd = os.open(counter, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(fd, b"x\n")
        os.close(fd)
        with open(counter) as handle:
            order = len(handle.readlines())
        base = 0.0 if order <= 2 else 100.0
        for epoch in range(30):
            report_metrics({"loss": base + 1.0 / (epoch + 1)}, epoch=epoch)
            time.sleep(0.1 if order > 2 else 0.01)

    counter = str(tmp_path / "counter")
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=curve, func_args={"counter": counter}), runtime="python"),
        search_space={"x": Search.choice([1, 2, 3, 4])},
        trial_config=TrialConfig(num_trials=4, parallel_trials=1),
        algorithm=RandomSearch(random_state=0),
        early_stopping=MedianStop(min_trials_required=2, start_step=2),
    )
    job = katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    statuses = [t.status for t in job.trials]
    assert statuses[:2] == ["Succeeded", "Succeeded"]
    assert statuses[2:] == ["EarlyStopped", "EarlyStopped"]
    for trial in job.trials[2:]:
        assert trial.trainjob is not None and trial.trainjob.status == "Failed"  # stopped, kept with its logs
        loss = next(m for m in trial.metrics if m.name == "loss")
        assert float(loss.min) > 100  # judged long before its 30 epochs
        assert len(list(katib.get_job_logs(name, trial_name=trial.name))) < 30


def test_max_failed_trials_fails_the_job(katib: KatibClient) -> None:
    def broken(x: float) -> None:
        raise RuntimeError(f"diverged at x={x}")

    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=broken), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        trial_config=TrialConfig(num_trials=5, parallel_trials=1, max_failed_trials=1),
    )
    with pytest.raises(JobFailedError) as info:
        katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    assert isinstance(info.value, RuntimeError)
    assert "MaxFailedTrialsReached" in str(info.value)
    job = katib.get_job(name)
    assert job.status == "Failed" and [t.status for t in job.trials] == ["Failed", "Failed"]
    assert katib.get_best_results(name) is None
    assert katib.wait_for_job_status(name, status={"Failed"}, timeout=5, polling_interval=1).status == "Failed"


def test_an_objective_never_reported_fails_the_job_naming_the_field(katib: KatibClient) -> None:
    def prints_accuracy(x: float) -> None:
        metric = "accuracy"  # a computed name: nothing can be told before the trials run
        print(f"{metric}={x}")

    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=prints_accuracy), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        trial_config=TrialConfig(num_trials=3, parallel_trials=1),
    )
    with pytest.raises(JobFailedError) as info:
        katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    assert "objectives[0].metric" in str(info.value) and "'loss'" in str(info.value)
    assert katib.get_job(name).trials[0].status == "MetricsUnavailable"


@pytest.mark.parametrize(
    "algorithm",
    [RandomSearch(random_state=1), MultivariateTPESearch(random_state=1), CMAESSearch(random_state=1), SobolSearch()],
    ids=lambda a: a.algorithm_name,
)
def test_each_algorithm_runs_end_to_end(katib: KatibClient, algorithm: Any) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow, func_args={"seconds": 0}), runtime="python"),
        search_space={"x": Search.uniform(-1, 1)},
        trial_config=TrialConfig(num_trials=3, parallel_trials=3),
        algorithm=algorithm,
        objectives=[Objective(metric="loss", direction="maximize")],
    )
    job = katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    assert [t.status for t in job.trials] == ["Succeeded"] * 3
    xs = [float(t.parameters["x"]) for t in job.trials]
    assert all(-1 <= x <= 1 for x in xs) and len(set(xs)) == 3
    best = katib.get_best_results(name)
    assert best is not None and float(best.parameters["x"]) == max(xs)
    assert job.algorithm == algorithm


def _driver(client: KatibClient, name: str) -> dict[str, Any]:
    root = Path(client.backend_config.state_dir) / ".katib" / name  # type: ignore[attr-defined]
    return json.loads((root / "driver.json").read_text())


def test_a_killed_driver_is_replaced_and_the_study_continues(katib: KatibClient) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow, func_args={"seconds": 1.5}), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        trial_config=TrialConfig(num_trials=6, parallel_trials=2),
        algorithm=TPESearch(random_state=5, n_startup_trials=2),
    )
    wait_until(lambda: sum(t.status == "Succeeded" for t in katib.get_job(name).trials) >= 2)
    before = {t.name: t for t in katib.get_job(name).trials}
    driver = _driver(katib, name)
    os.kill(driver["pid"], signal.SIGKILL)
    assert procs.wait_gone([(driver["pid"], driver["start_ticks"])], 10)
    job = katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)  # the first look starts a new driver
    assert _driver(katib, name)["pid"] != driver["pid"]
    assert len(job.trials) == 6 and len({t.name for t in job.trials}) == 6
    assert all(t.name.startswith(f"{name}-") for t in job.trials)
    assert all(t.status == "Succeeded" for t in job.trials), [
        (t.name, t.status, t.trainjob and t.trainjob.status, katib.get_job_events(name))
        for t in job.trials
        if t.status != "Succeeded"
    ]
    for trial in job.trials:  # finished trials were kept, not rerun
        if trial.name in before and before[trial.name].status == "Succeeded":
            assert trial.parameters == before[trial.name].parameters
            assert trial.metrics == before[trial.name].metrics
    trainer = TrainerClient(katib.backend_config)
    assert sorted(j.name for j in trainer.list_jobs()) == sorted(t.name for t in job.trials)
    reasons = [e.reason for e in katib.get_job_events(name)]
    assert "DriverLost" in reasons and "Resumed" in reasons


def test_a_seeded_study_taken_up_by_a_new_driver_does_not_replay_its_first_suggestions(katib: KatibClient) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow, func_args={"seconds": 0.5}), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        trial_config=TrialConfig(num_trials=4, parallel_trials=1),
        algorithm=RandomSearch(random_state=0),
    )
    wait_until(lambda: sum(t.status == "Succeeded" for t in katib.get_job(name).trials) >= 1)
    driver = _driver(katib, name)
    os.kill(driver["pid"], signal.SIGKILL)
    assert procs.wait_gone([(driver["pid"], driver["start_ticks"])], 10)
    job = katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    xs = [t.parameters["x"] for t in job.trials]
    assert len(xs) == 4 and len(set(xs)) == 4, xs  # the same seed again would suggest trial 0's value again


def test_following_the_logs_of_a_job_just_created_waits_for_its_first_trial(katib: KatibClient) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=quadratic, func_args={"offset": 0}), runtime="python"),
        search_space={"x": Search.choice([3])},
        trial_config=TrialConfig(num_trials=1),
    )
    lines = list(katib.get_job_logs(name, follow=True))  # no trial exists yet when this is called
    assert "x=3" in lines and "epoch 1: loss=0" in lines, lines


def test_an_optimization_outlives_its_client_process(tmp_path: Path) -> None:
    state = tmp_path / "state"
    script = tmp_path / "start.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from kubeflow.katib import KatibClient, LocalProcessBackendConfig, Search, TrialConfig, TrainJobTemplate
            from kubeflow.trainer import CustomTrainer

            def train(x: float) -> None:
                import time
                time.sleep(1)
                print(f"loss={{(x - 0.5) ** 2}}")

            client = KatibClient(LocalProcessBackendConfig(state_dir={str(state)!r}))
            print(client.optimize(
                TrainJobTemplate(trainer=CustomTrainer(func=train), runtime="python"),
                search_space={{"x": Search.uniform(0, 1)}},
                trial_config=TrialConfig(num_trials=3, parallel_trials=1),
            ))
            """
        )
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True)
    name = result.stdout.strip().splitlines()[-1]
    client = KatibClient(LocalProcessBackendConfig(state_dir=state))
    try:
        assert [job.name for job in client.list_jobs()] == [name]
        wait_until(lambda: len(client.get_job(name).trials) > 0)
        lines = list(client.get_job_logs(name, trial_name=f"{name}-0", follow=True))
        assert any(line.startswith("loss=") for line in lines)
        job = client.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
        assert len(job.trials) == 3
        best = client.get_best_results(name)
        assert best is not None
        losses = [float(next(m.latest for m in t.metrics if m.name == "loss")) for t in job.trials]
        assert float(best.metrics[0].latest) == min(losses)
    finally:
        for job in client.list_jobs():
            client.delete_job(job.name)


def test_delete_stops_the_driver_and_every_running_trial(katib: KatibClient) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow, func_args={"seconds": 120}), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        trial_config=TrialConfig(num_trials=4, parallel_trials=2),
    )

    def running() -> list[Any]:
        job: OptimizationJob = katib.get_job(name)
        return [t for t in job.trials if t.trainjob is not None and t.trainjob.status == "Running"]

    wait_until(lambda: len(running()) == 2)
    pids = [int(step.pod_name.removeprefix("pid-")) for t in running() for step in t.trainjob.steps]  # type: ignore[union-attr]
    driver = _driver(katib, name)
    katib.delete_job(name)
    assert procs.wait_gone([(pid, None) for pid in pids] + [(driver["pid"], driver["start_ticks"])], 10)
    assert katib.list_jobs() == []
    assert TrainerClient(katib.backend_config).list_jobs() == []
    with pytest.raises(NotFoundError):
        katib.get_job(name)


def test_the_state_is_private(katib: KatibClient) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow, func_args={"seconds": 0}), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        trial_config=TrialConfig(num_trials=1),
    )
    katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    root = Path(katib.backend_config.state_dir) / ".katib"  # type: ignore[attr-defined]
    assert root.stat().st_mode & 0o777 == 0o700
    for path in (root / name).iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
    assert isinstance(katib.backend_config, LocalProcessBackendConfig)


def test_reaching_the_goal_ends_the_job_early(katib: KatibClient) -> None:
    name = katib.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=slow, func_args={"seconds": 0}), runtime="python"),
        search_space={"x": Search.uniform(0, 1)},
        objectives=[Objective(metric="loss", goal=0.3)],
        trial_config=TrialConfig(num_trials=30, parallel_trials=3),
        algorithm=RandomSearch(random_state=0),
    )
    job = katib.wait_for_job_status(name, timeout=TIMEOUT, polling_interval=1)
    assert len(job.trials) < 30
    best = katib.get_best_results(name)
    assert best is not None and float(best.parameters["x"]) <= 0.3
    assert float(best.parameters["x"]) == min(float(t.parameters["x"]) for t in job.trials if t.status == "Succeeded")
    assert "GoalReached" in [e.reason for e in katib.get_job_events(name)]
