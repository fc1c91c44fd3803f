"""Names shared by both backends: statuses, steps, default runtime, Kubernetes label keys.

Each concept is defined once, here. `kubeflow.trainer.constants.constants` re-exports them under the names the
existing `kubeflow` SDK's module of that path has, for code written against it.
"""

from __future__ import annotations

import os
import posixpath
from typing import Final

from kubeflow.core.models import COMPLETE, CREATED, FAILED, RUNNING

TRAINJOB_CREATED: Final = CREATED
TRAINJOB_RUNNING: Final = RUNNING
TRAINJOB_COMPLETE: Final = COMPLETE
TRAINJOB_FAILED: Final = FAILED

NODE: Final = "node"
LAUNCHER: Final = "launcher"
DATASET_INITIALIZER: Final = "dataset-initializer"
MODEL_INITIALIZER: Final = "model-initializer"
DEFAULT_STEP: Final = "node-0"

DEFAULT_RUNTIME: Final = "torch-distributed"
"""The built-in default runtime (`$DEFAULT_TRAINING_RUNTIME` overrides it, see `default_training_runtime`)."""
UNKNOWN: Final = "Unknown"

PYPI_INDEX_URL: Final = "https://pypi.org/simple"
"""The built-in default package index."""

ENV_DEFAULT_TRAINING_RUNTIME: Final = "DEFAULT_TRAINING_RUNTIME"
ENV_DEFAULT_PIP_INDEX_URLS: Final = "DEFAULT_PIP_INDEX_URLS"
ENV_SYSTEM_NAMESPACE: Final = "KUBEFLOW_SYSTEM_NAMESPACE"
ENV_MPI_USER_HOME: Final = "DEFAULT_MPI_USER_HOME"


def default_training_runtime() -> str:
    """The runtime `train(runtime=None)` uses: `$DEFAULT_TRAINING_RUNTIME`, else `torch-distributed`.

    Read at each call, so setting the variable after import works too (the existing SDK read it at import).
    """
    return os.environ.get(ENV_DEFAULT_TRAINING_RUNTIME) or DEFAULT_RUNTIME


def default_pip_index_urls() -> list[str]:
    """The package indexes a `CustomTrainer` uses by default.

    `$DEFAULT_PIP_INDEX_URLS` (comma-separated: the first is the index URL, the others extra index URLs), else PyPI.
    """
    value = os.environ.get(ENV_DEFAULT_PIP_INDEX_URLS)
    urls = [url.strip() for url in value.split(",") if url.strip()] if value else []
    return urls or [PYPI_INDEX_URL]


def system_namespace() -> str:
    """The namespace of the Kubeflow Trainer control plane: `$KUBEFLOW_SYSTEM_NAMESPACE`, else `kubeflow-system`."""
    return os.environ.get(ENV_SYSTEM_NAMESPACE) or "kubeflow-system"


DEFAULT_TRAINING_RUNTIME: Final = default_training_runtime()
"""`default_training_runtime()` as it was when this module was imported (the existing SDK's constant)."""
DEFAULT_PIP_INDEX_URLS: Final[tuple[str, ...]] = tuple(default_pip_index_urls())
"""`default_pip_index_urls()` as it was when this module was imported (the existing SDK's constant)."""
DEFAULT_MPI_USER_HOME: Final = os.environ.get(ENV_MPI_USER_HOME) or "/home/mpiuser"
"""Home of the MPI user in MPI runtimes' images (`$DEFAULT_MPI_USER_HOME` overrides it)."""

WORKSPACE_PATH: Final = "/workspace"
"""Where the initializers and the trainer share files in a TrainJob's pods."""
DATASET_PATH: Final = posixpath.join(WORKSPACE_PATH, "dataset")
"""Where the dataset initializer puts the dataset: `/workspace/dataset`."""
MODEL_PATH: Final = posixpath.join(WORKSPACE_PATH, "model")
"""Where the model initializer puts the model: `/workspace/model`."""

GROUP: Final = "trainer.kubeflow.org"
VERSION: Final = "v1alpha1"
API_VERSION: Final = f"{GROUP}/{VERSION}"
TRAINJOB_KIND: Final = "TrainJob"
TRAINJOB_PLURAL: Final = "trainjobs"
TRAINING_RUNTIME_KIND: Final = "TrainingRuntime"
TRAINING_RUNTIME_PLURAL: Final = "trainingruntimes"
CLUSTER_TRAINING_RUNTIME_KIND: Final = "ClusterTrainingRuntime"
CLUSTER_TRAINING_RUNTIME_PLURAL: Final = "clustertrainingruntimes"
FRAMEWORK_LABEL: Final = "trainer.kubeflow.org/framework"
SDK_MANAGER: Final = "trainer.kubeflow.org/kubeflow-sdk"
GPU_RESOURCE: Final = "nvidia.com/gpu"
TPU_RESOURCE: Final = "google.com/tpu"
INITIALIZER_DEFAULT_IGNORE_PATTERNS: Final[tuple[str, ...]] = ("*.msgpack", "*.h5", "*.bin", "*.pt", "*.pth")
