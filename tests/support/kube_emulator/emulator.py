"""``KubeEmulator``: the public entry point tying store, API, HTTP server and controller together."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from . import builders, lifecycle, resources
from .api import Api
from .cluster import TRAINER, Cluster
from .controller import TrainerController
from .faults import Fault, FaultSet
from .katib import KatibController
from .logs import LogStore
from .registry import Registry, TypeIndex
from .server import KubeHTTPServer, Recorded, serve_in_thread
from .store import Change, Store
from .util import clone, rfc3339

_DEFAULT = object()
VERSION_CONFIGMAP = "kubeflow-trainer-public"
TRAINER_NAMESPACE = "kubeflow-system"
DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease", TRAINER_NAMESPACE)


class KubeEmulator:
    """An in-process kube-apiserver for tests, with the Kubeflow Trainer CRDs installed.

    Args:
        trainer_crds: Which Trainer CRD set to install: ``master`` (API of v2.3), ``v2.1.0`` or ``v2.0.1``.
        trainer_version: Value of ``kubeflow_trainer_version`` in the ``kubeflow-trainer-public``
            ConfigMap (namespace ``kubeflow-system``); default ``v2.3.0`` for ``master`` and no
            ConfigMap for the older sets (their manifests do not ship it); ``None`` for none.
        token: Bearer token the API accepts (tokens handed out by :meth:`write_kubeconfig` and
            :meth:`client_configuration` are accepted too).
        require_auth: Answer 401 to requests without an accepted bearer token, as a real cluster.
        history_limit: Changes kept for watches resuming from a resourceVersion (older: 410 Gone).
    """

    def __init__(
        self,
        trainer_crds: str = "master",
        *,
        trainer_version: Any = _DEFAULT,
        token: str = "t0ken",
        require_auth: bool = True,
        history_limit: int = 20000,
    ) -> None:
        self.trainer_crds = trainer_crds
        self.store = Store(history_limit)
        self.types = TypeIndex()
        for rt in resources.builtin_types():
            self.types.add(rt)
        self.registry = Registry(self.store, self.types)
        self.logs = LogStore()
        self.cluster = Cluster(self.store, self.registry, self.types, self.logs)
        self.api = Api(self.store, self.registry, self.types, self.logs)
        self.faults = FaultSet()
        self.controller = TrainerController(self.cluster)
        self._tokens = {token}
        self._require_auth = require_auth
        self._server: KubeHTTPServer | None = None
        self.store.add_listener(self._on_change)
        self.store.add_listener(self.controller.on_change)
        self.katib = KatibController(self.cluster, self.controller)
        self.store.add_listener(self.katib.on_change)
        for name in DEFAULT_NAMESPACES:
            self.apply(
                {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"name": name},
                    "spec": {"finalizers": ["kubernetes"]},
                    "status": {"phase": "Active"},
                }
            )
        self._install_crds()
        if trainer_version is _DEFAULT:
            trainer_version = "v2.3.0" if trainer_crds == "master" else None
        self.trainer_version: str | None = trainer_version
        if trainer_version is not None:
            self.apply(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {
                        "name": VERSION_CONFIGMAP,
                        "namespace": TRAINER_NAMESPACE,
                        "labels": {"app.kubernetes.io/name": "trainer"},
                    },
                    "data": {"kubeflow_trainer_version": trainer_version},
                }
            )

    def _install_crds(self, crds: list[dict[str, Any]] | None = None) -> None:
        crd_type = self.types.lookup("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        for crd in resources.load_crds(self.trainer_crds) if crds is None else crds:
            for rt in resources.crd_types(crd):
                self.types.add(rt)
            obj = clone(crd)
            names = obj["spec"]["names"]
            stamp = rfc3339()
            obj["status"] = {
                "acceptedNames": names,
                "conditions": [
                    {
                        "type": "NamesAccepted",
                        "status": "True",
                        "reason": "NoConflicts",
                        "message": "no conflicts found",
                        "lastTransitionTime": stamp,
                    },
                    {
                        "type": "Established",
                        "status": "True",
                        "reason": "InitialNamesAccepted",
                        "message": "the initial names have been accepted",
                        "lastTransitionTime": stamp,
                    },
                ],
                "storedVersions": [v["name"] for v in obj["spec"]["versions"] if v.get("storage")],
            }
            if self.store.get(crd_type, "", obj["metadata"]["name"]) is None:
                self.cluster.insert(obj)

    def install_katib(self, auto: bool = True) -> list[str]:
        """Serve Katib's ``kubeflow.org/v1beta1`` Experiment, Trial and Suggestion and turn on its emulation.

        The CRDs come from ``katib/crds`` of the reference data through ``tests/support/reference.py``: without it
        the calling test skips (fails where the reference is required). Returns the CRD names.
        """
        from reference import reference_path

        folder = reference_path("katib", "crds")
        crds = [resources.load_yaml_documents(path)[0] for path in sorted(folder.glob("*.yaml"))]
        self._install_crds(crds)
        self.katib.auto = auto
        return [crd["metadata"]["name"] for crd in crds]

    def _on_change(self, change: Change) -> None:
        if change.resource == "pods":
            if change.type == "DELETED":
                meta = change.entry.obj["metadata"]
                self.logs.drop_pod(meta.get("namespace", ""), meta["name"])
            else:
                self.logs.notify()

    # ------------------------------------------------------------- lifecycle
    def start(self) -> str:
        """Start serving on ``127.0.0.1`` (ephemeral port) and the controller; return the base URL."""
        if self._server is None:
            self._server = KubeHTTPServer(self.api, self.faults, self._tokens, self._require_auth)
            self.api.address = f"127.0.0.1:{self._server.server_address[1]}"
            serve_in_thread(self._server)
            self.controller.start()
        return self.url

    def stop(self) -> None:
        """Stop the controller, end watches and log streams, close connections and the socket."""
        self.katib.stop()
        self.controller.stop()
        self.api.stopping.set()
        self.store.close()
        self.logs.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()

    def __enter__(self) -> KubeEmulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------------------ client side
    def write_kubeconfig(
        self, path: str | Path, namespace: str = "default", context: str = "emulator", token: str = "t0ken"
    ) -> Path:
        """Write a kubeconfig pointing at this emulator (the token becomes an accepted one)."""
        self._tokens.add(token)
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {"token": token}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context, "namespace": namespace}}],
            "current-context": context,
            "preferences": {},
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return target

    def client_configuration(self, token: str = "t0ken") -> Any:
        """A ``kubernetes.client.Configuration`` with host and bearer token set."""
        from kubernetes import client

        self._tokens.add(token)
        configuration = client.Configuration(host=self.url)
        configuration.api_key = {"authorization": f"Bearer {token}"}
        return configuration

    # ------------------------------------------------------------ direct state
    def apply(self, obj: dict[str, Any], validate: bool = True) -> dict[str, Any]:
        """Create or replace any object directly (status kept, CRD defaults applied); return a copy."""
        return clone(self.registry.apply(obj, validate=validate))

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """A copy of a stored object, or ``None``."""
        obj = self.cluster.get(api_version, kind, name, namespace)
        return clone(obj) if obj is not None else None

    def list_objects(self, api_version: str, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        """Copies of the stored objects of a kind (all namespaces when ``namespace`` is None)."""
        return [clone(o) for o in self.cluster.list(api_version, kind, namespace)]

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> None:
        """Delete an object (and its dependents) directly, if it exists."""
        obj = self.cluster.get(api_version, kind, name, namespace)
        if obj is not None:
            self.cluster.remove(obj)

    def load_default_runtimes(self) -> list[str]:
        """Apply every ClusterTrainingRuntime YAML of the matching reference ``runtimes/``; return their names."""
        names = []
        for path in resources.runtime_files(self.trainer_crds):
            for doc in resources.load_yaml_documents(path):
                if doc.get("kind") == "ClusterTrainingRuntime":
                    names.append(self.apply(doc)["metadata"]["name"])
        return names

    def append_log(self, namespace: str, pod: str, container: str, line: str) -> None:
        """Append a line to a container's log (followers get it at once)."""
        self.logs.append(namespace, pod, container, line)

    def record_event(
        self, namespace: str, involved: dict[str, Any], reason: str, message: str, type: str = "Normal"
    ) -> dict[str, Any]:
        """Record a ``v1`` Event about ``involved`` (``kind``, ``name``, optional ``uid``...)."""
        return clone(self.cluster.record_event(namespace, involved, reason, message, type))

    @property
    def requests(self) -> list[Recorded]:
        """Requests answered so far (method, path, query, status)."""
        if self._server is None:
            return []
        with self._server.record_lock:
            return list(self._server.recorded)

    def reset_requests(self) -> None:
        """Forget the recorded requests."""
        if self._server is not None:
            with self._server.record_lock:
                self._server.recorded.clear()

    def drop_connections(self) -> None:
        """Cut every open client connection now (idle keep-alive ones and open streams), like a network failure."""
        if self._server is not None:
            self._server.close_connections()

    def add_fault(self, fault: Fault) -> Fault:
        """Inject a fault (see :class:`~kube_emulator.faults.Fault`)."""
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove all pending faults."""
        self.faults.clear()

    # -------------------------------------------------------------- benchmark
    def seed_trainjobs(
        self,
        count: int,
        pods_per_job: int,
        namespace: str = "default",
        runtime: str = "torch-distributed",
        phase: str = "Running",
        name_prefix: str = "bench",
    ) -> list[str]:
        """Insert TrainJobs with their JobSet, Job and pods directly (no HTTP, no events).

        Each TrainJob ``<prefix>-<i>`` references the ClusterTrainingRuntime ``runtime`` (loaded
        from the reference runtimes if missing) with ``trainer.numNodes = pods_per_job``; pods are
        in ``phase`` (``Running``, ``Succeeded``, ``Failed`` or ``Pending``); TrainJobs of finished
        pods get the matching ``Complete``/``Failed`` condition. Returns the TrainJob names.
        """
        runtime_obj = self.cluster.get(TRAINER, "ClusterTrainingRuntime", runtime)
        if runtime_obj is None:
            self.load_default_runtimes()
            runtime_obj = self.cluster.get(TRAINER, "ClusterTrainingRuntime", runtime)
        if runtime_obj is None:
            raise LookupError(f"ClusterTrainingRuntime {runtime} not found")
        trainjob_type = self.cluster.trainjobs
        names = []
        for i in range(count):
            name = f"{name_prefix}-{i}"
            trainjob: dict[str, Any] = {
                "apiVersion": TRAINER,
                "kind": "TrainJob",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"runtimeRef": {"name": runtime}, "trainer": {"numNodes": pods_per_job}},
            }
            if trainjob_type.schema is not None:
                trainjob_type.schema.default(trainjob)
            trainjob = self.cluster.insert(trainjob)
            plans = builders.plan(trainjob, runtime_obj)
            jobset = self.cluster.insert(builders.build_jobset(trainjob, runtime_obj, plans))
            for p in plans:
                job = self.cluster.insert(builders.build_job(jobset, p, len(plans)))
                for index in range(p.pods):
                    pod = builders.build_pod(job, p, index, len(plans))
                    lifecycle.apply_phase(pod, phase)
                    self.cluster.insert(pod)
            lifecycle.refresh(self.cluster, namespace, name)
            if phase in ("Succeeded", "Failed"):
                self.controller.finish(namespace, name, "Complete" if phase == "Succeeded" else "Failed")
            names.append(name)
        return names
