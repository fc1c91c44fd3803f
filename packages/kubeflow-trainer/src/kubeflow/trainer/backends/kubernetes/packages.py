"""`get_runtime_packages`: which Python packages a runtime's image holds.

That cannot be known without running the image, so, as the existing SDK does, a short TrainJob is created on the
runtime: one node prints the Python version, the installed distributions (a `pip list` table) and `nvidia-smi`
when present. Its log is printed, the job is deleted, and the packages are returned as sorted `name==version`. This takes as long as the cluster needs to schedule a pod
and pull the image. Built-in (TorchTune) runtimes cannot run a function and are refused, as upstream does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubeflow.core.errors import InvalidInputError, KubeflowError
from kubeflow.trainer import constants
from kubeflow.trainer.backends.packages_report import parse_packages, print_packages
from kubeflow.trainer.types import CustomTrainer, Runtime, TrainerType

if TYPE_CHECKING:
    from kubeflow.trainer.backends.kubernetes.backend import KubernetesTrainerBackend

PACKAGES_TIMEOUT = 900.0
"""Seconds to wait for the packages job to complete."""
print_installed_packages = print_packages
"""The function the packages job runs (see `kubeflow.trainer.backends.packages_report`)."""


def runtime_packages(backend: KubernetesTrainerBackend, runtime: Runtime) -> list[str]:
    """Run the packages job on `runtime`, print its output (as the existing SDK does) and return the packages.

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
    name = backend.train(runtime=runtime, trainer=CustomTrainer(func=print_packages, num_nodes=1))
    try:
        backend.wait_for_job_status(name, {constants.TRAINJOB_COMPLETE}, timeout=PACKAGES_TIMEOUT)
        lines = list(backend.get_job_logs(name, step=constants.DEFAULT_STEP))
    finally:
        try:
            backend.delete_job(name)
        except KubeflowError:
            pass
    print("\n".join(lines))
    return parse_packages(lines)


__all__ = ["parse_packages", "print_installed_packages", "runtime_packages"]
