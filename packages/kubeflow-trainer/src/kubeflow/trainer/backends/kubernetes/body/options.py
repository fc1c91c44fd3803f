"""Options -> TrainJob fields, per API level: labels, annotations, runtime patches, deadline, command and args.

On every level `Labels` and `Annotations` are set on the TrainJob's own `metadata` (as the existing SDK does). For
the JobSet the controller derives, they go into `spec.labels` / `spec.annotations` on v2.0 and v2.1, and into the
SDK's runtime patch (`manager: trainer.kubeflow.org/kubeflow-sdk`, `trainingRuntimeSpec.template.metadata`) on
v2.2+, where `spec.labels` no longer exists and would be pruned. `RuntimePatch` and `ActiveDeadlineSeconds` exist
only on v2.2+; on older releases they are refused, never dropped.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from typing import Any, Final

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body.k8s_names import check_annotations, check_env_name, check_labels
from kubeflow.trainer.backends.kubernetes.body.request import RELEASE_NAMES, ApiLevel, has_runtime_patches
from kubeflow.trainer.backends.kubernetes.body.runtime_info import RuntimeInfo
from kubeflow.trainer.options import (
    ActiveDeadlineSeconds,
    Annotations,
    Labels,
    Name,
    Option,
    RuntimePatch,
    TrainerArgs,
    TrainerCommand,
)

METADATA_KEYS: Final = frozenset({"labels", "annotations"})
ENV_OWNED_CONTAINERS: Final = frozenset({constants.NODE, constants.DATASET_INITIALIZER, constants.MODEL_INITIALIZER})


@dataclasses.dataclass
class ResolvedOptions:
    """The options of one `train()` call, merged and checked."""

    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    annotations: dict[str, str] = dataclasses.field(default_factory=dict)
    command: list[str] | None = None
    args: list[str] | None = None
    deadline: int | None = None
    patches: list[RuntimePatch] = dataclasses.field(default_factory=list)


def _merge(target: dict[str, str], extra: dict[str, str], field: str) -> None:
    for key, value in extra.items():
        if key in target and target[key] != value:
            raise InvalidInputError(field, f"{key!r} is given twice, as {target[key]!r} and {value!r}.", "Keep one.")
        target[key] = value


def _once(current: object, option: object) -> None:
    if current is not None:
        name = type(option).__name__
        raise InvalidInputError("options", f"{name} is given more than once.", f"Pass a single {name}.")


def resolve_options(options: Sequence[Option], *, name: str) -> ResolvedOptions:
    """Merge and check the options (syntax of labels and annotations, duplicates, the `Name` the caller used)."""
    out = ResolvedOptions()
    for option in options:
        if isinstance(option, Name):
            if option.name != name:
                raise InvalidInputError("options", f"Name({option.name!r}) differs from the job name {name!r}.")
        elif isinstance(option, Labels):
            _merge(out.labels, check_labels(option.labels, "Labels.labels"), "Labels.labels")
        elif isinstance(option, Annotations):
            _merge(out.annotations, check_annotations(option.annotations, "Annotations.annotations"), "Annotations")
        elif isinstance(option, TrainerCommand):
            _once(out.command, option)
            if not option.command:
                raise InvalidInputError("TrainerCommand.command", "is empty.", "Give the command, one item per word.")
            out.command = list(option.command)
        elif isinstance(option, TrainerArgs):
            _once(out.args, option)
            if not option.args:
                raise InvalidInputError(
                    "TrainerArgs.args", "is empty; Kubernetes would keep the runtime's arguments.", "Drop it."
                )
            out.args = list(option.args)
        elif isinstance(option, ActiveDeadlineSeconds):
            _once(out.deadline, option)
            out.deadline = option.seconds
        elif isinstance(option, RuntimePatch):
            if any(patch.manager == option.manager for patch in out.patches):
                raise InvalidInputError(
                    "options", f"two RuntimePatch options use the manager {option.manager!r}.", "Merge them into one."
                )
            out.patches.append(option)
        else:
            raise InvalidInputError("options", f"{option!r} is not a trainer option.", "Use kubeflow.trainer.options.")
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def patch_to_dict(value: Any) -> Any:
    """A patch option as its API dict: camelCase keys, `None` fields left out, user dicts copied as given."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _camel(f.name): patch_to_dict(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, list):
        return [patch_to_dict(item) for item in value]
    return copy.deepcopy(value)


def _check_metadata(metadata: Any, field: str) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict) or not set(metadata) <= METADATA_KEYS:
        raise InvalidInputError(field, f"may hold only labels and annotations, got {metadata!r}.", "Remove the rest.")
    check_labels(metadata.get("labels") or {}, f"{field}.labels")
    check_annotations(metadata.get("annotations") or {}, f"{field}.annotations")


def _check_containers(pod_spec: dict[str, Any], job: str, info: RuntimeInfo, field: str) -> None:
    for key in ("containers", "initContainers"):
        for container in pod_spec.get(key) or []:
            cname = container.get("name")
            where = f"{field}.{key}[{cname!r}]"
            if cname not in info.containers.get(job, frozenset()):
                raise InvalidInputError(
                    where, f"the replicated job {job!r} of {info.name!r} has no container {cname!r}.", "Fix the name."
                )
            if container.get("env") and cname in ENV_OWNED_CONTAINERS:
                raise InvalidInputError(
                    f"{where}.env",
                    f"the Trainer does not let runtime patches set env on the {cname!r} container.",
                    "Use the trainer's env (or the initializer settings) instead.",
                )
            for entry in container.get("env") or []:
                check_env_name(entry.get("name"), f"{where}.env")
            for mount in container.get("volumeMounts") or []:
                if not str(mount.get("mountPath", "")).startswith("/") or not mount.get("name"):
                    raise InvalidInputError(f"{where}.volumeMounts", f"{mount!r} needs a name and an absolute path.")


def check_patch(patch: dict[str, Any], info: RuntimeInfo) -> None:
    """Check a runtime patch against the runtime: named jobs and containers must exist, metadata is well-formed."""
    template = (patch.get("trainingRuntimeSpec") or {}).get("template") or {}
    field = "RuntimePatch.training_runtime_spec.template"
    _check_metadata(template.get("metadata"), f"{field}.metadata")
    seen: set[str] = set()
    for job in (template.get("spec") or {}).get("replicatedJobs") or []:
        name = job.get("name")
        where = f"{field}.spec.replicated_jobs[{name!r}]"
        if name in seen or name not in info.containers:
            problem = "is patched twice" if name in seen else f"is not a replicated job of {info.name!r}"
            raise InvalidInputError(where, f"{name!r} {problem}.", f"Use one of {sorted(info.containers)}, once.")
        seen.add(name)
        job_template = job.get("template") or {}
        _check_metadata(job_template.get("metadata"), f"{where}.template.metadata")
        pod_template = (job_template.get("spec") or {}).get("template") or {}
        _check_metadata(pod_template.get("metadata"), f"{where}.template.spec.template.metadata")
        _check_containers(pod_template.get("spec") or {}, name, info, f"{where}.template.spec.template.spec")


def _unsupported(what: str, level: ApiLevel) -> InvalidInputError:
    return InvalidInputError(
        "options",
        f"{what} needs Kubeflow Trainer v2.2 or newer, but the installed release is {RELEASE_NAMES[level]}.",
        "Upgrade Kubeflow Trainer, or drop the option.",
    )


def runtime_patches(resolved: ResolvedOptions, info: RuntimeInfo) -> list[dict[str, Any]]:
    """The `spec.runtimePatches` list (v2.2+): the SDK's patch (with labels and annotations) first, then others."""
    patches = {patch.manager: patch_to_dict(patch) for patch in resolved.patches}
    for patch in patches.values():
        check_patch(patch, info)
    if resolved.labels or resolved.annotations:
        sdk = patches.setdefault(constants.SDK_MANAGER, {"manager": constants.SDK_MANAGER})
        metadata = sdk.setdefault("trainingRuntimeSpec", {}).setdefault("template", {}).setdefault("metadata", {})
        for key, values in (("labels", resolved.labels), ("annotations", resolved.annotations)):
            if values:
                _merge(metadata.setdefault(key, {}), values, f"RuntimePatch metadata {key} and {key.title()}")
    order = sorted(patches, key=lambda manager: manager != constants.SDK_MANAGER)
    return [patches[manager] for manager in order]


def apply_options(body: dict[str, Any], resolved: ResolvedOptions, level: ApiLevel, info: RuntimeInfo) -> None:
    """Write the resolved options into the TrainJob body for this API level (not command/args: see trainer)."""
    spec = body["spec"]
    if resolved.labels:
        body["metadata"]["labels"] = dict(resolved.labels)
    if resolved.annotations:
        body["metadata"]["annotations"] = dict(resolved.annotations)
    if not has_runtime_patches(level):
        if resolved.patches:
            raise _unsupported("RuntimePatch (spec.runtimePatches)", level)
        if resolved.deadline is not None:
            raise _unsupported("ActiveDeadlineSeconds (spec.activeDeadlineSeconds)", level)
        if resolved.labels:
            spec["labels"] = dict(resolved.labels)
        if resolved.annotations:
            spec["annotations"] = dict(resolved.annotations)
        return
    patches = runtime_patches(resolved, info)
    if patches:
        spec["runtimePatches"] = patches
    if resolved.deadline is not None:
        spec["activeDeadlineSeconds"] = resolved.deadline
