"""The Kubernetes trainer backend: TrainJobs on a cluster running Kubeflow Trainer v2.

`KubernetesTrainerBackend` is what `TrainerClient(KubernetesBackendConfig(...))` uses. Beyond the common backend
methods it offers `train_dryrun(...)` (what `TrainerClient.train(..., dry_run=True)` returns) (the exact TrainJob body, nothing sent) and `build_request(...)` (body and
Secrets), and `get_job_logs(name, step="all")` reads every node interleaved, each line prefixed `[node-<i>] `.
"""

from kubeflow.trainer.backends.kubernetes.backend import KubernetesTrainerBackend

__all__ = ["KubernetesTrainerBackend"]
