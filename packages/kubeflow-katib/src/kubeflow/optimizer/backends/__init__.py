"""The existing SDK's `kubeflow.optimizer.backends` path: the backends of `kubeflow.katib.backends`."""
