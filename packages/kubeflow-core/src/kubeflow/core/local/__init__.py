"""The local-process backend: jobs as real, detached process groups on this machine, with durable state."""
