"""Local backend hardening (issue 10): secrets, trust in the state directory, processes, races, locks, logs, retention.

Every test runs real processes; each would fail on the backend before the fix it names.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import stat
import subprocess
import threading
import tracemalloc
from pathlib import Path

import pytest

from kubeflow.core.errors import (
    BackendError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    OperationTimeoutError,
)
from kubeflow.core.local import procs
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.envs import EnvCache, EnvSpec
from kubeflow.core.local.logs import MAX_LINE_BYTES, follow_lines
from kubeflow.core.local.models import LocalJobSpec
from kubeflow.core.local.state import LAUNCH_FILE, file_lock
from local_jobs import PY, node, wait_done, wait_for_text, wait_until

TOKEN = "tok-9f8e7d6c5b4a"


def backend(tmp_path: Path, grace: float = 2.0, **config: object) -> LocalProcessBackend:
    settings = LocalProcessBackendConfig(
        state_dir=tmp_path / "state",
        termination_grace_seconds=grace,
        **config,  # type: ignore[arg-type]
    )
    return LocalProcessBackend(settings)


def read_pid(path: Path) -> int:
    return int(wait_for_text(path, timeout=60.0))


def alive(pid: int) -> bool:
    return procs.is_alive(pid, procs.start_ticks(pid))


# -- 1. index credentials never on uv's command line ------------------------------------------------------------
FAKE_UV = """#!{python}
import json, os, stat, sys
argv = sys.argv[1:]
record = {{"cmdline": open("/proc/self/cmdline", "rb").read().decode(), "env": {{
    k: v for k, v in os.environ.items() if k.startswith("UV_")}}}}
if "--requirements" in argv:
    path = argv[argv.index("--requirements") + 1]
    record["req_mode"] = stat.S_IMODE(os.stat(path).st_mode)
    record["req_text"] = open(path).read()
    record["req_path"] = path
with open({out!r}, "w") as handle:
    json.dump(record, handle)
"""


def test_index_credentials_reach_uv_through_its_environment_never_its_command_line(tmp_path: Path) -> None:
    out = tmp_path / "uv-call.json"
    fake = tmp_path / "fake-uv"
    fake.write_text(FAKE_UV.format(python=PY, out=str(out)))
    fake.chmod(0o755)
    cache = EnvCache(tmp_path / "cache", uv_bin=str(fake))
    spec = EnvSpec(
        packages=["numpy", f"private-pkg @ https://user:{TOKEN}@files.corp/private_pkg-1.0-py3-none-any.whl"],
        index_urls=[f"https://user:{TOKEN}@idx.corp/simple", f"https://u2:{TOKEN}@extra.corp/simple"],
    )
    environ = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull}
    env = cache.resolve(spec, environ)
    call = json.loads(out.read_text())
    assert TOKEN not in call["cmdline"]  # what any local user reads in /proc/<pid>/cmdline
    assert call["env"]["UV_INDEX_URL"] == f"https://user:{TOKEN}@idx.corp/simple"
    assert call["env"]["UV_EXTRA_INDEX_URL"] == f"https://u2:{TOKEN}@extra.corp/simple"
    assert call["req_mode"] == 0o600 and TOKEN in call["req_text"] and "numpy" not in call["req_text"]
    assert not Path(call["req_path"]).exists()  # removed after the build
    for path in (tmp_path / "cache").rglob("*"):  # manifests and everything else in the cache
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
    # 3. the cache is private
    for directory in (tmp_path / "cache", tmp_path / "cache" / "envs", tmp_path / "cache" / "locks"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert env.key


# -- 2. trust in the state directory ----------------------------------------------------------------------------
def test_a_group_or_other_writable_state_dir_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "state"
    root.mkdir()
    root.chmod(0o777)
    b = backend(tmp_path)
    with pytest.raises(ForbiddenError, match="writable by group or others") as caught:
        b.list()
    assert caught.value.reason == "UntrustedStateDir"
    with pytest.raises(ForbiddenError):
        b.submit(LocalJobSpec(name="x", nodes=[node("node-0", "pass")]))
    assert os.listdir(root) == [] and stat.S_IMODE(root.stat().st_mode) == 0o777  # nothing written, no chmod


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand a directory to another uid")
def test_a_state_dir_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "state"
    root.mkdir(mode=0o700)
    os.chown(root, 65534, 65534)
    with pytest.raises(ForbiddenError, match="owned by uid 65534"):
        backend(tmp_path).list()


def test_symlinks_in_the_state_dir_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o755)
    (outside / "precious.txt").write_text("keep me")
    (outside / "job.json").write_text(json.dumps({"name": "evil", "status": "Running", "nodes": []}))
    b = backend(tmp_path)
    b.submit(LocalJobSpec(name="real", nodes=[node("node-0", "pass")]))
    wait_done(b, "real")
    root = tmp_path / "state"
    (root / "evil").symlink_to(outside)
    assert [info.name for info in b.list()] == ["real"]
    assert b.describe("evil") is None
    assert not b.cancel("evil")
    shutil.rmtree(root / ".trash")
    (root / ".trash").symlink_to(outside)
    with pytest.raises(ForbiddenError, match="symbolic link"):
        b.cancel("real")
    assert (outside / "precious.txt").read_text() == "keep me"
    assert stat.S_IMODE(outside.stat().st_mode) == 0o755


def test_an_existing_state_dir_is_never_chmod_ed(tmp_path: Path) -> None:
    root = tmp_path / "state"
    root.mkdir(mode=0o750)
    b = backend(tmp_path)
    b.submit(LocalJobSpec(name="job", nodes=[node("node-0", "pass")]))
    wait_done(b, "job")
    assert stat.S_IMODE(root.stat().st_mode) == 0o750
    fresh = backend(tmp_path / "new")
    fresh.submit(LocalJobSpec(name="job", nodes=[node("node-0", "pass")]))
    assert stat.S_IMODE((tmp_path / "new" / "state").stat().st_mode) == 0o700  # created by us: private


def test_a_planted_record_never_makes_a_client_signal_a_foreign_process(tmp_path: Path) -> None:
    victim = subprocess.Popen([PY, "-c", "import time; time.sleep(300)"], start_new_session=True)
    ticks_of_victim = procs.start_ticks(victim.pid)
    try:
        b = backend(tmp_path)
        b.submit(LocalJobSpec(name="seed", nodes=[node("node-0", "pass")]))
        wait_done(b, "seed")
        root = tmp_path / "state"
        dead = subprocess.Popen([PY, "-c", "pass"])
        dead.wait()
        for name, uid, ticks in [("planted-a", None, 0), ("planted-b", "feedface", 0), ("planted-c", None, None)]:
            job = root / name
            (job / "logs").mkdir(parents=True, mode=0o700)
            job.chmod(0o700)
            record = json.loads((root / "seed" / "job.json").read_text())
            record.update(name=name, uid=uid, status="Running", finished=None)
            record["supervisor"] = {"pid": dead.pid, "start_ticks": 1}
            record["nodes"][0].update(status="Running", pid=victim.pid, start_ticks=ticks)
            record["nodes"].append({**record["nodes"][0], "name": "node-1", "pid": os.getpgrp()})
            (job / "job.json").write_text(json.dumps(record))
        job = root / "planted-d"  # names the victim, with its true start time, as the job's live supervisor
        (job / "logs").mkdir(parents=True, mode=0o700)
        job.chmod(0o700)
        record.update(name="planted-d", uid="feedface", supervisor={"pid": victim.pid, "start_ticks": ticks_of_victim})
        (job / "job.json").write_text(json.dumps(record))
        infos = {info.name: info for info in b.list()}
        assert infos["planted-a"].status == "Failed" and infos["planted-a"].reason == "SupervisorLost"
        assert infos["planted-d"].status == "Running"
        b.cancel("planted-b")
        b.cancel("planted-d")
        assert victim.poll() is None  # still running: it never carried the job's identity
    finally:
        victim.kill()
        victim.wait()


SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(SETPRIV is None or os.geteuid() != 0, reason="needs setpriv (util-linux) and root for a 2nd uid")
def test_a_job_planted_by_another_user_is_not_believed(tmp_path: Path) -> None:
    root = tmp_path / "state"
    root.mkdir(mode=0o700)
    os.chown(root, 65534, 65534)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    planter = (
        "import json, os\n"
        f"fd = {fd}\n"
        "os.mkdir('evil', 0o700, dir_fd=fd)\n"
        "job = os.open('evil', os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)\n"
        "out = os.open('job.json', os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=job)\n"
        "os.write(out, json.dumps({'name': 'evil', 'status': 'Running', 'nodes': [], "
        f"'supervisor': {{'pid': 1, 'start_ticks': 1}}, 'created': '2020-01-01T00:00:00+00:00'}}).encode())\n"
    )
    try:
        subprocess.run(
            [SETPRIV or "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PY, "-c", planter],
            pass_fds=(fd,),
            check=True,
            cwd="/",
        )
    finally:
        os.close(fd)
    assert (root / "evil" / "job.json").exists()
    b = backend(tmp_path)
    with pytest.raises(ForbiddenError, match="owned by uid 65534"):
        b.list()
    with pytest.raises(ForbiddenError):
        b.cancel("evil")


# -- 3. launch.json removed on every path -----------------------------------------------------------------------
def test_launch_file_is_removed_when_the_supervisor_cannot_start(tmp_path: Path) -> None:
    b = backend(tmp_path)
    spec = LocalJobSpec(name="nostart", env={"HF_TOKEN": TOKEN}, nodes=[node("node-0", "pass")])
    request = b.submit_dryrun(spec)
    broken = request.model_copy(
        update={"supervisor_argv": [PY, "-c", "import sys; print('boom: no supervisor today'); sys.exit(3)"]}
    )
    with pytest.raises(BackendError, match="boom: no supervisor today") as caught:
        b.schedule(broken)
    assert caught.value.reason == "SupervisorFailed"
    job = tmp_path / "state" / "nostart"
    assert not (job / LAUNCH_FILE).exists()
    for path in job.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
    info = b.describe("nostart")
    assert info is not None and info.status == "Failed" and "boom" in (info.message or "")


# -- 4. no descendant outlives its job --------------------------------------------------------------------------
ESCAPE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True)
open({out!r}, "w").write(str(child.pid))
time.sleep({linger})
"""


def test_a_grandchild_in_its_own_session_dies_when_the_job_completes(tmp_path: Path) -> None:
    b = backend(tmp_path)
    pid_file = tmp_path / "grandchild.pid"
    b.submit(LocalJobSpec(name="escape", nodes=[node("node-0", ESCAPE.format(out=str(pid_file), linger=0))]))
    grandchild = read_pid(pid_file)
    info = wait_done(b, "escape")
    assert info.status == "Complete"
    supervisor = info.supervisor_pid
    assert supervisor is not None
    wait_until(lambda: not alive(supervisor), what="supervisor exit")
    assert not alive(grandchild)


def test_no_grandchild_is_left_once_the_status_says_complete(tmp_path: Path) -> None:
    """A user who sees `Complete` (e.g. `wait_for_job_status` returned) finds nothing of the job running."""
    b = backend(tmp_path)
    pid_file = tmp_path / "grandchild.pid"
    b.submit(LocalJobSpec(name="escape", nodes=[node("node-0", ESCAPE.format(out=str(pid_file), linger=0))]))
    grandchild = read_pid(pid_file)
    info = wait_done(b, "escape")
    assert info.status == "Complete"
    assert not alive(grandchild)  # no waiting for the supervisor: it ends the processes before it says Complete


def test_a_relative_state_dir_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`state_dir="state"` is the caller's `./state`, though the supervisor runs elsewhere."""
    monkeypatch.chdir(tmp_path)
    b = LocalProcessBackend(LocalProcessBackendConfig(state_dir=Path("state"), termination_grace_seconds=2.0))
    b.submit(LocalJobSpec(name="rel", nodes=[node("node-0", "print('hi')")]))
    assert wait_done(b, "rel").status == "Complete"
    assert (tmp_path / "state" / "rel" / "job.json").is_file()


def test_a_grandchild_in_its_own_session_dies_on_delete(tmp_path: Path) -> None:
    b = backend(tmp_path)
    pid_file = tmp_path / "grandchild.pid"
    b.submit(LocalJobSpec(name="escape", nodes=[node("node-0", ESCAPE.format(out=str(pid_file), linger=300))]))
    grandchild = read_pid(pid_file)
    assert b.cancel("escape")
    assert not alive(grandchild)


# -- 5. nodes die with their supervisor, and the status tells what happened -------------------------------------
def test_nodes_die_with_a_killed_supervisor_and_the_status_says_what_became_of_each(tmp_path: Path) -> None:
    b = backend(tmp_path)
    b.submit(
        LocalJobSpec(
            name="orphaned",
            nodes=[node("node-0", "print('done')"), node("node-1", "import time; time.sleep(300)")],
        )
    )

    def settled() -> bool:
        info = b.describe("orphaned")
        return info is not None and [n.status for n in info.nodes] == ["Succeeded", "Running"]

    wait_until(settled, what="node-0 recorded as succeeded")
    info = b.describe("orphaned")
    assert info is not None and info.supervisor_pid is not None
    runner = info.nodes[1].pid
    assert runner is not None
    os.kill(info.supervisor_pid, signal.SIGKILL)
    wait_until(lambda: not alive(runner), timeout=10, what="node-1 to die with its supervisor")
    info = wait_done(b, "orphaned")
    assert (info.status, info.reason) == ("Failed", "SupervisorLost")
    assert [n.status for n in info.nodes] == ["Succeeded", "Failed"]
    assert "node-0 had succeeded" in (info.message or "") and "node-1 was running" in (info.message or "")


# -- 6. other hosts / pid namespaces; terminal statuses are final ----------------------------------------------
def _rewrite(path: Path, **changes: object) -> None:
    record = json.loads(path.read_text())
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(record.get(key), dict):
            record[key].update(value)
        else:
            record[key] = value
    path.write_text(json.dumps(record))


def test_a_job_supervised_in_another_pid_namespace_is_never_declared_lost_here(tmp_path: Path) -> None:
    b = backend(tmp_path)
    gate = tmp_path / "gate"
    code = f"import os, time\nwhile not os.path.exists({str(gate)!r}): time.sleep(0.02)"
    b.submit(LocalJobSpec(name="elsewhere", nodes=[node("node-0", code)]))
    wait_until(lambda: b.describe("elsewhere").status == "Running")  # type: ignore[union-attr]
    record_path = tmp_path / "state" / "elsewhere" / "job.json"
    real = json.loads(record_path.read_text())["supervisor"]
    with file_lock(tmp_path / "state" / "elsewhere" / ".lock"):
        _rewrite(record_path, supervisor={"pid": 999_999, "pid_ns": 1, "boot_id": "another-boot", "host": "far"})
    info = b.describe("elsewhere")
    assert info is not None and info.status == "Running"  # not SupervisorLost: its pid means nothing here
    with pytest.raises(ConflictError, match="far") as caught:
        b.cancel("elsewhere")
    assert caught.value.reason == "RunsElsewhere"
    with file_lock(tmp_path / "state" / "elsewhere" / ".lock"):
        _rewrite(record_path, supervisor=real, deleting=False)
    gate.write_text("go")
    assert wait_done(b, "elsewhere").status == "Complete"


def test_a_terminal_status_is_never_overwritten(tmp_path: Path) -> None:
    b = backend(tmp_path)
    gate = tmp_path / "gate"
    code = f"import os, time\nwhile not os.path.exists({str(gate)!r}): time.sleep(0.02)"
    b.submit(LocalJobSpec(name="final", nodes=[node("node-0", code)]))
    wait_until(lambda: b.describe("final").status == "Running")  # type: ignore[union-attr]
    record_path = tmp_path / "state" / "final" / "job.json"
    with file_lock(tmp_path / "state" / "final" / ".lock"):
        _rewrite(record_path, status="Failed", reason="SupervisorLost", message="declared lost elsewhere")
    supervisor = b.describe("final").supervisor_pid  # type: ignore[union-attr]
    assert supervisor is not None
    gate.write_text("go")
    wait_until(lambda: not alive(supervisor), what="supervisor exit")
    info = b.describe("final")
    assert info is not None and (info.status, info.reason) == ("Failed", "SupervisorLost")


# -- 7. delete racing a re-create --------------------------------------------------------------------------------
def test_removing_an_old_generation_never_removes_the_new_job_of_that_name(tmp_path: Path) -> None:
    b = backend(tmp_path)
    b.submit(LocalJobSpec(name="same", nodes=[node("node-0", "pass")]))
    wait_done(b, "same")
    old_uid = json.loads((tmp_path / "state" / "same" / "job.json").read_text())["uid"]
    assert b.cancel("same")
    b.submit(LocalJobSpec(name="same", nodes=[node("node-0", "import time; time.sleep(300)")]))
    assert not b.state.remove("same", old_uid)  # a late deletion of the old job
    info = b.describe("same")
    assert info is not None and info.status in ("Created", "Running")
    assert b.cancel("same")


# -- 8. bounded lock waits name the holder ----------------------------------------------------------------------
def test_a_stopped_lock_holder_is_named_and_waiting_is_bounded(tmp_path: Path) -> None:
    b = backend(tmp_path, lock_timeout_seconds=0.5)
    b.state.ensure()
    ready = tmp_path / "locked"
    holder = subprocess.Popen(
        [
            PY,
            "-c",
            "import sys, time, pathlib\n"
            "from kubeflow.core.local.state import file_lock\n"
            f"with file_lock(pathlib.Path({str(tmp_path / 'state' / '.lock')!r})):\n"
            f"    pathlib.Path({str(ready)!r}).write_text('1')\n"
            "    time.sleep(300)\n",
        ]
    )
    try:
        wait_until(ready.exists, what="the holder to take the lock")
        os.kill(holder.pid, signal.SIGSTOP)
        with pytest.raises(OperationTimeoutError, match=f"process {holder.pid}") as caught:
            b.submit(LocalJobSpec(name="blocked", nodes=[node("node-0", "pass")]))
        assert caught.value.reason == "LockTimeout"
        assert b.describe("blocked") is None
    finally:
        holder.kill()
        holder.wait()


# -- 10. following logs: linear, bounded, no stray threads ------------------------------------------------------
def test_following_a_huge_line_and_carriage_return_output_uses_bounded_memory(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    with open(log, "wb") as handle:
        handle.write(b"x" * (12 * MAX_LINE_BYTES) + b"\n")
        handle.write(b"".join(b"\r%d%% |#####     |" % i for i in range(200_000)) + b"\n")
        handle.write(b"end")
    tracemalloc.start()
    try:
        total = 0
        lines = 0
        for line in follow_lines(log, lambda: True):
            total += len(line)
            lines += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == log.stat().st_size - 2  # every byte but the two line feeds
    assert peak < 6 * MAX_LINE_BYTES, peak
    assert lines >= 12


def test_step_all_follow_starts_no_threads_and_reads_nothing_ahead(tmp_path: Path) -> None:
    b = backend(tmp_path)
    writer = "import sys\nfor i in range(200_000): sys.stdout.write('x' * 200 + '\\n')\n"
    b.submit(LocalJobSpec(name="chatty", nodes=[node("node-0", writer), node("node-1", writer)]))
    threads = threading.active_count()
    tracemalloc.start()
    try:
        stream = b.log_iter_many("chatty", ["node-0", "node-1"], follow=True)
        first = [next(stream) for _ in range(10)]
        assert threading.active_count() <= threads
        wait_done(b, "chatty")  # 80 MB written while the consumer sits still
        more = [next(stream) for _ in range(10)]
        _, peak = tracemalloc.get_traced_memory()
        stream.close()
    finally:
        tracemalloc.stop()
    assert {name for name, _ in first + more} <= {"node-0", "node-1"}
    assert peak < 8 * 2**20, peak  # nothing buffered ahead of the consumer
    del stream
    gc.collect()
    assert threading.active_count() <= threads


# -- 11. retention -----------------------------------------------------------------------------------------------
def test_finished_jobs_past_the_max_count_are_pruned_and_running_ones_kept(tmp_path: Path) -> None:
    b = backend(tmp_path, max_finished_jobs=2)
    for index in range(4):
        b.submit(LocalJobSpec(name=f"done-{index}", nodes=[node("node-0", "pass")]))
        wait_done(b, f"done-{index}")
    b.submit(LocalJobSpec(name="running", nodes=[node("node-0", "import time; time.sleep(300)")]))
    assert (tmp_path / "state" / "done-0").exists()  # the first pass ran before these finished
    removed = b.prune_finished()
    assert sorted(removed) == ["done-0", "done-1"]
    assert sorted(info.name for info in b.list()) == ["done-2", "done-3", "running"]
    b.cancel("running")


def test_a_finished_job_held_by_a_live_owner_is_never_pruned(tmp_path: Path) -> None:
    """A Katib trial's job stays while its driver (the holder of the lock named in `held-by`) still needs it."""
    import fcntl

    from kubeflow.core.local import retention

    b = backend(tmp_path, max_finished_jobs=0)
    b.submit(LocalJobSpec(name="trial-0", nodes=[node("node-0", "pass")]))
    wait_done(b, "trial-0")
    owner = tmp_path / "state" / ".owner.lock"
    fd = os.open(owner, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    retention.hold(b.job_dir("trial-0"), owner)
    try:
        assert b.prune_finished() == []
        assert [info.name for info in b.list()] == ["trial-0"]
    finally:
        os.close(fd)  # the owner is gone: the job is an ordinary finished job again
    assert b.prune_finished() == ["trial-0"]


def test_prune_command_applies_a_ttl(tmp_path: Path) -> None:
    b = backend(tmp_path)
    b.submit(LocalJobSpec(name="old", nodes=[node("node-0", "pass")]))
    wait_done(b, "old")
    with file_lock(tmp_path / "state" / "old" / ".lock"):
        _rewrite(tmp_path / "state" / "old" / "job.json", finished="2000-01-01T00:00:00+00:00")
    b.submit(LocalJobSpec(name="new", nodes=[node("node-0", "pass")]))
    wait_done(b, "new")
    env = {**os.environ, "KUBEFLOW_LOCAL_STATE_DIR": str(tmp_path / "state")}
    dry = subprocess.run(
        [PY, "-m", "kubeflow.core.local", "prune", "--ttl", "86400", "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "would remove old" in dry.stdout and (tmp_path / "state" / "old").exists()
    subprocess.run([PY, "-m", "kubeflow.core.local", "prune", "--ttl", "86400"], env=env, check=True)
    assert [info.name for info in b.list()] == ["new"]
    with pytest.raises(NotFoundError):
        b.log_tail("old", "node-0")
