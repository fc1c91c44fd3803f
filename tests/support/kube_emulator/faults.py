"""Fault injection: error statuses, 429 with ``Retry-After``, dropped connections, slow answers."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One injected fault, matched by HTTP method and a regular expression on the URL path.

    Attributes:
        method: HTTP method to match (``None`` matches any).
        path: Regular expression searched in the path (``re.search``, query string excluded).
        status: HTTP status to answer with (503, 429, 500...), ``None`` to answer normally.
        drop: Close the connection without answering.
        delay: Seconds to wait before handling the request.
        times: How many requests the fault hits (``None``: every matching request).
        after_commit: Apply the request first, then fail/drop the answer (tests idempotent retries).
        retry_after: ``Retry-After`` seconds for a 429 (or any status when set).
        message: Status message (defaults to the apiserver's wording for the code).
    """

    method: str | None = None
    path: str = ".*"
    status: int | None = 503
    drop: bool = False
    delay: float = 0.0
    times: int | None = 1
    after_commit: bool = False
    retry_after: int | None = None
    message: str | None = None
    hits: int = field(default=0, compare=False)

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None


class FaultSet:
    """Thread-safe list of pending faults; each matching request consumes one use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Register a fault (checked in the order added)."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        """Faults not used up yet."""
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first fault matching the request and count the use (removing it when spent)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.hits += 1
                    if fault.times is not None and fault.hits >= fault.times:
                        self._faults.remove(fault)
                    return fault
        return None
