"""Errors of the model registry: the typed errors of `kubeflow.core.errors`, still caught by 0.5 users' clauses.

The existing SDK (kubeflow 0.5, `kubeflow.hub`) raised `ValueError` when `get_model*` found nothing, and the
upstream `model_registry.exceptions.StoreError` when the store refused an operation (a duplicate version, a model
that does not exist). Our errors derive from the matching builtins (`ValueError`, `RuntimeError`, ...) always, and
from the upstream `StoreError` too whenever the user's program has imported `model_registry` (the only way its code
can name that class), so `except StoreError:` keeps working without this package depending on `model-registry`.
"""

from __future__ import annotations

import sys
from typing import TypeVar

from kubeflow.core.errors import AlreadyExistsError, InvalidInputError, KubeflowError, NotFoundError

E = TypeVar("E", bound=KubeflowError)

_COMPAT: dict[tuple[type[BaseException], type[BaseException]], type[BaseException]] = {}


class ModelNotFoundError(NotFoundError, ValueError):
    """A registered model, version, artifact, experiment or run does not exist (a `ValueError`, as in 0.5)."""


class DuplicateError(AlreadyExistsError, InvalidInputError):
    """A resource with that name (or external id) already exists, e.g. a second `v1` of a model.

    Also an `InvalidInputError` (so a `ValueError`): a duplicate version is bad input, rejected before anything is
    written, and caught by the same `except` clause as the other argument errors.

    Attributes:
        field: The argument that collides, e.g. `version`.
    """

    def __init__(self, field: str, problem: str, fix: str | None = None) -> None:
        InvalidInputError.__init__(self, field, problem, fix, reason="AlreadyExists", status=409)


def _upstream_store_error() -> type[BaseException] | None:
    module = sys.modules.get("model_registry.exceptions")
    if module is None:
        return None
    found = getattr(module, "StoreError", None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def store_error(error: E) -> E:
    """`error`, made an instance of the upstream `StoreError` as well when the program has imported it."""
    upstream = _upstream_store_error()
    cls = type(error)
    if upstream is None or isinstance(error, upstream):
        return error
    key = (cls, upstream)
    compat = _COMPAT.get(key)
    if compat is None:
        compat = type(cls.__name__, (cls, upstream), {"__module__": cls.__module__, "__doc__": cls.__doc__})
        _COMPAT[key] = compat
    clone = compat.__new__(compat)
    clone.__dict__.update(error.__dict__)
    clone.args = error.args
    clone.__traceback__ = error.__traceback__
    return clone  # type: ignore[return-value]


__all__ = ["DuplicateError", "ModelNotFoundError", "store_error"]
