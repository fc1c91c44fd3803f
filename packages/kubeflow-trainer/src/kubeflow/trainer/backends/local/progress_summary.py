"""A local job's `TrainerStatus`, kept up to date by reading only what was appended to its progress file.

`get_job` and `list_jobs` (and so every poll of `wait_for_job_status`) show the job's latest report. Re-reading a
long history each time would cost ~30 ms per 1,000 reports; instead each backend remembers, per job, how far it
read and the summary so far (`kubeflow.core.local.progress.summarize` of everything before), and parses only the
complete lines added since. A file of another job of the same name (other creation time or inode) or a shortened
file is read again from the start.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from kubeflow.core.local import progress
from kubeflow.core.local.models import ProgressRecord
from kubeflow.trainer.types import TrainerStatus

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@dataclass
class _Tail:
    generation: str
    inode: int
    offset: int
    summary: ProgressRecord | None


def to_trainer_status(summary: ProgressRecord | None) -> TrainerStatus | None:
    """The public `TrainerStatus` of a summarised history; `None` before any report."""
    if summary is None:
        return None
    return TrainerStatus(
        progress_percent=summary.progress_percent,
        estimated_remaining_seconds=summary.estimated_remaining_seconds,
        metrics=dict(summary.metrics),
        last_updated_time=summary.time,
    )


class ProgressSummaries:
    """Per-job incremental summaries of progress files (thread-safe)."""

    def __init__(self) -> None:
        self._tails: dict[str, _Tail] = {}
        self._lock = threading.Lock()

    def status(self, name: str, path: Path, generation: str = "") -> TrainerStatus | None:
        """The job's latest state from its progress file at `path`.

        `generation` tells jobs of the same name apart (e.g. the creation time): a new one is read from the start.
        """
        with self._lock:
            return to_trainer_status(self._summary(name, path, generation))

    def _summary(self, name: str, path: Path, generation: str) -> ProgressRecord | None:
        try:  # never through a symbolic link; a FIFO or device in the file's place is no history (and never blocks)
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
        except OSError:
            self._tails.pop(name, None)
            return None
        with os.fdopen(fd, "rb") as handle:
            stat = os.fstat(fd)
            if not S_ISREG(stat.st_mode):
                self._tails.pop(name, None)
                return None
            tail = self._tails.get(name)
            if tail is None or (tail.generation, tail.inode) != (generation, stat.st_ino) or stat.st_size < tail.offset:
                tail = _Tail(generation, stat.st_ino, 0, None)
            handle.seek(tail.offset)
            data = handle.read(max(0, stat.st_size - tail.offset))
        complete = data[: data.rfind(b"\n") + 1]  # a line still being written is read next time
        records = [tail.summary] if tail.summary is not None else []
        for line in complete.decode("utf-8", errors="replace").splitlines():
            try:
                records.append(ProgressRecord.model_validate_json(line))
            except ValueError:
                continue
        summary = progress.summarize(records)
        self._tails[name] = _Tail(generation, tail.inode, tail.offset + len(complete), summary)
        return summary


__all__ = ["ProgressSummaries", "to_trainer_status"]
