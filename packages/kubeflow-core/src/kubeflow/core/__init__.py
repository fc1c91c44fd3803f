"""kubeflow.core."""
