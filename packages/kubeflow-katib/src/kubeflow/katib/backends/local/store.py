"""The on-disk state of local optimization jobs, beside the trainer's jobs in the same private state root.

```
<state_dir>/.katib/            # mode 0700 (job names are RFC 1035 labels, so no job is ever called `.katib`)
  .staging/                    # a job directory is filled here, then renamed into place in one step
  <name>/
    spec.json                  # what `optimize` was asked (written once by the client)
    template.py                # the training function's source, imported by the driver
    state.json                 # trials, their parameters, metrics and statuses; the job status (the driver's)
    journal.log                # the Optuna study (JournalFileBackend): what lets a new driver continue it
    driver.lock                # held (flock) by the live driver: at most one drives a job
    driver.json                # the live driver's pid and start time (to stop it)
    driver.log                 # the driver's output
    events.jsonl               # the job's events
    deleting                   # present while the job is being deleted: no driver starts or continues
```

Each trial is a trainer job of the same state root named `<name>-<trial number>`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kubeflow.core.errors import ForbiddenError
from kubeflow.core.local.state import (
    append_event,
    check_private_dir,
    ensure_private_dir,
    now_iso,
    read_events,
    read_json,
    write_json,
    write_private,
)

ROOT_DIR = ".katib"
STAGING_DIR = ".staging"
SPEC_FILE = "spec.json"
TEMPLATE_FILE = "template.py"
STATE_FILE = "state.json"
JOURNAL_FILE = "journal.log"
DRIVER_LOCK = "driver.lock"
DRIVER_FILE = "driver.json"
DRIVER_LOG = "driver.log"
EVENTS_FILE = "events.jsonl"
DELETING_FILE = "deleting"
KIND = "OptimizationJob"

Record = dict[str, Any]


def trial_name(job: str, number: int) -> str:
    """The name of trial `number` of job `job` (also its TrainJob's name)."""
    return f"{job}-{number}"


class StudyDir:
    """One optimization job's directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        """The job name."""
        return self.path.name

    def file(self, name: str) -> Path:
        """A file of the job directory."""
        return self.path / name

    def trusted(self) -> bool:
        """Whether the directory exists and is private to this user (a symlink or foreign entry is not)."""
        try:
            check_private_dir(self.path)
        except (OSError, ForbiddenError):
            return False
        return True

    def spec(self) -> Record | None:
        """The job's spec, or None if there is no such job (or its directory is not a private one)."""
        if not self.trusted():
            return None
        spec = read_json(self.file(SPEC_FILE))
        return spec if isinstance(spec, dict) else None

    def state(self) -> Record:
        """The job's state as its driver last wrote it (an empty `Created` state before it did)."""
        state = read_json(self.file(STATE_FILE))
        if isinstance(state, dict):
            return state
        return {"status": "Created", "reason": None, "message": None, "trials": [], "best": None}

    def write_state(self, state: Record) -> None:
        """Replace the state atomically."""
        state["updated"] = now_iso()
        write_json(self.file(STATE_FILE), state)

    def add_event(self, obj: str, reason: str, message: str, type_: str = "Normal", kind: str = KIND) -> None:
        """Append one event."""
        append_event(self.file(EVENTS_FILE), kind, obj, reason, message, type_)

    def events(self) -> list[Record]:
        """Every event, oldest first."""
        return read_events(self.file(EVENTS_FILE))

    @property
    def deleting(self) -> bool:
        """Whether the job is being deleted."""
        return self.file(DELETING_FILE).exists()

    def try_lock(self) -> int | None:
        """Take the driver lock without waiting: the open descriptor holding it, or None if a driver holds it."""
        fd = os.open(self.file(DRIVER_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    def driver_alive(self) -> bool:
        """Whether a driver holds the job's lock now."""
        fd = self.try_lock()
        if fd is None:
            return True
        os.close(fd)
        return False


class KatibRoot:
    """The `.katib` folder of a state root."""

    def __init__(self, state_dir: Path) -> None:
        self.root = Path(state_dir).expanduser().absolute() / ROOT_DIR  # the driver runs elsewhere

    def check(self) -> bool:
        """Whether the `.katib` folder exists; the state root and it must be private to this user (as the trainer's).

        Raises:
            ForbiddenError: The state root or `.katib` is owned by another user, writable by others, or (`.katib`) a
                symbolic link (reason `UntrustedStateDir`): nothing in it is believed.
        """
        try:
            check_private_dir(self.root.parent, follow=True)
            check_private_dir(self.root)
        except FileNotFoundError:
            return False
        return True

    def job(self, name: str) -> StudyDir:
        """The directory of job `name` (whether or not it exists).

        Raises:
            ForbiddenError: The state root or `.katib` is not private to this user.
        """
        self.check()
        return StudyDir(self.root / name)

    def names(self) -> list[str]:
        """Names of every published job (symlinks and entries that are not private directories skipped).

        Raises:
            ForbiddenError: The state root or `.katib` is not private to this user.
        """
        if not self.check():
            return []
        names = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                    continue
                if StudyDir(Path(entry.path)).trusted() and (Path(entry.path) / SPEC_FILE).is_file():
                    names.append(entry.name)
        return sorted(names)

    @contextlib.contextmanager
    def staged(self, name: str) -> Iterator[StudyDir]:
        """A private directory to fill; published as `name` in one rename when the block ends without error.

        Raises:
            FileExistsError: A job of that name exists (nothing is left behind).
        """
        if not os.path.exists(self.root.parent):
            ensure_private_dir(self.root.parent)
        check_private_dir(self.root.parent, follow=True)  # the root the user named may be a symlink, as for trainer
        ensure_private_dir(self.root)
        staging = ensure_private_dir(self.root / STAGING_DIR) / f"{name}-{secrets.token_hex(6)}"
        staging.mkdir(mode=0o700)
        try:
            yield StudyDir(staging)
            os.rename(staging, self.root / name)  # fails if a non-empty directory of that name exists
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def remove(self, name: str) -> None:
        """Remove a job's directory (renamed out of sight first)."""
        trash = ensure_private_dir(self.root / STAGING_DIR) / f"deleted-{name}-{secrets.token_hex(6)}"
        with contextlib.suppress(FileNotFoundError):
            os.rename(self.root / name, trash)
            shutil.rmtree(trash, ignore_errors=True)


def write_text(path: Path, text: str) -> None:
    """Write a private text file atomically."""
    write_private(path, text.encode("utf-8"))
