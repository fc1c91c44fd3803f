"""KubeClient: where the connection and the namespace come from, laziness, and no token leaks."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
import yaml

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import BackendUnavailableError, InvalidInputError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import CONFIG_MAPS
from kubeflow.core.kubernetes.retry import RetryPolicy

FAST = RetryPolicy(max_retries=3, base=0.001, cap=0.002)


def two_context_kubeconfig(emu: KubeEmulator, path: Path, token: str = "t0ken") -> Path:
    emu.client_configuration(token)  # registers the token
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "emu", "cluster": {"server": emu.url}}],
        "users": [{"name": "me", "user": {"token": token}}],
        "contexts": [
            {"name": "first", "context": {"cluster": "emu", "user": "me", "namespace": "team-a"}},
            {"name": "second", "context": {"cluster": "emu", "user": "me", "namespace": "team-b"}},
            {"name": "bare", "context": {"cluster": "emu", "user": "me"}},
        ],
        "current-context": "first",
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_namespace_comes_from_the_current_context(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    path = two_context_kubeconfig(kube_emulator, tmp_path / "kubeconfig")
    kube = KubeClient(KubernetesBackendConfig(config_file=str(path)), service_account_dir=tmp_path)
    assert kube.namespace == "team-a"


def test_namespace_comes_from_the_chosen_context(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    path = two_context_kubeconfig(kube_emulator, tmp_path / "kubeconfig")
    kube = KubeClient(KubernetesBackendConfig(config_file=str(path), context="second"), service_account_dir=tmp_path)
    assert kube.namespace == "team-b"


def test_explicit_namespace_wins(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    path = two_context_kubeconfig(kube_emulator, tmp_path / "kubeconfig")
    kube = KubeClient(KubernetesBackendConfig(config_file=str(path), namespace="mine"), service_account_dir=tmp_path)
    assert kube.namespace == "mine"


def test_context_without_namespace_falls_back_to_service_account_then_default(
    kube_emulator: KubeEmulator, tmp_path: Path
) -> None:
    path = two_context_kubeconfig(kube_emulator, tmp_path / "kubeconfig")
    config = KubernetesBackendConfig(config_file=str(path), context="bare")
    assert KubeClient(config, service_account_dir=tmp_path / "none").namespace == "default"
    sa = tmp_path / "sa"
    sa.mkdir()
    (sa / "namespace").write_text("from-sa\n", encoding="utf-8")
    assert KubeClient(config, service_account_dir=sa).namespace == "from-sa"


def test_kubeconfig_from_environment(
    kube_emulator: KubeEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = two_context_kubeconfig(kube_emulator, tmp_path / "kubeconfig")
    monkeypatch.setenv("KUBECONFIG", str(path))
    kube = KubeClient(KubernetesBackendConfig(), service_account_dir=tmp_path)
    assert kube.namespace == "team-a"
    assert ObjectClient(kube).get(CONFIG_MAPS, "kubeflow-trainer-public", "kubeflow-system")["data"]


def test_client_configuration_is_used_and_not_mutated(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    configuration = kube_emulator.client_configuration()
    kube = KubeClient(KubernetesBackendConfig(client_configuration=configuration), service_account_dir=tmp_path)
    assert kube.namespace == "default"
    found = ObjectClient(kube).get(CONFIG_MAPS, "kubeflow-trainer-public", "kubeflow-system")
    assert found["metadata"]["name"] == "kubeflow-trainer-public"
    assert configuration.retries is None  # our copy has urllib3 retries off; the caller's object is untouched


def test_unknown_context_is_invalid_input(kube_emulator: KubeEmulator, tmp_path: Path) -> None:
    path = two_context_kubeconfig(kube_emulator, tmp_path / "kubeconfig")
    kube = KubeClient(KubernetesBackendConfig(config_file=str(path), context="nope"))
    with pytest.raises(InvalidInputError) as info:
        _ = kube.namespace
    assert info.value.field == "context"


def test_missing_explicit_kubeconfig_is_invalid_input(tmp_path: Path) -> None:
    kube = KubeClient(KubernetesBackendConfig(config_file=str(tmp_path / "missing")))  # lazy: nothing read yet
    with pytest.raises(InvalidInputError) as info:
        _ = kube.api_client
    assert info.value.field == "config_file"


def test_no_kubeconfig_and_not_in_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_PORT", raising=False)
    kube = KubeClient(KubernetesBackendConfig())
    with pytest.raises(BackendUnavailableError) as info:
        _ = kube.api_client
    assert info.value.reason == "NoConfiguration"
    assert "KUBECONFIG" in str(info.value)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_backend_unavailable_without_retrying() -> None:
    from kubernetes import client

    configuration = client.Configuration(host=f"http://127.0.0.1:{_free_port()}")
    slept: list[float] = []
    policy = RetryPolicy(max_retries=3, base=0.001, cap=0.002, sleep=slept.append)
    kube = KubeClient(KubernetesBackendConfig(client_configuration=configuration, namespace="x"), retry=policy)
    with pytest.raises(BackendUnavailableError) as info:
        ObjectClient(kube).get(CONFIG_MAPS, "anything")
    assert info.value.reason == "ConnectionRefused"
    assert slept == []


def test_token_never_logged(kube_emulator: KubeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = "sup3r-s3cret-t0ken-value"
    path = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig", token=token)
    kube = KubeClient(KubernetesBackendConfig(config_file=str(path)), retry=FAST)
    kube_emulator.add_fault(Fault(method="GET", path="/configmaps/", status=503, times=2))
    kube_emulator.add_fault(Fault(method="GET", path="/configmaps/missing", status=403, times=1))
    objects = ObjectClient(kube)
    with caplog.at_level(logging.DEBUG):
        objects.get(CONFIG_MAPS, "kubeflow-trainer-public", "kubeflow-system")
        with pytest.raises(Exception) as info:
            objects.get(CONFIG_MAPS, "missing", "kubeflow-system")
    assert token not in caplog.text
    assert token not in str(info.value)
    assert token not in repr(kube.config)
