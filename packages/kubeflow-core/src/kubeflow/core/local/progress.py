"""Progress and metrics a running local job reports about itself: an append-only record in its job directory.

Every node of a local job is started with `PROGRESS_ENV` naming `<job dir>/progress.jsonl` and `NODE_ENV` naming
the node. `report()` (called from inside the job, e.g. by `update_trainjob_status` or a tuner's `report_metrics`)
appends one JSON line with a single `O_APPEND` write, so nodes writing at once never interleave. Any client reads
the history with `read()` and the job's current state with `summarize()`.

Writing needs the standard library only (the job's interpreter may have nothing else); reading uses the
pydantic `ProgressRecord` of `kubeflow.core.local.models`.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubeflow.core.local.models import ProgressRecord

PROGRESS_FILE = "progress.jsonl"
PROGRESS_ENV = "KUBEFLOW_PROGRESS_FILE"
"""Set in every local node's environment: the file `report()` appends to."""
NODE_ENV = "KUBEFLOW_NODE_NAME"
"""Set in every local node's environment: the node's name (`node-0`, ...)."""
MAX_METRICS = 256
"""At most this many metrics per record, as Kubeflow Trainer's `trainerStatus.metrics` allows."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _clean_metrics(metrics: Mapping[str, object] | None) -> dict[str, float | int | str]:
    cleaned: dict[str, float | int | str] = {}
    for name, value in list((metrics or {}).items())[:MAX_METRICS]:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            value = str(value)
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        cleaned[str(name)] = value
    return cleaned


def report(
    progress_percent: int | None = None,
    estimated_remaining_seconds: int | None = None,
    metrics: Mapping[str, object] | None = None,
    step: int | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
) -> bool:
    """Append one record to the job's progress file; `False` (and nothing written) outside a local job.

    Values are clamped as Kubeflow Trainer clamps them (percent to 0..100, seconds to >= 0); metric values that are
    not numbers or strings are stored as strings. Never raises for an I/O problem: reporting must not fail training.
    """
    target = path if path is not None else os.environ.get(PROGRESS_ENV)
    if not target:
        return False
    line: dict[str, object] = {"time": datetime.now(timezone.utc).isoformat()}
    if node := os.environ.get(NODE_ENV):
        line["node"] = node
    if progress_percent is not None:
        line["progress_percent"] = max(0, min(100, int(progress_percent)))
    if estimated_remaining_seconds is not None:
        line["estimated_remaining_seconds"] = max(0, int(estimated_remaining_seconds))
    if step is not None:
        line["step"] = int(step)
    if metrics:
        line["metrics"] = _clean_metrics(metrics)
    data = (json.dumps(line, separators=(",", ":")) + "\n").encode()
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW | _NONBLOCK | _CLOEXEC, 0o600)
    except OSError:
        return False  # e.g. a symbolic link planted in its place: never written through
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return os.write(fd, data) == len(data)
    except OSError:
        return False
    finally:
        os.close(fd)


def read(path: str | os.PathLike[str]) -> list[ProgressRecord]:
    """Every record in a progress file, oldest first; a missing file is an empty history, a torn line is skipped."""
    from kubeflow.core.local.models import ProgressRecord

    try:  # never through a symbolic link, and a FIFO or device in its place is no history (and never blocks)
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return []
        raw = handle.read().decode("utf-8", errors="replace")
    records: list[ProgressRecord] = []
    for line in raw.splitlines():
        try:
            records.append(ProgressRecord.model_validate_json(line))
        except ValueError:
            continue
    return records


def summarize(records: list[ProgressRecord]) -> ProgressRecord | None:
    """The job's state now: the latest value of each field, metrics merged by name (latest wins); `None` if empty."""
    if not records:
        return None
    from kubeflow.core.local.models import ProgressRecord

    merged: dict[str, object] = {"time": records[-1].time}
    metrics: dict[str, float | int | str] = {}
    for record in records:
        for field in ("node", "progress_percent", "estimated_remaining_seconds", "step"):
            if (value := getattr(record, field)) is not None:
                merged[field] = value
        metrics.update(record.metrics)
    return ProgressRecord.model_validate({**merged, "metrics": metrics})
