"""Bounded exponential backoff with jitter for transient API failures.

Retried: HTTP 429 (honouring `Retry-After`), 5xx, reset or dropped connections and timeouts. Never retried: any
other 4xx (bad input, forbidden, not found, conflict) and refused connections (no server is listening; retrying
would only delay the error). After the last attempt the typed error of `kubeflow.core.kubernetes.errors` is raised.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from kubeflow.core.kubernetes.errors import api_status, translate, transport_kind

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 60.0
"""Longest `Retry-After` honoured, in seconds."""


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        base: First backoff delay in seconds; doubled each retry.
        cap: Longest backoff delay in seconds (before jitter; `Retry-After` may ask for more).
        sleep: The sleep function (injectable for tests).
        rng: Source of jitter in [0, 1).
    """

    max_retries: int = 5
    base: float = 0.2
    cap: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    rng: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based): the capped exponential, half of it jittered."""
        ceiling = min(self.cap, self.base * (2.0 ** (attempt - 1)))
        backoff = ceiling / 2 + float(self.rng()) * ceiling / 2
        if retry_after is not None:
            return max(backoff, min(retry_after, MAX_RETRY_AFTER))
        return backoff


def retry_after_seconds(exc: BaseException) -> float | None:
    """The `Retry-After` header of an `ApiException`, in seconds, when it has a numeric one."""
    headers = getattr(exc, "headers", None)
    if not headers:
        return None
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
    except AttributeError:
        return None
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is worth retrying: 429, 5xx, a reset/dropped connection or a timeout."""
    status = api_status(exc)
    if status is not None:
        return status.code == 429 or 500 <= status.code <= 599
    return transport_kind(exc) in ("dropped", "timeout")


def call(fn: Callable[[], T], policy: RetryPolicy, action: str | None = None) -> T:
    """Run `fn`, retrying transient failures per `policy`; raise the typed error of the last failure.

    Args:
        fn: The API call; it must be safe to repeat (reads, or writes made idempotent by the caller).
        policy: Retry bound and backoff.
        action: What the call does (`get TrainJob 'x'`), for messages and logs.
    """
    attempt = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            if not is_transient(exc) or attempt >= policy.max_retries:
                typed = translate(exc, action)
                if typed is exc:
                    raise
                raise typed from exc
            attempt += 1
            wait = policy.delay(attempt, retry_after_seconds(exc))
            status = api_status(exc)
            what = f"HTTP {status.code} {status.reason}" if status else (transport_kind(exc) or type(exc).__name__)
            log.debug(
                "retrying %s after %s (attempt %d of %d, in %.2fs)",
                action or "call",
                what,
                attempt,
                policy.max_retries,
                wait,
            )
            policy.sleep(wait)


__all__ = ["MAX_RETRY_AFTER", "RetryPolicy", "call", "is_transient", "retry_after_seconds"]
