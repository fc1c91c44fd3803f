"""Every TrainJob body the builder can produce validates against the CRD of its API level, with nothing pruned.

The matrix crosses each trainer kind (function under torchrun, under mpirun, under plain python; a container
image; the built-in TorchTune; none) with initializers, options, resources and the three API levels. Combinations
a release cannot express must raise `InvalidInputError` naming the field; all others must validate.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import k8s_schema
import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.backends.kubernetes.body import API_LEVELS, RuntimeObject, build_trainjob
from kubeflow.trainer.options import (
    ActiveDeadlineSeconds,
    Annotations,
    ContainerPatch,
    JobSetSpecPatch,
    JobSetTemplatePatch,
    JobSpecPatch,
    JobTemplatePatch,
    Labels,
    PodSpecPatch,
    PodTemplatePatch,
    ReplicatedJobPatch,
    RuntimePatch,
    TrainerArgs,
    TrainerCommand,
    TrainingRuntimeSpecPatch,
)
from kubeflow.trainer.types import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    DataFormat,
    DataType,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    LoraConfig,
    Loss,
    S3DatasetInitializer,
    S3ModelInitializer,
    TorchTuneConfig,
    TorchTuneInstructDataset,
)

NAMESPACE = "team-a"
SECRETS = ("hf_TOKEN_dataset_0123", "hf_TOKEN_model_4567", "AKIA_ACCESS_89", "SECRET_KEY_abcdef")


def train_fn(epochs: int = 1, note: str = "") -> None:
    """A training function shipped in the matrix (its source must be readable)."""
    print(f"training {epochs} epochs {note} $HOME `id`")


# --- the dimensions -----------------------------------------------------------------------------------------------
def _runtime(level: str, name: str) -> RuntimeObject:
    builders = {
        "torch-with-initializers": k8s_schema.torch_with_initializers,
        "plain-python": k8s_schema.plain_runtime,
    }
    obj = builders[name](level) if name in builders else k8s_schema.shipped_runtime(level, name)
    return RuntimeObject(name=obj["metadata"]["name"], kind=obj["kind"], obj=obj)


# trainer case -> (runtime without initializers, runtime with initializer steps or None if the kind has none)
TRAINERS: dict[str, tuple[str, str | None]] = {
    "function-torchrun": ("torch-distributed", "torch-with-initializers"),
    "function-mpirun": ("deepspeed-distributed", None),
    "function-python": ("plain-python", None),
    "container": ("torch-distributed", "torch-with-initializers"),
    "builtin-torchtune": ("torchtune-llama3.2-1b", "torchtune-llama3.2-1b"),
    "none": ("torch-distributed", "torch-with-initializers"),
}
RESOURCES: dict[str, dict[str, Any] | None] = {
    "none": None,
    "cpu-memory-gpu": {"cpu": 4, "memory": "16Gi", "gpu": 2, "storage": "50Gi"},
    "mig": {"cpu": "500m", "memory": 8 * 2**30, "mig-1g.5gb": 1},
    "tpu-and-extended": {"tpu": 4, "example.com/fpga": 1, "cpu": 1.5},
}
INITIALIZERS = ("none", "huggingface", "s3")
OPTIONS = ("none", "labels-annotations", "command-args", "deadline", "runtime-patch", "everything-v2.2")


def make_trainer(kind: str, resources: dict[str, Any] | None) -> Any:
    if kind.startswith("function"):
        return CustomTrainer(
            func=train_fn,
            func_args={"epochs": 3, "note": "it's $HOME"},
            packages_to_install=["transformers[torch]>=4.40", "datasets"],
            pip_index_urls=["https://pypi.org/simple", "https://example.com/simple"],
            num_nodes=2,
            resources_per_node=resources,
            env={"WANDB_MODE": "offline", "NCCL_DEBUG": "INFO"},
        )
    if kind == "container":
        return CustomTrainerContainer(
            image="ghcr.io/example/train:1.0", num_nodes=3, resources_per_node=resources, env={"LR": "0.1"}
        )
    if kind == "builtin-torchtune":
        return BuiltinTrainer(
            config=TorchTuneConfig(
                dtype=DataType.BF16,
                batch_size=4,
                epochs=2,
                loss=Loss.CEWithChunkedOutputLoss,
                num_nodes=1,
                peft_config=LoraConfig(lora_rank=8, lora_alpha=16, lora_dropout=0.05, apply_lora_to_mlp=True),
                dataset_preprocess_config=TorchTuneInstructDataset(
                    source=DataFormat.PARQUET,
                    split="train[:90%]",
                    train_on_input=False,
                    new_system_prompt="You are: a helpful assistant.",
                    column_map={"input": "question", "output": "answer"},
                ),
                resources_per_node=resources,
            )
        )
    return None


def make_initializer(kind: str) -> Initializer | None:
    if kind == "huggingface":
        return Initializer(
            dataset=HuggingFaceDatasetInitializer(
                storage_uri="hf://tatsu-lab/alpaca/data.json", ignore_patterns=["*.md"], access_token=SECRETS[0]
            ),
            model=HuggingFaceModelInitializer(
                storage_uri="hf://meta-llama/Llama-3.2-1B-Instruct", access_token=SECRETS[1]
            ),
        )
    if kind == "s3":
        return Initializer(
            dataset=S3DatasetInitializer(
                storage_uri="s3://bucket/datasets/alpaca",
                endpoint="https://minio.example.com",
                access_key_id=SECRETS[2],
                secret_access_key=SECRETS[3],
                region="eu-west-1",
            ),
            model=S3ModelInitializer(
                storage_uri="s3://bucket/models/llama",
                role_arn="arn:aws:iam::123456789012:role/reader",
                ignore_patterns=["*.bin"],
            ),
        )
    return None


def runtime_patch() -> RuntimePatch:
    return RuntimePatch(
        training_runtime_spec=TrainingRuntimeSpecPatch(
            template=JobSetTemplatePatch(
                metadata={"labels": {"team": "ml"}, "annotations": {"example.com/owner": "ml-team"}},
                spec=JobSetSpecPatch(
                    replicated_jobs=[
                        ReplicatedJobPatch(
                            name="node",
                            template=JobTemplatePatch(
                                metadata={"annotations": {"example.com/job": "trainer"}},
                                spec=JobSpecPatch(
                                    template=PodTemplatePatch(
                                        metadata={"labels": {"example.com/pod": "trainer"}},
                                        spec=PodSpecPatch(
                                            service_account_name="trainer-sa",
                                            node_selector={"cloud.google.com/gke-accelerator": "nvidia-a100"},
                                            tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
                                            volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
                                            containers=[
                                                ContainerPatch(
                                                    name="node",
                                                    volume_mounts=[{"name": "data", "mountPath": "/data"}],
                                                    security_context={"runAsNonRoot": True},
                                                )
                                            ],
                                            image_pull_secrets=[{"name": "regcred"}],
                                            security_context={"fsGroup": 1000},
                                            scheduling_gates=[{"name": "example.com/quota"}],
                                            affinity={
                                                "nodeAffinity": {
                                                    "requiredDuringSchedulingIgnoredDuringExecution": {
                                                        "nodeSelectorTerms": [
                                                            {
                                                                "matchExpressions": [
                                                                    {"key": "zone", "operator": "In", "values": ["a"]}
                                                                ]
                                                            }
                                                        ]
                                                    }
                                                }
                                            },
                                        ),
                                    )
                                ),
                            ),
                        )
                    ]
                ),
            )
        )
    )


def make_options(kind: str) -> list[Any]:
    metadata = [Labels({"app": "demo", "example.com/tier": "gold"}), Annotations({"example.com/note": "a: b"})]
    return {
        "none": [],
        "labels-annotations": metadata,
        "command-args": [TrainerCommand(["python", "/app/train.py"]), TrainerArgs(["--epochs", "$(NOT_EXPANDED)"])],
        "deadline": [ActiveDeadlineSeconds(3600)],
        "runtime-patch": [runtime_patch()],
        "everything-v2.2": [*metadata, ActiveDeadlineSeconds(3600), runtime_patch()],
    }[kind]


def expected_error(trainer: str, initializer: str, options: str, level: str) -> str | None:
    """The start of the field of the error this combination must raise, in the builder's order of checks."""
    if initializer != "none" and TRAINERS[trainer][1] is None:
        return "initializer.dataset"
    if options == "command-args" and trainer != "container":
        return "options"
    if options in ("deadline", "runtime-patch", "everything-v2.2") and level != "v2.2":
        return "options"
    return None


def _cases() -> list[Any]:
    cases = []
    for trainer, initializer, options, resources, level in itertools.product(
        TRAINERS, INITIALIZERS, OPTIONS, RESOURCES, API_LEVELS
    ):
        if trainer == "none" and resources != "none":
            continue
        cases.append(
            pytest.param(
                trainer,
                initializer,
                options,
                resources,
                level,
                id="-".join((level, trainer, initializer, options, resources)),
            )
        )
    return cases


@pytest.mark.parametrize(("trainer", "initializer", "options", "resources", "level"), _cases())
def test_every_body_validates_against_its_crd(
    trainer: str, initializer: str, options: str, resources: str, level: str
) -> None:
    runtime_name = TRAINERS[trainer][0] if initializer == "none" else (TRAINERS[trainer][1] or TRAINERS[trainer][0])
    kwargs: dict[str, Any] = {
        "name": "job-1",
        "namespace": NAMESPACE,
        "runtime": _runtime(level, runtime_name),
        "trainer": make_trainer(trainer, RESOURCES[resources]),
        "initializer": make_initializer(initializer),
        "options": make_options(options),
        "api_level": level,
    }
    error = expected_error(trainer, initializer, options, level)
    if error is not None:
        with pytest.raises(InvalidInputError) as caught:
            build_trainjob(**kwargs)
        assert caught.value.field.startswith(error), caught.value
        if options != "command-args" and initializer == "none":
            assert "needs Kubeflow Trainer v2.2 or newer" in str(caught.value)
        return

    request = build_trainjob(**kwargs)
    assert k8s_schema.validate(request.body, level) == []
    for secret in request.secrets:
        assert k8s_schema.validate_secret(secret) == []
        assert secret["metadata"]["namespace"] == NAMESPACE
    text = json.dumps(request.body) + repr(request) + str(request)
    assert not [secret for secret in SECRETS if secret in text]

    spec = request.body["spec"]
    labels = {"app": "demo", "example.com/tier": "gold"} if options in ("labels-annotations", "everything-v2.2") else {}
    assert request.body["metadata"].get("labels", {}) == labels
    if labels and level == "v2.2":
        sdk_patch = spec["runtimePatches"][0]
        assert sdk_patch["manager"] == "trainer.kubeflow.org/kubeflow-sdk"
        assert labels.items() <= sdk_patch["trainingRuntimeSpec"]["template"]["metadata"]["labels"].items()
    elif labels:
        assert spec["labels"] == labels
    if RESOURCES[resources] is not None and trainer != "none":
        requirements = spec["trainer"]["resourcesPerNode"]
        assert requirements["requests"] == requirements["limits"]
    if initializer != "none":
        assert set(spec["initializer"]) == {"dataset", "model"}
        assert [s["metadata"]["name"] for s in request.secrets] == [
            ref["secretRef"]["name"] for ref in spec["initializer"].values() if "secretRef" in ref
        ]


def test_the_matrix_covers_both_outcomes_on_every_level() -> None:
    outcomes = {
        (level, expected_error(trainer, initializer, options, level) is None)
        for trainer, initializer, options, level in itertools.product(TRAINERS, INITIALIZERS, OPTIONS, API_LEVELS)
    }
    assert outcomes == {(level, ok) for level in API_LEVELS for ok in (True, False)}


# --- the validator itself: it must catch what the apiserver would prune or reject ---------------------------------
def _minimal(level: str) -> dict[str, Any]:
    return {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": "job-1", "namespace": NAMESPACE},
        "spec": {"runtimeRef": {"name": "torch-distributed"}},
    }


@pytest.mark.parametrize("level", API_LEVELS)
def test_validator_accepts_a_minimal_trainjob(level: str) -> None:
    assert k8s_schema.validate(_minimal(level), level) == []


@pytest.mark.parametrize(
    ("level", "path", "value", "expected"),
    [
        ("v2.2", ("spec", "labels"), {"a": "b"}, "'labels' was unexpected"),
        ("v2.2", ("spec", "podTemplateOverrides"), [], "'podTemplateOverrides' was unexpected"),
        ("v2.1", ("spec", "runtimePatches"), [], "'runtimePatches' was unexpected"),
        ("v2.1", ("spec", "activeDeadlineSeconds"), 10, "'activeDeadlineSeconds' was unexpected"),
        ("v2.0", ("spec", "podTemplateOverrides"), [], "'podTemplateOverrides' was unexpected"),
        ("v2.2", ("spec", "trainer"), {"bogusField": 1}, "'bogusField' was unexpected"),
        ("v2.2", ("spec", "trainer"), {"numProcPerNode": "auto"}, "is not of type 'integer'"),
        ("v2.2", ("spec", "trainer"), {"numProcPerNode": 0}, "self >= 1"),
        ("v2.1", ("spec", "trainer"), {"numProcPerNode": 1.5}, "is not valid under any of the given schemas"),
        ("v2.2", ("spec", "trainer"), {"numNodes": 2**31}, "is greater than the maximum"),
        ("v2.2", ("spec", "trainer"), {"resourcesPerNode": {"limits": {"cpu": 0.5}}}, "is not valid under any"),
        ("v2.2", ("spec", "trainer"), {"resourcesPerNode": {"limits": {"cpu": "1 core"}}}, "does not match"),
        ("v2.2", ("spec", "trainer"), {"env": [{"name": "A"}, {"name": "A"}]}, "duplicate map-list keys"),
        ("v2.2", ("spec", "initializer"), {"dataset": {"storageUri": "no-scheme"}}, "CEL rule"),
        ("v2.2", ("metadata", "name"), "Job_1", "CEL rule"),
        ("v2.2", ("metadata", "uid"), "x", "'uid' was unexpected"),
        ("v2.0", ("metadata", "labels"), {"bad key!": "v"}, "invalid label"),
    ],
)
def test_validator_reports_what_the_apiserver_would_prune_or_reject(
    level: str, path: tuple[str, str], value: Any, expected: str
) -> None:
    obj = _minimal(level)
    obj[path[0]][path[1]] = value
    errors = k8s_schema.validate(obj, level)
    assert any(expected in error for error in errors), errors


def test_validator_reports_unrecognised_cel_rules_instead_of_skipping_them() -> None:
    with pytest.raises(ValueError, match="unrecognised CEL rule"):
        k8s_schema.cel_holds("self.all(x, x > 0)", [1])


@pytest.mark.parametrize("level", API_LEVELS)
@pytest.mark.parametrize("builder", [k8s_schema.torch_with_initializers, k8s_schema.plain_runtime])
def test_derived_runtime_fixtures_are_valid_training_runtimes(level: str, builder: Any) -> None:
    assert k8s_schema.validate(builder(level), level, "trainingruntimes", cel=False) == []


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"K": "not base64!"}}, "base64"),
        ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "strData": {}}, "unexpected"),
        ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "S"}}, "does not match"),
        ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a/b": "eA=="}}, "a/b"),
    ],
)
def test_secret_validator_rejects_bad_secrets(secret: dict[str, Any], expected: str) -> None:
    assert any(expected in error for error in k8s_schema.validate_secret(secret))


def test_secret_schema_fields_match_the_kubernetes_client_model() -> None:
    from kubernetes.client import V1Secret

    assert set(k8s_schema.SECRET_SCHEMA["properties"]) == set(V1Secret.attribute_map.values())
