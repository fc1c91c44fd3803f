"""Live output: log lines as they are written, a progress bar while waiting, and a clean stop on Ctrl-C."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kubeflow.cli.exitcodes import Stopped
from kubeflow.cli.output import compact_metrics, emit_line, human_duration

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["Poller", "ProgressDisplay", "Stopped", "follow"]

_PREFIX = re.compile(r"^\[(?P<step>[^\]\s]+)\] ?(?P<line>.*)$", re.DOTALL)


def follow(lines: Iterable[str], *, json_lines: bool = False, step: str | None = None, on_interrupt: str = "") -> int:
    """Print `lines` as they arrive (or one JSON object per line); return how many were printed.

    With `step="all"` the lines carry a `[node-i] ` prefix, which JSON output turns into the `step` field.

    Raises:
        Stopped: Ctrl-C; `on_interrupt` tells what happens to the job.
    """
    count = 0
    try:
        for line in lines:
            if json_lines:
                record: dict[str, Any] = {"step": step, "line": line}
                if step == "all" and (match := _PREFIX.match(line)):
                    record = {"step": match["step"], "line": match["line"]}
                emit_line(json.dumps(record, ensure_ascii=False))
            else:
                emit_line(line)
            count += 1
    except KeyboardInterrupt:
        raise Stopped(on_interrupt) from None
    return count


class ProgressDisplay:
    """A live bar on stderr for a job being waited on: status, percent, ETA and metrics, redrawn in place.

    Use as a context manager and call `update()` from any thread; with `enabled=False` it does nothing (stderr is
    not a terminal).
    """

    def __init__(self, title: str, *, enabled: bool | None = None) -> None:
        self.title = title
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> ProgressDisplay:
        if not self.enabled:
            return self
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn

        from kubeflow.cli.output import stderr_console

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.fields[metrics]}"),
            console=stderr_console(),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.title, total=None, eta="", metrics="")
        return self

    def update(
        self,
        status: str,
        percent: float | None = None,
        eta_seconds: float | None = None,
        metrics: Mapping[str, Any] | None = None,
    ) -> None:
        """Show the job's latest state."""
        if self._progress is None or self._task is None:
            return
        with self._lock:
            self._progress.update(
                self._task,
                description=f"{self.title} {status}",
                total=100 if percent is not None else None,
                completed=percent or 0,
                eta=f"ETA {human_duration(eta_seconds)}" if eta_seconds is not None else "",
                metrics=compact_metrics(metrics),
            )

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


class Poller:
    """Call `poll()` every `interval` seconds on a daemon thread until stopped (errors are ignored: display only)."""

    def __init__(self, poll: Callable[[], None], interval: float) -> None:
        self._poll = poll
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kubeflow-cli-poller", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll()
            except Exception:  # a failed look only delays the display; the wait itself reports errors
                pass
            self._stop.wait(self._interval)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
