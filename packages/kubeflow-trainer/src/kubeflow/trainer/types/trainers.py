"""What to train: a Python function (`CustomTrainer`), an image (`CustomTrainerContainer`) or a built-in recipe."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from kubeflow.core.quantity import parse_quantity
from kubeflow.trainer.constants import environment
from kubeflow.trainer.types._model import After, Before, field, model

ResourceValue = str | int | float


def _check_resources(value: dict[str, ResourceValue] | None) -> dict[str, ResourceValue] | None:
    if value is None:
        return None
    for key, quantity in value.items():
        if not key:
            raise ValueError("resource names must not be empty")
        try:
            amount = parse_quantity(quantity)
        except ValueError as exc:
            raise ValueError(f"resources_per_node[{key!r}]: {exc}") from None
        if amount < 0:
            raise ValueError(f"resources_per_node[{key!r}] must not be negative, got {quantity!r}")
    return value


def _check_env(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    for key, item in value.items():
        if not key or "=" in key or "\x00" in key:
            raise ValueError(f"environment variable name {key!r} is not valid")
        if isinstance(item, str) and "\x00" in item:
            raise ValueError(f"the value of {key!r} contains a NUL byte, which no process environment can hold")
    return value


def _reject_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number >= 1, not the boolean {value!r}")
    return value


def _check_attention_modules(value: list[str]) -> list[str]:
    allowed = {"q_proj", "k_proj", "v_proj", "output_proj"}
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValueError(f"unknown attention modules {unknown}; choose from {sorted(allowed)}")
    return value


Resources = Annotated[dict[str, ResourceValue] | None, After(_check_resources)]
"""Resources per node, validated as Kubernetes quantities."""
EnvVars = Annotated[dict[str, str] | None, After(_check_env)]
"""Environment variables, with valid names."""
NodeCount = Annotated[int | None, Before(_reject_bool)]
"""A number of nodes: a whole number >= 1 (a bool is not one), or None for the runtime's default."""


@model
class CustomTrainer:
    """Run a self-contained Python function as the training job, on every node.

    The function's source is shipped to the job and called with `func_args` as keyword arguments. Put imports
    inside the function: only its own source travels.
    """

    func: Callable[..., Any]
    """The function that encapsulates the whole training process."""
    func_args: dict[str, Any] | None = None
    """Keyword arguments for `func` (JSON-serialisable values, or picklable ones on the local backend)."""
    image: str | None = None
    """Container image for the nodes (Kubernetes); `None` uses the runtime's image."""
    packages_to_install: list[str] | None = None
    """Python requirements to install before running `func`, e.g. `["torch>=2.3", "numpy"]`."""
    pip_index_urls: list[str] = field(default_factory=environment.default_pip_index_urls)
    """Package indexes: the first is the index URL, the others extra index URLs (default: `$DEFAULT_PIP_INDEX_URLS`,
    else PyPI)."""
    num_nodes: NodeCount = field(default=None, ge=1)
    """Number of nodes; `None` uses the runtime's default."""
    resources_per_node: Resources = None
    """Resources per node, e.g. `{"cpu": 2, "memory": "8Gi", "gpu": 1}`."""
    env: EnvVars = None
    """Environment variables set on every node."""


@model
class CustomTrainerContainer:
    """Run a container image that encapsulates the whole training process (Kubernetes only)."""

    image: str = field(min_length=1)
    """The image to run on every node."""
    num_nodes: NodeCount = field(default=None, ge=1)
    """Number of nodes; `None` uses the runtime's default."""
    resources_per_node: Resources = None
    """Resources per node, e.g. `{"cpu": 2, "memory": "8Gi", "gpu": 1}`."""
    env: EnvVars = None
    """Environment variables set on every node."""


class Loss(Enum):
    """Loss function of the TorchTune trainer."""

    CEWithChunkedOutputLoss = "torchtune.modules.loss.CEWithChunkedOutputLoss"


class DataType(Enum):
    """Parameter data type of the TorchTune trainer."""

    BF16 = "bf16"
    FP32 = "fp32"


class DataFormat(Enum):
    """File format of a TorchTune instruct dataset."""

    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"
    ARROW = "arrow"
    TEXT = "text"
    XML = "xml"


@model
class TorchTuneInstructDataset:
    """Preprocessing of a custom instruct dataset (torchtune `instruct_dataset`)."""

    source: DataFormat | None = None
    """Data file type."""
    split: str | None = None
    """The split to use, e.g. `train[:10%]`."""
    train_on_input: bool | None = None
    """Whether the model is trained on the prompt too."""
    new_system_prompt: str | None = None
    """A system prompt prepended to every sample."""
    column_map: dict[str, str] | None = None
    """Maps the expected `input`/`output` columns to the dataset's column names."""


@model
class LoraConfig:
    """LoRA / QLoRA / DoRA settings for TorchTune fine-tuning."""

    apply_lora_to_mlp: bool | None = None
    """Apply LoRA to the MLP of each transformer layer."""
    apply_lora_to_output: bool | None = None
    """Apply LoRA to the final output projection."""
    lora_attn_modules: Annotated[list[str], After(_check_attention_modules)] = field(
        default_factory=lambda: ["q_proj", "v_proj", "output_proj"]
    )
    """Attention projections to adapt: any of `q_proj`, `k_proj`, `v_proj`, `output_proj`."""
    lora_rank: int | None = field(default=None, ge=1)
    """Rank of the low-rank decomposition."""
    lora_alpha: int | None = field(default=None, ge=1)
    """Scaling factor of the low-rank update."""
    lora_dropout: float | None = field(default=None, ge=0, le=1)
    """Dropout probability on the low-rank update."""
    quantize_base: bool | None = None
    """Quantize the base model (QLoRA)."""
    use_dora: bool | None = None
    """Use DoRA."""


@model
class TorchTuneConfig:
    """Settings of the built-in TorchTune fine-tuning trainer."""

    dtype: DataType | None = None
    """Data type of model and optimizer parameters."""
    batch_size: int | None = field(default=None, ge=1)
    """Samples per optimizer step."""
    epochs: int | None = field(default=None, ge=1)
    """Passes over the dataset."""
    loss: Loss | None = None
    """Loss function."""
    num_nodes: NodeCount = field(default=None, ge=1)
    """Number of nodes."""
    peft_config: LoraConfig | None = None
    """Parameter-efficient fine-tuning (LoRA/QLoRA/DoRA)."""
    dataset_preprocess_config: TorchTuneInstructDataset | None = None
    """Preprocessing of a custom dataset."""
    resources_per_node: Resources = None
    """Resources per node."""


@model
class BuiltinTrainer:
    """A trainer with built-in post-training logic that needs only parameters (TorchTune today)."""

    config: TorchTuneConfig
    """The built-in trainer's configuration."""


class TrainerType(Enum):
    """Which kind of trainer a runtime runs."""

    CUSTOM_TRAINER = "CustomTrainer"
    BUILTIN_TRAINER = "BuiltinTrainer"
