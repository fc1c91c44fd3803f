"""The Model Registry OpenAPI spec as validators: every request and response the emulator sees is checked.

Loaded from the reference data (`reference_path("model-registry", "model-registry.yaml")`) by the fixtures, never
at import. OpenAPI 3.0 discriminators (`Artifact`, `MetadataValue`) become JSON-Schema `if`/`then` dispatch on the
discriminator property, so a body matches exactly the schema its `artifactType`/`metadataType` names. Because the
spec leaves `additionalProperties` open, bodies are also checked for properties no schema in their `allOf` chain
declares: a misspelt or invented field is a violation, as a strict server would treat it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml


def _dispatch(schema: dict[str, Any]) -> dict[str, Any]:
    discriminator = schema["discriminator"]
    prop = discriminator["propertyName"]
    branches = [
        {"if": {"properties": {prop: {"const": key}}, "required": [prop]}, "then": {"$ref": ref}}
        for key, ref in discriminator["mapping"].items()
    ]
    out = {k: v for k, v in schema.items() if k not in ("oneOf", "discriminator")}
    out["required"] = sorted({*out.get("required", []), prop})
    out["properties"] = {prop: {"enum": list(discriminator["mapping"])}}
    out["allOf"] = branches
    return out


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        if "discriminator" in node and "oneOf" in node and "mapping" in node["discriminator"]:
            node = _dispatch(node)
        return {key: _rewrite(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


@dataclass
class Operation:
    """One method on one spec path."""

    method: str
    template: str
    pattern: re.Pattern[str]
    path_params: list[str]
    parameters: dict[str, dict[str, Any]]
    request_schema: dict[str, Any] | None
    responses: dict[str, dict[str, Any] | None] = field(default_factory=dict)


class Spec:
    """The spec's operations and a validator for its schemas."""

    def __init__(self, path: Path) -> None:
        """Load and prepare the spec at `path`."""
        raw = yaml.safe_load(path.read_text())
        self.doc: dict[str, Any] = _rewrite(copy.deepcopy(raw))
        self.base = "/api/model_registry/v1alpha3"
        self.operations: list[Operation] = []
        components = self.doc["components"]
        for template, item in self.doc["paths"].items():
            shared = [self._param(p) for p in item.get("parameters", [])]
            regex = (
                "^"
                + re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
                + "$"
            )
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                params = {p["name"]: p for p in shared + [self._param(p) for p in op.get("parameters", [])]}
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                responses: dict[str, dict[str, Any] | None] = {}
                for code, response in op.get("responses", {}).items():
                    if "$ref" in response:
                        response = components["responses"][response["$ref"].rsplit("/", 1)[-1]]
                    responses[code] = response.get("content", {}).get("application/json", {}).get("schema")
                self.operations.append(
                    Operation(
                        method.upper(),
                        template,
                        re.compile(regex),
                        re.findall(r"\{([^}]+)\}", template),
                        params,
                        body,
                        responses,
                    )
                )

    def _param(self, param: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in param:
            found: dict[str, Any] = self.doc["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
            return found
        return param

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving `method path`, and its path parameters."""
        for op in self.operations:
            found = op.pattern.match(path)
            if found and op.method == method:
                return op, found.groupdict()
        return None

    def errors(self, instance: Any, schema: dict[str, Any]) -> list[str]:
        """Why `instance` does not match `schema` (empty if it does), unknown properties included."""
        root = {**schema, "components": self.doc["components"]}
        validator = jsonschema.Draft202012Validator(root, format_checker=None)
        found = [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]
        if not found and isinstance(instance, dict):
            known = self.properties(schema, instance)
            if known is not None:
                unknown = sorted(set(instance) - known)
                if unknown:
                    found.append(f"<body>: properties the spec does not define: {unknown}")
        return found

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def properties(self, schema: dict[str, Any], instance: dict[str, Any]) -> set[str] | None:
        """Every property name `schema` declares for `instance` (following `$ref`, `allOf`, dispatch)."""
        schema = self._resolve(schema)
        if schema.get("type") == "array" or "additionalProperties" in schema and "properties" not in schema:
            return None
        names = set(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            if "if" in part:
                prop, const = next(iter(part["if"]["properties"].items()))
                if instance.get(prop) == const["const"]:
                    sub = self.properties(part["then"], instance)
                    if sub is None:
                        return None
                    names |= sub
                continue
            sub = self.properties(part, instance)
            if sub is None:
                return None
            names |= sub
        return names

    def check_request(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> list[str]:
        """Violations of the spec by a request (unknown path or method, parameters, body)."""
        if not path.startswith(self.base):
            return [f"{method} {path}: not under {self.base}"]
        matched = self.match(method, path)
        if matched is None:
            return [f"{method} {path}: no such operation in the spec"]
        op, path_params = matched
        problems: list[str] = []
        for name, value in path_params.items():
            schema = op.parameters.get(name, {}).get("schema", {"type": "string"})
            problems += [f"path {name}: {e}" for e in self.errors(value, schema)]
        for name, values in query.items():
            if name not in op.parameters or op.parameters[name].get("in") != "query":
                problems.append(f"query {name}: not a parameter of {method} {op.template}")
                continue
            for value in values:
                problems += [f"query {name}={value!r}: {e}" for e in self.errors(value, op.parameters[name]["schema"])]
        if op.request_schema is not None:
            if body is None:
                problems.append("<body>: missing")
            else:
                problems += self.errors(body, op.request_schema)
        elif body is not None:
            problems.append("<body>: this operation takes none")
        return [f"{method} {op.template}: {p}" for p in problems]

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Violations of the spec by a response."""
        matched = self.match(method, path)
        if matched is None:
            return []
        op = matched[0]
        if str(status) not in op.responses:
            return [f"{method} {op.template}: status {status} is not a documented response"]
        schema = op.responses[str(status)]
        if schema is None:
            return []
        return [f"{method} {op.template} -> {status}: {e}" for e in self.errors(body, schema)]
