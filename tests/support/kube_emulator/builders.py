"""The objects Kubeflow Trainer, JobSet and the Job controller derive from a TrainJob.

A TrainJob plus its runtime become one JobSet (same name, owned by the TrainJob), one Job per
replicated job (``<trainjob>-<rjob>-0``, owned by the JobSet, Indexed completion) and pods
``<job>-<index>-<5 random>`` owned by their Job, labelled as JobSet and the Job controller do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .kinds import normalize_resources, pod_defaults, qos_class
from .util import clone, new_uid, random_suffix

Obj = dict[str, Any]
JS = "jobset.sigs.k8s.io/"
ANCESTOR = "trainer.kubeflow.org/trainjob-ancestor-step"
TORCH_PORT = 29500


@dataclass
class ReplicatedJobPlan:
    """One replicated job of the JobSet, as the controller will run it.

    Attributes:
        name: Replicated job name (``node``, ``dataset-initializer``...).
        ancestor: Value of the ``trainjob-ancestor-step`` label (``trainer``...), or ``""``.
        pods: Parallelism/completions (number of pods, completion indexes ``0..pods-1``).
        depends_on: ``(name, status)`` pairs from ``dependsOn`` (``Complete`` or ``Ready``).
        template: The Job template (``metadata`` + ``spec``), already merged with TrainJob settings.
        global_index: Index of this Job among all Jobs of the JobSet.
    """

    name: str
    ancestor: str
    pods: int
    depends_on: list[tuple[str, str]]
    template: Obj
    global_index: int = 0
    job_uid: str = field(default_factory=new_uid)

    @property
    def containers(self) -> list[str]:
        """Container names of the pod template."""
        spec = self.template.get("spec", {}).get("template", {}).get("spec", {})
        return [c["name"] for c in spec.get("containers", [])]


def num_nodes(trainjob: Obj, runtime: Obj) -> int:
    """``spec.trainer.numNodes`` of the TrainJob, else the runtime's ``mlPolicy.numNodes``, else 1."""
    trainer = (trainjob.get("spec") or {}).get("trainer") or {}
    if trainer.get("numNodes") is not None:
        return int(trainer["numNodes"])
    policy = (runtime.get("spec") or {}).get("mlPolicy") or {}
    return int(policy.get("numNodes") or 1)


def _apply_trainer(container: Obj, trainjob: Obj, runtime: Obj, nodes: int) -> None:
    trainer = (trainjob.get("spec") or {}).get("trainer") or {}
    for key in ("image", "command", "args"):
        if trainer.get(key):
            container[key] = clone(trainer[key])
    if trainer.get("resourcesPerNode"):
        container["resources"] = clone(trainer["resourcesPerNode"])
        normalize_resources(container)
    env = [e for e in container.get("env", []) if not str(e.get("name", "")).startswith("PET_")]
    env += clone(trainer.get("env") or [])
    policy = (runtime.get("spec") or {}).get("mlPolicy") or {}
    if "torch" in policy:
        name = trainjob["metadata"]["name"]
        proc = trainer.get("numProcPerNode", "auto")
        env += [
            {"name": "PET_NNODES", "value": str(nodes)},
            {"name": "PET_NPROC_PER_NODE", "value": str(proc)},
            {
                "name": "PET_NODE_RANK",
                "valueFrom": {
                    "fieldRef": {
                        "apiVersion": "v1",
                        "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                    }
                },
            },
            {"name": "PET_MASTER_ADDR", "value": f"{name}-node-0-0.{name}"},
            {"name": "PET_MASTER_PORT", "value": str(TORCH_PORT)},
        ]
        container.setdefault("ports", [{"containerPort": TORCH_PORT, "protocol": "TCP"}])
    if env:
        container["env"] = env


def _apply_initializer(container: Obj, source: Obj | None) -> None:
    if not source:
        return
    env = [e for e in container.get("env", []) if e.get("name") != "STORAGE_URI"]
    if source.get("storageUri"):
        env.insert(0, {"name": "STORAGE_URI", "value": source["storageUri"]})
    env += clone(source.get("env") or [])
    container["env"] = env
    if (source.get("secretRef") or {}).get("name"):
        container.setdefault("envFrom", []).append({"secretRef": {"name": source["secretRef"]["name"]}})


def plan(trainjob: Obj, runtime: Obj) -> list[ReplicatedJobPlan]:
    """Replicated jobs, pod counts and merged templates for a TrainJob and its runtime."""
    spec = (runtime.get("spec") or {}).get("template", {}).get("spec", {})
    policy = (runtime.get("spec") or {}).get("mlPolicy") or {}
    nodes = num_nodes(trainjob, runtime)
    initializer = (trainjob.get("spec") or {}).get("initializer") or {}
    plans = []
    for index, rjob in enumerate(spec.get("replicatedJobs") or []):
        template = clone(rjob.get("template") or {})
        ancestor = (template.get("metadata") or {}).get("labels", {}).get(ANCESTOR, "")
        job_spec = template.setdefault("spec", {})
        pod_spec = job_spec.setdefault("template", {}).setdefault("spec", {})
        count = int(job_spec.get("parallelism") or 1)
        if "mpi" in policy and rjob["name"] == "node":
            count = max(nodes - 1, 1) if (policy["mpi"] or {}).get("runLauncherAsNode") else nodes
        elif ancestor == "trainer" and "mpi" not in policy:
            count = nodes
        for container in pod_spec.get("initContainers") or []:
            normalize_resources(container)
        for container in pod_spec.get("containers") or []:
            normalize_resources(container)
            if ancestor == "trainer" and container.get("name") == "node":
                _apply_trainer(container, trainjob, runtime, nodes)
            elif ancestor == "dataset-initializer":
                _apply_initializer(container, initializer.get("dataset"))
            elif ancestor == "model-initializer":
                _apply_initializer(container, initializer.get("model"))
        job_spec["parallelism"] = job_spec["completions"] = count
        job_spec.setdefault("completionMode", "Indexed")
        job_spec.setdefault("backoffLimit", 0)
        pod_spec.setdefault("restartPolicy", "OnFailure")
        depends = [(d["name"], d.get("status", "Complete")) for d in rjob.get("dependsOn") or []]
        plans.append(ReplicatedJobPlan(rjob["name"], ancestor, count, depends, template, index))
    return plans


def owner_reference(obj: Obj) -> Obj:
    """The controller owner reference to `obj` that a child object carries (what garbage collection follows)."""
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def jobset_labels(trainjob_name: str, namespace: str, p: ReplicatedJobPlan, total: int) -> dict[str, str]:
    """Labels (and annotations) JobSet puts on its Jobs and their pods."""
    job_name = f"{trainjob_name}-{p.name}-0"
    return {
        JS + "global-replicas": str(total),
        JS + "job-global-index": str(p.global_index),
        JS + "job-index": "0",
        JS + "job-key": hashlib.sha256(f"{namespace}/{job_name}".encode()).hexdigest(),
        JS + "jobset-name": trainjob_name,
        JS + "replicatedjob-name": p.name,
        JS + "replicatedjob-replicas": "1",
        JS + "restart-attempt": "0",
    }


def build_jobset(trainjob: Obj, runtime: Obj, plans: list[ReplicatedJobPlan]) -> Obj:
    """The JobSet the Trainer controller creates for a TrainJob."""
    meta = trainjob["metadata"]
    spec = clone((runtime.get("spec") or {}).get("template", {}).get("spec", {}))
    spec["replicatedJobs"] = [{"name": p.name, "replicas": 1, "template": clone(p.template)} for p in plans]
    template_meta = (runtime.get("spec") or {}).get("template", {}).get("metadata") or {}
    return {
        "apiVersion": "jobset.x-k8s.io/v1alpha2",
        "kind": "JobSet",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": new_uid(),
            "labels": clone(template_meta.get("labels") or {}),
            "annotations": clone(template_meta.get("annotations") or {}),
            "ownerReferences": [owner_reference(trainjob)],
        },
        "spec": spec,
        "status": {
            "replicatedJobsStatus": [
                {"name": p.name, "ready": 0, "succeeded": 0, "failed": 0, "active": 1, "suspended": 0} for p in plans
            ]
        },
    }


def build_job(jobset: Obj, p: ReplicatedJobPlan, total: int) -> Obj:
    """One Job of the JobSet."""
    meta = jobset["metadata"]
    labels = jobset_labels(meta["name"], meta["namespace"], p, total)
    template = clone(p.template)
    job_meta = template.pop("metadata", {}) or {}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{meta['name']}-{p.name}-0",
            "namespace": meta["namespace"],
            "uid": p.job_uid,
            "labels": {**(job_meta.get("labels") or {}), **labels},
            "annotations": {**(job_meta.get("annotations") or {}), **labels},
            "ownerReferences": [owner_reference(jobset)],
        },
        "spec": template["spec"],
        "status": {"active": p.pods, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {}},
    }


def build_pod(job: Obj, p: ReplicatedJobPlan, index: int, total: int) -> Obj:
    """A pod of an Indexed Job: name ``<job>-<index>-<random>``, JobSet and Job labels, Job owner."""
    meta = job["metadata"]
    jobset_name = meta["labels"][JS + "jobset-name"]
    template = clone(p.template["spec"]["template"])
    pod_meta = template.get("metadata") or {}
    job_labels = {
        "batch.kubernetes.io/controller-uid": meta["uid"],
        "batch.kubernetes.io/job-completion-index": str(index),
        "batch.kubernetes.io/job-name": meta["name"],
        "controller-uid": meta["uid"],
        "job-name": meta["name"],
    }
    set_labels = jobset_labels(jobset_name, meta["namespace"], p, total)
    spec = template.get("spec") or {}
    spec["hostname"] = f"{meta['name']}-{index}"
    spec["subdomain"] = jobset_name
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{meta['name']}-{index}-{random_suffix()}",
            "generateName": f"{meta['name']}-{index}-",
            "namespace": meta["namespace"],
            "uid": new_uid(),
            "labels": {**(pod_meta.get("labels") or {}), **job_labels, **set_labels},
            "annotations": {
                **(pod_meta.get("annotations") or {}),
                **set_labels,
                "batch.kubernetes.io/job-completion-index": str(index),
            },
            "ownerReferences": [owner_reference(job)],
        },
        "spec": spec,
    }
    pod_defaults(pod)
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}
    return pod
