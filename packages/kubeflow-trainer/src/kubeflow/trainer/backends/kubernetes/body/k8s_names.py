"""Kubernetes syntax rules the API server applies to names, label keys and values, and annotations.

They are checked before sending because some of these strings travel inside the TrainJob (runtime patches,
`spec.labels`) and are only applied later to the JobSet by the Trainer controller: a bad one would not be rejected
at creation but would make the job fail later, away from the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kubeflow.core.errors import InvalidInputError

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
_ENV_NAME = re.compile(r"^[^=\x00]+$")
MAX_ANNOTATIONS_BYTES = 256 * 1024


def check_namespace(namespace: str) -> str:
    """Return `namespace` if it is a valid namespace name (an RFC 1123 label, at most 63 characters)."""
    if not isinstance(namespace, str) or len(namespace) > 63 or not _DNS_LABEL.match(namespace):
        raise InvalidInputError(
            "namespace",
            f"{namespace!r} is not a valid namespace name.",
            "Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.",
        )
    return namespace


def is_dns_subdomain(value: str) -> bool:
    """Whether `value` is an RFC 1123 subdomain (at most 253 characters), as object names must be."""
    return len(value) <= 253 and bool(_DNS_SUBDOMAIN.match(value))


def qualified_name_problem(key: object) -> str | None:
    """Why `key` is not a qualified name (`[prefix/]name`, as label keys and resource names are), or `None`."""
    if not isinstance(key, str) or not key:
        return "a key must be a non-empty string"
    prefix, _, name = key.rpartition("/")
    if "/" in key and not prefix:
        return "the prefix before '/' must not be empty"
    if prefix and not is_dns_subdomain(prefix):
        return f"the prefix {prefix!r} must be a DNS subdomain (lower-case, at most 253 characters)"
    if len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return (
            f"the name part {name!r} must be at most 63 characters of letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return None


def check_labels(labels: Mapping[str, str], field: str) -> dict[str, str]:
    """Return `labels` as a dict if every key is a qualified name and every value a valid label value."""
    for key, value in labels.items():
        problem = qualified_name_problem(key)
        if problem is not None:
            raise InvalidInputError(field, f"label key {key!r} is invalid: {problem}.", "Use a valid label key.")
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            raise InvalidInputError(
                field,
                f"label {key!r} has the invalid value {value!r}.",
                "Use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.",
            )
    return dict(labels)


def check_annotations(annotations: Mapping[str, str], field: str) -> dict[str, str]:
    """Return `annotations` as a dict if every key is a qualified name and the total size is within 256 KiB."""
    total = 0
    for key, value in annotations.items():
        problem = qualified_name_problem(key)
        if problem is not None:
            raise InvalidInputError(field, f"annotation key {key!r} is invalid: {problem}.", "Use a valid key.")
        if not isinstance(value, str):
            raise InvalidInputError(field, f"annotation {key!r} must have a string value, got {value!r}.")
        total += len(key.encode()) + len(value.encode())
    if total > MAX_ANNOTATIONS_BYTES:
        raise InvalidInputError(
            field, f"annotations total {total} bytes; Kubernetes allows at most {MAX_ANNOTATIONS_BYTES}.", "Trim them."
        )
    return dict(annotations)


def check_env_name(name: object, field: str) -> str:
    """Return `name` if it can name an environment variable (non-empty, no '=' and no NUL)."""
    if not isinstance(name, str) or not _ENV_NAME.match(name):
        raise InvalidInputError(field, f"{name!r} is not a valid environment variable name.")
    return name
