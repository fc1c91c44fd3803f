"""`get_runtime_packages`: which Python packages a runtime's image holds.

That cannot be known without running the image, so, as the existing SDK does, a short TrainJob is created on the
runtime: one node prints `name==version` for every installed distribution. Its log is read, the job is deleted,
and the lines are returned, sorted and deduplicated. This takes as long as the cluster needs to schedule a pod
and pull the image. Built-in (TorchTune) runtimes cannot run a function and are refused, as upstream does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kubeflow.core.errors import InvalidInputError, KubeflowError
from kubeflow.trainer import constants
from kubeflow.trainer.types import CustomTrainer, Runtime, TrainerType

if TYPE_CHECKING:
    from kubeflow.trainer.backends.kubernetes.backend import KubernetesTrainerBackend

PACKAGES_TIMEOUT = 900.0
"""Seconds to wait for the packages job to complete."""
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def print_installed_packages() -> None:
    """Print `name==version` for every installed distribution (runs inside the runtime's image)."""
    import importlib.metadata

    seen = set()
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            print(f"{name}=={dist.version}")


def parse_packages(lines: list[str]) -> list[str]:
    """The `name==version` lines of a log, deduplicated (case-insensitive names) and sorted."""
    found: dict[str, str] = {}
    for line in lines:
        match = _REQUIREMENT.match(line.strip())
        if match:
            found.setdefault(match[1].lower(), f"{match[1]}=={match[2]}")
    return [found[key] for key in sorted(found)]


def runtime_packages(backend: KubernetesTrainerBackend, runtime: Runtime) -> list[str]:
    """Run the packages job on `runtime` and return the packages it printed.

    Raises:
        InvalidInputError: The runtime is a built-in (TorchTune) one.
        JobFailedError: The job failed.
    """
    if runtime.trainer.trainer_type == TrainerType.BUILTIN_TRAINER:
        raise InvalidInputError(
            "runtime",
            f"cannot list the packages of the built-in runtime {runtime.name!r}: it runs no Python function.",
            "Use a custom-trainer runtime such as torch-distributed.",
        )
    name = backend.train(runtime=runtime, trainer=CustomTrainer(func=print_installed_packages, num_nodes=1))
    try:
        backend.wait_for_job_status(name, {constants.TRAINJOB_COMPLETE}, timeout=PACKAGES_TIMEOUT)
        lines = list(backend.get_job_logs(name, step=constants.DEFAULT_STEP))
    finally:
        try:
            backend.delete_job(name)
        except KubeflowError:
            pass
    return parse_packages(lines)


__all__ = ["parse_packages", "print_installed_packages", "runtime_packages"]
