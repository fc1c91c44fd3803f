"""The env cache across processes: concurrent builds of one key, and builds killed half way."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from kubeflow.core.local.envs import EnvCache, EnvSpec


def _wheelhouse() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "envs_wheelhouse", Path(__file__).with_name("test_envs_wheelhouse.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wh = _wheelhouse()

RESOLVE = """
import sys
from pathlib import Path
from kubeflow.core.local.envs import EnvCache, EnvSpec
print(EnvCache(Path(sys.argv[1]), uv_bin=sys.argv[2]).resolve(EnvSpec(packages=["alpha"])).model_dump_json())
"""
DEADLINE_SECONDS = 120.0


def wait_for(condition: Callable[[], bool], what: str, *, required: bool = True) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() >= deadline:
            assert not required, f"timed out waiting for {what}"
            return
        time.sleep(0.02)


def start_resolve(root: Path, uv: Path, environ: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RESOLVE, str(root), str(uv)],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def blocked_on_flock(pids: set[int]) -> bool:
    """Whether one of `pids` waits for an flock (Linux /proc/locks lists waiters with `->`)."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and "FLOCK" in fields and int(fields[fields.index("->") + 4]) in pids:
            return True
    return False


def test_two_processes_resolving_one_spec_build_it_once(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wh.make_wheel(wheels, "alpha", "1.0", value="alpha-1")
    uv, log = wh.uv_wrapper(tmp_path / "bin")
    gate = tmp_path / "go"
    # Hold the first build inside uv until the second process is seen waiting for the lock.
    uv.write_text(uv.read_text().replace("exec ", f'while [ ! -e "{gate}" ]; do sleep 0.02; done\nexec ', 1))
    environ = wh.offline_environ(wheels)
    first = start_resolve(tmp_path / "cache", uv, environ)
    second = start_resolve(tmp_path / "cache", uv, environ)
    try:
        wait_for(lambda: wh.calls(log) >= 1, "a build to start")
        if Path("/proc/locks").exists():  # makes the overlap certain; the assertions hold either way
            wait_for(
                lambda: blocked_on_flock({first.pid, second.pid}) or wh.calls(log) > 1,
                "the other process to wait for the lock",
                required=False,
            )
        gate.touch()
        outputs = [process.communicate(timeout=DEADLINE_SECONDS) for process in (first, second)]
    finally:
        for process in (first, second):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    envs = [json.loads(stdout) for stdout, _ in outputs]
    assert wh.calls(log) == 1
    assert sorted(env["reused"] for env in envs) == [False, True]
    assert envs[0]["pythonpath"] == envs[1]["pythonpath"]
    assert len(EnvCache(tmp_path / "cache").entries()) == 1


def test_a_killed_build_leaves_no_environment(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wh.make_wheel(wheels, "alpha", "1.0", value="alpha-1")
    hanging_uv, log = wh.uv_wrapper(tmp_path / "hang", hang=True)
    environ = wh.offline_environ(wheels)
    root = tmp_path / "cache"
    key = EnvCache(root).key_for(EnvSpec(packages=["alpha"]), environ)

    process = start_resolve(root, hanging_uv, environ)
    try:
        wait_for(lambda: wh.calls(log) >= 1, "the build to reach uv")
        assert list((root / "envs").glob(f".tmp-{key}-*"))  # the build was under way
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()

    cache = EnvCache(root)
    assert cache.entries() == [] and not (root / "envs" / key).exists()
    env = cache.resolve(EnvSpec(packages=["alpha"]), environ)  # the lock died with the killed process
    assert not env.reused and env.key == key
    assert not list((root / "envs").glob(".tmp-*"))
    completed = subprocess.run(
        [env.python, "-c", "import alpha; print(alpha.VALUE)"],
        env=env.apply(os.environ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.strip() == "alpha-1"


def test_leftovers_of_killed_builds_are_swept_by_clear(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wh.make_wheel(wheels, "alpha", "1.0")
    hanging_uv, log = wh.uv_wrapper(tmp_path / "hang", hang=True)
    environ = wh.offline_environ(wheels)
    root = tmp_path / "cache"
    process = start_resolve(root, hanging_uv, environ)
    try:
        wait_for(lambda: wh.calls(log) >= 1, "the build to reach uv")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    assert list((root / "envs").glob(".tmp-*"))
    EnvCache(root).clear()
    assert list((root / "envs").iterdir()) == []
