"""Showing a job environment being built: a status line on a terminal, one log line per phase otherwise.

kubeflow.core builds job environments with uv and logs on the `kubeflow.core.local.envs` logger records carrying
`extra={"kubeflow_progress": {"phase": ..., "packages": <int or None>, "env": <short id>}}`, with `phase` one of
`resolving`, `downloading`, `installing`, `cached`, `ready`. `env_progress()` renders them while a command runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

LOGGER = "kubeflow.core.local.envs"
"""The logger the environment builder reports on."""
ATTRIBUTE = "kubeflow_progress"
"""The attribute (`extra=` key) of a log record that carries the structured progress."""
FINAL_PHASES = frozenset({"cached", "ready"})


def describe(progress: Mapping[str, Any]) -> str:
    """One line for one progress record, e.g. `Job environment 3f2a9c: downloading 12 packages`."""
    phase = str(progress.get("phase", ""))
    packages = progress.get("packages")
    env = progress.get("env")
    count = f"{packages} " if isinstance(packages, int) and not isinstance(packages, bool) else ""
    plural = "" if packages == 1 else "s"
    what = {
        "resolving": f"resolving {count}requirement{plural}",
        "downloading": f"downloading {count}package{plural}",
        "installing": f"installing {count}package{plural}",
        "cached": "cached, reused",
        "ready": f"ready ({count}package{plural} installed)" if count else "ready",
    }.get(phase, phase or "working")
    return f"Job environment {env}: {what}" if env else f"Job environment: {what}"


class EnvProgressHandler(logging.Handler):
    """Renders environment-build progress records: a live rich status on a terminal, else one line per phase."""

    def __init__(self, *, live: bool, stream: IO[str] | None = None, console: Console | None = None) -> None:
        super().__init__(level=logging.DEBUG)
        self.live = live
        self.stream = stream
        self.console = console
        self._status: Status | None = None
        self._last: tuple[object, object, object] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """Show one record (records without progress are left to other handlers)."""
        progress = getattr(record, ATTRIBUTE, None)
        if not isinstance(progress, Mapping):
            return
        try:
            key = (progress.get("env"), progress.get("phase"), progress.get("packages"))
            if key == self._last:
                return
            self._last = key
            text = describe(progress)
            if self.live:
                self._show_live(text, final=progress.get("phase") in FINAL_PHASES)
            else:
                stream = self.stream or sys.stderr
                stream.write(f"kubeflow: {text}\n")
                stream.flush()
        except Exception:  # a display problem must never break the build
            self.handleError(record)

    def _show_live(self, text: str, *, final: bool) -> None:
        from kubeflow.cli.output import stderr_console

        console = self.console = self.console or stderr_console()
        if final:
            self._stop()
            console.print(f"[green]✓[/green] {text}")
            return
        if self._status is None:
            self._status = console.status(text)
            self._status.start()
        else:
            self._status.update(text)

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def close(self) -> None:
        """Stop the live status, if one is showing."""
        self._stop()
        super().close()


@contextmanager
def env_progress(live: bool | None = None) -> Iterator[EnvProgressHandler]:
    """Render environment-build progress while the block runs (live when stderr is a terminal, by default)."""
    handler = EnvProgressHandler(live=sys.stderr.isatty() if live is None else live)
    logger = logging.getLogger(LOGGER)
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()
