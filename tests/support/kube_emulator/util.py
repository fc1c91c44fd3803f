"""Small helpers shared by the emulator modules: time stamps, generated names, JSON copies."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import datetime, timezone
from typing import TypeVar

T = TypeVar("T")

# k8s.io/apimachinery/pkg/util/rand: consonants and digits without look-alikes.
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def now() -> datetime:
    """Current UTC time."""
    return datetime.now(timezone.utc)


def rfc3339(moment: datetime | None = None) -> str:
    """``2025-01-02T03:04:05Z`` (seconds precision, as metav1.Time)."""
    return (moment or now()).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_nano(moment: datetime | None = None) -> str:
    """``2025-01-02T03:04:05.123456000Z`` (the kubelet's log time stamps)."""
    moment = moment or now()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def random_suffix(length: int = 5) -> str:
    """A random suffix like the apiserver's ``generateName`` (5 chars)."""
    return "".join(random.choice(_ALPHANUMS) for _ in range(length))


def new_uid() -> str:
    """A random object UID."""
    return str(uuid.uuid4())


def is_subdomain(name: str) -> bool:
    """RFC 1123 subdomain, at most 253 characters."""
    return len(name) <= 253 and bool(_SUBDOMAIN.match(name))


def is_label(name: str) -> bool:
    """RFC 1123 label, at most 63 characters."""
    return len(name) <= 63 and bool(_LABEL.match(name))


def clone(obj: T) -> T:
    """Deep copy of JSON data (faster than ``copy.deepcopy`` for plain dicts and lists)."""
    copied: T = json.loads(json.dumps(obj))
    return copied
