"""Clients made the way kubeflow 0.5 users make them, on the local backend and on the Kubernetes emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.trainer import LocalProcessBackendConfig, TrainerClient


@pytest.fixture
def local_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TrainerClient:
    """`TrainerClient(backend_config=LocalProcessBackendConfig())`, its state kept in this test's directory."""
    monkeypatch.setenv("KUBEFLOW_LOCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("KUBEFLOW_ENV_CACHE_DIR", str(tmp_path / "envs"))
    client = TrainerClient(backend_config=LocalProcessBackendConfig())
    assert client.backend.kind == "local-process"
    return client


@pytest.fixture
def cluster_client(
    kube_emulator: KubeEmulator, kubeconfig_path: Path, monkeypatch: pytest.MonkeyPatch
) -> TrainerClient:
    """`TrainerClient()` with `$KUBECONFIG` pointing at the emulator: Kubernetes by default, as in 0.5."""
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig_path))
    client = TrainerClient()
    assert client.backend.kind == "kubernetes"
    return client
