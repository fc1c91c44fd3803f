"""`spec.trainer` for each kind of trainer: a Python function, a container image, or the built-in TorchTune."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.backends.kubernetes.body.command import custom_trainer_command
from kubeflow.trainer.backends.kubernetes.body.k8s_names import check_env_name
from kubeflow.trainer.backends.kubernetes.body.options import ResolvedOptions
from kubeflow.trainer.backends.kubernetes.body.resources import resources_per_node
from kubeflow.trainer.backends.kubernetes.body.runtime_info import ANCESTOR_TRAINER, RuntimeInfo
from kubeflow.trainer.backends.kubernetes.body.torchtune import TORCHTUNE_COMMAND, torchtune_args
from kubeflow.trainer.types import BuiltinTrainer, CustomTrainer, CustomTrainerContainer, Initializer

AnyTrainer = CustomTrainer | CustomTrainerContainer | BuiltinTrainer
MAX_IMAGE_LENGTH = 500
FIELD_ORDER = ("image", "command", "args", "env", "numNodes", "resourcesPerNode")


def trainer_env(env: Mapping[str, str] | None, info: RuntimeInfo) -> list[dict[str, str]]:
    """`[{name, value}]` for the trainer's environment, refusing names the runtime's ML policy injects."""
    out: list[dict[str, str]] = []
    for name, value in (env or {}).items():
        check_env_name(name, "trainer.env")
        if name in info.reserved_env:
            raise InvalidInputError(
                "trainer.env",
                f"{name} is set by the Trainer for {info.policy} runtimes and cannot be overridden.",
                f"Remove it (reserved: {', '.join(sorted(info.reserved_env))}).",
            )
        if not isinstance(value, str):
            raise InvalidInputError("trainer.env", f"{name} must have a string value, got {value!r}.")
        out.append({"name": name, "value": value})
    return out


def _check_kind(trainer: AnyTrainer | None, info: RuntimeInfo) -> None:
    if trainer is not None and ANCESTOR_TRAINER not in info.steps:
        raise InvalidInputError(
            "runtime",
            f"the runtime {info.name!r} has no step labelled as the trainer, so the Trainer would ignore spec.trainer.",
            "Choose a runtime with a trainer step.",
        )
    if isinstance(trainer, BuiltinTrainer) and not info.is_torchtune:
        raise InvalidInputError(
            "trainer",
            f"BuiltinTrainer (TorchTune) needs a torchtune runtime; {info.name!r} is a {info.framework} runtime.",
            "Choose a torchtune runtime such as 'torchtune-llama3.2-1b', or use CustomTrainer.",
        )
    if isinstance(trainer, CustomTrainer) and info.is_torchtune:
        raise InvalidInputError(
            "trainer",
            f"the runtime {info.name!r} runs the built-in TorchTune trainer, not a Python function.",
            "Use BuiltinTrainer(config=TorchTuneConfig(...)) with it, or a runtime such as 'torch-distributed'.",
        )


def trainer_spec(
    trainer: AnyTrainer | None, initializer: Initializer | None, resolved: ResolvedOptions, info: RuntimeInfo
) -> dict[str, Any] | None:
    """`spec.trainer`, or `None` when neither a trainer nor a trainer option is given (the runtime's defaults).

    Raises:
        InvalidInputError: The trainer does not fit the runtime, `TrainerCommand` / `TrainerArgs` come with a
            trainer other than `CustomTrainerContainer`, or a value cannot be expressed.
    """
    _check_kind(trainer, info)
    if (resolved.command is not None or resolved.args is not None) and not isinstance(trainer, CustomTrainerContainer):
        kind = type(trainer).__name__ if trainer is not None else "no trainer"
        raise InvalidInputError(
            "options",
            f"TrainerCommand and TrainerArgs work only with CustomTrainerContainer, not with {kind}.",
            "CustomTrainer builds its own command from the function and BuiltinTrainer uses the runtime's; "
            "use CustomTrainerContainer to run your own command.",
        )
    if trainer is None:
        return None
    spec: dict[str, Any] = {}
    if isinstance(trainer, BuiltinTrainer):
        config = trainer.config
        spec["command"] = list(TORCHTUNE_COMMAND)
        args = torchtune_args(config, initializer)
        if args:
            spec["args"] = args
        num_nodes, resources, env, image = config.num_nodes, config.resources_per_node, None, None
        field = "trainer.config.resources_per_node"
    else:
        if isinstance(trainer, CustomTrainer):
            spec["command"], spec["args"] = custom_trainer_command(trainer, info.policy)
        else:
            if resolved.command is not None:
                spec["command"] = list(resolved.command)
            if resolved.args is not None:
                spec["args"] = list(resolved.args)
        num_nodes, resources, env, image = trainer.num_nodes, trainer.resources_per_node, trainer.env, trainer.image
        field = "trainer.resources_per_node"
    if image is not None:
        if not image.strip() or len(image) > MAX_IMAGE_LENGTH:
            raise InvalidInputError("trainer.image", f"{image!r} is not a usable image reference.", "Fix it.")
        spec["image"] = image
    env_list = trainer_env(env, info)
    if env_list:
        spec["env"] = env_list
    if num_nodes is not None:
        spec["numNodes"] = num_nodes
    if resources:
        spec["resourcesPerNode"] = resources_per_node(resources, field)
    return {key: spec[key] for key in FIELD_ORDER if key in spec}
