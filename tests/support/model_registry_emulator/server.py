"""The emulator's HTTP server and in-memory store (see the package docstring)."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from model_registry_emulator.schema import Spec

BASE = "/api/model_registry/v1alpha3"
V1 = "/api/model_registry/v1"
_V1_MISSING = ("/experiments", "/experiment", "/experiment_runs", "/experiment_run")
Body = dict[str, Any]

# collection -> (kind, parent field or None)
_KINDS = {
    "registered_models": "registered_model",
    "model_versions": "model_version",
    "model_artifacts": "model_artifact",
    "experiments": "experiment",
    "experiment_runs": "experiment_run",
    "artifacts": "artifact",
}
_FIND = {
    "registered_model": "registered_model",
    "model_version": "model_version",
    "model_artifact": "model_artifact",
    "experiment": "experiment",
    "experiment_run": "experiment_run",
    "artifact": "artifact",
}
_PARENT_FIELD = {"model_version": "registeredModelId", "experiment_run": "experimentId"}
_DEFAULT_STATE = {"registered_model": "LIVE", "model_version": "LIVE", "experiment": "LIVE", "experiment_run": "LIVE"}
_ARTIFACT_KINDS = {
    "model-artifact": "model_artifact",
    "metric": "artifact",
    "parameter": "artifact",
    "doc-artifact": "artifact",
    "dataset-artifact": "artifact",
}


class ApiError(Exception):
    """An error answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Store:
    """Resources by id, with their kind, parent and times."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[str, Body] = {}
        self.meta: dict[str, tuple[str, str | None, int, int]] = {}  # id -> kind, parent, created, updated
        self.history: dict[str, list[Body]] = {}
        self.next_id = 1
        self.clock = 0

    def now(self) -> int:
        self.clock = max(self.clock + 1, int(time.time() * 1000))
        return self.clock

    def kind_of(self, rid: str) -> str | None:
        return self.meta[rid][0] if rid in self.meta else None

    def _group(self, kind: str) -> str:
        return "artifact" if kind in ("model_artifact", "artifact") else kind

    def conflict(self, kind: str, parent: str | None, body: Body, own: str | None) -> None:
        for rid, row in self.rows.items():
            if rid == own or self._group(self.meta[rid][0]) != self._group(kind):
                continue
            if body.get("name") is not None and row.get("name") == body["name"] and self.meta[rid][1] == parent:
                if self._group(kind) != "artifact" or row.get("artifactType") == body.get("artifactType"):
                    raise ApiError(409, f"{kind} with name {body['name']!r} already exists")
            if body.get("externalId") is not None and row.get("externalId") == body["externalId"]:
                raise ApiError(409, f"{kind} with externalId {body['externalId']!r} already exists")

    def create(self, kind: str, body: Body, parent: str | None) -> Body:
        with self.lock:
            self.conflict(kind, parent, body, None)
            rid = str(self.next_id)
            self.next_id += 1
            now = self.now()
            row = {k: v for k, v in body.items() if k not in ("id", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch")}
            if kind in _DEFAULT_STATE:
                row.setdefault("state", _DEFAULT_STATE[kind])
            if kind in ("model_artifact", "artifact"):
                row.setdefault("state", "UNKNOWN")
            if kind == "experiment_run":
                row.setdefault("status", "RUNNING")
                row.setdefault("startTimeSinceEpoch", str(now))
            row.update(id=rid, createTimeSinceEpoch=str(now), lastUpdateTimeSinceEpoch=str(now))
            self.rows[rid] = row
            self.meta[rid] = (kind, parent, now, now)
            return dict(row)

    def update(self, rid: str, kind: str, body: Body) -> Body:
        with self.lock:
            if self.kind_of(rid) is None or self._group(self.kind_of(rid) or "") != self._group(kind):
                raise ApiError(404, f"{kind} {rid} not found")
            meta = self.meta[rid]
            self.conflict(kind, meta[1], {"externalId": body.get("externalId")}, rid)
            row = self.rows[rid]
            row.update(
                {
                    k: v
                    for k, v in body.items()
                    if k not in ("id", "name", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch")
                }
            )
            now = self.now()
            row["lastUpdateTimeSinceEpoch"] = str(now)
            self.meta[rid] = (meta[0], meta[1], meta[2], now)
            return dict(row)

    def get(self, rid: str, kind: str) -> Body:
        with self.lock:
            found = self.kind_of(rid)
            if found is None or self._group(found) != self._group(kind):
                raise ApiError(404, f"{kind} {rid} not found")
            return dict(self.rows[rid])

    def select(
        self, kind: str, parent: str | None, pred: Callable[[Body], bool] = lambda _: True
    ) -> list[tuple[Body, tuple[str, str | None, int, int]]]:
        with self.lock:
            return [
                (dict(row), self.meta[rid])
                for rid, row in self.rows.items()
                if (self.meta[rid][0] == kind or kind == "artifact" and self._group(self.meta[rid][0]) == "artifact")
                and (parent is None or self.meta[rid][1] == parent)
                and pred(row)
            ]


def _page(items: list[tuple[Body, tuple[str, str | None, int, int]]], query: dict[str, str]) -> Body:
    order = query.get("orderBy", "ID")
    key = {
        "ID": lambda m: int(m[0]["id"]),
        "CREATE_TIME": lambda m: (m[1][2], int(m[0]["id"])),
        "LAST_UPDATE_TIME": lambda m: (m[1][3], int(m[0]["id"])),
    }[order]
    items = sorted(items, key=key, reverse=query.get("sortOrder", "ASC") == "DESC")
    size = int(query.get("pageSize", "100"))
    start = 0
    if query.get("nextPageToken"):
        try:
            start = int(base64.urlsafe_b64decode(query["nextPageToken"].encode()).decode().split(":", 1)[1])
        except (ValueError, IndexError):
            raise ApiError(400, "invalid nextPageToken") from None
    chunk = [row for row, _ in items[start : start + size]]
    more = start + size < len(items)
    token = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode() if more else ""
    return {"items": chunk, "nextPageToken": token, "pageSize": size, "size": len(chunk)}


class ModelRegistryEmulator:
    """The emulator; use as a context manager or call `start()` / `stop()`."""

    def __init__(
        self, spec: Spec | None = None, *, token: str | None = None, tls: ssl.SSLContext | None = None, v1: bool = True
    ) -> None:
        self.spec = spec
        self.v1 = v1
        """Also serve the API under `/api/model_registry/v1` (same resources and JSON, no experiments), as newer
        servers do for the upstream client 0.3.18+; those exchanges are validated against the v1alpha3 spec."""
        self.token = token
        self.tls = tls
        self.store = Store()
        self.violations: list[str] = []
        self.faults: list[tuple[int, float | None]] = []
        """(status, Retry-After) answers to give to the next requests, in order."""
        self.lost_answers: list[tuple[str, str, int]] = []
        """(method, path suffix, status): serve the next matching request, then answer `status` instead (the
        change is made but the client never hears of it, as when a proxy drops the answer)."""
        self.requests: list[tuple[str, str, dict[str, str], str | None]] = []
        """(method, path, query, Authorization header) of every request served."""
        self.validated = 0
        """How many requests and responses were validated against the spec."""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def start(self) -> ModelRegistryEmulator:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self, method: str) -> None:
                emulator._handle(self, method)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="model-registry-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ModelRegistryEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        if self.v1 and (parts.path == V1 or parts.path.startswith(V1 + "/")):
            rest = parts.path[len(V1) :]
            if rest.startswith(_V1_MISSING):
                parts = parts._replace(path="/not-in-v1" + rest)
            else:
                parts = parts._replace(path=BASE + rest)
        query_lists = parse_qs(parts.query, keep_blank_values=True)
        query = {key: values[-1] for key, values in query_lists.items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        auth = handler.headers.get("Authorization")
        self.requests.append((method, urlsplit(handler.path).path, query, auth))
        status, body, headers = 500, None, {}
        try:
            body_in = json.loads(raw) if raw else None
            if self.spec is not None:
                self.validated += 1
                problems = self.spec.check_request(method, parts.path, query_lists, body_in)
                if problems:
                    self.violations += problems
                    raise ApiError(400, "; ".join(problems))
            if self.token is not None and auth != f"Bearer {self.token}":
                raise ApiError(401, "missing or wrong bearer token")
            if self.faults:
                fault, retry_after = self.faults.pop(0)
                headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                raise ApiError(fault, "injected fault")
            status, body = self._route(method, parts.path, query, body_in)
            lost = next((x for x in self.lost_answers if x[0] == method and parts.path.endswith(x[1])), None)
            if lost is not None:
                self.lost_answers.remove(lost)
                raise ApiError(lost[2], "injected fault")
        except ApiError as exc:
            status, body = exc.status, {"code": str(exc.status), "message": exc.message}
        except (ValueError, KeyError) as exc:
            status, body = 400, {"code": "400", "message": f"bad request: {exc}"}
        if self.spec is not None and not (status == 429 and body and body.get("message") == "injected fault"):
            self.validated += 1
            self.violations += self.spec.check_response(method, parts.path, status, body)
        data = json.dumps(body).encode() if body is not None else b""
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:  # noqa: C901
        if not path.startswith(BASE):
            raise ApiError(404, "not found")
        segments = path[len(BASE) :].strip("/").split("/")
        store = self.store
        if len(segments) == 1 and segments[0] in _FIND and method == "GET":
            return 200, self._find(_FIND[segments[0]], query)
        collection = segments[0]
        kind = _KINDS.get(collection)
        if kind is None:
            raise ApiError(404, f"unknown collection {collection}")
        if len(segments) == 1:
            if method == "POST":
                parent = None
                if kind in _PARENT_FIELD:
                    parent = body[_PARENT_FIELD[kind]]
                    store.get(parent, {"model_version": "registered_model", "experiment_run": "experiment"}[kind])
                return 201, store.create(kind, body, parent)
            return 200, _page(store.select(kind, None), query)
        rid = segments[1]
        if len(segments) == 2:
            if rid == "metric_history" and kind == "experiment_run":
                return 200, self._history(None, query)
            if method == "GET":
                return 200, store.get(rid, kind)
            if method == "PATCH":
                return 200, store.update(rid, kind, body)
            raise ApiError(405, "method not allowed")
        child = segments[2]
        if kind == "registered_model" and child == "versions":
            store.get(rid, kind)
            if method == "POST":
                return 201, store.create("model_version", {**body, "registeredModelId": rid}, rid)
            return 200, _page(store.select("model_version", rid, self._named(query)), query)
        if kind in ("model_version", "experiment_run") and child == "artifacts":
            store.get(rid, kind)
            if method == "POST":
                return self._post_artifact(rid, kind, body)
            wanted = query.get("artifactType")
            rows = store.select(
                "artifact", rid, lambda r: (wanted is None or r.get("artifactType") == wanted) and self._named(query)(r)
            )
            return 200, _page(rows, query)
        if kind == "experiment" and child == "experiment_runs":
            store.get(rid, kind)
            if method == "POST":
                return 201, store.create("experiment_run", {**body, "experimentId": rid}, rid)
            return 200, _page(store.select("experiment_run", rid, self._named(query)), query)
        if kind == "experiment_run" and child == "metric_history":
            store.get(rid, kind)
            return 200, self._history(rid, query)
        raise ApiError(404, "not found")

    @staticmethod
    def _named(query: dict[str, str]) -> Callable[[Body], bool]:
        name, external = query.get("name"), query.get("externalId")
        return lambda row: (
            (name is None or row.get("name") == name) and (external is None or row.get("externalId") == external)
        )

    def _post_artifact(self, parent: str, parent_kind: str, body: Body) -> tuple[int, Body]:
        kind = _ARTIFACT_KINDS[body["artifactType"]]
        store = self.store
        if body["artifactType"] == "metric" and parent_kind == "experiment_run":
            existing = store.select(
                "artifact", parent, lambda r: r.get("artifactType") == "metric" and r.get("name") == body.get("name")
            )
            if existing:
                row = store.update(existing[0][0]["id"], "artifact", body)
                status = 200
            else:
                row = store.create(kind, body, parent)
                status = 201
            with store.lock:
                store.history.setdefault(parent, []).append(dict(row))
            return status, row
        return 201, store.create(kind, body, parent)

    def _history(self, run: str | None, query: dict[str, str]) -> Body:
        store = self.store
        with store.lock:
            runs = [run] if run is not None else list(store.history)
            rows = [row for r in runs for row in store.history.get(r, [])]
        if query.get("name"):
            rows = [row for row in rows if row.get("name") == query["name"]]
        if query.get("stepIds"):
            steps = {int(s) for s in query["stepIds"].split(",")}
            rows = [row for row in rows if row.get("step") in steps]
        size = int(query.get("pageSize", "100"))
        start = (
            int(base64.urlsafe_b64decode(query["nextPageToken"]).decode().split(":")[1])
            if query.get("nextPageToken")
            else 0
        )
        chunk = rows[start : start + size]
        more = start + size < len(rows)
        token = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode() if more else ""
        return {"items": chunk, "nextPageToken": token, "pageSize": size, "size": len(chunk)}

    def _find(self, kind: str, query: dict[str, str]) -> Body:
        name, external, parent = query.get("name"), query.get("externalId"), query.get("parentResourceId")
        if name is None and external is None:
            raise ApiError(400, "name or externalId is required")
        rows = self.store.select(kind, parent if external is None else None, self._named(query))
        if not rows:
            raise ApiError(404, f"no {kind} found")
        return rows[0][0]
