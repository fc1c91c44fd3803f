"""Creating a TrainJob: Secrets first, then the TrainJob, then the Secrets made owned by it.

Each create is idempotent under retry (see `ObjectClient.create`). If the TrainJob cannot be created, the Secrets
created for it are deleted again; once it exists, its uid becomes the Secrets' owner so they are deleted with it.
"""

from __future__ import annotations

import logging
from typing import Any

from kubeflow.core.errors import AlreadyExistsError, KubeflowError, NotFoundError
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import SECRETS
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body import TrainJobRequest
from kubeflow.trainer.backends.kubernetes.resources import TRAINJOBS

log = logging.getLogger(__name__)
Obj = dict[str, Any]


def owner_reference(trainjob: Obj) -> Obj:
    """An ownerReference to a stored TrainJob (not a controller reference: the Trainer controller owns nothing)."""
    meta = trainjob["metadata"]
    return {
        "apiVersion": constants.API_VERSION,
        "kind": constants.TRAINJOB_KIND,
        "name": meta["name"],
        "uid": meta["uid"],
        "blockOwnerDeletion": False,
        "controller": False,
    }


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _cleanup(objects: ObjectClient, secrets: list[Obj], namespace: str) -> None:
    for secret in secrets:
        try:
            objects.delete(SECRETS, _name(secret), namespace)
        except KubeflowError as exc:  # best effort: the original error matters more
            log.warning("Could not delete Secret %r after a failed submission: %s", _name(secret), exc.reason)


def _job_exists(job_name: str, namespace: str) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"TrainJob {job_name!r} already exists in namespace {namespace!r}. "
        "Choose another name, or delete the existing job first.",
        reason="AlreadyExists",
        status=409,
    )


def submit(objects: ObjectClient, request: TrainJobRequest, namespace: str) -> Obj:
    """Create the request's Secrets and TrainJob; return the stored TrainJob.

    Raises:
        AlreadyExistsError: A TrainJob (or a Secret) of that name exists already.
    """
    job_name = _name(request.body)
    created: list[Obj] = []
    try:
        for secret in request.secrets:
            created.append(objects.create(SECRETS, secret, namespace))
    except AlreadyExistsError as exc:
        _cleanup(objects, created, namespace)
        if objects.get_or_none(TRAINJOBS, job_name, namespace) is not None:
            raise _job_exists(job_name, namespace) from None
        raise exc
    except BaseException:
        _cleanup(objects, created, namespace)
        raise
    try:
        trainjob = objects.create(TRAINJOBS, request.body, namespace)
    except AlreadyExistsError:
        _cleanup(objects, created, namespace)
        raise _job_exists(job_name, namespace) from None
    except BaseException:
        _cleanup(objects, created, namespace)
        raise
    reference = owner_reference(trainjob)
    for secret in created:
        try:
            objects.patch(SECRETS, _name(secret), {"metadata": {"ownerReferences": [reference]}}, namespace)
        except NotFoundError:  # pragma: no cover - deleted concurrently; nothing left to own
            continue
    return trainjob


__all__ = ["owner_reference", "submit"]
