"""Opaque page tokens of the local store and the emulator: the sort key of the last item of the previous page."""

from __future__ import annotations

import base64
import json

from kubeflow.core.errors import InvalidInputError


def encode(key: int, resource_id: int) -> str:
    """The token that continues after the item with sort key `key` and id `resource_id`."""
    return base64.urlsafe_b64encode(json.dumps([key, resource_id]).encode()).decode().rstrip("=")


def decode(token: str) -> tuple[int, int]:
    """The `(key, id)` a token holds.

    Raises:
        InvalidInputError: The token was not made by `encode`.
    """
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key, resource_id = json.loads(raw)
        return int(key), int(resource_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError("nextPageToken", f"{token!r} is not a token this registry issued.") from exc
