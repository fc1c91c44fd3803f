"""Validate objects against the real Kubeflow Trainer CRD schemas, as a kube-apiserver would, pruning included.

The CRDs are the verbatim upstream copies in the reference data's `kubeflow-trainer/` folder, found through
`tests/support/reference.py` (default `../shared/reference`; see its README for the upstream commits): `crds/` is master (= v2.2+/v2.3 API), `versions/v2.1.0/crds/` and `versions/v2.0.1/crds/` the
older releases. A structural schema is turned into JSON Schema Draft 7:

* `x-kubernetes-int-or-string` -> `anyOf: [integer, string]`; `nullable` -> `null` allowed; `format: int32/int64`
  -> numeric bounds;
* every object schema that does not set `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`
  unless it declares `additionalProperties` itself: an undeclared key is exactly what the apiserver would PRUNE
  (drop silently), so here it is an error;
* the root `metadata` (only `type: object` in a CRD; the apiserver validates ObjectMeta itself) accepts the
  ObjectMeta fields a client may send, with label and annotation syntax checked.

Checks beyond Draft 7: `x-kubernetes-list-type: map` key uniqueness, `set` uniqueness, and the CEL
`x-kubernetes-validations` rule shapes these CRDs use (an unrecognised rule is reported, never skipped).
`self == oldSelf` (transition rules) do not apply to a create and are skipped.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from reference import reference_path

LEVEL_DIRS: dict[str, tuple[str, ...]] = {
    "v2.2": (),
    "v2.1": ("versions", "v2.1.0"),
    "v2.0": ("versions", "v2.0.1"),
}
CRD_FILES = {
    "trainjobs": "trainer.kubeflow.org_trainjobs.yaml",
    "trainingruntimes": "trainer.kubeflow.org_trainingruntimes.yaml",
    "clustertrainingruntimes": "trainer.kubeflow.org_clustertrainingruntimes.yaml",
}
OBJECT_META = {
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "finalizers",
    "ownerReferences",
}
INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_QUALIFIED = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


def load_yaml(path: Path) -> Any:
    with path.open() as handle:
        return yaml.safe_load(handle)


def level_path(level: str, *parts: str) -> Path:
    """`parts` inside the reference folder of the release of this API level (skips the test when absent)."""
    return reference_path("kubeflow-trainer", *LEVEL_DIRS[level], *parts)


def runtime_dir(level: str) -> Path:
    """The folder of the default runtimes shipped with the release of this API level."""
    return level_path(level, "runtimes")


@functools.cache
def crd_schema(level: str, plural: str = "trainjobs") -> dict[str, Any]:
    """The `openAPIV3Schema` of the served version of one CRD of one release."""
    crd = load_yaml(level_path(level, "crds", CRD_FILES[plural]))
    (version,) = [v for v in crd["spec"]["versions"] if v.get("served")]
    return version["schema"]["openAPIV3Schema"]  # type: ignore[no-any-return]


def _object_meta_schema() -> dict[str, Any]:
    string_map = {"type": "object", "additionalProperties": {"type": "string"}}
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 253, "pattern": _DNS_SUBDOMAIN},
            "generateName": {"type": "string"},
            "namespace": {"type": "string", "maxLength": 63, "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
            "labels": string_map,
            "annotations": string_map,
            "finalizers": {"type": "array", "items": {"type": "string"}},
            "ownerReferences": {"type": "array", "items": {"type": "object"}},
        },
        "additionalProperties": False,
    }


def to_draft7(node: dict[str, Any], *, root: bool = False) -> dict[str, Any]:
    """Translate one structural-schema node (recursively) into Draft 7, making pruning an error."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("description", "default", "example") or key.startswith("x-kubernetes-") or key == "nullable":
            continue
        if key == "properties":
            out[key] = {name: to_draft7(child) for name, child in value.items()}
        elif key in ("items", "not") and isinstance(value, dict):
            out[key] = to_draft7(value)
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = to_draft7(value)
        elif key in ("anyOf", "allOf", "oneOf"):
            out[key] = [to_draft7(child) for child in value]
        else:
            out[key] = copy.deepcopy(value)
    if node.get("x-kubernetes-int-or-string") and "anyOf" not in out:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    bounds = INT_BOUNDS.get(node.get("format", ""))
    if bounds and node.get("type") == "integer":
        out["minimum"] = max(out.get("minimum", bounds[0]), bounds[0])
        out["maximum"] = min(out.get("maximum", bounds[1]), bounds[1])
    preserve = node.get("x-kubernetes-preserve-unknown-fields") or node.get("x-kubernetes-embedded-resource")
    if node.get("type") == "object" and not preserve and "additionalProperties" not in node:
        out["additionalProperties"] = False
    if root:
        out.setdefault("properties", {})["metadata"] = _object_meta_schema()
    return out


@functools.cache
def draft7_validator(level: str, plural: str = "trainjobs") -> jsonschema.Draft7Validator:
    schema = to_draft7(crd_schema(level, plural), root=True)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


# --- CEL: the rule shapes used by the Trainer CRDs, evaluated by pattern -------------------------------------------
_CMP = re.compile(r"^self\s*(>=|<=|>|<|==|!=)\s*(-?\d+)$")
_MATCHES = re.compile(r"^self((?:\.\w+)*)\.matches\('(.*)'\)$")
_SIZE = re.compile(r"^size\(self((?:\.\w+)*)\)\s*(<=|<|>=|>|==)\s*(\d+)$")
_IN = re.compile(r"^self in \[(.*)\]$")
_HAS = re.compile(r"^has\(self\.(\w+)\)$")
_OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _select(value: Any, dotted: str) -> Any:
    for part in filter(None, dotted.split(".")):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def cel_holds(rule: str, value: Any) -> bool | None:
    """Evaluate one rule on a new object; `None` means "does not apply to a create" (transition rule)."""
    rule = " ".join(rule.split())
    if "oldSelf" in rule:
        return None
    if " || " in rule:
        results = [cel_holds(part, value) for part in rule.split(" || ")]
        return any(result is True for result in results)
    if rule == "self == ''":
        return value == ""
    if m := _CMP.match(rule):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        return numeric and _OPS[m.group(1)](value, int(m.group(2)))
    if m := _MATCHES.match(rule):
        return re.search(m.group(2), str(_select(value, m.group(1)))) is not None
    if m := _SIZE.match(rule):
        return _OPS[m.group(2)](len(_select(value, m.group(1)) or ""), int(m.group(3)))
    if m := _IN.match(rule):
        return value in re.findall(r"'([^']*)'", m.group(1))
    if m := _HAS.match(rule):
        return isinstance(value, dict) and m.group(1) in value
    raise ValueError(f"unrecognised CEL rule {rule!r}")


def _walk_extras(schema: dict[str, Any], value: Any, path: str, errors: list[str], cel: bool) -> None:
    """CEL rules and list-type uniqueness, walking the original schema alongside the instance."""
    for rule in schema.get("x-kubernetes-validations") or [] if cel else []:
        try:
            held = cel_holds(rule["rule"], value)
        except ValueError as exc:
            errors.append(f"{path or '<root>'}: {exc}")
            continue
        if held is False:
            errors.append(f"{path or '<root>'}: CEL rule {rule['rule']!r} failed: {rule.get('message', '')}")
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, child in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                _walk_extras(sub, child, f"{path}.{key}", errors, cel)
    elif isinstance(value, list):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "map":
            keys = schema.get("x-kubernetes-list-map-keys") or []
            seen = [tuple(item.get(k) for k in keys) for item in value if isinstance(item, dict)]
            if len(seen) != len(set(seen)):
                errors.append(f"{path}: duplicate map-list keys {keys} in {seen}")
        elif list_type == "set" and len({repr(item) for item in value}) != len(value):
            errors.append(f"{path}: duplicate items in a set list")
        for index, child in enumerate(value):
            if isinstance(schema.get("items"), dict):
                _walk_extras(schema["items"], child, f"{path}[{index}]", errors, cel)


def _metadata_errors(metadata: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(metadata, dict):
        return errors
    for key, value in (metadata.get("labels") or {}).items():
        if not _QUALIFIED.match(key) or not isinstance(value, str) or not _LABEL_VALUE.match(value):
            errors.append(f".metadata.labels: invalid label {key!r}: {value!r}")
    for key in metadata.get("annotations") or {}:
        if not _QUALIFIED.match(key):
            errors.append(f".metadata.annotations: invalid key {key!r}")
    return errors


def validate(obj: dict[str, Any], level: str, plural: str = "trainjobs", *, cel: bool = True) -> list[str]:
    """All the reasons the apiserver of this release would reject `obj` or prune part of it (empty if none).

    `cel=False` skips the CEL rules: the runtime CRDs use rule shapes (`exists`, `&&`, negations) this checker does
    not evaluate; the TrainJob CRDs' rules are all recognised and always checked.
    """
    errors = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in draft7_validator(level, plural).iter_errors(obj)
    ]
    _walk_extras(crd_schema(level, plural), obj, "", errors, cel)
    errors += _metadata_errors(obj.get("metadata"))
    return sorted(errors)


# --- v1 Secret ----------------------------------------------------------------------------------------------------
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata"],
    "properties": {
        "apiVersion": {"const": "v1"},
        "kind": {"const": "Secret"},
        "metadata": _object_meta_schema() | {"required": ["name"]},
        "type": {"type": "string"},
        "immutable": {"type": "boolean"},
        "data": {
            "type": "object",
            "propertyNames": {"pattern": SECRET_KEY, "maxLength": 253},
            "additionalProperties": {"type": "string"},
        },
        "stringData": {
            "type": "object",
            "propertyNames": {"pattern": SECRET_KEY, "maxLength": 253},
            "additionalProperties": {"type": "string"},
        },
    },
    "additionalProperties": False,
}


def validate_secret(obj: dict[str, Any]) -> list[str]:
    """Why a v1 Secret body would be rejected or pruned (empty if none); `data` values must be base64."""
    errors = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in jsonschema.Draft7Validator(SECRET_SCHEMA).iter_errors(obj)
    ]
    for key, value in (obj.get("data") or {}).items():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            errors.append(f"data.{key}: not base64")
    errors += _metadata_errors(obj.get("metadata"))
    return sorted(errors)


# --- runtimes: the shipped ones, and two TrainingRuntimes derived from them for the cases they lack ---------------
FRAMEWORK_LABEL = "trainer.kubeflow.org/framework"


@functools.cache
def _shipped(level: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(runtime_dir(level).rglob("*.yaml")):
        obj = load_yaml(path)
        if isinstance(obj, dict) and obj.get("kind") == "ClusterTrainingRuntime":
            found[obj["metadata"]["name"]] = obj
    return found


def shipped_runtime(level: str, name: str) -> dict[str, Any]:
    """A copy of a default ClusterTrainingRuntime shipped with the release of this API level."""
    return copy.deepcopy(_shipped(level)[name])


def _jobs(runtime: dict[str, Any]) -> list[dict[str, Any]]:
    return runtime["spec"]["template"]["spec"]["replicatedJobs"]  # type: ignore[no-any-return]


def torch_with_initializers(level: str, namespace: str = "team-a") -> dict[str, Any]:
    """A namespaced torch TrainingRuntime with dataset and model initializer steps.

    Built from the release's own torchtune runtime (initializer steps, shared volume) with its trainer node
    replaced by the release's `torch-distributed` node container and the framework label set to `torch`.
    """
    runtime = shipped_runtime(level, "torchtune-llama3.2-1b")
    torch_node = next(job for job in _jobs(shipped_runtime(level, "torch-distributed")) if job["name"] == "node")
    torch_container = torch_node["template"]["spec"]["template"]["spec"]["containers"][0]
    for job in _jobs(runtime):
        if job["name"] == "node":
            (container,) = job["template"]["spec"]["template"]["spec"]["containers"]
            container.pop("command", None)
            container["image"] = torch_container["image"]
            if "command" in torch_container:
                container["command"] = list(torch_container["command"])
    runtime["kind"] = "TrainingRuntime"
    runtime["metadata"] = {
        "name": "torch-with-initializers",
        "namespace": namespace,
        "labels": {FRAMEWORK_LABEL: "torch"},
    }
    runtime["spec"]["mlPolicy"] = shipped_runtime(level, "torch-distributed")["spec"]["mlPolicy"]
    return runtime


def plain_runtime(level: str, namespace: str = "team-a") -> dict[str, Any]:
    """A namespaced TrainingRuntime with no ML policy source: the function runs under plain `python`."""
    runtime = shipped_runtime(level, "torch-distributed")
    runtime["kind"] = "TrainingRuntime"
    runtime["metadata"] = {"name": "plain-python", "namespace": namespace, "labels": {FRAMEWORK_LABEL: "python"}}
    runtime["spec"]["mlPolicy"] = {"numNodes": 1}
    for job in _jobs(runtime):
        for container in job["template"]["spec"]["template"]["spec"]["containers"]:
            container.pop("command", None)
            container["image"] = "python:3.11-slim"
    return runtime
