"""get_runtime_packages: a short TrainJob prints the image's packages; its log is parsed and the job deleted."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import KubernetesBackendConfig, TrainerClient
from kubeflow.trainer.backends.kubernetes.packages import parse_packages, print_installed_packages

TRAINER = "trainer.kubeflow.org/v1alpha1"


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))


def test_packages_come_from_a_short_job_that_is_deleted(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.controller.auto = True
    kube_emulator.controller.auto_log_lines = ["torch==2.13.0", "numpy==2.1.0", "some noise", "torch==2.13.0"]
    packages = client.get_runtime_packages(client.get_runtime("torch-distributed"))
    assert packages == ["numpy==2.1.0", "torch==2.13.0"]
    assert kube_emulator.list_objects(TRAINER, "TrainJob", "default") == []
    (post,) = [r for r in kube_emulator.requests if r.method == "POST" and r.path.endswith("/trainjobs")]
    assert post.status == 201


@pytest.mark.usefixtures("trainer_reference")
def test_builtin_runtimes_are_refused(client: TrainerClient) -> None:
    with pytest.raises(InvalidInputError):
        client.get_runtime_packages(client.get_runtime("torchtune-llama3.2-1b"))


def test_the_printer_prints_parseable_lines(capsys: pytest.CaptureFixture[str]) -> None:
    print_installed_packages()
    lines = capsys.readouterr().out.splitlines()
    parsed = parse_packages(lines)
    assert parsed and any(line.lower().startswith("pydantic==") for line in parsed)
