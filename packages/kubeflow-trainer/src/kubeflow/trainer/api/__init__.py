"""The existing `kubeflow` SDK's `kubeflow.trainer.api` package (`api.trainer_client`), kept as a module path."""
