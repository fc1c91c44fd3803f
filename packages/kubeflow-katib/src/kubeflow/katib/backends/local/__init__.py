"""The local Katib backend: each trial a trainer job on the local-process backend, suggestions from Optuna.

`LocalKatibBackend` is loaded on first use, so that the driver (`kubeflow.katib.backends.local.driver`) starts
without importing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubeflow.katib.backends.local.backend import LocalKatibBackend


def __getattr__(name: str) -> Any:
    if name == "LocalKatibBackend":
        from kubeflow.katib.backends.local.backend import LocalKatibBackend

        return LocalKatibBackend
    raise AttributeError(f"module 'kubeflow.katib.backends.local' has no attribute {name!r}")


__all__ = ["LocalKatibBackend"]
