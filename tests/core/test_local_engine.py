"""The generic local-process engine, on real processes: tiny `python -c` programs as nodes."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest

from kubeflow.core.errors import AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError
from kubeflow.core.local import procs
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobSpec, NodeSpec
from local_jobs import PY, node, wait_done
from local_jobs import wait_for_text as wait_for_file


def backend(tmp_path: Path, grace: float = 5.0) -> LocalProcessBackend:
    return LocalProcessBackend(LocalProcessBackendConfig(state_dir=tmp_path / "state", termination_grace_seconds=grace))


def test_hello_job_completes_with_logs_and_events(tmp_path: Path) -> None:
    b = backend(tmp_path)
    ref = b.submit(LocalJobSpec(name="hello", nodes=[node("node-0", "print('hello'); print('world')")]))
    assert ref.name == "hello" and ref.backend == "local-process"
    info = wait_done(b, "hello")
    assert info.status == "Complete"
    assert [(n.status, n.exit_code) for n in info.nodes] == [("Succeeded", 0)]
    assert list(b.log_iter("hello", "node-0")) == ["hello", "world"]
    reasons = [event.reason for event in b.events("hello")]
    assert reasons[0] == "Created" and "NodeStarted" in reasons and "NodeExited" in reasons
    assert reasons[-1] == "Completed"
    assert [i.name for i in b.list()] == ["hello"]


def test_first_failure_fails_job_and_terminates_other_nodes(tmp_path: Path) -> None:
    b = backend(tmp_path)
    sleeper = "import time\nprint('up', flush=True)\ntime.sleep(300)"
    failer = "import sys\nprint('bad thing happened')\nsys.exit(3)"
    b.submit(LocalJobSpec(name="two", nodes=[node("node-0", sleeper), node("node-1", failer)]))
    info = wait_done(b, "two")
    assert info.status == "Failed"
    assert (info.failed_node, info.failed_exit_code, info.reason) == ("node-1", 3, "NodeFailed")
    final = wait_done(b, "two")
    first = final.nodes[0]
    assert first.status == "Failed" and first.terminated and first.exit_code == 128 + signal.SIGTERM
    assert first.pid is not None and first.exit_code is not None  # reaped by its supervisor
    assert b.log_tail("two", "node-1") == ["bad thing happened"]
    assert any(e.reason == "NodeFailed" and e.type == "Warning" for e in b.events("two"))


def test_sigterm_ignoring_node_is_killed_after_grace(tmp_path: Path) -> None:
    b = backend(tmp_path, grace=0.5)
    ready = tmp_path / "ready"
    stubborn = f"""
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("up", flush=True)
        open({str(ready)!r}, "w").close()
        time.sleep(300)
    """
    failer = f"""
        import os, sys, time
        while not os.path.exists({str(ready)!r}):  # fail only once node-0 ignores SIGTERM
            time.sleep(0.01)
        sys.exit(1)
    """
    b.submit(LocalJobSpec(name="stubborn", nodes=[node("node-0", stubborn), node("node-1", failer)]))
    wait_done(b, "stubborn")
    for line in b.log_iter("stubborn", "node-0", follow=True):  # returns once node-0 has ended
        assert line == "up"
    info = b.describe("stubborn")
    assert info is not None and info.nodes[0].exit_code == 128 + signal.SIGKILL


def test_delete_running_job_kills_supervisor_nodes_and_grandchildren(tmp_path: Path) -> None:
    b = backend(tmp_path, grace=2)
    marker = tmp_path / "grandchild.pid"
    code = f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        open({str(marker)!r}, "w").write(str(child.pid))
        time.sleep(300)
    """
    b.submit(LocalJobSpec(name="victim", nodes=[node("node-0", code), node("node-1", "import time; time.sleep(300)")]))
    grandchild = int(wait_for_file(marker))
    deadline = time.monotonic() + 30
    while (info := b.describe("victim")) is not None and None in [n.pid for n in info.nodes]:
        assert time.monotonic() < deadline, "the supervisor never recorded every node's pid"
        time.sleep(0.02)  # node-1 may be recorded after node-0 has already started its child
    assert info is not None and info.status == "Running"
    pids = [pid for pid in [n.pid for n in info.nodes] + [info.supervisor_pid, grandchild] if pid is not None]
    assert len(pids) == 4
    alive = [(pid, procs.start_ticks(pid)) for pid in pids]  # the start time tells a recycled pid apart
    assert all(procs.is_alive(pid, ticks) for pid, ticks in alive)
    assert b.cancel("victim") is True
    assert [pid for pid, ticks in alive if procs.is_alive(pid, ticks)] == []
    assert b.describe("victim") is None
    assert not (tmp_path / "state" / "victim").exists()
    assert b.cancel("victim") is False
    assert [e.reason for e in b.events("victim")][-1] == "Deleted"
    with pytest.raises(NotFoundError):
        b.log_iter("victim", "node-0")


def test_killed_supervisor_marks_job_failed_and_stops_nodes(tmp_path: Path) -> None:
    b = backend(tmp_path)
    b.submit(
        LocalJobSpec(name="orphaned", nodes=[node("node-0", "import time; print('up', flush=True); time.sleep(300)")])
    )
    assert next(b.log_iter("orphaned", "node-0", follow=True)) == "up"
    info = b.describe("orphaned")
    assert info is not None and info.supervisor_pid is not None and info.nodes[0].pid is not None
    node_ticks = procs.start_ticks(info.nodes[0].pid)
    os.kill(info.supervisor_pid, signal.SIGKILL)
    info = wait_done(b, "orphaned")
    assert info.status == "Failed" and info.reason == "SupervisorLost"
    assert "supervisor" in (info.message or "")
    node_pid = info.nodes[0].pid
    assert node_pid is not None
    assert procs.wait_gone([(node_pid, node_ticks)], 10)


def test_second_client_in_another_process_sees_jobs_and_logs(tmp_path: Path) -> None:
    b = backend(tmp_path)
    b.submit(LocalJobSpec(name="shared", nodes=[node("node-0", "print('from the job')")]))
    wait_done(b, "shared")
    script = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from kubeflow.core.local.backend import LocalProcessBackend
        from kubeflow.core.local.config import LocalProcessBackendConfig
        b = LocalProcessBackend(LocalProcessBackendConfig(state_dir=Path({str(tmp_path / "state")!r})))
        print(json.dumps([[i.name, i.status] for i in b.list()] + [list(b.log_iter("shared", "node-0"))]))
        """
    )
    out = subprocess.run([PY, "-c", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [["shared", "Complete"], ["from the job"]]


def test_follow_streams_lines_before_the_node_ends(tmp_path: Path) -> None:
    b = backend(tmp_path)
    release = tmp_path / "release"
    code = f"""
        import os, time
        print("first", flush=True)
        while not os.path.exists({str(release)!r}):
            time.sleep(0.01)
        print("second")
    """
    b.submit(LocalJobSpec(name="stream", nodes=[node("node-0", code)]))
    lines = b.log_iter("stream", "node-0", follow=True)
    assert next(lines) == "first"
    info = b.describe("stream")
    assert info is not None and info.status == "Running"  # the job waits for us: this line came while it ran
    release.touch()
    assert list(lines) == ["second"]
    assert wait_done(b, "stream").status == "Complete"


def test_concurrent_submissions_never_corrupt_state(tmp_path: Path) -> None:
    b = backend(tmp_path)
    errors: list[BaseException] = []
    outcomes: list[str] = []

    def submit(name: str) -> None:
        try:
            LocalProcessBackend(b.config).submit(LocalJobSpec(name=name, nodes=[node("node-0", "print(1)")]))
            outcomes.append(name)
        except AlreadyExistsError:
            outcomes.append("dup")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(f"job-{i % 4}",)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(o for o in outcomes if o != "dup") == [f"job-{i}" for i in range(4)]
    assert outcomes.count("dup") == 8
    for name in (f"job-{i}" for i in range(4)):
        assert wait_done(b, name).status == "Complete"
        record = json.loads((tmp_path / "state" / name / "job.json").read_text())
        assert record["name"] == name
    assert sorted(os.listdir(tmp_path / "state" / ".staging")) == []


def test_state_dir_is_private_and_holds_no_environment_values(tmp_path: Path) -> None:
    b = backend(tmp_path)
    (tmp_path / "state").mkdir(mode=0o755)
    secret = "s3cr3t-value-xyz"
    b.submit(
        LocalJobSpec(
            name="private",
            env={"API_TOKEN": secret},
            nodes=[node("node-0", "import os; print(len(os.environ['API_TOKEN']))")],
        )
    )
    assert wait_done(b, "private").status == "Complete"
    assert list(b.log_iter("private", "node-0")) == [str(len(secret))]
    root = tmp_path / "state"
    assert stat.S_IMODE(root.stat().st_mode) == 0o755  # an existing directory is checked, never chmod-ed
    assert stat.S_IMODE((root / "private").stat().st_mode) == 0o700
    for path in (root / "private").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
            assert secret not in path.read_text(errors="replace"), path


def test_bad_specs_are_rejected_before_anything_is_written(tmp_path: Path) -> None:
    b = backend(tmp_path)
    with pytest.raises(InvalidInputError, match="name"):
        b.submit(LocalJobSpec(name="Bad_Name", nodes=[node("node-0", "pass")]))
    with pytest.raises(InvalidInputError, match="unique"):
        b.submit(LocalJobSpec(name="dup", nodes=[node("node-0", "pass"), node("node-0", "pass")]))
    with pytest.raises(InvalidInputError, match="files"):
        b.submit(LocalJobSpec(name="escape", nodes=[node("node-0", "pass")], files={"../x": ""}))
    request = b.submit_dryrun(LocalJobSpec(name="dry", nodes=[node("node-0", "pass")]))
    assert request.record["status"] == "Created" and request.supervisor_argv[0] == PY
    assert not (tmp_path / "state").exists()
    assert b.list() == [] and b.describe("dry") is None


def test_duplicate_name_and_held_port_conflict(tmp_path: Path) -> None:
    b = backend(tmp_path)
    port = b.pick_port()
    long = node("node-0", "import time; time.sleep(300)")
    b.submit(LocalJobSpec(name="first", nodes=[long], ports=[port]))
    with pytest.raises(AlreadyExistsError):
        b.submit(LocalJobSpec(name="first", nodes=[long]))
    with pytest.raises(ConflictError) as caught:
        b.submit(LocalJobSpec(name="second", nodes=[long], ports=[port]))
    assert caught.value.reason == "PortInUse"
    assert b.pick_port() != port
    assert [i.name for i in b.list()] == ["first"]
    b.cancel("first")


def test_missing_node_program_fails_the_job(tmp_path: Path) -> None:
    b = backend(tmp_path)
    spec = LocalJobSpec(name="nocmd", nodes=[NodeSpec(name="node-0", argv=[str(tmp_path / "no-such-program")])])
    b.submit(spec)
    info = wait_done(b, "nocmd")
    assert info.status == "Failed" and info.failed_exit_code == 127
    assert "cannot start" in b.log_tail("nocmd", "node-0")[0]


def test_unknown_step_and_job_raise_not_found(tmp_path: Path) -> None:
    b = backend(tmp_path)
    b.submit(LocalJobSpec(name="steps", nodes=[node("node-0", "pass")]))
    with pytest.raises(NotFoundError, match="node-0"):
        b.log_iter("steps", "node-9")
    with pytest.raises(NotFoundError):
        b.events("nope")
    wait_done(b, "steps")
