"""Ship what we test: build every distribution, publish the wheels to a local package index, install them BY NAME.

PyPI already has older, unrelated releases under two of our names (`kubeflow` 0.5.0, `kubeflow-katib` 0.19.0). Once
ours are published beside them, `pip install "kubeflow[all]"` must pick ours: our version (docs/versioning.md) has to
sort above every existing release. That is simulated here as closely as a test can: our wheels are served from a
PEP 503 simple index (file://) and installed by name with PyPI visible too, under uv's `unsafe-best-match` strategy,
which, like pip, takes the best version across all indexes (so PyPI's releases really compete). Three installs, as
users install: `kubeflow[all]`, `kubeflow-trainer` alone, `kubeflow-katib` alone (which pulls trainer and core through
its pins). Each must hold our version for every `kubeflow*` distribution and import with `python -I`, so nothing from
this checkout can leak in. The README's plain-pip command for a source checkout is run too.

The wheels are built once per session (shared by the xdist workers) and reused by every case. When PyPI is not
reachable the installs resolve offline (local index plus uv's cache) and the test proving PyPI's releases were
visible says so by skipping.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.version import Version
from repo import PACKAGES, ROOT, pyproject

pytestmark = pytest.mark.timeout(900)

PYPI = "https://pypi.org/simple"
OLD_RELEASES = {"kubeflow": "0.5.0", "kubeflow-katib": "0.19.0"}
"""The newest releases PyPI holds under our names, from projects older than this one."""
VERSION = str(pyproject(ROOT / "pyproject.toml")["project"]["version"])  # type: ignore[index]
VERSIONS = """\
import importlib.metadata as m, json
print(json.dumps({d.metadata["Name"]: d.version for d in m.distributions() if d.metadata["Name"].startswith("kubeflow")}))
"""


def _uv() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session sees (the session's base temp)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@contextlib.contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (one worker builds; the others wait, then reuse what it built)."""
    with open(folder / ".wheels.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def wheelhouse(shared_dir: Path) -> Path:
    out = shared_dir / "wheelhouse"
    with _exclusive(shared_dir):
        if not (out / ".complete").exists():
            _run(_uv(), "build", "--quiet", "--all-packages", "--wheel", "--out-dir", out, cwd=ROOT)
            (out / ".complete").touch()
    return out


@pytest.fixture(scope="session")
def local_index(wheelhouse: Path, shared_dir: Path) -> str:
    """A PEP 503 simple index of our wheels (one page per project, links with sha256), as a file:// URL."""
    index = shared_dir / "simple"
    with _exclusive(shared_dir):
        if not (index / "index.html").exists():
            projects = []
            for wheel in sorted(wheelhouse.glob("*.whl")):
                project = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
                digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
                (index / project).mkdir(parents=True, exist_ok=True)
                link = f'<a href="{wheel.resolve().as_uri()}#sha256={digest}">{wheel.name}</a>'
                (index / project / "index.html").write_text(f"<!DOCTYPE html><html><body>{link}</body></html>\n")
                projects.append(f'<a href="{project}/">{project}</a>')
            (index / "index.html").write_text(f"<!DOCTYPE html><html><body>{''.join(projects)}</body></html>\n")
    return index.resolve().as_uri()


@pytest.fixture(scope="session")
def pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen(f"{PYPI}/kubeflow/", timeout=15) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def index_args(local_index: str, pypi_reachable: bool) -> list[str]:
    """uv options: our index AND PyPI, best version across both wins (pip's rule); offline when PyPI is not there."""
    args = ["--no-config", "--index", local_index, "--default-index", PYPI, "--index-strategy", "unsafe-best-match"]
    return args if pypi_reachable else [*args, "--offline"]


def _install(tmp: Path, index_args: list[str], *requirements: str) -> Path:
    venv = tmp / "venv"
    _run(_uv(), "venv", "--quiet", "--no-config", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    _run(_uv(), "pip", "install", "--quiet", "--python", python, *index_args, *requirements)
    return python


def _versions(python: Path) -> dict[str, str]:
    """The installed versions of our own distributions (upstream ones such as kubeflow-trainer-api left out)."""
    found: dict[str, str] = json.loads(_run(python, "-I", "-c", VERSIONS))
    ours = {*PACKAGES, "kubeflow"}
    normalised = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found.items()}
    return {name: version for name, version in normalised.items() if name in ours}


def test_our_version_sorts_above_every_older_release_of_our_names() -> None:
    assert all(Version(VERSION) > Version(old) for old in OLD_RELEASES.values())


def test_every_wheel_is_built_and_none_owns_the_namespace(wheelhouse: Path) -> None:
    wheels = {path.name.split("-")[0].replace("_", "-"): path for path in wheelhouse.glob("*.whl")}
    assert set(wheels) == {*PACKAGES, "kubeflow"}
    for dist, path in wheels.items():
        assert path.name.split("-")[1] == VERSION, path.name
        names = zipfile.ZipFile(path).namelist()
        assert "kubeflow/__init__.py" not in names, f"{path.name} would break the kubeflow namespace"
        code = [n for n in names if n.startswith("kubeflow/")]
        if dist == "kubeflow":
            assert code == [], f"the meta-package ships no code, found {code}"
        else:
            assert f"kubeflow/{PACKAGES[dist]}/py.typed" in names, f"{path.name} lacks py.typed"


def test_pypis_older_releases_are_visible_to_the_same_resolver(
    index_args: list[str], pypi_reachable: bool, tmp_path: Path
) -> None:
    """The control: under the very options of the installs, PyPI's `kubeflow` 0.5.0 and `kubeflow-katib` 0.19.0 are
    candidates (asked for by exact version, they resolve), so choosing ours below is a real choice."""
    if not pypi_reachable:
        pytest.skip(f"PyPI ({PYPI}) is not reachable: the installs resolved offline, from the local index alone")
    wanted = [f"{name}=={version}" for name, version in OLD_RELEASES.items()]
    (tmp_path / "requirements.in").write_text("\n".join(wanted) + "\n")
    pinned = _run(
        _uv(), "pip", "compile", "--quiet", "--no-deps", "--no-header", *index_args, "requirements.in", cwd=tmp_path
    )
    assert sorted(line for line in pinned.splitlines() if "==" in line) == sorted(wanted)


def test_kubeflow_all_by_name(index_args: list[str], tmp_path: Path) -> None:
    python = _install(tmp_path, index_args, "kubeflow[all]")
    assert _versions(python) == dict.fromkeys([*PACKAGES, "kubeflow"], VERSION)
    code = (
        "import kubeflow.core, kubeflow.trainer, kubeflow.katib, kubeflow.pipelines, kubeflow.model_registry\n"
        "from kubeflow.katib import TrainJobTemplate\n"
        "from kubeflow.trainer import CustomTrainer\n"
        "def f(lr): print(lr)\n"
        "TrainJobTemplate(trainer=CustomTrainer(func=f))\n"
        "import kubeflow\n"
        "assert not hasattr(kubeflow, '__file__') or kubeflow.__file__ is None, 'kubeflow must be a namespace'\n"
        "print(kubeflow.trainer.__version__, kubeflow.katib.__version__)\n"
    )
    assert _run(python, "-I", "-c", code).split() == [VERSION, VERSION]
    # `[all]` brings the command line: the trainer group is found through its entry point.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBEFLOW_LOCAL_STATE_DIR": str(tmp_path / "state")}
    env["KUBECONFIG"] = str(tmp_path / "none")
    cli = [str(python.parent / "kubeflow"), "trainer", "runtimes", "-o", "json"]
    runtimes = subprocess.run(cli, capture_output=True, text=True, check=False, env=env)
    assert runtimes.returncode == 0, runtimes.stderr
    assert "torch-distributed" in runtimes.stdout


def test_kubeflow_trainer_alone_by_name(index_args: list[str], tmp_path: Path) -> None:
    python = _install(tmp_path, index_args, "kubeflow-trainer")
    assert _versions(python) == {"kubeflow-trainer": VERSION, "kubeflow-core": VERSION}
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
    assert _run(python, "-I", "-c", code).strip() == VERSION
    # The console script is there (kubeflow-core has it), and without the `cli` extra it says what to install.
    bare = subprocess.run([python.parent / "kubeflow", "--help"], capture_output=True, text=True, check=False)
    assert bare.returncode == 1 and 'pip install "kubeflow[cli]"' in bare.stderr, bare


def test_kubeflow_katib_alone_by_name_brings_trainer_and_core(index_args: list[str], tmp_path: Path) -> None:
    python = _install(tmp_path, index_args, "kubeflow-katib")
    assert _versions(python) == dict.fromkeys(["kubeflow-katib", "kubeflow-trainer", "kubeflow-core"], VERSION)
    code = (
        "import kubeflow.katib, kubeflow.trainer, kubeflow.core\n"
        "from kubeflow.katib import TrainJobTemplate\n"
        "from kubeflow.trainer import CustomTrainer\n"
        "def f(lr): print(lr)\n"
        "TrainJobTemplate(trainer=CustomTrainer(func=f))\n"
        "print(kubeflow.katib.__version__)\n"
    )
    assert _run(python, "-I", "-c", code).strip() == VERSION


def _readme_source_install() -> list[str]:
    """The plain-pip command of the README's "From a source checkout" block, as an argv."""
    readme = (ROOT / "README.md").read_text()
    (command,) = re.findall(r"^python -m pip install (\./packages/.*)$", readme, flags=re.M)
    return [arg.strip('"') for arg in command.split()]


def test_the_readme_source_checkout_install_works_with_plain_pip(tmp_path: Path) -> None:
    """No uv here: `python -m venv` and its own pip, with whatever index configuration the machine has."""
    _run(sys.executable, "-m", "venv", tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    _run(python, "-m", "pip", "install", "--quiet", *_readme_source_install(), cwd=ROOT, env=env)
    assert _versions(python) == dict.fromkeys([*PACKAGES, "kubeflow"], VERSION)
    _run(python, "-I", "-c", "import kubeflow.trainer, kubeflow.katib, kubeflow.pipelines, kubeflow.model_registry")
