"""The TrainJob body builder: a pure function from the user's request to the exact objects to send.

`build_trainjob` turns a trainer, initializers and options into the `TrainJob` body the installed Kubeflow
Trainer release accepts (`ApiLevel`), plus the Secrets holding credentials, and refuses with `InvalidInputError`
whatever that release cannot express.
"""

from kubeflow.trainer.backends.kubernetes.body.build import build_trainjob
from kubeflow.trainer.backends.kubernetes.body.request import (
    API_LEVELS,
    ApiLevel,
    RuntimeObject,
    TrainJobRequest,
    has_runtime_patches,
)

__all__ = ["API_LEVELS", "ApiLevel", "RuntimeObject", "TrainJobRequest", "build_trainjob", "has_runtime_patches"]
