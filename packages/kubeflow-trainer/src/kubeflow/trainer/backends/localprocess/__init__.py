"""The existing `kubeflow` SDK's module path for the local-process backend; the backend is `backends.local`."""
