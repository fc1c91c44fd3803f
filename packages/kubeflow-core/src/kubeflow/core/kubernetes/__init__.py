"""The generic Kubernetes backend: configuration, typed errors, retries, custom objects, watch, pods and logs.

Importing this package does not import the `kubernetes` client; the modules that need it import it on first use
(and raise `BackendUnavailableError` with the install command when it is missing).

Modules: `config` (`KubernetesBackendConfig`), `client` (`KubeClient`: lazy `ApiClient` and namespace), `errors`
(API errors to typed errors), `retry` (bounded backoff), `resources` (`Resource` descriptors), `objects`
(`ObjectClient`: create/get/list/patch/delete), `watch` (`Watcher`), `logs` (`PodLogs`), `events`, `backend`
(`KubernetesBackend`, a `JobBackend` for custom objects).
"""
