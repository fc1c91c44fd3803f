"""The public types of `kubeflow.trainer`."""

from kubeflow.core.models import Event
from kubeflow.trainer.types.initializers import (
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    S3DatasetInitializer,
    S3ModelInitializer,
)
from kubeflow.trainer.types.jobs import Runtime, RuntimeTrainer, Step, TrainJob
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
    "TrainerType",
]
