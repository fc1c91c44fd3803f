from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import (
    BuiltinTrainer,
    CustomTrainer,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    LoraConfig,
    S3ModelInitializer,
    TorchTuneConfig,
    TrainerClient,
)
from kubeflow.trainer.functions import render_entrypoint
from kubeflow.trainer.options import ActiveDeadlineSeconds, Name


def train_fn(lr: float = 0.1) -> None:
    print(lr)


def test_custom_trainer_keyword_and_positional() -> None:
    a = CustomTrainer(func=train_fn, func_args={"lr": 0.5}, num_nodes=2, resources_per_node={"cpu": "500m"})
    b = CustomTrainer(train_fn, {"lr": 0.5})
    assert a.num_nodes == 2 and b.func_args == {"lr": 0.5}
    assert dataclasses.replace(a, num_nodes=3).num_nodes == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"func": 3}, "CustomTrainer.func"),
        ({"func": train_fn, "num_nodes": 0}, "CustomTrainer.num_nodes"),
        ({"func": train_fn, "resources_per_node": {"cpu": "lots"}}, "CustomTrainer.resources_per_node"),
        ({"func": train_fn, "env": {"A=B": "x"}}, "CustomTrainer.env"),
    ],
)
def test_bad_trainer_input_is_a_typed_error_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        CustomTrainer(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_initializers_validate_uris_and_hide_secrets() -> None:
    init = Initializer(
        dataset=HuggingFaceDatasetInitializer(storage_uri="hf://org/data", access_token="hf_secret"),
        model=S3ModelInitializer(storage_uri="s3://bucket/model", secret_access_key="s3cret"),
    )
    assert "hf_secret" not in repr(init) and "s3cret" not in repr(init)
    with pytest.raises(InvalidInputError, match="hf://"):
        HuggingFaceModelInitializer(storage_uri="s3://bucket/model")


def test_builtin_trainer_and_lora() -> None:
    trainer = BuiltinTrainer(config=TorchTuneConfig(epochs=1, peft_config=LoraConfig(lora_rank=8)))
    assert trainer.config.peft_config is not None and trainer.config.peft_config.lora_rank == 8
    with pytest.raises(InvalidInputError, match="lora_attn_modules"):
        LoraConfig(lora_attn_modules=["nope"])


def test_options_validate() -> None:
    assert Name("ok-name").name == "ok-name"
    with pytest.raises(InvalidInputError, match="RFC 1035"):
        Name("Not_OK")
    with pytest.raises(InvalidInputError):
        ActiveDeadlineSeconds(0)


def test_client_rejects_non_config() -> None:
    with pytest.raises(InvalidInputError, match="backend_config"):
        TrainerClient(backend_config="local")  # type: ignore[arg-type]


def test_rendered_entrypoint_refuses_closures_and_lambdas() -> None:
    x = 1

    def closure() -> int:
        return x

    with pytest.raises(InvalidInputError, match="enclosing scope"):
        render_entrypoint(closure, None)
    with pytest.raises(InvalidInputError, match="lambda"):
        render_entrypoint(lambda: None, None)
    with pytest.raises(InvalidInputError, match="func_args"):
        render_entrypoint(train_fn, {"not an identifier": 1})


def annotated(model: Any, steps: int = 2) -> None:
    print("steps", steps, model)


def test_rendered_entrypoint_runs_functions_with_annotations_the_job_cannot_resolve() -> None:
    import subprocess
    import sys

    script = render_entrypoint(annotated, {"model": "m", "steps": 3})
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "steps 3 m"


def test_model_types_keep_dataclass_behaviour_and_run_post_init() -> None:
    import dataclasses

    from kubeflow.trainer.types._model import field, model

    @model
    class Sized:
        count: int = field(default=1, ge=1)
        doubled: int = 0

        def __post_init__(self) -> None:
            self.doubled = self.count * 2

    item = Sized(count=3)
    assert (item.count, item.doubled) == (3, 6)
    assert dataclasses.replace(item, count=4).doubled == 8
    assert dataclasses.asdict(item) == {"count": 3, "doubled": 6}
    with pytest.raises(InvalidInputError) as info:
        Sized(count=0)
    assert info.value.field == "Sized.count"
