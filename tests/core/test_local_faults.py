"""Fault injection on the local backend (issue 10): kills at random points, concurrent delete and re-create.

Seeded (`SEED`), so a failure replays. After every fault the job must reach a terminal status that tells the truth,
and nothing of it may keep running. Runs in the normal suite (about half a minute on two cores).
"""

from __future__ import annotations

import os
import random
import signal
import textwrap
import threading
import time
from pathlib import Path

import pytest

from kubeflow.core.errors import KubeflowError
from kubeflow.core.local import procs
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobSpec, NodeSpec
from local_jobs import PY, wait_done

SEED = 10

NODE = """
import os, subprocess, sys, time
flags = {{"start_new_session": True}} if {index} == 0 else {{}}
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], **flags)
with open(os.path.join({folder!r}, "gc-{index}"), "w") as handle:
    handle.write(str(child.pid))
time.sleep({sleep})
sys.exit({code})
"""


def backend(tmp_path: Path) -> LocalProcessBackend:
    config = LocalProcessBackendConfig(state_dir=tmp_path / "state", termination_grace_seconds=1.0)
    return LocalProcessBackend(config)


def processes_under(state: Path) -> list[int]:
    """Live processes whose environment points into `state` (every node and descendant of a job there)."""
    needle = f"={state}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                environ = handle.read()
        except OSError:
            continue
        if needle in environ and procs.is_alive(int(entry), None):
            found.append(int(entry))
    return found


def wait_none_left(state: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while left := processes_under(state):
        assert time.monotonic() < deadline, f"processes outlived their job: {left}"
        time.sleep(0.05)


@pytest.mark.skipif(not procs.has_proc(), reason="needs /proc (Linux)")
def test_random_kills_of_supervisor_nodes_and_grandchildren_leave_nothing_running(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    b = backend(tmp_path)
    targets = ["supervisor", "node", "grandchild", "none"] * 2
    rng.shuffle(targets)
    for round_, target in enumerate(targets):
        folder = tmp_path / f"round-{round_}"
        folder.mkdir()
        codes = [rng.choice([0, 0, 1]) for _ in range(2)]
        nodes = [
            NodeSpec(
                name=f"node-{index}",
                argv=[
                    PY,
                    "-c",
                    textwrap.dedent(
                        NODE.format(index=index, folder=str(folder), sleep=rng.uniform(0.3, 1.5), code=codes[index])
                    ),
                ],
            )
            for index in range(2)
        ]
        name = f"fault-{round_}"
        b.submit(LocalJobSpec(name=name, nodes=nodes))
        time.sleep(rng.uniform(0.0, 0.8))
        info = b.describe(name)
        assert info is not None
        victim = None
        if target == "supervisor":
            victim = info.supervisor_pid
        elif target == "node":
            victim = rng.choice([node.pid for node in info.nodes if node.pid] or [None])
        elif target == "grandchild":
            pid_file = folder / f"gc-{rng.randrange(2)}"
            victim = int(pid_file.read_text()) if pid_file.exists() and pid_file.read_text() else None
        if victim:
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
        final = wait_done(b, name)
        statuses = [node.status for node in final.nodes]
        if final.status == "Complete":
            assert statuses == ["Succeeded", "Succeeded"], (target, final)
        else:
            assert final.reason in ("NodeFailed", "SupervisorLost"), (target, final)
            assert "Running" not in statuses and "Pending" not in statuses, (target, final)
        if target == "none" or (target == "grandchild"):
            expected = "Complete" if codes == [0, 0] else "Failed"
            assert final.status == expected, (target, codes, final)
        wait_none_left(tmp_path / "state")


@pytest.mark.skipif(not procs.has_proc(), reason="needs /proc (Linux)")
def test_concurrent_delete_and_recreate_raise_only_typed_errors_and_leave_nothing_running(tmp_path: Path) -> None:
    b1, b2 = backend(tmp_path), backend(tmp_path)
    rng = random.Random(SEED)
    errors: list[BaseException] = []
    typed: list[str] = []
    stop = threading.Event()
    code = "import time; time.sleep(%.2f)"

    def creator() -> None:
        for _ in range(12):
            try:
                b1.submit(LocalJobSpec(name="race", nodes=[NodeSpec(name="node-0", argv=[PY, "-c", code % 0.5])]))
            except KubeflowError as exc:
                typed.append(f"{type(exc).__name__}/{exc.reason}")
            except BaseException as exc:
                errors.append(exc)
        stop.set()

    def deleter() -> None:
        while not stop.is_set():
            try:
                b2.cancel("race")
            except KubeflowError:
                pass
            except BaseException as exc:
                errors.append(exc)
            time.sleep(rng.uniform(0.0, 0.1))

    threads = [threading.Thread(target=creator), threading.Thread(target=deleter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, [repr(error) for error in errors]
    assert set(typed) <= {"AlreadyExistsError/AlreadyExists", "ConflictError/DeletedWhileStarting"}, typed
    b1.cancel("race")
    assert b1.describe("race") is None
    wait_none_left(tmp_path / "state")
    staging = tmp_path / "state" / ".staging"
    assert not staging.exists() or os.listdir(staging) == []
