"""Bad input to the local TrainerClient is rejected up front with a typed error naming the field; nothing is written.

Issue 10, items 9 (bounded work) and 12 (input).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient
from kubeflow.trainer.options import Name


def work() -> None:
    print("hi")


def make(tmp_path: Path) -> TrainerClient:
    config = LocalProcessBackendConfig(state_dir=tmp_path / "state", env_cache_dir=tmp_path / "cache")
    return TrainerClient(config)


def nothing_written(tmp_path: Path) -> None:
    assert not (tmp_path / "state").exists()
    assert not (tmp_path / "cache").exists()


def test_bool_num_nodes_is_not_a_number(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="num_nodes"):
        CustomTrainer(func=work, num_nodes=True)
    with pytest.raises(InvalidInputError, match="num_nodes"):
        CustomTrainer(func=work, num_nodes=False)
    assert CustomTrainer(func=work, num_nodes=2).num_nodes == 2


def test_nul_byte_in_an_env_value_is_rejected_before_the_job_exists(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="env"):
        CustomTrainer(func=work, env={"TOKEN": "a\x00b"})
    nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trainer": CustomTrainer(func=work, image="pytorch/pytorch:2.3")}, "trainer.image"),
        ({"trainer": CustomTrainer(func=work), "options": Name("x")}, "options"),
        ({"trainer": CustomTrainer(func=work), "runtime": 123}, "runtime"),
        ({"trainer": CustomTrainer(func=work, packages_to_install=["numpy; rm -rf ~"])}, "packages_to_install"),
        ({"trainer": CustomTrainer(func=work, packages_to_install=["numpy && curl x | sh"])}, "packages_to_install"),
        ({"trainer": CustomTrainer(func=work, num_nodes=10**5)}, "trainer.num_nodes"),
        ({"trainer": CustomTrainer(func=work, num_nodes=2**63)}, "trainer.num_nodes"),
        ({"trainer": CustomTrainer(func=work, resources_per_node={"cpu": "1e300"})}, "trainer.resources_per_node"),
        ({"trainer": CustomTrainer(func=work, resources_per_node={"cpu": 1e300})}, "trainer.resources_per_node"),
    ],
)
def test_bad_train_arguments_raise_a_typed_error_naming_the_field(
    tmp_path: Path, kwargs: dict[str, object], field: str
) -> None:
    trainer_client = make(tmp_path)
    with pytest.raises(InvalidInputError) as caught:
        trainer_client.train(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field, caught.value
    nothing_written(tmp_path)


def test_the_process_limit_is_named_and_configurable(tmp_path: Path) -> None:
    config = LocalProcessBackendConfig(state_dir=tmp_path / "state", max_processes=3)
    trainer_client = TrainerClient(config)
    with pytest.raises(InvalidInputError, match="limit is 3"):
        trainer_client.train(trainer=CustomTrainer(func=work, num_nodes=4))
    with pytest.raises(InvalidInputError, match="limit is 3") as caught:
        trainer_client.train(
            runtime="torch-distributed", trainer=CustomTrainer(func=work, num_nodes=2, resources_per_node={"cpu": 2})
        )
    assert caught.value.field == "trainer.resources_per_node"
    assert not (tmp_path / "state").exists()
    assert LocalProcessBackendConfig().max_processes >= 64


def test_an_absurd_cpu_count_is_named_briefly(tmp_path: Path) -> None:
    """`cpu: 1e300` is refused with a readable message, not a 301-digit process count."""
    with pytest.raises(InvalidInputError) as caught:
        make(tmp_path).train(trainer=CustomTrainer(func=work, resources_per_node={"cpu": 1e300}))
    assert len(str(caught.value)) < 400 and "1e+300" in str(caught.value)
    nothing_written(tmp_path)
