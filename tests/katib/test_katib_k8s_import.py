"""`import kubeflow.katib` and building a Kubernetes `KatibClient` stay light: `kubernetes` is imported on first use."""

from __future__ import annotations

from fresh_python import run_python


def test_kubernetes_client_is_built_without_importing_kubernetes() -> None:
    result = run_python(
        """
        import sys
        import kubeflow.katib
        import kubeflow.optimizer
        from kubeflow.katib import KatibClient, KubernetesBackendConfig
        from kubeflow.optimizer import OptimizerClient
        client = KatibClient(KubernetesBackendConfig(config_file="/nonexistent/kubeconfig"))
        OptimizerClient(KubernetesBackendConfig(config_file="/nonexistent/kubeconfig"))
        assert type(client.backend).__name__ == "KubernetesKatibBackend"
        print(sorted(m for m in sys.modules if m == "kubernetes" or m.startswith("kubernetes.")))
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
        from kubeflow.katib import KatibClient, KubernetesBackendConfig
        client = KatibClient(KubernetesBackendConfig())
        try:
            client.list_jobs()
        except BackendUnavailableError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "kubeflow-core[kubernetes]"' in result.stdout
