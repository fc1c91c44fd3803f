"""Reading node logs: all lines, the last lines, or following a log as it is written until its node ends."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_SECONDS = 0.02
"""How often a followed log is checked for new data."""
_CHUNK = 65536


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "replace").rstrip("\r")


def read_lines(path: Path) -> Iterator[str]:
    """Yield the lines of a log written so far (without line ends); nothing if it does not exist."""
    try:
        handle = open(path, "rb")
    except OSError:
        return
    with handle:
        for raw in handle:
            yield _decode(raw.rstrip(b"\n"))


def tail_lines(path: Path, count: int) -> list[str]:
    """The last `count` lines of a log (empty if it does not exist)."""
    if count <= 0:
        return []
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            block = min(size, max(_CHUNK, 512 * count))
            handle.seek(size - block)
            data = handle.read()
    except OSError:
        return []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if block < size and lines:
        lines.pop(0)  # probably cut in the middle
    return [_decode(line) for line in lines[-count:]]


def follow_lines(path: Path, ended: Callable[[], bool], poll: float = POLL_SECONDS) -> Iterator[str]:
    """Yield lines of a log as they are written, until `ended()` is true and everything written has been read.

    The log may not exist yet (a node not started): it is waited for. A last line without a line end is yielded
    when the node has ended.
    """
    handle = None
    pending = b""
    try:
        while True:
            finished = ended()  # checked before reading, so nothing written before the end is missed
            if handle is None:
                try:
                    handle = open(path, "rb")
                except OSError:
                    handle = None
            got_data = False
            if handle is not None:
                while chunk := handle.read(_CHUNK):
                    got_data = True
                    pending += chunk
                    *complete, pending = pending.split(b"\n")
                    for raw in complete:
                        yield _decode(raw)
            if finished:
                if pending:
                    yield _decode(pending)
                return
            if not got_data:
                time.sleep(poll)
    finally:
        if handle is not None:
            handle.close()
