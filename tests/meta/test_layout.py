"""The monorepo's shape: PEP 420 namespace, lockstep versions, dependency direction, lazy imports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from repo import PACKAGES, ROOT, pyproject


def _project(dist: str) -> dict[str, Any]:
    data: dict[str, Any] = pyproject(ROOT / "packages" / dist / "pyproject.toml")
    return data["project"]


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0] for req in requirements}


def test_no_namespace_init_anywhere() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "packages").glob("*/src/kubeflow/__init__.py")]
    assert offenders == [], f"kubeflow/ must stay a PEP 420 namespace; remove {offenders}"


@pytest.mark.parametrize("dist", sorted(PACKAGES))
def test_each_package_is_typed_and_built_from_src(dist: str) -> None:
    module = PACKAGES[dist]
    package_dir = ROOT / "packages" / dist / "src" / "kubeflow" / module
    assert (package_dir / "py.typed").is_file()
    assert (package_dir / "__init__.py").is_file()
    data: dict[str, Any] = pyproject(ROOT / "packages" / dist / "pyproject.toml")
    assert data["build-system"]["build-backend"] == "hatchling.build"
    assert data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/kubeflow"]


def test_versions_move_in_lockstep_and_the_meta_package_pins_them() -> None:
    root = pyproject(ROOT / "pyproject.toml")["project"]
    assert isinstance(root, dict)
    version = root["version"]
    for dist, module in PACKAGES.items():
        assert _project(dist)["version"] == version, dist
        init = (ROOT / "packages" / dist / "src" / "kubeflow" / module / "__init__.py").read_text()
        assert f'__version__ = "{version}"' in init, f"{dist} __version__ differs from {version}"
    extras: dict[str, list[str]] = root["optional-dependencies"]
    assert set(extras) >= {"trainer", "katib", "pipelines", "model-registry", "all"}
    pinned = {req for reqs in extras.values() for req in reqs}
    for dist in PACKAGES:
        if dist == "kubeflow-core":
            continue
        assert f"{dist}=={version}" in pinned, f"the meta-package must pin {dist}=={version}"
    assert _requirement_names(extras["all"]) == set(PACKAGES)  # every project, and kubeflow-core[cli]
    assert extras["cli"] == [f"kubeflow-core[cli]=={version}"] and extras["cli"][0] in extras["all"]
    for dist in PACKAGES:
        for req in _project(dist)["dependencies"]:
            if _requirement_names([req]) & set(PACKAGES):  # ours; kubeflow-trainer-api is upstream's models
                assert req.endswith(f"=={version}"), f"{dist} must pin {req} to {version}"


def test_dependencies_point_the_right_way() -> None:
    deps = {dist: _requirement_names(_project(dist)["dependencies"]) for dist in PACKAGES}
    assert not deps["kubeflow-core"] & set(PACKAGES), "core depends on no other Kubeflow package"
    assert "kubeflow-core" in deps["kubeflow-trainer"]
    assert "kubeflow-trainer" in deps["kubeflow-katib"], "katib trials are trainer jobs"
    assert not deps["kubeflow-trainer"] & {"kubeflow-katib", "kubeflow-pipelines", "kubeflow-model-registry"}


def test_core_source_knows_nothing_of_training() -> None:
    core = ROOT / "packages" / "kubeflow-core" / "src"
    for path in core.rglob("*.py"):
        text = path.read_text()
        assert "kubeflow.trainer" not in text, f"{path.relative_to(ROOT)} imports kubeflow.trainer"


def test_importing_the_sdk_imports_neither_kubernetes_nor_torch_nor_the_cli_libraries(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import kubeflow.core, kubeflow.trainer, kubeflow.katib, kubeflow.pipelines, kubeflow.model_registry\n"
        "from kubeflow.trainer import TrainerClient, CustomTrainer, KubernetesBackendConfig, LocalProcessBackendConfig\n"
        "KubernetesBackendConfig(namespace='x')\n"
        "TrainerClient(LocalProcessBackendConfig(state_dir=sys.argv[1])).list_jobs()\n"
        "heavy = ('kubernetes', 'torch', 'urllib3', 'kubeflow_trainer_api', 'click', 'rich', 'typer', 'yaml')\n"
        "bad = sorted(m for m in heavy if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "state")], check=True)


def test_the_common_trainer_import_defers_pydantic_to_first_use() -> None:
    """`from kubeflow.trainer import TrainerClient, CustomTrainer` builds no validator: pydantic loads on first use."""
    code = (
        "import sys\n"
        "from kubeflow.trainer import TrainerClient, CustomTrainer\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core'))\n"
        "assert not loaded, loaded\n"
        "CustomTrainer(func=print, num_nodes=2)\n"
        "assert 'pydantic' in sys.modules\n"
        "try:\n"
        "    CustomTrainer(func=print, num_nodes=0)\n"
        "except ValueError as exc:\n"
        "    assert 'CustomTrainer.num_nodes' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('num_nodes=0 was accepted')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
