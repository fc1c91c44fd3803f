"""A real 2-node PyTorch DDP job (gloo, CPU) on the local-process backend, torch installed by the env cache.

The dev environment has no torch: the job asks for it with `packages_to_install`, which the env cache resolves
through `PIP_FIND_LINKS` (the CPU wheel), exactly as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

from pytest import MonkeyPatch

from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

TORCH = "torch==2.13.0"


def all_reduce_and_train(steps: int) -> None:
    import json
    import os

    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    value = torch.tensor([float(rank + 1)])
    dist.all_reduce(value, op=dist.ReduceOp.SUM)

    torch.manual_seed(rank)
    model = DistributedDataParallel(torch.nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        x = torch.randn(8, 4)
        loss = ((model(x) - x.sum(dim=1, keepdim=True)) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    weights = torch.cat([p.detach().flatten() for p in model.parameters()])
    gathered = [torch.zeros_like(weights) for _ in range(world)]
    dist.all_gather(gathered, weights)
    print(
        json.dumps(
            {
                "rank": rank,
                "world": world,
                "sum": value.item(),
                "replicas_equal": all(torch.equal(gathered[0], other) for other in gathered),
                "local_rank": int(os.environ["LOCAL_RANK"]),
            }
        )
    )
    dist.barrier()  # every rank is done before any tears its connections down
    dist.destroy_process_group()
    # torch 2.x can abort (SIGABRT, "terminate called without an active exception") while the interpreter tears
    # down gloo's threads after a finished job; the work is done and flushed, so leave without that teardown.
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def results(client: TrainerClient, name: str, step: str) -> list[dict]:
    return [json.loads(line) for line in client.get_job_logs(name, step=step) if line.startswith("{")]


def test_two_node_ddp_job_all_reduces_and_keeps_replicas_in_sync(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    caller_tmp = tmp_path / "caller-tmp"
    caller_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(caller_tmp))
    client = TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state", env_cache_dir=tmp_path / "envs"))
    trainer = CustomTrainer(func=all_reduce_and_train, func_args={"steps": 5}, num_nodes=2, packages_to_install=[TORCH])
    name = client.train(trainer=trainer)
    job = client.wait_for_job_status(name, timeout=900)
    assert job.status == "Complete" and [step.exit_code for step in job.steps] == [0, 0]
    for rank in range(2):
        [result] = results(client, name, f"node-{rank}")
        assert result == {"rank": rank, "world": 2, "sum": 3.0, "replicas_equal": True, "local_rank": 0}

    # Two processes per node (cpu: 2) go through torch.distributed.run: 4 workers, one environment reused.
    trainer = CustomTrainer(
        func=all_reduce_and_train,
        func_args={"steps": 2},
        num_nodes=2,
        resources_per_node={"cpu": 2},
        packages_to_install=[TORCH],
    )
    name = client.train(trainer=trainer)
    assert any(e.reason == "EnvironmentReady" and "reused" in e.message for e in client.get_job_events(name))
    job = client.wait_for_job_status(name, timeout=900)
    assert job.status == "Complete"
    found = results(client, name, "node-0") + results(client, name, "node-1")
    assert sorted(r["rank"] for r in found) == [0, 1, 2, 3]
    assert {(r["world"], r["sum"], r["replicas_equal"]) for r in found} == {(4, 10.0, True)}
    assert sorted(r["local_rank"] for r in found) == [0, 0, 1, 1]
    # torchrun's scratch directories went to the job's own TMPDIR, not the caller's: they leave with the job.
    assert list((tmp_path / "state" / name / "tmp").glob("torchelastic_*"))
    assert list(caller_tmp.iterdir()) == []
