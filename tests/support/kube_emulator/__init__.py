"""An in-process Kubernetes API server emulator for tests of the Kubeflow Trainer backend.

What it emulates
    A kube-apiserver (v1.33 flavour) serving plain HTTP on ``127.0.0.1`` (ephemeral port), good
    enough for the official ``kubernetes`` Python client (37.x): ``CoreV1Api`` (pods, pod logs,
    events, secrets, configmaps, serviceaccounts, services, PVCs, namespaces), ``BatchV1Api`` Jobs,
    ``CustomObjectsApi`` (TrainJob, TrainingRuntime, ClusterTrainingRuntime, JobSet), CRD objects
    under ``apiextensions.k8s.io/v1``, discovery (``/api``, ``/apis``, ``/version``) and
    ``watch.Watch``. Answers carry the apiserver's status codes and ``Status`` bodies (201 on
    create, 404/409/410/422 with ``reason`` and ``details``), list metadata (``resourceVersion``,
    ``continue``, ``remainingItemCount``), full label selector syntax, the field selectors each
    kind supports, merge/JSON/strategic-merge patches, the status subresource, finalizers,
    ``generateName``, optimistic concurrency, cascading deletion via ``ownerReferences``, watch
    streams with bounded history and 410 ``Expired``, bookmarks, and ``text/plain`` pod logs with
    ``follow``. Trainer CRD objects are pruned, defaulted and validated against the CRD's
    ``openAPIV3Schema`` (unknown fields dropped with a ``Warning`` header, or refused with 400
    under ``fieldValidation=Strict`` as the apiserver does); the CEL rule shapes the Trainer CRDs
    use are checked by pattern (TrainJob name RFC 1035 / 63 characters in v2.1+, immutability...).
    ``emu.controller`` emulates Kubeflow Trainer + JobSet + the Job controller: JobSet, Jobs and
    pods with the real labels, names and owners, pod phases, container logs, events and the
    TrainJob ``status.conditions``/``jobsStatus`` the real controller writes. Faults (error
    statuses, 429 + ``Retry-After``, dropped connections, delays, after-commit failures) are
    injected by method and path regex. ``emu.install_katib()`` serves Katib's ``kubeflow.org/v1beta1``
    Experiment/Trial/Suggestion (CRDs from the reference data; schemaless, so kept as sent) and
    ``emu.katib`` emulates its controllers: suggestions (random/grid), Trials whose TrainJobs the
    Trainer emulation runs (the SDK's generated script really runs), the StdOut metrics collector,
    ``currentOptimalTrial`` and the Experiment's conditions (see ``kube_emulator.katib``).

What it does not
    No TLS, no RBAC or admission webhooks (only bearer-token authentication), no server-side apply
    (``application/apply-patch+yaml`` answers 415), no ``managedFields``, no protobuf/CBOR or Table
    output, no aggregated discovery, no real scheduling or containers: pods only change phase when
    the controller or a test says so, and pod deletion is immediate (no graceful termination).
    Built-in kinds get a few defaults and checks (pods, secrets) but no full schema validation.
    Namespaces need not exist before objects are created in them (a real cluster answers 404);
    deleting a Namespace deletes its objects at once. Admission webhooks of Trainer (runtime
    existence, reserved env names...) are not emulated.
    Lists are not snapshots: a ``continue`` token reads the current state after its key. CEL
    rules other than the recognised shapes are ignored. A pod that is not scheduled (no
    ``spec.nodeName``) answers a log request with 204 and no body, as the apiserver does.

Where the CRDs come from
    The reference data's ``kubeflow-trainer`` folder, found through ``tests/support/reference.py``
    (``$KUBEFLOW_SDK_REFERENCE``, default ``../shared/reference`` beside the checkout): ``crds/``
    and ``runtimes/`` for ``trainer_crds="master"``, ``versions/<v>/crds`` and
    ``versions/<v>/runtimes`` for ``"v2.1.0"`` and ``"v2.0.1"``. Those files are verbatim copies
    of the upstream kubeflow/trainer manifests (see its README). Without that folder (a fresh
    clone), ``"master"`` installs the schema-less stand-in CRDs of ``fixtures/crds.yaml`` (objects
    stored as sent: no pruning, defaulting or validation) and one default runtime,
    ``torch-distributed`` (``fixtures/runtimes/``); the older sets skip the test, and where
    ``KUBEFLOW_SDK_REFERENCE_REQUIRED=1`` every one of these cases fails instead.

Usage (pytest: the ``kube_emulator`` and ``kubeconfig_path`` fixtures of
``kube_emulator.pytest_plugin`` do the first lines)::

    from kube_emulator import KubeEmulator, Fault

    with KubeEmulator(trainer_crds="master") as emu:      # or "v2.1.0", "v2.0.1"
        emu.load_default_runtimes()
        path = emu.write_kubeconfig(tmp_path / "kubeconfig")   # or emu.client_configuration()
        emu.apply(obj); emu.get("v1", "Pod", name, ns); emu.list_objects(api_version, kind, ns)
        emu.append_log(ns, pod, "node", "line"); emu.record_event(ns, {"kind": "TrainJob", "name": n}, r, m)
        emu.add_fault(Fault(method="POST", path=r"/trainjobs$", status=503, after_commit=True))
        emu.requests; emu.reset_requests()

        emu.controller.auto = True            # reconcile TrainJobs created through the API
        emu.controller.auto_outcome = "Complete"   # "Failed", or None to leave them Running
        emu.controller.run_job(ns, name, outcome="Failed", failing_step="node-1", log_lines=[...])
        emu.controller.run_job(ns, name, outcome=None); emu.controller.end_job(ns, name, "Complete")
        emu.controller.create_pods(ns, name); emu.controller.set_pod_phase(ns, pod, "Running")
        emu.controller.restart_pod(ns, pod); emu.controller.finish(ns, name, "Complete")
        emu.seed_trainjobs(1000, 4, namespace="bench")   # benchmark fast path, no HTTP

        emu.install_katib()                   # Katib CRDs + controller emulation (skips without reference)
        emu.katib.metrics = lambda params: {"loss": float(params["lr"])}   # for non-script trials
"""

from .controller import TrainerController
from .emulator import KubeEmulator
from .faults import Fault
from .katib import KatibController
from .server import Recorded
from .status import ApiError

__all__ = ["ApiError", "Fault", "KatibController", "KubeEmulator", "Recorded", "TrainerController"]
