"""A trial's metrics, read from its TrainJob: `report_metrics` records (progress) and printed `name=value` lines."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kubeflow.core.local import progress
from kubeflow.katib.metrics import numeric, parse_metric_lines
from kubeflow.katib.types import Direction, Objective

PRIMARY_NODE = "node-0"


@dataclass
class TrialMetrics:
    """Every value of every metric a trial reported, by step."""

    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per metric: its lowest, highest and latest value."""
        return {
            name: {"min": min(v for _, v in values), "max": max(v for _, v in values), "latest": values[-1][1]}
            for name, values in self.series.items()
            if values
        }

    def objective_value(self, objective: Objective) -> float | None:
        """The trial's result for `objective`: its best reported value (Katib's min/max metric strategy)."""
        values = [value for _, value in self.series.get(objective.metric, [])]
        if not values:
            return None
        return max(values) if objective.direction is Direction.MAXIMIZE else min(values)


def _signature(*paths: Path) -> tuple[tuple[int, int], ...]:
    found = []
    for path in paths:
        try:
            info = os.stat(path)
            found.append((info.st_size, info.st_mtime_ns))
        except OSError:
            found.append((-1, -1))
    return tuple(found)


class MetricsReader:
    """Reads a trial's metrics again only when its progress file or node-0 log changed."""

    def __init__(self, job_dir: Path, names: list[str]) -> None:
        self.progress_path = job_dir / progress.PROGRESS_FILE
        self.log_path = job_dir / "logs" / f"{PRIMARY_NODE}.log"
        self.names = names
        self.seen: tuple[tuple[int, int], ...] | None = None
        self.metrics = TrialMetrics()

    def read(self) -> tuple[TrialMetrics, bool]:
        """The metrics now, and whether they may have changed since the last call."""
        signature = _signature(self.progress_path, self.log_path)
        if signature == self.seen:
            return self.metrics, False
        self.seen = signature
        series: dict[str, list[tuple[int, float]]] = {}
        for record in progress.read(self.progress_path):
            if record.node not in (None, PRIMARY_NODE):
                continue
            for name, raw in record.metrics.items():
                value = numeric(raw)
                if value is None:
                    continue
                values = series.setdefault(name, [])
                values.append((record.step if record.step is not None else len(values), value))
        printed = [name for name in self.names if name not in series]
        if printed:
            try:
                with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                    for found in parse_metric_lines(handle, printed):
                        for name, value in found.items():
                            values = series.setdefault(name, [])
                            values.append((len(values), value))
            except OSError:
                pass
        self.metrics = TrialMetrics(series)
        return self.metrics, True
