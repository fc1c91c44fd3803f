"""The existing `kubeflow` SDK's module path `kubeflow.trainer.backends.kubernetes.utils`: its public helpers.

Each is defined where it belongs (`update_trainjob_status` works on every backend); this module only re-exports.
"""

from __future__ import annotations

from kubeflow.trainer.backends.kubernetes.tpu import get_tpu_num_nodes
from kubeflow.trainer.progress import update_trainjob_status

__all__ = ["get_tpu_num_nodes", "update_trainjob_status"]
