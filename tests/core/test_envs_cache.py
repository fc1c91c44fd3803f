"""The env cache with real uv and real (tiny, locally built) wheels; no package index is contacted."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kubeflow.core.errors import EnvironmentBuildError, InvalidInputError
from kubeflow.core.local.envs import EnvCache, EnvSpec, PythonEnv


def _wheelhouse() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "envs_wheelhouse", Path(__file__).with_name("test_envs_wheelhouse.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wh = _wheelhouse()


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    wh.make_wheel(directory, "alpha", "1.0", value="alpha-1")
    wh.make_wheel(directory, "beta", "1.0", value="beta-1")
    wh.make_wheel(directory, "gamma", "1.0", value="gamma-1")
    wh.make_wheel(directory, "needs-pydantic", "1.0", requires=("pydantic>=2",))
    wh.make_wheel(directory, "iniconfig", "99.0", value="overlay-iniconfig")
    wh.make_wheel(directory, "tool", "1.0", value="tool-ran", script="kf-test-tool")
    return directory


@pytest.fixture
def environ(wheels: Path) -> dict[str, str]:
    return wh.offline_environ(wheels)


def run_job(env: PythonEnv, code: str) -> str:
    completed = subprocess.run(
        [env.python, "-c", code], env=env.apply(os.environ), capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


def dist_infos(site: str) -> list[str]:
    return sorted(path.name for path in Path(site).glob("*.dist-info"))


def test_build_then_reuse_without_invoking_uv(tmp_path: Path, environ: dict[str, str]) -> None:
    uv, log = wh.uv_wrapper(tmp_path / "bin")
    cache = EnvCache(tmp_path / "cache", uv_bin=str(uv))
    spec = EnvSpec(packages=["Alpha"])

    built = cache.resolve(spec, environ)
    assert not built.reused and built.key == cache.key_for(spec, environ)
    assert wh.calls(log) == 1
    assert run_job(built, "import alpha; print(alpha.VALUE)") == "alpha-1"

    again = cache.resolve(EnvSpec(packages=["alpha "]), environ)
    other_process = EnvCache(tmp_path / "cache", uv_bin=str(uv)).resolve(spec, environ)
    assert again.reused and other_process.reused
    assert again.pythonpath == built.pythonpath == other_process.pythonpath
    assert wh.calls(log) == 1

    [entry] = cache.entries()
    assert entry.key == built.key and entry.requirements == ["alpha"] and entry.no_index
    assert entry.size_bytes > 0 and entry.last_used > entry.created
    manifest = json.loads((Path(entry.path) / "env.json").read_text())
    assert {"requirements", "key", "created", "size_bytes", "last_used"} <= manifest.keys()


def test_job_without_packages_runs_in_the_callers_environment(tmp_path: Path, environ: dict[str, str]) -> None:
    uv, log = wh.uv_wrapper(tmp_path / "bin")
    cache = EnvCache(tmp_path / "cache", uv_bin=str(uv))
    env = cache.resolve(EnvSpec(index_urls=["https://example.invalid/simple"]), environ)
    assert env.pythonpath == [] and env.key is None and not env.reused
    assert run_job(env, "import pydantic; print(pydantic.VERSION)")
    assert wh.calls(log) == 0 and not (tmp_path / "cache").exists()


def test_callers_packages_are_not_reinstalled(tmp_path: Path, environ: dict[str, str]) -> None:
    """`needs-pydantic` needs pydantic, which the caller has; with no index, uv could not install it anyway."""
    cache = EnvCache(tmp_path / "cache")
    env = cache.resolve(EnvSpec(packages=["needs-pydantic", "pydantic>=2"]), environ)
    [site] = env.pythonpath
    assert dist_infos(site) == ["needs_pydantic-1.0.dist-info"]
    assert not (Path(site) / "pydantic").exists()
    where = run_job(env, "import needs_pydantic, pydantic; print(pydantic.__file__)")
    assert not where.startswith(site)
    [entry] = cache.entries()
    manifest = json.loads((Path(entry.path) / "env.json").read_text())
    assert "pydantic" in manifest["relied_on"] and "pydantic-core" in manifest["relied_on"]


def test_overlay_wins_over_a_conflicting_caller_version(tmp_path: Path, environ: dict[str, str]) -> None:
    """The caller has iniconfig 2.x (a pytest dependency); the job asks for 99.0, which must shadow it."""
    env = EnvCache(tmp_path / "cache").resolve(EnvSpec(packages=["iniconfig>=99"]), environ)
    [site] = env.pythonpath
    assert dist_infos(site) == ["iniconfig-99.0.dist-info"]
    assert (Path(site) / "iniconfig-99.0.dist-info" / "RECORD").is_file()  # a real install, not a caller stub
    assert run_job(env, "import iniconfig; print(iniconfig.VALUE)") == "overlay-iniconfig"


def test_console_scripts_are_put_on_path(tmp_path: Path, environ: dict[str, str]) -> None:
    env = EnvCache(tmp_path / "cache").resolve(EnvSpec(packages=["tool"]), environ)
    assert env.bin_dirs and Path(env.bin_dirs[0], "kf-test-tool").exists()
    completed = subprocess.run(["kf-test-tool"], env=env.apply(os.environ), capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "tool-ran"


def test_install_failure_raises_and_leaves_nothing(tmp_path: Path, environ: dict[str, str]) -> None:
    cache = EnvCache(tmp_path / "cache")
    spec = EnvSpec(packages=["alpha", "no-such-package-kf==1.0"], index_urls=["https://user:s3cret@idx.invalid/simple"])
    with pytest.raises(EnvironmentBuildError) as raised:
        cache.resolve(spec, environ)
    error = raised.value
    assert error.packages == ["alpha", "no-such-package-kf==1.0"]
    assert any("no-such-package-kf" in line for line in error.log_tail)
    assert "s3cret" not in str(error)
    assert cache.entries() == []
    assert [path.name for path in (tmp_path / "cache" / "envs").iterdir()] == []


def test_credentials_are_masked_in_the_manifest(tmp_path: Path, environ: dict[str, str]) -> None:
    cache = EnvCache(tmp_path / "cache")
    spec = EnvSpec(packages=["alpha"], index_urls=["https://user:s3cret@idx.invalid/simple"])
    env = cache.resolve(spec, environ)
    text = (Path(env.pythonpath[0]).parent / "env.json").read_text()
    assert "s3cret" not in text and "https://***@idx.invalid/simple" in text


def test_bad_requirement_raises_before_anything_is_written(tmp_path: Path, environ: dict[str, str]) -> None:
    uv, log = wh.uv_wrapper(tmp_path / "bin")
    cache = EnvCache(tmp_path / "cache", uv_bin=str(uv))
    for bad in ["alpha\n--index-url=https://evil", "--no-deps", "", "alpha>>1"]:
        with pytest.raises(InvalidInputError) as raised:
            cache.resolve(EnvSpec(packages=["beta", bad]), environ)
        assert raised.value.field == "packages_to_install"
        with pytest.raises(InvalidInputError), cache.use(EnvSpec(packages=[bad]), environ):
            pass
    assert not (tmp_path / "cache").exists() and wh.calls(log) == 0


def test_changed_caller_dependency_triggers_a_rebuild(tmp_path: Path, environ: dict[str, str]) -> None:
    uv, log = wh.uv_wrapper(tmp_path / "bin")
    cache = EnvCache(tmp_path / "cache", uv_bin=str(uv))
    spec = EnvSpec(packages=["needs-pydantic"])
    first = cache.resolve(spec, environ)
    manifest_path = Path(first.pythonpath[0]).parent / "env.json"
    manifest = json.loads(manifest_path.read_text())
    recorded = manifest["relied_on"]["pydantic"]
    manifest["relied_on"]["pydantic"] = "0.0.1"  # as if the caller had another pydantic when it was built
    manifest_path.write_text(json.dumps(manifest))

    rebuilt = cache.resolve(spec, environ)
    assert not rebuilt.reused and rebuilt.key == first.key and wh.calls(log) == 2
    assert json.loads(manifest_path.read_text())["relied_on"]["pydantic"] == recorded
    assert cache.resolve(spec, environ).reused and wh.calls(log) == 2
    assert [path.name for path in (tmp_path / "cache" / "envs").iterdir()] == [first.key]


def test_prune_removes_least_recently_used_first_and_spares_entries_in_use(
    tmp_path: Path, environ: dict[str, str]
) -> None:
    cache = EnvCache(tmp_path / "cache")
    alpha, beta, gamma = (EnvSpec(packages=[name]) for name in ("alpha", "beta", "gamma"))
    for spec in (alpha, beta, gamma):
        cache.resolve(spec, environ)
    assert cache.resolve(alpha, environ).reused  # beta is now the least recently used
    sizes = {entry.key: entry.size_bytes for entry in cache.entries()}
    assert cache.prune() == 0  # within the default bound

    cache.max_bytes = sum(sizes.values()) - 1
    assert cache.prune() == sizes[cache.key_for(beta, environ)]
    assert {entry.key for entry in cache.entries()} == {cache.key_for(alpha, environ), cache.key_for(gamma, environ)}

    cache.max_bytes = 0
    with cache.use(alpha, environ) as env:
        assert env.reused
        cache.prune()
        assert [entry.key for entry in cache.entries()] == [env.key]
        assert cache.clear() == 0
        assert run_job(env, "import alpha; print(alpha.VALUE)") == "alpha-1"
    assert cache.clear() == sizes[cache.key_for(alpha, environ)]
    assert cache.entries() == []


def test_each_build_prunes_to_the_bound_but_keeps_the_new_entry(tmp_path: Path, environ: dict[str, str]) -> None:
    cache = EnvCache(tmp_path / "cache", max_bytes=0)
    first = cache.resolve(EnvSpec(packages=["alpha"]), environ)
    assert [entry.key for entry in cache.entries()] == [first.key]
    second = cache.resolve(EnvSpec(packages=["beta"]), environ)
    assert [entry.key for entry in cache.entries()] == [second.key]
    assert not Path(first.pythonpath[0]).exists()


def test_a_job_process_holding_the_entry_keeps_it_from_pruning(tmp_path: Path, environ: dict[str, str]) -> None:
    cache = EnvCache(tmp_path / "cache", max_bytes=0)
    spec = EnvSpec(packages=["alpha"])
    lock = cache.hold(cache.key_for(spec, environ))
    env = cache.resolve(spec, environ)
    gate = tmp_path / "gate"
    wait_for_gate = f"import os, time\nwhile not os.path.exists({str(gate)!r}): time.sleep(0.02)"
    job = subprocess.Popen([env.python, "-c", wait_for_gate], env=env.apply(os.environ), pass_fds=[lock.fileno()])
    try:
        lock.release()  # the job process still holds the inherited lock
        assert cache.clear() == 0 and cache.prune() == 0
        assert [entry.key for entry in cache.entries()] == [env.key]
    finally:
        gate.touch()
        job.wait(timeout=60)
    assert cache.clear() > 0 and cache.entries() == []
    with pytest.raises(RuntimeError):
        lock.fileno()


def test_a_build_tells_what_it_is_doing_through_logging(
    tmp_path: Path, environ: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="kubeflow.core.local.envs")
    cache = EnvCache(tmp_path / "cache")
    cache.resolve(EnvSpec(packages=["alpha", "beta"]), environ)
    built = [record.kubeflow_progress for record in caplog.records]  # type: ignore[attr-defined]
    assert [item["phase"] for item in built] == ["resolving", "downloading", "installing", "ready"]
    assert [item["packages"] for item in built] == [2, 2, 2, 2]
    assert len({item["env"] for item in built}) == 1
    assert "ready: 2 packages installed" in caplog.records[-1].getMessage()
    caplog.clear()
    cache.resolve(EnvSpec(packages=["beta", "alpha"]), environ)
    assert [record.kubeflow_progress["phase"] for record in caplog.records] == ["cached"]  # type: ignore[attr-defined]
    assert "reused from the cache" in caplog.records[0].getMessage()


def test_a_program_without_logging_setup_still_sees_its_build_on_stderr(
    tmp_path: Path, environ: dict[str, str]
) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kubeflow.core.local.envs import EnvCache, EnvSpec\n"
        f"EnvCache(Path({str(tmp_path / 'cache')!r})).resolve(EnvSpec(packages=['gamma']), dict({environ!r}))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = completed.stderr.splitlines()
    assert lines[0].startswith("kubeflow: Building job environment ") and lines[0].endswith("resolving gamma")
    assert lines[-1].startswith("kubeflow: Job environment ") and "ready: 1 package installed" in lines[-1]
    assert completed.stdout == ""
