"""Options every backend understands."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from kubeflow.core.names import validate_name
from kubeflow.trainer.types._model import model


@model
class Name:
    """Give the job this name instead of a generated one (an RFC 1035 label, at most 63 characters)."""

    backends: ClassVar[frozenset[str]] = frozenset({"local-process", "kubernetes"})

    name: str
    """The job name."""

    @field_validator("name")
    @classmethod
    def _valid(cls, value: str) -> str:
        return validate_name(value)
