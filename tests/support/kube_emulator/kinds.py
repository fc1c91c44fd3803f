"""What the apiserver does to specific built-in kinds on create: defaults, status resets, checks."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .selectors import LabelSelector
from .status import ApiError, FieldError, bad_request, go_value
from .util import LABEL_MESSAGE, SUBDOMAIN_MESSAGE, is_label, is_subdomain

Obj = dict[str, Any]


def quantity(value: Any) -> str:
    """Serialize a resource quantity as the apiserver does for built-in kinds (always a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{round(value * 1000)}m"


def normalize_resources(container: Obj) -> None:
    """Turn numeric ``requests``/``limits`` into quantity strings (CRD int-or-string values stay numbers)."""
    resources = container.get("resources")
    if isinstance(resources, dict):
        for key in ("requests", "limits"):
            if isinstance(resources.get(key), dict):
                resources[key] = {name: quantity(v) for name, v in resources[key].items()}


def _container_defaults(container: Obj) -> None:
    image = container.get("image", "")
    tagless = ":" not in image.rsplit("/", 1)[-1] and "@" not in image
    container.setdefault("imagePullPolicy", "Always" if tagless or image.endswith(":latest") else "IfNotPresent")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    normalize_resources(container)


def qos_class(spec: Obj) -> str:
    """``Guaranteed``, ``Burstable`` or ``BestEffort`` from the containers' resources."""
    containers = spec.get("containers") or []
    resources = [c.get("resources") or {} for c in containers if isinstance(c, dict)]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(
        r.get("limits")
        and all(r.get("limits", {}).get(k) == v for k, v in (r.get("requests") or {}).items())
        and {"cpu", "memory"} <= set(r.get("limits", {}))
        for r in resources
    )
    return "Guaranteed" if guaranteed else "Burstable"


def pod_defaults(pod: Obj) -> None:
    """Apply the pod defaults the apiserver fills (restartPolicy, dnsPolicy, service account...)."""
    spec = pod.setdefault("spec", {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    for key in ("initContainers", "containers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                _container_defaults(container)


def validate_pod(pod: Obj) -> list[FieldError]:
    """The pod checks a client most often trips: containers, names, images."""
    errors: list[FieldError] = []
    spec = pod.get("spec") or {}
    containers = spec.get("containers")
    if not containers:
        return [FieldError("FieldValueRequired", "spec.containers", "Required value")]
    seen: set[str] = set()
    for index, container in enumerate(containers):
        path = f"spec.containers[{index}]"
        name = container.get("name") if isinstance(container, dict) else None
        if not name:
            errors.append(FieldError("FieldValueRequired", f"{path}.name", "Required value"))
        elif name in seen:
            errors.append(FieldError("FieldValueDuplicate", f"{path}.name", f"Duplicate value: {go_value(name)}"))
        else:
            seen.add(name)
        if isinstance(container, dict) and not container.get("image"):
            errors.append(FieldError("FieldValueRequired", f"{path}.image", "Required value"))
    return errors


def prepare_create(kind: str, obj: Obj) -> list[FieldError]:
    """Kind-specific create handling (mutates ``obj``); returns validation errors."""
    if kind == "Pod":
        pod_defaults(obj)
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj.get("spec") or {})}
        return validate_pod(obj)
    if kind == "Secret":
        prepare_secret(obj)
    elif kind == "Namespace":
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        obj["status"] = {"phase": "Active"}
    elif kind == "ServiceAccount":
        pass
    return []


def prepare_secret(secret: Obj) -> None:
    """Fold ``stringData`` into base64 ``data`` and check ``data`` is base64, as the apiserver does."""
    secret.setdefault("type", "Opaque")
    data = secret.get("data") or {}
    for key, value in data.items():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise bad_request(
                f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data '
                f"at input byte 0 (key {key!r})"
            ) from None
    for key, value in (secret.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode("utf-8")).decode("ascii")
    if data:
        secret["data"] = data


def validate_name(name: str, kind: str) -> list[FieldError]:
    """``metadata.name`` must be an RFC 1123 subdomain (a label for namespaces)."""
    if kind == "Namespace":
        if not is_label(name):
            return [
                FieldError("FieldValueInvalid", "metadata.name", f"Invalid value: {go_value(name)}: " + LABEL_MESSAGE)
            ]
        return []
    if not is_subdomain(name):
        return [
            FieldError("FieldValueInvalid", "metadata.name", f"Invalid value: {go_value(name)}: " + SUBDOMAIN_MESSAGE)
        ]
    return []


def validate_labels(meta: Obj) -> list[FieldError]:
    """Label keys and values must be valid label syntax."""
    errors: list[FieldError] = []
    labels = meta.get("labels") or {}
    if not isinstance(labels, dict):
        return [FieldError("FieldValueTypeInvalid", "metadata.labels", "Invalid value: must be a map")]
    for key, value in labels.items():
        if not isinstance(value, str):
            errors.append(
                FieldError(
                    "FieldValueTypeInvalid",
                    f"metadata.labels[{key}]",
                    f"Invalid value: {go_value(value)}: must be a string",
                )
            )
            continue
        try:
            LabelSelector.parse(f"{key}={value}" if value else key)
        except ApiError:
            errors.append(
                FieldError(
                    "FieldValueInvalid",
                    "metadata.labels",
                    f"Invalid value: {go_value(value or key)}: a valid label must be an empty string "
                    "or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    "with an alphanumeric character",
                )
            )
    return errors
