"""Custom property values (the Model Registry OpenAPI `MetadataValue` one-of, discriminated by `metadataType`)."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_serializer

_CONFIG = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True, defer_build=True)
_INT32_DIGITS = 999_999_999  # the spec's pattern allows at most nine digits


class MetadataIntValue(BaseModel):
    """An integer property value (sent as a string, as the spec requires)."""

    model_config = _CONFIG

    int_value: int = Field(ge=-_INT32_DIGITS, le=_INT32_DIGITS, strict=False)
    """The value."""
    metadata_type: Literal["MetadataIntValue"] = Field(default="MetadataIntValue", alias="metadataType")
    """The discriminator."""

    @field_serializer("int_value")
    def _as_text(self, value: int) -> str:
        return str(value)


class MetadataDoubleValue(BaseModel):
    """A floating-point property value."""

    model_config = _CONFIG

    double_value: float
    """The value."""
    metadata_type: Literal["MetadataDoubleValue"] = Field(default="MetadataDoubleValue", alias="metadataType")
    """The discriminator."""


class MetadataStringValue(BaseModel):
    """A string property value."""

    model_config = _CONFIG

    string_value: str
    """The value."""
    metadata_type: Literal["MetadataStringValue"] = Field(default="MetadataStringValue", alias="metadataType")
    """The discriminator."""


class MetadataBoolValue(BaseModel):
    """A boolean property value."""

    model_config = _CONFIG

    bool_value: bool
    """The value."""
    metadata_type: Literal["MetadataBoolValue"] = Field(default="MetadataBoolValue", alias="metadataType")
    """The discriminator."""


class MetadataStructValue(BaseModel):
    """A struct property value: base64-encoded bytes."""

    model_config = _CONFIG

    struct_value: str
    """The base64-encoded struct."""
    metadata_type: Literal["MetadataStructValue"] = Field(default="MetadataStructValue", alias="metadataType")
    """The discriminator."""


class MetadataProtoValue(BaseModel):
    """A protocol-buffer property value: a type URL and base64-encoded bytes."""

    model_config = _CONFIG

    type: str
    """The URL describing the proto type."""
    proto_value: str
    """The base64-encoded proto bytes."""
    metadata_type: Literal["MetadataProtoValue"] = Field(default="MetadataProtoValue", alias="metadataType")
    """The discriminator."""


MetadataValue = Annotated[
    MetadataIntValue
    | MetadataDoubleValue
    | MetadataStringValue
    | MetadataStructValue
    | MetadataProtoValue
    | MetadataBoolValue,
    Field(discriminator="metadata_type"),
]
"""One custom property value, told apart by its `metadataType`."""


CustomValue = bool | int | float | str | MetadataStructValue | MetadataProtoValue
"""A custom property value as the client shows it: a plain `bool`/`int`/`float`/`str` (as 0.5 showed them), or a
`MetadataStructValue` / `MetadataProtoValue` for the spec's two binary kinds."""

_PLAIN_TYPES = (bool, int, float, str)


def metadata_value(value: str | int | float | bool) -> MetadataValue:
    """Wrap a plain Python value in the matching `Metadata*Value` model.

    Raises:
        TypeError: The value is not a `str`, `int`, `float` or `bool`.
    """
    if isinstance(value, bool):
        return MetadataBoolValue(bool_value=value)
    if isinstance(value, int):
        return MetadataIntValue(int_value=value)
    if isinstance(value, float):
        return MetadataDoubleValue(double_value=value)
    if isinstance(value, str):
        return MetadataStringValue(string_value=value)
    raise TypeError(f"custom property values must be str, int, float or bool, got {type(value).__name__}")


def check_custom_value(field: str, value: object) -> CustomValue:
    """Return `value` as a `CustomValue`, or raise `InvalidInputError` naming `field` (checked before any write).

    Accepted: `bool`, `int` (at most nine digits, as the spec's `int_value` pattern allows), finite `float`, `str`,
    any `Metadata*Value` model (the plain kinds are unwrapped), or the API's JSON form of one.
    """
    from kubeflow.core.errors import InvalidInputError

    if isinstance(value, dict) and "metadataType" in value:
        try:
            value = _ADAPTER().validate_python(value)
        except ValueError as exc:
            raise InvalidInputError(field, f"is not a valid MetadataValue: {exc}") from None
    if isinstance(value, (MetadataIntValue, MetadataDoubleValue, MetadataStringValue, MetadataBoolValue)):
        value = next(v for k, v in value.__dict__.items() if k.endswith("_value"))
    if isinstance(value, (MetadataStructValue, MetadataProtoValue)):
        return value
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        if abs(value) > _INT32_DIGITS:
            raise InvalidInputError(
                field,
                f"{value} has more than nine digits; the Model Registry API stores ints up to 999999999.",
                "Store it as a float or a string.",
            )
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidInputError(field, f"{value} is not a finite number.", "Store it as a string.")
        return value
    raise InvalidInputError(
        field,
        f"has unsupported type {type(value).__name__}.",
        "Use str, int, float, bool, MetadataStructValue or MetadataProtoValue (json.dumps nested data).",
    )


def to_api_value(value: CustomValue) -> dict[str, object]:
    """The API JSON (`MetadataValue`) of a custom value."""
    if isinstance(value, (MetadataStructValue, MetadataProtoValue)):
        return value.model_dump(mode="json", by_alias=True)
    return metadata_value(value).model_dump(mode="json", by_alias=True)


def from_api_value(payload: object) -> CustomValue:
    """The `CustomValue` of an API `MetadataValue` JSON object (ints come back as `int`)."""
    return check_custom_value("customProperties", payload)


@functools.cache
def _ADAPTER() -> TypeAdapter[MetadataValue]:
    return TypeAdapter(MetadataValue)
