"""Where registry resources live: the embedded SQLite store (`local`) or a Model Registry server (`rest`).

Both speak the REST API's JSON (`dict`s shaped like the OpenAPI schemas), so the client converts in one place and
the two cannot drift. `create_store(config)` picks one from the config's type; each module is imported only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubeflow.model_registry.config import RegistryConfig
    from kubeflow.model_registry.store.base import RegistryStore


def create_store(config: RegistryConfig) -> RegistryStore:
    """The store for `config` (nothing is opened or contacted until the first operation)."""
    from kubeflow.model_registry.config import LocalModelRegistryConfig

    if isinstance(config, LocalModelRegistryConfig):
        from kubeflow.model_registry.store.local import LocalStore

        return LocalStore(config)
    from kubeflow.model_registry.store.rest import RestStore

    return RestStore(config)
