"""Detect the installed Kubeflow Trainer release and map it to the TrainJob shape (API level) it accepts.

All releases serve `trainer.kubeflow.org/v1alpha1`, but the TrainJob spec changed incompatibly (see the reference
notes): v2.0 has `podSpecOverrides`, v2.1 `podTemplateOverrides`, v2.2+ `runtimePatches`. A v2.2+ server silently
prunes the older fields, so the body must match the release. Detection, cached per backend:

1. the `kubeflow-trainer-public` ConfigMap in `kubeflow-system` (data `kubeflow_trainer_version`, v2.2+);
2. else the TrainJob CRD's schema: which of `runtimePatches`, `podTemplateOverrides`, `podSpecOverrides` it has.

An unknown or unreadable release is refused with an error that says what was found and how to fix it.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from typing import Any, Literal

from kubeflow.core.errors import BackendError, KubeflowError
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import CONFIG_MAPS, CUSTOM_RESOURCE_DEFINITIONS
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes import resources as r
from kubeflow.trainer.backends.kubernetes.body.request import RELEASE_NAMES

log = logging.getLogger(__name__)

Level = Literal["v2.0", "v2.1", "v2.2"]
LEVELS: tuple[Level, ...] = ("v2.0", "v2.1", "v2.2")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")
_DEV_VERSIONS = frozenset({"dev", "master", "main", "latest"})


NEWEST: Level = "v2.2"
"""The shape used when the release cannot be read."""


class UnsupportedTrainerError(BackendError):
    """The cluster runs a Kubeflow Trainer release this SDK cannot build TrainJobs for."""


class TrainerCompatibilityWarning(UserWarning):
    """The SDK could not tell the Trainer release, or the server dropped fields the SDK sent."""


def warn(message: str) -> None:
    """Report a compatibility problem both ways: a Python warning and a logged warning."""
    log.warning("%s", message)
    warnings.warn(message, TrainerCompatibilityWarning, stacklevel=3)


def level_from_version(version: str) -> Level:
    """Map a Trainer release string (`v2.1.0`, `2.3.1`, `dev`) to an API level.

    Raises:
        UnsupportedTrainerError: The release is not 2.x or not understood.
    """
    text = version.strip()
    if text.lower() in _DEV_VERSIONS:
        return "v2.2"
    match = _VERSION.match(text)
    if not match:
        raise UnsupportedTrainerError(
            f"Cannot understand the Kubeflow Trainer version {version!r} published in ConfigMap "
            f"{r.VERSION_NAMESPACE}/{r.VERSION_CONFIG_MAP}. Supported releases: v2.0, v2.1, v2.2 and later v2.x.",
            reason="UnsupportedTrainerVersion",
        )
    major, minor = int(match[1]), int(match[2])
    if major != 2:
        raise UnsupportedTrainerError(
            f"Kubeflow Trainer {version} is not supported by this SDK (it supports v2.0 to v2.x). "
            "Fix: use an SDK release made for that Trainer release.",
            reason="UnsupportedTrainerVersion",
        )
    return "v2.0" if minor == 0 else "v2.1" if minor == 1 else "v2.2"


def level_from_crd(crd: dict[str, Any]) -> Level:
    """Tell the API level from the TrainJob CRD's `v1alpha1` schema.

    Raises:
        UnsupportedTrainerError: The schema has none of the known fields.
    """
    versions = (crd.get("spec") or {}).get("versions") or []
    chosen = next((v for v in versions if v.get("name") == constants.VERSION), None)
    schema = ((chosen or {}).get("schema") or {}).get("openAPIV3Schema") or {}
    spec = ((schema.get("properties") or {}).get("spec") or {}).get("properties") or {}
    if "runtimePatches" in spec:
        return "v2.2"
    if "podTemplateOverrides" in spec:
        return "v2.1"
    if "podSpecOverrides" in spec:
        return "v2.0"
    raise UnsupportedTrainerError(
        f"The TrainJob CRD {r.TRAINJOB_CRD} has an unknown shape (no runtimePatches, podTemplateOverrides or "
        "podSpecOverrides in its v1alpha1 schema), so the SDK cannot build a TrainJob it would accept.",
        reason="UnsupportedTrainerVersion",
    )


class VersionDetector:
    """Detects the API level once per backend (thread-safe) and caches it."""

    def __init__(self, objects: ObjectClient) -> None:
        self.objects = objects
        self._level: Level | None = None
        self._lock = threading.Lock()
        self.source: str | None = None

    def level(self) -> Level:
        """The API level of the cluster's Trainer; the newest (`v2.2`, with a warning) when it cannot be read.

        Raises:
            UnsupportedTrainerError: The release was read and is not supported.
        """
        if self._level is None:
            with self._lock:
                if self._level is None:
                    level = self._detect()
                    if level is None:
                        return NEWEST  # a guess: not cached, so the next call reads again
                    self._level = level
        return self._level

    def _detect(self) -> Level | None:
        problems: list[str] = []
        try:
            config_map = self.objects.get(CONFIG_MAPS, r.VERSION_CONFIG_MAP, r.VERSION_NAMESPACE)
        except KubeflowError as exc:
            problems.append(f"ConfigMap {r.VERSION_NAMESPACE}/{r.VERSION_CONFIG_MAP}: {_why(exc)}")
        else:
            version = ((config_map.get("data") or {}).get(r.VERSION_KEY) or "").strip()
            if version:
                level = level_from_version(version)
                self.source = f"ConfigMap {r.VERSION_NAMESPACE}/{r.VERSION_CONFIG_MAP} ({version})"
                log.debug("Kubeflow Trainer %s detected from %s: API level %s", version, self.source, level)
                return level
            problems.append(f"ConfigMap {r.VERSION_NAMESPACE}/{r.VERSION_CONFIG_MAP} has no {r.VERSION_KEY!r}")
        try:
            crd = self.objects.get(CUSTOM_RESOURCE_DEFINITIONS, r.TRAINJOB_CRD)
        except KubeflowError as exc:
            problems.append(f"CRD {r.TRAINJOB_CRD}: {_why(exc)}")
        else:
            level = level_from_crd(crd)
            self.source = f"CRD {r.TRAINJOB_CRD} schema"
            log.debug("Kubeflow Trainer API level %s detected from the %s", level, self.source)
            return level
        self.source = "a guess: the newest release (the release could not be read)"
        warn(
            "Cannot tell which Kubeflow Trainer release the cluster runs (" + "; ".join(problems) + "), so the "
            f"TrainJob is built for the newest one ({RELEASE_NAMES[NEWEST]}). If the cluster runs an older release, "
            "fields it does not know are dropped by the server and reported after the create. Fix: allow reading "
            f"the ConfigMap {r.VERSION_NAMESPACE}/{r.VERSION_CONFIG_MAP} or the CRD {r.TRAINJOB_CRD} (if the Trainer "
            "is installed in another namespace, set KUBEFLOW_SYSTEM_NAMESPACE)."
        )
        return None


def _why(exc: KubeflowError) -> str:
    return f"{exc.reason or type(exc).__name__}" + (f" (HTTP {exc.status})" if exc.status else "")


__all__ = [
    "LEVELS",
    "NEWEST",
    "Level",
    "TrainerCompatibilityWarning",
    "UnsupportedTrainerError",
    "VersionDetector",
    "level_from_crd",
    "level_from_version",
    "warn",
]
