"""Through TrainerClient: transient failures are retried (503, 429, drops), other 4xx are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import ForbiddenError, InvalidInputError
from kubeflow.trainer import KubernetesBackendConfig, TrainerClient

RUNTIMES = "/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes"


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    config = KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01, retry_backoff_max=0.02)
    return TrainerClient(config)


def statuses(emu: KubeEmulator) -> list[int]:
    return [r.status for r in emu.requests if r.path == RUNTIMES]


@pytest.mark.parametrize("fault", [{"status": 503}, {"status": 429, "retry_after": 0}, {"status": None, "drop": True}])
def test_transient_failures_are_retried(client: TrainerClient, kube_emulator: KubeEmulator, fault: dict) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=RUNTIMES + "$", times=2, **fault))
    assert "torch-distributed" in [r.name for r in client.list_runtimes()]
    assert statuses(kube_emulator).count(200) == 1


@pytest.mark.parametrize(("code", "error"), [(400, InvalidInputError), (403, ForbiddenError)])
def test_client_errors_are_not_retried(
    client: TrainerClient, kube_emulator: KubeEmulator, code: int, error: type[Exception]
) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=RUNTIMES + "$", status=code, times=None))
    with pytest.raises(error):
        client.list_runtimes()
    assert statuses(kube_emulator) == [code]
