"""Importing kubeflow.trainer (and building a Kubernetes client) does not import `kubernetes`; missing -> clear error."""

from __future__ import annotations

from fresh_python import run_python


def test_import_does_not_import_kubernetes() -> None:
    result = run_python(
        """
        import sys
        import kubeflow.trainer
        import kubeflow.core.kubernetes
        from kubeflow.trainer import TrainerClient, KubernetesBackendConfig
        client = TrainerClient(KubernetesBackendConfig(config_file="/nonexistent/kubeconfig"))
        assert type(client.backend).__name__ == "KubernetesTrainerBackend"
        loaded = sorted(m for m in sys.modules if m == "kubernetes" or m.startswith("kubernetes."))
        print(loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_missing_kubernetes_client_says_how_to_install() -> None:
    result = run_python(
        """
        import sys
        sys.modules["kubernetes"] = None  # as if it were not installed
        from kubeflow.core.errors import BackendUnavailableError
        from kubeflow.trainer import TrainerClient, KubernetesBackendConfig
        client = TrainerClient(KubernetesBackendConfig())
        try:
            client.list_runtimes()
        except BackendUnavailableError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "kubeflow-core[kubernetes]"' in result.stdout
