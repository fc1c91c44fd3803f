"""``metav1.Status`` bodies and the typed error the emulator raises internally.

Every failure the emulator answers with is an :class:`ApiError`, turned into the exact JSON a
kube-apiserver sends: ``{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
"message": ..., "reason": ..., "details": {...}, "code": ...}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

REASONS: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}

DEFAULT_MESSAGES: dict[int, str] = {
    429: "Too many requests, please try again later.",
    500: "Internal error occurred: injected fault",
    503: "the server is currently unable to handle the request",
    504: "the server was unable to return a response in the time allotted, but may still be processing the request",
}


@dataclass
class ApiError(Exception):
    """A failed API call, answered with a ``Status`` body.

    Attributes:
        code: HTTP status code.
        reason: ``StatusReason`` (``NotFound``, ``AlreadyExists``, ``Invalid``...).
        message: Human readable message, as the apiserver words it.
        details: ``StatusDetails`` (``name``, ``group``, ``kind``, ``causes``...), omitted when empty.
        headers: Extra response headers (``Retry-After``).
    """

    code: int
    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}: {self.message}"

    def body(self) -> dict[str, Any]:
        """Return the ``Status`` object for this error."""
        return failure_status(self.code, self.reason, self.message, self.details)


def failure_status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build a ``Failure`` ``Status`` object with the apiserver's key order."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        body["details"] = details
    body["code"] = code
    return body


def success_status(details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build a ``Success`` ``Status`` object (what a delete of most kinds answers)."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        body["details"] = details
    return body


def _qualified(group: str, resource: str) -> str:
    return f"{resource}.{group}" if group else resource


def _details(name: str, group: str, kind: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    return details


def not_found(group: str, resource: str, name: str) -> ApiError:
    """``pods "x" not found`` (details kind is the plural resource, as in the apiserver)."""
    return ApiError(
        404, "NotFound", f'{_qualified(group, resource)} "{name}" not found', _details(name, group, resource)
    )


def already_exists(group: str, resource: str, name: str) -> ApiError:
    """``trainjobs.trainer.kubeflow.org "x" already exists``."""
    return ApiError(
        409, "AlreadyExists", f'{_qualified(group, resource)} "{name}" already exists', _details(name, group, resource)
    )


def conflict(group: str, resource: str, name: str) -> ApiError:
    """The optimistic-concurrency conflict of an update with a stale ``resourceVersion``."""
    message = (
        f'Operation cannot be fulfilled on {_qualified(group, resource)} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    return ApiError(409, "Conflict", message, _details(name, group, resource))


def bad_request(message: str) -> ApiError:
    """A 400 ``BadRequest`` without details."""
    return ApiError(400, "BadRequest", message)


def method_not_allowed() -> ApiError:
    """The 405 the apiserver answers for a verb a resource does not support."""
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def resource_not_found() -> ApiError:
    """The 404 for a path naming no known resource."""
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def unauthorized() -> ApiError:
    """The 401 for a missing or unknown bearer token."""
    return ApiError(401, "Unauthorized", "Unauthorized")


def expired(message: str) -> ApiError:
    """A 410 ``Expired`` (too old resource version or continue token)."""
    return ApiError(410, "Expired", message)


@dataclass(frozen=True)
class FieldError:
    """One ``field.Error`` of a validation failure.

    Attributes:
        reason: Cause type (``FieldValueRequired``, ``FieldValueInvalid``...).
        field: Field path (``spec.trainer.numNodes``) or ``<nil>`` for the root.
        detail: Message without the field path (``Required value``, ``Invalid value: -1: ...``).
    """

    reason: str
    field: str
    detail: str

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}"

    def cause(self) -> dict[str, str]:
        """Return this error as a ``StatusCause``."""
        return {"reason": self.reason, "message": self.detail, "field": self.field}


def go_value(value: Any) -> str:
    """Render a value the way ``field.Invalid`` prints it (``"abc"``, ``-1``, ``true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def invalid(group: str, kind: str, name: str, errors: list[FieldError]) -> ApiError:
    """A 422 ``Invalid`` with ``details.causes``; message ``Kind.group "name" is invalid: ...``."""
    qualified = f"{kind}.{group}" if group else kind
    joined = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(str(e) for e in errors) + "]"
    details = _details(name, group, kind)
    details["causes"] = [e.cause() for e in errors]
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {joined}', details)


def injected(code: int, retry_after: int | None = None, message: str | None = None) -> ApiError:
    """A failure a :class:`~kube_emulator.faults.Fault` injects (503, 429 with ``Retry-After``...)."""
    reason = REASONS.get(code, "InternalError" if code >= 500 else "BadRequest")
    text = message or DEFAULT_MESSAGES.get(code, f"injected fault ({code})")
    details: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if code == 429 or retry_after is not None:
        seconds = 1 if retry_after is None else retry_after
        details["retryAfterSeconds"] = seconds
        headers["Retry-After"] = str(seconds)
    return ApiError(code, reason, text, details, headers)
