"""Reading every node's log at once: lines prefixed with `[node-i]`, interleaved as they arrive."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Mapping
from typing import Final

ALL_STEPS: Final = "all"
"""The `step` that means every training node."""

_DONE = object()


def interleave(streams: Mapping[str, Iterator[str]]) -> Iterator[str]:
    """Yield `[name] line` from every stream as lines arrive; end when every stream has ended.

    Each stream is drained by its own daemon thread into one queue, so a quiet node never holds back a busy one.
    """
    lines: queue.Queue[tuple[str, object]] = queue.Queue()

    def drain(name: str, stream: Iterator[str]) -> None:
        try:
            for line in stream:
                lines.put((name, line))
        finally:
            lines.put((name, _DONE))

    for name, stream in streams.items():
        threading.Thread(target=drain, args=(name, stream), name=f"kubeflow-logs-{name}", daemon=True).start()
    remaining = len(streams)
    while remaining:
        name, item = lines.get()
        if item is _DONE:
            remaining -= 1
        else:
            yield f"[{name}] {item}"
