"""Static typing of the public API, checked by mypy (strict) in CI: `uv run mypy` includes this file.

Nothing here runs; it fails type-checking if a public signature loses or changes its types.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from typing_extensions import assert_type

from kubeflow.core.errors import InvalidInputError, JobFailedError
from kubeflow.trainer import (
    CustomTrainer,
    Event,
    KubernetesBackendConfig,
    LocalProcessBackendConfig,
    Runtime,
    TrainerClient,
    TrainJob,
)
from kubeflow.trainer.options import Labels, Name


def train(lr: float) -> None:
    print(lr)


def check_client(local: bool) -> None:
    config = LocalProcessBackendConfig() if local else KubernetesBackendConfig(namespace="team")
    client = TrainerClient(config)
    trainer = CustomTrainer(func=train, func_args={"lr": 0.1}, num_nodes=2)
    assert_type(client.train(trainer=trainer, options=[Name("job")]), str)
    assert_type(client.train(trainer=trainer, options=[Labels({"a": "b"})], dry_run=True), dict[str, Any])
    assert_type(client.list_runtimes(), list[Runtime])
    assert_type(client.get_runtime("torch-distributed"), Runtime)
    assert_type(client.list_jobs(), list[TrainJob])
    assert_type(client.get_job("job"), TrainJob)
    assert_type(client.get_job_logs("job", step="node-1", follow=True), Iterator[str])
    assert_type(client.get_job_events("job"), list[Event])
    assert_type(client.wait_for_job_status("job", {"Complete"}, timeout=60), TrainJob)
    assert_type(client.get_runtime_packages(client.get_runtime("python")), list[str])
    assert_type(client.delete_job("job"), None)
    assert_type(trainer.num_nodes, int | None)


def check_errors(error: JobFailedError, invalid: InvalidInputError) -> None:
    assert_type(error.step, str | None)
    assert_type(error.exit_code, int | None)
    assert_type(error.log_tail, list[str])
    assert_type(invalid.field, str)


def check_katib() -> None:
    from kubeflow.katib import KatibClient, OptimizationJob, Result, Search, TPESearch, TrialConfig, report_metrics
    from kubeflow.optimizer import OptimizerClient, TrainJobTemplate

    client: KatibClient = OptimizerClient()
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=train)),
        search_space={"lr": Search.loguniform(1e-4, 1e-1)},
        trial_config=TrialConfig(num_trials=4, parallel_trials=2),
        algorithm=TPESearch(random_state=0),
    )
    assert_type(name, str)
    assert_type(client.wait_for_job_status(name, timeout=60), OptimizationJob)
    assert_type(client.get_best_results(name), Result | None)
    assert_type(client.get_job_logs(name), Iterator[str])
    assert_type(client.get_job_events(name), list[Event])
    report_metrics({"loss": 0.1}, epoch=1)
