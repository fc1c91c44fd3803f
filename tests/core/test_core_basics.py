from __future__ import annotations

from decimal import Decimal

import pytest

from kubeflow.core.errors import (
    AlreadyExistsError,
    BackendUnavailableError,
    InvalidInputError,
    JobFailedError,
    KubeflowError,
    NotFoundError,
    OperationTimeoutError,
)
from kubeflow.core.names import generate_name, validate_name
from kubeflow.core.quantity import parse_quantity


def test_errors_are_also_the_builtins_the_existing_sdk_raised() -> None:
    assert isinstance(InvalidInputError("f", "bad."), ValueError)
    assert isinstance(NotFoundError("x"), RuntimeError) and isinstance(NotFoundError("x"), LookupError)
    assert isinstance(AlreadyExistsError("x"), RuntimeError)
    assert isinstance(OperationTimeoutError("x"), TimeoutError)
    assert isinstance(BackendUnavailableError("x"), ConnectionError)
    assert all(issubclass(cls, KubeflowError) for cls in (InvalidInputError, NotFoundError, JobFailedError))


def test_invalid_input_names_field_and_fix() -> None:
    err = InvalidInputError("trainer.num_nodes", "must be at least 1, got 0.", "Pass num_nodes=1 or more.")
    assert str(err) == "trainer.num_nodes: must be at least 1, got 0. Fix: Pass num_nodes=1 or more."
    assert err.field == "trainer.num_nodes"


def test_job_failed_error_carries_step_exit_code_and_log_tail() -> None:
    err = JobFailedError("job-a", step="node-1", exit_code=3, log_tail=["boom"], events=["NodeExited"])
    assert (err.job, err.step, err.exit_code) == ("job-a", "node-1", 3)
    assert "node-1" in str(err) and "exit code 3" in str(err) and "boom" in str(err)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Decimal("0.5")),
        ("4Gi", Decimal(4 * 2**30)),
        (2, Decimal(2)),
        ("1e3", Decimal(1000)),
        ("1.5", Decimal("1.5")),
    ],
)
def test_quantities(text: str | int, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["two", "", "4GB", "1..2", True, float("nan")])
def test_bad_quantities(text: object) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)  # type: ignore[arg-type]


def test_names() -> None:
    for _ in range(50):
        assert validate_name(generate_name())
    for bad in ["", "Upper", "1abc", "a_b", "a" * 64, "end-"]:
        with pytest.raises(InvalidInputError):
            validate_name(bad)
