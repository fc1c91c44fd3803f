"""How `resources_per_node` is read on the local-process backend (pure: no process is started)."""

from __future__ import annotations

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.backends.local.launch import build_nodes
from kubeflow.trainer.backends.local.resources import plan_resources
from kubeflow.trainer.backends.local.runtimes import RUNTIMES


def test_cpu_count_sets_processes_per_node() -> None:
    plan = plan_resources({"cpu": 4}, 2, multiprocess=True, environ={})
    assert (plan.nproc_per_node, plan.not_honoured, plan.device) == (4, {}, "cpu")


def test_fractional_cpu_and_memory_are_recorded_not_dropped() -> None:
    plan = plan_resources({"cpu": "500m", "memory": "4Gi", "ephemeral-storage": "1G"}, 1, multiprocess=True, environ={})
    assert plan.nproc_per_node == 1
    assert set(plan.not_honoured) == {"cpu", "memory", "ephemeral-storage"}
    assert plan.requested == {"cpu": "500m", "memory": "4Gi", "ephemeral-storage": "1G"}


def test_gpus_split_across_nodes_from_cuda_visible_devices() -> None:
    plan = plan_resources({"gpu": 2}, 2, multiprocess=True, environ={"CUDA_VISIBLE_DEVICES": "0,1,2,3"})
    assert (plan.nproc_per_node, plan.visible_devices, plan.device) == (2, ["0,1", "2,3"], "gpu")
    nodes = build_nodes(RUNTIMES["torch-distributed"], "python", "/job/entrypoint.py", 2, plan, 29500)
    assert [node.env["CUDA_VISIBLE_DEVICES"] for node in nodes] == ["0,1", "2,3"]
    assert nodes[1].argv == [
        "python",
        "-m",
        "torch.distributed.run",
        "--nnodes=2",
        "--node-rank=1",
        "--nproc-per-node=2",
        "--master-addr=127.0.0.1",
        "--master-port=29500",
        "/job/entrypoint.py",
    ]
    assert "RANK" not in nodes[1].env and nodes[1].env["PET_NODE_RANK"] == "1"


def test_too_few_gpus_and_single_process_runtimes_are_recorded() -> None:
    plan = plan_resources({"nvidia.com/gpu": 2}, 2, multiprocess=False, environ={"CUDA_VISIBLE_DEVICES": "0"})
    assert plan.visible_devices is None and plan.nproc_per_node == 1
    assert set(plan.not_honoured) == {"nvidia.com/gpu", "processes"}


@pytest.mark.parametrize("resources", [{"gpu": "1.5"}, {"cpu": "many"}, {"memory": "-1Gi"}])
def test_bad_quantities_raise_invalid_input(resources: dict) -> None:
    with pytest.raises(InvalidInputError, match="resources_per_node"):
        plan_resources(resources, 1, multiprocess=True, environ={})
