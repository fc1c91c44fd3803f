"""Train a small PyTorch model with DistributedDataParallel on 2 nodes of this machine: no cluster needed.

Run it from a clone of the repository:

    uv run python examples/local_ddp.py

Each node is a real process with the environment torchrun sets up (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, ...);
the nodes talk over the gloo backend on CPU. If torch is installed where you run this, the job uses it; otherwise
the job asks for it with `packages_to_install`, and the SDK builds (once, then reuses) an environment holding it.
The same code runs on a Kubernetes cluster with `TrainerClient(KubernetesBackendConfig())`.
"""

from __future__ import annotations

import importlib.util

from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

PACKAGES = ["torch==2.13.0", "numpy"]
"""Installed for the job when the caller has no torch (the CPU wheel where `PIP_FIND_LINKS` offers one)."""


def train_ddp(epochs: int, lr: float, samples: int) -> None:
    """Fit y = 3*x0 - 2*x1 + 1 on synthetic data; every node trains on its shard and DDP averages the gradients."""
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()

    generator = torch.Generator().manual_seed(0)  # the same data on every node; the sampler shards it
    x = torch.randn(samples, 2, generator=generator)
    y = x @ torch.tensor([[3.0], [-2.0]]) + 1.0 + 0.05 * torch.randn(samples, 1, generator=generator)
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=32, sampler=sampler)

    torch.manual_seed(0)
    model = DistributedDataParallel(
        torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()

    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        total = torch.zeros(2)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total += torch.tensor([loss.item() * len(inputs), len(inputs)])
        local_loss = (total[0] / total[1]).item()
        dist.all_reduce(total)
        print(
            f"[node {rank}/{world}] epoch {epoch + 1}/{epochs}: loss {local_loss:.4f} (all nodes {total[0] / total[1]:.4f})"
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


def main() -> None:
    packages = None if importlib.util.find_spec("torch") else PACKAGES
    client = TrainerClient(LocalProcessBackendConfig())  # local processes, with the per-user state directory
    name = client.train(
        runtime="torch-distributed",
        trainer=CustomTrainer(
            func=train_ddp,
            func_args={"epochs": 5, "lr": 0.05, "samples": 2048},
            num_nodes=2,
            packages_to_install=packages,
        ),
    )
    print(f"Created job {name} on 2 local nodes{' (torch installed for the job)' if packages else ''}.")
    print("Its logs, as the nodes write them (Ctrl-C stops following; the job keeps running):")
    for line in client.get_job_logs(name, step="all", follow=True):  # every node, prefixed [node-i]
        print(line, flush=True)
    job = client.wait_for_job_status(name, timeout=1800)  # raises JobFailedError, with the failing node's last lines
    print(f"Job {name}: {job.status}")


if __name__ == "__main__":
    main()
