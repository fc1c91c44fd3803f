"""A lazily connected Kubernetes API client built from a `KubernetesBackendConfig`.

Nothing is read or imported until first use. The connection comes from, in order: the config's
`client_configuration`; else the kubeconfig (`config_file`, else `$KUBECONFIG`, else `~/.kube/config`) and its
`context`; else the in-cluster service account. The namespace comes from the config, then the kubeconfig context,
then the service account's namespace file, then `default`.

The client's own urllib3 retries are turned off (on a private copy of the configuration): retries are done once, by
`kubeflow.core.kubernetes.retry`, where they are bounded, logged and visible.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

from kubeflow.core.errors import BackendUnavailableError, InvalidInputError
from kubeflow.core.kubernetes._lazy import require_kubernetes
from kubeflow.core.kubernetes.config import (
    SERVICE_ACCOUNT_DIR,
    KubernetesBackendConfig,
    default_kubeconfig,
    existing_kubeconfig,
)
from kubeflow.core.kubernetes.retry import RetryPolicy

DEFAULT_NAMESPACE = "default"
USER_AGENT = "kubeflow-sdk/2026.12.0"


def read_namespace_file(directory: Path) -> str | None:
    """The namespace a service account directory names, or `None`."""
    try:
        text = (directory / "namespace").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def context_namespace(k8s: Any, config_file: str, context: str | None) -> str | None:
    """The namespace of a kubeconfig context (the current one when `context` is `None`), or `None`."""
    contexts, current = k8s.config.list_kube_config_contexts(config_file=config_file)
    chosen = current
    if context is not None:
        chosen = next((item for item in contexts or [] if item.get("name") == context), None)
    if not chosen:
        return None
    namespace = (chosen.get("context") or {}).get("namespace")
    return str(namespace) if namespace else None


class KubeClient:
    """One connection to one cluster: the `ApiClient`, the namespace, timeouts and the retry policy.

    Thread-safe: the connection is built once, on first use.
    """

    def __init__(
        self,
        config: KubernetesBackendConfig,
        *,
        retry: RetryPolicy | None = None,
        service_account_dir: Path = SERVICE_ACCOUNT_DIR,
    ) -> None:
        self.config = config
        self.retry = retry or RetryPolicy(
            max_retries=config.max_retries, base=config.retry_backoff, cap=config.retry_backoff_max
        )
        self.request_timeout = config.request_timeout
        self._service_account_dir = service_account_dir
        self._lock = threading.Lock()
        self._api_client: Any = None
        self._namespace: str | None = None
        self._apis: dict[str, Any] = {}

    @property
    def api_client(self) -> Any:
        """The `kubernetes.client.ApiClient`, connected on first use."""
        if self._api_client is None:
            with self._lock:
                if self._api_client is None:
                    self._connect()
        return self._api_client

    @property
    def namespace(self) -> str:
        """The namespace jobs are created in."""
        if self._namespace is None:
            _ = self.api_client
        assert self._namespace is not None
        return self._namespace

    def api(self, name: str) -> Any:
        """An API group object of the client, e.g. `api("CoreV1Api")`, cached."""
        found = self._apis.get(name)
        if found is None:
            k8s = require_kubernetes()
            found = getattr(k8s.client, name)(self.api_client)
            self._apis[name] = found
        return found

    def close(self) -> None:
        """Release the connection pool."""
        with self._lock:
            if self._api_client is not None:
                self._api_client.close()
                self._api_client = None
                self._apis.clear()

    def _connect(self) -> None:
        k8s = require_kubernetes()
        config = self.config
        context_namespace: str | None = None
        if config.client_configuration is not None:
            configuration = copy.deepcopy(config.client_configuration)
        else:
            configuration = k8s.client.Configuration()
            paths = config.config_file or default_kubeconfig()
            if config.config_file is not None or existing_kubeconfig(paths):
                if config.config_file is not None and not existing_kubeconfig(paths):
                    raise InvalidInputError(
                        "config_file", f"no kubeconfig file at {config.config_file!r}.", "Pass an existing file."
                    )
                context_namespace = self._load_kubeconfig(k8s, configuration, paths)
            else:
                self._load_incluster(k8s, configuration)
        configuration.retries = False
        api_client = k8s.client.ApiClient(configuration=configuration)
        api_client.user_agent = USER_AGENT
        self._namespace = (
            config.namespace or context_namespace or read_namespace_file(self._service_account_dir) or DEFAULT_NAMESPACE
        )
        self._api_client = api_client

    def _load_kubeconfig(self, k8s: Any, configuration: Any, paths: str) -> str | None:
        context = self.config.context
        try:
            k8s.config.load_kube_config(
                config_file=paths, context=context, client_configuration=configuration, persist_config=False
            )
            return context_namespace(k8s, paths, context)
        except k8s.config.ConfigException as exc:
            field = "context" if context and "context" in str(exc).lower() else "config_file"
            raise InvalidInputError(
                field, f"cannot load the kubeconfig: {exc}", "Check the kubeconfig file and the context name."
            ) from None

    def _load_incluster(self, k8s: Any, configuration: Any) -> None:
        try:
            k8s.config.load_incluster_config(client_configuration=configuration)
        except k8s.config.ConfigException as exc:
            raise BackendUnavailableError(
                "No Kubernetes configuration found: no kubeconfig at "
                f"{default_kubeconfig()!r} and not running inside a cluster ({exc}). "
                "Fix: point KUBECONFIG at a kubeconfig, or pass KubernetesBackendConfig(config_file=...) "
                "or client_configuration=...",
                reason="NoConfiguration",
            ) from None


__all__ = ["DEFAULT_NAMESPACE", "SERVICE_ACCOUNT_DIR", "KubeClient", "default_kubeconfig"]
