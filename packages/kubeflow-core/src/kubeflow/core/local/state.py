"""The on-disk state of local jobs: one private directory per job, written atomically under file locks.

Layout of a state root (mode 0700, files 0600):

```
<root>/
  .lock                 # held while a job is published (name and port checks are atomic with it)
  .staging/             # a job directory is filled here, then renamed into place in one step
  .trash/               # a deleted job's directory is renamed here, then removed
  .deleted/<hash>.jsonl # the events of recently deleted jobs (named by a hash, not the job name)
  .pruned              # touched when retention last ran (throttles it)
  <job-name>/
    .lock               # held for every read-modify-write of job.json (holds the holder's pid)
    job.json            # the job record: spec (without environment values), status, nodes, pids, exit codes
    launch.json         # argv/env/cwd of every node; read and removed by the supervisor at start
    events.jsonl        # append-only lifecycle events
    supervisor.log      # the supervisor's own output
    progress.jsonl      # what the job reported about itself (progress, metrics): see `progress`
    logs/<node>.log     # each node's stdout and stderr
    tmp/                # the nodes' TMPDIR/TMP/TEMP (unless the job's env sets them): removed with the job
    held-by             # optional: a lock file whose holder still needs the finished job (see `retention.hold`)
```

Trust: the root must be a directory owned by the user and writable by nobody else, and so must every job
directory and private subdirectory (`StateRoot.check`, `check_private_dir`); otherwise a `ForbiddenError` with
reason `UntrustedStateDir` is raised and nothing in it is believed. Files are opened with `O_NOFOLLOW`, symlinks in
the root are ignored, and only directories the SDK creates are ever chmod-ed.

Standard library only (plus `kubeflow.core.errors`, itself stdlib-only): the supervisor imports this module.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kubeflow.core.errors import ForbiddenError, OperationTimeoutError

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
PRUNED_STAMP = ".pruned"
DELETED_EVENTS_TTL = 3600.0
"""Seconds the events of a deleted job stay readable."""
DEFAULT_LOCK_TIMEOUT = 30.0
"""Seconds a lock is waited for before `OperationTimeoutError` (reason `LockTimeout`) names its holder."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

Record = dict[str, Any]


def now_iso() -> str:
    """The current UTC time in ISO 8601 with an offset."""
    return datetime.now(timezone.utc).isoformat()


def untrusted(path: Path, why: str) -> ForbiddenError:
    """The error for a state directory (or one of its entries) that another user could have written."""
    return ForbiddenError(
        f"Refusing to use {path}: {why}. Local job state must be private to its user: point "
        "LocalProcessBackendConfig(state_dir=...) at a directory you own that no one else can write (e.g. mode 0700).",
        reason="UntrustedStateDir",
    )


def check_private_dir(path: Path, *, follow: bool = False) -> os.stat_result:
    """Check that `path` is a directory owned by this user and writable by no one else (a symlink is refused).

    Args:
        path: The directory.
        follow: Accept a symlink to such a directory (only for the root the user named).

    Raises:
        ForbiddenError: It is not (reason `UntrustedStateDir`).
        FileNotFoundError: It does not exist.
    """
    info = os.stat(path) if follow else os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise untrusted(path, "it is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise untrusted(path, "it is not a directory")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise untrusted(path, f"it is owned by uid {info.st_uid}, not by you (uid {os.getuid()})")
    if info.st_mode & 0o022:
        raise untrusted(path, f"it is writable by group or others (mode {stat.S_IMODE(info.st_mode):04o})")
    return info


def ensure_private_dir(path: Path) -> Path:
    """Create directory `path` (mode 0700; missing parents with the default mode) or check the existing one.

    Only a directory created here is given its mode; an existing one is never chmod-ed, only checked.

    Raises:
        ForbiddenError: The existing directory is not private to this user (reason `UntrustedStateDir`).
    """
    if not os.path.lexists(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        else:
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask: this is ours, make it exactly 0700
    check_private_dir(path)
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
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
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
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None


def lock_holder(path: Path) -> int | None:
    """The pid the last holder of a lock file wrote into it, or None."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    try:
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def file_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` (created if missing) for the duration of the block.

    The holder writes its pid into the file, so a waiter that gives up can name it.

    Args:
        path: The lock file.
        timeout: Seconds to wait for the lock (default `DEFAULT_LOCK_TIMEOUT`); `0` tries once.

    Raises:
        OperationTimeoutError: The lock was not free in time (reason `LockTimeout`, naming the holder's pid).
    """
    wait = DEFAULT_LOCK_TIMEOUT if timeout is None else timeout
    fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + wait
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = lock_holder(path)
                    who = f"process {holder}" if holder else "another process"
                    raise OperationTimeoutError(
                        f"The lock {path} is held by {who} and was not released within {wait:g} s (is that process "
                        "stopped or hung?). Resume or end it, or raise LocalProcessBackendConfig.lock_timeout_seconds.",
                        reason="LockTimeout",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class JobDir:
    """One job's directory.

    Args:
        path: The directory.
        uid: The job's generation (`job.json`'s `uid`); when set, `update` leaves a record of another generation
            (a newer job of the same name) alone.
        lock_timeout: Seconds to wait for the job's lock.
    """

    def __init__(self, path: Path, uid: str | None = None, lock_timeout: float | None = None) -> None:
        self.path = path
        self.uid = uid
        self.lock_timeout = lock_timeout

    @property
    def record_path(self) -> Path:
        """The job record file."""
        return self.path / JOB_FILE

    def trusted(self) -> bool:
        """Whether the directory exists and is private to this user (a symlink or foreign entry is not)."""
        try:
            check_private_dir(self.path)
        except (OSError, ForbiddenError):
            return False
        return True

    def read(self) -> Record | None:
        """The job record, or None if the job does not exist (or its directory is not a private one)."""
        if not self.trusted():
            return None
        record = read_json(self.record_path)
        return record if isinstance(record, dict) else None

    def signature(self) -> tuple[int, int] | None:
        """Changes whenever the record is rewritten (inode and mtime), None if there is none."""
        try:
            info = os.lstat(self.record_path)
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns

    def update(self, change: Callable[[Record], bool | None]) -> Record | None:
        """Read-modify-write the record under the job's lock; `change` mutates it and may return False to skip.

        Returns None (and changes nothing) when the job does not exist or is another generation than `uid`.
        """
        if not self.trusted():
            return None
        with file_lock(self.path / LOCK_FILE, self.lock_timeout):
            record = self.read()
            if record is None or (self.uid is not None and record.get("uid") not in (None, self.uid)):
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
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o600)
        try:
            os.write(fd, event_line(kind, obj, reason, message, type_))
        finally:
            os.close(fd)


def read_events(path: Path) -> list[Record]:
    """The events of an events file, skipping a torn last line."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read()
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
    """The state directory shared by every client of one user.

    Args:
        root: The directory.
        lock_timeout: Seconds to wait for a lock before `OperationTimeoutError` names its holder.
    """

    def __init__(self, root: Path, lock_timeout: float | None = None) -> None:
        self.root = Path(root).expanduser().absolute()  # the supervisor runs in the job's directory
        self.lock_timeout = lock_timeout

    def check(self) -> bool:
        """Whether the root exists; if it does, check it is private to this user.

        Raises:
            ForbiddenError: The root is owned by another user or writable by others (reason `UntrustedStateDir`).
        """
        try:
            check_private_dir(self.root, follow=True)
        except FileNotFoundError:
            return False
        return True

    def ensure(self) -> Path:
        """Create the root (mode 0700) and its private subdirectories, or check the existing ones.

        Raises:
            ForbiddenError: The root or a subdirectory is not private to this user (reason `UntrustedStateDir`).
        """
        if not os.path.exists(self.root):
            ensure_private_dir(self.root)
        self.check()
        for sub in (STAGING_DIR, TRASH_DIR, DELETED_DIR):
            ensure_private_dir(self.root / sub)
        return self.root

    def job(self, name: str, uid: str | None = None) -> JobDir:
        """The directory of job `name` (whether or not it exists)."""
        return JobDir(self.root / name, uid, self.lock_timeout)

    def names(self) -> list[str]:
        """Names of every published job, sorted (symlinks and entries that are not private directories skipped).

        Raises:
            ForbiddenError: The root is not private to this user.
        """
        if not self.check():
            return []
        names = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                    continue
                names.append(entry.name)
        return sorted(names)

    @contextlib.contextmanager
    def publishing(self) -> Iterator[None]:
        """Hold the root lock: name checks, publication and removal inside the block are atomic across clients."""
        with file_lock(self.root / LOCK_FILE, self.lock_timeout):
            yield

    def stage(self, name: str) -> JobDir:
        """A fresh private directory to fill before `publish`."""
        path = self.root / STAGING_DIR / f"{name}-{secrets.token_hex(6)}"
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)
        (path / LOGS_DIR).mkdir(mode=0o700)
        (path / TMP_DIR).mkdir(mode=0o700)
        return JobDir(path, None, self.lock_timeout)

    def publish(self, staged: JobDir, name: str) -> JobDir:
        """Move a staged directory into place in one rename (the root lock must be held).

        Raises:
            FileExistsError: A job of that name exists (the staged directory is removed).
        """
        target = self.root / name
        try:
            if os.path.lexists(target):
                raise FileExistsError(str(target))
            os.rename(staged.path, target)  # fails if a non-empty directory of that name appeared meanwhile
        except OSError:
            shutil.rmtree(staged.path, ignore_errors=True)
            if os.path.lexists(target):
                raise FileExistsError(str(target)) from None
            raise
        self.forget_deleted(name)
        _fsync_dir(self.root)
        return JobDir(target, None, self.lock_timeout)

    def remove_many(self, jobs: list[tuple[str, str | None]]) -> list[str]:
        """`remove` for many `(name, uid)` at once: one root lock for all the renames. Returns the removed names."""
        trash_dir = ensure_private_dir(self.root / TRASH_DIR)
        moved: list[tuple[str, Path]] = []
        with self.publishing():
            for name, uid in jobs:
                job = self.job(name)
                if not job.trusted():
                    continue
                record = job.read()
                if uid is not None and record is not None and record.get("uid") not in (None, uid):
                    continue
                trash = trash_dir / f"{name}-{secrets.token_hex(6)}"
                try:
                    os.rename(self.root / name, trash)
                except FileNotFoundError:
                    continue
                moved.append((name, trash))
        for _name, trash in moved:
            shutil.rmtree(trash, ignore_errors=True)
        return [name for name, _trash in moved]

    def sweep_trash(self) -> None:
        """Delete what interrupted removals left in `.trash` (a symlink there is unlinked, never followed)."""
        trash_dir = self.root / TRASH_DIR
        try:
            check_private_dir(trash_dir)
            entries = list(os.scandir(trash_dir))
        except (OSError, ForbiddenError):
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    def remove(self, name: str, uid: str | None = None) -> bool:
        """Take a job's directory out of sight in one rename, then delete it. Returns whether it was removed.

        With `uid`, only that generation of the job is removed: a newer job of the same name is left alone. Only a
        private directory is removed (a planted symlink is not followed, nor removed).
        """
        trash = ensure_private_dir(self.root / TRASH_DIR) / f"{name}-{secrets.token_hex(6)}"
        with self.publishing():
            job = self.job(name)
            if not job.trusted():
                return False
            if uid is not None:
                record = job.read()
                if record is not None and record.get("uid") not in (None, uid):
                    return False
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
                if old.lstat().st_mtime < cutoff:
                    old.unlink()
        lines = b"".join((json.dumps(event, sort_keys=True) + "\n").encode("utf-8") for event in events)
        write_private(self._deleted_path(name), lines)

    def deleted_events(self, name: str) -> list[Record] | None:
        """The events of a recently deleted job, or None."""
        path = self._deleted_path(name)
        if not os.path.lexists(path):
            return None
        return read_events(path)

    def forget_deleted(self, name: str) -> None:
        """Drop the kept events of a deleted job (a new job of that name starts afresh)."""
        with contextlib.suppress(OSError):
            self._deleted_path(name).unlink()
