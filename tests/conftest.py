"""Shared pytest configuration for the whole test suite."""

import os

pytest_plugins = ["kube_emulator.pytest_plugin", "tmp_guard"]

# `TrainerClient()` without a config picks Kubernetes when a kubeconfig or in-cluster config exists: hide the
# developer's own (~/.kube/config, $KUBECONFIG, a pod's service account) so it never changes a test's outcome.
# Tests of that choice set these variables themselves.
os.environ["KUBECONFIG"] = "/nonexistent/kubeflow-sdk-tests/kubeconfig"
os.environ.pop("KUBERNETES_SERVICE_HOST", None)
