"""The job statuses every backend reports. Standard library only, so modules that need just these stay light."""

from __future__ import annotations

from typing import Final, Literal

JobStatus = Literal["Created", "Running", "Complete", "Failed"]
"""The status of a job as the SDK reports it, on every backend."""

CREATED: Final = "Created"
RUNNING: Final = "Running"
COMPLETE: Final = "Complete"
FAILED: Final = "Failed"
JOB_STATUSES: Final[frozenset[str]] = frozenset({CREATED, RUNNING, COMPLETE, FAILED})
TERMINAL_STATUSES: Final[frozenset[str]] = frozenset({COMPLETE, FAILED})
