"""Trainer release detection that cannot read the release falls back to the newest shape, with a warning; fields
an older server drops (CRD pruning, emulated as the apiserver does it) are reported by name, never silent."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.trainer import CustomTrainerContainer, KubernetesBackendConfig, TrainerClient
from kubeflow.trainer.backends.kubernetes.version import TrainerCompatibilityWarning
from kubeflow.trainer.options import Labels, Name

TRAINER = "trainer.kubeflow.org/v1alpha1"
CONFIG_MAP = "/namespaces/kubeflow-system/configmaps/kubeflow-trainer-public$"
CRD = "/customresourcedefinitions/trainjobs.trainer.kubeflow.org$"


def make_client(emu: KubeEmulator, tmp_path: Path) -> TrainerClient:
    path = emu.write_kubeconfig(tmp_path / "kubeconfig")
    return TrainerClient(KubernetesBackendConfig(config_file=str(path), retry_backoff=0.01, retry_backoff_max=0.02))


@pytest.mark.parametrize("status", [403, 404, 503])
def test_unreadable_release_falls_back_to_the_newest_shape_with_a_warning(
    status: int, kube_emulator: KubeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=CONFIG_MAP, status=status, times=None))
    kube_emulator.add_fault(Fault(method="GET", path=CRD, status=status, times=None))
    client = make_client(kube_emulator, tmp_path)
    with caplog.at_level(logging.WARNING), pytest.warns(TrainerCompatibilityWarning) as caught:
        name = client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Labels({"team": "a"})])
    messages = [str(w.message) for w in caught]
    assert any("Cannot tell which Kubeflow Trainer release" in m and "v2.2 or newer" in m for m in messages)
    assert any(f"HTTP {status}" in m for m in messages)
    assert "Cannot tell which Kubeflow Trainer release" in caplog.text
    stored = kube_emulator.get(TRAINER, "TrainJob", name, "default")
    assert stored is not None and "runtimePatches" in stored["spec"]  # the newest shape, stored whole
    assert not any("The server dropped" in m for m in messages)  # the server is the newest: nothing lost


def test_the_fallback_is_not_cached(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    cm = kube_emulator.add_fault(Fault(method="GET", path=CONFIG_MAP, status=403, times=None))
    crd = kube_emulator.add_fault(Fault(method="GET", path=CRD, status=403, times=None))
    client = make_client(kube_emulator, tmp_path)
    with pytest.warns(TrainerCompatibilityWarning):
        client.train(trainer=CustomTrainerContainer(image="busybox"))
    assert cm.hits >= 1 and crd.hits >= 1
    kube_emulator.clear_faults()
    kube_emulator.reset_requests()
    client.train(trainer=CustomTrainerContainer(image="busybox"))  # no warning: pytest turns warnings into errors
    assert any(r.path.endswith("/configmaps/kubeflow-trainer-public") for r in kube_emulator.requests)


def test_fields_an_older_server_prunes_are_reported_by_name(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A v2.1 server whose release cannot be read: the SDK builds the newest shape, the old CRD prunes runtimePatches.
    with KubeEmulator(trainer_crds="v2.1.0") as emu:
        emu.load_default_runtimes()
        emu.add_fault(Fault(method="GET", path=CRD, status=403, times=None))
        client = make_client(emu, tmp_path)
        with caplog.at_level(logging.WARNING), pytest.warns(TrainerCompatibilityWarning) as caught:
            name = client.train(
                trainer=CustomTrainerContainer(image="busybox"), options=[Name("old-server"), Labels({"team": "a"})]
            )
        stored = emu.get(TRAINER, "TrainJob", name, "default")
        assert stored is not None and "runtimePatches" not in stored["spec"]
    dropped = [str(w.message) for w in caught if "The server dropped" in str(w.message)]
    assert len(dropped) == 1
    assert "spec.runtimePatches" in dropped[0] and "'old-server'" in dropped[0]
    assert "spec.runtimePatches" in caplog.text


def test_a_wrong_published_release_is_caught_by_the_comparison(tmp_path: Path) -> None:
    # The ConfigMap says v2.3.0 but the CRD is v2.1's: only the comparison after the create can tell.
    with KubeEmulator(trainer_crds="v2.1.0", trainer_version="v2.3.0") as emu:
        emu.load_default_runtimes()
        client = make_client(emu, tmp_path)
        with pytest.warns(TrainerCompatibilityWarning, match=r"The server dropped spec\.runtimePatches"):
            client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Labels({"team": "a"})])
        client.train(trainer=CustomTrainerContainer(image="busybox"))  # nothing dropped: no warning


def test_an_unsupported_release_is_still_refused(tmp_path: Path) -> None:
    from kubeflow.core.errors import BackendError

    with KubeEmulator(trainer_version="v3.0.0") as emu:
        emu.load_default_runtimes()
        with pytest.raises(BackendError, match="v3.0.0"):
            make_client(emu, tmp_path).train(trainer=CustomTrainerContainer(image="busybox"))
