"""Reading streamed HTTP bodies (watch events, followed logs) line by line, as the bytes arrive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

READ_SIZE = 65536


def iter_lines(response: Any) -> Iterator[str]:
    """Yield the lines of a raw urllib3 response as they arrive, without their line ends.

    A final line without a newline is yielded too. Bytes are decoded as UTF-8 (invalid bytes are replaced), after
    splitting, so multi-byte characters are never cut.
    """
    buffer = bytearray()
    while True:
        chunk = response.read1(READ_SIZE)
        if not chunk:
            break
        buffer.extend(chunk)
        start = 0
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            yield buffer[start:end].rstrip(b"\r").decode("utf-8", "replace")
            start = end + 1
        del buffer[:start]
    if buffer:
        yield buffer.rstrip(b"\r").decode("utf-8", "replace")


def close_response(response: Any) -> None:
    """Close a streamed response from any thread, so that a blocked reader wakes up."""
    shutdown = getattr(response, "shutdown", None)
    if shutdown is not None:
        try:
            shutdown()
        except Exception:  # already closed or released: nothing to wake
            pass
    try:
        response.close()
    except Exception:
        pass
    release = getattr(response, "release_conn", None)
    if release is not None:
        try:
            release()
        except Exception:
            pass


__all__ = ["close_response", "iter_lines"]
