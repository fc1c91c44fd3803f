"""What the local-process backend takes (a job of N node processes) and what it reports back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NodeStatus = Literal["Pending", "Running", "Succeeded", "Failed"]


class NodeSpec(BaseModel):
    """One node of a job: a process started from an argument vector (never through a shell)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][-A-Za-z0-9_.]*$")
    """Node name, unique in the job (e.g. `node-0`); its log is `logs/<name>.log`."""
    argv: list[str] = Field(min_length=1)
    """The program and its arguments."""
    env: dict[str, str] = Field(default_factory=dict)
    """Variables set for this node only, on top of the job's environment."""
    cwd: str | None = None
    """Working directory; `None` uses the job's."""


class InitialEvent(BaseModel):
    """An event recorded when the job is created, e.g. a resource that cannot be honoured locally."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    reason: str
    message: str
    type: Literal["Normal", "Warning"] = "Normal"


class LocalJobSpec(BaseModel):
    """A job: N node processes started together and supervised to their end."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str
    """Job name (an RFC 1035 label), unique in the state directory."""
    nodes: list[NodeSpec] = Field(min_length=1)
    """The node processes."""
    env: dict[str, str] = Field(default_factory=dict)
    """Variables set for every node."""
    inherit_env: bool = True
    """Start from the caller's environment (`os.environ` at submission) before applying `env`."""
    cwd: str | None = None
    """Working directory of the nodes; `None` means the caller's current directory."""
    files: dict[str, str] = Field(default_factory=dict)
    """Text files to write into the job directory before the nodes start (relative path -> content)."""
    kind: str = "Job"
    """The kind of object job-level events are about (e.g. `TrainJob`)."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Labels recorded with the job."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Data of the package above (JSON-serialisable), recorded with the job and returned by `describe`."""
    ports: list[int] = Field(default_factory=list)
    """TCP ports the job listens on; two unfinished jobs never hold the same port."""
    events: list[InitialEvent] = Field(default_factory=list)
    """Events to record at creation."""
    shared_locks: list[str] = Field(default_factory=list)
    """Files the supervisor holds a shared `flock` on while the job runs (e.g. to keep a cached environment from
    being pruned under the job)."""


class LocalJobRequest(BaseModel):
    """What `schedule` launches: the resolved job directory, record, launch description and supervisor command."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str
    job_dir: str
    """Where the job's state will live."""
    record: dict[str, Any]
    """The initial `job.json` (no environment values: only their names)."""
    launch: dict[str, Any] = Field(repr=False)
    """argv, full environment and cwd of every node (handed to the supervisor, then removed from disk)."""
    files: dict[str, str] = Field(default_factory=dict)
    """Files written into the job directory."""
    supervisor_argv: list[str]
    """The command that starts the supervisor."""
    ports: list[int] = Field(default_factory=list)
    events: list[InitialEvent] = Field(default_factory=list)


class LocalNodeInfo(BaseModel):
    """One node as recorded."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    status: NodeStatus
    pid: int | None = None
    exit_code: int | None = None
    started: datetime | None = None
    finished: datetime | None = None
    terminated: bool = False
    """Whether the node was terminated by the backend (because another node failed, or the job was stopped)."""
    argv: list[str] = Field(default_factory=list)
    log_path: str


class LocalJobInfo(BaseModel):
    """A job as recorded in its state directory."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    kind: str
    status: Literal["Created", "Running", "Complete", "Failed"]
    reason: str | None = None
    message: str | None = None
    created: datetime
    started: datetime | None = None
    finished: datetime | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)
    ports: list[int] = Field(default_factory=list)
    nodes: list[LocalNodeInfo]
    failed_node: str | None = None
    """The first node that failed, when one did."""
    failed_exit_code: int | None = None
    """Its exit code."""
    supervisor_pid: int | None = None
    job_dir: str
    revision: str = ""
    """Changes whenever the record changes; pass it to `LocalProcessBackend.wait_for_change`."""
    uid: str | None = None
    """The job's generation: a new job of the same name gets another."""


class ProgressRecord(BaseModel):
    """One report from inside a job: any of progress, time left, a step (epoch) and named metric values."""

    model_config = ConfigDict(frozen=True)

    time: datetime
    """When it was reported (UTC)."""
    node: str | None = None
    """The node that reported it (`node-0`, ...), where known."""
    progress_percent: int | None = Field(default=None, ge=0, le=100)
    estimated_remaining_seconds: int | None = Field(default=None, ge=0)
    step: int | None = None
    """The step or epoch the metrics belong to, where the reporter gave one."""
    metrics: dict[str, float | int | str] = Field(default_factory=dict)
