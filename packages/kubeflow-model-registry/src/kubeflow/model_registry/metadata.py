"""Custom property values (the Model Registry OpenAPI `MetadataValue` one-of, discriminated by `metadataType`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

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
