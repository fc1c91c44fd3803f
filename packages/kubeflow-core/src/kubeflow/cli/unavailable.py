"""For the command groups of other distributions: an operation their client cannot do yet, said in one line.

A command wraps its client call in `unless_not_implemented`; a `NotImplementedError` becomes a
`BackendUnavailableError` (exit 7) naming the command and the distribution, instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def unless_not_implemented(command: str, client: str, operation: str, call: Callable[[], T]) -> T:
    """Run `call`; a client that cannot do `operation` yet is reported as unavailable, in one line.

    Args:
        command: The command group, e.g. `"kubeflow models"`.
        client: The client and its distribution, e.g. `"client of this kubeflow-model-registry"`.
        operation: The subcommand, e.g. `"list"`.
        call: What the subcommand does.

    Raises:
        BackendUnavailableError: `call` raised `NotImplementedError`.
    """
    from kubeflow.core.errors import BackendUnavailableError

    try:
        return call()
    except NotImplementedError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "not implemented"
        raise BackendUnavailableError(
            f"{command} {operation}: the {client} cannot do this yet ({detail})",
            reason="NotAvailable",
        ) from None


__all__ = ["unless_not_implemented"]
