"""Structural-schema handling of CRD objects: pruning, defaulting and validation.

Follows what kube-apiserver does with a CRD's ``openAPIV3Schema`` on create and update:

1. prune: drop ``null`` values of non-nullable fields and every field the schema does not declare
   (unless ``x-kubernetes-preserve-unknown-fields``); dropped paths are reported so the server can
   warn (``Warning: 299 - "unknown field ..."``) or, with ``fieldValidation=Strict``, refuse;
2. default: fill ``default`` values top-down (defaults inside a defaulted object apply too);
3. validate: ``type``, ``required``, ``enum``, ``minimum``/``maximum``, ``minLength``/``maxLength``,
   ``pattern``, ``minItems``/``maxItems``, ``minProperties``, list-map/set duplicates, int-or-string,
   and the CEL rules :mod:`kube_emulator.cel` recognises. Error strings copy the apiserver's.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from . import cel
from .status import FieldError, go_value

OBJECT_META_FIELDS = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    }
)

Schema = dict[str, Any]


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_ok(expected: str, value: Any) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


class CrdSchema:
    """The ``openAPIV3Schema`` of one served CRD version.

    Args:
        root: The ``openAPIV3Schema`` object (not modified).
    """

    def __init__(self, root: Schema) -> None:
        self.root = root

    # ---------------------------------------------------------------- pruning
    def prune(self, obj: dict[str, Any]) -> list[str]:
        """Drop undeclared fields and non-nullable nulls in place; return the dropped field paths."""
        unknown: list[str] = []
        metadata = obj.get("metadata")
        if isinstance(metadata, dict):
            for key in [k for k in metadata if k not in OBJECT_META_FIELDS]:
                del metadata[key]
                unknown.append(f"metadata.{key}")
        props = self.root.get("properties", {})
        preserve = bool(self.root.get("x-kubernetes-preserve-unknown-fields", False))
        for key in list(obj):
            if key in ("apiVersion", "kind", "metadata") or (key not in props and preserve):
                continue
            if key not in props and preserve:
                continue  # a schemaless CRD (Katib's) keeps every field as sent
            if key not in props:
                del obj[key]
                unknown.append(key)
            elif obj[key] is None and not props[key].get("nullable"):
                del obj[key]
            else:
                self._prune(obj[key], props[key], key, unknown)
        return unknown

    def _prune(self, value: Any, schema: Schema, path: str, unknown: list[str]) -> None:
        if isinstance(value, dict):
            props: dict[str, Schema] = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            preserve = schema.get("x-kubernetes-preserve-unknown-fields", False)
            embedded = schema.get("x-kubernetes-embedded-resource", False)
            for key in list(value):
                child_schema = props.get(key)
                if child_schema is None and isinstance(extra, dict):
                    child_schema = extra
                if child_schema is None:
                    if preserve or extra is True or (embedded and key in ("apiVersion", "kind", "metadata")):
                        continue
                    del value[key]
                    unknown.append(_join(path, key))
                    continue
                if value[key] is None and not child_schema.get("nullable"):
                    del value[key]
                    continue
                self._prune(
                    value[key], child_schema, f"{path}[{key}]" if key not in props else _join(path, key), unknown
                )
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for index, item in enumerate(value):
                self._prune(item, schema["items"], f"{path}[{index}]", unknown)

    # -------------------------------------------------------------- defaulting
    def default(self, obj: dict[str, Any]) -> None:
        """Apply schema ``default`` values in place, top-down."""
        self._default(obj, self.root)

    def _default(self, value: Any, schema: Schema) -> None:
        if isinstance(value, dict):
            props: dict[str, Schema] = schema.get("properties", {})
            for key, child in props.items():
                if key not in value and "default" in child:
                    value[key] = copy.deepcopy(child["default"])
            for key, item in value.items():
                if key in props:
                    self._default(item, props[key])
                elif isinstance(schema.get("additionalProperties"), dict):
                    self._default(item, schema["additionalProperties"])
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for item in value:
                self._default(item, schema["items"])

    # -------------------------------------------------------------- validation
    def validate(self, obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[FieldError]:
        """Validate a pruned, defaulted object; ``old`` enables transition rules on update."""
        errors: list[FieldError] = []
        root = {k: v for k, v in self.root.items() if k != "x-kubernetes-validations"}
        self._validate(obj, root, "", errors, cel.MISSING if old is None else old, root_level=True)
        self._cel(obj, self.root, "", errors, cel.MISSING if old is None else old)
        return errors

    def _cel(self, value: Any, schema: Schema, path: str, errors: list[FieldError], old: Any) -> None:
        for rule in schema.get("x-kubernetes-validations", []):
            if not cel.evaluate(rule["rule"], value, old):
                type_name = schema.get("type", _type_name(value))
                message = rule.get("message") or f"failed rule: {rule['rule']}"
                field = _join(path, rule["fieldPath"].lstrip(".")) if rule.get("fieldPath") else (path or "<nil>")
                reason = {
                    "FieldValueForbidden": "FieldValueForbidden",
                    "FieldValueRequired": "FieldValueRequired",
                    "FieldValueDuplicate": "FieldValueDuplicate",
                }.get(rule.get("reason", ""), "FieldValueInvalid")
                errors.append(FieldError(reason, field, f'Invalid value: "{type_name}": {message}'))

    def _validate(
        self, value: Any, schema: Schema, path: str, errors: list[FieldError], old: Any, root_level: bool = False
    ) -> None:
        shown = path or "<nil>"
        if value is None:
            if not schema.get("nullable"):
                expected = schema.get("type", "object")
                errors.append(
                    FieldError(
                        "FieldValueTypeInvalid",
                        shown,
                        f'Invalid value: "null": {shown} in body must be of type {expected}: "null"',
                    )
                )
            return
        if schema.get("x-kubernetes-int-or-string"):
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                errors.append(
                    FieldError(
                        "FieldValueTypeInvalid",
                        shown,
                        f'Invalid value: "{_type_name(value)}": {shown} in body must be of type '
                        f'integer,string: "{_type_name(value)}"',
                    )
                )
                return
        elif "type" in schema and not _type_ok(schema["type"], value):
            errors.append(
                FieldError(
                    "FieldValueTypeInvalid",
                    shown,
                    f'Invalid value: "{_type_name(value)}": {shown} in body must be of type '
                    f'{schema["type"]}: "{_type_name(value)}"',
                )
            )
            return
        if "enum" in schema and value not in schema["enum"]:
            supported = ", ".join(go_value(v) for v in schema["enum"])
            errors.append(
                FieldError(
                    "FieldValueNotSupported",
                    shown,
                    f"Unsupported value: {go_value(value)}: supported values: {supported}",
                )
            )
        if isinstance(value, str):
            self._validate_string(value, schema, shown, errors)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and (
                value < schema["minimum"] or (schema.get("exclusiveMinimum") and value == schema["minimum"])
            ):
                word = "greater than" if schema.get("exclusiveMinimum") else "greater than or equal to"
                errors.append(
                    FieldError(
                        "FieldValueInvalid",
                        shown,
                        f"Invalid value: {go_value(value)}: {shown} in body should be {word} {schema['minimum']}",
                    )
                )
            if "maximum" in schema and (
                value > schema["maximum"] or (schema.get("exclusiveMaximum") and value == schema["maximum"])
            ):
                word = "less than" if schema.get("exclusiveMaximum") else "less than or equal to"
                errors.append(
                    FieldError(
                        "FieldValueInvalid",
                        shown,
                        f"Invalid value: {go_value(value)}: {shown} in body should be {word} {schema['maximum']}",
                    )
                )
        elif isinstance(value, list):
            self._validate_list(value, schema, path, errors, old)
        elif isinstance(value, dict):
            self._validate_object(value, schema, path, errors, old, root_level)
        if not root_level:
            self._cel(value, schema, path, errors, old)

    @staticmethod
    def _validate_string(value: str, schema: Schema, shown: str, errors: list[FieldError]) -> None:
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(
                FieldError("FieldValueTooLong", shown, f"Too long: may not be more than {schema['maxLength']} bytes")
            )
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(
                FieldError(
                    "FieldValueInvalid",
                    shown,
                    f"Invalid value: {go_value(value)}: {shown} in body should be at least "
                    f"{schema['minLength']} chars long",
                )
            )
        if "pattern" in schema and not _regex(schema["pattern"]).search(value):
            errors.append(
                FieldError(
                    "FieldValueInvalid",
                    shown,
                    f"Invalid value: {go_value(value)}: {shown} in body should match '{schema['pattern']}'",
                )
            )

    def _validate_list(self, value: list[Any], schema: Schema, path: str, errors: list[FieldError], old: Any) -> None:
        shown = path or "<nil>"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(
                FieldError(
                    "FieldValueTooMany", shown, f"Too many: {len(value)}: must have at most {schema['maxItems']} items"
                )
            )
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(
                FieldError(
                    "FieldValueInvalid",
                    shown,
                    f"Invalid value: {len(value)}: {shown} in body should have at least {schema['minItems']} items",
                )
            )
        list_type = schema.get("x-kubernetes-list-type")
        seen: set[str] = set()
        keys = schema.get("x-kubernetes-list-map-keys", [])
        for index, item in enumerate(value):
            if list_type == "set":
                marker = go_value(item)
            elif list_type == "map" and isinstance(item, dict):
                marker = go_value({k: item.get(k) for k in keys})
            else:
                marker = ""
            if marker:
                if marker in seen:
                    errors.append(FieldError("FieldValueDuplicate", f"{path}[{index}]", f"Duplicate value: {marker}"))
                seen.add(marker)
            item_old = cel.MISSING
            if isinstance(schema.get("items"), dict):
                self._validate(item, schema["items"], f"{path}[{index}]", errors, item_old)

    def _validate_object(
        self, value: dict[str, Any], schema: Schema, path: str, errors: list[FieldError], old: Any, root_level: bool
    ) -> None:
        shown = path or "<nil>"
        for key in schema.get("required", []):
            if key not in value:
                errors.append(FieldError("FieldValueRequired", _join(path, key), "Required value"))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            errors.append(
                FieldError(
                    "FieldValueInvalid",
                    shown,
                    f"Invalid value: {len(value)}: {shown} in body should have at least "
                    f"{schema['minProperties']} properties",
                )
            )
        props: dict[str, Schema] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if root_level and key == "metadata":
                continue
            child_old = old.get(key, cel.MISSING) if isinstance(old, dict) else cel.MISSING
            if key in props:
                self._validate(item, props[key], _join(path, key), errors, child_old)
            elif isinstance(extra, dict):
                self._validate(item, extra, f"{path}[{key}]", errors, child_old)
