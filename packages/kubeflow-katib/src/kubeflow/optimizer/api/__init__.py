"""The existing SDK's `kubeflow.optimizer.api` path."""
