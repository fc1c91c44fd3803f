"""`TrainJobTemplate`: a training job described once and run many times (e.g. as the trials of an optimization)."""

from __future__ import annotations

from typing import Any

from kubeflow.trainer.types._model import model
from kubeflow.trainer.types.initializers import Initializer
from kubeflow.trainer.types.jobs import Runtime
from kubeflow.trainer.types.trainers import CustomTrainer


@model
class TrainJobTemplate:
    """The arguments of `TrainerClient.train` kept for later: `client.train(**template)` runs it once.

    `kubeflow.katib.KatibClient.optimize` (and `kubeflow.optimizer.OptimizerClient.optimize`) run it once per
    trial, with the searched parameters merged over the trainer's `func_args`.
    """

    trainer: CustomTrainer
    """The `CustomTrainer` whose function each run calls."""
    runtime: str | Runtime | None = None
    """The runtime (or its name); `None` uses the default runtime."""
    initializer: Initializer | None = None
    """Dataset and model initializers run before each run (Kubernetes)."""

    def keys(self) -> list[str]:
        """The argument names, so that `TrainerClient.train(**template)` works."""
        return ["trainer", "runtime", "initializer"]

    def __getitem__(self, key: str) -> Any:
        """One argument by name (see `keys`)."""
        return getattr(self, key)


__all__ = ["TrainJobTemplate"]
