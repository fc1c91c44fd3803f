"""The existing `kubeflow` SDK's module path `kubeflow.trainer.backends.kubernetes.utils`: its public helpers."""

from __future__ import annotations

from kubeflow.trainer.backends.kubernetes.tpu import get_tpu_num_nodes

__all__ = ["get_tpu_num_nodes"]
