"""The decorator that makes the public trainer types: pydantic-validated dataclasses with typed errors.

They are dataclasses (positional and keyword construction, `dataclasses.replace`, `asdict`) like the existing
`kubeflow` SDK's types, validated by pydantic at construction. A validation failure raises
`kubeflow.core.errors.InvalidInputError` (a `ValueError`) that names the field and how to fix it.
Schema building is deferred to first use, which keeps `import kubeflow.trainer` fast.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass
from typing_extensions import dataclass_transform

from kubeflow.core.errors import InvalidInputError

T = TypeVar("T")

MODEL_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True, defer_build=True, validate_assignment=False)


def _loc(cls: type[Any], loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    if parts and isinstance(parts[0], int):  # a positional argument: name it after its field
        names = [f.name for f in dataclasses.fields(cls)]
        parts[0] = names[parts[0]] if parts[0] < len(names) else f"<argument {parts[0]}>"
    return ".".join(str(part) for part in parts) or "<arguments>"


def _as_invalid_input(cls: type[Any], exc: ValidationError) -> InvalidInputError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = f"{cls.__name__}.{_loc(cls, first['loc'])}"
    inner = first.get("ctx", {}).get("error")
    if len(errors) == 1 and isinstance(inner, InvalidInputError):
        return InvalidInputError(field, inner.problem, inner.fix)
    if len(errors) == 1:
        problem = f"{first['msg'].removeprefix('Value error, ')} (got {first.get('input')!r})."
    else:
        problem = (
            "; ".join(
                f"{_loc(cls, err['loc'])}: {err['msg'].removeprefix('Value error, ')} (got {err.get('input')!r})"
                for err in errors
            )
            + "."
        )
    return InvalidInputError(field, problem, "Check the documented type and range of this field.")


@dataclass_transform(field_specifiers=(dataclasses.field, Field))
def model(cls: type[T]) -> type[T]:
    """Turn a class into a validated public dataclass whose errors are `InvalidInputError`."""
    dc: Any = dataclass(config=MODEL_CONFIG)(cls)
    # pydantic replaces `__init__` when it completes a deferred class on first use; keep ours on top of it.
    delegate: list[Callable[..., None]] = [dc.__init__]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            delegate[0](self, *args, **kwargs)
        except ValidationError as exc:
            raise _as_invalid_input(dc, exc) from None
        finally:
            if dc.__init__ is not wrapper:
                delegate[0] = dc.__init__
                dc.__init__ = wrapper

    wrapper = functools.wraps(delegate[0])(__init__)
    dc.__init__ = wrapper
    return dc  # type: ignore[no-any-return]
