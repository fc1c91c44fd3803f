"""`kubeflow.core.waiting`: the status checks and wait loop shared by the trainer and Katib backends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from kubeflow.core.errors import InvalidInputError, JobFailedError, OperationTimeoutError
from kubeflow.core.waiting import check_statuses, wait_for_status


@dataclass
class _Job:
    status: str


def _reader(*statuses: str) -> tuple[list[str], Callable[[], _Job]]:
    seen: list[str] = []
    remaining = list(statuses)

    def read() -> _Job:
        status = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        seen.append(status)
        return _Job(status)

    return seen, read


def _failure(job: _Job) -> Exception:
    return JobFailedError("x", reason="Failed")


def test_check_statuses_accepts_one_or_several_and_names_the_field() -> None:
    assert check_statuses("Complete") == {"Complete"}
    assert check_statuses(["Running", "Failed"]) == {"Running", "Failed"}
    with pytest.raises(InvalidInputError, match="not a set of optimization job statuses") as info:
        check_statuses(["Done"], "optimization job")
    assert "status" in str(info.value)
    with pytest.raises(ValueError, match="an empty set"):
        check_statuses([])


@pytest.mark.parametrize(
    ("only_on_change", "expected"),
    [(False, ["Created", "Running", "Running", "Complete"]), (True, ["Created", "Running", "Complete"])],
)
def test_callbacks_every_look_or_only_on_change(only_on_change: bool, expected: list[str]) -> None:
    _, read = _reader("Created", "Running", "Running", "Complete")
    called: list[str] = []
    job = wait_for_status(
        read,
        {"Complete"},
        timeout=60,
        failure=_failure,
        wait_for_change=lambda job, remaining: None,
        callbacks=[lambda job: called.append(job.status)],
        only_on_change=only_on_change,
        label="Job 'x'",
    )
    assert job.status == "Complete"
    assert called == expected


def test_failed_job_raises_unless_failed_is_wanted() -> None:
    _, read = _reader("Running", "Failed")
    with pytest.raises(JobFailedError):
        wait_for_status(read, {"Complete"}, timeout=60, failure=_failure, wait_for_change=lambda j, r: None, label="J")
    _, read = _reader("Running", "Failed")
    job = wait_for_status(read, {"Failed"}, timeout=60, failure=_failure, wait_for_change=lambda j, r: None, label="J")
    assert job.status == "Failed"


def test_timeout_names_the_job_and_its_status() -> None:
    _, read = _reader("Running")
    waits: list[float] = []
    with pytest.raises(
        OperationTimeoutError, match=r"Job 'x' did not reach \['Complete'\] within 1e-09 s; its status is 'Running'"
    ):
        wait_for_status(
            read,
            {"Complete"},
            timeout=1e-9,
            failure=_failure,
            wait_for_change=lambda j, r: waits.append(r),
            label="Job 'x'",
        )
    assert all(r > 0 for r in waits)
