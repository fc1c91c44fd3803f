"""Local dry run (nothing starts, nothing is written) and reading every node's log with `step="all"`."""

from __future__ import annotations

from pathlib import Path

from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient
from kubeflow.trainer.options import Name


def client(tmp_path: Path) -> TrainerClient:
    return TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))


def say(word: str, times: int) -> None:
    import os
    import time

    for index in range(times):
        print(f"{word} {index} from rank {os.environ['RANK']}", flush=True)
        time.sleep(0.05)


def test_dry_run_returns_the_launch_plan_and_starts_nothing(tmp_path: Path) -> None:
    c = client(tmp_path)
    plan = c.train(
        trainer=CustomTrainer(func=say, func_args={"word": "$HOME", "times": 1}, num_nodes=2, env={"A": "1"}),
        options=[Name("planned")],
        dry_run=True,
    )
    assert plan["name"] == "planned" and plan["num_nodes"] == 2
    assert [node["name"] for node in plan["nodes"]] == ["node-0", "node-1"]
    assert [node["env"]["RANK"] for node in plan["nodes"]] == ["0", "1"]
    assert plan["env"] == {"A": "1"}
    assert "$HOME" in plan["script"]
    assert c.list_jobs() == []
    assert not (tmp_path / "state").exists() or not any((tmp_path / "state").rglob("job.json"))


def test_all_steps_prefix_every_node(tmp_path: Path) -> None:
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=say, func_args={"word": "hi", "times": 3}, num_nodes=2))
    followed = list(c.get_job_logs(name, step="all", follow=True))
    c.wait_for_job_status(name, timeout=60)
    read = list(c.get_job_logs(name, step="all"))
    for lines in (followed, read):
        assert sorted(lines) == sorted(
            [f"[node-{rank}] hi {index} from rank {rank}" for rank in (0, 1) for index in range(3)]
        )
    assert read[:3] == [f"[node-0] hi {index} from rank 0" for index in range(3)]
