"""Retention of finished jobs: a TTL and a maximum count, applied cheaply (throttled) or by hand.

Only finished jobs (`Complete` or `Failed`) are ever removed; a running job is never touched, nor is a finished one
still held by its owner: a job directory's `held-by` file names a lock file in the state root that the owner (e.g.
the Katib driver whose trial it is) holds with `flock` while it still needs the job (`hold`). Removal is the same
as `delete_job` of a finished job (one rename under the root lock, then the directory is deleted), guarded by the
job's generation, so a newer job of the same name is safe.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kubeflow.core.local.state import PRUNED_STAMP, StateRoot, read_json, write_private

RETENTION_INTERVAL = 60.0
"""Seconds between two automatic retention passes on one state directory."""
AUTO_PRUNE_BATCH = 500
"""Most jobs one automatic pass removes, so a `train` or `list_jobs` call that runs it stays quick."""
_TERMINAL = ("Complete", "Failed")
HOLD_FILE = "held-by"
"""A job directory's file naming the lock file whose holder still needs the job (retention leaves it alone)."""


def hold(job_dir: os.PathLike[str] | str, lock_file: os.PathLike[str] | str) -> None:
    """Keep the finished job in `job_dir` from retention while some process holds a `flock` on `lock_file`.

    `lock_file` must be inside the same state root (e.g. `<root>/.katib/<name>/driver.lock`).
    """
    write_private(Path(job_dir) / HOLD_FILE, os.path.abspath(lock_file).encode("utf-8"))


def _held(state: StateRoot, name: str) -> bool:
    """Whether the job's owner (see `hold`) is alive and holds its lock now."""
    try:
        fd = os.open(state.job(name).path / HOLD_FILE, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        target = os.read(fd, 4096).decode("utf-8", "replace").strip()
    finally:
        os.close(fd)
    root = str(state.root)
    if not target or os.path.commonpath([root, os.path.abspath(target)]) != root:
        return False
    try:
        lock = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True  # its owner holds it
    finally:
        with contextlib.suppress(OSError):
            os.close(lock)
    return False


@dataclass
class PruneResult:
    """What a retention pass removed (or, in a dry run, would remove)."""

    removed: list[str] = field(default_factory=list)
    kept: int = 0
    """Finished jobs left in place."""


def _finished_at(record: dict[str, object]) -> float:
    for key in ("finished", "created"):
        value = record.get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value).timestamp()
            except ValueError:
                continue
    return 0.0


Finished = tuple[float, "str | None"]
"""When a finished job finished (a POSIX timestamp), and its uid."""


def _read_finished(state: StateRoot) -> Callable[[str], Finished | None]:
    def read(name: str) -> Finished | None:
        job = state.job(name)
        if not job.trusted():
            return None
        record = read_json(job.record_path)
        if not isinstance(record, dict) or record.get("status") not in _TERMINAL:
            return None
        uid = record.get("uid")
        return _finished_at(record), str(uid) if uid else None

    return read


def prune(
    state: StateRoot,
    ttl_seconds: float | None,
    max_finished: int | None,
    *,
    now: float | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    read: Callable[[str], Finished | None] | None = None,
) -> PruneResult:
    """Remove finished jobs older than `ttl_seconds`, then the oldest past `max_finished`.

    `limit` bounds how many jobs one pass removes (the oldest first); the next pass removes more. `read` gives a
    job's `(finished timestamp, uid)` if it is finished, else None (default: read its record).

    Raises:
        ForbiddenError: The state directory is not private to this user.
    """
    result = PruneResult()
    if not state.check():
        return result
    current = time.time() if now is None else now
    finished: list[tuple[float, str, str | None]] = []
    for name in state.names():
        found = (read or _read_finished(state))(name)
        if found is not None and not _held(state, name):
            finished.append((found[0], name, found[1]))
    finished.sort()
    doomed: list[tuple[str, str | None]] = []
    if ttl_seconds is not None:
        doomed += [(name, uid) for when, name, uid in finished if current - when > ttl_seconds]
    gone = set(doomed)
    left = [(name, uid) for _when, name, uid in finished if (name, uid) not in gone]
    if max_finished is not None and len(left) > max_finished:
        doomed += left[: len(left) - max_finished]
    if limit is not None:
        doomed = doomed[:limit]
    result.removed = [name for name, _uid in doomed] if dry_run else state.remove_many(doomed)
    if not dry_run:
        state.sweep_trash()
    result.kept = len(finished) - len(result.removed)
    return result


def maybe_prune(
    state: StateRoot,
    ttl_seconds: float | None,
    max_finished: int | None,
    read: Callable[[str], Finished | None] | None = None,
) -> PruneResult | None:
    """Run `prune` unless a pass ran in the last `RETENTION_INTERVAL` seconds (by any client); None if skipped."""
    if ttl_seconds is None and max_finished is None:
        return None
    stamp = state.root / PRUNED_STAMP
    try:
        if time.time() - os.lstat(stamp).st_mtime < RETENTION_INTERVAL:
            return None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
        os.utime(stamp)
    except OSError:
        return None
    return prune(state, ttl_seconds, max_finished, limit=AUTO_PRUNE_BATCH, read=read)
