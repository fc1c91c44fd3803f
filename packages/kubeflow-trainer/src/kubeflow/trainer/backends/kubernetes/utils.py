"""Compatibility path of the existing `kubeflow` SDK: `from kubeflow.trainer.backends.kubernetes.utils import ...`.

The function is defined in `kubeflow.trainer.progress` (it works on every backend); this module only re-exports it.
"""

from kubeflow.trainer.progress import update_trainjob_status

__all__ = ["update_trainjob_status"]
