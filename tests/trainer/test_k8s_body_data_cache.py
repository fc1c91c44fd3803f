"""`DataCacheInitializer`: the body kubeflow 0.5 built, valid against every API level's TrainJob CRD."""

from __future__ import annotations

import k8s_schema
import pytest

from kubeflow.trainer.backends.kubernetes.body import API_LEVELS, RuntimeObject, build_trainjob
from kubeflow.trainer.types import CustomTrainer, DataCacheInitializer, Initializer


def train_fn() -> None:
    print("training on cached data")


@pytest.mark.parametrize("level", API_LEVELS)
@pytest.mark.parametrize("sizing", [False, True])
def test_data_cache_body_validates_and_matches_0_5(level: str, sizing: bool) -> None:
    runtime = k8s_schema.torch_with_initializers(level)
    extra = {"head_cpu": "2", "head_mem": "4Gi", "worker_cpu": "1", "worker_mem": "8Gi", "iam_role": "r"}
    dataset = DataCacheInitializer(
        storage_uri="cache://schema/table",
        metadata_loc="s3://bucket/table/metadata.json",
        num_data_nodes=4,
        **(extra if sizing else {}),
    )
    request = build_trainjob(
        name="cached",
        namespace="team-a",
        runtime=RuntimeObject(name=runtime["metadata"]["name"], kind=runtime["kind"], obj=runtime),
        trainer=CustomTrainer(func=train_fn),
        initializer=Initializer(dataset=dataset),
        options=[],
        api_level=level,
    )
    assert k8s_schema.validate(request.body, level) == []
    expected_env = [{"name": "CLUSTER_SIZE", "value": "5"}, {"name": "METADATA_LOC", "value": dataset.metadata_loc}]
    if sizing:
        expected_env += [{"name": key.upper(), "value": value} for key, value in extra.items()]
    assert request.body["spec"]["initializer"] == {
        "dataset": {"storageUri": "cache://schema/table", "env": expected_env}
    }
    assert request.secrets == []
