"""The existing `kubeflow` SDK's module path `kubeflow.trainer.backends.localprocess.backend`, re-exported.

`LocalProcessBackend` is this SDK's local-process trainer backend (`kubeflow.trainer.backends.local`).
"""

from __future__ import annotations

from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.trainer.backends.local.backend import LocalTrainerBackend

LocalProcessBackend = LocalTrainerBackend
"""The local-process trainer backend, under the existing SDK's name."""

__all__ = ["LocalProcessBackend", "LocalProcessBackendConfig"]
