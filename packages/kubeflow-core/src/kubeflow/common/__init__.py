"""`kubeflow.common`: the existing `kubeflow` SDK's shared module paths (`types`, `constants`, `utils`), kept.

Shipped by `kubeflow-core`. Each name is defined once in `kubeflow.core`; these modules re-export them under the
names code written for that SDK imports.
"""

__all__: list[str] = []
