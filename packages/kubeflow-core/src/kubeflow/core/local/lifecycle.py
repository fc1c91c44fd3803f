"""What happens to a job outside its supervisor: a dead supervisor is detected, a job is stopped for deletion."""

from __future__ import annotations

import signal
from datetime import datetime, timezone
from typing import Any

from kubeflow.core.local import procs
from kubeflow.core.local.state import JobDir, Record, now_iso
from kubeflow.core.models import TERMINAL_STATUSES

SUPERVISOR_START_TIMEOUT = 60.0
"""Seconds a job with no registered supervisor may stay `Created` before it is declared failed."""


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from a record, or None."""
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def supervisor_lost(record: Record) -> str | None:
    """Why an unfinished job has no live supervisor, or None if it has one."""
    supervisor = record.get("supervisor")
    if not supervisor:
        created = parse_time(record.get("created"))
        age = (datetime.now(timezone.utc) - created).total_seconds() if created else 0.0
        if age > SUPERVISOR_START_TIMEOUT:
            return f"Its supervisor never started (created {int(age)} s ago)."
        return None
    if procs.is_alive(supervisor.get("pid"), supervisor.get("start_ticks")):
        return None
    return (
        f"Its supervisor process (pid {supervisor.get('pid')}) ended unexpectedly, e.g. killed with SIGKILL or "
        "by a reboot; the nodes still running were stopped."
    )


def reconcile(job: JobDir, record: Record) -> Record:
    """Mark an unfinished job whose supervisor is gone as Failed and kill what is left of its nodes."""
    if supervisor_lost(record) is None:
        return record
    groups: list[tuple[int, int | None]] = []

    def change(current: Record) -> bool:
        if current.get("status") in TERMINAL_STATUSES:
            return False
        why = supervisor_lost(current)
        if why is None:
            return False
        current.update(status="Failed", reason="SupervisorLost", message=why, finished=now_iso())
        for node in current["nodes"]:
            if node.get("pid"):
                groups.append((int(node["pid"]), node.get("start_ticks")))
            if node["status"] in ("Pending", "Running"):
                node.update(status="Failed", terminated=True)
        return True

    updated = job.update(change)
    if groups:
        for pgid, ticks in groups:
            procs.signal_group(pgid, signal.SIGKILL, ticks, verified=True)
        kind = str(record.get("kind", "Job"))
        job.add_event(kind, record["name"], "SupervisorLost", str((updated or {}).get("message")), "Warning")
    return updated if updated is not None else record


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

    The supervisor gets SIGTERM (it terminates the nodes within the grace period), then whatever is left in the
    nodes' process groups (their children too) gets SIGKILL.
    """
    supervisor = record.get("supervisor") or {}
    pid, ticks = int(supervisor.get("pid") or 0), supervisor.get("start_ticks")
    if procs.signal_pid(pid, ticks, signal.SIGTERM) and not procs.wait_gone([(pid, ticks)], grace + 5.0):
        procs.signal_pid(pid, ticks, signal.SIGKILL)
        procs.wait_gone([(pid, ticks)], 5.0)
    record = job.read() or record
    groups = [(int(node["pid"]), node.get("start_ticks")) for node in record["nodes"] if node.get("pid")]
    for pgid, node_ticks in groups:
        procs.signal_group(pgid, signal.SIGKILL, node_ticks, verified=True)
    if procs.has_proc():
        procs.wait_gone(
            [(member, None) for pgid, node_ticks in groups for member in procs.group_members(pgid, node_ticks)], 5.0
        )
    return record
