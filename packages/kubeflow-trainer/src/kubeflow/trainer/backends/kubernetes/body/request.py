"""The inputs and the output of the TrainJob body builder: API levels, the runtime as read, the request to send."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

ApiLevel = Literal["v2.0", "v2.1", "v2.2"]
"""The TrainJob shape the installed Kubeflow Trainer accepts.

* `v2.0`: Trainer v2.0.x (`spec.labels`, `spec.annotations`, `spec.podSpecOverrides`).
* `v2.1`: Trainer v2.1.x (`spec.labels`, `spec.annotations`, `spec.podTemplateOverrides`).
* `v2.2`: Trainer v2.2, v2.3 and master (`spec.runtimePatches`, `spec.activeDeadlineSeconds`; no `spec.labels`).
"""

API_LEVELS: Final[tuple[ApiLevel, ...]] = ("v2.0", "v2.1", "v2.2")

RELEASE_NAMES: Final[dict[ApiLevel, str]] = {
    "v2.0": "Kubeflow Trainer v2.0.x",
    "v2.1": "Kubeflow Trainer v2.1.x",
    "v2.2": "Kubeflow Trainer v2.2 or newer",
}


def has_runtime_patches(level: ApiLevel) -> bool:
    """Whether this API level has `spec.runtimePatches` and `spec.activeDeadlineSeconds` (and no `spec.labels`)."""
    return level == "v2.2"


class RuntimeObject(BaseModel):
    """A `ClusterTrainingRuntime` or `TrainingRuntime` exactly as read from the cluster."""

    model_config = ConfigDict(frozen=True)

    name: str
    """The runtime's `metadata.name`; the TrainJob refers to it by this name."""
    kind: Literal["ClusterTrainingRuntime", "TrainingRuntime"]
    """Cluster-scoped or namespaced (a `TrainingRuntime` must live in the TrainJob's namespace)."""
    obj: dict[str, Any]
    """The whole object (`apiVersion`, `kind`, `metadata`, `spec`), as a plain dict."""


class TrainJobRequest(BaseModel):
    """What to send to create one TrainJob: Secrets first, then the TrainJob body.

    The Secrets hold credentials (tokens, keys) that the body references by name through `secretRef`; they are
    kept out of `repr()` so they never reach a log by accident.
    """

    model_config = ConfigDict(frozen=True)

    body: dict[str, Any]
    """The exact TrainJob (`apiVersion: trainer.kubeflow.org/v1alpha1`) to POST."""
    secrets: list[dict[str, Any]] = Field(default_factory=list, repr=False)
    """v1 Secrets to create BEFORE the TrainJob (their names are derived from the job name)."""
