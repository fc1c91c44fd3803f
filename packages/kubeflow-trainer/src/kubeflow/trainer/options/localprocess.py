"""The existing `kubeflow` SDK's module path `kubeflow.trainer.options.localprocess` (it defined no option).

The local-process backend accepts `Name` and the other options whose `backends` include `local-process`.
"""

__all__: list[str] = []
