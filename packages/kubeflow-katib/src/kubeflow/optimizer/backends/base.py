"""The existing SDK's `kubeflow.optimizer.backends.base`: `RuntimeBackend` is `kubeflow.katib`'s `KatibBackend`."""

from kubeflow.katib.backends.base import KatibBackend

RuntimeBackend = KatibBackend

__all__ = ["RuntimeBackend"]
