"""The existing SDK's `kubeflow.optimizer.types` path."""
