"""The decorator that makes the public trainer types: dataclasses validated by pydantic, with typed errors.

They are plain dataclasses (positional and keyword construction, `dataclasses.replace`, `asdict`, `repr`) like the
existing `kubeflow` SDK's types. Each one is validated at construction by a pydantic dataclass twin built from the
same fields on first use: defining the class imports nothing of pydantic, which keeps `import kubeflow.trainer` fast.
A validation failure raises `kubeflow.core.errors.InvalidInputError` (a `ValueError`) naming the field and the fix.

Field constraints can be written two ways:

* light, importing nothing: `field(default=None, ge=1)` and `Annotated[T, After(check)]` / `Before(check)` (the
  hot modules use this);
* pydantic's own `Field(...)`, `Annotated[T, AfterValidator(check)]` and `@field_validator`, where a module pays for
  pydantic anyway.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from kubeflow.core.errors import InvalidInputError

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover
    from typing_extensions import dataclass_transform

if TYPE_CHECKING:
    from pydantic import Field as _PydanticField
    from pydantic import ValidationError
else:
    _PydanticField = dataclasses.field  # only the type checker needs to know pydantic's `Field` here

T = TypeVar("T")

_CONSTRAINTS = "kubeflow.constraints"
_PYDANTIC_FIELD = "kubeflow.pydantic_field"
_TWIN = "__kubeflow_twin__"


@dataclasses.dataclass(frozen=True)
class Before:
    """`Annotated[T, Before(check)]`: run `check(value)` on the raw input, before the type (`BeforeValidator`)."""

    func: Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class After:
    """`Annotated[T, After(check)]`: run `check(value)` after the type is validated (pydantic's `AfterValidator`)."""

    func: Callable[[Any], Any]


def field(
    *,
    default: Any = dataclasses.MISSING,
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
    repr: bool = True,
    kw_only: bool = False,
    **constraints: Any,
) -> Any:
    """A dataclass field with pydantic constraints (`ge`, `le`, `min_length`, ...) checked on construction."""
    return dataclasses.field(
        default=default,
        default_factory=default_factory,
        repr=repr,
        kw_only=kw_only,
        metadata={_CONSTRAINTS: constraints},
    )


def _is_pydantic(value: object, name: str) -> bool:
    return type(value).__name__ == name and type(value).__module__.startswith("pydantic")


def _from_pydantic_field(info: Any) -> Any:
    """A `pydantic.Field(...)` class attribute as a dataclass field that remembers it."""
    from pydantic_core import PydanticUndefined

    kwargs: dict[str, Any] = {"metadata": {_PYDANTIC_FIELD: info}}
    if info.default is not PydanticUndefined:
        kwargs["default"] = info.default
    elif info.default_factory is not None:
        kwargs["default_factory"] = info.default_factory
    if info.repr is False:
        kwargs["repr"] = False
    if getattr(info, "kw_only", None):
        kwargs["kw_only"] = True
    return dataclasses.field(**kwargs)


def _pydantic_annotation(hint: Any) -> Any:
    """`hint` with each `After(check)`/`Before(check)` of an `Annotated` turned into pydantic's validator."""
    if typing.get_origin(hint) is not Annotated:
        return hint
    from pydantic import AfterValidator, BeforeValidator

    metadata = [
        AfterValidator(item.func)
        if isinstance(item, After)
        else BeforeValidator(item.func)
        if isinstance(item, Before)
        else item
        for item in hint.__metadata__
    ]
    return Annotated.__class_getitem__((hint.__origin__, *metadata))


def _twin(cls: type[Any]) -> Any:
    """The pydantic dataclass that validates `cls`'s fields (built once, on first use)."""
    twin = cls.__dict__.get(_TWIN)
    if twin is not None:
        return twin
    from pydantic import ConfigDict, Field
    from pydantic.dataclasses import dataclass as pydantic_dataclass

    hints = typing.get_type_hints(cls, include_extras=True)
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": cls.__module__, "__qualname__": cls.__qualname__}
    for item in dataclasses.fields(cls):
        namespace["__annotations__"][item.name] = _pydantic_annotation(hints[item.name])
        if _PYDANTIC_FIELD in item.metadata:
            namespace[item.name] = item.metadata[_PYDANTIC_FIELD]
            continue
        kwargs: dict[str, Any] = dict(item.metadata.get(_CONSTRAINTS, {}))
        if item.default is not dataclasses.MISSING:
            kwargs["default"] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            kwargs["default_factory"] = item.default_factory
        if item.kw_only:
            kwargs["kw_only"] = True
        if kwargs:
            namespace[item.name] = Field(**kwargs)
    for klass in reversed(cls.__mro__):  # pydantic's @field_validator methods, inherited ones too
        for name, value in vars(klass).items():
            if _is_pydantic(value, "PydanticDescriptorProxy"):
                namespace[name] = value
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, validate_assignment=False)
    twin = pydantic_dataclass(config=config)(type(cls.__name__, (), namespace))
    setattr(cls, _TWIN, twin)
    return twin


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


def _validated_init(cls: type[Any], generated: Callable[..., None]) -> Callable[..., None]:
    names = [item.name for item in dataclasses.fields(cls)]

    @functools.wraps(generated)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        from pydantic import ValidationError

        try:
            checked = _twin(cls)(*args, **kwargs)
        except ValidationError as exc:
            raise _as_invalid_input(cls, exc) from None
        for name in names:
            object.__setattr__(self, name, getattr(checked, name))
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:  # the twin has the fields only, not the class's methods
            post_init()

    return __init__


def _core_schema(cls: type[Any], _source: Any, handler: Any) -> Any:
    """Let pydantic validate `cls` inside other models: an instance as it is, a mapping through the twin."""
    from pydantic_core import core_schema

    def validate(value: Any, handler: Any) -> Any:
        if isinstance(value, cls):
            return value
        checked = handler(value)
        instance = object.__new__(cls)
        for item in dataclasses.fields(cls):
            object.__setattr__(instance, item.name, getattr(checked, item.name))
        return instance

    return core_schema.no_info_wrap_validator_function(validate, handler.generate_schema(_twin(cls)))


@dataclass_transform(field_specifiers=(dataclasses.field, field, _PydanticField))
def model(cls: type[T]) -> type[T]:
    """Turn a class into a validated public dataclass whose errors are `InvalidInputError`."""
    for name, value in list(vars(cls).items()):
        if _is_pydantic(value, "FieldInfo"):
            setattr(cls, name, _from_pydantic_field(value))
    dc: Any = dataclasses.dataclass(cls)
    dc.__init__ = _validated_init(dc, dc.__init__)
    dc.__get_pydantic_core_schema__ = classmethod(_core_schema)
    return dc  # type: ignore[no-any-return]
