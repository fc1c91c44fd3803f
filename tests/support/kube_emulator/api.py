"""Request routing: REST paths and verbs to store/registry operations, independent of HTTP plumbing."""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import discovery, logs, watch
from .registry import Registry, TypeIndex, WriteResult
from .resources import ResourceType
from .selectors import FieldSelector, LabelSelector
from .status import ApiError, bad_request, expired, method_not_allowed, not_found, resource_not_found
from .store import Entry, Store, dumps

Query = dict[str, list[str]]
JSON = "application/json"


@dataclass
class Response:
    """An answer: a body, or a chunked ``stream`` of byte chunks."""

    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None


def json_response(status: int, obj: Any, warnings: list[str] | None = None) -> Response:
    """A JSON answer, with ``Warning: 299 - "..."`` headers."""
    headers = [("Warning", f"299 - {json.dumps(w)}") for w in warnings or []]
    return Response(status, dumps(obj), headers=headers)


def error_response(error: ApiError) -> Response:
    """The ``Status`` answer of an error."""
    return Response(error.code, dumps(error.body()), headers=list(error.headers.items()))


def _one(query: Query, key: str) -> str | None:
    values = query.get(key)
    return values[-1] if values else None


def _flag(query: Query, key: str) -> bool:
    return (_one(query, key) or "").lower() in ("true", "1")


def _int(query: Query, key: str) -> int | None:
    value = _one(query, key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"invalid value for {key}: {value!r}") from None


def _delete_options(query: Query, body: bytes) -> dict[str, Any]:
    try:
        options = json.loads(body) if body.strip() else {}
    except ValueError as exc:
        raise bad_request(f"error decoding DeleteOptions: {exc}") from None
    if not isinstance(options, dict):
        raise bad_request("DeleteOptions must be a JSON object")
    for key in ("gracePeriodSeconds", "propagationPolicy"):
        if _one(query, key) is not None:
            options[key] = _one(query, key)
    return options


@dataclass(frozen=True)
class Target:
    """A parsed resource path."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str


class Api:
    """The REST API over a store (what the HTTP server calls for every request)."""

    def __init__(self, store: Store, registry: Registry, types: TypeIndex, logs_store: logs.LogStore) -> None:
        self.store = store
        self.registry = registry
        self.types = types
        self.logs = logs_store
        self.stopping = threading.Event()
        self.bookmark_interval = 1.0
        self.address = "127.0.0.1"

    # ----------------------------------------------------------------- routing
    def handle(self, method: str, path: str, query: Query, content_type: str, body: bytes) -> Response:
        """Answer one request."""
        try:
            return self._route(method, path.rstrip("/") or "/", query, content_type, body)
        except ApiError as error:
            return error_response(error)
        except Exception as exc:  # a bug must answer 500, not kill the connection
            return error_response(ApiError(500, "InternalError", f"Internal error occurred: {exc!r}"))

    def _route(self, method: str, path: str, query: Query, content_type: str, body: bytes) -> Response:
        parts = [p for p in path.split("/") if p]
        types = self.types.all()
        if path in ("/healthz", "/readyz", "/livez"):
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if path == "/version":
            return json_response(200, discovery.VERSION_INFO)
        if path == "/api":
            return json_response(200, discovery.api_versions(self.address))
        if path == "/apis":
            return json_response(200, discovery.api_group_list(types))
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        elif parts[:1] == ["apis"] and len(parts) == 2:
            doc = discovery.api_group(types, parts[1])
            if doc is None:
                raise resource_not_found()
            return json_response(200, doc)
        else:
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        doc = discovery.resource_list(types, group, version)
        if doc is None:
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        if not rest:
            return json_response(200, doc)
        target = self._target(group, version, rest)
        return self._dispatch(method, target, query, content_type, body)

    def _target(self, group: str, version: str, rest: list[str]) -> Target:
        namespace: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            raise resource_not_found()
        rt = self.types.by_path.get((group, version, rest[0]))
        if rt is None or (namespace is not None and not rt.namespaced):
            raise resource_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if sub and not ((sub == "status" and rt.status_subresource) or (sub == "log" and rt.kind == "Pod")):
            raise resource_not_found()
        if rt.namespaced and name is not None and namespace is None:
            raise resource_not_found()
        return Target(rt, namespace, name, sub)

    def _dispatch(self, method: str, t: Target, query: Query, content_type: str, body: bytes) -> Response:
        dry_run = "All" in query.get("dryRun", [])
        strict = _one(query, "fieldValidation") == "Strict"
        quiet = _one(query, "fieldValidation") == "Ignore"
        ns = t.namespace or ""
        if t.name is None:
            if method == "GET":
                if _flag(query, "watch"):
                    return self._watch(t, query)
                return self._list(t, query)
            if method == "POST" and (t.namespace is not None or not t.rt.namespaced):
                result = self.registry.create(
                    t.rt, ns, self._decode(t.rt, content_type, body), dry_run=dry_run, strict=strict
                )
                return self._written(201, result, quiet)
            if method == "DELETE" and (t.namespace is not None or not t.rt.namespaced):
                return self._delete_collection(t, query, dry_run)
            raise method_not_allowed()
        if method == "GET":
            if t.subresource == "log":
                return self._log(t, query)
            obj = self.store.get(t.rt, ns, t.name)
            if obj is None:
                raise not_found(t.rt.group, t.rt.plural, t.name)
            entry = self.store.get_entry(t.rt, ns, t.name)
            return Response(200, entry.raw if entry else dumps(obj))
        if t.subresource == "log":
            raise method_not_allowed()
        if method == "PUT":
            result = self.registry.replace(
                t.rt,
                ns,
                t.name,
                self._decode(t.rt, content_type, body),
                subresource=t.subresource,
                dry_run=dry_run,
                strict=strict,
            )
            return self._written(200, result, quiet)
        if method == "PATCH":
            result = self.registry.patch(
                t.rt, ns, t.name, body, content_type, subresource=t.subresource, dry_run=dry_run, strict=strict
            )
            return self._written(200, result, quiet)
        if method == "DELETE" and not t.subresource:
            options = _delete_options(query, body)
            return json_response(200, self.registry.delete(t.rt, ns, t.name, options, dry_run=dry_run))
        raise method_not_allowed()

    @staticmethod
    def _written(status: int, result: WriteResult, quiet: bool) -> Response:
        return json_response(status, result.obj, [] if quiet else result.warnings)

    @staticmethod
    def _decode(rt: ResourceType, content_type: str, body: bytes) -> Any:
        media = (content_type or JSON).split(";")[0].strip().lower()
        try:
            if media in ("application/yaml", "text/yaml"):
                return yaml.safe_load(body.decode("utf-8"))
            if media != JSON and not media.endswith("+json"):
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    "the body of the request was in an unknown format - "
                    "accepted media types include: application/json, application/yaml, "
                    "application/vnd.kubernetes.protobuf, application/cbor",
                )
            return json.loads(body)
        except (ValueError, yaml.YAMLError) as exc:
            raise bad_request(
                f"the object provided is unrecognized (must be of type {rt.kind}): couldn't get "
                f"version/kind; json parse error: {exc}"
            ) from None

    # ------------------------------------------------------------------- lists
    def _selectors(self, t: Target, query: Query) -> tuple[LabelSelector, FieldSelector]:
        return (
            LabelSelector.parse(_one(query, "labelSelector")),
            FieldSelector.parse(_one(query, "fieldSelector"), t.rt.field_selectors),
        )

    def _list(self, t: Target, query: Query) -> Response:
        labels, fields = self._selectors(t, query)
        limit = _int(query, "limit")
        token = _one(query, "continue")
        after: tuple[str, str] | None = None
        with self.store.lock:
            list_rv = self.store.resource_version
            if token:
                list_rv, after = self._decode_continue(t.rt, token)
            entries = self.store.entries(t.rt, t.namespace, labels, fields, after)
        meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
        if limit and limit > 0 and len(entries) > limit:
            rest = len(entries) - limit
            entries = entries[:limit]
            last = entries[-1].obj["metadata"]
            meta["continue"] = self._encode_continue(t.rt, list_rv, last.get("namespace", ""), last["name"])
            if not labels.requirements and not fields.terms:
                meta["remainingItemCount"] = rest
        return Response(200, self._list_body(t.rt, meta, entries))

    @staticmethod
    def _list_body(rt: ResourceType, meta: dict[str, Any], entries: list[Entry]) -> bytes:
        head = dumps({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})
        return head[:-1] + b',"items":[' + b",".join(e.raw for e in entries) + b"]}"

    @staticmethod
    def _encode_continue(rt: ResourceType, rv: int, namespace: str, name: str) -> str:
        start = f"{namespace}/{name}\x00" if rt.namespaced else f"{name}\x00"
        raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _decode_continue(self, rt: ResourceType, token: str) -> tuple[int, tuple[str, str]]:
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            start, rv = str(data["start"]).rstrip("\x00"), int(data["rv"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad_request(f"continue key is not valid: {token}") from None
        if rv < self.store.compacted:
            raise expired(
                "The provided continue parameter is too old to display a consistent list result. You can "
                "start a new list without the continue parameter, or use the continue token in this "
                "response to retrieve the remainder of the results. Continuing with the provided token "
                "results in an inconsistent list - objects that were created, modified, or deleted between "
                "the time the first chunk was returned and now may show up in the list."
            )
        namespace, _, name = start.rpartition("/") if rt.namespaced else ("", "", start)
        return rv, (namespace, name)

    def _delete_collection(self, t: Target, query: Query, dry_run: bool) -> Response:
        labels, fields = self._selectors(t, query)
        deleted = []
        for entry in self.store.entries(t.rt, t.namespace, labels, fields):
            meta = entry.obj["metadata"]
            try:
                self.registry.delete(t.rt, meta.get("namespace", ""), meta["name"], dry_run=dry_run)
            except ApiError:
                continue
            deleted.append(entry)
        meta_out = {"resourceVersion": str(self.store.resource_version)}
        return Response(200, self._list_body(t.rt, meta_out, deleted))

    # ------------------------------------------------------------------- watch
    def _watch(self, t: Target, query: Query) -> Response:
        labels, fields = self._selectors(t, query)
        rv = _one(query, "resourceVersion")
        if rv not in (None, "") and not rv.isdigit():
            raise bad_request(f"resourceVersion: Invalid value: {json.dumps(rv)}: must be a number")
        timeout = _int(query, "timeoutSeconds")
        request = watch.WatchRequest(
            t.rt,
            t.namespace,
            labels,
            fields,
            rv,
            float(timeout) if timeout else None,
            _flag(query, "allowWatchBookmarks"),
            _flag(query, "sendInitialEvents"),
        )
        chunks = watch.stream(self.store, request, self.stopping, self.bookmark_interval)
        return Response(200, content_type=JSON, stream=chunks)

    # -------------------------------------------------------------------- logs
    def _log(self, t: Target, query: Query) -> Response:
        assert t.name is not None
        ns = t.namespace or ""
        pod = self.store.get(t.rt, ns, t.name)
        if pod is None:
            raise not_found(t.rt.group, t.rt.plural, t.name)
        container = logs.pick_container(pod, _one(query, "container"))
        if _flag(query, "previous"):
            raise bad_request(f'previous terminated container "{container}" in pod "{t.name}" not found')
        if not (pod.get("spec") or {}).get("nodeName"):
            return Response(204, content_type="text/plain")
        logs.check_readable(pod, container)
        options = logs.LogOptions(
            _flag(query, "timestamps"), _int(query, "tailLines"), _int(query, "sinceSeconds"), _int(query, "limitBytes")
        )
        if not _flag(query, "follow"):
            lines = logs.select(self.logs.lines(ns, t.name, container), options)
            return Response(200, logs.render(lines, options), "text/plain")
        uid = pod["metadata"].get("uid")
        rt, name = t.rt, t.name

        def finished() -> bool:
            current = self.store.get(rt, ns, name)
            if current is None or current["metadata"].get("uid") != uid:
                return True
            return "terminated" in logs.container_state(current, container)

        chunks = logs.follow(self.logs, ns, name, container, options, finished, self.stopping)
        return Response(200, content_type="text/plain", stream=chunks)
