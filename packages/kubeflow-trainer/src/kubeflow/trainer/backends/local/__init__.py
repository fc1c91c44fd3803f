"""The trainer on the local-process backend: training jobs as real node processes on this machine."""

from kubeflow.trainer.backends.local.backend import LocalTrainerBackend

__all__ = ["LocalTrainerBackend"]
