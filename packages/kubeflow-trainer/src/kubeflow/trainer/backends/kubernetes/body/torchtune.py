"""`TorchTuneConfig` -> the `tune run` override arguments (`key=value`) of a built-in TorchTune TrainJob.

The TrainJob's trainer command is exactly `["tune", "run"]`: the Trainer controller recognises that entrypoint,
then appends the rendezvous endpoint, the recipe and `--config <model config>` it picks from the node count, the
devices and these arguments (LoRA when `model.lora_attn_modules` is present, QLoRA when `model.quantize_base` is,
unless `model.use_dora` is), and the runtime's fixed paths (`output_dir`, `tokenizer.path`, ...). torchtune parses
each value as YAML (OmegaConf), so free text is written as a JSON string, which YAML reads back verbatim.
"""

from __future__ import annotations

import json
import posixpath
from typing import Final
from urllib.parse import urlparse

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.types import (
    HuggingFaceDatasetInitializer,
    Initializer,
    LoraConfig,
    TorchTuneConfig,
    TorchTuneInstructDataset,
)
from kubeflow.trainer.types.initializers import hf_storage_uri

TORCHTUNE_COMMAND: Final[tuple[str, ...]] = ("tune", "run")
INSTRUCT_DATASET: Final = "torchtune.datasets.instruct_dataset"
DATASET_PATH: Final = "/workspace/dataset"


def _yaml_bool(value: bool) -> str:
    return "True" if value else "False"


def _dataset_location(dataset: HuggingFaceDatasetInitializer) -> str:
    """`dataset.data_files=...` for a file inside the repository, else `dataset.data_dir=...` (as the SDK does)."""
    parsed = urlparse(hf_storage_uri(dataset.storage_uri))
    parts = [part for part in parsed.path.strip("/").split("/") if part]
    relative = "/".join(parts[1:])
    if relative and posixpath.splitext(parts[-1])[1]:
        return f"dataset.data_files={posixpath.join(DATASET_PATH, relative)}"
    return f"dataset.data_dir={posixpath.join(DATASET_PATH, relative) if relative else DATASET_PATH}"


def peft_args(peft: LoraConfig) -> list[str]:
    """The `model.*` overrides of a LoRA / QLoRA / DoRA configuration.

    `quantize_base` and `use_dora` are written only when true: false is torchtune's default, and released
    controllers choose the QLoRA recipe from the mere presence of `model.quantize_base` (and skip it when
    `model.use_dora` is present), so writing `=False` would select the wrong recipe.
    """
    if not peft.lora_attn_modules:
        raise InvalidInputError(
            "trainer.config.peft_config.lora_attn_modules",
            "is empty, so the Trainer would not recognise LoRA and would run a full fine-tune.",
            "List at least one of q_proj, k_proj, v_proj, output_proj.",
        )
    args: list[str] = []
    if peft.apply_lora_to_mlp is not None:
        args.append(f"model.apply_lora_to_mlp={_yaml_bool(peft.apply_lora_to_mlp)}")
    if peft.apply_lora_to_output is not None:
        args.append(f"model.apply_lora_to_output={_yaml_bool(peft.apply_lora_to_output)}")
    if peft.lora_rank is not None:
        args.append(f"model.lora_rank={peft.lora_rank}")
    if peft.lora_alpha is not None:
        args.append(f"model.lora_alpha={peft.lora_alpha}")
    if peft.lora_dropout is not None:
        args.append(f"model.lora_dropout={float(peft.lora_dropout)!r}")
    if peft.quantize_base:
        args.append("model.quantize_base=True")
    if peft.use_dora:
        args.append("model.use_dora=True")
    args.append(f"model.lora_attn_modules=[{','.join(peft.lora_attn_modules)}]")
    return args


def dataset_args(preprocess: TorchTuneInstructDataset) -> list[str]:
    """The `dataset.*` overrides that turn the dataset into a torchtune `instruct_dataset`."""
    args = [f"dataset={INSTRUCT_DATASET}"]
    if preprocess.source is not None:
        args.append(f"dataset.source={preprocess.source.value}")
    if preprocess.split is not None:
        args.append(f"dataset.split={json.dumps(preprocess.split)}")
    if preprocess.train_on_input is not None:
        args.append(f"dataset.train_on_input={_yaml_bool(preprocess.train_on_input)}")
    if preprocess.new_system_prompt is not None:
        args.append(f"dataset.new_system_prompt={json.dumps(preprocess.new_system_prompt)}")
    if preprocess.column_map:
        args.append(f"dataset.column_map={json.dumps(preprocess.column_map, sort_keys=True)}")
    return args


def torchtune_args(config: TorchTuneConfig, initializer: Initializer | None) -> list[str]:
    """All override arguments for a TorchTune job, in the order the existing SDK writes them."""
    args: list[str] = []
    if config.dtype is not None:
        args.append(f"dtype={config.dtype.value}")
    if config.batch_size is not None:
        args.append(f"batch_size={config.batch_size}")
    if config.epochs is not None:
        args.append(f"epochs={config.epochs}")
    if config.loss is not None:
        args.append(f"loss={config.loss.value}")
    if initializer is not None and isinstance(initializer.dataset, HuggingFaceDatasetInitializer):
        args.append(_dataset_location(initializer.dataset))
    if config.peft_config is not None:
        args.extend(peft_args(config.peft_config))
    if config.dataset_preprocess_config is not None:
        args.extend(dataset_args(config.dataset_preprocess_config))
    return args
