"""Job names: generation and validation (RFC 1035 labels, as Kubernetes and Kubeflow Trainer require)."""

from __future__ import annotations

import re
import secrets
import string

from kubeflow.core.errors import InvalidInputError

_RFC1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_NAME_LENGTH = 63


def validate_name(name: object, field: str = "name") -> str:
    """Return `name` if it is a valid RFC 1035 label (lower-case, starts with a letter, at most 63 characters).

    Raises:
        InvalidInputError: The name is not valid; the message says why and how to fix it.
    """
    if not isinstance(name, str) or not name:
        raise InvalidInputError(field, f"a job name must be a non-empty string, got {name!r}.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            field, f"{name!r} is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed.", "Shorten it."
        )
    if not _RFC1035.match(name):
        raise InvalidInputError(
            field,
            f"{name!r} is not a valid RFC 1035 label.",
            "Use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit.",
        )
    return name


def generate_name(length: int = 12) -> str:
    """A random valid job name: a lower-case letter followed by lower-case hex-like characters."""
    alphabet = string.ascii_lowercase + string.digits
    return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(alphabet) for _ in range(length - 1))
