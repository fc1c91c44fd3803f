"""Initializers -> `spec.initializer.dataset/model`, with credentials in Secrets referenced by `secretRef`.

The Trainer's initializer images read their settings from environment variables named after the settings in
upper case (`STORAGE_URI`, `IGNORE_PATTERNS` as a comma-separated list, `ENDPOINT`, `REGION`, `ROLE_ARN`,
`ACCESS_TOKEN`, `ACCESS_KEY_ID`, `SECRET_ACCESS_KEY`). Non-secret settings go into `env`; tokens and keys go into a
Secret named `<job>-dataset-credentials` / `<job>-model-credentials` whose keys are those variable names, which the
controller turns into `envFrom.secretRef` on the initializer container. A credential never appears in the body.

A `DataCacheInitializer` is sent as the existing SDK sends it: `storageUri` plus `CLUSTER_SIZE` (data nodes + the
head), `METADATA_LOC` and its optional sizing settings (`HEAD_CPU`, `HEAD_MEM`, `WORKER_CPU`, `WORKER_MEM`,
`IAM_ROLE`) as `env`.
"""

from __future__ import annotations

import base64
from typing import Any, Final, Literal

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import constants
from kubeflow.trainer.types import (
    DataCacheInitializer,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    S3DatasetInitializer,
    S3ModelInitializer,
)
from kubeflow.trainer.types.initializers import hf_storage_uri

AnyInitializer = HuggingFaceDatasetInitializer | HuggingFaceModelInitializer | S3DatasetInitializer | S3ModelInitializer
Kind = Literal["dataset", "model"]

PUBLIC_SETTINGS: Final = ("ignore_patterns", "endpoint", "region", "role_arn")
SECRET_SETTINGS: Final = ("access_token", "access_key_id", "secret_access_key")
DATA_CACHE_SETTINGS: Final = ("head_cpu", "head_mem", "worker_cpu", "worker_mem", "iam_role")
MANAGED_BY_LABEL: Final = "app.kubernetes.io/managed-by"
MANAGED_BY: Final = "kubeflow-sdk"
TRAINJOB_LABEL: Final = "sdk.kubeflow.org/trainjob-name"
"""Label on the Secrets naming the TrainJob they serve (an SDK key: the Trainer's own keys stay the Trainer's)."""
STEPS: Final[dict[Kind, str]] = {"dataset": constants.DATASET_INITIALIZER, "model": constants.MODEL_INITIALIZER}


def secret_name(job: str, kind: Kind) -> str:
    """The deterministic name of the Secret holding one initializer's credentials."""
    return f"{job}-{kind}-credentials"


def _env(init: AnyInitializer, field: str) -> list[dict[str, str]]:
    env: list[dict[str, str]] = []
    for setting in PUBLIC_SETTINGS:
        value = getattr(init, setting, None)
        if value is None:
            continue
        if setting == "ignore_patterns":
            bad = [item for item in value if "," in item or not item.strip()]
            if bad:
                raise InvalidInputError(
                    f"{field}.ignore_patterns",
                    f"{bad!r} cannot be passed: the initializer splits the list on commas and drops blanks.",
                    "Use patterns without commas.",
                )
            if not value:
                continue
            value = ",".join(value)
        env.append({"name": setting.upper(), "value": str(value)})
    return env


def _data_cache_env(init: DataCacheInitializer) -> list[dict[str, str]]:
    env = [
        {"name": "CLUSTER_SIZE", "value": str(init.num_data_nodes + 1)},
        {"name": "METADATA_LOC", "value": init.metadata_loc},
    ]
    for setting in DATA_CACHE_SETTINGS:
        value = getattr(init, setting)
        if value is not None:
            env.append({"name": setting.upper(), "value": str(value)})
    return env


def _secret_data(init: AnyInitializer, field: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for setting in SECRET_SETTINGS:
        value = getattr(init, setting, None)
        if value is None:
            continue
        if not value:
            raise InvalidInputError(f"{field}.{setting}", "is empty.", "Pass the credential, or None to omit it.")
        data[setting.upper()] = base64.b64encode(value.encode("utf-8")).decode("ascii")
    if isinstance(init, (S3DatasetInitializer, S3ModelInitializer)) and (
        (init.access_key_id is None) != (init.secret_access_key is None)
    ):
        raise InvalidInputError(
            field, "access_key_id and secret_access_key must be given together.", "Pass both, or neither."
        )
    return data


def _secret(name: str, namespace: str, job: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {MANAGED_BY_LABEL: MANAGED_BY, TRAINJOB_LABEL: job},
        },
        "type": "Opaque",
        "data": data,
    }


def initializer_spec(
    initializer: Initializer, *, job: str, namespace: str, steps: frozenset[str], runtime: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`(spec.initializer, secrets)` for the initializers given.

    Raises:
        InvalidInputError: The runtime has no step for a given initializer (the controller would ignore it), or a
            setting cannot be expressed.
    """
    spec: dict[str, Any] = {}
    secrets: list[dict[str, Any]] = []
    kinds: tuple[tuple[Kind, AnyInitializer | DataCacheInitializer | None], ...] = (
        ("dataset", initializer.dataset),
        ("model", initializer.model),
    )
    for kind, init in kinds:
        if init is None:
            continue
        field = f"initializer.{kind}"
        if STEPS[kind] not in steps:
            raise InvalidInputError(
                field,
                f"the runtime {runtime!r} has no {STEPS[kind]} step, so the Trainer would ignore this initializer.",
                f"Choose a runtime with a {STEPS[kind]} step (e.g. a torchtune runtime), or drop the initializer.",
            )
        uri = init.storage_uri
        if isinstance(init, (HuggingFaceDatasetInitializer, HuggingFaceModelInitializer)):
            uri = hf_storage_uri(uri)  # a bare `owner/name`, as the existing SDK accepts it
        entry: dict[str, Any] = {"storageUri": uri}
        if isinstance(init, DataCacheInitializer):
            entry["env"] = _data_cache_env(init)
            spec[kind] = entry
            continue
        env = _env(init, field)
        if env:
            entry["env"] = env
        data = _secret_data(init, field)
        if data:
            name = secret_name(job, kind)
            entry["secretRef"] = {"name": name}
            secrets.append(_secret(name, namespace, job, data))
        spec[kind] = entry
    return spec, secrets
