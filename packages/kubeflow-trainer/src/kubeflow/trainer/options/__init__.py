"""Options for `TrainerClient.train(options=[...])`.

`Name` works on every backend; the others are Kubernetes options and the local backend rejects them with a clear
error naming the option.
"""

from kubeflow.trainer.options.common import Name
from kubeflow.trainer.options.kubernetes import (
    ActiveDeadlineSeconds,
    Annotations,
    ContainerPatch,
    JobSetSpecPatch,
    JobSetTemplatePatch,
    JobSpecPatch,
    JobTemplatePatch,
    Labels,
    PodSpecPatch,
    PodTemplatePatch,
    ReplicatedJobPatch,
    RuntimePatch,
    TrainerArgs,
    TrainerCommand,
    TrainingRuntimeSpecPatch,
)

Option = Name | Labels | Annotations | TrainerCommand | TrainerArgs | ActiveDeadlineSeconds | RuntimePatch
"""Any option accepted by `TrainerClient.train`."""

__all__ = [
    "ActiveDeadlineSeconds",
    "Annotations",
    "ContainerPatch",
    "JobSetSpecPatch",
    "JobSetTemplatePatch",
    "JobSpecPatch",
    "JobTemplatePatch",
    "Labels",
    "Name",
    "Option",
    "PodSpecPatch",
    "PodTemplatePatch",
    "ReplicatedJobPatch",
    "RuntimePatch",
    "TrainerArgs",
    "TrainerCommand",
    "TrainingRuntimeSpecPatch",
]
