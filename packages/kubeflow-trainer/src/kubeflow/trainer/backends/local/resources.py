"""What `resources_per_node` means on this machine: processes per node, GPUs per node, and what cannot be honoured."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.quantity import parse_quantity

FIELD = "trainer.resources_per_node"
GPU_KEYS = ("gpu", "nvidia.com/gpu")
_NVIDIA_PROC = "/proc/driver/nvidia/gpus"


@dataclass(frozen=True)
class NodeResources:
    """The local reading of `resources_per_node`."""

    nproc_per_node: int = 1
    """Processes per node (from the GPU count, else the CPU count)."""
    gpus_per_node: int = 0
    """GPUs asked per node."""
    visible_devices: list[str] | None = None
    """`CUDA_VISIBLE_DEVICES` of each node when the GPUs could be split across nodes, else None."""
    not_honoured: dict[str, str] = field(default_factory=dict)
    """Resource name -> why it is only recorded (not enforced) here."""
    requested: dict[str, str] = field(default_factory=dict)
    """The resources as asked, as strings."""

    @property
    def device(self) -> str:
        """`gpu` when GPUs are asked and present, else `cpu`."""
        return "gpu" if self.visible_devices else "cpu"


def local_gpus(environ: Mapping[str, str]) -> list[str]:
    """The GPU ids this process may use: `CUDA_VISIBLE_DEVICES` if set, else the NVIDIA devices the driver lists."""
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [item.strip() for item in visible.split(",") if item.strip() and item.strip() != "-1"]
    try:
        count = len(os.listdir(_NVIDIA_PROC))
    except OSError:
        return []
    return [str(index) for index in range(count)]


def _amount(key: str, value: object) -> Decimal:
    try:
        amount = parse_quantity(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidInputError(FIELD, f"{key}: {exc}.", "Use a quantity such as 2, '500m' or '8Gi'.") from None
    if amount < 0:
        raise InvalidInputError(FIELD, f"{key} must not be negative, got {value!r}.")
    return amount


def plan_resources(
    resources: Mapping[str, object] | None,
    num_nodes: int,
    *,
    multiprocess: bool,
    environ: Mapping[str, str],
) -> NodeResources:
    """Read `resources_per_node` for `num_nodes` local nodes.

    Args:
        resources: The trainer's `resources_per_node`.
        num_nodes: Number of nodes.
        multiprocess: Whether the runtime can run several processes per node.
        environ: The caller's environment (for `CUDA_VISIBLE_DEVICES`).

    Raises:
        InvalidInputError: A quantity is invalid, or a GPU count is not a whole number.
    """
    if not resources:
        return NodeResources()
    requested = {str(key): str(value) for key, value in resources.items()}
    not_honoured: dict[str, str] = {}
    cpu_procs = 1
    gpus = 0
    for key, value in resources.items():
        amount = _amount(key, value)
        name = str(key).lower()
        if name == "cpu":
            cpu_procs = max(1, int(amount))
            if amount != int(amount) or amount < 1:
                not_honoured[key] = (
                    f"cpu={value}: CPU time is not limited on the local-process backend; "
                    f"each node runs {cpu_procs} process(es)."
                )
        elif name in GPU_KEYS:
            if amount != int(amount):
                raise InvalidInputError(FIELD, f"{key} must be a whole number of GPUs, got {value!r}.")
            gpus = int(amount)
        else:
            not_honoured[key] = f"{key}={value} is recorded but not enforced on the local-process backend."
    nproc = gpus if gpus > 0 else cpu_procs
    visible: list[str] | None = None
    if gpus > 0:
        available = local_gpus(environ)
        wanted = gpus * num_nodes
        if len(available) >= wanted:
            visible = [",".join(available[i * gpus : (i + 1) * gpus]) for i in range(num_nodes)]
        else:
            gpu_key = next(key for key in resources if str(key).lower() in GPU_KEYS)
            not_honoured[gpu_key] = (
                f"{gpu_key}={gpus} per node: {wanted} GPU(s) asked for {num_nodes} node(s), {len(available)} found on "
                f"this machine; CUDA_VISIBLE_DEVICES is left unchanged and each node runs {nproc} process(es)."
            )
    if nproc > 1 and not multiprocess:
        not_honoured.setdefault(
            "processes",
            f"{nproc} processes per node were asked, but this runtime runs one process per node.",
        )
        nproc = 1
    return NodeResources(
        nproc_per_node=nproc,
        gpus_per_node=gpus,
        visible_devices=visible,
        not_honoured=not_honoured,
        requested=requested,
    )
