"""Ship what we test: build every distribution, install the wheels in fresh environments, import them.

Three environments, as users install: `kubeflow-trainer` alone, `kubeflow-katib` alone (pulls trainer and core
through its dependency edges), and the meta-package's `kubeflow[all]`. Each imports with `python -I`, so nothing
from this checkout can leak in. A namespace `kubeflow/__init__.py` in any wheel, or a missing dependency edge,
fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from repo import PACKAGES, ROOT

pytestmark = pytest.mark.timeout(600)


def _uv() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    _run(_uv(), "build", "--all-packages", "--wheel", "--out-dir", out, cwd=ROOT)
    return out


def _wheel(wheelhouse: Path, dist: str, extras: str = "") -> str:
    """A direct reference to our own wheel: PyPI has unrelated, older `kubeflow` and `kubeflow-katib` releases."""
    (path,) = wheelhouse.glob(f"{dist.replace('-', '_')}-*.whl")
    return f"{dist}{extras} @ {path.as_uri()}"


def _venv_with(tmp: Path, wheelhouse: Path, *requirements: str) -> Path:
    venv = tmp / "venv"
    _run(_uv(), "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    _run(_uv(), "pip", "install", "--quiet", "--python", python, "--find-links", wheelhouse, *requirements)
    return python


def test_every_wheel_is_built_and_none_owns_the_namespace(wheelhouse: Path) -> None:
    wheels = {path.name.split("-")[0].replace("_", "-"): path for path in wheelhouse.glob("*.whl")}
    assert set(wheels) == {*PACKAGES, "kubeflow"}
    for dist, path in wheels.items():
        names = zipfile.ZipFile(path).namelist()
        assert "kubeflow/__init__.py" not in names, f"{path.name} would break the kubeflow namespace"
        code = [n for n in names if n.startswith("kubeflow/")]
        if dist == "kubeflow":
            assert code == [], f"the meta-package ships no code, found {code}"
        else:
            assert f"kubeflow/{PACKAGES[dist]}/py.typed" in names, f"{path.name} lacks py.typed"


def test_trainer_alone(wheelhouse: Path, tmp_path: Path) -> None:
    python = _venv_with(tmp_path, wheelhouse, _wheel(wheelhouse, "kubeflow-trainer"))
    code = (
        "import importlib.util, sys\n"
        "import kubeflow.core, kubeflow.trainer\n"
        "from kubeflow.trainer import TrainerClient, CustomTrainer, LocalProcessBackendConfig\n"
        "def f(x): print(x)\n"
        "CustomTrainer(func=f, func_args={'x': 1})\n"
        "assert importlib.util.find_spec('kubeflow.katib') is None, 'katib must be absent'\n"
        "assert 'kubernetes' not in sys.modules\n"
        "print(kubeflow.trainer.__version__)\n"
    )
    assert _run(python, "-I", "-c", code).strip() == "2026.12.0"
    # The console script is there (kubeflow-core has it), and without the `cli` extra it says what to install.
    bare = subprocess.run([python.parent / "kubeflow", "--help"], capture_output=True, text=True, check=False)
    assert bare.returncode == 1 and 'pip install "kubeflow[cli]"' in bare.stderr, bare


def test_katib_alone_brings_trainer_and_core(wheelhouse: Path, tmp_path: Path) -> None:
    python = _venv_with(tmp_path, wheelhouse, _wheel(wheelhouse, "kubeflow-katib"))
    code = (
        "import kubeflow.katib, kubeflow.trainer, kubeflow.core\n"
        "from kubeflow.katib import TrainJobTemplate\n"
        "from kubeflow.trainer import CustomTrainer\n"
        "def f(lr): print(lr)\n"
        "TrainJobTemplate(trainer=CustomTrainer(func=f))\n"
    )
    _run(python, "-I", "-c", code)


def test_meta_package_all(wheelhouse: Path, tmp_path: Path) -> None:
    python = _venv_with(tmp_path, wheelhouse, _wheel(wheelhouse, "kubeflow", "[all]"))
    code = (
        "import kubeflow.core, kubeflow.trainer, kubeflow.katib, kubeflow.pipelines, kubeflow.model_registry\n"
        "from kubeflow.katib import TrainJobTemplate\n"
        "from kubeflow.trainer import CustomTrainer\n"
        "def f(lr): print(lr)\n"
        "TrainJobTemplate(trainer=CustomTrainer(func=f))\n"
        "import kubeflow\n"
        "assert not hasattr(kubeflow, '__file__') or kubeflow.__file__ is None, 'kubeflow must be a namespace'\n"
    )
    _run(python, "-I", "-c", code)
    assert shutil.which("true")  # the environment is real; nothing above was skipped
    # `[all]` brings the command line: the trainer group is found through its entry point.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBEFLOW_LOCAL_STATE_DIR": str(tmp_path / "state")}
    env["KUBECONFIG"] = str(tmp_path / "none")
    cli = [str(python.parent / "kubeflow"), "trainer", "runtimes", "-o", "json"]
    runtimes = subprocess.run(cli, capture_output=True, text=True, check=False, env=env)
    assert runtimes.returncode == 0, runtimes.stderr
    assert "torch-distributed" in runtimes.stdout
