"""Each row of the exception table in docs/compatibility.md: what kubeflow 0.5 raised is what `except` still catches.

Each case asserts the builtin 0.5 raised in that situation (observed by running 0.5 locally and against the
emulator) and, where ours is more precise, the typed error too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import (
    AlreadyExistsError,
    InvalidInputError,
    JobFailedError,
    NotFoundError,
    OperationTimeoutError,
)
from kubeflow.trainer import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    DataCacheInitializer,
    Initializer,
    KubernetesBackendConfig,
    Runtime,
    S3DatasetInitializer,
    TorchTuneConfig,
    TrainerClient,
    get_tpu_num_nodes,
)
from kubeflow.trainer.options import Name


def hello() -> None:
    print("hello")


def sleep_long() -> None:
    import time

    time.sleep(120)


def fail() -> None:
    raise SystemExit(3)


Case = Callable[[TrainerClient], Any]

LOCAL_VALUE_ERRORS: dict[str, Case] = {
    "get_runtime unknown": lambda c: c.get_runtime("nope"),
    "train runtime unknown": lambda c: c.train(runtime="nope", trainer=CustomTrainer(func=hello)),
    "train without trainer": lambda c: c.train(runtime="torch-distributed"),
    "train container trainer": lambda c: c.train(trainer=CustomTrainerContainer(image="busybox")),
    "train builtin trainer": lambda c: c.train(trainer=BuiltinTrainer(config=TorchTuneConfig())),
    "train data cache": lambda c: c.train(
        trainer=CustomTrainer(func=hello),
        initializer=Initializer(
            dataset=DataCacheInitializer(storage_uri="cache://s/t", metadata_loc="s3://m", num_data_nodes=2)
        ),
    ),
    "get_job unknown": lambda c: c.get_job("nope"),
    "get_job_logs unknown": lambda c: list(c.get_job_logs("nope")),
    "get_job_events unknown": lambda c: c.get_job_events("nope"),
    "wait unknown": lambda c: c.wait_for_job_status("nope"),
    "delete unknown": lambda c: c.delete_job("nope"),
    "get_runtime_packages unknown": lambda c: c.get_runtime_packages(
        Runtime(name="nope", trainer=c.get_runtime("python").trainer)
    ),
    "wait timeout=0": lambda c: c.wait_for_job_status("nope", timeout=0),
    "wait polling_interval=0": lambda c: c.wait_for_job_status("nope", polling_interval=0),
    "wait bad status": lambda c: c.wait_for_job_status("nope", status={"Done"}),
}

CLUSTER_RUNTIME_ERRORS: dict[str, Case] = {
    "get_runtime unknown": lambda c: c.get_runtime("nope"),
    "train runtime unknown": lambda c: c.train(runtime="nope", trainer=CustomTrainer(func=hello)),
    "get_job unknown": lambda c: c.get_job("nope"),
    "get_job_logs unknown": lambda c: list(c.get_job_logs("nope")),
    "get_job_events unknown": lambda c: c.get_job_events("nope"),
    "wait unknown": lambda c: c.wait_for_job_status("nope", timeout=5, polling_interval=1),
    "delete unknown": lambda c: c.delete_job("nope"),
}

CLUSTER_VALUE_ERRORS: dict[str, Case] = {
    "custom trainer on a built-in runtime": lambda c: c.train(
        runtime="torchtune-llama3.2-1b", trainer=CustomTrainer(func=hello)
    ),
    "builtin trainer on a custom runtime": lambda c: c.train(
        runtime="torch-distributed", trainer=BuiltinTrainer(config=TorchTuneConfig())
    ),
    "wait bad status": lambda c: c.wait_for_job_status("nope", status={"Done"}),
    "wait timeout=0": lambda c: c.wait_for_job_status("nope", timeout=0),
    "get_runtime_packages of a built-in runtime": lambda c: c.get_runtime_packages(
        c.get_runtime("torchtune-llama3.2-1b")
    ),
}


def test_not_a_backend_config_is_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        TrainerClient("local")  # type: ignore[arg-type]
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize("case", sorted(LOCAL_VALUE_ERRORS))
def test_local_value_errors(local_client: TrainerClient, case: str) -> None:
    with pytest.raises(ValueError) as info:
        LOCAL_VALUE_ERRORS[case](local_client)
    assert isinstance(info.value, (InvalidInputError, NotFoundError))
    assert local_client.list_jobs() == []  # rejected before anything was created


def test_local_unknown_names_are_also_runtime_errors(local_client: TrainerClient) -> None:
    with pytest.raises(RuntimeError):  # one `except` for both backends
        local_client.get_job("nope")


@pytest.mark.parametrize("case", sorted(CLUSTER_RUNTIME_ERRORS))
def test_cluster_runtime_errors(cluster_client: TrainerClient, case: str) -> None:
    with pytest.raises(RuntimeError) as info:
        CLUSTER_RUNTIME_ERRORS[case](cluster_client)
    assert isinstance(info.value, NotFoundError)


@pytest.mark.usefixtures("trainer_reference")  # a runtime beyond the fresh-clone stand-in
@pytest.mark.parametrize("case", sorted(CLUSTER_VALUE_ERRORS))
def test_cluster_value_errors(cluster_client: TrainerClient, kube_emulator: KubeEmulator, case: str) -> None:
    with pytest.raises(ValueError) as info:
        CLUSTER_VALUE_ERRORS[case](cluster_client)
    assert isinstance(info.value, InvalidInputError)
    assert kube_emulator.list_objects("trainer.kubeflow.org/v1alpha1", "TrainJob", "default") == []


def test_cluster_name_taken_is_a_runtime_error(cluster_client: TrainerClient) -> None:
    cluster_client.train(trainer=CustomTrainer(func=hello), options=[Name("taken")])
    with pytest.raises(RuntimeError) as info:
        cluster_client.train(trainer=CustomTrainer(func=hello), options=[Name("taken")])
    assert isinstance(info.value, AlreadyExistsError)


def test_local_wait_timeout_is_a_timeout_error(local_client: TrainerClient) -> None:
    name = local_client.train(trainer=CustomTrainer(func=sleep_long))
    try:
        with pytest.raises(TimeoutError) as info:
            local_client.wait_for_job_status(name, timeout=1, polling_interval=0.5)
        assert isinstance(info.value, OperationTimeoutError)
    finally:
        local_client.delete_job(name)


def test_local_failed_job_is_a_runtime_error(local_client: TrainerClient) -> None:
    name = local_client.train(trainer=CustomTrainer(func=fail))
    with pytest.raises(RuntimeError) as info:
        local_client.wait_for_job_status(name, timeout=120)
    assert isinstance(info.value, JobFailedError)
    assert local_client.get_job(name).status == "Failed"


def test_cluster_wait_timeout_and_failure(cluster_client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = cluster_client.train(trainer=CustomTrainer(func=hello))
    with pytest.raises(TimeoutError):
        cluster_client.wait_for_job_status(name, timeout=1, polling_interval=0.5)
    kube_emulator.controller.run_job("default", name, outcome="Failed", failing_step="node-0", log_lines=["boom"])
    with pytest.raises(RuntimeError) as info:
        cluster_client.wait_for_job_status(name, timeout=30)
    assert isinstance(info.value, JobFailedError)


@pytest.mark.parametrize("status", [503, 500, 403])
def test_cluster_api_errors_are_runtime_errors(kubeconfig_path: Any, kube_emulator: KubeEmulator, status: int) -> None:
    client = TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01))
    kube_emulator.add_fault(Fault(method="GET", path=r"/trainjobs$", status=status, times=None))
    with pytest.raises(RuntimeError):
        client.list_jobs()


def test_cluster_api_timeouts_are_timeout_errors(kubeconfig_path: Any, kube_emulator: KubeEmulator) -> None:
    config = KubernetesBackendConfig(config_file=str(kubeconfig_path), request_timeout=0.3, max_retries=1)
    client = TrainerClient(config)
    kube_emulator.add_fault(Fault(method="GET", path=r"/trainjobs$", status=None, delay=2.0, times=None))
    with pytest.raises(TimeoutError):
        client.list_jobs()


@pytest.mark.parametrize(
    "make",
    [
        lambda: S3DatasetInitializer(storage_uri="bucket/path"),
        lambda: DataCacheInitializer(storage_uri="cache://s/t", metadata_loc="m", num_data_nodes=1),
        lambda: DataCacheInitializer(storage_uri="cache://only-schema", metadata_loc="m", num_data_nodes=2),
        lambda: DataCacheInitializer(storage_uri="s3://s/t", metadata_loc="m", num_data_nodes=2),
        lambda: get_tpu_num_nodes(1, "2x"),
    ],
)
def test_bad_values_are_value_errors(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_cluster_without_kubeconfig_is_a_runtime_error(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubeflow.core.errors import BackendUnavailableError

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing-kubeconfig"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    client = TrainerClient(KubernetesBackendConfig())  # an explicit config wins, even with nothing to connect to
    with pytest.raises(RuntimeError) as caught:
        client.list_runtimes()
    assert isinstance(caught.value, BackendUnavailableError) and "KUBECONFIG" in str(caught.value)
