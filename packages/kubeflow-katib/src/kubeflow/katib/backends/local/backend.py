"""`LocalKatibBackend`: optimization jobs on this machine, each trial a trainer job on the local-process backend."""

from __future__ import annotations

import os
import random
import re
import signal
import string
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

from kubeflow.core.errors import BackendError, InvalidInputError, JobFailedError, NotFoundError
from kubeflow.core.local import procs
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.lifecycle import parse_time
from kubeflow.core.local.state import now_iso, read_json, write_json
from kubeflow.core.models import TERMINAL_STATUSES, Event
from kubeflow.katib import constants
from kubeflow.katib.backends.base import KatibBackend
from kubeflow.katib.backends.local import suggest
from kubeflow.katib.backends.local.store import (
    DELETING_FILE,
    DRIVER_FILE,
    DRIVER_LOG,
    KIND,
    SPEC_FILE,
    STATE_FILE,
    TEMPLATE_FILE,
    KatibRoot,
    Record,
    StudyDir,
    write_text,
)
from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
from kubeflow.katib.search import search_space_view
from kubeflow.katib.validation import OptimizationRequest
from kubeflow.trainer.backends.local.backend import LocalTrainerBackend

DRIVER_MODULE = "kubeflow.katib.backends.local.driver"
DRIVER_STOP_SECONDS = 10.0
WATCH_SECONDS = 0.05
TRIAL_START_SECONDS = 600.0
"""How long `get_job_logs(follow=True)` waits for a suggested trial's TrainJob to appear (its environment may be
being built)."""


def _src_dirs() -> list[str]:
    """The directories holding the `kubeflow` namespace portions the driver imports."""
    import kubeflow.core
    import kubeflow.katib
    import kubeflow.trainer

    found: list[str] = []
    for module in (kubeflow.katib, kubeflow.trainer, kubeflow.core):
        src = str(Path(str(module.__file__)).resolve().parents[2])
        if src not in found:
            found.append(src)
    return found


def _metrics(entry: Record) -> list[Metric]:
    return [
        Metric(name=name, min=values["min"], max=values["max"], latest=values["latest"])
        for name, values in (entry.get("metrics") or {}).items()
    ]


class LocalKatibBackend(KatibBackend):
    """Optimization jobs whose trials are local trainer jobs; state beside the trainer's, shared by every client."""

    kind: ClassVar[str] = "local-process"
    algorithms: ClassVar[frozenset[str]] = suggest.ALGORITHMS

    def __init__(self, config: LocalProcessBackendConfig | None = None) -> None:
        """Use `config` (the trainer's local config); nothing is written until a job is created."""
        self.config = config or LocalProcessBackendConfig()
        self.root = KatibRoot(self.config.state_dir)
        self.trainer = LocalTrainerBackend(self.config)

    # -- creating ----------------------------------------------------------------------------------------------
    def check_supported(self, request: OptimizationRequest) -> None:
        """The shared checks, then what the local backend needs (the algorithm's library, a finite grid)."""
        super().check_supported(request)
        suggest.check_runnable(request)

    def _new_name(self) -> str:
        while True:
            name = random.choice(string.ascii_lowercase) + uuid.uuid4().hex[:11]
            if self.root.job(name).spec() is None and not self.trainer.core.exists(name):
                return name

    def submit(self, request: OptimizationRequest) -> str:
        """Write the job's spec and start its driver; the function is checked for shipping first."""
        from kubeflow.katib.backends.local.spec import build_spec

        name = self._new_name()
        created = now_iso()
        try:
            spec, template = build_spec(name, created, request, self.config)
        except InvalidInputError as exc:
            raise InvalidInputError(f"trial_template.{exc.field}", exc.problem, exc.fix) from None
        spec["cwd"] = os.getcwd()
        with self.root.staged(name) as staged:
            write_json(staged.file(SPEC_FILE), spec)
            write_text(staged.file(TEMPLATE_FILE), template)
            staged.write_state({"status": "Created", "reason": None, "message": None, "trials": [], "best": None})
            staged.add_event(
                name,
                "Created",
                f"Optimization job {name} was created: {request.trial_config.num_trials} trials, "
                f"{request.trial_config.parallel_trials} at a time, algorithm {request.algorithm.algorithm_name}.",
            )
        self._start_driver(self.root.job(name), spec["cwd"])
        return name

    def _start_driver(self, study: StudyDir, cwd: str | None) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([*_src_dirs(), *filter(None, [env.get("PYTHONPATH")])])
        log_fd = os.open(study.file(DRIVER_LOG), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", DRIVER_MODULE, str(study.path)],
                cwd=cwd if cwd and os.path.isdir(cwd) else study.path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            os.close(log_fd)
        write_json(
            study.file(DRIVER_FILE),
            {"pid": process.pid, "start_ticks": procs.start_ticks(process.pid), "started": now_iso()},
        )
        threading.Thread(target=process.wait, name=f"kubeflow-katib-reap-{study.name}", daemon=True).start()

    def _resume(self, study: StudyDir, state: Record, spec: Record) -> None:
        """Start a new driver if the job is unfinished and nothing drives it (its driver died)."""
        if state.get("status") in TERMINAL_STATUSES or study.deleting:
            return
        driver = read_json(study.file(DRIVER_FILE)) or {}
        if procs.is_alive(driver.get("pid"), driver.get("start_ticks")) or study.driver_alive():
            return
        study.add_event(
            study.name, "DriverLost", "The job's driver was gone; a new one continues the study.", "Warning"
        )
        self._start_driver(study, spec.get("cwd"))

    # -- reading -----------------------------------------------------------------------------------------------
    def _study(self, name: str, readable: bool = True) -> tuple[StudyDir, Record]:
        study = self.root.job(name) if isinstance(name, str) and name and "/" not in name else None
        spec = study.spec() if study is not None and not name.startswith(".") else None
        if study is None or spec is None:
            raise NotFoundError(f"OptimizationJob {name!r} not found in {self.root.root}.", reason="NotFound")
        if readable and not _loadable(spec):
            raise BackendError(
                f"OptimizationJob {name!r} has an unreadable spec in {study.file(SPEC_FILE)} (it was not written by "
                "this SDK, or was damaged): delete the job's directory.",
                reason="CorruptState",
            )
        return study, spec

    def _job(self, study: StudyDir, raw: Record) -> OptimizationJob:
        from kubeflow.katib.backends.local.spec import load_spec

        state = study.state()
        self._resume(study, state, raw)
        spec = load_spec(raw)
        trials = []
        for entry in state.get("trials", []):
            try:
                trainjob = self.trainer.get_job(entry["name"])
            except NotFoundError:
                trainjob = None
            trials.append(
                Trial(
                    name=entry["name"],
                    parameters=dict(entry["parameters"]),
                    trainjob=trainjob,
                    metrics=_metrics(entry),
                    status=entry["status"],
                )
            )
        return OptimizationJob(
            name=spec.name,
            search_space={str(p.name): search_space_view(p) for p in spec.parameters},
            objectives=spec.objectives,
            algorithm=spec.algorithm,
            trial_config=spec.trial_config,
            trials=trials,
            creation_timestamp=parse_time(spec.created) or datetime.now(timezone.utc),
            status=str(state.get("status", constants.OPTIMIZATION_JOB_CREATED)),
        )

    def list_jobs(self) -> list[OptimizationJob]:
        """Every optimization job of the state directory, oldest first."""
        jobs = []
        for name in self.root.names():
            study = self.root.job(name)
            raw = study.spec()
            if raw is not None and _loadable(raw):
                jobs.append(self._job(study, raw))
        return sorted(jobs, key=lambda job: (job.creation_timestamp, job.name))

    def get_job(self, name: str) -> OptimizationJob:
        """The job called `name` with its trials; a job whose driver died gets a new one here."""
        return self._job(*self._study(name))

    def get_best_results(self, name: str) -> Result | None:
        """The best succeeded trial so far."""
        study, raw = self._study(name)
        state = study.state()
        self._resume(study, state, raw)
        best = next((e for e in state.get("trials", []) if e["name"] == state.get("best")), None)
        if best is None:
            return None
        return Result(parameters=dict(best["parameters"]), metrics=_metrics(best), trial_name=best["name"])

    def get_job_logs(self, name: str, trial_name: str | None = None, follow: bool = False) -> Iterator[str]:
        """Node 0's log of `trial_name`, else of the best trial, else of the first; nothing before any trial.

        With `follow`, a job that has no trial yet is waited on until its first trial starts (or the job ends).
        """
        study, raw = self._study(name)
        state = study.state()
        if trial_name is None and follow:
            deadline = time.monotonic() + TRIAL_START_SECONDS
            while not state.get("trials") and state.get("status") not in TERMINAL_STATUSES:
                if time.monotonic() >= deadline or study.deleting or not study.path.exists():
                    break
                self._resume(study, state, raw)  # a driver that died before its first trial gets a successor
                time.sleep(WATCH_SECONDS)
                state = study.state()
        trials = [entry["name"] for entry in state.get("trials", [])]
        if trial_name is None:
            trial_name = state.get("best") or (trials[0] if trials else None)
            if trial_name is None:
                return iter(())
        elif trial_name not in trials:
            raise NotFoundError(
                f"OptimizationJob {name!r} has no trial {trial_name!r}; its trials are: {', '.join(trials) or 'none'}.",
                reason="NotFound",
            )
        if not self.trainer.core.exists(trial_name):  # suggested, its TrainJob not created yet (or removed)
            if not follow:
                return iter(())
            deadline = time.monotonic() + TRIAL_START_SECONDS
            while not self.trainer.core.exists(trial_name) and time.monotonic() < deadline:
                entry: Record = next((e for e in study.state().get("trials", []) if e["name"] == trial_name), {})
                if entry.get("status") in constants.TRIAL_TERMINAL:
                    return iter(())
                time.sleep(WATCH_SECONDS)
        return self.trainer.get_job_logs(trial_name, step="node-0", follow=follow)

    def get_job_events(self, name: str) -> list[Event]:
        """The job's events (created, trials started and ended, driver lost, end) and its trials' TrainJob events."""
        study, _ = self._study(name)
        events = [
            Event(
                involved_object_kind=str(entry.get("kind", KIND)),
                involved_object_name=str(entry.get("object", name)),
                reason=str(entry.get("reason", "")),
                message=str(entry.get("message", "")),
                event_time=parse_time(entry.get("time")) or datetime.now(timezone.utc),
                type="Warning" if entry.get("type") == "Warning" else "Normal",
            )
            for entry in study.events()
        ]
        for entry in study.state().get("trials", []):
            try:
                events.extend(self.trainer.get_job_events(entry["name"]))
            except NotFoundError:
                continue
        return sorted(events, key=lambda event: event.event_time)

    # -- deleting ----------------------------------------------------------------------------------------------
    def _stop_driver(self, study: StudyDir) -> None:
        driver = read_json(study.file(DRIVER_FILE)) or {}
        pid, ticks = driver.get("pid"), driver.get("start_ticks")
        procs.signal_pid(pid, ticks, signal.SIGTERM)
        deadline = time.monotonic() + DRIVER_STOP_SECONDS
        while study.driver_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if study.driver_alive() or procs.is_alive(pid, ticks):
            procs.signal_pid(pid, ticks, signal.SIGKILL)
            procs.wait_gone([(int(pid), ticks)], 5.0) if pid else None

    def delete_job(self, name: str) -> None:
        """Stop the driver and every trial, then remove the job and its trials' TrainJobs."""
        study, _ = self._study(name, readable=False)  # a damaged job can still be deleted
        write_text(study.file(DELETING_FILE), now_iso())
        self._stop_driver(study)
        pattern = re.compile(rf"^{re.escape(name)}-\d+$")
        for trial in self.trainer.core.state.names():
            if pattern.match(trial):
                try:
                    self.trainer.delete_job(trial)
                except NotFoundError:
                    continue
        self.root.remove(name)

    # -- waiting -----------------------------------------------------------------------------------------------
    def job_failure(self, job: OptimizationJob) -> JobFailedError:
        """Why the job failed, as its driver recorded it, with the failed trials."""
        state = self.root.job(job.name).state()
        failed = [trial.name for trial in job.trials if trial.status == constants.TRIAL_FAILED]
        detail = str(state.get("message") or "")
        if failed:
            detail += f" Failed trials: {', '.join(failed)}."
        return JobFailedError(
            job.name, reason=str(state.get("reason") or "OptimizationJobFailed"), detail=detail.strip()
        )

    def wait_for_change(self, name: str, current: OptimizationJob, timeout: float, polling_interval: float) -> None:
        """Return as soon as the driver rewrote the job's state, or after at most `polling_interval` seconds."""
        path = self.root.job(name).file(STATE_FILE)

        def signature() -> tuple[int, int] | None:
            try:
                info = os.stat(path)
            except OSError:
                return None
            return info.st_ino, info.st_mtime_ns

        before = signature()
        deadline = time.monotonic() + max(0.0, min(timeout, polling_interval))
        while signature() == before and (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(WATCH_SECONDS, remaining))


def _loadable(raw: Record) -> bool:
    """Whether a stored spec can be read back (one that cannot is skipped in lists, and an error when named)."""
    from kubeflow.katib.backends.local.spec import load_spec

    try:
        load_spec(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True
