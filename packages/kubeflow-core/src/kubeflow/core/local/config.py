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
