"""The Kubernetes Katib backend: optimization jobs as Katib `Experiment`s over Kubeflow Trainer TrainJobs.

`body` builds the Experiment (pure), `reading` turns Experiments and Trials into the client's types (pure), and
`backend` talks to the cluster through `kubeflow.core.kubernetes` (which imports `kubernetes` only when used).
"""

from kubeflow.katib.backends.kubernetes.backend import KubernetesKatibBackend

__all__ = ["KubernetesKatibBackend"]
