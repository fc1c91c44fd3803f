"""The driver of one local optimization job: `python -m kubeflow.katib.backends.local.driver <job dir>`.

It runs detached (its own session) and holds the job's `driver.lock` while it lives, so at most one drives a job.
It asks Optuna for suggestions (the study is journaled in the job directory), starts each trial as a trainer job
on the local-process backend, `parallel_trials` at a time, follows them, tells Optuna their results, stops poor
ones early when asked, and writes what it sees to `state.json` for every client to read.

A driver that starts on a job with a history continues it: finished trials are kept, trials that were running
are followed again (their trainer jobs ran on without it), a trial that was suggested but never started is
started now. SIGTERM makes it stop driving (the trials go on; the next client to look starts a new driver).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from kubeflow.core.local import retention
from kubeflow.katib.backends.local.store import (
    DRIVER_FILE,
    DRIVER_LOCK,
    JOURNAL_FILE,
    KIND,
    Record,
    StudyDir,
    trial_name,
)

if TYPE_CHECKING:
    import optuna

    from kubeflow.katib.backends.local.collect import MetricsReader, TrialMetrics
    from kubeflow.katib.backends.local.spec import LoadedSpec
    from kubeflow.trainer.backends.local.backend import LocalTrainerBackend
    from kubeflow.trainer.types.trainers import CustomTrainer

POLL_SECONDS = 0.05
"""How often the driver looks at its running trials."""


class Driver:
    """Drives one optimization job to its end (or until asked to stop)."""

    def __init__(self, study_dir: StudyDir) -> None:
        from kubeflow.katib.backends.local.spec import load_spec
        from kubeflow.trainer.backends.local.backend import LocalTrainerBackend

        self.dir = study_dir
        raw = study_dir.spec()
        if raw is None:
            raise RuntimeError(f"{study_dir.path} holds no optimization job.")
        self.spec: LoadedSpec = load_spec(raw)
        self.trainer: LocalTrainerBackend = LocalTrainerBackend(self.spec.config)
        self.state = study_dir.state()
        self.entries: dict[int, Record] = {int(entry["number"]): entry for entry in self.state.get("trials", [])}
        self.readers: dict[int, MetricsReader] = {}
        self.reported: dict[int, set[int]] = {}
        self.trial_ids: dict[int, int] = {}
        self.stop_requested = False
        self.dirty = False
        self.launching: dict[int, Future[str | None]] = {}
        self.pool = ThreadPoolExecutor(max_workers=self.spec.trial_config.parallel_trials, thread_name_prefix="trial")

    # -- study ------------------------------------------------------------------------------------------------
    def open_study(self) -> None:
        """Load (or create) the journaled Optuna study."""
        import optuna
        from optuna.storages.journal import JournalFileBackend

        from kubeflow.katib.backends.local import suggest

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="optuna")
        backend = JournalFileBackend(str(self.dir.file(JOURNAL_FILE)))
        self.sampler = suggest.sampler(self.spec)
        self.grid_size = suggest.grid_size(self.spec)
        self.study: optuna.Study = optuna.create_study(
            storage=optuna.storages.JournalStorage(backend),
            study_name=self.spec.name,
            sampler=self.sampler,
            pruner=suggest.pruner(self.spec),
            direction=suggest.direction(self.spec),
            load_if_exists=True,
        )
        held = len(self.study.get_trials(deepcopy=False))
        if held:
            self.sampler = suggest.sampler(self.spec, resumed_at=held)
            self.study.sampler = self.sampler
        grid = self.spec.algorithm.algorithm_name == "grid"
        self.distributions = suggest.distributions(self.spec.parameters, grid=grid)

    def _entry(self, number: int, parameters: dict[str, str]) -> Record:
        from kubeflow.core.local.state import now_iso
        from kubeflow.katib import constants

        entry: Record = {
            "name": trial_name(self.spec.name, number),
            "number": number,
            "parameters": parameters,
            "status": constants.TRIAL_CREATED,
            "metrics": {},
            "value": None,
            "message": None,
            "created": now_iso(),
            "finished": None,
        }
        self.entries[number] = entry
        self.dirty = True
        return entry

    def recover(self) -> None:
        """Take up the study where a previous driver left it."""
        import optuna

        from kubeflow.katib import constants
        from kubeflow.katib.backends.local import suggest

        finished = {
            optuna.trial.TrialState.COMPLETE: constants.TRIAL_SUCCEEDED,
            optuna.trial.TrialState.PRUNED: constants.TRIAL_EARLY_STOPPED,
            optuna.trial.TrialState.FAIL: constants.TRIAL_FAILED,
        }
        resumed = 0
        for frozen in self.study.get_trials(deepcopy=False):
            self.trial_ids[frozen.number] = frozen._trial_id
            self.reported[frozen.number] = set(frozen.intermediate_values)
            entry = self.entries.get(frozen.number)
            if entry is None:
                if set(frozen.params) != set(self.distributions):
                    # The previous driver died while Optuna was still writing this suggestion: it never became a
                    # trial. Close it so that the sampler does not wait for it.
                    self.study.tell(frozen.number, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
                    continue
                entry = self._entry(frozen.number, {k: suggest.as_text(v) for k, v in frozen.params.items()})
            if frozen.state == optuna.trial.TrialState.RUNNING:
                resumed += 1
                if not self.trainer.core.exists(entry["name"]):
                    self.launch(frozen.number)
            elif entry["status"] not in constants.TRIAL_TERMINAL and frozen.state in finished:
                entry["status"] = finished[frozen.state]
                entry["value"] = frozen.value
                self.dirty = True
        if self.study.trials:
            self.dir.add_event(
                self.spec.name, "Resumed", f"The driver took the study up again ({resumed} trial(s) were running)."
            )

    # -- trials -----------------------------------------------------------------------------------------------
    def launch(self, number: int) -> None:
        """Start trial `number` as a trainer job, in the background (a job started before a restart is kept).

        Starting a trainer job waits for its supervisor to come up; trials start in parallel so that this wait
        does not add up across trials.
        """
        from kubeflow.core.errors import KubeflowError
        from kubeflow.katib import constants

        entry = self.entries[number]
        try:
            trainer = self.spec.trainer(self.dir.path, entry["parameters"])
        except (KubeflowError, ValueError, OSError) as exc:
            self.finish(number, constants.TRIAL_FAILED, message=f"The trial could not start: {exc}")
            return
        self.launching[number] = self.pool.submit(self._train, entry["name"], trainer)

    def _train(self, name: str, trainer: CustomTrainer) -> str | None:
        """Create one trial's trainer job (in a worker thread); the reason it could not start, or None."""
        from kubeflow.core.errors import AlreadyExistsError, KubeflowError
        from kubeflow.trainer.options import Name

        try:
            self.trainer.train(runtime=self.spec.template.get("runtime"), trainer=trainer, options=[Name(name)])
        except AlreadyExistsError:
            return None
        except (KubeflowError, ValueError, OSError) as exc:
            return f"The trial could not start: {exc}"
        with contextlib.suppress(OSError):  # retention leaves the trial's job alone while this driver lives
            retention.hold(self.trainer.core.job_dir(name), self.dir.file(DRIVER_LOCK))
        return None

    def launched(self) -> None:
        """Take note of the trial starts that finished (a start that failed fails its trial)."""
        from kubeflow.katib import constants

        for number, future in list(self.launching.items()):
            if not future.done():
                continue
            del self.launching[number]
            entry = self.entries[number]
            problem = future.result()
            if problem is not None:
                self.finish(number, constants.TRIAL_FAILED, message=problem)
            else:
                self.dir.add_event(
                    entry["name"], "Created", f"Trial {entry['name']} started with {entry['parameters']}.", kind="Trial"
                )

    def settle(self) -> None:
        """Wait for every trial start in flight."""
        for future in list(self.launching.values()):
            future.result()
        self.launched()

    def finish(self, number: int, status: str, value: float | None = None, message: str | None = None) -> None:
        """Record a trial's end in the study and in the state."""
        import optuna

        from kubeflow.core.local.state import now_iso
        from kubeflow.katib import constants

        state = {
            constants.TRIAL_SUCCEEDED: optuna.trial.TrialState.COMPLETE,
            constants.TRIAL_EARLY_STOPPED: optuna.trial.TrialState.PRUNED,
        }.get(status, optuna.trial.TrialState.FAIL)
        self.study.tell(
            number, value if state == optuna.trial.TrialState.COMPLETE else None, state=state, skip_if_finished=True
        )
        entry = self.entries[number]
        entry.update(status=status, value=value, message=message, finished=now_iso())
        self.dirty = True
        warning = status in (constants.TRIAL_FAILED, constants.TRIAL_METRICS_UNAVAILABLE)
        text = f"Trial {entry['name']} {status}" + (
            f" with {self.spec.objective.metric}={value}" if value is not None else ""
        )
        self.dir.add_event(
            entry["name"],
            status,
            text + (f": {message}" if message else "."),
            "Warning" if warning else "Normal",
            "Trial",
        )

    def _metrics(self, number: int) -> tuple[TrialMetrics, bool]:
        from kubeflow.katib.backends.local.collect import MetricsReader

        reader = self.readers.get(number)
        if reader is None:
            job_dir = self.trainer.core.job_dir(self.entries[number]["name"])
            reader = self.readers[number] = MetricsReader(job_dir, self.spec.metric_names)
        metrics, fresh = reader.read()
        if fresh:
            from kubeflow.katib.metrics import text

            self.entries[number]["metrics"] = {
                name: {key: text(value) for key, value in values.items()} for name, values in metrics.summary().items()
            }
            self.dirty = True
        return metrics, fresh

    def poll(self) -> None:
        """Look at every unfinished trial once."""
        from kubeflow.core.errors import NotFoundError
        from kubeflow.katib import constants

        self.launched()
        for number, entry in list(self.entries.items()):
            if entry["status"] in constants.TRIAL_TERMINAL or number in self.launching:
                continue
            try:
                job = self.trainer.get_job(entry["name"])
            except NotFoundError:
                self.finish(number, constants.TRIAL_FAILED, message="Its TrainJob was deleted.")
                continue
            metrics, fresh = self._metrics(number)
            if job.status in (constants.TRIAL_CREATED, constants.TRIAL_RUNNING):
                if entry["status"] != job.status:
                    entry["status"] = job.status
                    self.dirty = True
                if fresh and self.spec.early_stopping is not None:
                    self.judge(number, metrics)
            elif job.status == "Complete":
                value = metrics.objective_value(self.spec.objective)
                if value is None:
                    reported = ", ".join(sorted(metrics.series)) or "nothing"
                    self.finish(
                        number,
                        constants.TRIAL_METRICS_UNAVAILABLE,
                        message=f"it never reported {self.spec.objective.metric!r} (it reported: {reported}).",
                    )
                else:
                    self.finish(number, constants.TRIAL_SUCCEEDED, value)
            elif self.never_ran(entry):
                # Its start was cut short (a driver killed while starting it): the function never ran. Start again.
                self.trainer.core.cancel(entry["name"])
                entry["restarts"] = int(entry.get("restarts") or 0) + 1
                self.launch(number)
            else:
                self.finish(number, constants.TRIAL_FAILED, message=f"its TrainJob {entry['name']} failed.")

    def never_ran(self, entry: Record) -> bool:
        """Whether a failed trial's TrainJob failed before any node started, for want of a supervisor (once)."""
        info = self.trainer.core.describe(entry["name"])
        if info is None or entry.get("restarts"):
            return False
        return info.reason in ("SupervisorLost", "SupervisorFailed") and all(node.pid is None for node in info.nodes)

    def judge(self, number: int, metrics: TrialMetrics) -> None:
        """Median stopping: report new intermediate values, stop the trial if Optuna's pruner says so."""
        import optuna

        from kubeflow.katib import constants

        series = metrics.series.get(self.spec.objective.metric, [])
        seen = self.reported.setdefault(number, set())
        trial = optuna.trial.Trial(self.study, self.trial_ids[number])
        new = False
        for step, value in series:
            if step not in seen and step >= 0:
                trial.report(value, step)
                seen.add(step)
                new = True
        if new and trial.should_prune():
            self.stop_job(self.entries[number]["name"])
            self.finish(number, constants.TRIAL_EARLY_STOPPED, message="its objective was worse than the median.")

    def stop_job(self, name: str) -> None:
        """Stop a trial's processes; its TrainJob (status, logs) stays."""
        from kubeflow.core.local import lifecycle

        job = self.trainer.core.state.job(name)
        record = job.read()
        if record is not None and record.get("status") not in ("Complete", "Failed"):
            grace = float(record.get("grace_seconds", self.spec.config.termination_grace_seconds))
            lifecycle.stop_all(job, record, grace)

    # -- the job ----------------------------------------------------------------------------------------------
    def running(self) -> list[int]:
        """Numbers of the trials not finished."""
        from kubeflow.katib import constants

        return [n for n, e in self.entries.items() if e["status"] not in constants.TRIAL_TERMINAL]

    def exhausted(self) -> bool:
        """Whether the algorithm has nothing left to suggest (every point of a grid was started)."""
        return self.grid_size is not None and len(self.entries) >= self.grid_size

    def fill(self) -> None:
        """Start trials until `parallel_trials` run or `num_trials` were started."""
        from kubeflow.katib.backends.local import suggest

        config = self.spec.trial_config
        while (
            not self.stop_requested
            and len(self.running()) < config.parallel_trials
            and len(self.entries) < config.num_trials
            and not self.exhausted()
        ):
            trial = self.study.ask(self.distributions)
            self.trial_ids[trial.number] = trial._trial_id
            self.reported[trial.number] = set()
            self._entry(trial.number, {name: suggest.as_text(trial.params[name]) for name in self.distributions})
            self.save()
            self.launch(trial.number)

    def best(self) -> Record | None:
        """The best succeeded trial (earliest among equals)."""
        from kubeflow.katib import constants
        from kubeflow.katib.types import Direction

        done = [e for e in self.entries.values() if e["status"] == constants.TRIAL_SUCCEEDED and e["value"] is not None]
        if not done:
            return None
        sign = -1.0 if self.spec.objective.direction is Direction.MAXIMIZE else 1.0
        return min(done, key=lambda e: (sign * float(e["value"]), int(e["number"])))

    def verdict(self) -> tuple[str, str, str] | None:
        """`(status, reason, message)` once the job is over, else None."""
        from kubeflow.katib import constants
        from kubeflow.katib.types import Direction

        entries = list(self.entries.values())
        failed = sum(e["status"] == constants.TRIAL_FAILED for e in entries)
        limit = self.spec.trial_config.max_failed_trials
        if limit is not None and failed > limit:
            return "Failed", "MaxFailedTrialsReached", f"{failed} trials failed, more than max_failed_trials ({limit})."
        objective = self.spec.objective
        unavailable = [e for e in entries if e["status"] == constants.TRIAL_METRICS_UNAVAILABLE]
        if unavailable and not any(objective.metric in e["metrics"] for e in entries):
            return (
                "Failed",
                "MetricUnavailable",
                f"objectives[0].metric: trial {unavailable[0]['name']} ended without reporting "
                f"{objective.metric!r}: {unavailable[0]['message']} Report it with report_metrics"
                f"({{{objective.metric!r}: value}}) or print '{objective.metric}=<value>'.",
            )
        best = self.best()
        if best is not None and objective.goal is not None:
            value = float(best["value"])
            reached = value >= objective.goal if objective.direction is Direction.MAXIMIZE else value <= objective.goal
            if reached:
                return (
                    "Complete",
                    "GoalReached",
                    f"Trial {best['name']} reached the goal {objective.metric}={objective.goal}.",
                )
        if not self.running():
            if len(entries) >= self.spec.trial_config.num_trials:
                return "Complete", "MaxTrialsReached", f"All {len(entries)} trials ended."
            if self.exhausted():
                return "Complete", "SearchSpaceExhausted", f"The grid was covered in {len(entries)} trials."
        return None

    def end(self, status: str, reason: str, message: str) -> None:
        """Stop the trials still running, then record the job's end."""
        from kubeflow.core.local.state import now_iso
        from kubeflow.katib import constants

        self.settle()
        for number in self.running():
            self.stop_job(self.entries[number]["name"])
            self.finish(number, constants.TRIAL_KILLED, message=f"the job ended ({reason}).")
        self.dir.add_event(self.spec.name, reason, message, "Warning" if status == "Failed" else "Normal")
        self.state.update(status=status, reason=reason, message=message, finished=now_iso())
        self.save(force=True)

    def save(self, force: bool = False) -> None:
        """Write the state if anything changed."""
        if not (self.dirty or force):
            return
        best = self.best()
        self.state["trials"] = [self.entries[number] for number in sorted(self.entries)]
        self.state["best"] = best["name"] if best else None
        self.dir.write_state(self.state)
        self.dirty = False

    def run(self) -> None:
        """Drive the job until it ends, is deleted, or the driver is asked to stop."""
        from kubeflow.core.local.state import now_iso

        self.open_study()
        if self.state.get("status") in ("Complete", "Failed"):
            return
        self.recover()
        if self.state.get("status") != "Running":
            self.state.update(status="Running", started=self.state.get("started") or now_iso())
            self.dir.add_event(self.spec.name, "Running", f"Optimization job {self.spec.name} is running.")
            self.dirty = True
        while not self.stop_requested and not self.dir.deleting:
            self.poll()
            verdict = self.verdict()
            if verdict is not None:
                self.end(*verdict)
                return
            self.fill()
            self.save()
            time.sleep(POLL_SECONDS)
        self.settle()
        self.save()


def main(argv: list[str]) -> int:
    """Drive the job in `argv[1]`; exit at once if another driver holds it."""
    from pathlib import Path

    from kubeflow.core.local import procs
    from kubeflow.core.local.state import now_iso, write_json

    os.umask(0o077)  # the study journal and everything else the driver writes stay private
    study_dir = StudyDir(Path(argv[1]))
    lock = study_dir.try_lock()
    if lock is None:
        return 0
    write_json(
        study_dir.file(DRIVER_FILE),
        {"pid": os.getpid(), "start_ticks": procs.start_ticks(os.getpid()), "started": now_iso()},
    )
    driver: Driver | None = None

    def stop(signum: int, frame: Any) -> None:
        if driver is not None:
            driver.stop_requested = True
        else:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        driver = Driver(study_dir)
        driver.run()
    except Exception as exc:  # a driver bug must show as a failed job, not as a job that never ends
        traceback.print_exc()
        state = study_dir.state()
        state.update(status="Failed", reason="DriverError", message=f"The driver failed: {exc!r}")
        with contextlib.suppress(OSError):
            study_dir.write_state(state)
        study_dir.add_event(study_dir.name, "DriverError", f"The driver failed: {exc!r}", "Warning", KIND)
        return 1
    finally:
        os.close(lock)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
