"""Fixtures: the same behavioural suite runs against the local store and the REST backend (on the emulator)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubeflow.model_registry import ModelRegistryClient
from model_registry_emulator import ModelRegistryEmulator
from model_registry_emulator.schema import Spec
from reference import REQUIRED_ENV, available, reference_path

TOKEN = "test-token-not-a-secret"


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults (local store, local jobs) land in this test's directory, never in $HOME."""
    monkeypatch.setenv("KUBEFLOW_LOCAL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("KUBEFLOW_MODEL_REGISTRY_DB", raising=False)


SPEC = ("model-registry", "model-registry.yaml")


@pytest.fixture(scope="session")
def spec() -> Spec | None:
    """The Model Registry OpenAPI spec; `None` on a fresh clone without the reference data (CI requires it).

    Without it the REST tests still run, but their exchanges are not validated against the spec.
    """
    if not available(*SPEC) and os.environ.get(REQUIRED_ENV) != "1":
        return None
    return Spec(reference_path(*SPEC))


@pytest.fixture(scope="session")
def strict_spec(spec: Spec | None) -> Spec:
    """The spec, for tests about the validation itself (they skip without it, and fail in CI)."""
    if spec is None:
        reference_path(*SPEC)  # skips (or fails where required)
    assert spec is not None
    return spec


@pytest.fixture
def emulator(spec: Spec | None) -> Iterator[ModelRegistryEmulator]:
    """A spec-validating Model Registry emulator on loopback; the test fails if any exchange broke the spec."""
    with ModelRegistryEmulator(spec, token=TOKEN) as server:
        yield server
    assert not server.violations, "requests or responses the spec forbids:\n" + "\n".join(server.violations)


@pytest.fixture(params=["local", "rest"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which backend the behavioural suite runs against."""
    return str(request.param)


@pytest.fixture
def registry(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ModelRegistryClient]:
    """A client of the local store (in tmp_path) or of the REST emulator."""
    if backend == "local":
        client = ModelRegistryClient(f"file://{tmp_path / 'registry.sqlite3'}", author="alice")
    else:
        server: ModelRegistryEmulator = request.getfixturevalue("emulator")
        client = ModelRegistryClient(server.url, author="alice", user_token=TOKEN)
    with client:
        yield client
