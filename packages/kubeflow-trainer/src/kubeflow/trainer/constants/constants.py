"""The existing `kubeflow` SDK's module path `kubeflow.trainer.constants.constants`: every constant it has.

Names that mean the same thing here are re-exported from `kubeflow.trainer.constants` with the same values. The
environment overrides it honoured keep their meaning and, as there, are read when this module is imported:
`DEFAULT_PIP_INDEX_URLS`, `DEFAULT_TRAINING_RUNTIME`, `DEFAULT_MPI_USER_HOME` (this SDK's backends read the first
two again at each call). The shell templates at the end (`EXEC_FUNC_SCRIPT`, `DEFAULT_COMMAND`, `MPI_COMMAND`,
`TORCH_COMMAND`) are kept with their old values for code that reads them; this SDK does not use them, because it
runs a `CustomTrainer` function without a shell.
"""

from __future__ import annotations

import textwrap
from typing import Final

from kubeflow.trainer.backends.kubernetes.resources import (
    ANCESTOR_LABEL,
    COMPLETION_INDEX_LABEL,
    JOBSET_NAME_LABEL,
    MIG_PREFIX,
    REPLICATED_JOB_LABEL,
)
from kubeflow.trainer.constants import (
    API_VERSION,
    CLUSTER_TRAINING_RUNTIME_PLURAL,
    DATASET_INITIALIZER,
    DATASET_PATH,
    FRAMEWORK_LABEL,
    GPU_RESOURCE,
    GROUP,
    LAUNCHER,
    MODEL_INITIALIZER,
    MODEL_PATH,
    NODE,
    TPU_RESOURCE,
    TRAINING_RUNTIME_PLURAL,
    TRAINJOB_COMPLETE,
    TRAINJOB_CREATED,
    TRAINJOB_FAILED,
    TRAINJOB_KIND,
    TRAINJOB_PLURAL,
    TRAINJOB_RUNNING,
    VERSION,
    WORKSPACE_PATH,
    environment,
)
from kubeflow.trainer.constants import (
    INITIALIZER_DEFAULT_IGNORE_PATTERNS as _IGNORE_PATTERNS,
)

DEFAULT_PIP_INDEX_URLS: Final[list[str]] = environment.default_pip_index_urls()
"""`$DEFAULT_PIP_INDEX_URLS` split on commas, else `["https://pypi.org/simple"]` (read at import)."""
DEFAULT_TRAINING_RUNTIME: Final = environment.default_training_runtime()
"""`$DEFAULT_TRAINING_RUNTIME`, else `torch-distributed` (read at import)."""
DEFAULT_MPI_USER_HOME: Final = environment.mpi_user_home()
"""`$DEFAULT_MPI_USER_HOME`, else `/home/mpiuser` (read at import)."""
INITIALIZER_DEFAULT_IGNORE_PATTERNS: Final[list[str]] = list(_IGNORE_PATTERNS)
"""Files a model initializer does not download by default."""

POD_SUCCEEDED: Final = "Succeeded"
POD_PENDING: Final = "Pending"
TRAINJOB_ANCESTOR_LABEL: Final = ANCESTOR_LABEL
RUNTIME_FRAMEWORK_LABEL: Final = FRAMEWORK_LABEL
INITIALIZER_ENV_ACCESS_TOKEN: Final = "ACCESS_TOKEN"
CPU_LABEL: Final = "cpu"
GPU_LABEL: Final = GPU_RESOURCE
GPU_MIG_PREFIX: Final = MIG_PREFIX
TPU_LABEL: Final = TPU_RESOURCE
NPU_LABEL: Final = "huawei.com/Ascend910"
JOBSET_RJOB_NAME_LABEL: Final = REPLICATED_JOB_LABEL
JOB_INDEX_LABEL: Final = COMPLETION_INDEX_LABEL
POD_LABEL_SELECTOR: Final = (
    f"{JOBSET_NAME_LABEL}={{trainjob_name}},{JOBSET_RJOB_NAME_LABEL} "
    f"in ({DATASET_INITIALIZER}, {MODEL_INITIALIZER}, {LAUNCHER}, {NODE})"
)
"""Label selector of a TrainJob's pods; format it with `trainjob_name=`."""
TORCH_ENV_NUM_PROC_PER_NODE: Final = "PET_NPROC_PER_NODE"
TORCH_TUNE_COMMAND: Final = ("tune", "run")
TORCH_TUNE_INSTRUCT_DATASET: Final = "torchtune.datasets.instruct_dataset"
DEFAULT_FRAMEWORK_IMAGES: Final = {"torch": "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime"}
JOB_NAME_UUID_LENGTH: Final = 11
"""Generated job names are one letter and this many hex digits (12 characters)."""

EXEC_FUNC_SCRIPT: Final = textwrap.dedent(
    """
        read -r -d '' SCRIPT << EOM\n
        {func_code}
        EOM
        printf "%s" \"$SCRIPT\" > \"{func_file}\"
        __ENTRYPOINT__ \"{func_file}\""""
)
DEFAULT_COMMAND: Final = ("bash", "-c", EXEC_FUNC_SCRIPT.replace("__ENTRYPOINT__", "python"))
MPI_COMMAND: Final = ("mpirun", "--hostfile", "/etc/mpi/hostfile", *DEFAULT_COMMAND)
TORCH_COMMAND: Final = ("bash", "-c", EXEC_FUNC_SCRIPT.replace("__ENTRYPOINT__", "torchrun"))

__all__ = [
    "API_VERSION",
    "CLUSTER_TRAINING_RUNTIME_PLURAL",
    "CPU_LABEL",
    "DATASET_INITIALIZER",
    "DATASET_PATH",
    "DEFAULT_COMMAND",
    "DEFAULT_FRAMEWORK_IMAGES",
    "DEFAULT_MPI_USER_HOME",
    "DEFAULT_PIP_INDEX_URLS",
    "DEFAULT_TRAINING_RUNTIME",
    "EXEC_FUNC_SCRIPT",
    "GPU_LABEL",
    "GPU_MIG_PREFIX",
    "GROUP",
    "INITIALIZER_DEFAULT_IGNORE_PATTERNS",
    "INITIALIZER_ENV_ACCESS_TOKEN",
    "JOBSET_NAME_LABEL",
    "JOBSET_RJOB_NAME_LABEL",
    "JOB_INDEX_LABEL",
    "JOB_NAME_UUID_LENGTH",
    "LAUNCHER",
    "MODEL_INITIALIZER",
    "MODEL_PATH",
    "MPI_COMMAND",
    "NODE",
    "NPU_LABEL",
    "POD_LABEL_SELECTOR",
    "POD_PENDING",
    "POD_SUCCEEDED",
    "RUNTIME_FRAMEWORK_LABEL",
    "TORCH_COMMAND",
    "TORCH_ENV_NUM_PROC_PER_NODE",
    "TORCH_TUNE_COMMAND",
    "TORCH_TUNE_INSTRUCT_DATASET",
    "TPU_LABEL",
    "TRAINING_RUNTIME_PLURAL",
    "TRAINJOB_ANCESTOR_LABEL",
    "TRAINJOB_COMPLETE",
    "TRAINJOB_CREATED",
    "TRAINJOB_FAILED",
    "TRAINJOB_KIND",
    "TRAINJOB_PLURAL",
    "TRAINJOB_RUNNING",
    "VERSION",
    "WORKSPACE_PATH",
]
