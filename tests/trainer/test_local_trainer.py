"""TrainerClient on the local-process backend, on real processes."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from kubeflow.core.errors import AlreadyExistsError, InvalidInputError, JobFailedError, NotFoundError
from kubeflow.core.local import procs
from kubeflow.trainer import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    HuggingFaceDatasetInitializer,
    Initializer,
    LocalProcessBackendConfig,
    TorchTuneConfig,
    TrainerClient,
)
from kubeflow.trainer.options import Labels, Name


def client(tmp_path: Path, grace: float = 5.0) -> TrainerClient:
    return TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state", termination_grace_seconds=grace))


def show_env() -> None:
    import json
    import os

    keys = [
        "MASTER_ADDR",
        "MASTER_PORT",
        "WORLD_SIZE",
        "RANK",
        "LOCAL_RANK",
        "LOCAL_WORLD_SIZE",
        "GROUP_RANK",
        "PET_NNODES",
        "PET_NPROC_PER_NODE",
        "PET_NODE_RANK",
        "PET_MASTER_ADDR",
        "PET_MASTER_PORT",
        "EXTRA",
    ]
    print(json.dumps({key: os.environ.get(key) for key in keys}))


def echo_args(text: str, items: list, nested: dict) -> None:
    import json

    print(json.dumps({"text": text, "items": items, "nested": nested}))


def fail_on_rank_one(code: int, ready: str) -> None:
    import os
    import sys
    import time

    if os.environ["RANK"] == "1":
        while not os.path.exists(ready):  # fail only once rank 0 is up
            time.sleep(0.01)
        print("preparing")
        print(f"rank 1 gives up with {code}")
        sys.exit(code)
    print("rank 0 waits", flush=True)
    open(ready, "w").close()
    time.sleep(300)


def sleep_and_mark(marker: str) -> None:
    import os
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    with open(marker + os.environ["RANK"], "w") as handle:
        handle.write(str(child.pid))
    time.sleep(300)


def stream(release: str) -> None:
    import os
    import time

    print("first line")
    while not os.path.exists(release):
        time.sleep(0.01)
    print("last line")


def hello() -> None:
    print("hello from", __name__)


def wait_for_file(path: Path, timeout: float = 30) -> str:
    import time

    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.02)
    return path.read_text().strip()


def test_hello_job_completes_with_steps_logs_and_events(tmp_path: Path) -> None:
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=hello))
    job = c.wait_for_job_status(name, timeout=60, polling_interval=0.1)
    assert job.status == "Complete" and job.num_nodes == 1 and job.runtime.name == "torch-distributed"
    [step] = job.steps
    assert (step.name, step.status, step.exit_code) == ("node-0", "Succeeded", 0)
    assert step.pod_name.startswith("pid-") and int(step.pod_name[4:]) > 0
    assert list(c.get_job_logs(name)) == ["hello from __main__"]
    reasons = [event.reason for event in c.get_job_events(name)]
    assert reasons[0] == "Created" and "NodeStarted" in reasons and reasons[-1] == "Completed"
    assert any("exited with code 0" in event.message for event in c.get_job_events(name))
    assert c.get_job(name).status == "Complete"


def test_two_nodes_get_the_distributed_environment(tmp_path: Path) -> None:
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=show_env, num_nodes=2, env={"EXTRA": "yes"}))
    c.wait_for_job_status(name, timeout=60)
    envs = [json.loads(next(iter(c.get_job_logs(name, step=f"node-{i}")))) for i in range(2)]
    port = envs[0]["MASTER_PORT"]
    assert port is not None and int(port) > 0
    for rank, env in enumerate(envs):
        assert env == {
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": port,
            "WORLD_SIZE": "2",
            "RANK": str(rank),
            "LOCAL_RANK": "0",
            "LOCAL_WORLD_SIZE": "1",
            "GROUP_RANK": str(rank),
            "PET_NNODES": "2",
            "PET_NPROC_PER_NODE": "1",
            "PET_NODE_RANK": str(rank),
            "PET_MASTER_ADDR": "127.0.0.1",
            "PET_MASTER_PORT": port,
            "EXTRA": "yes",
        }
    assert [step.name for step in c.get_job(name).steps] == ["node-0", "node-1"]


def test_shell_metacharacters_in_func_args_arrive_verbatim(tmp_path: Path) -> None:
    c = client(tmp_path)
    text = "$HOME `id` $(whoami) 'single' \"double\" ; rm -rf / && echo | cat > x \\ \n newline"
    args = {"text": text, "items": ["*", "?", "~", "$PATH"], "nested": {"a": "${X:-y}"}}
    name = c.train(runtime="python", trainer=CustomTrainer(func=echo_args, func_args=args))
    c.wait_for_job_status(name, timeout=60)
    assert json.loads("".join(c.get_job_logs(name))) == args


def test_failing_node_fails_job_at_once_and_terminates_the_other(tmp_path: Path) -> None:
    c = client(tmp_path)
    args = {"code": 7, "ready": str(tmp_path / "ready")}
    name = c.train(trainer=CustomTrainer(func=fail_on_rank_one, func_args=args, num_nodes=2))
    with pytest.raises(JobFailedError) as caught:
        c.wait_for_job_status(name, timeout=120)
    error = caught.value
    assert (error.job, error.step, error.exit_code) == (name, "node-1", 7)
    assert error.log_tail[-1] == "rank 1 gives up with 7"
    assert "node-1" in str(error) and "7" in str(error) and "rank 1 gives up with 7" in str(error)
    job = c.wait_for_job_status(name, status={"Failed"}, timeout=60)
    by_name = {step.name: step for step in job.steps}
    assert (by_name["node-1"].status, by_name["node-1"].exit_code) == ("Failed", 7)
    assert by_name["node-0"].status == "Failed" and by_name["node-0"].exit_code == 143
    assert list(c.get_job_logs(name, step="node-0")) == ["rank 0 waits"]


def test_delete_running_job_kills_all_its_processes(tmp_path: Path) -> None:
    c = client(tmp_path, grace=2)
    marker = tmp_path / "child-of-rank-"
    name = c.train(trainer=CustomTrainer(func=sleep_and_mark, func_args={"marker": str(marker)}, num_nodes=2))
    children = [int(wait_for_file(Path(f"{marker}{rank}"))) for rank in range(2)]
    job = c.wait_for_job_status(name, status={"Running"}, timeout=30)
    nodes = [int(step.pod_name.removeprefix("pid-")) for step in job.steps]
    alive = [(pid, procs.start_ticks(pid)) for pid in nodes + children]
    assert all(procs.is_alive(pid, ticks) for pid, ticks in alive)
    c.delete_job(name)
    # Gone, not even zombies: their /proc entry is absent (or belongs to a new process with another start time).
    assert [pid for pid, ticks in alive if procs.start_ticks(pid) == ticks] == []
    with pytest.raises(NotFoundError):
        c.get_job(name)
    assert name not in [job.name for job in c.list_jobs()]
    with pytest.raises(NotFoundError):
        c.delete_job(name)
    assert [event.reason for event in c.get_job_events(name)][-1] == "Deleted"


def test_second_client_in_another_process_lists_and_reads_logs(tmp_path: Path) -> None:
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=hello), options=[Name("shared-job")])
    c.wait_for_job_status(name, timeout=60)
    script = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from kubeflow.trainer import LocalProcessBackendConfig, TrainerClient
        c = TrainerClient(LocalProcessBackendConfig(state_dir=Path({str(tmp_path / "state")!r})))
        jobs = [[j.name, j.status, [s.status for s in j.steps]] for j in c.list_jobs()]
        print(json.dumps([jobs, list(c.get_job_logs("shared-job", follow=True))]))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [[["shared-job", "Complete", ["Succeeded"]]], ["hello from __main__"]]


def test_follow_yields_lines_while_the_job_runs(tmp_path: Path) -> None:
    c = client(tmp_path)
    release = tmp_path / "release"
    name = c.train(trainer=CustomTrainer(func=stream, func_args={"release": str(release)}))
    lines = c.get_job_logs(name, follow=True)
    assert next(iter(lines)) == "first line"
    assert c.get_job(name).status == "Running"  # the job cannot end before we release it
    release.touch()
    assert list(lines) == ["last line"]
    assert c.wait_for_job_status(name, timeout=30).status == "Complete"


def test_concurrent_train_from_threads_and_processes(tmp_path: Path) -> None:
    c = client(tmp_path)
    names: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            names.append(client(tmp_path).train(trainer=CustomTrainer(func=hello, num_nodes=2)))
        except BaseException as exc:
            errors.append(exc)

    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient
        def hello():
            print("hello from", __name__)
        c = TrainerClient(LocalProcessBackendConfig(state_dir=Path({str(tmp_path / "state")!r})))
        print(c.train(trainer=CustomTrainer(func=hello, num_nodes=2)))
        """
    )
    script_path = tmp_path / "submit.py"
    script_path.write_text(script)
    others = [subprocess.Popen([sys.executable, str(script_path)], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in others:
        out, _ = other.communicate(timeout=120)
        assert other.returncode == 0
        names.append(out.strip())
    assert not errors
    assert len(set(names)) == 6
    for name in names:
        job = c.wait_for_job_status(name, timeout=120)
        assert [step.exit_code for step in job.steps] == [0, 0]
    assert sorted(job.name for job in c.list_jobs()) == sorted(names)
    ports = {json.loads((tmp_path / "state" / name / "job.json").read_text())["ports"][0] for name in names}
    assert len(ports) == 6


def test_two_concurrent_two_node_jobs_get_different_ports(tmp_path: Path) -> None:
    c = client(tmp_path)
    release = tmp_path / "release"
    first = c.train(trainer=CustomTrainer(func=stream, func_args={"release": str(release)}, num_nodes=2))
    second = c.train(trainer=CustomTrainer(func=show_env, num_nodes=2))
    c.wait_for_job_status(second, timeout=60)
    assert c.get_job(first).status in ("Created", "Running")  # still holding its port
    release.touch()
    c.wait_for_job_status(first, timeout=60)
    port_of_second = json.loads(next(iter(c.get_job_logs(second))))["MASTER_PORT"]
    port_of_first = json.loads((tmp_path / "state" / first / "job.json").read_text())["ports"][0]
    assert int(port_of_second) != int(port_of_first)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"runtime": "no-such-runtime"}, NotFoundError, "runtime"),
        ({"trainer": CustomTrainerContainer(image="busybox")}, InvalidInputError, "Kubernetes"),
        ({"trainer": BuiltinTrainer(config=TorchTuneConfig())}, InvalidInputError, "Kubernetes"),
        (
            {"initializer": Initializer(dataset=HuggingFaceDatasetInitializer(storage_uri="hf://a/b"))},
            InvalidInputError,
            "Kubernetes",
        ),
        ({"options": [Labels(labels={"a": "b"})]}, InvalidInputError, "Labels"),
        ({"trainer": None}, InvalidInputError, "trainer"),
    ],
)
def test_bad_input_raises_before_anything_is_written(
    tmp_path: Path, kwargs: dict, error: type[Exception], field: str
) -> None:
    c = client(tmp_path)
    arguments = {"trainer": CustomTrainer(func=hello), **kwargs}
    with pytest.raises(error, match=field):
        c.train(**arguments)
    assert not (tmp_path / "state").exists()


def test_invalid_trainer_fields_raise_before_anything_is_written(tmp_path: Path) -> None:
    c = client(tmp_path)
    with pytest.raises(InvalidInputError, match="num_nodes"):
        CustomTrainer(func=hello, num_nodes=0)
    with pytest.raises(InvalidInputError, match="resources_per_node"):
        CustomTrainer(func=hello, resources_per_node={"cpu": "lots"})
    with pytest.raises(InvalidInputError, match="func"):
        CustomTrainer(func="not callable")  # type: ignore[arg-type]
    trainer = CustomTrainer(func=hello)
    for field, value, match in [
        ("num_nodes", 0, "num_nodes"),
        ("func", 42, "func"),
        ("resources_per_node", {"memory": "12 parsecs"}, "resources_per_node"),
        ("resources_per_node", {"gpu": "1.5"}, "resources_per_node"),
        ("func", lambda: None, "lambda"),
    ]:
        bad = CustomTrainer(func=hello)
        object.__setattr__(bad, field, value)  # as if changed after construction
        with pytest.raises(InvalidInputError, match=match):
            c.train(trainer=bad)
    with pytest.raises(InvalidInputError, match="Name"):
        c.train(trainer=trainer, options=[_raw_name("Not_A_Label")])
    assert not (tmp_path / "state").exists()


def _raw_name(value: str) -> Name:
    option = Name("placeholder")
    object.__setattr__(option, "name", value)
    return option


def test_duplicate_job_name_raises_already_exists(tmp_path: Path) -> None:
    c = client(tmp_path)
    c.train(trainer=CustomTrainer(func=hello), options=[Name("taken")])
    with pytest.raises(AlreadyExistsError, match="taken"):
        c.train(trainer=CustomTrainer(func=hello), options=[Name("taken")])
    assert [job.name for job in c.list_jobs()] == ["taken"]
    c.wait_for_job_status("taken", timeout=60)


def test_state_dir_is_private(tmp_path: Path) -> None:
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=hello))
    c.wait_for_job_status(name, timeout=60)
    root = tmp_path / "state"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / name).stat().st_mode) == 0o700


def test_resources_that_cannot_be_honoured_are_recorded(tmp_path: Path) -> None:
    c = client(tmp_path)
    name = c.train(
        runtime="python",
        trainer=CustomTrainer(func=show_env, resources_per_node={"memory": "2Gi", "cpu": 2}),
    )
    c.wait_for_job_status(name, timeout=60)
    warnings = [e.message for e in c.get_job_events(name) if e.reason == "ResourceNotHonoured"]
    assert any("memory=2Gi" in message for message in warnings)
    assert any("one process per node" in message for message in warnings)
    record = json.loads((tmp_path / "state" / name / "job.json").read_text())
    assert set(record["meta"]["resources_not_honoured"]) == {"memory", "processes"}


def test_runtimes_listing_filtering_and_packages(tmp_path: Path) -> None:
    c = client(tmp_path)
    assert {runtime.name for runtime in c.list_runtimes()} >= {"torch-distributed", "python"}
    torch_runtime = c.get_runtime("torch-distributed")
    assert torch_runtime.trainer.framework == "torch"
    with pytest.raises(NotFoundError, match="runtime"):
        c.get_runtime("nope")
    python_job = c.train(runtime="python", trainer=CustomTrainer(func=hello))
    torch_job = c.train(runtime=torch_runtime, trainer=CustomTrainer(func=hello))
    assert [job.name for job in c.list_jobs("python")] == [python_job]
    assert [job.name for job in c.list_jobs(torch_runtime)] == [torch_job]
    packages = c.get_runtime_packages(torch_runtime)
    assert any(line.lower().startswith("pydantic==") for line in packages)
    for name in (python_job, torch_job):
        c.wait_for_job_status(name, timeout=60)


def test_missing_jobs_raise_not_found(tmp_path: Path) -> None:
    c = client(tmp_path)
    for call in (
        lambda: c.get_job("missing"),
        lambda: c.delete_job("missing"),
        lambda: c.get_job_logs("missing"),
        lambda: c.get_job_events("missing"),
    ):
        with pytest.raises(NotFoundError):
            call()
    name = c.train(trainer=CustomTrainer(func=hello))
    with pytest.raises(NotFoundError, match="node-3"):
        c.get_job_logs(name, step="node-3")
    c.wait_for_job_status(name, timeout=60)


def test_job_inherits_the_callers_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRA", "from-the-caller")
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=show_env))
    c.wait_for_job_status(name, timeout=60)
    assert json.loads(next(iter(c.get_job_logs(name))))["EXTRA"] == "from-the-caller"
    assert os.environ["EXTRA"] == "from-the-caller"


def show_devices() -> None:
    import os

    print(os.environ.get("CUDA_VISIBLE_DEVICES"), os.environ["PET_NPROC_PER_NODE"])


def test_gpus_are_split_across_nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    c = client(tmp_path)
    name = c.train(trainer=CustomTrainer(func=show_devices, num_nodes=2, resources_per_node={"nvidia.com/gpu": 1}))
    job = c.wait_for_job_status(name, timeout=60)
    assert [list(c.get_job_logs(name, step=f"node-{i}")) for i in range(2)] == [["3 1"], ["5 1"]]
    assert {step.device for step in job.steps} == {"gpu"}
    not_honoured = [e.message for e in c.get_job_events(name) if e.reason == "ResourceNotHonoured"]
    assert not_honoured == []


def test_missing_gpus_are_recorded_not_silently_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    c = client(tmp_path)
    name = c.train(runtime="python", trainer=CustomTrainer(func=show_devices, resources_per_node={"gpu": 1}))
    c.wait_for_job_status(name, timeout=60)
    [warning] = [e.message for e in c.get_job_events(name) if e.reason == "ResourceNotHonoured"]
    assert "gpu=1" in warning and "0 found" in warning


def test_job_outlives_the_client_that_created_it(tmp_path: Path) -> None:
    release = tmp_path / "release"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient
        from kubeflow.trainer.options import Name
        def stream(release):
            import os, time
            print("first line")
            while not os.path.exists(release):
                time.sleep(0.01)
            print("last line")
        c = TrainerClient(LocalProcessBackendConfig(state_dir=Path({str(tmp_path / "state")!r})))
        c.train(trainer=CustomTrainer(func=stream, func_args={{"release": {str(release)!r}}}), options=[Name("survivor")])
        """
    )
    (tmp_path / "create.py").write_text(script)
    subprocess.run([sys.executable, str(tmp_path / "create.py")], check=True, timeout=120)  # that client is gone
    c = client(tmp_path)
    lines = c.get_job_logs("survivor", follow=True)
    assert next(iter(lines)) == "first line"
    assert c.get_job("survivor").status == "Running"
    release.touch()
    assert list(lines) == ["last line"]
    assert c.wait_for_job_status("survivor", timeout=60).status == "Complete"


def test_killed_supervisor_fails_the_job_with_a_clear_reason(tmp_path: Path) -> None:
    c = client(tmp_path)
    release = tmp_path / "never"
    name = c.train(trainer=CustomTrainer(func=stream, func_args={"release": str(release)}))
    assert next(iter(c.get_job_logs(name, follow=True))) == "first line"
    record = json.loads((tmp_path / "state" / name / "job.json").read_text())
    os.kill(record["supervisor"]["pid"], signal.SIGKILL)
    with pytest.raises(JobFailedError, match="supervisor") as caught:
        c.wait_for_job_status(name, timeout=60)
    assert caught.value.reason == "SupervisorLost"
    node_pid = int(c.get_job(name).steps[0].pod_name.removeprefix("pid-"))
    assert procs.wait_gone([(node_pid, record["nodes"][0]["start_ticks"])], 10)
