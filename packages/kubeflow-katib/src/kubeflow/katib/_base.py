"""The base of the public Katib types: pydantic v2 models whose constructor raises `InvalidInputError`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from kubeflow.core.errors import InvalidInputError


def as_invalid_input(model_name: str, exc: ValidationError) -> InvalidInputError:
    """Turn a pydantic `ValidationError` into an `InvalidInputError` naming the first offending field.

    Args:
        model_name: The class name, used as the prefix of the field path, e.g. `TrialConfig`.
        exc: The pydantic error.

    Returns:
        The typed error; every problem is listed in its message when there are several.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    inner = first.get("ctx", {}).get("error")
    parts = [model_name, *(str(part) for part in first["loc"])]
    if len(errors) == 1 and isinstance(inner, InvalidInputError):
        # Raised by one of our validators: its field is relative to the model (or field) that raised it.
        return InvalidInputError(".".join(part for part in [*parts, inner.field] if part), inner.problem, inner.fix)
    field = ".".join(parts)
    problems = []
    for err in errors:
        message = f"{str(err['msg']).removeprefix('Value error, ')} (got {err.get('input')!r})"
        if len(errors) > 1:
            message = f"{'.'.join(str(part) for part in err['loc']) or '<model>'}: {message}"
        problems.append(message)
    return InvalidInputError(field, "; ".join(problems) + ".", "Check the documented type and range of this field.")


class KatibModel(BaseModel):
    """Base class of the Katib types.

    Fields are snake_case in Python and serialise to Katib's camelCase names with `model_dump(by_alias=True)`.
    Constructing a model with invalid values raises `kubeflow.core.errors.InvalidInputError` (a `ValueError`)
    naming the field; `model_validate` raises pydantic's `ValidationError`, which names it too.
    """

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=True,
        defer_build=True,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise as_invalid_input(type(self).__name__, exc) from None
