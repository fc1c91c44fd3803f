"""What `PipelinesClient` will report: pipeline runs and their states."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class RunStatus(str, Enum):
    """The state of a pipeline run (the Kubeflow Pipelines v2 `RuntimeState` values)."""

    UNSPECIFIED = "RUNTIME_STATE_UNSPECIFIED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    PAUSED = "PAUSED"

    @property
    def is_terminal(self) -> bool:
        """Whether the run has finished and will not change state again."""
        return self in (RunStatus.SUCCEEDED, RunStatus.SKIPPED, RunStatus.FAILED, RunStatus.CANCELED)


class Run(BaseModel):
    """One run of a pipeline."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    run_id: str = Field(min_length=1)
    """The server-generated run id."""
    display_name: str = Field(min_length=1)
    """The run's name."""
    status: RunStatus = RunStatus.PENDING
    """The current state."""
    pipeline_name: str | None = None
    """The name of the pipeline the run executes, when known."""
    experiment_id: str | None = None
    """The experiment the run belongs to, when known."""
    created_at: datetime | None = None
    """When the run was created."""
    finished_at: datetime | None = None
    """When the run finished; `None` while it runs."""
    error: str | None = None
    """The failure message of a failed run."""
