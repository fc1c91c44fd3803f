"""`build_trainjob`: the user's request -> the exact TrainJob body and Secrets to send. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.names import validate_name
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body.initializers import initializer_spec
from kubeflow.trainer.backends.kubernetes.body.k8s_names import check_namespace
from kubeflow.trainer.backends.kubernetes.body.options import apply_options, resolve_options
from kubeflow.trainer.backends.kubernetes.body.request import API_LEVELS, ApiLevel, RuntimeObject, TrainJobRequest
from kubeflow.trainer.backends.kubernetes.body.runtime_info import read_runtime
from kubeflow.trainer.backends.kubernetes.body.trainer import trainer_spec
from kubeflow.trainer.options import Option
from kubeflow.trainer.types import BuiltinTrainer, CustomTrainer, CustomTrainerContainer, Initializer


def build_trainjob(
    *,
    name: str,
    namespace: str,
    runtime: RuntimeObject,
    trainer: CustomTrainer | CustomTrainerContainer | BuiltinTrainer | None,
    initializer: Initializer | None,
    options: Sequence[Option],
    api_level: ApiLevel,
) -> TrainJobRequest:
    """Build the TrainJob body (and the credential Secrets) that the given Trainer API level accepts.

    Every field of the request lands in the body or a Secret, in the shape the installed Trainer release
    understands; whatever that release cannot express is refused, never dropped. Credentials never enter the body.

    Args:
        name: The job name (validated as an RFC 1035 label); a `Name` option, if present, must equal it.
        namespace: The namespace of the TrainJob and its Secrets.
        runtime: The runtime as read from the cluster.
        trainer: What to run; `None` runs the runtime as it is.
        initializer: Dataset and model initializers.
        options: `Labels`, `Annotations`, `TrainerCommand`, `TrainerArgs`, `ActiveDeadlineSeconds`, `RuntimePatch`
            (and `Name`, which the caller has already turned into `name`).
        api_level: The TrainJob shape of the installed Trainer release.

    Returns:
        The TrainJob body and the Secrets to create before it.

    Raises:
        InvalidInputError: Something in the request is invalid or cannot be expressed at this API level; the
            message names the field and the fix.
    """
    if api_level not in API_LEVELS:
        raise InvalidInputError("api_level", f"{api_level!r} is not one of {list(API_LEVELS)}.")
    validate_name(name)
    check_namespace(namespace)
    info = read_runtime(runtime)
    if info.kind == constants.TRAINING_RUNTIME_KIND and info.namespace not in (None, namespace):
        raise InvalidInputError(
            "runtime",
            f"the TrainingRuntime {info.name!r} is in namespace {info.namespace!r}, not {namespace!r}.",
            "Use a TrainingRuntime of the job's namespace, or a ClusterTrainingRuntime.",
        )
    resolved = resolve_options(options, name=name)
    spec: dict[str, Any] = {
        "runtimeRef": {"name": runtime.name, "apiGroup": constants.GROUP, "kind": runtime.kind},
    }
    secrets: list[dict[str, Any]] = []
    if initializer is not None and (initializer.dataset is not None or initializer.model is not None):
        spec["initializer"], secrets = initializer_spec(
            initializer, job=name, namespace=namespace, steps=info.steps, runtime=info.name
        )
    trainer_body = trainer_spec(trainer, initializer, resolved, info)
    if trainer_body is not None:
        spec["trainer"] = trainer_body
    body: dict[str, Any] = {
        "apiVersion": constants.API_VERSION,
        "kind": constants.TRAINJOB_KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }
    apply_options(body, resolved, api_level, info)
    return TrainJobRequest(body=body, secrets=secrets)
