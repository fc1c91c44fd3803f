"""kubeflow.trainer."""
