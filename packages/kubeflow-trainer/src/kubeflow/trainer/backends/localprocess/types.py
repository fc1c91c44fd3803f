"""The existing `kubeflow` SDK's module path `kubeflow.trainer.backends.localprocess.types`, re-exported."""

from __future__ import annotations

from kubeflow.core.local.config import LocalProcessBackendConfig

__all__ = ["LocalProcessBackendConfig"]
