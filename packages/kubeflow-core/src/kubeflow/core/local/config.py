"""Configuration of the local-process backend."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from kubeflow.core.models import BackendConfig


def default_state_dir() -> Path:
    """The per-user state directory: `$KUBEFLOW_LOCAL_STATE_DIR`, else `$XDG_STATE_HOME/kubeflow/local`."""
    explicit = os.environ.get("KUBEFLOW_LOCAL_STATE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base).expanduser() / "kubeflow" / "local"


def default_max_processes() -> int:
    """The most node processes one job may start on this machine: 8 per CPU, at least 64."""
    return max(64, 8 * (os.cpu_count() or 1))


def default_env_cache_dir() -> Path:
    """The per-user cache of job environments: `$KUBEFLOW_ENV_CACHE_DIR`, else `$XDG_CACHE_HOME/kubeflow/envs`."""
    explicit = os.environ.get("KUBEFLOW_ENV_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "kubeflow" / "envs"


class LocalProcessBackendConfig(BackendConfig):
    """Run jobs as processes on this machine, no cluster needed.

    Every field has a sensible default, so `LocalProcessBackendConfig()` is enough.
    """

    state_dir: Path = Field(default_factory=default_state_dir)
    """Where job state and logs live (created with mode 0700). Every client pointed here sees the same jobs."""
    env_cache_dir: Path = Field(default_factory=default_env_cache_dir)
    """Where uv-built job environments are cached, keyed by their requirements."""
    env_cache_max_bytes: int = Field(default=20 * 2**30, ge=0)
    """Size bound of the environment cache; least recently used environments are pruned past it."""
    termination_grace_seconds: float = Field(default=10.0, ge=0)
    """Time a node gets between SIGTERM and SIGKILL when its job fails or is deleted."""
    cleanup_venv: bool = True
    """Accepted for compatibility with the existing SDK; environments are cached, not rebuilt, so this is unused."""
    lock_timeout_seconds: float = Field(default=30.0, gt=0)
    """Longest wait for a state lock held by another process; past it, an `OperationTimeoutError` (reason
    `LockTimeout`) names the holder's pid (e.g. a client stopped with SIGSTOP while creating a job)."""
    max_processes: int = Field(default_factory=default_max_processes, ge=1)
    """Most processes (nodes x processes per node) one job may run here; default 8 per CPU, at least 64."""
    finished_job_ttl_seconds: float | None = Field(default=7 * 24 * 3600.0, gt=0)
    """Finished (Complete or Failed) jobs older than this are removed with their logs; `None` keeps them.
    Retention runs at most once a minute, on `train`/`list_jobs`, or by hand: `python -m kubeflow.core.local prune`."""
    max_finished_jobs: int | None = Field(default=1000, ge=0)
    """At most this many finished jobs are kept (the oldest go first); `None` for no bound."""
