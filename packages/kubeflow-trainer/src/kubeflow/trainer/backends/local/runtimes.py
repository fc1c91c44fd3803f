"""The runtimes of the local-process backend, as data: adding a runtime is adding an entry to `RUNTIMES`."""

from __future__ import annotations

from dataclasses import dataclass

from kubeflow.trainer import constants
from kubeflow.trainer.types import Runtime, RuntimeKind, RuntimeTrainer, TrainerType


@dataclass(frozen=True)
class LocalRuntime:
    """How the nodes of a job created from this runtime are run."""

    name: str
    """Runtime name, as passed to `train(runtime=...)`."""
    framework: str
    """Framework label (`torch`, `python`, ...)."""
    command: tuple[str, ...]
    """The entrypoint as the runtime describes it (shown in `Runtime.trainer.command`)."""
    multiprocess_launcher: tuple[str, ...] | None = None
    """Interpreter arguments that run several processes per node (torchrun semantics: `--nnodes`, `--node-rank`,
    `--nproc-per-node`, `--master-addr`, `--master-port`, then the script); `None`: one process per node only."""
    num_nodes: int = 1
    """Default number of nodes."""


RUNTIMES: dict[str, LocalRuntime] = {
    runtime.name: runtime
    for runtime in (
        LocalRuntime(
            name=constants.DEFAULT_RUNTIME,
            framework="torch",
            command=("torchrun",),
            multiprocess_launcher=("-m", "torch.distributed.run"),
        ),
        LocalRuntime(name="python", framework="python", command=("python",)),
    )
}
"""Every local runtime by name. Each node of every runtime gets the torch.distributed environment (MASTER_ADDR, RANK,
WORLD_SIZE, PET_*), so a plain-python job can still coordinate its nodes."""


def as_runtime(runtime: LocalRuntime) -> Runtime:
    """The public description of a local runtime (of kind `TRAINING_RUNTIME`, as in the existing SDK)."""
    return Runtime(
        name=runtime.name,
        kind=RuntimeKind.TRAINING_RUNTIME,
        trainer=RuntimeTrainer(
            trainer_type=TrainerType.CUSTOM_TRAINER,
            framework=runtime.framework,
            num_nodes=runtime.num_nodes,
            device="cpu",
            device_count="1",
            command=runtime.command,
        ),
    )
