"""The one reference-data setting (`tests/support/reference.py`) and the emulator's fresh-clone fallback.

Run with a temporary `KUBEFLOW_SDK_REFERENCE`, so they hold whether or not the real reference is beside the clone:
absent data skips with a one-line reason, or fails where `KUBEFLOW_SDK_REFERENCE_REQUIRED=1` (CI); the emulator
stands in for the `master` Trainer CRDs with the in-repo fixtures, and refuses to where the reference is required.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from emulator_helpers import GROUP, VERSION, trainjob
from kubernetes import client

import reference
from kube_emulator import KubeEmulator
from kube_emulator.resources import FIXTURES

FIXTURE_RUNTIME = FIXTURES / "runtimes" / "torch_distributed.yaml"


@pytest.fixture
def absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the setting at an empty folder, outside required mode."""
    monkeypatch.setenv(reference.ENV, str(tmp_path))
    monkeypatch.delenv(reference.REQUIRED_ENV, raising=False)
    return tmp_path


def test_absent_reference_skips_with_a_one_line_reason(absent: Path) -> None:
    with pytest.raises(pytest.skip.Exception) as info:
        reference.reference_path("katib", "openapi", "swagger.json")
    reason = str(info.value)
    assert "\n" not in reason
    assert str(absent / "katib" / "openapi" / "swagger.json") in reason and reference.ENV in reason


def test_absent_reference_fails_where_it_is_required(absent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reference.REQUIRED_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{reference.REQUIRED_ENV}=1 forbids skipping"):
        reference.reference_path("model-registry", "model-registry.yaml")


def test_present_reference_is_returned(absent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reference.REQUIRED_ENV, "1")
    (absent / "katib").mkdir()
    assert reference.reference_path("katib") == absent.resolve() / "katib"
    assert reference.available("katib") and not reference.available("model-registry")


def test_default_is_shared_reference_beside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(reference.ENV, raising=False)
    assert reference.reference_root() == reference.REPO_ROOT.parent / "shared" / "reference"
    assert (reference.REPO_ROOT / "pyproject.toml").is_file()


def test_emulator_stands_in_for_master_without_the_reference(absent: Path) -> None:
    with KubeEmulator(trainer_crds="master") as emu, client.ApiClient(emu.client_configuration()) as api:
        assert emu.load_default_runtimes() == ["torch-distributed"]
        custom = client.CustomObjectsApi(api)
        custom.create_namespaced_custom_object(
            GROUP, VERSION, "default", "trainjobs", trainjob("fresh", trainer={"numNodes": 2})
        )
        final = emu.controller.run_job("default", "fresh")
        assert final["status"]["conditions"][0]["type"] == "Complete"
        pods = client.CoreV1Api(api).list_namespaced_pod("default").items
        assert len(pods) == 2
        crds = client.ApiextensionsV1Api(api).list_custom_resource_definition().items
        assert {crd.spec.names.kind for crd in crds} == {"TrainJob", "TrainingRuntime", "ClusterTrainingRuntime"}


def test_emulator_fallback_is_refused_where_the_reference_is_required(
    absent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(reference.REQUIRED_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="kubeflow-trainer"):
        KubeEmulator(trainer_crds="master")


@pytest.mark.parametrize("crd_set", ["v2.1.0", "v2.0.1"])
def test_older_trainer_releases_have_no_stand_in(absent: Path, crd_set: str) -> None:
    with pytest.raises(pytest.skip.Exception, match=crd_set):
        KubeEmulator(trainer_crds=crd_set)


def test_fixture_runtime_is_the_upstream_one() -> None:
    upstream = reference.reference_path("kubeflow-trainer", "runtimes", "torch_distributed.yaml")
    assert yaml.safe_load(FIXTURE_RUNTIME.read_text()) == yaml.safe_load(upstream.read_text())
