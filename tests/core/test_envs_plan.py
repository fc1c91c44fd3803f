from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kubeflow.core.errors import BackendUnavailableError, InvalidInputError
from kubeflow.core.local.envs import EnvCache, EnvSpec, PythonEnv
from kubeflow.core.local.envs.plan import make_plan, resolve_sources
from kubeflow.core.local.envs.uv import find_uv, install_argv, install_env, uv_environ

# No pip configuration files: the machine's /etc/pip.conf must not leak into these tests.
CLEAN: dict[str, str] = {"PATH": os.environ.get("PATH", ""), "HOME": "/home/someone", "PIP_CONFIG_FILE": os.devnull}


def key(spec: EnvSpec, environ: dict[str, str] | None = None) -> str:
    return make_plan(spec, CLEAN if environ is None else environ).key


def test_key_is_stable_across_spellings_and_order() -> None:
    first = key(EnvSpec(packages=["Torch>=2.3", "numpy < 2, >=1.26", "Foo_Bar[B,a]"]))
    second = key(EnvSpec(packages=["foo-bar[a,b]", "numpy>=1.26,<2", "torch >= 2.3", "torch>=2.3"]))
    assert first == second
    assert len(first) == 32 and int(first, 16) >= 0


@pytest.mark.parametrize(
    "other",
    [
        EnvSpec(packages=["torch>=2.4"]),
        EnvSpec(packages=["torch>=2.3", "numpy"]),
        EnvSpec(packages=["torch[opt]>=2.3"]),
        EnvSpec(packages=["torch>=2.3"], index_urls=["https://download.pytorch.org/whl/cpu"]),
        EnvSpec(packages=["torch>=2.3"], find_links=["/opt/wheels"]),
        EnvSpec(packages=["torch>=2.3"], no_index=True),
    ],
)
def test_key_changes_with_what_gets_installed(other: EnvSpec) -> None:
    assert key(other) != key(EnvSpec(packages=["torch>=2.3"]))


def test_key_changes_with_pip_environment_and_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = EnvSpec(packages=["torch"])
    base = key(spec)
    assert key(spec, {**CLEAN, "PIP_INDEX_URL": "https://mirror/simple"}) != base
    assert key(spec, {**CLEAN, "PIP_EXTRA_INDEX_URL": "https://extra/simple"}) != base
    assert key(spec, {**CLEAN, "PIP_FIND_LINKS": "/opt/wheels"}) != base
    # Settings that do not change what gets installed do not change the key.
    assert key(spec, {**CLEAN, "PIP_DEFAULT_TIMEOUT": "180", "HOME": "/elsewhere"}) == base
    monkeypatch.setattr(sys, "executable", "/other/python3")
    assert key(spec) != base


def test_credentials_do_not_change_the_key() -> None:
    spec_a = EnvSpec(packages=["pkg"], index_urls=["https://alice:one@idx.example/simple"])
    spec_b = EnvSpec(packages=["pkg"], index_urls=["https://bob:two@idx.example/simple"])
    assert key(spec_a) == key(spec_b)


def test_cache_key_for_is_pure(tmp_path: Path) -> None:
    cache = EnvCache(tmp_path / "cache")
    assert cache.key_for(EnvSpec(packages=["pkg"]), CLEAN) == key(EnvSpec(packages=["pkg"]))
    assert not (tmp_path / "cache").exists()


def test_pip_environment_is_mapped_to_sources() -> None:
    environ = {
        "PIP_INDEX_URL": "https://mirror/simple",
        "PIP_EXTRA_INDEX_URL": "https://extra1/simple  https://extra2/simple",
        "PIP_FIND_LINKS": "/opt/wheels /srv/wheels",
        "PIP_TRUSTED_HOST": "mirror",
        "PIP_CONFIG_FILE": os.devnull,
    }
    sources = resolve_sources(EnvSpec(packages=["x"]), environ)
    assert sources.index_url == "https://mirror/simple"
    assert sources.extra_index_urls == ("https://extra1/simple", "https://extra2/simple")
    assert sources.find_links == ("/opt/wheels", "/srv/wheels")
    assert sources.trusted_hosts == ("mirror",)
    assert not sources.no_index
    assert resolve_sources(EnvSpec(), {**CLEAN, "PIP_NO_INDEX": "yes"}).no_index
    assert not resolve_sources(EnvSpec(), {**CLEAN, "PIP_NO_INDEX": "0"}).no_index


def test_job_index_urls_win_over_pip_environment() -> None:
    environ = {**CLEAN, "PIP_INDEX_URL": "https://mirror/simple", "PIP_EXTRA_INDEX_URL": "https://extra/simple"}
    one = resolve_sources(EnvSpec(index_urls=["https://job/simple"]), environ)
    assert one.index_url == "https://job/simple"
    assert one.extra_index_urls == ("https://extra/simple",)  # pip: the job did not set extra index URLs
    two = resolve_sources(EnvSpec(index_urls=["https://job/simple", "https://job-extra/simple"]), environ)
    assert two.index_url == "https://job/simple"
    assert two.extra_index_urls == ("https://job-extra/simple",)
    links = resolve_sources(EnvSpec(find_links=["/job/wheels"]), {**CLEAN, "PIP_FIND_LINKS": "/opt/wheels"})
    assert links.find_links == ("/job/wheels", "/opt/wheels")


def test_install_argv_is_a_list_with_requirements_after_double_dash(tmp_path: Path) -> None:
    spec = EnvSpec(
        packages=["Torch>=2", "numpy"],
        index_urls=["https://u:p@idx/simple", "https://download.pytorch.org/whl/cpu"],
        find_links=["/opt/wheels"],
        no_index=False,
    )
    plan = make_plan(spec, {**CLEAN, "PIP_TRUSTED_HOST": "idx", "PIP_CERT": "/etc/ssl/corp.pem"})
    argv = install_argv("/bin/uv", plan, tmp_path / "site")
    assert argv[:7] == ["/bin/uv", "pip", "install", "--target", str(tmp_path / "site"), "--python", sys.executable]
    # Package sources reach uv through its environment: a command line is readable by every local user.
    assert "--index-url" not in argv and "--extra-index-url" not in argv and "--find-links" not in argv
    assert not any("u:p@" in arg for arg in argv)
    assert install_env(plan) == {
        "UV_INDEX_URL": "https://u:p@idx/simple",  # uv needs the real credentials
        "UV_EXTRA_INDEX_URL": "https://download.pytorch.org/whl/cpu",
        "UV_FIND_LINKS": "/opt/wheels",
    }
    assert argv[argv.index("--index-strategy") + 1] == "unsafe-best-match"
    assert argv[argv.index("--allow-insecure-host") + 1] == "idx"
    assert "--no-config" in argv and "--no-index" not in argv
    assert argv[argv.index("--") + 1 :] == ["numpy", "torch>=2"]
    assert plan.sources.cert == "/etc/ssl/corp.pem"
    no_index = install_argv("/bin/uv", make_plan(EnvSpec(packages=["x"], no_index=True), CLEAN), tmp_path)
    assert "--no-index" in no_index and "--index-url" not in no_index and "--index-strategy" not in no_index


def test_uv_environment_keeps_cache_dir_and_drops_resolution_settings() -> None:
    environ = {
        "PATH": "/usr/bin",
        "UV_CACHE_DIR": "/my/uv-cache",
        "UV_INDEX_URL": "https://sneaky/simple",
        "UV_CONSTRAINT": "/tmp/c.txt",
    }
    result = uv_environ(environ, cert="/etc/ssl/corp.pem")
    assert result["UV_CACHE_DIR"] == "/my/uv-cache"
    assert "UV_INDEX_URL" not in result and "UV_CONSTRAINT" not in result
    assert result["SSL_CERT_FILE"] == "/etc/ssl/corp.pem"
    assert "UV_CACHE_DIR" not in uv_environ({"PATH": "/usr/bin"})
    assert uv_environ({"SSL_CERT_FILE": "/b.pem"}, cert="/a.pem")["SSL_CERT_FILE"] == "/b.pem"


def test_bad_sources_are_rejected_before_anything_is_written(tmp_path: Path) -> None:
    cache = EnvCache(tmp_path / "cache")
    with pytest.raises(InvalidInputError) as raised:
        cache.resolve(EnvSpec(packages=["x"], index_urls=["--extra-index-url=https://evil"]), CLEAN)
    assert raised.value.field == "pip_index_urls"
    with pytest.raises(InvalidInputError) as raised:
        cache.resolve(EnvSpec(packages=["x"]), {**CLEAN, "PIP_FIND_LINKS": "-r /etc/passwd"})
    assert raised.value.field == "find_links"
    assert not (tmp_path / "cache").exists()


def test_missing_uv_names_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uv

    def not_found() -> str:
        raise FileNotFoundError("no uv")

    monkeypatch.setattr(uv, "find_uv_bin", not_found)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackendUnavailableError) as raised:
        find_uv()
    assert 'pip install "kubeflow-core[local]"' in str(raised.value)
    with pytest.raises(BackendUnavailableError):
        find_uv(str(tmp_path / "nope"))


def test_python_env_apply_prepends_without_mutating() -> None:
    env = PythonEnv(python="/py", pythonpath=["/o/site"], bin_dirs=["/o/site/bin"], key="k", reused=True)
    base = {"PYTHONPATH": "/mine", "PATH": "/usr/bin", "OTHER": "1"}
    applied = env.apply(base)
    assert applied["PYTHONPATH"] == os.pathsep.join(["/o/site", "/mine"])
    assert applied["PATH"] == os.pathsep.join(["/o/site/bin", "/usr/bin"])
    assert applied["OTHER"] == "1" and base["PYTHONPATH"] == "/mine"
    assert env.apply({})["PYTHONPATH"] == "/o/site"
    assert PythonEnv(python="/py").apply(base) == base
