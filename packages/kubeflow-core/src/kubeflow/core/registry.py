"""Pick a backend factory from the type of a backend config: a built-in table, then an entry-point group.

Each package above core (trainer, katib, ...) keeps its own table and entry-point group and calls
`find_backend_factory`; core knows nothing of what the backends do. A table or entry-point value is
`"module:attribute"`, and the module is imported only when a config of that type is used. Keys are fully
qualified config class names; the config's method resolution order is searched, so a subclass of a known config
is served by the same backend unless a more specific entry exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.models import BackendConfig


def qualified_name(cls: type[Any]) -> str:
    """Return `module.QualName` of a class: the key of the backend tables and entry points."""
    return f"{cls.__module__}.{cls.__qualname__}"


def find_backend_factory(
    config: BackendConfig,
    *,
    builtin: Mapping[str, str],
    group: str,
    label: str,
) -> Callable[[BackendConfig], Any]:
    """Return the factory that builds the backend serving `config` (its module is imported only now).

    Args:
        config: The backend config passed to a client.
        builtin: Config class qualified name to `"module:attribute"` of the built-in backends.
        group: Entry-point group where third-party backends register under their config's qualified name.
        label: What kind of backend is wanted, for the error (e.g. `"trainer"`, `"Katib"`).

    Raises:
        InvalidInputError: No backend serves this config type.
    """
    target: str | None = None
    for cls in type(config).__mro__:
        key = qualified_name(cls)
        target = builtin.get(key)
        if target is None:
            found = [ep for ep in entry_points(group=group) if ep.name == key]
            target = found[0].value if found else None
        if target is not None:
            break
    if target is None:
        raise InvalidInputError(
            "backend_config",
            f"no {label} backend serves {type(config).__name__}.",
            "Pass LocalProcessBackendConfig() or KubernetesBackendConfig().",
        )
    module_name, _, attr = target.partition(":")
    factory: Callable[[BackendConfig], Any] = getattr(import_module(module_name), attr)
    return factory


__all__ = ["find_backend_factory", "qualified_name"]
