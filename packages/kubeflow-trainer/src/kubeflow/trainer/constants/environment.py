"""The defaults the environment overrides, read from the variables the existing `kubeflow` SDK read."""

from __future__ import annotations

import os
from typing import Final

from kubeflow.trainer.constants import DEFAULT_PIP_INDEX_URLS, DEFAULT_RUNTIME

ENV_DEFAULT_TRAINING_RUNTIME: Final = "DEFAULT_TRAINING_RUNTIME"
ENV_DEFAULT_PIP_INDEX_URLS: Final = "DEFAULT_PIP_INDEX_URLS"
ENV_SYSTEM_NAMESPACE: Final = "KUBEFLOW_SYSTEM_NAMESPACE"
ENV_MPI_USER_HOME: Final = "DEFAULT_MPI_USER_HOME"


def default_training_runtime() -> str:
    """The runtime `train(runtime=None)` uses: `$DEFAULT_TRAINING_RUNTIME`, else `torch-distributed`.

    Read at each call, so setting the variable after import works too (the existing SDK read it at import).
    """
    return os.environ.get(ENV_DEFAULT_TRAINING_RUNTIME) or DEFAULT_RUNTIME


def default_pip_index_urls() -> list[str]:
    """The package indexes a `CustomTrainer` uses by default.

    `$DEFAULT_PIP_INDEX_URLS` (comma-separated: the first is the index URL, the others extra index URLs), else PyPI.
    """
    value = os.environ.get(ENV_DEFAULT_PIP_INDEX_URLS)
    urls = [url.strip() for url in value.split(",") if url.strip()] if value else []
    return urls or list(DEFAULT_PIP_INDEX_URLS)


def system_namespace() -> str:
    """The namespace of the Kubeflow Trainer control plane: `$KUBEFLOW_SYSTEM_NAMESPACE`, else `kubeflow-system`."""
    return os.environ.get(ENV_SYSTEM_NAMESPACE) or "kubeflow-system"


def mpi_user_home() -> str:
    """Home of the MPI user in MPI runtimes' images: `$DEFAULT_MPI_USER_HOME`, else `/home/mpiuser`."""
    return os.environ.get(ENV_MPI_USER_HOME) or "/home/mpiuser"
