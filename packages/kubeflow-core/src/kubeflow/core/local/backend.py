"""`LocalProcessBackend`: jobs as detached, supervised groups of processes on this machine, with durable state."""

from __future__ import annotations

import builtins
import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from kubeflow.core.backend import JobBackend
from kubeflow.core.errors import AlreadyExistsError, BackendError, ConflictError, InvalidInputError, NotFoundError
from kubeflow.core.local import logs, procs
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobInfo, LocalJobRequest, LocalJobSpec, LocalNodeInfo
from kubeflow.core.local.state import (
    LAUNCH_FILE,
    LOCK_FILE,
    LOGS_DIR,
    SUPERVISOR_LOG,
    JobDir,
    Record,
    StateRoot,
    now_iso,
    write_json,
    write_private,
)
from kubeflow.core.models import TERMINAL_STATUSES, Event, JobRef
from kubeflow.core.names import validate_name

SUPERVISOR_MODULE = "kubeflow.core.local.supervisor"
SUPERVISOR_START_TIMEOUT = 60.0
"""Seconds a job with no registered supervisor may stay `Created` before it is declared failed."""
WATCH_SECONDS = 0.02
"""How often `wait_for_change` looks at a job record."""
_RESERVED_FILES = {"job.json", LAUNCH_FILE, "events.jsonl", LOCK_FILE, SUPERVISOR_LOG, LOGS_DIR}


def _core_src_dir() -> str:
    """The directory holding the `kubeflow` namespace portion of kubeflow-core (for the supervisor's path)."""
    return str(Path(__file__).resolve().parents[3])


def _read_until_eof(fd: int, timeout: float) -> bytes:
    """What a pipe delivers until its writers close it (or `timeout` seconds pass)."""
    data = b""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data


def _revision(signature: tuple[int, int] | None) -> str:
    return "" if signature is None else f"{signature[0]}-{signature[1]}"


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


class LocalProcessBackend(JobBackend[LocalJobSpec, LocalJobRequest, LocalJobInfo]):
    """Run jobs as processes on this machine; every client pointed at the same state directory sees them all."""

    kind: ClassVar[str] = "local-process"

    def __init__(self, config: LocalProcessBackendConfig | None = None) -> None:
        """Use `config` (defaults: the per-user state directory). Nothing is created until a job is scheduled."""
        self.config = config or LocalProcessBackendConfig()
        self.state = StateRoot(self.config.state_dir)

    # -- submission --------------------------------------------------------------------------------------------
    def job_dir(self, name: str) -> Path:
        """Where job `name` lives (or will live)."""
        return self.state.root / name

    def submit_dryrun(self, spec: LocalJobSpec) -> LocalJobRequest:
        """Resolve a spec into the exact directory, record and commands `schedule` would use. Touches nothing."""
        validate_name(spec.name, "name")
        names = [node.name for node in spec.nodes]
        if len(set(names)) != len(names):
            raise InvalidInputError("nodes", f"node names must be unique, got {names}.")
        for relative in spec.files:
            parts = PurePosixPath(relative).parts
            if not parts or PurePosixPath(relative).is_absolute() or ".." in parts or parts[0] in _RESERVED_FILES:
                raise InvalidInputError("files", f"{relative!r} is not a file name the job directory can hold.")
        job_dir = self.job_dir(spec.name)
        base = dict(os.environ) if spec.inherit_env else {}
        base.update(spec.env)
        cwd = spec.cwd or os.getcwd()
        launch = {
            "nodes": [
                {"name": node.name, "argv": list(node.argv), "env": {**base, **node.env}, "cwd": node.cwd or cwd}
                for node in spec.nodes
            ]
        }
        record: Record = {
            "version": 1,
            "name": spec.name,
            "kind": spec.kind,
            "status": "Created",
            "reason": None,
            "message": None,
            "created": now_iso(),
            "started": None,
            "finished": None,
            "labels": dict(spec.labels),
            "meta": dict(spec.meta),
            "ports": list(spec.ports),
            "cwd": cwd,
            "env_names": sorted(spec.env),
            "grace_seconds": self.config.termination_grace_seconds,
            "shared_locks": list(spec.shared_locks),
            "supervisor": None,
            "first_failure": None,
            "nodes": [
                {
                    "name": node.name,
                    "argv": list(node.argv),
                    "env_names": sorted(node.env),
                    "cwd": node.cwd or cwd,
                    "status": "Pending",
                    "pid": None,
                    "start_ticks": None,
                    "exit_code": None,
                    "started": None,
                    "finished": None,
                }
                for node in spec.nodes
            ],
        }
        return LocalJobRequest(
            name=spec.name,
            job_dir=str(job_dir),
            record=record,
            launch=launch,
            files=dict(spec.files),
            supervisor_argv=[sys.executable, "-m", SUPERVISOR_MODULE, str(job_dir)],
            ports=list(spec.ports),
            events=list(spec.events),
        )

    def schedule(self, request: LocalJobRequest) -> JobRef:
        """Write the job's state, publish it atomically and start its supervisor.

        Raises:
            AlreadyExistsError: A job of that name exists.
            ConflictError: A port of the request is held by an unfinished job (reason `PortInUse`).
            BackendError: The supervisor could not start (the job is then recorded as Failed).
        """
        name = request.name
        self.state.ensure()
        staged = self.state.stage(name)
        try:
            for relative, text in request.files.items():
                target = staged.path / relative
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                write_private(target, text.encode("utf-8"))
            write_json(staged.path / LAUNCH_FILE, request.launch)
            write_json(staged.record_path, request.record)
            kind = str(request.record.get("kind", "Job"))
            staged.add_event(
                kind, name, "Created", f"Job {name} was created with {len(request.launch['nodes'])} node(s)."
            )
            for event in request.events:
                staged.add_event(kind, name, event.reason, event.message, event.type)
            with self.state.publishing():
                if self.state.job(name).read() is not None or self.job_dir(name).exists():
                    raise AlreadyExistsError(f"A job named {name!r} already exists.", reason="AlreadyExists")
                taken = sorted(set(request.ports) & self._ports_in_use())
                if taken:
                    raise ConflictError(f"Ports {taken} are held by another unfinished job.", reason="PortInUse")
                try:
                    job = self.state.publish(staged, name)
                except FileExistsError:
                    raise AlreadyExistsError(f"A job named {name!r} already exists.", reason="AlreadyExists") from None
        except BaseException:
            import shutil

            shutil.rmtree(staged.path, ignore_errors=True)
            raise
        self._start_supervisor(job, request)
        return JobRef(backend=self.kind, name=name)

    def _start_supervisor(self, job: JobDir, request: LocalJobRequest) -> None:
        """Start the supervisor in its own session and return once it has registered itself in the record.

        It stays our child while we live (a daemon thread reaps it, so no zombie is left); if we exit first, it is
        adopted like any orphan and carries on.
        """
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([_core_src_dir(), *filter(None, [env.get("PYTHONPATH")])])
        read_fd, write_fd = os.pipe()
        log_fd = os.open(job.path / SUPERVISOR_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            process = subprocess.Popen(
                [*request.supervisor_argv, "--notify-fd", str(write_fd)],
                cwd=job.path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                pass_fds=(write_fd,),
            )
        finally:
            os.close(log_fd)
            os.close(write_fd)
        try:
            ready = _read_until_eof(read_fd, SUPERVISOR_START_TIMEOUT)
        finally:
            os.close(read_fd)
        if ready.startswith(b"ok"):
            threading.Thread(target=process.wait, name=f"kubeflow-reap-{request.name}", daemon=True).start()
            return
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()
        tail = logs.tail_lines(job.path / SUPERVISOR_LOG, 20)
        message = "The job's supervisor could not start."
        self._mark_failed(job, "SupervisorFailed", message + (" Its output: " + " / ".join(tail) if tail else ""))
        raise BackendError(message + "\n" + "\n".join(f"  | {line}" for line in tail), reason="SupervisorFailed")

    def _ports_in_use(self) -> set[int]:
        ports: set[int] = set()
        for name in self.state.names():
            record = self.state.job(name).read()
            if record is not None and record.get("status") not in TERMINAL_STATUSES:
                ports.update(int(port) for port in record.get("ports") or [])
        return ports

    def pick_port(self) -> int:
        """A TCP port free on this host now and held by no unfinished job (record it in the spec's `ports`)."""
        in_use = self._ports_in_use()
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
            if port not in in_use:
                return port
        raise BackendError("No free TCP port could be found on this host.", reason="NoFreePort")  # pragma: no cover

    # -- reading -----------------------------------------------------------------------------------------------
    def describe(self, name: str) -> LocalJobInfo | None:
        """The job as recorded, or None. A job whose supervisor died is marked Failed here, on first sight."""
        job = self.state.job(name)
        signature = job.signature()
        record = job.read()
        if record is None:
            return None
        if record.get("status") not in TERMINAL_STATUSES:
            record = self._reconcile(job, record)
        return self._info(job, record, _revision(signature))

    def list(self) -> builtins.list[LocalJobInfo]:
        """Every job in the state directory, oldest first."""
        found = [info for info in (self.describe(name) for name in self.state.names()) if info is not None]
        return sorted(found, key=lambda info: (info.created, info.name))

    def _info(self, job: JobDir, record: Record, revision: str = "") -> LocalJobInfo:
        failure = record.get("first_failure") or {}
        supervisor = record.get("supervisor") or {}
        return LocalJobInfo(
            name=record["name"],
            kind=record.get("kind", "Job"),
            status=record["status"],
            reason=record.get("reason"),
            message=record.get("message"),
            created=_time(record["created"]) or datetime.now(timezone.utc),
            started=_time(record.get("started")),
            finished=_time(record.get("finished")),
            labels=record.get("labels") or {},
            meta=record.get("meta") or {},
            ports=record.get("ports") or [],
            nodes=[
                LocalNodeInfo(
                    name=node["name"],
                    status=node["status"],
                    pid=node.get("pid"),
                    exit_code=node.get("exit_code"),
                    started=_time(node.get("started")),
                    finished=_time(node.get("finished")),
                    terminated=bool(node.get("terminated")),
                    argv=node.get("argv") or [],
                    log_path=str(job.log_path(node["name"])),
                )
                for node in record["nodes"]
            ],
            failed_node=failure.get("node"),
            failed_exit_code=failure.get("exit_code"),
            supervisor_pid=supervisor.get("pid"),
            job_dir=str(job.path),
            revision=revision,
        )

    def _supervisor_lost(self, record: Record) -> str | None:
        """Why an unfinished job has no live supervisor, or None if it has one."""
        supervisor = record.get("supervisor")
        if not supervisor:
            created = _time(record.get("created"))
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

    def _reconcile(self, job: JobDir, record: Record) -> Record:
        if self._supervisor_lost(record) is None:
            return record
        groups: builtins.list[tuple[int, int | None]] = []

        def change(current: Record) -> bool:
            if current.get("status") in TERMINAL_STATUSES:
                return False
            why = self._supervisor_lost(current)
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

    def _mark_failed(self, job: JobDir, reason: str, message: str) -> None:
        def change(current: Record) -> bool:
            if current.get("status") in TERMINAL_STATUSES:
                return False
            current.update(status="Failed", reason=reason, message=message, finished=now_iso())
            return True

        job.update(change)
        job.add_event(str((job.read() or {}).get("kind", "Job")), job.path.name, reason, message, "Warning")

    # -- logs and events ---------------------------------------------------------------------------------------
    def _require(self, name: str) -> LocalJobInfo:
        info = self.describe(name)
        if info is None:
            raise NotFoundError(f"Job {name!r} not found in {self.state.root}.", reason="NotFound")
        return info

    def _node(self, info: LocalJobInfo, step: str) -> LocalNodeInfo:
        for node in info.nodes:
            if node.name == step:
                return node
        steps = ", ".join(node.name for node in info.nodes)
        raise NotFoundError(f"Job {info.name!r} has no step {step!r}; its steps are: {steps}.", reason="NotFound")

    def log_iter(self, name: str, step: str, *, follow: bool = False) -> Iterator[str]:
        """The log lines of one node; with `follow`, as they are written until the node (or the job) ends.

        Raises:
            NotFoundError: No such job or node (raised at the call, not at the first iteration).
        """
        node = self._node(self._require(name), step)
        path = Path(node.log_path)
        if not follow:
            return logs.read_lines(path)
        job = self.state.job(name)

        def ended() -> bool:
            record = job.read()
            if record is None:
                return True
            if record.get("status") not in TERMINAL_STATUSES:
                record = self._reconcile(job, record)
            status = next((item["status"] for item in record["nodes"] if item["name"] == step), None)
            if status in ("Succeeded", "Failed", None):
                return True
            if record.get("status") not in TERMINAL_STATUSES:
                return False
            supervisor = record.get("supervisor") or {}
            return status == "Pending" or not procs.is_alive(supervisor.get("pid"), supervisor.get("start_ticks"))

        return logs.follow_lines(path, ended)

    def log_tail(self, name: str, step: str, count: int = 20) -> builtins.list[str]:
        """The last `count` lines of one node's log."""
        node = self._node(self._require(name), step)
        return logs.tail_lines(Path(node.log_path), count)

    def events(self, name: str) -> builtins.list[Event]:
        """The events of a job, oldest first; those of a recently deleted job stay readable for an hour.

        Raises:
            NotFoundError: There is no such job.
        """
        job = self.state.job(name)
        raw = job.events() if job.read() is not None else self.state.deleted_events(name)
        if raw is None:
            raise NotFoundError(f"Job {name!r} not found in {self.state.root}.", reason="NotFound")
        return [
            Event(
                involved_object_kind=str(entry.get("kind", "Job")),
                involved_object_name=str(entry.get("object", name)),
                reason=str(entry.get("reason", "")),
                message=str(entry.get("message", "")),
                event_time=_time(entry.get("time")) or datetime.now(timezone.utc),
                type="Warning" if entry.get("type") == "Warning" else "Normal",
            )
            for entry in raw
        ]

    def wait_for_change(self, name: str, timeout: float, since: str | None = None) -> None:
        """Return as soon as the job's record differs from revision `since` (checked every 20 ms), or at `timeout`.

        Without `since`, the record as it is at the call is the reference.
        """
        job = self.state.job(name)
        before = since if since is not None else _revision(job.signature())
        deadline = time.monotonic() + max(0.0, timeout)
        while _revision(job.signature()) == before and (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(WATCH_SECONDS, remaining))

    # -- deletion ----------------------------------------------------------------------------------------------
    def _cancel_existing(self, name: str) -> None:
        """Stop every process of the job (supervisor, nodes, their children), then remove its state."""
        job = self.state.job(name)
        record = job.read()
        if record is None:
            return
        kind = str(record.get("kind", "Job"))
        grace = float(record.get("grace_seconds", self.config.termination_grace_seconds))
        job.add_event(kind, name, "Deleting", f"Job {name} is being deleted.")
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
        events = job.events()
        with contextlib.suppress(OSError):
            events.append(
                {
                    "time": now_iso(),
                    "kind": kind,
                    "object": name,
                    "reason": "Deleted",
                    "message": f"Job {name} was deleted.",
                    "type": "Normal",
                }
            )
        if self.state.remove(name):
            self.state.keep_deleted_events(name, events)
