"""kubeflow.model_registry."""
