"""What happens to a job outside its supervisor: a dead supervisor is detected, a job is stopped for deletion."""

from __future__ import annotations

import contextlib
import os
import signal
from datetime import datetime, timezone
from typing import Any

from kubeflow.core.errors import ConflictError
from kubeflow.core.local import procs
from kubeflow.core.local.state import LAUNCH_FILE, JobDir, Record, now_iso
from kubeflow.core.models import TERMINAL_STATUSES

SUPERVISOR_START_TIMEOUT = 60.0
"""Seconds a job with no registered supervisor may stay `Created` before it is declared failed."""


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from a record, or None."""
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def runs_elsewhere(record: Record) -> str | None:
    """Where the job's supervisor runs when that is another host or pid namespace (its pids mean nothing here)."""
    supervisor = record.get("supervisor")
    if not supervisor or procs.same_pid_space(supervisor):
        return None
    return (
        f"host {supervisor.get('host')!r} (pid namespace {supervisor.get('pid_ns')}, boot {supervisor.get('boot_id')})"
    )


def supervisor_lost(record: Record) -> str | None:
    """Why an unfinished job has no live supervisor, or None if it has one (or runs where we cannot tell)."""
    supervisor = record.get("supervisor")
    if not supervisor:
        created = parse_time(record.get("created"))
        age = (datetime.now(timezone.utc) - created).total_seconds() if created else 0.0
        if age > SUPERVISOR_START_TIMEOUT:
            return f"Its supervisor never started (created {int(age)} s ago)."
        return None
    if runs_elsewhere(record) is not None:
        return None  # another host or pid namespace: only a client there can tell
    if procs.is_alive(supervisor.get("pid"), supervisor.get("start_ticks")):
        return None
    return f"Its supervisor process (pid {supervisor.get('pid')}) ended unexpectedly, e.g. killed with SIGKILL or by a reboot."


def _fates(nodes: list[Record]) -> str:
    parts = []
    for node in nodes:
        if node["status"] == "Succeeded":
            parts.append(f"{node['name']} had succeeded")
        elif node["status"] == "Failed" and node.get("exit_code") is not None:
            parts.append(f"{node['name']} had exited with code {node['exit_code']}")
        elif node.get("pid"):
            parts.append(f"{node['name']} was running and was killed with it")
        else:
            parts.append(f"{node['name']} never started")
    return "; ".join(parts)


def kill_job_processes(record: Record) -> int:
    """SIGKILL every process of the job still running here (identified by its job uid, or its exact leader).

    Returns:
        How many processes were signalled.
    """
    if runs_elsewhere(record) is not None:
        return 0
    uid = record.get("uid")
    killed = 0
    if uid:
        for _ in range(20):  # a process may fork while we kill: repeat until none is left
            found = procs.tagged_processes(str(uid))
            if not found:
                break
            killed += procs.kill_verified(found, signal.SIGKILL)
            procs.wait_gone(found, 1.0)
        return killed
    for node in record.get("nodes") or []:  # records of older versions: the node's own group, leader exact
        pid, ticks = node.get("pid"), node.get("start_ticks")
        if pid and ticks is not None and procs.is_alive(int(pid), ticks):
            killed += procs.signal_group(int(pid), signal.SIGKILL)
    return killed


def reconcile(job: JobDir, record: Record) -> Record:
    """Settle an unfinished job whose supervisor is gone: record what became of its nodes, kill what is left.

    The job is `Complete` if every node had succeeded, else `Failed` with reason `SupervisorLost` and each node's
    fate in the message. A job run from another host or pid namespace is never judged from here.
    """
    if supervisor_lost(record) is None:
        return record

    def change(current: Record) -> bool:
        if current.get("status") in TERMINAL_STATUSES:
            return False
        why = supervisor_lost(current)
        if why is None:
            return False
        nodes = current["nodes"]
        if nodes and all(node["status"] == "Succeeded" for node in nodes):
            message = "Every node exited with code 0 (its supervisor ended before it could record the job's end)."
            current.update(status="Complete", reason="Completed", message=message, finished=now_iso())
            return True
        current.update(status="Failed", reason="SupervisorLost", message=f"{why} {_fates(nodes)}.", finished=now_iso())
        for node in nodes:
            if node["status"] in ("Pending", "Running"):
                node.update(status="Failed", terminated=True, finished=now_iso())
        return True

    updated = job.update(change)
    with contextlib.suppress(OSError):
        os.unlink(job.path / LAUNCH_FILE)
    if updated is not None:
        kill_job_processes(updated)
        if updated.get("reason") == "SupervisorLost":
            kind = str(record.get("kind", "Job"))
            job.add_event(kind, record["name"], "SupervisorLost", str(updated.get("message")), "Warning")
    return updated if updated is not None else (job.read() or record)


def mark_failed(job: JobDir, reason: str, message: str) -> None:
    """Mark an unfinished job Failed (and record why as a warning event)."""

    def change(current: Record) -> bool:
        if current.get("status") in TERMINAL_STATUSES:
            return False
        current.update(status="Failed", reason=reason, message=message, finished=now_iso())
        return True

    job.update(change)
    job.add_event(str((job.read() or {}).get("kind", "Job")), job.path.name, reason, message, "Warning")


def stop_all(job: JobDir, record: Record, grace: float) -> Record:
    """Stop every process of a job; return its record as the supervisor left it.

    The record is first marked as being deleted, so a supervisor that has not registered yet never starts a node.
    The supervisor gets SIGTERM (it terminates the nodes within the grace period, then every descendant), then
    whatever is left of the job (processes carrying its uid) gets SIGKILL.

    Raises:
        ConflictError: The job is unfinished and runs on another host or pid namespace (reason `RunsElsewhere`).
    """

    def mark(current: Record) -> None:
        current["deleting"] = True

    record = job.update(mark) or record
    where = runs_elsewhere(record)
    if where is not None and record.get("status") not in TERMINAL_STATUSES:
        raise ConflictError(
            f"Job {record.get('name')!r} runs on {where}, not here: its processes cannot be stopped from this "
            "host or container. Delete it from there.",
            reason="RunsElsewhere",
        )
    supervisor = record.get("supervisor") or {}
    pid, ticks = int(supervisor.get("pid") or 0), supervisor.get("start_ticks")
    uid = str(record.get("uid") or "")
    ours = ticks is not None and (not uid or procs.carries_tag(pid, uid))  # never a foreign process a record names
    if where is None and ours and procs.signal_pid(pid, ticks, signal.SIGTERM):
        if not procs.wait_gone([(pid, ticks)], grace + 5.0):
            procs.signal_pid(pid, ticks, signal.SIGKILL)
            procs.wait_gone([(pid, ticks)], 5.0)
    record = job.read() or record
    kill_job_processes(record)
    return record
