"""Where the upstream reference data (CRDs, runtimes, OpenAPI specs) lives, and what a test does without it.

One setting: ``KUBEFLOW_SDK_REFERENCE`` names the folder (the one holding ``kubeflow-trainer/``, ``katib/`` and
``model-registry/``); by default it is ``../shared/reference`` beside the repository. A fresh clone elsewhere has no
such folder: tests that need it skip with a one-line reason. Where ``KUBEFLOW_SDK_REFERENCE_REQUIRED=1`` (CI sets
it), a missing folder fails the test instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV = "KUBEFLOW_SDK_REFERENCE"
REQUIRED_ENV = "KUBEFLOW_SDK_REFERENCE_REQUIRED"
REPO_ROOT = Path(__file__).resolve().parents[2]


def reference_root() -> Path:
    """The configured reference folder (it may not exist)."""
    configured = os.environ.get(ENV)
    return Path(configured).expanduser().resolve() if configured else REPO_ROOT.parent / "shared" / "reference"


def available(*parts: str) -> bool:
    """Whether ``reference_root()/parts...`` exists."""
    return reference_root().joinpath(*parts).exists()


def required() -> bool:
    """Whether a missing reference is a failure rather than a skip (``KUBEFLOW_SDK_REFERENCE_REQUIRED=1``)."""
    return os.environ.get(REQUIRED_ENV) == "1"


def reference_path(*parts: str) -> Path:
    """``reference_root()/parts...``; skips the calling test (fails it where required) when it is absent."""
    path = reference_root().joinpath(*parts)
    if not path.exists():
        reason = f"reference data absent: {path} (set {ENV} to the folder holding it)"
        if required():
            pytest.fail(f"{reason}; {REQUIRED_ENV}=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    return path
