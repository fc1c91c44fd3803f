"""The renderers, in process: environment-build progress from log records, training progress, JSON data."""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from rich.console import Console

from kubeflow.cli.output import age, compact_metrics, human_duration, jsonable
from kubeflow.cli.progress import LOGGER, EnvProgressHandler, describe, env_progress
from kubeflow.trainer.cli import views

ENV_LOG = logging.getLogger(LOGGER)


def _progress(phase: str, packages: int | None = None, env: str = "3f2a9c") -> dict[str, object]:
    return {"kubeflow_progress": {"phase": phase, "packages": packages, "env": env}}


def _emit_build() -> None:
    ENV_LOG.info("resolving", extra=_progress("resolving", 2))
    ENV_LOG.info("resolving again", extra=_progress("resolving", 2))  # the same state: shown once
    ENV_LOG.info("downloading", extra=_progress("downloading", 12))
    ENV_LOG.info("installing", extra=_progress("installing", 12))
    ENV_LOG.info("a plain record without progress")
    ENV_LOG.info("ready", extra=_progress("ready", 12))


def test_describe_each_phase() -> None:
    assert (
        describe({"phase": "resolving", "packages": 2, "env": "ab12"})
        == "Job environment ab12: resolving 2 requirements"
    )
    assert describe({"phase": "downloading", "packages": 1, "env": "ab12"}).endswith("downloading 1 package")
    assert describe({"phase": "downloading", "packages": None, "env": "ab12"}).endswith("downloading packages")
    assert describe({"phase": "cached", "packages": None, "env": "ab12"}) == "Job environment ab12: cached, reused"
    assert describe({"phase": "ready", "packages": 12, "env": None}) == "Job environment: ready (12 packages installed)"


def test_off_a_terminal_each_phase_is_one_log_line() -> None:
    stream = io.StringIO()
    handler = EnvProgressHandler(live=False, stream=stream)
    ENV_LOG.addHandler(handler)
    level = ENV_LOG.level
    ENV_LOG.setLevel(logging.INFO)
    try:
        _emit_build()
    finally:
        ENV_LOG.removeHandler(handler)
        ENV_LOG.setLevel(level)
    assert stream.getvalue().splitlines() == [
        "kubeflow: Job environment 3f2a9c: resolving 2 requirements",
        "kubeflow: Job environment 3f2a9c: downloading 12 packages",
        "kubeflow: Job environment 3f2a9c: installing 12 packages",
        "kubeflow: Job environment 3f2a9c: ready (12 packages installed)",
    ]


def test_on_a_terminal_a_live_status_then_a_final_line() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    handler = EnvProgressHandler(live=True, console=console)
    ENV_LOG.addHandler(handler)
    level = ENV_LOG.level
    ENV_LOG.setLevel(logging.INFO)
    try:
        ENV_LOG.info("downloading", extra=_progress("downloading", 12))
        assert handler._status is not None  # a spinner is showing while the build runs
        ENV_LOG.info("ready", extra=_progress("cached"))
        assert handler._status is None
    finally:
        ENV_LOG.removeHandler(handler)
        ENV_LOG.setLevel(level)
        handler.close()
    text = screen.getvalue()
    assert "downloading 12 packages" in text
    assert "✓ Job environment 3f2a9c: cached, reused" in text


def test_env_progress_attaches_for_the_block_only(capsys: object) -> None:
    before = list(ENV_LOG.handlers), ENV_LOG.level
    with env_progress(live=False) as handler:
        assert handler in ENV_LOG.handlers and ENV_LOG.getEffectiveLevel() <= logging.INFO
        ENV_LOG.info("x", extra=_progress("installing", 3))
    assert (list(ENV_LOG.handlers), ENV_LOG.level) == before
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == "kubeflow: Job environment 3f2a9c: installing 3 packages\n"


def test_training_progress_text_from_trainer_status() -> None:
    status = SimpleNamespace(progress_percent=42, estimated_remaining_seconds=65, metrics={"loss": 0.123456, "acc": 1})
    running = SimpleNamespace(status="Running", trainer_status=status)
    assert views.progress_text(running) == "42% ETA 1m05s"
    assert views.progress_fields(running) == (42, 65, {"loss": 0.123456, "acc": 1})
    done = SimpleNamespace(status="Complete", trainer_status=status)
    assert views.progress_text(done) == "42%"  # no ETA once it ended
    assert views.progress_text(SimpleNamespace(status="Running")) == ""  # a job type without the field
    assert compact_metrics(status.metrics) == "loss=0.1235 acc=1"
    assert compact_metrics({f"m{i}": i for i in range(6)}, limit=2) == "m0=0 m1=1 (+4)"


def test_small_formatters_and_json_data() -> None:
    assert [human_duration(s) for s in (None, 0, 59, 61, 3600 * 2 + 60)] == ["", "0s", "59s", "1m01s", "2h01m"]
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert age(now - timedelta(seconds=75), now) == "1m15s"
    from kubeflow.trainer import Runtime, RuntimeTrainer, TrainerType

    runtime = Runtime(name="r", trainer=RuntimeTrainer(trainer_type=TrainerType.CUSTOM_TRAINER, framework="torch"))
    assert jsonable(runtime)["trainer"]["trainer_type"] == "CustomTrainer"
    assert jsonable({"when": now, "items": (1, 2)}) == {"when": "2026-01-01T00:00:00+00:00", "items": [1, 2]}
