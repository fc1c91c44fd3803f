"""Creating a TrainJob: Secrets first, then the TrainJob, then the Secrets made owned by it.

Each create is idempotent under retry (see `ObjectClient.create`). If the TrainJob cannot be created, the Secrets
created for it are deleted again; once it exists, its uid becomes the Secrets' owner so they are deleted with it
where a garbage collector runs, and `delete_job` deletes them itself (`delete_job_secrets`) where none does. A
Secret this SDK made for an earlier TrainJob of the same name, now gone, is replaced rather than refused. A 403 on
a Secret names the missing permission (`create secrets`) and the way out.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from kubeflow.core.errors import AlreadyExistsError, ForbiddenError, KubeflowError, NotFoundError
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import SECRETS
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body import TrainJobRequest
from kubeflow.trainer.backends.kubernetes.body.initializers import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    TRAINJOB_LABEL,
    secret_name,
)
from kubeflow.trainer.backends.kubernetes.resources import TRAINJOBS

log = logging.getLogger(__name__)
_LABEL_VALUE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
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


def _forbidden_secrets(exc: ForbiddenError, namespace: str) -> ForbiddenError:
    return ForbiddenError(
        f"You may not create Secrets in namespace {namespace!r} ({exc.message}). The initializer credentials "
        "(access_token, access_key_id, secret_access_key) are passed to the initializers in a Secret, never in the "
        f"TrainJob, so training with them needs the permission `create secrets` in namespace {namespace!r} (and "
        "`get`, `list`, `patch`, `delete` for cleanup). Fix: ask a cluster admin for it, e.g. `kubectl create role "
        f"kubeflow-sdk-secrets -n {namespace} --verb=create,get,list,patch,delete --resource=secrets` and `kubectl "
        f"create rolebinding kubeflow-sdk-secrets -n {namespace} --role=kubeflow-sdk-secrets --user=<you>`; or "
        "leave the credentials out (public HuggingFace repositories and S3 buckets need none). Nothing was created.",
        reason=exc.reason or "Forbidden",
        status=exc.status,
    )


def _is_ours(secret: Obj, job_name: str) -> bool:
    labels = (secret.get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY and labels.get(TRAINJOB_LABEL) == job_name


def _create_secret(objects: ObjectClient, secret: Obj, job_name: str, namespace: str) -> Obj:
    """Create one credential Secret; replace an SDK Secret left behind by a deleted TrainJob of the same name.

    Raises:
        AlreadyExistsError: The TrainJob exists, or a Secret of that name exists that this SDK did not make for it.
        ForbiddenError: The caller may not create Secrets (the message names the permission and the way out).
    """
    try:
        return objects.create(SECRETS, secret, namespace)
    except ForbiddenError as exc:
        raise _forbidden_secrets(exc, namespace) from None
    except AlreadyExistsError:
        if objects.get_or_none(TRAINJOBS, job_name, namespace) is not None:
            raise _job_exists(job_name, namespace) from None
        existing = objects.get_or_none(SECRETS, _name(secret), namespace)
        if existing is not None and not _is_ours(existing, job_name):
            raise AlreadyExistsError(
                f"Secret {_name(secret)!r} already exists in namespace {namespace!r} and was not made by this SDK "
                f"for TrainJob {job_name!r}, so it is left alone. Fix: choose another job name, or delete that Secret.",
                reason="AlreadyExists",
                status=409,
            ) from None
    # An SDK Secret whose TrainJob is gone (no garbage collector removed it): replace it.
    log.info("Replacing Secret %r left behind by a deleted TrainJob %r", _name(secret), job_name)
    try:
        objects.delete(SECRETS, _name(secret), namespace)
    except NotFoundError:
        pass
    return objects.create(SECRETS, secret, namespace)


def submit(objects: ObjectClient, request: TrainJobRequest, namespace: str) -> Obj:
    """Create the request's Secrets and TrainJob; return the stored TrainJob.

    Raises:
        AlreadyExistsError: A TrainJob (or a Secret this SDK did not make) of that name exists already.
        ForbiddenError: The caller may not create Secrets or TrainJobs.
    """
    job_name = _name(request.body)
    created: list[Obj] = []
    try:
        for secret in request.secrets:
            created.append(_create_secret(objects, secret, job_name, namespace))
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
        except ForbiddenError as exc:  # the job exists; delete_job removes the labelled Secret all the same
            log.warning("Could not make TrainJob %r the owner of Secret %r: %s", job_name, _name(secret), exc.reason)
    return trainjob


def job_secret_selector(job_name: str) -> str:
    """The label selector of the credential Secrets this SDK made for one TrainJob."""
    return f"{MANAGED_BY_LABEL}={MANAGED_BY},{TRAINJOB_LABEL}={job_name}"


def delete_job_secrets(objects: ObjectClient, job_name: str, namespace: str) -> list[str]:
    """Delete the credential Secrets this SDK made for `job_name` (labelled as such); return their names.

    Many clusters run no garbage collector for these (or the owner reference could not be set), so `delete_job`
    removes them itself. Best effort: a Secret that cannot be listed or deleted is logged, never raised.
    """
    if not _LABEL_VALUE.match(job_name):
        return []
    try:
        found = objects.list(SECRETS, namespace, label_selector=job_secret_selector(job_name)).items
    except ForbiddenError:  # may not list: look at the names this SDK gives them
        found = []
        for kind in ("dataset", "model"):
            try:
                secret = objects.get_or_none(SECRETS, secret_name(job_name, kind), namespace)
            except KubeflowError:
                secret = None
            if secret is not None:
                found.append(secret)
    except KubeflowError as exc:
        log.warning("Could not list the Secrets of TrainJob %r: %s", job_name, exc.reason)
        return []
    deleted: list[str] = []
    for secret in found:
        if not _is_ours(secret, job_name):
            continue
        try:
            objects.delete(SECRETS, _name(secret), namespace)
        except NotFoundError:
            pass
        except KubeflowError as exc:
            log.warning("Could not delete Secret %r of TrainJob %r: %s", _name(secret), job_name, exc.reason)
            continue
        deleted.append(_name(secret))
    return deleted


__all__ = ["delete_job_secrets", "job_secret_selector", "owner_reference", "submit"]
