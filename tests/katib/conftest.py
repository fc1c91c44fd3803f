"""Fixtures of the Katib tests: a private state directory per test, and nothing left running afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.katib import KatibClient


@pytest.fixture
def katib(tmp_path: Path) -> Iterator[KatibClient]:
    """A local `KatibClient` on a per-test state directory; every job is deleted (drivers, trials) at the end."""
    client = KatibClient(LocalProcessBackendConfig(state_dir=tmp_path / "state", termination_grace_seconds=2))
    yield client
    for job in client.list_jobs():
        client.delete_job(job.name)
