"""Facts about the repository layout shared by the meta tests."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "kubeflow-core": "core",
    "kubeflow-trainer": "trainer",
    "kubeflow-katib": "katib",
    "kubeflow-pipelines": "pipelines",
    "kubeflow-model-registry": "model_registry",
}


def pyproject(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        return tomllib.load(handle)
