"""`resources_per_node` -> `spec.trainer.resourcesPerNode` (requests and limits), with Kubernetes' rules checked."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.quantity import parse_quantity
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body.k8s_names import qualified_name_problem

MIG_PREFIX: Final = "nvidia.com/mig-"
STANDARD: Final = frozenset({"cpu", "memory", "ephemeral-storage"})
ALIASES: Final[dict[str, str]] = {
    "gpu": constants.GPU_RESOURCE,
    "tpu": constants.TPU_RESOURCE,
    "storage": "ephemeral-storage",
}


def resource_name(key: str, field: str) -> str:
    """The Kubernetes resource name for a key of `resources_per_node` (`gpu` -> `nvidia.com/gpu`, ...)."""
    lower = key.strip().lower()
    if lower in STANDARD or lower.startswith("hugepages-"):
        return lower
    if lower in ALIASES:
        return ALIASES[lower]
    if lower.startswith("mig-"):
        return MIG_PREFIX + lower.removeprefix("mig-")
    if "/" in key and qualified_name_problem(key) is None:
        return key
    raise InvalidInputError(
        field,
        f"{key!r} is not a resource Kubernetes knows.",
        "Use cpu, memory, ephemeral-storage (or storage), gpu, tpu, mig-<profile>, hugepages-<size>, "
        "or a fully qualified extended resource such as 'nvidia.com/gpu'.",
    )


def quantity_text(value: str | int | float, field: str) -> str:
    """The canonical text of a quantity (`2`, `"500m"`, `0.5` -> `"0.5"`), validated."""
    try:
        amount = parse_quantity(value)
    except ValueError as exc:
        raise InvalidInputError(field, str(exc) + ".", "Use a quantity such as 2, '500m' or '4Gi'.") from None
    if amount < 0:
        raise InvalidInputError(field, f"{value!r} is negative.", "Use a quantity of zero or more.")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_extended(name: str) -> bool:
    return "/" in name and not name.startswith("kubernetes.io/")


def resources_per_node(resources: Mapping[str, str | int | float], field: str) -> dict[str, dict[str, str]]:
    """Translate `resources_per_node` into a `ResourceRequirements` dict with equal requests and limits.

    Raises:
        InvalidInputError: An unknown resource name, a bad or fractional quantity where Kubernetes needs a whole
            number (GPUs, TPUs, MIG and other extended resources), two keys naming the same resource, more than one
            MIG profile, or whole GPUs together with MIG slices.
    """
    out: dict[str, str] = {}
    source: dict[str, str] = {}
    for key, value in resources.items():
        name = resource_name(key, field)
        if name in out:
            raise InvalidInputError(
                field, f"{source[name]!r} and {key!r} both set {name!r}.", "Give each resource once."
            )
        text = quantity_text(value, f"{field}[{key!r}]")
        if _is_extended(name) and parse_quantity(text) % 1 != 0:
            raise InvalidInputError(
                f"{field}[{key!r}]", f"{name} must be a whole number, got {value!r}.", "Request whole devices."
            )
        out[name] = text
        source[name] = key
    mig = [name for name in out if name.startswith(MIG_PREFIX)]
    if len(mig) > 1:
        raise InvalidInputError(field, f"more than one MIG profile requested: {mig}.", "Request a single profile.")
    if mig and constants.GPU_RESOURCE in out:
        raise InvalidInputError(
            field, f"whole GPUs ({constants.GPU_RESOURCE}) and MIG slices ({mig[0]}) cannot be mixed.", "Pick one."
        )
    return {"requests": dict(out), "limits": dict(out)}
