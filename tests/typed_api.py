"""Static typing of the public API, checked by mypy (strict) in CI: `uv run mypy` includes this file.

Nothing here runs; it fails type-checking if a public signature loses or changes its types.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from typing_extensions import assert_type

from kubeflow.core.errors import InvalidInputError, JobFailedError
from kubeflow.trainer import (
    DATASET_PATH,
    ContainerBackendConfig,
    CustomTrainer,
    DataCacheInitializer,
    Event,
    HuggingFaceDatasetInitializer,
    Initializer,
    KubernetesBackendConfig,
    LocalProcessBackendConfig,
    ProgressRecord,
    Runtime,
    RuntimeKind,
    S3DatasetInitializer,
    TrainerClient,
    TrainerStatus,
    TrainJob,
    TrainJobTemplate,
    get_tpu_num_nodes,
    update_trainjob_status,
)
from kubeflow.trainer.constants import constants
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
    assert_type(client.get_job_metrics("job"), list[ProgressRecord])
    assert_type(client.get_job("job").trainer_status, TrainerStatus | None)
    assert_type(update_trainjob_status(progress_percent=5, metrics={"loss": 0.1}), bool)
    assert_type(trainer.num_nodes, int | None)


def check_errors(error: JobFailedError, invalid: InvalidInputError) -> None:
    assert_type(error.step, str | None)
    assert_type(error.exit_code, int | None)
    assert_type(error.log_tail, list[str])
    assert_type(invalid.field, str)


def check_kubeflow_05_names(client: TrainerClient) -> None:
    template = TrainJobTemplate(trainer=CustomTrainer(func=train), runtime=client.get_runtime("torch-distributed"))
    assert_type(client.train(**template), str)
    assert_type(template.keys(), list[str])
    assert_type(client.get_runtime("torch-distributed").kind, RuntimeKind)
    assert_type(get_tpu_num_nodes(2, "2x4", chips_per_host=4), int)
    assert_type(DATASET_PATH, str)
    assert_type(constants.DEFAULT_PIP_INDEX_URLS, list[str])
    cache = DataCacheInitializer(storage_uri="cache://s/t", metadata_loc="s3://m", num_data_nodes=2)
    assert_type(
        Initializer(dataset=cache).dataset,
        HuggingFaceDatasetInitializer | S3DatasetInitializer | DataCacheInitializer | None,
    )
    TrainerClient(ContainerBackendConfig())  # accepted by the types; raises UnsupportedBackendError when run


def check_model_registry() -> None:
    from kubeflow.hub import ModelRegistryClient as HubClient
    from kubeflow.hub import StorageConfig
    from kubeflow.model_registry import (
        ExperimentRun,
        Metric,
        ModelArtifact,
        ModelRegistryClient,
        ModelVersion,
        RegisteredModel,
    )

    client: ModelRegistryClient = HubClient("https://registry.example.com", author="me", user_token="t")
    model = client.register_model("m", "s3://b/k", version="v1", storage_config=StorageConfig(storage_key="s"))
    assert_type(model, RegisteredModel)
    assert_type(client.get_model("m"), RegisteredModel)
    assert_type(client.get_model_version("m", "v1"), ModelVersion)
    assert_type(client.get_model_artifact("m", "v1"), ModelArtifact)
    assert_type(client.list_models(), Iterator[RegisteredModel])
    assert_type(client.list_model_versions("m"), Iterator[ModelVersion])
    assert_type(client.update_model(model), RegisteredModel)
    assert_type(client.find_model(external_id="x"), RegisteredModel | None)
    assert_type(client.archive_model_version("m", "v1"), ModelVersion)
    assert_type(client.log_job("job"), ExperimentRun)
    assert_type(client.get_metric_history(client.get_experiment_run("job")), list[Metric])


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
