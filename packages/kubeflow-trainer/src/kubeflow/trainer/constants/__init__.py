"""Names shared by both backends: statuses, steps, default runtime, paths, Kubernetes label keys.

`constants.environment` reads the environment overrides; `constants.constants` is the existing SDK's module.
"""

from __future__ import annotations

import posixpath
from typing import Final

from kubeflow.core.statuses import COMPLETE, CREATED, FAILED, RUNNING

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
UNKNOWN: Final = "Unknown"

DEFAULT_PIP_INDEX_URLS: Final[tuple[str, ...]] = ("https://pypi.org/simple",)

WORKSPACE_PATH: Final = "/workspace"
DATASET_PATH: Final = posixpath.join(WORKSPACE_PATH, "dataset")
"""Where the dataset initializer puts the dataset in a TrainJob's pods."""
MODEL_PATH: Final = posixpath.join(WORKSPACE_PATH, "model")
"""Where the model initializer puts the model in a TrainJob's pods."""

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
