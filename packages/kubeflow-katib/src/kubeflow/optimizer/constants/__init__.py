"""The existing SDK's `kubeflow.optimizer.constants` path."""
