"""kubeflow.trainer: train and fine-tune models with one API, on this machine or on a Kubernetes cluster.

```python
from kubeflow.trainer import CustomTrainer, TrainerClient
```

Names are loaded on first use, so importing this package stays fast and imports neither `kubernetes` nor `torch`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "2026.12.0"

from kubeflow.trainer.types import __all__ as _TYPE_NAMES  # the types package is itself lazy: this is cheap

_EXPORTS: dict[str, str] = {
    "TrainerClient": "kubeflow.trainer.client",
    "LocalProcessBackendConfig": "kubeflow.core.local.config",
    "KubernetesBackendConfig": "kubeflow.core.kubernetes.config",
    **dict.fromkeys(_TYPE_NAMES, "kubeflow.trainer.types"),
}

if TYPE_CHECKING:
    from kubeflow.core.kubernetes.config import KubernetesBackendConfig
    from kubeflow.core.local.config import LocalProcessBackendConfig
    from kubeflow.trainer.client import TrainerClient
    from kubeflow.trainer.types import (
        BuiltinTrainer,
        CustomTrainer,
        CustomTrainerContainer,
        DataFormat,
        DataType,
        Event,
        HuggingFaceDatasetInitializer,
        HuggingFaceModelInitializer,
        Initializer,
        LoraConfig,
        Loss,
        Runtime,
        RuntimeTrainer,
        S3DatasetInitializer,
        S3ModelInitializer,
        Step,
        TorchTuneConfig,
        TorchTuneInstructDataset,
        TrainerType,
        TrainJob,
        TrainJobTemplate,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeflow.trainer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


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
    "KubernetesBackendConfig",
    "LocalProcessBackendConfig",
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
    "TrainerClient",
    "TrainerType",
    "__version__",
]
