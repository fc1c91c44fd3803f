"""Typed helpers over `CustomObjectsApi` and `CoreV1Api`: create, get, list (paginated), patch, delete.

Objects travel as plain dicts (the JSON the server sends), never as generated model classes: responses are read raw
and parsed once, which is several times faster for large lists. Every call is retried per the client's
`RetryPolicy` and failures become the typed errors of `kubeflow.core.errors`.

Creation is idempotent under retry: `create` stamps the object with a client-generated request id
(`REQUEST_ID_ANNOTATION`). When a retried POST meets 409 AlreadyExists for an object carrying the same id, the
first attempt did commit and the stored object is returned; it is never created twice.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeflow.core.errors import AlreadyExistsError, BackendError, NotFoundError
from kubeflow.core.kubernetes import retry
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.errors import api_status
from kubeflow.core.kubernetes.resources import Resource

log = logging.getLogger(__name__)

REQUEST_ID_ANNOTATION = "sdk.kubeflow.org/request-id"
"""Annotation holding the client-generated id of the request that created an object."""
DEFAULT_PAGE_SIZE = 500
MAX_LIST_RESTARTS = 2

Obj = dict[str, Any]


@dataclass
class ListResult:
    """All items of a (paginated) list and the list's `resourceVersion`, to watch from."""

    items: list[Obj] = field(default_factory=list)
    resource_version: str | None = None
    pages: int = 0


def read_json(response: Any) -> Any:
    """Parse the body of a raw (`_preload_content=False`) response and release its connection."""
    try:
        data = response.data
    finally:
        release = getattr(response, "release_conn", None)
        if release is not None:
            release()
    if not data:
        return None
    return json.loads(data)


def request_id(obj: Obj) -> str | None:
    """The request id stamped on an object by `ObjectClient.create`, if any."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(REQUEST_ID_ANNOTATION)
    return str(value) if value is not None else None


class ObjectClient:
    """CRUD on any resource, namespaced or cluster-scoped, custom or core."""

    def __init__(self, kube: KubeClient) -> None:
        self.kube = kube

    # -- dispatch -------------------------------------------------------------------------------------------------

    def _ns(self, resource: Resource, namespace: str | None) -> str | None:
        if not resource.namespaced:
            return None
        return namespace or self.kube.namespace

    def _invoke(self, op: str, resource: Resource, namespace: str | None, **kwargs: Any) -> Any:
        """Call the generated API method for `op` (`create`, `get`, `list`, `patch`, `delete`) raw."""
        kwargs.setdefault("_request_timeout", self.kube.request_timeout)
        kwargs["_preload_content"] = False
        if resource.is_core:
            api = self.kube.api("CoreV1Api")
            verb = "read" if op == "get" else op
            scope = "namespaced_" if resource.namespaced else ""
            method = getattr(api, f"{verb}_{scope}{resource.core_name}")
            if resource.namespaced:
                kwargs["namespace"] = namespace
            return method(**kwargs)
        api = self.kube.api("CustomObjectsApi")
        scope = "namespaced" if resource.namespaced else "cluster"
        method = getattr(api, f"{op}_{scope}_custom_object")
        kwargs.update(group=resource.group, version=resource.version, plural=resource.plural)
        if resource.namespaced:
            kwargs["namespace"] = namespace
        return method(**kwargs)

    def _call(self, action: str, fn: Callable[[], Any]) -> Any:
        return retry.call(lambda: read_json(fn()), self.kube.retry, action)

    # -- operations -----------------------------------------------------------------------------------------------

    def create(self, resource: Resource, body: Obj, namespace: str | None = None) -> Obj:
        """Create an object and return it as stored (uid, resourceVersion, defaults filled in).

        Raises:
            AlreadyExistsError: An object of that name exists and this call did not create it.
        """
        ns = self._ns(resource, namespace)
        sent = copy.deepcopy(body)
        metadata = sent.setdefault("metadata", {})
        annotations = metadata.get("annotations") or {}
        rid = annotations.get(REQUEST_ID_ANNOTATION) or uuid.uuid4().hex
        metadata["annotations"] = {**annotations, REQUEST_ID_ANNOTATION: rid}
        name = metadata.get("name")
        action = f"create {resource.describe(name, ns)}"
        try:
            created: Obj = self._call(action, lambda: self._invoke("create", resource, ns, body=sent))
            return created
        except AlreadyExistsError:
            if not name:
                raise
            existing = self.get_or_none(resource, name, ns)
            if existing is not None and request_id(existing) == rid:
                log.debug("%s: a retried request found the object its first attempt created", action)
                return existing
            raise

    def get(self, resource: Resource, name: str, namespace: str | None = None) -> Obj:
        """Return one object.

        Raises:
            NotFoundError: There is no such object.
        """
        ns = self._ns(resource, namespace)
        found: Obj = self._call(
            f"get {resource.describe(name, ns)}", lambda: self._invoke("get", resource, ns, name=name)
        )
        return found

    def get_or_none(self, resource: Resource, name: str, namespace: str | None = None) -> Obj | None:
        """Return one object, or `None` if it does not exist."""
        try:
            return self.get(resource, name, namespace)
        except NotFoundError:
            return None

    def list_pages(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[Obj]:
        """Yield each page (a list object) of a paginated list, following `continue` tokens."""
        ns = self._ns(resource, namespace)
        action = f"list {resource.plural}" + (f" in namespace {ns!r}" if ns else "")
        token: str | None = None
        while True:
            query: dict[str, Any] = {"limit": page_size}
            if label_selector:
                query["label_selector"] = label_selector
            if field_selector:
                query["field_selector"] = field_selector
            if token:
                query["_continue"] = token
            page: Obj = self._call(action, lambda q=query: self._invoke("list", resource, ns, **q))  # type: ignore[misc]
            yield page
            token = (page.get("metadata") or {}).get("continue") or None
            if not token:
                return

    def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> ListResult:
        """Return every matching object, reading all pages. An expired `continue` token restarts the list."""
        restarts = 0
        while True:
            result = ListResult()
            try:
                for page in self.list_pages(
                    resource,
                    namespace,
                    label_selector=label_selector,
                    field_selector=field_selector,
                    page_size=page_size,
                ):
                    if result.pages == 0:
                        result.resource_version = (page.get("metadata") or {}).get("resourceVersion")
                    result.pages += 1
                    result.items.extend(page.get("items") or [])
                return result
            except BackendError as exc:
                if exc.status != 410 or restarts >= MAX_LIST_RESTARTS:
                    raise
                restarts += 1
                log.debug("list %s: continue token expired, listing again", resource.plural)

    def patch(self, resource: Resource, name: str, patch: Obj, namespace: str | None = None) -> Obj:
        """Apply a JSON merge patch (RFC 7386) and return the object."""
        ns = self._ns(resource, namespace)
        patched: Obj = self._call(
            f"patch {resource.describe(name, ns)}",
            lambda: self._invoke(
                "patch", resource, ns, name=name, body=patch, _content_type="application/merge-patch+json"
            ),
        )
        return patched

    def delete(
        self, resource: Resource, name: str, namespace: str | None = None, *, propagation: str | None = None
    ) -> None:
        """Delete an object.

        Args:
            resource: Its resource.
            name: Its name.
            namespace: Its namespace (default: the client's).
            propagation: `Foreground`, `Background` or `Orphan`; `None` for the server's default.

        Raises:
            NotFoundError: There is no such object.
        """
        ns = self._ns(resource, namespace)
        kwargs: dict[str, Any] = {"name": name}
        if propagation:
            kwargs["propagation_policy"] = propagation
        self._call(f"delete {resource.describe(name, ns)}", lambda: self._invoke("delete", resource, ns, **kwargs))


def is_gone(exc: BaseException) -> bool:
    """Whether an error is HTTP 410 Gone/Expired (a too old resourceVersion or continue token)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status == 410
    found = api_status(exc)
    return found is not None and found.code == 410


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "REQUEST_ID_ANNOTATION",
    "ListResult",
    "ObjectClient",
    "is_gone",
    "read_json",
    "request_id",
]
