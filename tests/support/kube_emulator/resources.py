"""Resource types the emulator serves: built-in kinds and kinds loaded from CRD YAML.

The Trainer CRDs come from the read-only reference data's ``kubeflow-trainer`` folder, found through
``tests/support/reference.py`` (default ``../shared/reference``): ``crds/`` for ``master`` and
``versions/<v>/crds/`` for older releases. Without it (a fresh clone), ``master`` falls back to the
schema-less stand-ins and the one runtime in ``fixtures/``; the older sets skip the test (fail where the
reference is required).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import reference

from .schema import CrdSchema
from .util import clone

META_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
POD_FIELDS = META_FIELDS | {
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
}
EVENT_FIELDS = META_FIELDS | {
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
}
TRAINER_VERSIONS = ("master", "v2.1.0", "v2.0.1")


@dataclass(frozen=True)
class ResourceType:
    """One REST resource (``pods``, ``trainjobs.trainer.kubeflow.org``...).

    Attributes:
        group: API group (``""`` for the core group).
        version: API version (``v1``, ``v1alpha1``).
        kind: Object kind.
        plural: Resource name in paths.
        singular: Singular name (discovery).
        namespaced: Namespace-scoped or cluster-scoped.
        status_subresource: Whether ``/status`` exists (main resource then ignores ``.status``).
        return_deleted_object: Whether DELETE answers the object (else a ``Success`` Status).
        has_generation: Whether ``metadata.generation`` is kept.
        custom: CRD-backed (needs ``apiVersion``/``kind`` in bodies, no unconditional update).
        read_only: Only get/list/watch.
        field_selectors: Fields a ``fieldSelector`` may use.
        schema: Structural schema for CRD-backed kinds.
        short_names: Discovery short names.
        index_labels: Label keys with an index (``jobset-name`` for pods).
    """

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool = True
    status_subresource: bool = False
    return_deleted_object: bool = False
    has_generation: bool = False
    custom: bool = False
    read_only: bool = False
    field_selectors: frozenset[str] = META_FIELDS
    schema: CrdSchema | None = field(default=None, compare=False, repr=False)
    short_names: tuple[str, ...] = ()
    index_labels: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        """``group/version`` or ``v1`` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        """Kind of the list object (``PodList``)."""
        return f"{self.kind}List"

    @property
    def key(self) -> str:
        """Store key: ``plural.group`` (``pods`` for the core group)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def verbs(self) -> list[str]:
        """Discovery verbs."""
        if self.read_only:
            return ["get", "list", "watch"]
        return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


JOBSET_NAME = "jobset.sigs.k8s.io/jobset-name"
JOB_NAME = "batch.kubernetes.io/job-name"


def builtin_types() -> list[ResourceType]:
    """The built-in kinds (core ``v1``, ``batch/v1`` Jobs, JobSets, CRDs)."""
    return [
        ResourceType(
            "",
            "v1",
            "Pod",
            "pods",
            "pod",
            status_subresource=True,
            return_deleted_object=True,
            field_selectors=POD_FIELDS,
            short_names=("po",),
            index_labels=(JOBSET_NAME, JOB_NAME),
        ),
        ResourceType("", "v1", "Event", "events", "event", field_selectors=EVENT_FIELDS, short_names=("ev",)),
        ResourceType("", "v1", "Secret", "secrets", "secret", field_selectors=META_FIELDS | {"type"}),
        ResourceType("", "v1", "ConfigMap", "configmaps", "configmap", short_names=("cm",)),
        ResourceType(
            "",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            "serviceaccount",
            return_deleted_object=True,
            short_names=("sa",),
        ),
        ResourceType(
            "",
            "v1",
            "Service",
            "services",
            "service",
            status_subresource=True,
            return_deleted_object=True,
            short_names=("svc",),
        ),
        ResourceType(
            "",
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            "persistentvolumeclaim",
            status_subresource=True,
            short_names=("pvc",),
        ),
        ResourceType(
            "",
            "v1",
            "Namespace",
            "namespaces",
            "namespace",
            namespaced=False,
            status_subresource=True,
            return_deleted_object=True,
            field_selectors=META_FIELDS | {"status.phase"},
            short_names=("ns",),
        ),
        ResourceType(
            "batch",
            "v1",
            "Job",
            "jobs",
            "job",
            status_subresource=True,
            has_generation=True,
            field_selectors=META_FIELDS | {"status.successful"},
            index_labels=(JOBSET_NAME,),
        ),
        ResourceType(
            "jobset.x-k8s.io",
            "v1alpha2",
            "JobSet",
            "jobsets",
            "jobset",
            status_subresource=True,
            has_generation=True,
            custom=True,
        ),
        ResourceType(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            "customresourcedefinition",
            namespaced=False,
            status_subresource=True,
            has_generation=True,
            read_only=True,
            short_names=("crd", "crds"),
        ),
    ]


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def trainer_dir(crd_set: str) -> Path | None:
    """Folder holding ``crds/`` and ``runtimes/`` for a Trainer release (``master``, ``v2.1.0``...).

    ``None`` for ``master`` when the reference data is absent and not required: the in-repo fixtures stand in.
    Otherwise a missing folder skips the calling test (fails it where the reference is required).
    """
    if crd_set not in TRAINER_VERSIONS:
        raise ValueError(f"unknown trainer CRD set {crd_set!r}; expected one of {TRAINER_VERSIONS}")
    parts = ("kubeflow-trainer",) if crd_set == "master" else ("kubeflow-trainer", "versions", crd_set)
    if crd_set == "master" and not reference.available(*parts) and not reference.required():
        return None
    return reference.reference_path(*parts)


@lru_cache(maxsize=16)
def _load_yaml(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_crds(crd_set: str) -> list[dict[str, Any]]:
    """Return the CRD objects of a Trainer release (cached; treat as read-only)."""
    folder = trainer_dir(crd_set)
    if folder is None:
        return [clone(doc) for doc in load_yaml_documents(FIXTURES / "crds.yaml")]
    return [_load_yaml(str(p)) for p in sorted((folder / "crds").glob("*.yaml"))]


def crd_types(crd: dict[str, Any]) -> list[ResourceType]:
    """Build the resource types (one per served version) a CRD object declares."""
    spec = crd["spec"]
    names = spec["names"]
    result = []
    for version in spec["versions"]:
        if not version.get("served", True):
            continue
        subresources = version.get("subresources") or {}
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        result.append(
            ResourceType(
                group=spec["group"],
                version=version["name"],
                kind=names["kind"],
                plural=names["plural"],
                singular=names.get("singular", names["kind"].lower()),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                status_subresource="status" in subresources,
                has_generation=True,
                custom=True,
                schema=CrdSchema(schema) if schema else None,
                short_names=tuple(names.get("shortNames", ())),
            )
        )
    return result


def runtime_files(crd_set: str) -> list[Path]:
    """Every runtime YAML of a Trainer release (kustomization files excluded)."""
    folder = trainer_dir(crd_set)
    runtimes = FIXTURES / "runtimes" if folder is None else folder / "runtimes"
    return sorted(p for p in runtimes.rglob("*.yaml") if p.name != "kustomization.yaml")


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Load every YAML document of a file."""
    with open(path, encoding="utf-8") as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return [doc for doc in yaml.load_all(handle, Loader=loader) if isinstance(doc, dict)]
