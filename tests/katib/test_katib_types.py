"""Job configuration types: the cross-project `TrainJobTemplate`, objectives, algorithms and trial budgets."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import jsonschema
import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib import (
    CMAESSearch,
    Direction,
    GridSearch,
    MedianStop,
    Objective,
    RandomSearch,
    TPESearch,
    TrainJobTemplate,
    TrialConfig,
)
from kubeflow.katib.algorithms import ALGORITHMS, algorithm_from_spec
from kubeflow.katib.types import objective_spec
from kubeflow.trainer import CustomTrainer, HuggingFaceModelInitializer, Initializer, Runtime, RuntimeTrainer
from kubeflow.trainer.types import TrainerType
from reference import reference_path


def _validate(payload: dict[str, Any], definition: str) -> None:
    swagger = json.loads(reference_path("katib", "openapi", "swagger.json").read_text())
    definitions = copy.deepcopy(swagger["definitions"])
    for schema in definitions.values():
        if schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False
    jsonschema.Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": definitions}).validate(payload)


def _train(lr: float = 0.1) -> None:
    print(f"loss={lr}")


def test_train_job_template_holds_real_trainer_types() -> None:
    trainer = CustomTrainer(func=_train, func_args={"lr": 0.5}, num_nodes=2)
    runtime = Runtime(
        name="torch-distributed", trainer=RuntimeTrainer(trainer_type=TrainerType.CUSTOM_TRAINER, framework="torch")
    )
    initializer = Initializer(model=HuggingFaceModelInitializer(storage_uri="hf://org/model"))
    template = TrainJobTemplate(trainer=trainer, runtime=runtime, initializer=initializer)
    assert template.trainer is trainer
    assert template.runtime is runtime
    assert template.initializer is initializer
    assert TrainJobTemplate(trainer=trainer, runtime="torch-distributed").runtime == "torch-distributed"


def test_train_job_template_rejects_what_is_not_a_custom_trainer() -> None:
    with pytest.raises(InvalidInputError) as info:
        TrainJobTemplate(trainer=_train)
    assert info.value.field == "TrainJobTemplate.trainer"
    with pytest.raises(InvalidInputError) as info:
        TrainJobTemplate(trainer=CustomTrainer(func=_train), initializer="hf://org/model")
    assert info.value.field == "TrainJobTemplate.initializer"
    with pytest.raises(InvalidInputError, match="Unexpected keyword argument") as info:
        TrainJobTemplate(trainer=CustomTrainer(func=_train), trainers=[])
    assert info.value.field == "TrainJobTemplate.trainers"


def test_objective_defaults_and_validation() -> None:
    assert (Objective().metric, Objective().direction, Objective().goal) == ("loss", Direction.MINIMIZE, None)
    assert Objective(metric="accuracy", direction="maximize", goal=0.99).direction is Direction.MAXIMIZE
    assert Objective("accuracy", Direction.MAXIMIZE) == Objective(metric="accuracy", direction="maximize")
    for kwargs, field in (
        ({"metric": ""}, "Objective.metric"),
        ({"metric": "val loss"}, "Objective.metric"),
        ({"metric": "a=b"}, "Objective.metric"),
        ({"direction": "up"}, "Objective.direction"),
    ):
        with pytest.raises(InvalidInputError) as info:
            Objective(**kwargs)
        assert info.value.field == field


def test_objective_spec_matches_the_katib_shape() -> None:
    spec = objective_spec([Objective(metric="accuracy", direction="maximize", goal=0.9), Objective(metric="loss")])
    assert spec == {
        "type": "maximize",
        "objectiveMetricName": "accuracy",
        "goal": 0.9,
        "additionalMetricNames": ["loss"],
        "metricStrategies": [{"name": "accuracy", "value": "max"}, {"name": "loss", "value": "min"}],
    }
    _validate(spec, "v1beta1.ObjectiveSpec")
    with pytest.raises(InvalidInputError, match="at least one"):
        objective_spec([])
    with pytest.raises(InvalidInputError, match="unique"):
        objective_spec([Objective(), Objective(direction="maximize")])


def test_algorithm_spec_matches_the_katib_shape() -> None:
    assert RandomSearch().to_katib_spec() == {"algorithmName": "random"}
    assert GridSearch().to_katib_spec() == {"algorithmName": "grid"}
    spec = TPESearch(random_state=42, n_startup_trials=5).to_katib_spec()
    assert spec == {
        "algorithmName": "tpe",
        "algorithmSettings": [{"name": "random_state", "value": "42"}, {"name": "n_startup_trials", "value": "5"}],
    }
    _validate(spec, "v1beta1.AlgorithmSpec")
    _validate(MedianStop(min_trials_required=2).to_katib_spec(), "v1beta1.EarlyStoppingSpec")


def test_every_algorithm_round_trips_through_its_katib_spec() -> None:
    for name, cls in ALGORITHMS.items():
        algorithm = cls()
        assert algorithm.algorithm_name == name
        assert algorithm_from_spec(algorithm.to_katib_spec()) == algorithm
    assert algorithm_from_spec(CMAESSearch(random_state=3, sigma=0.5).to_katib_spec()) == CMAESSearch(3, 0.5)
    assert algorithm_from_spec(RandomSearch(7).to_katib_spec()).random_state == 7


def test_algorithm_validation() -> None:
    assert dataclasses.asdict(RandomSearch(random_state=1)) == {"random_state": 1}
    for build, field in (
        (lambda: RandomSearch(random_state=-1), "random_state"),
        (lambda: TPESearch(n_startup_trials=0), "n_startup_trials"),
        (lambda: CMAESSearch(restart_strategy="always"), "restart_strategy"),
        (lambda: MedianStop(start_step=0), "start_step"),
        (lambda: algorithm_from_spec({"algorithmName": "annealing"}), "algorithm"),
    ):
        with pytest.raises(InvalidInputError) as info:
            build()
        assert info.value.field == field


def test_trial_config_validation() -> None:
    assert dataclasses.asdict(TrialConfig()) == {"num_trials": 10, "parallel_trials": 1, "max_failed_trials": None}
    assert TrialConfig(5, 2) == TrialConfig(num_trials=5, parallel_trials=2)
    assert TrialConfig(num_trials=4, parallel_trials=4, max_failed_trials=0).parallel_trials == 4
    for kwargs, field in (
        ({"num_trials": 0}, "TrialConfig.num_trials"),
        ({"parallel_trials": 0}, "TrialConfig.parallel_trials"),
        ({"max_failed_trials": -1}, "TrialConfig.max_failed_trials"),
        ({"num_trials": 2.5}, "TrialConfig.num_trials"),
        ({"num_trials": 2, "parallel_trials": 3}, "TrialConfig.parallel_trials"),
    ):
        with pytest.raises(InvalidInputError) as info:
            TrialConfig(**kwargs)
        assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_train_job_template_is_the_trainers() -> None:
    import kubeflow.trainer

    assert TrainJobTemplate is kubeflow.trainer.TrainJobTemplate  # kubeflow 0.5 users import it from the trainer
