"""The existing `kubeflow` SDK's module path `kubeflow.trainer.types.types`: its names, re-exported.

Each name is defined once, in `kubeflow.trainer.types`; import from there in new code.
"""

from __future__ import annotations

from typing import Final

from kubeflow.core.models import Event
from kubeflow.trainer.types.initializers import (
    DataCacheInitializer,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    S3DatasetInitializer,
    S3ModelInitializer,
)
from kubeflow.trainer.types.jobs import Runtime, RuntimeKind, RuntimeTrainer, Step, TrainJob
from kubeflow.trainer.types.template import TrainJobTemplate
from kubeflow.trainer.types.trainers import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    DataFormat,
    DataType,
    LoraConfig,
    Loss,
    TorchTuneConfig,
    TorchTuneInstructDataset,
    TrainerType,
)

BaseInitializer = (
    HuggingFaceDatasetInitializer
    | S3DatasetInitializer
    | DataCacheInitializer
    | HuggingFaceModelInitializer
    | S3ModelInitializer
)
"""Any dataset or model initializer (a union: `isinstance(x, BaseInitializer)` works as before)."""

TORCH_TUNE: Final = "torchtune"
"""The framework name of the TorchTune built-in trainer."""

__all__ = [
    "TORCH_TUNE",
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
    "TorchTuneConfig",
    "TorchTuneInstructDataset",
    "TrainJob",
    "TrainJobTemplate",
    "TrainerType",
]
