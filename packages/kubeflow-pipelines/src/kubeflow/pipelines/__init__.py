"""kubeflow.pipelines."""
