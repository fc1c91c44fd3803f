"""Map errors of the `kubernetes` client (`ApiException`) and of urllib3 to the typed hierarchy of `kubeflow.core`.

The API server's own words are kept: `reason` is the `Status.reason` (`NotFound`, `AlreadyExists`, `Invalid`...),
`status` the HTTP code, and the message is the `Status.message`, prefixed with what the SDK was doing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kubeflow.core.errors import (
    AlreadyExistsError,
    BackendError,
    BackendUnavailableError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    KubeflowError,
    NotFoundError,
    OperationTimeoutError,
)


@dataclass(frozen=True)
class ApiStatus:
    """The useful parts of a failed API response (a `metav1.Status` body when the server sent one)."""

    code: int
    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def api_status(exc: object) -> ApiStatus | None:
    """Return the status of an `ApiException`, or `None` if `exc` is not one."""
    code = getattr(exc, "status", None)
    if not isinstance(code, int) or not hasattr(exc, "body"):
        return None
    reason = str(getattr(exc, "reason", "") or "")
    message = ""
    details: dict[str, Any] = {}
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            message = body.strip()[:500]
        else:
            if isinstance(parsed, dict):
                reason = str(parsed.get("reason") or reason)
                message = str(parsed.get("message") or "")
                if isinstance(parsed.get("details"), dict):
                    details = parsed["details"]
    return ApiStatus(code=code, reason=reason, message=message or reason or f"HTTP {code}", details=details)


def _invalid_field(status: ApiStatus) -> str:
    causes = status.details.get("causes")
    if isinstance(causes, list) and causes and isinstance(causes[0], dict) and causes[0].get("field"):
        return str(causes[0]["field"])
    kind = status.details.get("kind")
    name = status.details.get("name")
    if kind and name:
        return f"{kind} {name!r}"
    return "request"


def from_status(status: ApiStatus, action: str | None = None) -> KubeflowError:
    """Build the typed error for a failed API response.

    Args:
        status: The response's code, reason, message and details.
        action: What the SDK was doing, e.g. `get TrainJob 'x'`; prefixed to the message.
    """
    prefix = f"Cannot {action}: " if action else ""
    text = f"{prefix}{status.message}"
    code, reason = status.code, status.reason
    if code == 404:
        return NotFoundError(text, reason=reason or "NotFound", status=code)
    if code == 409:
        if reason == "AlreadyExists":
            return AlreadyExistsError(text, reason=reason, status=code)
        return ConflictError(text, reason=reason or "Conflict", status=code)
    if code in (400, 422):
        fix = "Correct the request; the API server rejected it." if code == 422 else None
        return InvalidInputError(_invalid_field(status), text, fix, reason=reason or "Invalid", status=code)
    if code in (401, 403):
        return ForbiddenError(text, reason=reason or "Forbidden", status=code)
    if code in (429, 502, 503, 504):
        return BackendUnavailableError(text, reason=reason or "ServiceUnavailable", status=code)
    return BackendError(text, reason=reason or None, status=code)


def _transport_kind(exc: BaseException) -> str | None:
    """Classify a urllib3/socket failure: `refused`, `timeout`, `dropped`, or `None` if it is not one."""
    try:
        import urllib3.exceptions as u3
    except ImportError:  # pragma: no cover - urllib3 comes with kubernetes
        return None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (u3.NewConnectionError, ConnectionRefusedError)):
            return "refused"
        if isinstance(current, (u3.TimeoutError, TimeoutError)):
            return "timeout"
        if isinstance(current, (u3.ProtocolError, ConnectionError, u3.SSLError)):
            return "dropped"
        if isinstance(current, u3.MaxRetryError):
            current = current.reason
            continue
        if isinstance(current, u3.HTTPError):
            return "dropped"
        current = current.__cause__ or current.__context__
    return None


def transport_kind(exc: BaseException) -> str | None:
    """Public form of the transport classification, for the retry policy."""
    return _transport_kind(exc)


def translate(exc: BaseException, action: str | None = None) -> BaseException:
    """Return the typed error for `exc` (an `ApiException` or a transport failure); other errors are returned as is.

    Args:
        exc: What the `kubernetes` client raised.
        action: What the SDK was doing, e.g. `create TrainJob 'x'`.
    """
    if isinstance(exc, KubeflowError):
        return exc
    status = api_status(exc)
    if status is not None:
        if status.code == 0:  # the client wraps TLS failures as status 0
            return BackendUnavailableError(
                f"Cannot {action or 'reach the API server'}: {status.reason}", reason="TLSError"
            )
        return from_status(status, action)
    kind = _transport_kind(exc)
    prefix = f"Cannot {action}: " if action else ""
    if kind == "refused":
        return BackendUnavailableError(
            f"{prefix}the Kubernetes API server refused the connection ({_short(exc)}). "
            "Check the kubeconfig context and that the cluster is running.",
            reason="ConnectionRefused",
        )
    if kind == "timeout":
        return OperationTimeoutError(
            f"{prefix}the Kubernetes API server did not answer in time ({_short(exc)}).", reason="Timeout"
        )
    if kind == "dropped":
        return BackendUnavailableError(
            f"{prefix}the connection to the Kubernetes API server was lost ({_short(exc)}).",
            reason="ConnectionLost",
        )
    return exc


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return f"{type(exc).__name__}: {text[:200]}"


__all__ = ["ApiStatus", "api_status", "from_status", "transport_kind", "translate"]
