"""Options per API level: where labels and annotations go, runtime patches, deadline, command and args, errors."""

from __future__ import annotations

from typing import Any

import k8s_schema
import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.backends.kubernetes.body import RuntimeObject, build_trainjob
from kubeflow.trainer.options import (
    ActiveDeadlineSeconds,
    Annotations,
    ContainerPatch,
    JobSetSpecPatch,
    JobSetTemplatePatch,
    JobSpecPatch,
    JobTemplatePatch,
    Labels,
    Name,
    PodSpecPatch,
    PodTemplatePatch,
    ReplicatedJobPatch,
    RuntimePatch,
    TrainerArgs,
    TrainerCommand,
    TrainingRuntimeSpecPatch,
)
from kubeflow.trainer.types import BuiltinTrainer, CustomTrainer, CustomTrainerContainer, TorchTuneConfig

SDK_MANAGER = "trainer.kubeflow.org/kubeflow-sdk"


def noop() -> None:
    """A trivial training function."""


def build(options: list[Any], level: str = "v2.2", trainer: Any = None, runtime: str = "torch-distributed") -> Any:
    obj = k8s_schema.shipped_runtime(level, runtime)
    request = build_trainjob(
        name="job-1",
        namespace="team-a",
        runtime=RuntimeObject(name=runtime, kind="ClusterTrainingRuntime", obj=obj),
        trainer=trainer,
        initializer=None,
        options=options,
        api_level=level,
    )
    assert k8s_schema.validate(request.body, level) == []
    return request


def patch(
    *,
    manager: str | None = None,
    metadata: dict[str, Any] | None = None,
    job: str = "node",
    container: ContainerPatch | None = None,
) -> RuntimePatch:
    pod = PodSpecPatch(node_selector={"pool": "gpu"}, containers=[container] if container else None)
    jobs = [
        ReplicatedJobPatch(name=job, template=JobTemplatePatch(spec=JobSpecPatch(template=PodTemplatePatch(spec=pod))))
    ]
    spec = TrainingRuntimeSpecPatch(
        template=JobSetTemplatePatch(metadata=metadata, spec=JobSetSpecPatch(replicated_jobs=jobs))
    )
    return RuntimePatch(training_runtime_spec=spec) if manager is None else RuntimePatch(spec, manager=manager)


@pytest.mark.parametrize("level", ["v2.0", "v2.1"])
def test_labels_and_annotations_go_to_spec_and_metadata_on_old_releases(level: str) -> None:
    body = build([Labels({"a": "1"}), Annotations({"x.io/y": "z"})], level).body
    assert body["metadata"]["labels"] == body["spec"]["labels"] == {"a": "1"}
    assert body["metadata"]["annotations"] == body["spec"]["annotations"] == {"x.io/y": "z"}
    assert "runtimePatches" not in body["spec"]


def test_labels_and_annotations_go_to_the_sdk_runtime_patch_on_v2_2() -> None:
    body = build([Labels({"a": "1"}), Labels({"b": "2"}), Annotations({"x.io/y": "z"})]).body
    assert "labels" not in body["spec"] and "annotations" not in body["spec"]
    assert body["metadata"]["labels"] == {"a": "1", "b": "2"}
    assert body["spec"]["runtimePatches"] == [
        {
            "manager": SDK_MANAGER,
            "trainingRuntimeSpec": {
                "template": {"metadata": {"labels": {"a": "1", "b": "2"}, "annotations": {"x.io/y": "z"}}}
            },
        }
    ]


def test_labels_merge_into_a_user_runtime_patch_of_the_sdk_manager() -> None:
    body = build([patch(metadata={"labels": {"team": "ml"}}), Labels({"app": "demo"})]).body
    (sdk,) = body["spec"]["runtimePatches"]
    template = sdk["trainingRuntimeSpec"]["template"]
    assert template["metadata"] == {"labels": {"team": "ml", "app": "demo"}}
    assert template["spec"]["replicatedJobs"][0]["template"]["spec"]["template"]["spec"] == {
        "nodeSelector": {"pool": "gpu"}
    }


def test_a_label_given_twice_with_different_values_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="'team' is given twice"):
        build([patch(metadata={"labels": {"team": "ml"}}), Labels({"team": "ops"})])
    with pytest.raises(InvalidInputError, match="given twice"):
        build([Labels({"a": "1"}), Labels({"a": "2"})])


def test_patches_of_other_managers_follow_the_sdk_patch() -> None:
    body = build([patch(manager="example.com/tool"), Labels({"a": "1"})]).body
    assert [p["manager"] for p in body["spec"]["runtimePatches"]] == [SDK_MANAGER, "example.com/tool"]


def test_two_patches_of_one_manager_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="Merge them into one"):
        build([patch(), patch()])


@pytest.mark.parametrize(
    ("option", "name"),
    [(ActiveDeadlineSeconds(60), "ActiveDeadlineSeconds"), (patch(), "RuntimePatch")],
)
@pytest.mark.parametrize("level", ["v2.0", "v2.1"])
def test_v2_2_only_options_are_refused_on_old_releases(option: Any, name: str, level: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build([option], level)
    message = str(caught.value)
    assert name in message and "v2.2 or newer" in message and f"Trainer {level}.x" in message


def test_active_deadline_on_v2_2() -> None:
    assert build([ActiveDeadlineSeconds(3600)]).body["spec"]["activeDeadlineSeconds"] == 3600


@pytest.mark.parametrize("level", ["v2.0", "v2.1", "v2.2"])
def test_trainer_command_and_args_with_a_container(level: str) -> None:
    trainer = CustomTrainerContainer(image="example.com/img:1")
    spec = build([TrainerCommand(["/bin/train"]), TrainerArgs(["--lr", "$(LR)"])], level, trainer).body["spec"]
    assert spec["trainer"] == {"image": "example.com/img:1", "command": ["/bin/train"], "args": ["--lr", "$(LR)"]}


@pytest.mark.parametrize(
    ("trainer", "runtime"),
    [
        (None, "torch-distributed"),
        (CustomTrainer(func=noop), "torch-distributed"),
        (BuiltinTrainer(config=TorchTuneConfig()), "torchtune-llama3.2-1b"),
    ],
)
@pytest.mark.parametrize("option", [TrainerCommand(["x"]), TrainerArgs(["y"])])
def test_trainer_command_and_args_need_a_container(trainer: Any, runtime: str, option: Any) -> None:
    with pytest.raises(InvalidInputError, match="only with CustomTrainerContainer"):
        build([option], trainer=trainer, runtime=runtime)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ([TrainerCommand([])], "TrainerCommand.command"),
        ([TrainerArgs([])], "TrainerArgs.args"),
        ([TrainerCommand(["a"]), TrainerCommand(["b"])], "more than once"),
        ([ActiveDeadlineSeconds(1), ActiveDeadlineSeconds(2)], "more than once"),
        ([Labels({"bad key!": "v"})], "label key"),
        ([Labels({"a": "not a valid value"})], "invalid value"),
        ([Labels({"a": "x" * 64})], "invalid value"),
        ([Annotations({"/x": "v"})], "annotation key"),
        ([Annotations({"a": "x" * (256 * 1024)})], "at most 262144"),
        ([Name("other-name")], "differs from the job name"),
        (["not-an-option"], "is not a trainer option"),
    ],
)
def test_bad_options_are_refused(options: list[Any], match: str) -> None:
    trainer = CustomTrainerContainer(image="example.com/img:1")
    with pytest.raises(InvalidInputError, match=match):
        build(options, trainer=trainer)


def test_a_name_option_equal_to_the_job_name_is_accepted() -> None:
    assert build([Name("job-1")]).body["metadata"]["name"] == "job-1"


@pytest.mark.parametrize(
    ("option", "match"),
    [
        (patch(job="worker"), "'worker' is not a replicated job"),
        (patch(container=ContainerPatch(name="sidecar")), "has no container 'sidecar'"),
        (patch(container=ContainerPatch(name="node", env=[{"name": "A", "value": "1"}])), "env on the 'node'"),
        (
            patch(container=ContainerPatch(name="node", volume_mounts=[{"name": "v", "mountPath": "rel"}])),
            "absolute path",
        ),
        (patch(metadata={"name": "x"}), "only labels and annotations"),
        (patch(metadata={"labels": {"a": "b c"}}), "invalid value"),
    ],
)
def test_runtime_patches_must_fit_the_runtime(option: RuntimePatch, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        build([option])


def test_patch_container_security_context_and_mounts_are_sent_camel_cased() -> None:
    container = ContainerPatch(
        name="node", volume_mounts=[{"name": "v", "mountPath": "/data"}], security_context={"runAsUser": 1000}
    )
    body = build([patch(container=container)]).body
    pod = body["spec"]["runtimePatches"][0]["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"][0]
    assert pod["template"]["spec"]["template"]["spec"]["containers"] == [
        {"name": "node", "volumeMounts": [{"name": "v", "mountPath": "/data"}], "securityContext": {"runAsUser": 1000}}
    ]


def test_the_body_is_deterministic_and_does_not_alias_the_options() -> None:
    volumes = [{"name": "data", "emptyDir": {}}]
    option = RuntimePatch(
        training_runtime_spec=TrainingRuntimeSpecPatch(
            template=JobSetTemplatePatch(
                spec=JobSetSpecPatch(
                    replicated_jobs=[
                        ReplicatedJobPatch(
                            name="node",
                            template=JobTemplatePatch(
                                spec=JobSpecPatch(template=PodTemplatePatch(spec=PodSpecPatch(volumes=volumes)))
                            ),
                        )
                    ]
                )
            )
        )
    )
    first = build([option, Labels({"a": "1"})]).body
    second = build([option, Labels({"a": "1"})]).body
    assert first == second
    first["spec"]["runtimePatches"][0]["trainingRuntimeSpec"]["template"]["spec"]["replicatedJobs"][0]["template"][
        "spec"
    ]["template"]["spec"]["volumes"].append({"name": "other"})
    assert volumes == [{"name": "data", "emptyDir": {}}]
