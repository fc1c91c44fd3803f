"""`kubeflow.pipelines` preview: public names, `Run`/`RunStatus`, honest `NotImplementedError`s."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import ValidationError

import kubeflow.pipelines
from kubeflow.core.errors import InvalidInputError
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.pipelines import PipelinesClient, Run, RunStatus


def _pipeline(x: int = 1) -> None:
    print(x)


def test_package_exports_its_names() -> None:
    assert kubeflow.pipelines.__version__ == "2026.12.0"
    assert "PREVIEW" in (kubeflow.pipelines.__doc__ or "")
    assert set(kubeflow.pipelines.__all__) == {"PipelinesClient", "Run", "RunStatus", "__version__"}
    for name in ("PipelinesClient", "Run", "RunStatus"):
        assert getattr(kubeflow.pipelines, name).__doc__


def test_import_is_light() -> None:
    code = "import sys, kubeflow.pipelines; print(sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_run_reads_states_and_validates() -> None:
    run = Run(run_id="r-1", display_name="nightly", status="SUCCEEDED", created_at=datetime.now(timezone.utc))
    assert run.status is RunStatus.SUCCEEDED
    assert run.status.is_terminal
    assert not RunStatus.RUNNING.is_terminal
    assert {s.value for s in RunStatus if s.is_terminal} == {"SUCCEEDED", "SKIPPED", "FAILED", "CANCELED"}
    assert Run.model_validate(run.model_dump(mode="json")) == run
    with pytest.raises(ValidationError, match="run_id"):
        Run(run_id="", display_name="nightly")
    with pytest.raises(ValidationError, match="status"):
        Run(run_id="r-1", display_name="nightly", status="DONE")


def test_client_checks_its_backend_config() -> None:
    assert PipelinesClient().backend_config is None
    config = KubernetesBackendConfig()
    assert PipelinesClient(config).backend_config is config
    with pytest.raises(InvalidInputError) as info:
        PipelinesClient("https://kfp.example.com")  # type: ignore[arg-type]
    assert info.value.field == "backend_config"


_OPERATIONS: list[tuple[str, Callable[[PipelinesClient], Any]]] = [
    ("create_run_from_pipeline_func", lambda c: c.create_run_from_pipeline_func(_pipeline, {"x": 2})),
    ("list_runs", lambda c: c.list_runs()),
    ("get_run", lambda c: c.get_run("r-1")),
    ("wait_for_run_completion", lambda c: c.wait_for_run_completion("r-1", timeout=1)),
    ("delete_run", lambda c: c.delete_run("r-1")),
]


@pytest.mark.parametrize(("operation", "call"), _OPERATIONS, ids=[op for op, _ in _OPERATIONS])
def test_operations_raise_not_implemented_naming_the_package(
    operation: str, call: Callable[[PipelinesClient], Any]
) -> None:
    with pytest.raises(NotImplementedError) as info:
        call(PipelinesClient())
    assert str(info.value).startswith(f"kubeflow.pipelines: PipelinesClient.{operation} is not available yet")
