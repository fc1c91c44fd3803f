"""HTTP plumbing: a threaded HTTP/1.1 server with bearer-token auth, faults and request recording."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from .api import Api, Response, error_response
from .faults import Fault, FaultSet
from .status import injected, unauthorized


class Recorded(NamedTuple):
    """One request the emulator answered.

    Attributes:
        method: HTTP method.
        path: URL path (no query string).
        query: Parsed query parameters.
        status: HTTP status sent (0 when the connection was dropped without an answer).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    status: int


class KubeHTTPServer(ThreadingHTTPServer):
    """The listening server; holds what handlers need."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, api: Api, faults: FaultSet, tokens: set[str], require_auth: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api
        self.faults = faults
        self.tokens = tokens
        self.require_auth = require_auth
        self.recorded: list[Recorded] = []
        self.record_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track each connection so :meth:`close_connections` can end it."""
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a finished connection."""
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open client connection (idle keep-alive ones and streams)."""
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def record(self, entry: Recorded) -> None:
        """Append to the request log."""
        with self.record_lock:
            self.recorded.append(entry)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Small header and body writes must not wait for delayed ACKs (40 ms per request otherwise).
    disable_nagle_algorithm = True
    server: KubeHTTPServer

    def version_string(self) -> str:
        return "kube-emulator"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _authorized(self) -> bool:
        if not self.server.require_auth:
            return True
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and token.strip() in self.server.tokens

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api = self.server.api
        if not self._authorized():
            self._finish(method, path, query, error_response(unauthorized()))
            return
        fault = self.server.faults.take(method, path)
        if fault is not None and fault.delay:
            api.stopping.wait(fault.delay)
        if fault is not None and not fault.after_commit and (fault.drop or fault.status):
            self._fault(method, path, query, fault)
            return
        response = api.handle(method, path, query, self.headers.get("Content-Type", ""), body)
        if fault is not None and fault.after_commit and (fault.drop or fault.status):
            if response.stream is not None:
                close = getattr(response.stream, "close", None)
                if close is not None:
                    close()
            self._fault(method, path, query, fault)
            return
        self._finish(method, path, query, response)

    def _fault(self, method: str, path: str, query: dict[str, list[str]], fault: Fault) -> None:
        if fault.drop:
            self.server.record(Recorded(method, path, query, 0))
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        assert fault.status is not None
        self._finish(method, path, query, error_response(injected(fault.status, fault.retry_after, fault.message)))

    def _finish(self, method: str, path: str, query: dict[str, list[str]], response: Response) -> None:
        self.server.record(Recorded(method, path, query, response.status))
        try:
            self.send_response(response.status)
            self.send_header("Audit-Id", str(uuid.uuid4()))
            self.send_header("Cache-Control", "no-cache, private")
            self.send_header("Content-Type", response.content_type)
            for name, value in response.headers:
                self.send_header(name, value)
            if response.stream is not None:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.flush()
                self._stream(response)
                return
            if response.status != 204:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.status != 204:
                self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _stream(self, response: Response) -> None:
        assert response.stream is not None
        try:
            for chunk in response.stream:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except Exception:  # client gone or a stream bug: end this connection only
            self.close_connection = True
        finally:
            close = getattr(response.stream, "close", None)
            if close is not None:
                close()


def serve_in_thread(server: KubeHTTPServer) -> threading.Thread:
    """Run ``serve_forever`` on a daemon thread and return it."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="kube-emulator-http"
    )
    thread.start()
    time.sleep(0)
    return thread
