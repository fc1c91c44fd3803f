"""The node processes of a local training job: argv and the torch.distributed environment of each node."""

from __future__ import annotations

from kubeflow.core.local.models import NodeSpec
from kubeflow.trainer import constants
from kubeflow.trainer.backends.local.resources import NodeResources
from kubeflow.trainer.backends.local.runtimes import LocalRuntime

MASTER_ADDR = "127.0.0.1"
ENTRYPOINT = "entrypoint.py"


def node_name(index: int) -> str:
    """The step name of node `index`."""
    return f"{constants.NODE}-{index}"


def node_env(index: int, num_nodes: int, nproc: int, port: int) -> dict[str, str]:
    """The variables torchrun and torch.distributed expect on node `index`, plus the PET_* ones of the Trainer."""
    env = {
        "MASTER_ADDR": MASTER_ADDR,
        "MASTER_PORT": str(port),
        "GROUP_RANK": str(index),
        "PET_NNODES": str(num_nodes),
        "PET_NPROC_PER_NODE": str(nproc),
        "PET_NODE_RANK": str(index),
        "PET_MASTER_ADDR": MASTER_ADDR,
        "PET_MASTER_PORT": str(port),
    }
    if nproc == 1:  # the node is the worker itself; with several, torchrun sets these for each worker
        env.update(
            RANK=str(index),
            WORLD_SIZE=str(num_nodes),
            LOCAL_RANK="0",
            LOCAL_WORLD_SIZE="1",
            ROLE_RANK=str(index),
            ROLE_WORLD_SIZE=str(num_nodes),
        )
    return env


def node_argv(
    runtime: LocalRuntime, python: str, script: str, index: int, num_nodes: int, nproc: int, port: int
) -> list[str]:
    """Run the script directly with one process per node; through the runtime's launcher with several."""
    if nproc == 1 or runtime.multiprocess_launcher is None:
        return [python, script]
    return [
        python,
        *runtime.multiprocess_launcher,
        f"--nnodes={num_nodes}",
        f"--node-rank={index}",
        f"--nproc-per-node={nproc}",
        f"--master-addr={MASTER_ADDR}",
        f"--master-port={port}",
        script,
    ]


def build_nodes(
    runtime: LocalRuntime, python: str, script: str, num_nodes: int, resources: NodeResources, port: int
) -> list[NodeSpec]:
    """Every node of the job."""
    nodes = []
    for index in range(num_nodes):
        env = node_env(index, num_nodes, resources.nproc_per_node, port)
        if resources.visible_devices is not None:
            env["CUDA_VISIBLE_DEVICES"] = resources.visible_devices[index]
        argv = node_argv(runtime, python, script, index, num_nodes, resources.nproc_per_node, port)
        nodes.append(NodeSpec(name=node_name(index), argv=argv, env=env))
    return nodes
