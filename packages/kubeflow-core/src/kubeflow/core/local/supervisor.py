"""The supervisor of one local job: `python -m kubeflow.core.local.supervisor <job-dir>`.

It runs in its own session (the client starts it with `start_new_session=True`), so it outlives the client; it
records its own pid, start time and where it runs (host, boot id, pid namespace), tells the client it may return,
starts every node in its own process group with its output in the node's log, and records each node's pid, start and
exit as they happen. On the first non-zero exit it marks the job `Failed` and terminates the other nodes (SIGTERM to
each process group, a grace period, SIGKILL). On SIGTERM it does the same and exits. When all nodes have ended it
kills every remaining descendant (it is a subreaper on Linux, so orphans, even ones that started their own session,
are its descendants) and exits. Nodes get a parent-death signal (SIGKILL): they do not outlive a killed supervisor.
A terminal status, once written (by anyone), is never overwritten.

Imports stay light (standard library only) so that a job starts fast.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import math
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kubeflow.core.local import procs
from kubeflow.core.local.state import LAUNCH_FILE, JobDir, Record, now_iso, read_json

_TERMINAL = ("Complete", "Failed")
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36

FAILURE_WRITE_DELAY = 1.0
"""At most this many seconds pass between a node's failure and the job's `Failed` status (time the others get to
exit on SIGTERM first, so the record shows them ended)."""


def exit_code_of(returncode: int) -> int:
    """A process's exit code as a shell or Kubernetes reports it: 128 + signal number for a killed process."""
    return returncode if returncode >= 0 else 128 - returncode


class Node:
    """One running node process."""

    def __init__(self, index: int, name: str, process: subprocess.Popen[bytes], ticks: int | None) -> None:
        self.index = index
        self.name = name
        self.process = process
        self.ticks = ticks
        self.exit_code: int | None = None


class Supervisor:
    """Runs the nodes of one job to their end."""

    def __init__(self, job_dir: Path, uid: str | None = None) -> None:
        self.job = JobDir(job_dir, uid, lock_timeout=math.inf)  # a stopped client must not make it give up
        self.nodes: list[Node] = []
        self.kind = "Job"
        self.grace = 10.0
        self.stop_signal: int | None = None
        self.failure: tuple[str, int] | None = None
        self.stop_reason: tuple[str, str] | None = None
        self.terminate_deadline: float | None = None
        self.failed_write_at: float | None = None
        self.failed_written = False
        self.killed = False
        self.wake_r, self.wake_w = os.pipe()
        self.held_locks: list[int] = []
        self.notify_fd: int | None = None

    # -- setup -------------------------------------------------------------------------------------------------
    def register(self) -> Record:
        """Record this process as the job's supervisor; return the launch description."""
        launch = read_json(self.job.path / LAUNCH_FILE)
        if not isinstance(launch, dict):
            raise RuntimeError(f"no launch description in {self.job.path} (was the job deleted meanwhile?)")
        if self.job.uid is not None and launch.get("uid") != self.job.uid:
            raise RuntimeError(f"the job in {self.job.path} was replaced by another of the same name")
        with contextlib.suppress(OSError):
            os.unlink(self.job.path / LAUNCH_FILE)  # it holds environment values: keep them on disk no longer
        self.job.uid = str(launch.get("uid") or "") or None
        me = {"pid": os.getpid(), "start_ticks": procs.start_ticks(os.getpid()), **procs.host_identity()}

        def change(record: Record) -> bool:
            if record.get("supervisor") or record.get("deleting") or record.get("status") in _TERMINAL:
                return False  # another supervisor registered, or the job was ended or is being deleted
            record["supervisor"] = me
            self.kind = str(record.get("kind", "Job"))
            self.grace = float(record.get("grace_seconds", 10.0))
            return True

        record = self.job.update(change)
        if record is None:
            raise RuntimeError(f"no job record of this job in {self.job.path} (was it deleted meanwhile?)")
        if record.get("supervisor") != me:
            why = "is being deleted" if record.get("deleting") else "already has a supervisor or has ended"
            raise RuntimeError(f"the job in {self.job.path} {why}")
        for path in record.get("shared_locks") or []:
            self.hold_shared_lock(path)
        return launch

    def hold_shared_lock(self, path: str) -> None:
        """Take a shared `flock` on `path` and keep it until this process exits."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)
        except OSError as exc:
            print(f"kubeflow: cannot hold a shared lock on {path}: {exc}", file=sys.stderr)
            return
        self.held_locks.append(fd)

    def install_signals(self) -> None:
        """Wake the main loop on SIGCHLD; turn SIGTERM/SIGINT into a stop request; survive SIGHUP."""
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGHUP, lambda *_: None)  # a handler, not SIG_IGN: children must not inherit it

        def stop(signum: int, _frame: Any) -> None:
            self.stop_signal = signum

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def start_nodes(self, launch: Record) -> None:
        """Start every node in its own process group, then mark the job Running."""
        for index, spec in enumerate(launch["nodes"]):
            if self.failure is not None or self.stop_signal is not None:
                break  # the job has already failed or been stopped: start no more nodes
            name = spec["name"]
            log_fd = os.open(self.job.log_path(name), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
            try:
                process = subprocess.Popen(
                    spec["argv"],
                    env=spec["env"],
                    cwd=spec.get("cwd") or None,
                    stdin=subprocess.DEVNULL,
                    stdout=log_fd,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    close_fds=True,
                    preexec_fn=_die_with_parent(),
                )
            except (OSError, subprocess.SubprocessError) as exc:
                os.write(log_fd, f"kubeflow: cannot start {spec['argv'][0]!r}: {exc}\n".encode())
                os.close(log_fd)
                code = 126 if isinstance(exc, PermissionError) else 127
                self.job.add_event("Node", name, "NodeFailedToStart", f"{name} could not start: {exc}", "Warning")
                self.job.update(functools.partial(_set_node, index=index, status="Failed", exit_code=code))
                self.on_failure(name, code)
                continue
            os.close(log_fd)
            node = Node(index, name, process, procs.start_ticks(process.pid))
            self.nodes.append(node)
            # Recorded at once, one node at a time: whoever finds this supervisor dead can stop every started node.
            fields: dict[str, Any] = {"pid": process.pid, "start_ticks": node.ticks, "started": now_iso()}
            self.job.update(functools.partial(_node_started, index=index, fields=fields))
            self.job.add_event("Node", name, "NodeStarted", f"{name} started as pid {process.pid}.")

    # -- events ------------------------------------------------------------------------------------------------
    def on_exit(self, node: Node, returncode: int) -> None:
        """Record one node's end; the first failure fails the job."""
        code = exit_code_of(returncode)
        node.exit_code = code
        terminated = self.terminate_deadline is not None and code != 0
        status = "Succeeded" if code == 0 else "Failed"
        self.job.update(
            lambda r: _set_node(r, node.index, status=status, exit_code=code, finished=now_iso(), terminated=terminated)
        )
        how = " after it was terminated" if terminated else ""
        self.job.add_event(
            "Node",
            node.name,
            "NodeExited",
            f"{node.name} exited with code {code}{how}.",
            "Normal" if code == 0 else "Warning",
        )
        if code != 0 and not terminated:
            self.on_failure(node.name, code)

    def on_failure(self, name: str, code: int) -> None:
        """The first failing node fails the job: the other nodes are terminated."""
        if self.failure is not None or self.stop_reason is not None:
            return
        self.failure = (name, code)
        self.job.add_event(
            self.kind, self.job.path.name, "NodeFailed", f"{name} failed with exit code {code}.", "Warning"
        )
        self.begin_termination()

    def on_stop(self) -> None:
        """A SIGTERM/SIGINT to the supervisor stops the job."""
        signum = self.stop_signal
        self.stop_signal = None
        if self.stop_reason is not None or signum is None:
            return
        name = signal.Signals(signum).name
        self.stop_reason = ("Stopped", f"The job was stopped: its supervisor received {name}.")
        if self.failure is None:
            self.job.add_event(self.kind, self.job.path.name, "Stopping", self.stop_reason[1], "Warning")
        self.begin_termination()

    def begin_termination(self) -> None:
        """SIGTERM every node's process group; SIGKILL follows after the grace period."""
        if self.terminate_deadline is None:
            self.terminate_deadline = time.monotonic() + self.grace
            self.failed_write_at = time.monotonic() + min(self.grace, FAILURE_WRITE_DELAY)
        for node in self.nodes:
            if node.exit_code is None:
                procs.signal_group(node.process.pid, signal.SIGTERM)
            else:
                procs.signal_group(node.process.pid, signal.SIGTERM, node.ticks, verified=True)

    def write_failed(self) -> None:
        """Mark the job Failed with the first failure (or the stop) as its reason."""
        if self.failed_written:
            return
        self.failed_written = True
        if self.failure is not None:
            node, code = self.failure
            reason, message = "NodeFailed", f"{node} exited with code {code}."
        else:
            reason, message = self.stop_reason or ("Stopped", "The job was stopped.")
        # Events first: whoever sees the status change finds the events that explain it.
        self.job.add_event(self.kind, self.job.path.name, "Failed", _failed_message(self), "Warning")

        def change(record: Record) -> bool:
            if record.get("status") in _TERMINAL:
                return False  # a terminal status is never overwritten
            record["status"] = "Failed"
            record["reason"] = reason
            record["message"] = message
            if self.failure is not None:
                record["first_failure"] = {"node": self.failure[0], "exit_code": self.failure[1]}
            record["finished"] = now_iso()
            return True

        self.job.update(change)

    # -- main loop ---------------------------------------------------------------------------------------------
    def running(self) -> list[Node]:
        """Nodes that have not ended."""
        return [node for node in self.nodes if node.exit_code is None]

    def loop(self) -> None:
        """Reap nodes until all have ended, terminating them when the job fails or is stopped."""
        while self.running():
            self.reap()
            if self.stop_signal is not None:
                self.on_stop()
            now = time.monotonic()
            if self.failed_write_at is not None and (not self.running() or now >= self.failed_write_at):
                self.write_failed()
            if self.terminate_deadline is not None and now >= self.terminate_deadline and not self.killed:
                self.killed = True
                for node in self.running():
                    procs.signal_group(node.process.pid, signal.SIGKILL)
            if not self.running():
                break
            timeout = 1.0
            for deadline in (self.failed_write_at, None if self.killed else self.terminate_deadline):
                if deadline is not None:
                    timeout = min(timeout, max(0.0, deadline - now))
            self.sleep(timeout)

    def reap(self) -> None:
        """Collect every ended child: nodes are recorded, adopted orphans (we are a subreaper) are just reaped."""
        by_pid = {node.process.pid: node for node in self.running()}
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            node = by_pid.get(pid)
            if node is not None:
                returncode = os.waitstatus_to_exitcode(status)
                node.process.returncode = returncode
                self.on_exit(node, returncode)

    def sleep(self, timeout: float) -> None:
        """Wait for a signal (SIGCHLD, SIGTERM) or `timeout` seconds."""
        with contextlib.suppress(InterruptedError):
            select.select([self.wake_r], [], [], timeout)
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while os.read(self.wake_r, 512):
                pass

    def finish(self) -> None:
        """Remove whatever is left of the job's processes, then record its end (so no process outlives it)."""
        procs.kill_groups_verified([(node.process.pid, node.ticks) for node in self.nodes], self.grace, self.reap)
        self.kill_descendants()
        self.reap_all(timeout=1.0)
        if self.failure is not None or self.stop_reason is not None:
            self.write_failed()
        else:

            def change(record: Record) -> bool:
                if record.get("status") in _TERMINAL:
                    return False  # a terminal status is never overwritten
                record["status"] = "Complete"
                record["reason"] = "Completed"
                record["message"] = "Every node exited with code 0."
                record["finished"] = now_iso()
                return True

            self.job.add_event(self.kind, self.job.path.name, "Completed", "Every node exited with code 0.")
            self.job.update(change)

    def kill_descendants(self) -> None:
        """End every process still descending from this one (SIGTERM, the grace period, then SIGKILL).

        As a subreaper this supervisor inherits the orphans of its nodes, including those that started their own
        session, so this leaves nothing of the job running.
        """
        me = os.getpid()
        found = [(pid, procs.start_ticks(pid)) for pid in procs.descendants(me)]
        if not found:
            return
        procs.kill_verified(found, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline:
            self.reap_all(timeout=0)
            if not procs.descendants(me):
                return
            time.sleep(0.02)
        for _ in range(100):  # new ones may be forked while we kill: repeat until none is left
            left = [(pid, procs.start_ticks(pid)) for pid in procs.descendants(me)]
            if not left:
                return
            procs.kill_verified(left, signal.SIGKILL)
            self.reap_all(timeout=0.05)

    def reap_all(self, timeout: float) -> None:
        """Reap every remaining child (adopted orphans that just died), so none is left a zombie after we exit."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.01)

    def notify(self, message: bytes) -> None:
        """Tell the starting client how the start went (once)."""
        fd, self.notify_fd = self.notify_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.write(fd, message[:4000])
                os.close(fd)

    def run(self, notify_fd: int | None) -> None:
        """Register, start the nodes, tell the client it may return, supervise, finish."""
        self.notify_fd = notify_fd
        self.install_signals()
        launch = self.register()
        self.notify(b"ok")
        self.start_nodes(launch)
        if self.stop_signal is not None:
            self.on_stop()
        self.loop()
        self.finish()


def _failed_message(supervisor: Supervisor) -> str:
    if supervisor.failure is not None:
        node, code = supervisor.failure
        return f"The job failed: {node} exited with code {code}; the other nodes were terminated."
    return (supervisor.stop_reason or ("Stopped", "The job was stopped."))[1]


def _node_started(record: Record, index: int, fields: dict[str, Any]) -> None:
    record["nodes"][index].update(fields, status="Running")
    if record["status"] == "Created":  # the job runs from its first node's start
        record["status"] = "Running"
        record["started"] = fields["started"]


def _set_node(record: Record, index: int, **fields: Any) -> None:
    record["nodes"][index].update(fields)


def _prctl() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover
        return None


def become_subreaper() -> bool:
    """Adopt the orphans of our nodes (even those that start their own session), so they are ours to reap and kill.

    Linux only. Returns whether it worked.
    """
    prctl = _prctl()
    return prctl is not None and prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _die_with_parent() -> Any:
    """A `preexec_fn` giving the child SIGKILL when this (single-threaded) supervisor dies (Linux only).

    The parent-death signal fires when the parent *thread* ends, so it is set only by the supervisor, which runs no
    other thread. A child whose parent died before the signal was armed kills itself.
    """
    prctl = _prctl()  # looked up before the fork: nothing is loaded in the child
    if prctl is None:
        return None
    parent = os.getpid()
    kill = os.kill
    getppid = os.getppid

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if getppid() != parent:
            kill(os.getpid(), signal.SIGKILL)

    return arm


def main(argv: list[str]) -> int:
    """Supervise the job in `argv[0]`.

    `--uid U` names the job generation to supervise; `--notify-fd N` gets `ok` once the supervisor is registered
    (or `error: <why>`).
    """
    job_dir = Path(argv[0])
    options = dict(zip(argv[1::2], argv[2::2], strict=False))
    notify_fd = int(options["--notify-fd"]) if "--notify-fd" in options else None
    become_subreaper()
    supervisor = Supervisor(job_dir, options.get("--uid"))
    try:
        supervisor.run(notify_fd)
    except BaseException as exc:  # the record must say what happened, whatever it was
        if not isinstance(exc, SystemExit):
            import traceback

            traceback.print_exc()
            message = f"The job's supervisor failed: {type(exc).__name__}: {exc}"
            supervisor.notify(b"error: " + message.encode("utf-8", "replace"))
            supervisor.stop_reason = supervisor.stop_reason or ("SupervisorFailed", message)
            for node in supervisor.running():
                procs.signal_group(node.process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                supervisor.write_failed()
            with contextlib.suppress(Exception):
                supervisor.kill_descendants()
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
