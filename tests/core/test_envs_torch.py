"""The real CPU torch wheel (from $PIP_FIND_LINKS) in an overlay, and a caller that has torch.

What this proves beyond the tiny-wheel tests: a large native wheel (shared libraries found through relative paths)
works from a `--target` overlay on PYTHONPATH, and a caller's real torch (metadata with a local version `+cpu` and
extra-gated dependencies) is used as is by a later overlay, never installed again. torch's pure-Python dependencies
are stood in for by tiny local wheels, so nothing comes from a package index.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

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
TORCH_WHEELS = sorted(Path(os.environ.get("PIP_FIND_LINKS", "/opt/wheels")).glob("torch-*+cpu-*.whl"))
# torch's dependencies that `import torch` does not load; stand-ins satisfying the wheel's requirements.
STAND_INS = {
    "filelock": "3.20",
    "sympy": "1.14",
    "networkx": "3.5",
    "jinja2": "3.1.6",
    "fsspec": "2025.9",
    "setuptools": "80.9",
}

CALLER_RESOLVES = """
import os, sys
from pathlib import Path
from kubeflow.core.local.envs import EnvCache, EnvSpec
spec = EnvSpec(packages=["needs-torch", "torch"], find_links=[sys.argv[2]], no_index=True)
environ = {"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": os.devnull}
print(EnvCache(Path(sys.argv[1])).resolve(spec, environ).model_dump_json())
"""


@pytest.mark.skipif(not TORCH_WHEELS, reason="no CPU torch wheel in $PIP_FIND_LINKS")
def test_real_torch_overlay_and_a_caller_with_torch(tmp_path: Path) -> None:
    stand_ins = tmp_path / "stand-ins"
    for name, version in STAND_INS.items():
        wh.make_wheel(stand_ins, name, version)
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), "PIP_NO_INDEX": "1"}
    environ["PIP_CONFIG_FILE"] = os.devnull
    environ["PIP_FIND_LINKS"] = f"{stand_ins} {TORCH_WHEELS[-1].parent}"
    for name in ("UV_CACHE_DIR", "SSL_CERT_FILE"):
        if name in os.environ:
            environ[name] = os.environ[name]

    torch_env = EnvCache(tmp_path / "cache").resolve(EnvSpec(packages=["torch"]), environ)
    job = "import torch; print(torch.__version__, torch.ones(3).sum().item())"
    completed = subprocess.run(
        [torch_env.python, "-W", "ignore", "-c", job],
        env=torch_env.apply(os.environ),
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.split() == [TORCH_WHEELS[-1].name.split("-")[1], "3.0"]

    # A caller that has torch (this overlay on its path) asks for a package depending on torch; only that package's
    # wheel is reachable, so any attempt to install torch again would fail.
    only_needs_torch = tmp_path / "needs-torch"
    wh.make_wheel(only_needs_torch, "needs-torch", "1.0", requires=("torch>=2", "typing-extensions>=4.10"))
    caller = subprocess.run(
        [sys.executable, "-c", CALLER_RESOLVES, str(tmp_path / "cache2"), str(only_needs_torch)],
        env=torch_env.apply(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert caller.returncode == 0, caller.stderr
    overlay = json.loads(caller.stdout)
    [site] = overlay["pythonpath"]
    assert sorted(path.name for path in Path(site).iterdir() if not path.name.startswith(".")) == [
        "needs_torch",
        "needs_torch-1.0.dist-info",
    ]
    manifest = json.loads((Path(site).parent / "env.json").read_text())
    assert manifest["relied_on"]["torch"] == TORCH_WHEELS[-1].name.split("-")[1]
