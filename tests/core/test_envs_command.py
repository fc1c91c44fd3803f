"""`python -m kubeflow.core.local.envs list|clear`: a user can see and empty the environment cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import test_envs_wheelhouse as wh

from kubeflow.core.local.envs import EnvCache, EnvSpec


def run(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "kubeflow.core.local.envs", *args], capture_output=True, text=True, check=True
    ).stdout


def test_list_then_clear(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wh.make_wheel(wheels, "tiny-thing", "1.0")
    cache = EnvCache(tmp_path / "cache")
    env = cache.resolve(EnvSpec(packages=["tiny-thing"]), wh.offline_environ(wheels))
    assert env.key is not None

    listing = run("list", "--dir", str(tmp_path / "cache"))
    assert env.key in listing and "tiny-thing" in listing

    assert run("clear", "--dir", str(tmp_path / "cache")).startswith("freed ")
    assert cache.entries() == []
    assert run("list", "--dir", str(tmp_path / "cache")) == ""
