"""Every name and module path a kubeflow 0.5 user imports is there, with the same meaning."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import kubeflow.trainer

# `kubeflow.trainer.__all__` of kubeflow 0.5.0 (PyPI), copied from its `kubeflow/trainer/__init__.py`.
KUBEFLOW_05_TRAINER_ALL = {
    "BuiltinTrainer",
    "CustomTrainer",
    "CustomTrainerContainer",
    "DataCacheInitializer",
    "DataFormat",
    "DATASET_PATH",
    "DataType",
    "Event",
    "HuggingFaceDatasetInitializer",
    "HuggingFaceModelInitializer",
    "Initializer",
    "LoraConfig",
    "Loss",
    "MODEL_PATH",
    "Runtime",
    "RuntimeKind",
    "TorchTuneConfig",
    "TorchTuneInstructDataset",
    "RuntimeTrainer",
    "S3DatasetInitializer",
    "S3ModelInitializer",
    "TrainJobTemplate",
    "TrainerClient",
    "TrainerType",
    "LocalProcessBackendConfig",
    "ContainerBackendConfig",
    "KubernetesBackendConfig",
    "TrainingRuntimeSource",
    "get_tpu_num_nodes",
    "update_trainjob_status",
}

# Every module-level constant of kubeflow 0.5.0's `kubeflow/trainer/constants/constants.py`, with its value where
# this SDK gives it the same meaning (values that depend on the environment are checked in test_compat_env.py).
KUBEFLOW_05_CONSTANTS = {
    "GROUP": "trainer.kubeflow.org",
    "VERSION": "v1alpha1",
    "API_VERSION": "trainer.kubeflow.org/v1alpha1",
    "CLUSTER_TRAINING_RUNTIME_PLURAL": "clustertrainingruntimes",
    "TRAINING_RUNTIME_PLURAL": "trainingruntimes",
    "TRAINJOB_KIND": "TrainJob",
    "TRAINJOB_PLURAL": "trainjobs",
    "TRAINJOB_CREATED": "Created",
    "TRAINJOB_RUNNING": "Running",
    "TRAINJOB_COMPLETE": "Complete",
    "TRAINJOB_FAILED": "Failed",
    "POD_SUCCEEDED": "Succeeded",
    "TRAINJOB_ANCESTOR_LABEL": "trainer.kubeflow.org/trainjob-ancestor-step",
    "RUNTIME_FRAMEWORK_LABEL": "trainer.kubeflow.org/framework",
    "DATASET_INITIALIZER": "dataset-initializer",
    "MODEL_INITIALIZER": "model-initializer",
    "INITIALIZER_ENV_ACCESS_TOKEN": "ACCESS_TOKEN",
    "INITIALIZER_DEFAULT_IGNORE_PATTERNS": ["*.msgpack", "*.h5", "*.bin", "*.pt", "*.pth"],
    "WORKSPACE_PATH": "/workspace",
    "DATASET_PATH": "/workspace/dataset",
    "MODEL_PATH": "/workspace/model",
    "LAUNCHER": "launcher",
    "NODE": "node",
    "CPU_LABEL": "cpu",
    "GPU_LABEL": "nvidia.com/gpu",
    "GPU_MIG_PREFIX": "nvidia.com/mig-",
    "TPU_LABEL": "google.com/tpu",
    "NPU_LABEL": "huawei.com/Ascend910",
    "JOBSET_NAME_LABEL": "jobset.sigs.k8s.io/jobset-name",
    "JOBSET_RJOB_NAME_LABEL": "jobset.sigs.k8s.io/replicatedjob-name",
    "JOB_INDEX_LABEL": "batch.kubernetes.io/job-completion-index",
    "POD_PENDING": "Pending",
    "POD_LABEL_SELECTOR": (
        "jobset.sigs.k8s.io/jobset-name={trainjob_name},jobset.sigs.k8s.io/replicatedjob-name "
        "in (dataset-initializer, model-initializer, launcher, node)"
    ),
    "DEFAULT_PIP_INDEX_URLS": ["https://pypi.org/simple"],
    "DEFAULT_MPI_USER_HOME": "/home/mpiuser",
    "DEFAULT_TRAINING_RUNTIME": "torch-distributed",
    "TORCH_ENV_NUM_PROC_PER_NODE": "PET_NPROC_PER_NODE",
    "TORCH_TUNE_COMMAND": ("tune", "run"),
    "TORCH_TUNE_INSTRUCT_DATASET": "torchtune.datasets.instruct_dataset",
    "DEFAULT_FRAMEWORK_IMAGES": {"torch": "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime"},
    "JOB_NAME_UUID_LENGTH": 11,
    # Shell templates 0.5 built its commands from: kept for code that reads them, unused here.
    "EXEC_FUNC_SCRIPT": None,
    "DEFAULT_COMMAND": None,
    "MPI_COMMAND": None,
    "TORCH_COMMAND": None,
}

# Module paths 0.5 users import, and the names they import from each.
MODULE_PATHS = {
    "kubeflow.trainer.types.types": [
        "BaseInitializer",
        "BuiltinTrainer",
        "CustomTrainer",
        "CustomTrainerContainer",
        "DataCacheInitializer",
        "DataFormat",
        "DataType",
        "Event",
        "HuggingFaceDatasetInitializer",
        "HuggingFaceModelInitializer",
        "Initializer",
        "LoraConfig",
        "Loss",
        "Runtime",
        "RuntimeKind",
        "RuntimeTrainer",
        "S3DatasetInitializer",
        "S3ModelInitializer",
        "Step",
        "TORCH_TUNE",
        "TorchTuneConfig",
        "TorchTuneInstructDataset",
        "TrainJob",
        "TrainJobTemplate",
        "TrainerType",
    ],
    "kubeflow.trainer.api.trainer_client": ["TrainerClient"],
    "kubeflow.trainer.backends.localprocess.backend": ["LocalProcessBackend", "LocalProcessBackendConfig"],
    "kubeflow.trainer.backends.localprocess.types": ["LocalProcessBackendConfig"],
    "kubeflow.trainer.backends.kubernetes.backend": ["KubernetesBackend"],
    "kubeflow.trainer.backends.kubernetes.utils": ["get_tpu_num_nodes"],
    "kubeflow.trainer.backends.container.types": ["ContainerBackendConfig", "TrainingRuntimeSource"],
    "kubeflow.trainer.backends.base": ["RuntimeBackend"],
    "kubeflow.trainer.options": ["Name", "Labels", "Annotations", "TrainerArgs", "TrainerCommand", "RuntimePatch"],
    "kubeflow.trainer.options.localprocess": [],
    "kubeflow.common.types": ["KubernetesBackendConfig"],
    "kubeflow.common.constants": ["DEFAULT_NAMESPACE", "DEFAULT_TIMEOUT", "UNKNOWN"],
    "kubeflow.common.utils": ["get_default_target_namespace", "is_running_in_k8s", "validate_wait_for_job_status"],
}


def test_every_name_of_the_0_5_trainer_all_is_importable() -> None:
    # update_trainjob_status is provided by the job-progress change (helper i7c), merged separately.
    expected = KUBEFLOW_05_TRAINER_ALL - {"update_trainjob_status"}
    assert expected <= set(kubeflow.trainer.__all__)
    for name in expected:
        assert getattr(kubeflow.trainer, name) is not None, name
    namespace: dict[str, object] = {}
    exec(f"from kubeflow.trainer import {', '.join(sorted(expected))}", namespace)  # the user's import line


@pytest.mark.parametrize("module", sorted(MODULE_PATHS))
def test_module_paths_users_import_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    for name in MODULE_PATHS[module]:
        assert hasattr(loaded, name), f"{module}.{name}"


def test_module_paths_re_export_one_definition_per_concept() -> None:
    from kubeflow.common.types import KubernetesBackendConfig as CommonK8sConfig
    from kubeflow.trainer.api.trainer_client import TrainerClient as ApiClient
    from kubeflow.trainer.backends.kubernetes.backend import KubernetesBackend, KubernetesTrainerBackend
    from kubeflow.trainer.backends.local import LocalTrainerBackend
    from kubeflow.trainer.backends.localprocess.backend import LocalProcessBackend, LocalProcessBackendConfig
    from kubeflow.trainer.types import types

    assert ApiClient is kubeflow.trainer.TrainerClient
    assert CommonK8sConfig is kubeflow.trainer.KubernetesBackendConfig
    assert LocalProcessBackendConfig is kubeflow.trainer.LocalProcessBackendConfig
    assert KubernetesBackend is KubernetesTrainerBackend
    assert LocalProcessBackend is LocalTrainerBackend
    for name in ("CustomTrainer", "Runtime", "RuntimeKind", "TrainJob", "TrainJobTemplate", "DataCacheInitializer"):
        assert getattr(types, name) is getattr(kubeflow.trainer, name)


def test_constants_module_has_every_0_5_constant_with_its_value() -> None:
    from kubeflow.trainer.constants import constants

    for name, value in KUBEFLOW_05_CONSTANTS.items():
        assert hasattr(constants, name), name
        if value is not None:
            assert getattr(constants, name) == value, name
    assert constants.POD_LABEL_SELECTOR.format(trainjob_name="j").startswith("jobset.sigs.k8s.io/jobset-name=j,")
    assert kubeflow.trainer.DATASET_PATH == constants.DATASET_PATH
    assert kubeflow.trainer.MODEL_PATH == constants.MODEL_PATH


def test_the_constants_package_keeps_its_own_names() -> None:
    from kubeflow.trainer.constants import DEFAULT_RUNTIME, DEFAULT_STEP, TRAINJOB_COMPLETE, constants

    assert (DEFAULT_RUNTIME, DEFAULT_STEP, TRAINJOB_COMPLETE) == ("torch-distributed", "node-0", "Complete")
    assert constants.TRAINJOB_COMPLETE is TRAINJOB_COMPLETE


def test_common_modules_behave_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from kubeflow.common import constants, utils

    assert (constants.DEFAULT_NAMESPACE, constants.DEFAULT_TIMEOUT, constants.UNKNOWN) == ("default", 120, "Unknown")
    utils.validate_wait_for_job_status(2, 600)
    for polling, timeout in ((2, 0), (0, 600), (5, 2)):
        with pytest.raises(ValueError):
            utils.validate_wait_for_job_status(polling, timeout)
    assert isinstance(utils.is_running_in_k8s(), bool)
    if not utils.is_running_in_k8s():  # no kubeconfig in tests (conftest): the default namespace
        assert utils.get_default_target_namespace() == "default"


def test_common_default_namespace_comes_from_the_kubeconfig_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubeflow.common import utils

    if utils.is_running_in_k8s():
        pytest.skip("running inside a pod: the service account's namespace wins, as in kubeflow 0.5")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: a\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\nusers: [{name: u, user: {}}]\n"
        "contexts:\n- {name: a, context: {cluster: c, user: u, namespace: team-a}}\n"
        "- {name: b, context: {cluster: c, user: u, namespace: team-b}}\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    assert utils.get_default_target_namespace() == "team-a"
    assert utils.get_default_target_namespace("b") == "team-b"


def test_generated_api_models_are_installed_but_not_imported_by_the_sdk() -> None:
    from kubeflow_trainer_api import models

    assert models.TrainerV1alpha1TrainJob.__name__ == "TrainerV1alpha1TrainJob"
    code = (
        "import sys\n"
        "import kubeflow.trainer, kubeflow.common\n"
        "from kubeflow.trainer import TrainerClient, RuntimeKind, TrainJobTemplate, DATASET_PATH, get_tpu_num_nodes\n"
        "bad = sorted(m for m in ('kubernetes', 'torch', 'kubeflow_trainer_api') if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_runtime_kind_and_template_have_0_5_shapes() -> None:
    from kubeflow.trainer import CustomTrainer, Runtime, RuntimeKind, RuntimeTrainer, TrainerType, TrainJobTemplate

    assert RuntimeKind.CLUSTER_TRAINING_RUNTIME.value == "ClusterTrainingRuntime"
    assert RuntimeKind.TRAINING_RUNTIME.value == "TrainingRuntime"
    trainer = RuntimeTrainer(trainer_type=TrainerType.CUSTOM_TRAINER, framework="torch")
    positional = Runtime("mine", trainer, RuntimeKind.TRAINING_RUNTIME)  # 0.5's field order
    assert positional.kind is RuntimeKind.TRAINING_RUNTIME and positional.pretrained_model is None

    def f() -> None:
        print("x")

    template = TrainJobTemplate(trainer=CustomTrainer(func=f), runtime="torch-distributed")
    assert list(template.keys()) == ["trainer", "runtime", "initializer"]
    assert dict(**template) == {"trainer": template.trainer, "runtime": "torch-distributed", "initializer": None}
    with pytest.raises(ValueError):
        TrainJobTemplate(trainer=f)  # type: ignore[arg-type]


def test_train_job_template_is_a_mapping() -> None:
    from collections.abc import Mapping

    from kubeflow.trainer import CustomTrainer, TrainJobTemplate

    def f() -> None:
        print("x")

    template = TrainJobTemplate(trainer=CustomTrainer(func=f), runtime="torch-distributed")
    assert isinstance(template, Mapping)
    assert dict(template.items()) == {"trainer": template.trainer, "runtime": "torch-distributed", "initializer": None}
    assert list(template.values()) == [template.trainer, "torch-distributed", None]
    assert template.get("runtime") == "torch-distributed" and template.get("options", "none") == "none"
    assert "trainer" in template and "options" not in template


def test_get_tpu_num_nodes_computes_as_before() -> None:
    from kubeflow.trainer import get_tpu_num_nodes

    assert get_tpu_num_nodes(1, "2x2") == 1
    assert get_tpu_num_nodes(2, "2x4") == 4
    assert get_tpu_num_nodes(2, "2x2x4", chips_per_host=8) == 4
    assert get_tpu_num_nodes(3, "1x2") == 3  # fewer chips than a host: one host per slice
    for args in ((0, "2x2"), (1, ""), (1, "2"), (1, "2x2x2x2"), (1, "axb"), (1, "0x2"), (1, "2x3"), (1, "2x2", 0)):
        with pytest.raises(ValueError):
            get_tpu_num_nodes(*args)  # type: ignore[arg-type]


def test_kubeflow_common_is_a_typed_package_of_kubeflow_core() -> None:
    import kubeflow.common
    import kubeflow.core

    common = Path(kubeflow.common.__file__).parent
    assert (common / "py.typed").is_file()
    assert common.parent == Path(kubeflow.core.__file__).parent.parent  # shipped by the kubeflow-core distribution
    assert not (common.parent / "__init__.py").exists()  # `kubeflow` stays a PEP 420 namespace
