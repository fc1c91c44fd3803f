"""`LocalProcessBackend`: jobs as detached, supervised groups of processes on this machine, with durable state."""

from __future__ import annotations

import builtins
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

from kubeflow.core.backend import JobBackend
from kubeflow.core.errors import (
    AlreadyExistsError,
    BackendError,
    ConflictError,
    InvalidInputError,
    KubeflowError,
    NotFoundError,
)
from kubeflow.core.local import launching, lifecycle, logs, procs, progress, retention
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobInfo, LocalJobRequest, LocalJobSpec, LocalNodeInfo, ProgressRecord
from kubeflow.core.local.state import (
    JOB_FILE,
    LAUNCH_FILE,
    JobDir,
    Record,
    StateRoot,
    now_iso,
    write_json,
    write_private,
)
from kubeflow.core.models import TERMINAL_STATUSES, Event, JobRef

WATCH_SECONDS = 0.02
"""How often `wait_for_change` looks at a job record."""


def _revision(signature: tuple[int, int] | None) -> str:
    return "" if signature is None else f"{signature[0]}-{signature[1]}"


_time = lifecycle.parse_time


class LocalProcessBackend(JobBackend[LocalJobSpec, LocalJobRequest, LocalJobInfo]):
    """Run jobs as processes on this machine; every client pointed at the same state directory sees them all."""

    kind: ClassVar[str] = "local-process"

    def __init__(self, config: LocalProcessBackendConfig | None = None) -> None:
        """Use `config` (defaults: the per-user state directory). Nothing is created until a job is scheduled."""
        self.config = config or LocalProcessBackendConfig()
        self.state = StateRoot(self.config.state_dir, self.config.lock_timeout_seconds)
        self._finished: dict[str, tuple[tuple[int, int], LocalJobInfo]] = {}

    # -- submission --------------------------------------------------------------------------------------------
    def job_dir(self, name: str) -> Path:
        """Where job `name` lives (or will live)."""
        return self.state.root / name

    def schedule(self, request: LocalJobRequest) -> JobRef:
        """Write the job's state, publish it atomically and start its supervisor.

        Raises:
            AlreadyExistsError: A job of that name exists.
            ConflictError: A port of the request is held by an unfinished job (reason `PortInUse`).
            BackendError: The supervisor could not start (the job is then recorded as Failed).
            ForbiddenError: The state directory is not private to this user (reason `UntrustedStateDir`).
            OperationTimeoutError: The state lock stayed held by another process (reason `LockTimeout`).
        """
        name = request.name
        self._check_size(len(request.launch.get("nodes") or []))
        try:
            self.state.ensure()
            self.prune_finished(throttled=True)
            staged = self.state.stage(name)
        except KubeflowError:
            raise
        except OSError as exc:
            raise BackendError(
                f"Cannot write the job's state in {self.state.root}: {exc}", reason="StateError"
            ) from exc
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
        except KubeflowError:
            shutil.rmtree(staged.path, ignore_errors=True)
            raise
        except OSError as exc:
            shutil.rmtree(staged.path, ignore_errors=True)
            raise BackendError(
                f"Cannot write the job's state in {self.state.root}: {exc}", reason="StateError"
            ) from exc
        except BaseException:
            shutil.rmtree(staged.path, ignore_errors=True)
            raise
        try:
            launching.start_supervisor(job, request)
        except KubeflowError:
            raise
        except OSError as exc:
            raise BackendError(f"The job's supervisor could not start: {exc}", reason="SupervisorFailed") from exc
        return JobRef(backend=self.kind, name=name)

    def prune_finished(self, *, throttled: bool = False) -> builtins.list[str]:
        """Apply retention (`finished_job_ttl_seconds`, `max_finished_jobs`): remove finished jobs past them.

        Args:
            throttled: Skip unless no pass ran in the last minute (how `train` and `list` call it).

        Returns:
            The names of the removed jobs.
        """
        ttl, most = self.config.finished_job_ttl_seconds, self.config.max_finished_jobs

        def finished(name: str) -> retention.Finished | None:
            info = self._describe(name)  # a stat for a finished job read before
            if info is None or info.status not in TERMINAL_STATUSES:
                return None
            return ((info.finished or info.created).timestamp(), info.uid)

        if throttled:
            done = retention.maybe_prune(self.state, ttl, most, finished)
            return done.removed if done is not None else []
        return retention.prune(self.state, ttl, most, read=finished).removed

    def _ports_in_use(self) -> set[int]:
        ports: set[int] = set()
        for name in self.state.names():  # checks the root
            info = self._describe(name)  # finished jobs come from the cache: a stat each
            if info is not None and info.status not in TERMINAL_STATUSES:
                ports.update(info.ports)
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

    def submit_dryrun(self, spec: LocalJobSpec) -> LocalJobRequest:
        """Resolve a spec into the exact directory, record and commands `schedule` would use. Touches nothing.

        Raises:
            InvalidInputError: The spec is invalid, or has more nodes than `max_processes`.
        """
        self._check_size(len(spec.nodes))
        return launching.build_request(spec, self.job_dir(spec.name), self.config.termination_grace_seconds)

    def _check_size(self, nodes: int) -> None:
        if nodes > self.config.max_processes:
            raise InvalidInputError(
                "nodes",
                f"{nodes} node processes is more than one machine runs here: the limit is "
                f"{self.config.max_processes} (LocalProcessBackendConfig.max_processes; default 8 per CPU, at least 64).",
                "Use fewer nodes, or the Kubernetes backend.",
            )

    # -- reading -----------------------------------------------------------------------------------------------
    def describe(self, name: str) -> LocalJobInfo | None:
        """The job as recorded, or None. A job whose supervisor died is marked Failed here, on first sight."""
        if not self.state.check():
            return None
        return self._describe(name)

    def _cached(self, name: str) -> LocalJobInfo | None:
        """A finished job as last read, if its record is unchanged (one `lstat`: the root is checked by the caller)."""
        cached = self._finished.get(name)
        if cached is None:
            return None
        try:
            info = os.lstat(f"{self.state.root}/{name}/{JOB_FILE}")
        except OSError:
            return None
        return cached[1] if cached[0] == (info.st_ino, info.st_mtime_ns) else None

    def _describe(self, name: str) -> LocalJobInfo | None:
        cached = self._cached(name)
        if cached is not None:
            return cached  # a finished job's record changes no more: one stat instead of a parse
        job = self.state.job(name)
        signature = job.signature()
        record = job.read()
        if record is None:
            self._finished.pop(name, None)
            return None
        if record.get("status") not in TERMINAL_STATUSES:
            record = lifecycle.reconcile(job, record)
        info = self._info(job, record, _revision(signature))
        if info.status in TERMINAL_STATUSES and signature is not None and job.signature() == signature:
            self._finished[name] = (signature, info)
        return info

    def list(self) -> builtins.list[LocalJobInfo]:
        """Every job in the state directory, oldest first (finished jobs past retention are removed first)."""
        if self.state.check():
            self.prune_finished(throttled=True)
        found = [info for info in (self._describe(name) for name in self.state.names()) if info is not None]
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
            uid=record.get("uid"),
        )

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
        return logs.follow_lines(path, self._ended(name, step))

    def log_iter_many(self, name: str, steps: builtins.list[str], *, follow: bool = False) -> Iterator[tuple[str, str]]:
        """`(step, line)` of several nodes: node by node, or with `follow` as they are written.

        Following uses one thread and reads nothing ahead of the consumer: closing the iterator stops all reading.

        Raises:
            NotFoundError: No such job or node (raised at the call).
        """
        info = self._require(name)
        paths = {step: Path(self._node(info, step).log_path) for step in steps}
        if not follow:
            return ((step, line) for step, path in paths.items() for line in logs.read_lines(path))
        return logs.follow_many({step: (path, self._ended(name, step)) for step, path in paths.items()})

    def _ended(self, name: str, step: str) -> Callable[[], bool]:
        job = self.state.job(name)

        def ended() -> bool:
            record = job.read()
            if record is None:
                return True
            if record.get("status") not in TERMINAL_STATUSES:
                record = lifecycle.reconcile(job, record)
            status = next((item["status"] for item in record["nodes"] if item["name"] == step), None)
            if status in ("Succeeded", "Failed", None):
                return True
            if record.get("status") not in TERMINAL_STATUSES:
                return False
            supervisor = record.get("supervisor") or {}
            if status == "Pending" or lifecycle.runs_elsewhere(record) is not None:
                return True
            return not procs.is_alive(supervisor.get("pid"), supervisor.get("start_ticks"))

        return ended

    def log_tail(self, name: str, step: str, count: int = 20) -> builtins.list[str]:
        """The last `count` lines of one node's log."""
        node = self._node(self._require(name), step)
        return logs.tail_lines(Path(node.log_path), count)

    def progress(self, name: str) -> builtins.list[ProgressRecord]:
        """Everything the job reported about itself through `progress.report()`, oldest first.

        Raises:
            NotFoundError: There is no such job.
        """
        self._require(name)
        return progress.read(self.job_dir(name) / progress.PROGRESS_FILE)

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
        self.state.check()
        job = self.state.job(name)
        record = job.read()
        if record is None:
            return
        uid = str(record.get("uid") or "") or None
        job = self.state.job(name, uid)
        kind = str(record.get("kind", "Job"))
        job.add_event(kind, name, "Deleting", f"Job {name} is being deleted.")
        lifecycle.stop_all(job, record, float(record.get("grace_seconds", self.config.termination_grace_seconds)))
        events = job.events()
        deleted = {"time": now_iso(), "kind": kind, "object": name, "reason": "Deleted", "type": "Normal"}
        events.append({**deleted, "message": f"Job {name} was deleted."})
        if self.state.remove(name, uid):
            self.state.keep_deleted_events(name, events)
