"""The store contract: create, read, patch, find and page through resources as REST API JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

Kind = Literal[
    "registered_model", "model_version", "model_artifact", "experiment", "experiment_run", "metric", "parameter"
]
"""The resource kinds the client uses."""
OrderBy = Literal["ID", "CREATE_TIME", "LAST_UPDATE_TIME"]
SortOrder = Literal["ASC", "DESC"]
Body = dict[str, Any]

PARENT_FIELD: dict[str, str] = {"model_version": "registeredModelId", "experiment_run": "experimentId"}
"""Kinds whose parent id is a field of their body (the others are linked to their parent by the store)."""
DEFAULT_STATE: dict[str, str] = {
    "registered_model": "LIVE",
    "model_version": "LIVE",
    "experiment": "LIVE",
    "experiment_run": "LIVE",
    "model_artifact": "UNKNOWN",
    "metric": "UNKNOWN",
    "parameter": "UNKNOWN",
}
ARTIFACT_TYPE: dict[str, str] = {"model_artifact": "model-artifact", "metric": "metric", "parameter": "parameter"}


@dataclass(frozen=True)
class Page:
    """One page of a list: its items and the token of the next page (`""` after the last)."""

    items: list[Body]
    next_page_token: str


class RegistryStore(Protocol):
    """What the client needs from a store. Every method may raise the typed errors of `kubeflow.core.errors`."""

    def create(self, kind: Kind, body: Body, parent_id: str | None = None) -> Body:
        """Create a resource under `parent_id` (a model version's artifact, a run's metric) and return it.

        Raises:
            AlreadyExistsError: A resource of the kind has that name (under that parent) or external id.
            NotFoundError: The parent does not exist.
        """
        ...

    def get(self, kind: Kind, resource_id: str) -> Body | None:
        """The resource with that id, or `None`."""
        ...

    def update(self, kind: Kind, resource_id: str, body: Body) -> Body:
        """Apply a PATCH body and return the stored resource.

        Raises:
            NotFoundError: No such resource.
        """
        ...

    def find(
        self, kind: Kind, *, name: str | None = None, external_id: str | None = None, parent_id: str | None = None
    ) -> Body | None:
        """The resource with that name (under `parent_id`) or external id, or `None`."""
        ...

    def list(
        self,
        kind: Kind,
        *,
        parent_id: str | None = None,
        page_size: int = 100,
        order_by: OrderBy = "ID",
        sort_order: SortOrder = "ASC",
        page_token: str | None = None,
    ) -> Page:
        """One page of the resources of a kind (under `parent_id`)."""
        ...

    def log_metric(self, run_id: str, body: Body) -> Body:
        """Record one metric value of a run: the run's metric of that name now holds it, and its history grows."""
        ...

    def metric_history(
        self, run_id: str, *, name: str | None = None, page_size: int = 100, page_token: str | None = None
    ) -> Page:
        """One page of every value a run's metrics took, in the order they were logged."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def describe(
    kind: str, *, name: str | None = None, external_id: str | None = None, resource_id: str | None = None
) -> str:
    """`registered model 'mnist'` and the like, for messages."""
    what = kind.replace("_", " ")
    if name is not None:
        return f"{what} {name!r}"
    if external_id is not None:
        return f"{what} with external id {external_id!r}"
    return f"{what} {resource_id!r}"
