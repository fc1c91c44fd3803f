"""kubeflow.katib."""
