"""Reading node logs: all lines, the last lines, or following one or several logs as they are written.

Work is linear in the bytes read and memory is bounded: a line longer than `MAX_LINE_BYTES` (e.g. progress bars
redrawn with a carriage return and never ended with a line feed) is yielded in pieces of at most that size. Following several
logs at once (`follow_many`) runs in the caller's thread: nothing is read ahead of the consumer, and closing (or
dropping) the iterator stops all reading.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

POLL_SECONDS = 0.02
"""How often a followed log is checked for new data."""
MAX_LINE_BYTES = 1 << 20
"""A longer line is yielded in pieces of at most this many bytes (bounded memory whatever a node prints)."""
_CHUNK = 65536
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "replace").rstrip("\r")


def _open(path: Path) -> BinaryIO | None:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    return os.fdopen(fd, "rb")


def _cut(data: bytes, limit: int) -> int:
    """Where to cut `data` (longer than `limit`) so no UTF-8 character is split."""
    cut = limit
    while cut > limit - 4 and cut > 0 and data[cut] & 0xC0 == 0x80:
        cut -= 1
    return cut if cut > 0 else limit


class _Splitter:
    """Turns chunks of bytes into lines in linear time, holding at most `MAX_LINE_BYTES` of an unfinished line."""

    def __init__(self, limit: int = MAX_LINE_BYTES) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, chunk: bytes) -> Iterator[str]:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                break
            piece = chunk[start:end]
            if self.parts:
                piece = b"".join([*self.parts, piece])
                self.parts, self.size = [], 0
            yield from self._emit(piece, final=True)
            start = end + 1
        rest = chunk[start:]
        if rest:
            self.parts.append(rest)
            self.size += len(rest)
            if self.size > self.limit:
                data = b"".join(self.parts)
                self.parts, self.size = [], 0
                while len(data) > self.limit:
                    cut = _cut(data, self.limit)
                    yield _decode(data[:cut])
                    data = data[cut:]
                if data:
                    self.parts, self.size = [data], len(data)

    def _emit(self, data: bytes, *, final: bool) -> Iterator[str]:
        while len(data) > self.limit:
            cut = _cut(data, self.limit)
            yield _decode(data[:cut])
            data = data[cut:]
        if final:
            yield _decode(data)

    def flush(self) -> Iterator[str]:
        if self.parts:
            data = b"".join(self.parts)
            self.parts, self.size = [], 0
            yield from self._emit(data, final=True)


def read_lines(path: Path) -> Iterator[str]:
    """Yield the lines of a log written so far (without line ends); nothing if it does not exist."""
    handle = _open(path)
    if handle is None:
        return
    splitter = _Splitter()
    with handle:
        while chunk := handle.read(_CHUNK):
            yield from splitter.feed(chunk)
    yield from splitter.flush()


def tail_lines(path: Path, count: int) -> list[str]:
    """The last `count` lines of a log (empty if it does not exist)."""
    if count <= 0:
        return []
    handle = _open(path)
    if handle is None:
        return []
    try:
        with handle:
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
    return [_decode(line[-MAX_LINE_BYTES:]) for line in lines[-count:]]


def follow_lines(path: Path, ended: Callable[[], bool], poll: float = POLL_SECONDS) -> Iterator[str]:
    """Yield lines of a log as they are written, until `ended()` is true and everything written has been read.

    The log may not exist yet (a node not started): it is waited for. A last line without a line end is yielded
    when the node has ended.
    """
    for _name, line in follow_many({"": (path, ended)}, poll):
        yield line


def follow_many(
    logs: Mapping[str, tuple[Path, Callable[[], bool]]], poll: float = POLL_SECONDS
) -> Iterator[tuple[str, str]]:
    """Yield `(name, line)` from several logs as they are written, until each has ended and been read.

    One pass reads at most one chunk of each log, so a busy log never holds back a quiet one. Nothing is read
    before the consumer asks for it (a slow consumer slows the reading, memory stays bounded), and no thread is
    used: closing or dropping the iterator stops everything.

    Args:
        logs: Name -> (log path, a callable telling whether its writer has ended).
        poll: Seconds to sleep when no log had new data.
    """
    handles: dict[str, BinaryIO | None] = dict.fromkeys(logs)
    splitters = {name: _Splitter() for name in logs}
    active = list(logs)
    try:
        while active:
            got_data = False
            for name in list(active):
                path, ended = logs[name]
                finished = ended()  # checked before reading, so nothing written before the end is missed
                handle = handles[name]
                if handle is None:
                    handle = handles[name] = _open(path)
                if handle is not None:
                    reads = 0
                    while reads < 16 and (chunk := handle.read(_CHUNK)):
                        reads += 1
                        got_data = True
                        for line in splitters[name].feed(chunk):
                            yield name, line
                    if reads == 16:
                        continue  # more to read: come back on the next pass, after the others had a turn
                if finished:
                    for line in splitters[name].flush():
                        yield name, line
                    active.remove(name)
            if active and not got_data:
                time.sleep(poll)
    finally:
        for handle in handles.values():
            if handle is not None:
                handle.close()
