"""Turning a job spec into what the supervisor needs, and starting the supervisor."""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePosixPath

from kubeflow.core.errors import BackendError, ConflictError, InvalidInputError
from kubeflow.core.local import lifecycle, logs, procs, progress
from kubeflow.core.local.models import LocalJobRequest, LocalJobSpec
from kubeflow.core.local.state import (
    LAUNCH_FILE,
    LOCK_FILE,
    LOGS_DIR,
    SUPERVISOR_LOG,
    TMP_DIR,
    JobDir,
    Record,
    now_iso,
)
from kubeflow.core.names import validate_name

SUPERVISOR_MODULE = "kubeflow.core.local.supervisor"
_RESERVED_FILES = {
    "job.json",
    LAUNCH_FILE,
    "events.jsonl",
    LOCK_FILE,
    SUPERVISOR_LOG,
    LOGS_DIR,
    TMP_DIR,
    progress.PROGRESS_FILE,
}
TEMP_VARS = ("TMPDIR", "TMP", "TEMP")
"""Where a node's temporary files go: the job's own `tmp/` (so torchrun's `torchelastic_*` and the like leave with the
job), unless the job's or node's `env` sets one of them."""


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


def _temp_env(job_dir: Path, *user_envs: dict[str, str]) -> dict[str, str]:
    """TMPDIR/TMP/TEMP pointing into the job directory, or nothing when the user chose any of them for the job."""
    if any(var in env for env in user_envs for var in TEMP_VARS):
        return {}
    return dict.fromkeys(TEMP_VARS, str(job_dir / TMP_DIR))


def build_request(spec: LocalJobSpec, job_dir: Path, grace_seconds: float) -> LocalJobRequest:
    """Resolve a spec into the exact record, launch description and supervisor command. Touches nothing.

    Raises:
        InvalidInputError: The name, node names or file names are invalid.
    """
    validate_name(spec.name, "name")
    names = [node.name for node in spec.nodes]
    if len(set(names)) != len(names):
        raise InvalidInputError("nodes", f"node names must be unique, got {names}.")
    for relative in spec.files:
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts or parts[0] in _RESERVED_FILES:
            raise InvalidInputError("files", f"{relative!r} is not a file name the job directory can hold.")
    for field, env in [("env", spec.env), *((f"nodes[{i}].env", node.env) for i, node in enumerate(spec.nodes))]:
        for key, value in env.items():
            if not key or "=" in key or "\x00" in key or "\x00" in value:
                raise InvalidInputError(
                    field, f"{key!r} is not a valid environment variable (NUL byte, '=' or empty name).", "Remove it."
                )
    uid = secrets.token_hex(8)
    base = dict(os.environ) if spec.inherit_env else {}
    base.update(spec.env)
    base[progress.PROGRESS_ENV] = str(job_dir / progress.PROGRESS_FILE)
    base[procs.JOB_UID_ENV] = uid
    cwd = spec.cwd or os.getcwd()
    launch = {
        "uid": uid,
        "nodes": [
            {
                "name": node.name,
                "argv": list(node.argv),
                "env": {**base, **_temp_env(job_dir, spec.env, node.env), **node.env, progress.NODE_ENV: node.name},
                "cwd": node.cwd or cwd,
            }
            for node in spec.nodes
        ],
    }
    record: Record = {
        "version": 1,
        "uid": uid,
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
        "grace_seconds": grace_seconds,
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
        supervisor_argv=[sys.executable, "-m", SUPERVISOR_MODULE, str(job_dir), "--uid", uid],
        ports=list(spec.ports),
        events=list(spec.events),
    )


def _remove_launch(job: JobDir) -> None:
    """Remove the launch description (it holds environment values) whatever happened."""
    with contextlib.suppress(OSError):
        os.unlink(job.path / LAUNCH_FILE)


def start_supervisor(job: JobDir, request: LocalJobRequest) -> None:
    """Start the supervisor in its own session and return once it has registered itself in the record.

    It stays our child while we live (a daemon thread reaps it, so no zombie is left); if we exit first, it is
    adopted like any orphan and carries on. On every failure the launch description is removed.

    Raises:
        ConflictError: The job was deleted (or replaced) while it was being started (reason `DeletedWhileStarting`).
        BackendError: The supervisor could not start (reason `SupervisorFailed`, with its output); the job is then
            recorded as Failed.
    """
    uid = str(request.record.get("uid") or "") or None
    try:
        ready, process, cause = _spawn(job, request)
    except BaseException:
        _remove_launch(job)
        raise
    if ready.startswith(b"ok") and process is not None:
        threading.Thread(target=process.wait, name=f"kubeflow-reap-{request.name}", daemon=True).start()
        return
    _remove_launch(job)
    if process is not None:
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()
    current = job.read()
    if current is None or (uid is not None and current.get("uid") != uid) or current.get("deleting"):
        raise ConflictError(
            f"Job {request.name!r} was deleted while it was being started; nothing of it runs.",
            reason="DeletedWhileStarting",
        )
    told = ready.decode("utf-8", "replace").removeprefix("error:").strip() if ready else ""
    tail = logs.tail_lines(job.path / SUPERVISOR_LOG, 20)
    why = cause or told or (tail[-1] if tail else "it exited without a word")
    message = f"The job's supervisor could not start: {why}"
    lifecycle.mark_failed(job, "SupervisorFailed", message)
    raise BackendError(message + "".join(f"\n  | {line}" for line in tail), reason="SupervisorFailed")


def _spawn(job: JobDir, request: LocalJobRequest) -> tuple[bytes, subprocess.Popen[bytes] | None, str | None]:
    """Start the supervisor; return what it said on the notify pipe, the process, and why it could not start."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([_core_src_dir(), *filter(None, [env.get("PYTHONPATH")])])
    env[procs.JOB_UID_ENV] = str(request.record.get("uid") or "")  # so a deletion finds the supervisor too
    try:
        log_fd = os.open(job.path / SUPERVISOR_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        return b"", None, f"cannot open its log in {job.path}: {exc.strerror or exc}"
    read_fd, write_fd = os.pipe()
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
    except OSError as exc:
        os.close(read_fd)
        return b"", None, f"{type(exc).__name__}: {exc}"
    finally:
        os.close(log_fd)
        os.close(write_fd)
    try:
        ready = _read_until_eof(read_fd, lifecycle.SUPERVISOR_START_TIMEOUT)
    finally:
        os.close(read_fd)
    return ready, process, None
