"""Process facts and signals for the local-process backend: identity checks that survive pid reuse.

A pid alone does not name a process for long: once it has ended, the kernel may give its number to another one.
Every process the backend records is therefore kept as `(pid, start_ticks)`, the start time the kernel reports in
`/proc/<pid>/stat`, and is only signalled while both still match. Standard library only: the supervisor imports this.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

_PROC = "/proc"
JOB_UID_ENV = "KUBEFLOW_JOB_UID"
"""Set in every node's environment (inherited by its children): the job generation the process belongs to."""


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of `/proc/<pid>/stat` after the command name (index 0 is the state), or None."""
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as handle:
            raw = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    return raw[raw.rfind(")") + 2 :].split()


def start_ticks(pid: int) -> int | None:
    """The start time of a process in clock ticks since boot, or None if it does not exist (or no /proc)."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    return int(fields[19])


def _state_and_group(pid: int) -> tuple[str, int, int] | None:
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    return fields[0], int(fields[2]), int(fields[19])


def has_proc() -> bool:
    """Whether this system exposes `/proc/<pid>/stat` (Linux)."""
    return os.path.exists(f"{_PROC}/self/stat")


def is_alive(pid: int | None, ticks: int | None) -> bool:
    """Whether the process `pid` that started at `ticks` still runs (a zombie counts as ended)."""
    if not pid or pid <= 0:
        return False
    if has_proc():
        found = _state_and_group(pid)
        if found is None:
            return False
        state, _, started = found
        return state not in ("Z", "X") and (ticks is None or started == ticks)
    try:  # pragma: no cover - systems without /proc: existence only
        os.kill(pid, 0)
    except ProcessLookupError:  # pragma: no cover
        return False
    except PermissionError:  # pragma: no cover
        return True
    return True  # pragma: no cover


def group_members(pgid: int, since_ticks: int | None) -> list[int]:
    """Live processes of process group `pgid` that started at or after `since_ticks` (the leader's start)."""
    members: list[int] = []
    try:
        entries = os.listdir(_PROC)
    except OSError:  # pragma: no cover
        return members
    for entry in entries:
        if not entry.isdigit():
            continue
        found = _state_and_group(int(entry))
        if found is None:
            continue
        state, group, started = found
        if group == pgid and state not in ("Z", "X") and (since_ticks is None or started >= since_ticks):
            members.append(int(entry))
    return members


def signal_group(pgid: int, sig: int, since_ticks: int | None = None, *, verified: bool = False) -> bool:
    """Send `sig` to process group `pgid`; return whether any process got it.

    With `verified`, the group is signalled only if one of its members started at or after `since_ticks` (so a
    recycled group id of an unrelated program is never hit); without, the caller knows the group is ours (it is the
    parent of the leader, which it has not reaped yet).
    """
    if pgid <= 1:
        return False
    if verified and has_proc():
        members = group_members(pgid, since_ticks)
        if not members:
            return False
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def signal_pid(pid: int | None, ticks: int | None, sig: int) -> bool:
    """Send `sig` to `pid` if it is still the process that started at `ticks`; return whether it was sent."""
    if not pid or not is_alive(pid, ticks):
        return False
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def wait_gone(check: Iterable[tuple[int, int | None]], timeout: float, interval: float = 0.02) -> bool:
    """Wait until none of the `(pid, start_ticks)` processes is alive; return whether that happened in time."""
    pending = list(check)
    deadline = time.monotonic() + timeout
    while True:
        pending = [(pid, ticks) for pid, ticks in pending if is_alive(pid, ticks)]
        if not pending:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def kill_groups_verified(
    groups: Iterable[tuple[int, int | None]], grace: float, reap: Callable[[], None] | None = None
) -> None:
    """SIGTERM the verified process groups `(pgid, leader_start_ticks)`, wait up to `grace`, then SIGKILL the rest.

    `reap` is called while waiting, for a caller that is the parent (or subreaper) of group members.
    """
    groups = list(groups)
    if not any([signal_group(pgid, signal.SIGTERM, ticks, verified=True) for pgid, ticks in groups]):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if reap is not None:
            reap()
        if has_proc() and not any(group_members(pgid, ticks) for pgid, ticks in groups):
            return
        time.sleep(0.02)
    for pgid, ticks in groups:
        signal_group(pgid, signal.SIGKILL, ticks, verified=True)


def host_identity() -> dict[str, Any]:
    """Where this process runs: host name, boot id and pid namespace (pids mean something only within these)."""
    boot_id = None
    try:
        with open(f"{_PROC}/sys/kernel/random/boot_id", encoding="ascii") as handle:
            boot_id = handle.read().strip() or None
    except OSError:
        pass
    pid_ns = None
    try:
        pid_ns = os.stat(f"{_PROC}/self/ns/pid").st_ino
    except OSError:
        pass
    return {"host": socket.gethostname(), "boot_id": boot_id, "pid_ns": pid_ns}


def same_pid_space(identity: Any) -> bool:
    """Whether pids recorded by a process with `identity` (from `host_identity`) name processes visible here.

    A record without an identity (older versions) is taken as local.
    """
    if not isinstance(identity, dict):
        return True
    here = host_identity()
    if identity.get("boot_id") and here["boot_id"]:
        if identity["boot_id"] != here["boot_id"]:
            return False
    elif identity.get("host") and identity["host"] != here["host"]:
        return False
    return not (identity.get("pid_ns") and here["pid_ns"] and identity["pid_ns"] != here["pid_ns"])


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields is not None and len(fields) > 1 else None


def descendants(root: int) -> list[int]:
    """Every live descendant of process `root` (children, their children, ...), zombies excluded."""
    try:
        entries = [int(entry) for entry in os.listdir(_PROC) if entry.isdigit()]
    except OSError:  # pragma: no cover
        return []
    children: dict[int, list[int]] = {}
    for pid in entries:
        fields = _stat_fields(pid)
        if fields is None or len(fields) < 2 or fields[0] in ("Z", "X"):
            continue
        children.setdefault(int(fields[1]), []).append(pid)
    found: list[int] = []
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def tagged_processes(job_uid: str) -> list[tuple[int, int | None]]:
    """Live processes of this user whose environment carries `KUBEFLOW_JOB_UID=<job_uid>`, as (pid, start_ticks).

    Nodes get the variable from their supervisor and their children inherit it, so this finds a job's processes
    even after they started their own session or were orphaned, and never an unrelated process.
    """
    if not job_uid:
        return []
    needle = f"{JOB_UID_ENV}={job_uid}".encode()
    me = os.getpid()
    found: list[tuple[int, int | None]] = []
    try:
        entries = [int(entry) for entry in os.listdir(_PROC) if entry.isdigit()]
    except OSError:  # pragma: no cover
        return found
    uid = os.getuid()
    for pid in entries:
        if pid == me:
            continue
        try:
            if os.stat(f"{_PROC}/{pid}").st_uid != uid:
                continue
            with open(f"{_PROC}/{pid}/environ", "rb") as handle:
                environ = handle.read()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            ticks = start_ticks(pid)
            if ticks is not None and is_alive(pid, ticks):
                found.append((pid, ticks))
    return found


def carries_tag(pid: int, job_uid: str) -> bool:
    """Whether process `pid` runs for job generation `job_uid` (its environment carries `KUBEFLOW_JOB_UID`)."""
    try:
        with open(f"{_PROC}/{pid}/environ", "rb") as handle:
            environ = handle.read()
    except OSError:
        return not has_proc()  # pragma: no cover - without /proc the start time is all we can check
    return f"{JOB_UID_ENV}={job_uid}".encode() in environ.split(b"\0")


def kill_verified(processes: Iterable[tuple[int, int | None]], sig: int = signal.SIGKILL) -> int:
    """Send `sig` to each `(pid, start_ticks)` still the same process; return how many got it."""
    return sum(signal_pid(pid, ticks, sig) for pid, ticks in processes if ticks is not None)
