"""Descriptions of the API resources the SDK reads and writes: group, version, plural, kind, scope."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    """One API resource type.

    Attributes:
        group: API group; `""` for the core group (`/api/v1`).
        version: API version, e.g. `v1` or `v1alpha1`.
        plural: Resource name in URLs, e.g. `trainjobs`.
        kind: Object kind, e.g. `TrainJob`.
        namespaced: Whether objects live in a namespace.
        core_name: For core resources, the snake-case name in `CoreV1Api` methods (`pod`, `config_map`).
    """

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    core_name: str | None = None

    @property
    def api_version(self) -> str:
        """The `apiVersion` string of objects of this resource."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def is_core(self) -> bool:
        """Whether the resource is in the core group (served by `CoreV1Api`)."""
        return not self.group

    def describe(self, name: str | None = None, namespace: str | None = None) -> str:
        """A short description for messages, e.g. `TrainJob 'x' in namespace 'ns'`."""
        text = self.kind if name is None else f"{self.kind} {name!r}"
        if namespace and self.namespaced:
            text += f" in namespace {namespace!r}"
        return text


PODS = Resource("", "v1", "pods", "Pod", core_name="pod")
EVENTS = Resource("", "v1", "events", "Event", core_name="event")
SECRETS = Resource("", "v1", "secrets", "Secret", core_name="secret")
CONFIG_MAPS = Resource("", "v1", "configmaps", "ConfigMap", core_name="config_map")
CUSTOM_RESOURCE_DEFINITIONS = Resource(
    "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", namespaced=False
)

__all__ = ["CONFIG_MAPS", "CUSTOM_RESOURCE_DEFINITIONS", "EVENTS", "PODS", "SECRETS", "Resource"]
