"""`TrainerClient()` without a config: Kubernetes when Kubernetes is configured (as in kubeflow 0.5), else local."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kubeflow.core.errors import UnsupportedBackendError
from kubeflow.core.kubernetes import config as k8s_config
from kubeflow.core.models import resolve_backend_config
from kubeflow.katib import KatibClient
from kubeflow.trainer import (
    ContainerBackendConfig,
    KubernetesBackendConfig,
    LocalProcessBackendConfig,
    TrainerClient,
    TrainingRuntimeSource,
)

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: team}}]
"""


@pytest.fixture
def no_kubernetes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with nothing configured: empty HOME, no KUBECONFIG, not in a pod. Returns HOME."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setattr(k8s_config, "SERVICE_ACCOUNT_DIR", tmp_path / "no-service-account")
    monkeypatch.setenv("KUBEFLOW_LOCAL_STATE_DIR", str(tmp_path / "state"))
    return home


def test_nothing_configured_means_local_processes(no_kubernetes: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kubeflow.core.models"):
        client = TrainerClient()
    assert client.backend.kind == "local-process"
    assert "local-process backend" in caplog.text


def test_home_kubeconfig_means_kubernetes(no_kubernetes: Path, caplog: pytest.LogCaptureFixture) -> None:
    (no_kubernetes / ".kube").mkdir()
    (no_kubernetes / ".kube" / "config").write_text(KUBECONFIG)
    with caplog.at_level(logging.INFO, logger="kubeflow.core.models"):
        client = TrainerClient()
    assert client.backend.kind == "kubernetes"
    assert "Kubernetes backend" in caplog.text and ".kube/config" in caplog.text


def test_kubeconfig_variable_means_kubernetes(
    no_kubernetes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(KUBECONFIG)
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing.yaml'}:{path}")  # any file of the list counts
    assert isinstance(resolve_backend_config(None), KubernetesBackendConfig)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing.yaml"))  # set but absent: ~/.kube is not read
    (no_kubernetes / ".kube").mkdir()
    (no_kubernetes / ".kube" / "config").write_text(KUBECONFIG)
    assert isinstance(resolve_backend_config(None), LocalProcessBackendConfig)


def test_in_cluster_service_account_means_kubernetes(
    no_kubernetes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = tmp_path / "serviceaccount"
    account.mkdir()
    monkeypatch.setattr(k8s_config, "SERVICE_ACCOUNT_DIR", account)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    assert isinstance(resolve_backend_config(None), LocalProcessBackendConfig)  # no token mounted
    (account / "token").write_text("token")
    assert isinstance(resolve_backend_config(None), KubernetesBackendConfig)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST")
    assert isinstance(resolve_backend_config(None), LocalProcessBackendConfig)  # a token alone is not a cluster


def test_an_explicit_config_always_wins(no_kubernetes: Path, tmp_path: Path) -> None:
    (no_kubernetes / ".kube").mkdir()
    (no_kubernetes / ".kube" / "config").write_text(KUBECONFIG)
    local = LocalProcessBackendConfig(state_dir=tmp_path / "state")
    assert resolve_backend_config(local) is local
    assert TrainerClient(local).backend.kind == "local-process"
    assert TrainerClient(backend_config=LocalProcessBackendConfig()).backend.kind == "local-process"


def test_katib_client_uses_the_same_rule(no_kubernetes: Path) -> None:
    assert isinstance(KatibClient().backend_config, LocalProcessBackendConfig)
    (no_kubernetes / ".kube").mkdir()
    (no_kubernetes / ".kube" / "config").write_text(KUBECONFIG)
    assert isinstance(KatibClient().backend_config, KubernetesBackendConfig)


def test_container_backend_config_is_refused_clearly() -> None:
    config = ContainerBackendConfig(container_runtime="podman", runtime_source=TrainingRuntimeSource(sources=["/x"]))
    assert config.pull_policy == "IfNotPresent" and config.runtime_source.sources == ["/x"]
    assert TrainingRuntimeSource().sources == ["github://kubeflow/trainer"]
    with pytest.raises(UnsupportedBackendError) as info:
        TrainerClient(backend_config=config)
    assert isinstance(info.value, NotImplementedError) and isinstance(info.value, RuntimeError)
    assert "not available yet" in str(info.value)
    assert "LocalProcessBackendConfig()" in str(info.value) and "KubernetesBackendConfig()" in str(info.value)
    with pytest.raises(ValueError):
        ContainerBackendConfig(container_runtime="lxc")  # type: ignore[arg-type]
