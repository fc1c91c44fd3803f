"""Parts of the TrainJob body: resources, TorchTune arguments, initializers and Secrets, runtime fit, env."""

from __future__ import annotations

import base64
import json
from typing import Any

import k8s_schema
import pytest
import yaml

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body import RuntimeObject, build_trainjob
from kubeflow.trainer.backends.kubernetes.body.resources import resources_per_node
from kubeflow.trainer.backends.kubernetes.body.torchtune import torchtune_args
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


def noop() -> None:
    """A trivial training function."""


def runtime(level: str, name: str) -> RuntimeObject:
    builders = {"torch-with-initializers": k8s_schema.torch_with_initializers, "plain-python": k8s_schema.plain_runtime}
    obj = builders[name](level) if name in builders else k8s_schema.shipped_runtime(level, name)
    return RuntimeObject(name=obj["metadata"]["name"], kind=obj["kind"], obj=obj)


def build(
    trainer: Any = None, initializer: Any = None, rt: str = "torch-distributed", level: str = "v2.2", **kw: Any
) -> Any:
    args: dict[str, Any] = {
        "name": "job-1",
        "namespace": "team-a",
        "runtime": runtime(level, rt),
        "trainer": trainer,
        "initializer": initializer,
        "options": [],
        "api_level": level,
    }
    request = build_trainjob(**(args | kw))
    assert k8s_schema.validate(request.body, level) == []
    return request


# --- resources ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"cpu": 2, "memory": "8Gi"}, {"cpu": "2", "memory": "8Gi"}),
        ({"CPU": 0.5, "Memory": 1024.0}, {"cpu": "0.5", "memory": "1024"}),
        ({"cpu": 1e-3}, {"cpu": "0.001"}),
        ({"gpu": 2}, {"nvidia.com/gpu": "2"}),
        ({"GPU": "1"}, {"nvidia.com/gpu": "1"}),
        ({"tpu": 4}, {"google.com/tpu": "4"}),
        ({"storage": "100Gi"}, {"ephemeral-storage": "100Gi"}),
        ({"MiG-1G.5GB": 2}, {"nvidia.com/mig-1g.5gb": "2"}),
        ({"nvidia.com/mig-2g.10gb": 1}, {"nvidia.com/mig-2g.10gb": "1"}),
        ({"example.com/Custom-NPU": 2}, {"example.com/Custom-NPU": "2"}),
        ({"hugepages-2Mi": "1Gi"}, {"hugepages-2mi": "1Gi"}),
    ],
)
def test_resource_names_and_quantities(given: dict[str, Any], expected: dict[str, str]) -> None:
    assert resources_per_node(given, "f") == {"requests": expected, "limits": expected}


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"gpus": 1}, "not a resource Kubernetes knows"),
        ({"Example.com/npu": 1}, "not a resource Kubernetes knows"),
        ({"example.com/bad name": 1}, "not a resource Kubernetes knows"),
        ({"gpu": 0.5}, "whole number"),
        ({"example.com/fpga": "500m"}, "whole number"),
        ({"mig-1g.5gb": 1, "nvidia.com/mig-2g.10gb": 1}, "more than one MIG"),
        ({"gpu": 1, "mig-1g.5gb": 1}, "cannot be mixed"),
        ({"gpu": 1, "nvidia.com/gpu": 1}, "both set"),
        ({"cpu": 1, "CPU": 2}, "both set"),
        ({"cpu": "1 core"}, "not a resource quantity"),
        ({"cpu": -1}, "negative"),
    ],
)
def test_bad_resources_are_refused(given: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        resources_per_node(given, "trainer.resources_per_node")


def test_resources_reach_the_body_for_every_trainer_kind() -> None:
    res = {"cpu": 1, "gpu": 1}
    expected = {"requests": {"cpu": "1", "nvidia.com/gpu": "1"}, "limits": {"cpu": "1", "nvidia.com/gpu": "1"}}
    custom = build(CustomTrainer(func=noop, resources_per_node=res)).body["spec"]["trainer"]
    container = build(CustomTrainerContainer(image="i", resources_per_node=res)).body["spec"]["trainer"]
    builtin = build(BuiltinTrainer(config=TorchTuneConfig(resources_per_node=res)), rt="torchtune-llama3.2-1b")
    assert custom["resourcesPerNode"] == container["resourcesPerNode"] == expected
    assert builtin.body["spec"]["trainer"]["resourcesPerNode"] == expected


# --- TorchTune ----------------------------------------------------------------------------------------------------
def test_torchtune_arguments_in_order() -> None:
    config = TorchTuneConfig(
        dtype=DataType.FP32,
        batch_size=8,
        epochs=3,
        loss=Loss.CEWithChunkedOutputLoss,
        peft_config=LoraConfig(
            apply_lora_to_mlp=False,
            apply_lora_to_output=True,
            lora_attn_modules=["q_proj", "k_proj"],
            lora_rank=8,
            lora_alpha=16,
            lora_dropout=0.0,
            quantize_base=True,
        ),
        dataset_preprocess_config=TorchTuneInstructDataset(
            source=DataFormat.CSV, split="train[:10%]", train_on_input=True, column_map={"input": "q"}
        ),
    )
    init = Initializer(dataset=HuggingFaceDatasetInitializer(storage_uri="hf://tatsu-lab/alpaca"))
    assert torchtune_args(config, init) == [
        "dtype=fp32",
        "batch_size=8",
        "epochs=3",
        "loss=torchtune.modules.loss.CEWithChunkedOutputLoss",
        "dataset.data_dir=/workspace/dataset",
        "model.apply_lora_to_mlp=False",
        "model.apply_lora_to_output=True",
        "model.lora_rank=8",
        "model.lora_alpha=16",
        "model.lora_dropout=0.0",
        "model.quantize_base=True",
        "model.lora_attn_modules=[q_proj,k_proj]",
        "dataset=torchtune.datasets.instruct_dataset",
        "dataset.source=csv",
        'dataset.split="train[:10%]"',
        "dataset.train_on_input=True",
        'dataset.column_map={"input": "q"}',
    ]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("hf://tatsu-lab/alpaca", "dataset.data_dir=/workspace/dataset"),
        ("hf://tatsu-lab/alpaca/train", "dataset.data_dir=/workspace/dataset/train"),
        ("hf://tatsu-lab/alpaca/data/train.json", "dataset.data_files=/workspace/dataset/data/train.json"),
    ],
)
def test_huggingface_dataset_location(uri: str, expected: str) -> None:
    init = Initializer(dataset=HuggingFaceDatasetInitializer(storage_uri=uri))
    assert torchtune_args(TorchTuneConfig(), init) == [expected]


def test_s3_dataset_adds_no_location_argument() -> None:
    init = Initializer(dataset=S3DatasetInitializer(storage_uri="s3://b/d"))
    assert torchtune_args(TorchTuneConfig(), init) == []


def test_false_quantize_base_and_use_dora_are_not_written() -> None:
    """Released controllers pick QLoRA from the mere presence of `model.quantize_base` (and skip it on use_dora)."""
    args = torchtune_args(TorchTuneConfig(peft_config=LoraConfig(quantize_base=False, use_dora=False)), None)
    assert args == ["model.lora_attn_modules=[q_proj,v_proj,output_proj]"]
    dora = torchtune_args(TorchTuneConfig(peft_config=LoraConfig(use_dora=True)), None)
    assert "model.use_dora=True" in dora


def test_empty_lora_modules_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="lora_attn_modules"):
        torchtune_args(TorchTuneConfig(peft_config=LoraConfig(lora_attn_modules=[])), None)


@pytest.mark.parametrize(
    "text", ["You are: helpful.", "# not a comment", "[not, a, list]", "yes", "multi\nline 'quoted' \"text\"", "é ✓"]
)
def test_free_text_reads_back_verbatim_as_yaml(text: str) -> None:
    """torchtune (OmegaConf) parses each override value as YAML: free text must survive that parse."""
    config = TorchTuneConfig(
        dataset_preprocess_config=TorchTuneInstructDataset(
            new_system_prompt=text, split=text, column_map={"input": text}
        )
    )
    values = dict(arg.split("=", 1) for arg in torchtune_args(config, None))
    assert yaml.safe_load(values["dataset.new_system_prompt"]) == text
    assert yaml.safe_load(values["dataset.split"]) == text
    assert yaml.safe_load(values["dataset.column_map"]) == {"input": text}


def test_builtin_trainer_body() -> None:
    trainer = BuiltinTrainer(config=TorchTuneConfig(num_nodes=1, batch_size=2))
    spec = build(trainer, rt="torchtune-llama3.2-1b", level="v2.0").body["spec"]["trainer"]
    assert spec == {"command": ["tune", "run"], "args": ["batch_size=2"], "numNodes": 1}


def test_trainer_kind_must_fit_the_runtime() -> None:
    with pytest.raises(InvalidInputError, match="needs a torchtune runtime"):
        build(BuiltinTrainer(config=TorchTuneConfig()))
    with pytest.raises(InvalidInputError, match="runs the built-in TorchTune trainer"):
        build(CustomTrainer(func=noop), rt="torchtune-llama3.2-1b")


# --- initializers and Secrets -------------------------------------------------------------------------------------
def test_huggingface_tokens_go_to_secrets_only() -> None:
    init = Initializer(
        dataset=HuggingFaceDatasetInitializer(storage_uri="hf://o/d", access_token="hf_DATASET_TOKEN"),
        model=HuggingFaceModelInitializer(storage_uri="hf://o/m", access_token="hf_MODEL_TOKEN"),
    )
    request = build(CustomTrainer(func=noop), init, rt="torch-with-initializers")
    spec = request.body["spec"]["initializer"]
    assert spec["dataset"] == {"storageUri": "hf://o/d", "secretRef": {"name": "job-1-dataset-credentials"}}
    assert spec["model"]["secretRef"] == {"name": "job-1-model-credentials"}
    assert spec["model"]["env"] == [
        {"name": "IGNORE_PATTERNS", "value": ",".join(constants.INITIALIZER_DEFAULT_IGNORE_PATTERNS)}
    ]
    tokens = {s["metadata"]["name"]: base64.b64decode(s["data"]["ACCESS_TOKEN"]).decode() for s in request.secrets}
    assert tokens == {"job-1-dataset-credentials": "hf_DATASET_TOKEN", "job-1-model-credentials": "hf_MODEL_TOKEN"}
    assert all(k8s_schema.validate_secret(secret) == [] for secret in request.secrets)
    visible = json.dumps(request.body) + repr(request) + str(request) + repr(init)
    assert "hf_DATASET_TOKEN" not in visible and "hf_MODEL_TOKEN" not in visible


def test_s3_settings_split_between_env_and_secret() -> None:
    init = Initializer(
        dataset=S3DatasetInitializer(
            storage_uri="s3://bucket/data",
            ignore_patterns=["*.tmp", "logs/*"],
            endpoint="https://minio.local:9000",
            access_key_id="AKIAEXAMPLE",
            secret_access_key="wJalrXUtnFEMI/K7MDENG",
            region="us-east-1",
            role_arn="arn:aws:iam::1:role/r",
        )
    )
    request = build(None, init, rt="torch-with-initializers")
    assert request.body["spec"]["initializer"]["dataset"] == {
        "storageUri": "s3://bucket/data",
        "env": [
            {"name": "IGNORE_PATTERNS", "value": "*.tmp,logs/*"},
            {"name": "ENDPOINT", "value": "https://minio.local:9000"},
            {"name": "REGION", "value": "us-east-1"},
            {"name": "ROLE_ARN", "value": "arn:aws:iam::1:role/r"},
        ],
        "secretRef": {"name": "job-1-dataset-credentials"},
    }
    (secret,) = request.secrets
    decoded = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert decoded == {"ACCESS_KEY_ID": "AKIAEXAMPLE", "SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG"}
    assert "trainer" not in request.body["spec"]


def test_s3_without_credentials_needs_no_secret() -> None:
    init = Initializer(model=S3ModelInitializer(storage_uri="s3://b/m", ignore_patterns=[]))
    request = build(None, init, rt="torch-with-initializers")
    assert request.body["spec"]["initializer"] == {"model": {"storageUri": "s3://b/m"}}
    assert request.secrets == []


@pytest.mark.parametrize(
    ("init", "match"),
    [
        (Initializer(dataset=S3DatasetInitializer(storage_uri="s3://b/d", access_key_id="A")), "together"),
        (Initializer(dataset=S3DatasetInitializer(storage_uri="s3://b/d", ignore_patterns=["a,b"])), "commas"),
        (Initializer(model=HuggingFaceModelInitializer(storage_uri="hf://o/m", access_token="")), "is empty"),
    ],
)
def test_bad_initializer_settings_are_refused(init: Initializer, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        build(None, init, rt="torch-with-initializers")


@pytest.mark.parametrize("kind", ["dataset", "model"])
def test_an_initializer_the_runtime_has_no_step_for_is_refused(kind: str) -> None:
    init = (
        Initializer(**{kind: HuggingFaceModelInitializer(storage_uri="hf://o/x")})
        if kind == "model"
        else (Initializer(dataset=HuggingFaceDatasetInitializer(storage_uri="hf://o/x")))
    )
    with pytest.raises(InvalidInputError) as caught:
        build(CustomTrainer(func=noop), init)
    assert caught.value.field == f"initializer.{kind}" and f"no {kind}-initializer step" in caught.value.problem


# --- runtime fit, names, env --------------------------------------------------------------------------------------
def test_a_namespaced_runtime_is_referenced_by_kind() -> None:
    ref = build(CustomTrainer(func=noop), rt="plain-python").body["spec"]["runtimeRef"]
    assert ref == {"name": "plain-python", "apiGroup": "trainer.kubeflow.org", "kind": "TrainingRuntime"}


def test_a_training_runtime_of_another_namespace_is_refused() -> None:
    obj = k8s_schema.plain_runtime("v2.2", namespace="elsewhere")
    with pytest.raises(InvalidInputError, match="is in namespace 'elsewhere'"):
        build(runtime=RuntimeObject(name="plain-python", kind="TrainingRuntime", obj=obj))


def test_a_runtime_object_that_does_not_match_its_name_or_kind_is_refused() -> None:
    obj = k8s_schema.shipped_runtime("v2.2", "torch-distributed")
    with pytest.raises(InvalidInputError, match="metadata.name"):
        build(runtime=RuntimeObject(name="other", kind="ClusterTrainingRuntime", obj=obj))
    with pytest.raises(InvalidInputError, match="its kind"):
        build(runtime=RuntimeObject(name="torch-distributed", kind="TrainingRuntime", obj=obj))


def test_a_trainer_on_a_runtime_without_a_trainer_step_is_refused() -> None:
    obj = k8s_schema.shipped_runtime("v2.2", "torch-distributed")
    del obj["spec"]["template"]["spec"]["replicatedJobs"][0]["template"]["metadata"]
    rt = RuntimeObject(name="torch-distributed", kind="ClusterTrainingRuntime", obj=obj)
    with pytest.raises(InvalidInputError, match="no step labelled as the trainer"):
        build(CustomTrainer(func=noop), runtime=rt)
    assert "trainer" not in build(None, runtime=rt).body["spec"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "Bad_Name"}, "RFC 1035"),
        ({"name": "x" * 64}, "at most 63"),
        ({"namespace": "Team A"}, "namespace"),
        ({"api_level": "v2.3"}, "api_level"),
    ],
)
def test_bad_names_and_levels_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        build(**kwargs)


@pytest.mark.parametrize(
    ("rt", "name", "refused"),
    [
        ("torch-distributed", "PET_NNODES", True),
        ("torch-distributed", "PET_MASTER_ADDR", True),
        ("torch-distributed", "PET_RDZV_BACKEND", False),
        ("deepspeed-distributed", "OMPI_MCA_orte_default_hostfile", True),
        ("deepspeed-distributed", "PET_NNODES", False),
        ("plain-python", "PET_NNODES", False),
    ],
)
def test_env_names_the_ml_policy_injects_are_refused(rt: str, name: str, refused: bool) -> None:
    trainer = CustomTrainerContainer(image="i", env={name: "1", "OTHER": "x y $Z"})
    if refused:
        with pytest.raises(InvalidInputError, match=f"{name} is set by the Trainer"):
            build(trainer, rt=rt)
    else:
        env = build(trainer, rt=rt).body["spec"]["trainer"]["env"]
        assert env == [{"name": name, "value": "1"}, {"name": "OTHER", "value": "x y $Z"}]
