"""`TrainJobTemplate`: a reusable `train()` call (trainer, runtime, initializer), e.g. the trial of a Katib search."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from typing import Any

from kubeflow.trainer.types._model import model
from kubeflow.trainer.types.initializers import Initializer
from kubeflow.trainer.types.jobs import Runtime
from kubeflow.trainer.types.trainers import CustomTrainer

_KEYS = ("trainer", "runtime", "initializer")


@model
class TrainJobTemplate:
    """The arguments of one `TrainerClient.train` call, kept together.

    A mapping of `train()`'s keyword arguments, as in the existing SDK: `client.train(**template)` creates the job.
    """

    trainer: CustomTrainer
    """The function to train with."""
    runtime: Runtime | str | None = None
    """The runtime (or its name); `None` uses the default runtime."""
    initializer: Initializer | None = None
    """Where the dataset and the model come from."""

    def keys(self) -> list[str]:
        """The keyword arguments of `train()` this template holds: `trainer`, `runtime`, `initializer`."""
        return list(_KEYS)

    def __getitem__(self, key: str) -> Any:
        if key not in _KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of `key` (`trainer`, `runtime` or `initializer`), or `default` for any other key."""
        return getattr(self, key) if key in _KEYS else default

    def items(self) -> ItemsView[str, Any]:
        """The `(keyword, value)` pairs `client.train(**template)` passes."""
        return ItemsView(self._as_dict())

    def values(self) -> ValuesView[Any]:
        """The values of `trainer`, `runtime` and `initializer`, in that order."""
        return ValuesView(self._as_dict())

    def _as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _KEYS}


# A read-only mapping of `train()`'s keyword arguments: `isinstance(template, collections.abc.Mapping)` holds.
Mapping.register(TrainJobTemplate)
