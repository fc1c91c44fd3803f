"""The public types of `kubeflow.trainer`."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubeflow.core.models import Event
    from kubeflow.trainer.types.initializers import (
        HuggingFaceDatasetInitializer,
        HuggingFaceModelInitializer,
        Initializer,
        S3DatasetInitializer,
        S3ModelInitializer,
    )
    from kubeflow.trainer.types.jobs import Runtime, RuntimeTrainer, Step, TrainJob
    from kubeflow.trainer.types.templates import TrainJobTemplate
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


_MODULES = {
    "Event": "kubeflow.core.models",
    **dict.fromkeys(
        (
            "HuggingFaceDatasetInitializer",
            "HuggingFaceModelInitializer",
            "Initializer",
            "S3DatasetInitializer",
            "S3ModelInitializer",
        ),
        "kubeflow.trainer.types.initializers",
    ),
    **dict.fromkeys(("Runtime", "RuntimeTrainer", "Step", "TrainJob"), "kubeflow.trainer.types.jobs"),
    "TrainJobTemplate": "kubeflow.trainer.types.templates",
}


def __getattr__(name: str) -> Any:
    """Load each public type on first use, so importing one module does not import them all."""
    module = _MODULES.get(name, "kubeflow.trainer.types.trainers" if name in __all__ else None)
    if module is None:
        raise AttributeError(f"module 'kubeflow.trainer.types' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "BuiltinTrainer",
    "CustomTrainer",
    "CustomTrainerContainer",
    "DataFormat",
    "DataType",
    "Event",
    "HuggingFaceDatasetInitializer",
    "HuggingFaceModelInitializer",
    "Initializer",
    "LoraConfig",
    "Loss",
    "Runtime",
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
