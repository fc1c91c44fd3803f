"""HTTP for the REST store: one urllib3 pool, bearer auth, TLS with a custom CA, retries, typed errors.

Retried (bounded exponential backoff with jitter, the `RetryPolicy` of the Kubernetes client, honouring
`Retry-After`): HTTP 429 and 5xx, dropped connections and timeouts. Never retried: other 4xx and refused
connections. Error bodies (`{"code": ..., "message": ...}`, the spec's `Error`) become the typed errors of
`kubeflow.core.errors`, keeping the server's words and status. The token is sent, never logged or put in a message.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from kubeflow.core.errors import (
    AlreadyExistsError,
    BackendError,
    BackendUnavailableError,
    ForbiddenError,
    InvalidInputError,
    KubeflowError,
    NotFoundError,
    OperationTimeoutError,
)
from kubeflow.core.kubernetes.retry import MAX_RETRY_AFTER, RetryPolicy
from kubeflow.model_registry.config import RestModelRegistryConfig

log = logging.getLogger(__name__)

API_ROOT = "/api/model_registry"
"""Where the API versions live on the server (`/api/model_registry/v1alpha3`, `/api/model_registry/v1`)."""
API_PREFIX = f"{API_ROOT}/v1alpha3"
"""Where the v1alpha3 API lives on the server."""
TOKEN_PATH_ENV = "KF_PIPELINES_SA_TOKEN_PATH"
"""The environment variable naming a token file, read when no token is given (as the upstream client does)."""
SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"


@dataclass(frozen=True)
class Response:
    """A decoded answer: its status, JSON body, and how many attempts it took."""

    status: int
    body: Any
    attempts: int


def server_url(config: RestModelRegistryConfig) -> tuple[str, bool]:
    """`scheme://host:port` of the server and whether to verify its certificate.

    The port and TLS follow kubeflow 0.5: a port in the URL wins, else `port`, else 8080 for `http://` and 443
    otherwise; `is_secure` defaults to `False` for `http://` only, and `is_secure=False` on an `https://` URL keeps
    TLS but skips verification.
    """
    raw = config.base_url.rstrip("/")
    if "://" not in raw:
        raw = ("https://" if config.is_secure is not False else "http://") + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            "base_url", f"{config.base_url!r} is not an http(s) URL.", "Give e.g. https://registry.example.com."
        )
    try:
        url_port = parts.port
    except ValueError:
        raise InvalidInputError("base_url", f"{config.base_url!r} has an invalid port.") from None
    port = url_port or config.port or (8080 if parts.scheme == "http" else 443)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    path = parts.path.rstrip("/")
    for version in ("v1alpha3", "v1"):
        if path.endswith(f"{API_ROOT}/{version}"):
            path = path[: -len(f"{API_ROOT}/{version}")]
    verify = parts.scheme == "https" and config.is_secure is not False
    return f"{parts.scheme}://{host}:{port}{path}", verify


def _token(config: RestModelRegistryConfig) -> str | None:
    if config.user_token is not None:
        return config.user_token.get_secret_value().strip() or None
    candidates = [os.environ[TOKEN_PATH_ENV]] if os.environ.get(TOKEN_PATH_ENV) else [SERVICE_ACCOUNT_TOKEN]
    for candidate in candidates:
        try:
            return Path(candidate).read_text().strip() or None
        except OSError:
            continue
    return None


def _message(body: Any, fallback: str) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return fallback


class HttpTransport:
    """Sends API requests to one server (the pool is made on the first request)."""

    def __init__(self, config: RestModelRegistryConfig, policy: RetryPolicy | None = None) -> None:
        """Check the URL; nothing is contacted yet.

        Raises:
            InvalidInputError: The URL is not http(s), or the CA file does not exist.
        """
        self.config = config
        self.base, self.verify = server_url(config)
        self.prefix = f"{API_ROOT}/{config.api_version}"
        if config.custom_ca is not None and not Path(config.custom_ca).expanduser().is_file():
            raise InvalidInputError(
                "custom_ca", f"{config.custom_ca!r} is not a file.", "Give the path of a PEM CA bundle."
            )
        self.policy = policy or RetryPolicy(max_retries=config.max_retries)
        self._token = _token(config)
        self._pool: Any = None
        self.last_attempts = 0
        """How many attempts the latest request took."""

    def __repr__(self) -> str:
        return f"HttpTransport(base={self.base!r})"

    def _manager(self) -> Any:
        if self._pool is None:
            import urllib3

            timeout = urllib3.Timeout(connect=self.config.timeout_seconds, read=self.config.timeout_seconds)
            kwargs: dict[str, Any] = {"timeout": timeout, "retries": False, "maxsize": 8}
            if self.base.startswith("https://"):
                if self.verify:
                    kwargs["cert_reqs"] = "CERT_REQUIRED"
                    if self.config.custom_ca:
                        kwargs["ca_certs"] = str(Path(self.config.custom_ca).expanduser())
                else:
                    kwargs["cert_reqs"] = "CERT_NONE"
                    kwargs["assert_hostname"] = False
            self._pool = urllib3.PoolManager(**kwargs)
        return self._pool

    def close(self) -> None:
        """Close the pooled connections."""
        if self._pool is not None:
            self._pool.clear()
            self._pool = None

    def request(
        self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None, action: str = ""
    ) -> Response:
        """Send one request (retrying transient failures) and return the decoded answer.

        Raises:
            InvalidInputError: HTTP 400/422.
            ForbiddenError: HTTP 401/403.
            NotFoundError: HTTP 404.
            AlreadyExistsError: HTTP 409.
            BackendError: Another error status, or 5xx after the last retry.
            BackendUnavailableError: The server cannot be reached.
            OperationTimeoutError: The server did not answer in time, after the last retry.
        """
        import urllib3

        params = {key: str(value) for key, value in (query or {}).items() if value is not None}
        url = f"{self.base}{self.prefix}{path}" + (f"?{urlencode(params)}" if params else "")
        headers = {"Accept": "application/json"}
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        what = action or f"{method} {path}"
        attempt = 0
        while True:
            attempt += 1
            self.last_attempts = attempt
            try:
                raw = self._manager().request(method, url, body=data, headers=headers, redirect=False)
            except urllib3.exceptions.NewConnectionError as exc:
                raise BackendUnavailableError(
                    f"Cannot reach the model registry at {self.base} ({what}): {exc.__class__.__name__}.",
                    reason="Unreachable",
                ) from None
            except urllib3.exceptions.SSLError as exc:
                raise BackendUnavailableError(
                    f"TLS with the model registry at {self.base} failed ({what}): {exc}. "
                    "Give the CA that signs its certificate as custom_ca=.",
                    reason="TLSError",
                ) from None
            except (urllib3.exceptions.TimeoutError, urllib3.exceptions.ProtocolError) as exc:
                if attempt > self.policy.max_retries:
                    if isinstance(exc, urllib3.exceptions.TimeoutError):
                        raise OperationTimeoutError(
                            f"The model registry at {self.base} did not answer in time ({what}).", reason="Timeout"
                        ) from None
                    raise BackendUnavailableError(
                        f"The connection to the model registry at {self.base} dropped ({what}).", reason="Dropped"
                    ) from None
                self._sleep(attempt, None, what, type(exc).__name__)
                continue
            status = int(raw.status)
            try:
                decoded = json.loads(raw.data) if raw.data else None
            except ValueError:
                decoded = None
            if status < 400:
                return Response(status, decoded, attempt)
            if (status == 429 or status >= 500) and attempt <= self.policy.max_retries:
                header = raw.headers.get("Retry-After")
                try:
                    retry_after = min(float(header), MAX_RETRY_AFTER) if header is not None else None
                except ValueError:
                    retry_after = None
                self._sleep(attempt, retry_after, what, f"HTTP {status}")
                continue
            raise self._error(status, decoded, what)

    def _sleep(self, attempt: int, retry_after: float | None, what: str, cause: str) -> None:
        wait = self.policy.delay(attempt, retry_after)
        log.debug(
            "retrying %s after %s (attempt %d of %d, in %.2fs)", what, cause, attempt, self.policy.max_retries, wait
        )
        self.policy.sleep(wait)

    @staticmethod
    def _error(status: int, body: Any, what: str) -> KubeflowError:
        message = _message(body, f"HTTP {status}")
        code = body.get("code") if isinstance(body, dict) else None
        reason = str(code) if code else None
        text = f"Model registry refused {what}: {message} (HTTP {status})."
        if status in (400, 422):
            return InvalidInputError("request", text, reason=reason or "BadRequest", status=status)
        if status in (401, 403):
            return ForbiddenError(
                text + " Check user_token (a bearer token the server accepts).",
                reason=reason or "Forbidden",
                status=status,
            )
        if status == 404:
            return NotFoundError(text, reason=reason or "NotFound", status=status)
        if status == 409:
            return AlreadyExistsError(text, reason=reason or "Conflict", status=status)
        return BackendError(text, reason=reason or "ServerError", status=status)


__all__ = ["API_PREFIX", "API_ROOT", "HttpTransport", "Response", "server_url"]
