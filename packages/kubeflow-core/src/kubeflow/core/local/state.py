"""The on-disk state of local jobs: one private directory per job, written atomically under file locks.

Layout of a state root (mode 0700, files 0600):

```
<root>/
  .lock                 # held while a job is published (name and port checks are atomic with it)
  .staging/             # a job directory is filled here, then renamed into place in one step
  .trash/               # a deleted job's directory is renamed here, then removed
  .deleted/<hash>.jsonl # the events of recently deleted jobs (named by a hash, not the job name)
  <job-name>/
    .lock               # held for every read-modify-write of job.json
    job.json            # the job record: spec (without environment values), status, nodes, pids, exit codes
    launch.json         # argv/env/cwd of every node; read and removed by the supervisor at start
    events.jsonl        # append-only lifecycle events
    supervisor.log      # the supervisor's own output
    progress.jsonl      # what the job reported about itself (progress, metrics): see `progress`
    logs/<node>.log     # each node's stdout and stderr
    tmp/                # the nodes' TMPDIR/TMP/TEMP (unless the job's env sets them): removed with the job
```

Standard library only: the supervisor imports this module.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

JOB_FILE = "job.json"
LAUNCH_FILE = "launch.json"
EVENTS_FILE = "events.jsonl"
LOCK_FILE = ".lock"
LOGS_DIR = "logs"
TMP_DIR = "tmp"
SUPERVISOR_LOG = "supervisor.log"
STAGING_DIR = ".staging"
TRASH_DIR = ".trash"
DELETED_DIR = ".deleted"
DELETED_EVENTS_TTL = 3600.0
"""Seconds the events of a deleted job stay readable."""

Record = dict[str, Any]


def now_iso() -> str:
    """The current UTC time in ISO 8601 with an offset."""
    return datetime.now(timezone.utc).isoformat()


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it mode 0700 if it is ours."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o777 != 0o700:
        path.chmod(0o700)
    return path


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: a private temporary file, fsync, then rename over `path`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON to `path` atomically."""
    write_private(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def read_json(path: Path) -> Any:
    """Read a JSON file; None if it does not exist or is not (yet) valid."""
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` (created if missing) for the duration of the block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class JobDir:
    """One job's directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def record_path(self) -> Path:
        """The job record file."""
        return self.path / JOB_FILE

    def read(self) -> Record | None:
        """The job record, or None if the job does not exist."""
        record = read_json(self.record_path)
        return record if isinstance(record, dict) else None

    def signature(self) -> tuple[int, int] | None:
        """Changes whenever the record is rewritten (inode and mtime), None if there is none."""
        try:
            info = os.stat(self.record_path)
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns

    def update(self, change: Callable[[Record], bool | None]) -> Record | None:
        """Read-modify-write the record under the job's lock; `change` mutates it and may return False to skip."""
        if not self.path.is_dir():
            return None
        with file_lock(self.path / LOCK_FILE):
            record = self.read()
            if record is None:
                return None
            if change(record) is not False:
                write_json(self.record_path, record)
            return record

    def log_path(self, node: str) -> Path:
        """The log file of one node."""
        return self.path / LOGS_DIR / f"{node}.log"

    def add_event(self, kind: str, obj: str, reason: str, message: str, type_: str = "Normal") -> None:
        """Append one event (a single `write` on an O_APPEND file, so concurrent writers do not interleave)."""
        append_event(self.path / EVENTS_FILE, kind, obj, reason, message, type_)

    def events(self) -> list[Record]:
        """Every event recorded, oldest first."""
        return read_events(self.path / EVENTS_FILE)


def event_line(kind: str, obj: str, reason: str, message: str, type_: str = "Normal") -> bytes:
    """One JSON line describing an event."""
    entry = {"time": now_iso(), "kind": kind, "object": obj, "reason": reason, "message": message, "type": type_}
    return (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8")


def append_event(path: Path, kind: str, obj: str, reason: str, message: str, type_: str = "Normal") -> None:
    """Append one event line to an events file."""
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, event_line(kind, obj, reason, message, type_))
        finally:
            os.close(fd)


def read_events(path: Path) -> list[Record]:
    """The events of an events file, skipping a torn last line."""
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    events: list[Record] = []
    for line in raw.splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                events.append(entry)
    return events


class StateRoot:
    """The state directory shared by every client of one user."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser()

    def ensure(self) -> Path:
        """Create the root (mode 0700) and its private subdirectories."""
        ensure_private_dir(self.root)
        for sub in (STAGING_DIR, TRASH_DIR, DELETED_DIR):
            ensure_private_dir(self.root / sub)
        return self.root

    def job(self, name: str) -> JobDir:
        """The directory of job `name` (whether or not it exists)."""
        return JobDir(self.root / name)

    def names(self) -> list[str]:
        """Names of every published job, sorted."""
        try:
            entries = os.listdir(self.root)
        except OSError:
            return []
        return sorted(
            entry for entry in entries if not entry.startswith(".") and (self.root / entry / JOB_FILE).is_file()
        )

    @contextlib.contextmanager
    def publishing(self) -> Iterator[None]:
        """Hold the root lock: name checks and publication inside the block are atomic across clients."""
        with file_lock(self.root / LOCK_FILE):
            yield

    def stage(self, name: str) -> JobDir:
        """A fresh private directory to fill before `publish`."""
        path = self.root / STAGING_DIR / f"{name}-{secrets.token_hex(6)}"
        path.mkdir(mode=0o700)
        (path / LOGS_DIR).mkdir(mode=0o700)
        (path / TMP_DIR).mkdir(mode=0o700)
        return JobDir(path)

    def publish(self, staged: JobDir, name: str) -> JobDir:
        """Move a staged directory into place in one rename.

        Raises:
            FileExistsError: A job of that name exists (the staged directory is removed).
        """
        target = self.root / name
        try:
            if target.exists():
                raise FileExistsError(str(target))
            os.rename(staged.path, target)  # fails if a non-empty directory of that name appeared meanwhile
        except OSError:
            shutil.rmtree(staged.path, ignore_errors=True)
            if target.exists():
                raise FileExistsError(str(target)) from None
            raise
        self.forget_deleted(name)
        _fsync_dir(self.root)
        return JobDir(target)

    def remove(self, name: str) -> bool:
        """Take a job's directory out of sight in one rename, then delete it. Returns whether it existed."""
        trash = ensure_private_dir(self.root / TRASH_DIR) / f"{name}-{secrets.token_hex(6)}"
        try:
            os.rename(self.root / name, trash)
        except FileNotFoundError:
            return False
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def _deleted_path(self, name: str) -> Path:
        return self.root / DELETED_DIR / (hashlib.sha256(name.encode()).hexdigest()[:24] + ".jsonl")

    def keep_deleted_events(self, name: str, events: list[Record]) -> None:
        """Keep the events of a deleted job for a while, and drop those of jobs deleted long ago."""
        folder = ensure_private_dir(self.root / DELETED_DIR)
        cutoff = time.time() - DELETED_EVENTS_TTL
        for old in folder.iterdir():
            with contextlib.suppress(OSError):
                if old.stat().st_mtime < cutoff:
                    old.unlink()
        lines = b"".join((json.dumps(event, sort_keys=True) + "\n").encode("utf-8") for event in events)
        write_private(self._deleted_path(name), lines)

    def deleted_events(self, name: str) -> list[Record] | None:
        """The events of a recently deleted job, or None."""
        path = self._deleted_path(name)
        if not path.exists():
            return None
        return read_events(path)

    def forget_deleted(self, name: str) -> None:
        """Drop the kept events of a deleted job (a new job of that name starts afresh)."""
        with contextlib.suppress(OSError):
            self._deleted_path(name).unlink()
