"""Metrics of a trial: `report_metrics` inside the training function, and reading them back.

Inside a trial, `report_metrics({"loss": 0.1}, epoch=3)` does two things:

* it prints one line in the format of Katib's StdOut metrics collector (`loss=0.1`), which is how a trial reports
  on Kubernetes;
* on the local backend it appends a record through `kubeflow.core.local.progress.report` (metrics and step),
  which the local backend reads; outside a local job that part does nothing.

Lines the function prints itself in that format (`print(f"loss={loss}")`) count as metrics too. Only the process
of global rank 0 (`RANK` unset or `0`) reports, as only node 0's output is collected.

Standard library only: this module runs inside the trial's interpreter.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

METRIC_LINE = re.compile(r"([\w|-]+)\s*=\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[Ee][+-]?\d+)?|[+-]?inf|nan)(?![\w.])")
"""Katib's StdOut collector pattern: `name=value` pairs anywhere in a line."""


def _rank_zero() -> bool:
    return os.environ.get("RANK", "0") in ("", "0")


def report_metrics(metrics: Mapping[str, float | int], epoch: int | None = None) -> None:
    """Report metrics of the running trial, e.g. `report_metrics({"loss": 0.1}, epoch=3)`.

    Call it from the training function (after each epoch for early stopping to judge the trial, or once at the
    end). The last value of the objective metric is the trial's result.

    Args:
        metrics: Metric name to number.
        epoch: The step these values belong to (used by early stopping); `None` counts reports in order.

    Raises:
        ValueError: `metrics` is not a dict, a name is empty or holds `=` or whitespace, a value is not a number,
            or `epoch` is not a whole number >= 0.
    """
    import operator

    from kubeflow.core.local import progress

    if not isinstance(metrics, Mapping):
        raise ValueError(
            f"report_metrics: metrics must be a dict of metric name to number, got {type(metrics).__name__}; "
            'e.g. report_metrics({"loss": 0.1}, epoch=3).'
        )
    if epoch is not None:
        try:
            if isinstance(epoch, bool):
                raise TypeError
            epoch = operator.index(epoch)
        except TypeError:
            raise ValueError(f"report_metrics: epoch must be a whole number, got {epoch!r}.") from None
        if epoch < 0:
            raise ValueError(f"report_metrics: epoch must be >= 0, got {epoch}.")
    clean: dict[str, float | int] = {}
    for name, value in metrics.items():
        if not isinstance(name, str) or not name or "=" in name or any(char.isspace() for char in name):
            raise ValueError(f"report_metrics: metric name {name!r} must be non-empty, without '=' or whitespace.")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(value)  # numpy and torch scalars
            except (TypeError, ValueError):
                raise ValueError(f"report_metrics: the value of {name!r} must be a number, got {value!r}.") from None
        clean[name] = value
    if not clean or not _rank_zero():
        return
    print(" ".join(f"{name}={value}" for name, value in clean.items()), flush=True)
    progress.report(metrics=clean, step=epoch)


def parse_metric_lines(lines: Iterable[str], names: Iterable[str]) -> list[dict[str, float]]:
    """The metrics printed in StdOut-collector format in `lines`, one dict per line that has any of `names`."""
    wanted = set(names)
    found: list[dict[str, float]] = []
    for line in lines:
        values = {}
        for match in METRIC_LINE.finditer(line):
            if match.group(1) in wanted:
                try:
                    values[match.group(1)] = float(match.group(2))
                except ValueError:
                    continue
        if values:
            found.append(values)
    return found


def numeric(value: Any) -> float | None:
    """`value` as a finite float, or `None`."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def text(value: float) -> str:
    """A metric value as Katib writes it (`3` for whole numbers, else the shortest float text)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
