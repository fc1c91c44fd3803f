"""`LocalTrainerBackend`: `TrainerClient` on the local-process backend of kubeflow.core."""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from kubeflow.core.errors import AlreadyExistsError, ConflictError, InvalidInputError, JobFailedError, NotFoundError
from kubeflow.core.local import progress
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import InitialEvent, LocalJobInfo, LocalJobSpec, ProgressRecord
from kubeflow.core.names import generate_name, validate_name
from kubeflow.trainer import constants
from kubeflow.trainer.backends.base import AnyTrainer, TrainerBackend, check_options
from kubeflow.trainer.backends.local import launch
from kubeflow.trainer.backends.local.logs import ALL_STEPS
from kubeflow.trainer.backends.local.progress_summary import ProgressSummaries
from kubeflow.trainer.backends.local.resources import NodeResources, plan_resources
from kubeflow.trainer.backends.local.runtimes import RUNTIMES, LocalRuntime, as_runtime
from kubeflow.trainer.backends.packages_report import parse_packages, print_packages
from kubeflow.trainer.constants import environment
from kubeflow.trainer.functions import render_entrypoint
from kubeflow.trainer.options import Name, Option
from kubeflow.trainer.types import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    DataCacheInitializer,
    Event,
    Initializer,
    Runtime,
    Step,
    TrainJob,
)

KIND = "TrainJob"
_T = TypeVar("_T")
LOG_TAIL_LINES = 20
PORT_ATTEMPTS = 8
WATCH_SLICE = 0.5
"""Longest pause of `wait_for_change`, so a dead supervisor is noticed quickly."""
_KUBERNETES_ONLY = "needs the Kubernetes backend."
_USE_KUBERNETES = "Use TrainerClient(KubernetesBackendConfig()), or a CustomTrainer with a function on this backend."


RECORDED_ARG_CHARS = 500
"""Longer `func_args` values are recorded as a truncated `repr` (the arguments themselves travel unchanged)."""


def _recorded_args(func_args: Any) -> dict[str, Any]:
    """The job's `func_args` as recorded in its (private) state: short plain JSON values, others as a short `repr`.

    The model registry logs them as the run's parameters (`register_model(..., from_job=)`).
    """
    recorded: dict[str, Any] = {}
    for key, value in dict(func_args or {}).items():
        if isinstance(value, (str, int, float, bool, type(None), list, dict)) and _is_json(value):
            recorded[str(key)] = value
        else:
            recorded[str(key)] = repr(value)[:RECORDED_ARG_CHARS]
    return recorded


def _is_json(value: object) -> bool:
    try:
        text = json.dumps(value, allow_nan=False)
        return len(text) <= RECORDED_ARG_CHARS and bool(json.loads(text) == value)
    except (TypeError, ValueError):
        return False


class LocalTrainerBackend(TrainerBackend):
    """Training jobs as node processes on this machine, with state shared by every client of the state directory."""

    kind: ClassVar[str] = "local-process"

    def __init__(self, config: LocalProcessBackendConfig | None = None) -> None:
        """Use `config`; nothing is written until a job is created."""
        self.config = config or LocalProcessBackendConfig()
        self.core = LocalProcessBackend(self.config)
        self._revisions: dict[str, str] = {}
        self._progress = ProgressSummaries()
        self._finished_jobs: dict[str, tuple[str, TrainJob]] = {}

    # -- runtimes ----------------------------------------------------------------------------------------------
    def list_runtimes(self) -> list[Runtime]:
        """The local runtimes (`torch-distributed`, `python`)."""
        return [as_runtime(runtime) for runtime in RUNTIMES.values()]

    def _local_runtime(self, runtime: Runtime | str | None) -> LocalRuntime:
        if runtime is not None and not isinstance(runtime, (str, Runtime)):
            raise InvalidInputError(
                "runtime",
                f"expected a runtime name or a Runtime, got {runtime!r} ({type(runtime).__name__}).",
                f"Pass one of: {', '.join(RUNTIMES)}.",
            )
        name = (
            environment.default_training_runtime() if runtime is None else runtime if isinstance(runtime, str) else None
        )
        if name is None:
            name = getattr(runtime, "name", None)
        if not isinstance(name, str) or name not in RUNTIMES:
            source = f" (the default, from ${environment.ENV_DEFAULT_TRAINING_RUNTIME})" if runtime is None else ""
            raise NotFoundError(
                f"runtime: {name!r}{source} is not a runtime of the local-process backend; the runtimes are: "
                f"{', '.join(RUNTIMES)}.",
                reason="NotFound",
            )
        return RUNTIMES[name]

    def get_runtime(self, name: str) -> Runtime:
        """The runtime called `name`; `NotFoundError` (naming `runtime`) if there is none."""
        return as_runtime(self._local_runtime(name))

    def get_runtime_packages(self, runtime: Runtime) -> list[str]:
        """Print the runtime's Python version, packages and GPUs (as the existing SDK printed), return the packages.

        Read in a subprocess of the runtime's interpreter (this one); returned as sorted `name==version` strings.
        """
        self._local_runtime(runtime)
        result = subprocess.run(
            [sys.executable, "-c", render_entrypoint(print_packages, None)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            from kubeflow.core.errors import BackendError

            raise BackendError(f"Could not list the runtime's packages: {result.stderr.strip()}", reason="Failed")
        print(result.stdout.rstrip("\n"))
        return parse_packages(result.stdout.splitlines())

    # -- training ----------------------------------------------------------------------------------------------
    def _check_trainer(self, trainer: AnyTrainer | None, initializer: Initializer | None) -> CustomTrainer:
        if initializer is not None and isinstance(initializer.dataset, DataCacheInitializer):
            raise InvalidInputError(
                "initializer.dataset",
                f"DataCacheInitializer needs the Kubeflow Trainer data cache on a cluster; it {_KUBERNETES_ONLY}",
                _USE_KUBERNETES,
            )
        if initializer is not None:
            raise InvalidInputError(
                "initializer", f"dataset and model initializers {_KUBERNETES_ONLY}", _USE_KUBERNETES
            )
        if isinstance(trainer, (CustomTrainerContainer, BuiltinTrainer)):
            raise InvalidInputError("trainer", f"{type(trainer).__name__} {_KUBERNETES_ONLY}", _USE_KUBERNETES)
        if not isinstance(trainer, CustomTrainer):
            raise InvalidInputError(
                "trainer", f"expected a CustomTrainer, got {trainer!r}.", "Pass trainer=CustomTrainer(func=...)."
            )
        if not callable(trainer.func):
            raise InvalidInputError("trainer.func", f"{trainer.func!r} is not callable.", "Pass a function.")
        if trainer.image is not None:
            raise InvalidInputError(
                "trainer.image",
                f"the local-process backend runs no container images, got image={trainer.image!r}.",
                "Remove image= (the function runs with this Python and packages_to_install), or use the "
                "Kubernetes backend.",
            )
        if trainer.num_nodes is not None and (
            isinstance(trainer.num_nodes, bool) or not isinstance(trainer.num_nodes, int) or trainer.num_nodes < 1
        ):
            raise InvalidInputError("trainer.num_nodes", f"must be a whole number >= 1, got {trainer.num_nodes!r}.")
        limit = self.config.max_processes
        if trainer.num_nodes is not None and trainer.num_nodes > limit:
            raise InvalidInputError(
                "trainer.num_nodes",
                f"{trainer.num_nodes} nodes is more than this machine runs: the local limit is {limit} processes "
                "(LocalProcessBackendConfig.max_processes; default 8 per CPU, at least 64).",
                "Use fewer nodes, or the Kubernetes backend.",
            )
        for key, value in (trainer.env or {}).items():
            if not key or "=" in key or "\x00" in key:
                raise InvalidInputError("trainer.env", f"{key!r} is not a valid environment variable name.")
            if not isinstance(value, str) or "\x00" in value:
                raise InvalidInputError("trainer.env", f"the value of {key!r} is not a string without NUL bytes.")
        return trainer

    def _job_name(self, options: list[Option]) -> str:
        names = [option.name for option in options if isinstance(option, Name)]
        if names:
            name = validate_name(names[-1], "options.Name")
            if self.core.exists(name):
                raise AlreadyExistsError(f"A job named {name!r} already exists.", reason="AlreadyExists")
            return name
        while True:
            name = generate_name()
            if not self.core.exists(name):
                return name

    def train(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> str:
        """Validate everything, resolve the job's environment, then write its state and start its nodes."""
        local_runtime, custom, num_nodes, resources, script, name = self._prepare(
            runtime, initializer, trainer, options
        )
        packages = list(custom.packages_to_install or [])
        shown = [_mask(package) for package in packages]  # credentials in a requirement URL are never recorded
        with self._environment(packages, custom.pip_index_urls or []) as python_env:
            env = {"PYTHONUNBUFFERED": "1", **(custom.env or {})}
            shared_locks: list[str] = []
            python = sys.executable
            if python_env is not None:
                merged = python_env.apply({**_environ(), **env})
                env.update({key: merged[key] for key in ("PYTHONPATH", "PATH") if key in merged})
                python = python_env.python
                if python_env.key:
                    shared_locks.append(str(self._env_cache.in_use_lock(python_env.key)))
            events = [
                InitialEvent(reason="ResourceNotHonoured", message=message, type="Warning")
                for message in resources.not_honoured.values()
            ]
            if python_env is not None and python_env.key:
                how = "reused from the cache" if python_env.reused else "built"
                events.append(
                    InitialEvent(reason="EnvironmentReady", message=f"Environment {python_env.key} {how}: {shown}.")
                )
            meta: dict[str, Any] = {
                "runtime": local_runtime.name,
                "framework": local_runtime.framework,
                "trainer": type(custom).__name__,
                "function": getattr(custom.func, "__name__", "<function>"),
                "func_args": _recorded_args(getattr(custom, "func_args", None)),
                "num_nodes": num_nodes,
                "nproc_per_node": resources.nproc_per_node,
                "device": resources.device,
                "resources_per_node": resources.requested,
                "resources_not_honoured": resources.not_honoured,
                "packages_to_install": shown,
                "environment": python_env.key if python_env is not None else None,
                "python": python,
            }
            script_path = str(self.core.job_dir(name) / launch.ENTRYPOINT)
            for attempt in range(PORT_ATTEMPTS):
                port = self.core.pick_port()
                spec = LocalJobSpec(
                    name=name,
                    nodes=launch.build_nodes(local_runtime, python, script_path, num_nodes, resources, port),
                    env=env,
                    files={launch.ENTRYPOINT: script},
                    kind=KIND,
                    meta=meta,
                    ports=[port],
                    events=events,
                    shared_locks=shared_locks,
                )
                try:
                    self.core.submit(spec)
                except ConflictError as exc:
                    if exc.reason == "PortInUse" and attempt + 1 < PORT_ATTEMPTS:
                        continue
                    raise
                break
        return name

    def _prepare(
        self,
        runtime: Runtime | str | None,
        initializer: Initializer | None,
        trainer: AnyTrainer | None,
        options: Sequence[Option] | None,
    ) -> tuple[LocalRuntime, CustomTrainer, int, NodeResources, str, str]:
        """Every check `train` makes before it touches anything; returns what the launch needs."""
        checked = check_options(options, self.kind)
        local_runtime = self._local_runtime(runtime)
        custom = self._check_trainer(trainer, initializer)
        num_nodes = custom.num_nodes or local_runtime.num_nodes
        resources = plan_resources(
            custom.resources_per_node,
            num_nodes,
            multiprocess=local_runtime.multiprocess_launcher is not None,
            environ=_environ(),
        )
        if num_nodes * resources.nproc_per_node > self.config.max_processes:
            raise InvalidInputError(
                "trainer.resources_per_node",
                f"{num_nodes} node(s) x {_count(resources.nproc_per_node)} processes per node is more than this machine "
                f"runs: the local limit is {self.config.max_processes} processes "
                "(LocalProcessBackendConfig.max_processes; default 8 per CPU, at least 64).",
                "Ask for fewer CPUs/GPUs per node or fewer nodes, or use the Kubernetes backend.",
            )
        if custom.packages_to_install:
            from kubeflow.core.local.envs.models import EnvSpec
            from kubeflow.core.local.envs.plan import make_plan

            make_plan(EnvSpec(packages=list(custom.packages_to_install), index_urls=_index_urls(custom)), _environ())
        script = render_entrypoint(custom.func, custom.func_args)
        return local_runtime, custom, num_nodes, resources, script, self._job_name(checked)

    def train_dryrun(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> dict[str, Any]:
        """The launch plan `train` would start: nodes, their argv and the variables the job adds. Starts nothing.

        The caller's environment is inherited and not shown; `MASTER_PORT` is chosen at launch (shown as 0).
        """
        local_runtime, custom, num_nodes, resources, script, name = self._prepare(
            runtime, initializer, trainer, options
        )
        script_path = str(self.core.job_dir(name) / launch.ENTRYPOINT)
        nodes = launch.build_nodes(local_runtime, sys.executable, script_path, num_nodes, resources, 0)
        return {
            "name": name,
            "runtime": local_runtime.name,
            "num_nodes": num_nodes,
            "packages_to_install": list(custom.packages_to_install or []),
            "env": dict(custom.env or {}),
            "resources_not_honoured": dict(resources.not_honoured),
            "nodes": [{"name": node.name, "argv": list(node.argv), "env": dict(node.env)} for node in nodes],
            "script": script,
        }

    @functools.cached_property
    def _env_cache(self) -> Any:
        from kubeflow.core.local.envs import EnvCache

        return EnvCache(self.config.env_cache_dir, self.config.env_cache_max_bytes)

    @contextlib.contextmanager
    def _environment(self, packages: list[str], index_urls: Sequence[str]) -> Iterator[Any]:
        """The job's Python environment: None (the caller's interpreter) without packages, else a cached overlay.

        The default index (PyPI) is not passed on, so `PIP_INDEX_URL` and friends apply; other indexes are.
        """
        if not packages:
            yield None
            return
        from kubeflow.core.local.envs import EnvSpec

        urls = _default_free(index_urls)
        with self._env_cache.use(EnvSpec(packages=packages, index_urls=urls)) as python_env:
            yield python_env

    # -- jobs --------------------------------------------------------------------------------------------------
    def _train_job(self, info: LocalJobInfo) -> TrainJob:
        cached = self._finished_jobs.get(info.name)
        if cached is not None and cached[0] == info.revision and info.revision:
            self._revisions[info.name] = info.revision
            return _fresh_copy(cached[1])  # a finished job: copied, not validated again
        job = self._build_train_job(info)
        if info.status in ("Complete", "Failed") and info.revision:
            self._finished_jobs[info.name] = (info.revision, job)
            return _fresh_copy(job)
        return job

    def _build_train_job(self, info: LocalJobInfo) -> TrainJob:
        meta = info.meta
        runtime_name = str(meta.get("runtime", constants.DEFAULT_RUNTIME))
        runtime = as_runtime(RUNTIMES.get(runtime_name) or LocalRuntime(runtime_name, str(meta.get("framework")), ()))
        device = str(meta.get("device", "cpu"))
        count = str(meta.get("nproc_per_node", 1))
        steps = [
            Step(
                name=node.name,
                status=node.status,
                pod_name=f"pid-{node.pid}" if node.pid else "",
                device=device,
                device_count=count,
                exit_code=node.exit_code,
            )
            for node in info.nodes
        ]
        self._revisions[info.name] = info.revision
        return TrainJob(
            name=info.name,
            runtime=runtime,
            steps=steps,
            num_nodes=len(info.nodes),
            creation_timestamp=info.created,
            status=info.status,
            labels=dict(info.labels),
            trainer_status=self._progress.status(
                info.name, self.core.job_dir(info.name) / progress.PROGRESS_FILE, info.created.isoformat()
            ),
        )

    def _info(self, name: str) -> LocalJobInfo:
        info = self.core.describe(name) if isinstance(name, str) and name else None
        if info is None or info.kind != KIND:
            raise NotFoundError(f"TrainJob {name!r} not found in {self.config.state_dir}.", reason="NotFound")
        return info

    def list_jobs(self, runtime: Runtime | str | None = None) -> list[TrainJob]:
        """Every training job in the state directory, oldest first; only those of `runtime` if given."""
        wanted = None if runtime is None else self._local_runtime(runtime).name
        return [
            self._train_job(info)
            for info in self.core.list()
            if info.kind == KIND and (wanted is None or info.meta.get("runtime") == wanted)
        ]

    def get_job(self, name: str) -> TrainJob:
        """The job called `name`; `NotFoundError` if there is none."""
        return self._train_job(self._info(name))

    def get_job_metrics(self, name: str) -> list[ProgressRecord]:
        """Every report the job's nodes made (`update_trainjob_status`), oldest first; `NotFoundError` if no job."""
        self._info(name)
        return self.core.progress(name)

    def get_job_logs(self, name: str, step: str = constants.DEFAULT_STEP, follow: bool = False) -> Iterator[str]:
        """The lines of one node's log (`node-0` by default); with `follow`, as written until the node ends.

        `step="all"` yields every node's lines prefixed with `[node-i]`: node by node, or as they arrive with `follow`.
        """
        info = self._info(name)
        if step != ALL_STEPS:
            return self.core.log_iter(name, step, follow=follow)
        lines = self.core.log_iter_many(name, [node.name for node in info.nodes], follow=follow)
        return (f"[{node}] {line}" for node, line in lines)

    def get_job_events(self, name: str) -> list[Event]:
        """The events of the job (created, node started, node exited with code, failed, deleted...)."""
        return self.core.events(name)

    def delete_job(self, name: str) -> None:
        """Stop every process of the job and remove its state; `NotFoundError` if there is no such job."""
        self._info(name)
        self.core.cancel(name)
        self._revisions.pop(name, None)

    def job_failure(self, job: TrainJob) -> JobFailedError:
        """The first failing node, its exit code and the last lines of its log; the job's warning events."""
        info = self.core.describe(job.name)
        if info is None:
            return JobFailedError(job.name, reason="NotFound", detail="The job no longer exists.")
        tail = self.core.log_tail(job.name, info.failed_node, LOG_TAIL_LINES) if info.failed_node else []
        warnings = [
            f"{event.involved_object_name}: {event.reason}: {event.message}"
            for event in self.core.events(job.name)
            if event.type == "Warning"
        ]
        return JobFailedError(
            job.name,
            step=info.failed_node,
            exit_code=info.failed_exit_code,
            reason=info.reason,
            detail=info.message,
            log_tail=tail,
            events=warnings,
            details={"job_dir": info.job_dir},
        )

    def wait_for_change(self, name: str, current: TrainJob, timeout: float, polling_interval: float) -> None:
        """Return within ~20 ms of a change of the job's record (or after at most half a second)."""
        self.core.wait_for_change(name, min(timeout, WATCH_SLICE), since=self._revisions.get(name))


def _default_free(index_urls: Sequence[str]) -> list[str]:
    """The job's index URLs, or none when they are the default (PyPI), so `PIP_INDEX_URL` and friends apply."""
    return [] if list(index_urls) == list(constants.DEFAULT_PIP_INDEX_URLS) else list(index_urls)


def _index_urls(custom: CustomTrainer) -> list[str]:
    return _default_free(custom.pip_index_urls or [])


def _fresh_copy(job: TrainJob) -> TrainJob:
    """A copy of a cached job the caller may change freely (its steps, labels and runtime are copies too)."""
    fresh = _clone(job)
    fresh.steps = [_clone(step) for step in job.steps]
    fresh.labels = dict(job.labels)
    fresh.runtime = _clone(job.runtime)
    return fresh


def _clone(obj: _T) -> _T:
    """A shallow copy of a public dataclass without validating it again (`copy.copy` is 10x slower)."""
    fresh = object.__new__(type(obj))
    fresh.__dict__.update(obj.__dict__)
    return fresh


def _mask(text: str) -> str:
    from kubeflow.core.local.envs.requirements import mask_credentials

    return mask_credentials(text)


def _environ() -> Mapping[str, str]:
    import os

    return os.environ


def _count(number: int) -> str:
    """A count for a message: as is, or in scientific notation when absurdly long (e.g. from `cpu: 1e300`)."""
    return str(number) if number < 10**9 else f"{float(number):.3g}"
