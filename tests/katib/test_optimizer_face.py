"""`kubeflow.optimizer`: the existing SDK's names, module paths and behaviour, served by `kubeflow.katib`."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kubeflow.katib as katib
import kubeflow.optimizer as optimizer
from kubeflow.core.errors import InvalidInputError


def test_the_existing_names_are_the_katib_objects() -> None:
    from kubeflow.optimizer.api.optimizer_client import OptimizerClient
    from kubeflow.optimizer.constants import constants
    from kubeflow.optimizer.types.algorithm_types import ALGORITHM_REGISTRY, BaseAlgorithm, GridSearch, RandomSearch
    from kubeflow.optimizer.types.optimization_types import (
        Direction,
        Metric,
        Objective,
        OptimizationJob,
        Result,
        Trial,
        TrialConfig,
    )
    from kubeflow.optimizer.types.search_types import (
        CategoricalSearchSpace,
        ContinuousSearchSpace,
        Distribution,
        Search,
    )

    assert issubclass(OptimizerClient, katib.KatibClient) and optimizer.OptimizerClient is OptimizerClient
    for name, value in (
        ("GridSearch", GridSearch),
        ("RandomSearch", RandomSearch),
        ("BaseAlgorithm", BaseAlgorithm),
        ("Direction", Direction),
        ("Metric", Metric),
        ("Objective", Objective),
        ("OptimizationJob", OptimizationJob),
        ("Result", Result),
        ("Trial", Trial),
        ("TrialConfig", TrialConfig),
        ("Search", Search),
        ("Distribution", Distribution),
        ("CategoricalSearchSpace", CategoricalSearchSpace),
        ("ContinuousSearchSpace", ContinuousSearchSpace),
    ):
        assert getattr(katib, name) is value is getattr(optimizer, name)
    assert set(ALGORITHM_REGISTRY) == {"grid", "random"}
    assert constants.OPTIMIZATION_JOB_COMPLETE == "Complete" and constants.EXPERIMENT_KIND == "Experiment"
    expected = {
        "GridSearch",
        "KubernetesBackendConfig",
        "Objective",
        "OptimizationJob",
        "OptimizerClient",
        "RandomSearch",
        "Result",
        "Search",
        "TrainJobTemplate",
        "TrialConfig",
    }
    assert expected <= set(optimizer.__all__)


def test_the_types_behave_like_the_existing_dataclasses() -> None:
    from kubeflow.optimizer import Objective, RandomSearch, Result, TrialConfig
    from kubeflow.optimizer.types.optimization_types import Direction, Metric

    assert Objective("accuracy", "maximize").direction is Direction.MAXIMIZE
    assert dataclasses.asdict(TrialConfig(4, 2)) == {"num_trials": 4, "parallel_trials": 2, "max_failed_trials": None}
    assert RandomSearch(42).random_state == 42 and RandomSearch().algorithm_name == "random"
    result = Result(parameters={"lr": "0.1"}, metrics=[Metric("loss", "0.1", "0.5", "0.1")])
    assert result.metrics[0].latest == "0.1" and result.trial_name is None
    spec = optimizer.Search.loguniform(0.001, 0.1)
    assert spec.parameter_type == "double" and spec.feasible_space.distribution == "logUniform"
    with pytest.raises(ValueError):
        Objective(direction="upward")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        TrialConfig(num_trials=1, parallel_trials=2)


def test_a_program_written_for_the_existing_sdk_runs_locally(tmp_path: Path) -> None:
    program = tmp_path / "tune.py"
    program.write_text(
        textwrap.dedent(
            """
            from kubeflow.optimizer import (
                Objective, OptimizerClient, RandomSearch, Search, TrainJobTemplate, TrialConfig,
            )
            from kubeflow.trainer import CustomTrainer


            def train_fn(learning_rate, num_epochs):
                loss = (float(learning_rate) - 0.01) ** 2 + 1.0 / int(num_epochs)
                print(f"loss={loss}")


            client = OptimizerClient()
            job_name = client.optimize(
                trial_template=TrainJobTemplate(runtime="torch-distributed", trainer=CustomTrainer(func=train_fn)),
                trial_config=TrialConfig(num_trials=4, parallel_trials=2),
                search_space={
                    "learning_rate": Search.loguniform(0.001, 0.1),
                    "num_epochs": Search.choice([5, 10]),
                },
                objectives=[Objective(metric="loss", direction="minimize")],
                algorithm=RandomSearch(random_state=42),
            )
            job = client.wait_for_job_status(job_name, timeout=240)
            assert job.status == "Complete", job.status
            assert len(job.trials) == 4 and all(trial.trainjob.status == "Complete" for trial in job.trials)
            best = client.get_best_results(job_name)
            print("BEST", best.parameters["num_epochs"], best.metrics[0].name)
            for line in client.get_job_logs(job_name):
                print("LOG", line)
            print("JOBS", [j.name for j in client.list_jobs()] == [job_name])
            client.delete_job(job_name)
            print("LEFT", client.list_jobs())
            """
        )
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
        "KUBEFLOW_LOCAL_STATE_DIR": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("KUBERNETES_SERVICE_HOST", None)
    result = subprocess.run(
        [sys.executable, str(program)], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert "BEST 10 loss" in lines
    assert any(line.startswith("LOG loss=") for line in lines)
    assert "JOBS True" in lines and "LEFT []" in lines
