"""`KatibClient` and the package surface: light import, public names, backend choice, checks before anything starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kubeflow.katib
from kubeflow.core.errors import InvalidInputError
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.katib import (
    BayesianOptimization,
    GridSearch,
    KatibClient,
    Objective,
    RandomSearch,
    Search,
    TrainJobTemplate,
    TrialConfig,
)
from kubeflow.katib.backends.local import LocalKatibBackend
from kubeflow.trainer import CustomTrainer


def _train(lr: float = 0.1) -> None:
    print(f"loss={lr}")


def _reports(lr: float, epochs: int) -> None:
    from kubeflow.katib import report_metrics

    print(f"training with lr={lr}")
    report_metrics({"loss": lr * epochs, "accuracy": 1 - lr})


def _template() -> TrainJobTemplate:
    return TrainJobTemplate(trainer=CustomTrainer(func=_train))


def _client(tmp_path: Path) -> KatibClient:
    return KatibClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))


def test_package_exports_its_names_with_docstrings() -> None:
    assert kubeflow.katib.__version__ == "2026.12.0"
    for name in kubeflow.katib.__all__:
        value = getattr(kubeflow.katib, name)
        if isinstance(value, type):
            assert value.__doc__, f"{name} has no docstring"
    for name in ("KatibClient", "TrainJobTemplate", "Search", "Objective", "RandomSearch", "TrialConfig"):
        assert name in kubeflow.katib.__all__
    from kubeflow.trainer import TrainJobTemplate as TrainerTemplate

    assert kubeflow.katib.TrainJobTemplate is TrainerTemplate


def test_import_is_light() -> None:
    code = (
        "import sys, kubeflow.katib, kubeflow.optimizer\n"
        "from kubeflow.katib import KatibClient, Search, report_metrics\n"
        "from kubeflow.optimizer import OptimizerClient\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'kubernetes', 'torch', 'optuna', 'scipy', 'numpy'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_client_takes_the_trainer_backend_configs(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert isinstance(client.backend_config, LocalProcessBackendConfig)
    assert isinstance(client.backend, LocalKatibBackend)
    with pytest.raises(InvalidInputError) as info:
        KatibClient("kubernetes")  # type: ignore[arg-type]
    assert info.value.field == "backend_config"
    assert isinstance(KubernetesBackendConfig(namespace="team-a"), KubernetesBackendConfig)


def _nothing_created(tmp_path: Path) -> None:
    katib = tmp_path / "state" / ".katib"
    assert not katib.exists() or [p.name for p in katib.iterdir() if p.name != ".staging"] == []
    state = tmp_path / "state"
    assert not state.exists() or [p.name for p in state.iterdir() if not p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"search_space": {}}, "search_space"),
        ({"search_space": {"lr": 0.1}}, "search_space['lr']"),
        ({"search_space": {"momentum": Search.uniform(0, 1)}}, "search_space['momentum']"),
        ({"objectives": [Objective(), Objective()]}, "objectives"),
        ({"objectives": ["loss"]}, "objectives[0]"),
        ({"algorithm": "random"}, "algorithm"),
        ({"algorithm": BayesianOptimization()}, "algorithm"),
        ({"trial_config": {"num_trials": 3}}, "trial_config"),
        ({"early_stopping": "median"}, "early_stopping"),
    ],
)
def test_optimize_checks_its_arguments_before_anything_starts(
    tmp_path: Path, kwargs: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"search_space": {"lr": Search.uniform(0.01, 0.1)}, **kwargs}
    with pytest.raises(InvalidInputError) as info:
        _client(tmp_path).optimize(_template(), **arguments)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
    _nothing_created(tmp_path)


def test_bad_ranges_and_budgets_are_rejected_where_they_are_built() -> None:
    with pytest.raises(InvalidInputError) as info:
        Search.uniform(0.5, 0.5)
    assert info.value.field == "ParameterSpec.feasible_space.min"
    with pytest.raises(InvalidInputError) as info:
        TrialConfig(num_trials=2, parallel_trials=4)
    assert info.value.field == "TrialConfig.parallel_trials"


def test_a_metric_the_function_does_not_report_is_rejected(tmp_path: Path) -> None:
    template = TrainJobTemplate(trainer=CustomTrainer(func=_reports, func_args={"epochs": 2}))
    space = {"lr": Search.uniform(0.01, 0.1)}
    with pytest.raises(InvalidInputError) as info:
        _client(tmp_path).optimize(template, search_space=space, objectives=[Objective(metric="val_loss")])
    assert info.value.field == "objectives[0].metric"
    assert "accuracy, loss" in info.value.problem
    with pytest.raises(InvalidInputError) as info:
        _client(tmp_path).optimize(
            template, search_space=space, objectives=[Objective(metric="loss"), Objective(metric="f1")]
        )
    assert info.value.field == "objectives[1].metric"
    _nothing_created(tmp_path)


def test_a_metric_a_printing_function_never_prints_is_rejected(tmp_path: Path) -> None:
    space = {"lr": Search.uniform(0.01, 0.1)}
    with pytest.raises(InvalidInputError) as info:  # _train only prints loss=...
        _client(tmp_path).optimize(_template(), search_space=space, objectives=[Objective(metric="accuracy")])
    assert info.value.field == "objectives[0].metric"
    assert "loss" in info.value.problem
    _nothing_created(tmp_path)


def test_a_required_argument_given_by_nobody_is_rejected(tmp_path: Path) -> None:
    template = TrainJobTemplate(trainer=CustomTrainer(func=_reports))
    with pytest.raises(InvalidInputError, match="epochs") as info:
        _client(tmp_path).optimize(template, search_space={"lr": Search.uniform(0.01, 0.1)})
    assert info.value.field == "search_space"


def test_a_function_that_cannot_be_shipped_is_rejected(tmp_path: Path) -> None:
    scale = 2.0

    def closure(lr: float) -> None:
        print(f"loss={lr * scale}")

    with pytest.raises(InvalidInputError) as info:
        _client(tmp_path).optimize(
            TrainJobTemplate(trainer=CustomTrainer(func=closure)), search_space={"lr": Search.uniform(0, 1)}
        )
    assert info.value.field == "trial_template.trainer.func"
    _nothing_created(tmp_path)


def test_optimize_needs_a_train_job_template(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        _client(tmp_path).optimize(CustomTrainer(func=_train), search_space={"lr": Search.uniform(0, 1)})  # type: ignore[arg-type]
    assert info.value.field == "trial_template"


def test_a_grid_too_large_is_rejected(tmp_path: Path) -> None:
    space = {f"p{i}": Search.choice(list(range(10))) for i in range(6)}

    def wide(p0: int, p1: int, p2: int, p3: int, p4: int, p5: int) -> None:
        print(f"loss={p0}")

    with pytest.raises(InvalidInputError) as info:
        _client(tmp_path).optimize(
            TrainJobTemplate(trainer=CustomTrainer(func=wide)), search_space=space, algorithm=GridSearch()
        )
    assert info.value.field == "search_space"


def test_wait_arguments_are_checked(tmp_path: Path) -> None:
    client = _client(tmp_path)
    with pytest.raises(InvalidInputError) as info:
        client.wait_for_job_status("x", status={"Done"})
    assert info.value.field == "status"
    with pytest.raises(InvalidInputError) as info:
        client.wait_for_job_status("x", timeout=5, polling_interval=5)
    assert info.value.field == "polling_interval"
    with pytest.raises(InvalidInputError) as info:
        client.wait_for_job_status("x", timeout=-1)
    assert info.value.field == "timeout"


def test_unknown_jobs_are_not_found(tmp_path: Path) -> None:
    from kubeflow.core.errors import NotFoundError

    client = _client(tmp_path)
    assert client.list_jobs() == []
    for call in (
        lambda: client.get_job("nope"),
        lambda: client.get_best_results("nope"),
        lambda: client.get_job_logs("nope"),
        lambda: client.get_job_events("nope"),
        lambda: client.delete_job("nope"),
        lambda: client.get_job("../state"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert RandomSearch().algorithm_name == "random"


def test_report_metrics_rejects_a_non_dict_and_a_bad_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    from kubeflow.katib import report_metrics

    for metrics, epoch in ((["loss", 0.1], None), ({"loss": 0.1}, "x"), ({"loss": 0.1}, -1), ({"loss": 0.1}, 1.5)):
        with pytest.raises(ValueError, match="report_metrics"):
            report_metrics(metrics, epoch=epoch)  # type: ignore[arg-type]
    assert capsys.readouterr().out == ""  # nothing was reported
    report_metrics({"loss": 0.1}, epoch=3)
    assert capsys.readouterr().out == "loss=0.1\n"
