"""`KatibClient` and the package surface: light import, public names, honest `NotImplementedError`s."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import kubeflow.katib
from kubeflow.core.errors import InvalidInputError
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.katib import Algorithm, KatibClient, Objective, Search, TrainJobTemplate, TrialConfig
from kubeflow.trainer import CustomTrainer


def _train(lr: float = 0.1) -> None:
    print(f"loss={lr}")


def _template() -> TrainJobTemplate:
    return TrainJobTemplate(trainer=CustomTrainer(func=_train))


def test_package_exports_its_names_with_docstrings() -> None:
    assert kubeflow.katib.__version__ == "2026.12.0"
    assert "PREVIEW" in (kubeflow.katib.__doc__ or "")
    for name in kubeflow.katib.__all__:
        value = getattr(kubeflow.katib, name)
        if isinstance(value, type):
            assert value.__doc__, f"{name} has no docstring"
    for name in ("KatibClient", "TrainJobTemplate", "Search", "ParameterSpec", "Objective", "Algorithm", "TrialConfig"):
        assert name in kubeflow.katib.__all__


def test_import_is_light() -> None:
    code = "import sys, kubeflow.katib; print(sorted(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'torch')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_client_takes_the_trainer_backend_configs() -> None:
    assert isinstance(KatibClient().backend_config, LocalProcessBackendConfig)
    config = KubernetesBackendConfig(namespace="team-a")
    assert KatibClient(config).backend_config is config
    with pytest.raises(InvalidInputError) as info:
        KatibClient("kubernetes")  # type: ignore[arg-type]
    assert info.value.field == "backend_config"


_OPERATIONS: list[tuple[str, Callable[[KatibClient], Any]]] = [
    ("optimize", lambda c: c.optimize(_template(), search_space={"lr": Search.uniform(0.01, 0.1)})),
    ("list_jobs", lambda c: c.list_jobs()),
    ("get_job", lambda c: c.get_job("tune-1")),
    ("get_job_logs", lambda c: c.get_job_logs("tune-1")),
    ("get_best_results", lambda c: c.get_best_results("tune-1")),
    ("wait_for_job_status", lambda c: c.wait_for_job_status("tune-1")),
    ("delete_job", lambda c: c.delete_job("tune-1")),
]


@pytest.mark.parametrize(("operation", "call"), _OPERATIONS, ids=[op for op, _ in _OPERATIONS])
def test_operations_raise_not_implemented_naming_the_package(
    operation: str, call: Callable[[KatibClient], Any]
) -> None:
    with pytest.raises(NotImplementedError) as info:
        call(KatibClient())  # raised at the call, even for the log iterator
    message = str(info.value)
    assert message.startswith(f"kubeflow.katib: KatibClient.{operation} is not available yet")


def test_optimize_with_every_argument_reaches_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="KatibClient.optimize"):
        KatibClient().optimize(
            _template(),
            search_space={"lr": Search.loguniform(1e-4, 1e-1), "optimizer": Search.choice(["adam", "sgd"])},
            objectives=[Objective(metric="accuracy", direction="maximize"), Objective(metric="loss")],
            algorithm=Algorithm(name="tpe"),
            trial_config=TrialConfig(num_trials=8, parallel_trials=2),
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"search_space": {}}, "search_space"),
        ({"search_space": {"lr": 0.1}}, "search_space['lr']"),
        ({"objectives": [Objective(), Objective()]}, "objectives"),
        ({"objectives": ["loss"]}, "objectives[0]"),
        ({"algorithm": "random"}, "algorithm"),
        ({"trial_config": {"num_trials": 3}}, "trial_config"),
    ],
)
def test_optimize_checks_its_arguments_before_saying_not_implemented(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"search_space": {"lr": Search.uniform(0.01, 0.1)}, **kwargs}
    with pytest.raises(InvalidInputError) as info:
        KatibClient().optimize(_template(), **arguments)
    assert info.value.field == field


def test_optimize_needs_a_train_job_template() -> None:
    with pytest.raises(InvalidInputError) as info:
        KatibClient().optimize(CustomTrainer(func=_train), search_space={"lr": Search.uniform(0, 1)})  # type: ignore[arg-type]
    assert info.value.field == "trial_template"
