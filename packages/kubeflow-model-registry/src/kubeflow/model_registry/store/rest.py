"""The REST store: the Model Registry API v1alpha3 (paths, paging, find endpoints) over `HttpTransport`."""

from __future__ import annotations

from typing import Any

from kubeflow.core.errors import AlreadyExistsError, BackendError, NotFoundError
from kubeflow.model_registry.config import RestModelRegistryConfig
from kubeflow.model_registry.store.base import (
    ARTIFACT_TYPE,
    PARENT_FIELD,
    Body,
    Kind,
    OrderBy,
    Page,
    SortOrder,
    describe,
)
from kubeflow.model_registry.store.http import HttpTransport

# kind -> (collection path, find path)
_PATHS: dict[str, tuple[str, str]] = {
    "registered_model": ("/registered_models", "/registered_model"),
    "model_version": ("/model_versions", "/model_version"),
    "model_artifact": ("/model_artifacts", "/model_artifact"),
    "experiment": ("/experiments", "/experiment"),
    "experiment_run": ("/experiment_runs", "/experiment_run"),
    "metric": ("/artifacts", "/artifact"),
    "parameter": ("/artifacts", "/artifact"),
}
# kind -> path of the collection under a parent ({} is the parent id)
_CHILDREN: dict[str, str] = {
    "model_version": "/registered_models/{}/versions",
    "model_artifact": "/model_versions/{}/artifacts",
    "experiment_run": "/experiments/{}/experiment_runs",
    "metric": "/experiment_runs/{}/artifacts",
    "parameter": "/experiment_runs/{}/artifacts",
}


_EXPERIMENT_KINDS = ("experiment", "experiment_run", "metric", "parameter")


class RestStore:
    """A Model Registry server behind `RestModelRegistryConfig`."""

    def __init__(self, config: RestModelRegistryConfig, transport: HttpTransport | None = None) -> None:
        """Check the settings; nothing is contacted yet."""
        self.config = config
        self.http = transport or HttpTransport(config)

    def __repr__(self) -> str:
        return f"RestStore(base={self.http.base!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self.http.close()

    def _experiments(self, kind: str) -> None:
        if kind in _EXPERIMENT_KINDS and self.config.api_version == "v1":
            raise BackendError(
                "The Model Registry API v1 has no experiments (they exist in v1alpha3 only). Use "
                "RestModelRegistryConfig(api_version='v1alpha3') against a server that serves it, or the local store.",
                reason="NotSupported",
            )

    def _post_create(self, kind: Kind, body: Body, parent_id: str | None) -> Body:
        if kind in ARTIFACT_TYPE:
            body = {**body, "artifactType": ARTIFACT_TYPE[kind]}
        path = _CHILDREN[kind].format(parent_id) if kind in ARTIFACT_TYPE and parent_id else _PATHS[kind][0]
        answer = self.http.request("POST", path, body=body, action=f"create {describe(kind, name=body.get('name'))}")
        return dict(answer.body or {})

    def create(self, kind: Kind, body: Body, parent_id: str | None = None) -> Body:
        """Create a resource; a retried POST that meets 409 returns the object its first attempt made."""
        self._experiments(kind)
        try:
            return self._post_create(kind, body, parent_id)
        except AlreadyExistsError:
            if self.http.last_attempts > 1 and body.get("name"):
                parent = body.get(PARENT_FIELD.get(kind, ""), parent_id)
                found = self.find(kind, name=body["name"], parent_id=parent)
                if found is not None:
                    return found
            raise

    def get(self, kind: Kind, resource_id: str) -> Body | None:
        """The resource with that id, or `None`."""
        self._experiments(kind)
        if not resource_id.isdigit():
            return None
        try:
            answer = self.http.request(
                "GET", f"{_PATHS[kind][0]}/{resource_id}", action=f"get {describe(kind, resource_id=resource_id)}"
            )
        except NotFoundError:
            return None
        found: Body = answer.body
        if kind in ARTIFACT_TYPE and found.get("artifactType") != ARTIFACT_TYPE[kind]:
            return None
        return found

    def update(self, kind: Kind, resource_id: str, body: Body) -> Body:
        """PATCH a resource and return the stored one.

        Raises:
            NotFoundError: No such resource.
        """
        self._experiments(kind)
        patch = {key: value for key, value in body.items() if key not in ("id", PARENT_FIELD.get(kind))}
        if kind in ARTIFACT_TYPE:
            patch["artifactType"] = ARTIFACT_TYPE[kind]
            patch.pop("name", None)
        answer = self.http.request(
            "PATCH",
            f"{_PATHS[kind][0]}/{resource_id}",
            body=patch,
            action=f"update {describe(kind, resource_id=resource_id)}",
        )
        updated: Body = answer.body
        return updated

    def find(
        self, kind: Kind, *, name: str | None = None, external_id: str | None = None, parent_id: str | None = None
    ) -> Body | None:
        """The resource with that name (under `parent_id`) or external id, or `None`."""
        self._experiments(kind)
        if kind in ("metric", "parameter") and parent_id is not None and external_id is None:
            query: dict[str, Any] = {"name": name, "artifactType": ARTIFACT_TYPE[kind]}
            answer = self.http.request("GET", _CHILDREN[kind].format(parent_id), query=query)
            items = [item for item in (answer.body or {}).get("items") or [] if item.get("name") == name]
            return items[0] if items else None
        query = {"name": name, "externalId": external_id}
        if external_id is None and parent_id is not None:
            query["parentResourceId"] = parent_id
        what = describe(kind, name=name, external_id=external_id)
        try:
            answer = self.http.request("GET", _PATHS[kind][1], query=query, action=f"find {what}")
        except NotFoundError:
            return None
        found: Body | None = answer.body or None
        return found

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
        """One page of the resources of a kind (under `parent_id`), from the server's own pages."""
        self._experiments(kind)
        query: dict[str, Any] = {
            "pageSize": page_size,
            "orderBy": order_by,
            "sortOrder": sort_order,
            "nextPageToken": page_token or None,
        }
        if parent_id is not None and kind in _CHILDREN:
            path = _CHILDREN[kind].format(parent_id)
            if kind in ARTIFACT_TYPE:
                query["artifactType"] = ARTIFACT_TYPE[kind]
        else:
            path = _PATHS[kind][0]
        answer = self.http.request("GET", path, query=query, action=f"list {kind.replace('_', ' ')}s")
        payload = answer.body or {}
        return Page(list(payload.get("items") or []), str(payload.get("nextPageToken") or ""))

    def log_metric(self, run_id: str, body: Body) -> Body:
        """Record one metric value: POST it to the run's artifacts (the server keeps the history)."""
        self._experiments("metric")
        answer = self.http.request(
            "POST",
            _CHILDREN["metric"].format(run_id),
            body={**body, "artifactType": "metric"},
            action=f"log metric {body.get('name')!r}",
        )
        logged: Body = answer.body
        return logged

    def metric_history(
        self, run_id: str, *, name: str | None = None, page_size: int = 100, page_token: str | None = None
    ) -> Page:
        """One page of a run's metric history."""
        self._experiments("metric")
        query: dict[str, Any] = {"name": name, "pageSize": page_size, "orderBy": "ID", "sortOrder": "ASC"}
        if page_token:
            query["nextPageToken"] = page_token
        answer = self.http.request(
            "GET", f"/experiment_runs/{run_id}/metric_history", query=query, action="get metric history"
        )
        payload = answer.body or {}
        return Page(list(payload.get("items") or []), str(payload.get("nextPageToken") or ""))
