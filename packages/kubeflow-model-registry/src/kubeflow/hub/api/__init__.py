"""kubeflow 0.5's `kubeflow.hub.api` package."""
