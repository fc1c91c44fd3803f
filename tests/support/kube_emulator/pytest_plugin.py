"""Pytest fixtures: ``kube_emulator`` (started, default runtimes loaded), ``kubeconfig_path``, ``trainer_reference``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reference import reference_path

from .emulator import KubeEmulator


@pytest.fixture
def kube_emulator() -> Iterator[KubeEmulator]:
    """A started emulator with the master Trainer CRDs and default ClusterTrainingRuntimes; stopped after."""
    emulator = KubeEmulator(trainer_crds="master")
    emulator.start()
    emulator.load_default_runtimes()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def kubeconfig_path(kube_emulator: KubeEmulator, tmp_path: Path) -> Path:
    """A kubeconfig file (context ``emulator``, namespace ``default``) for the ``kube_emulator`` fixture."""
    return kube_emulator.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture
def trainer_reference() -> Path:
    """The reference ``kubeflow-trainer`` folder (real CRD schemas, every default runtime).

    For tests that need more than the fresh-clone stand-ins give (schema pruning, defaulting and validation, or a
    default runtime other than ``torch-distributed``): they skip without it, or fail where it is required.
    """
    return reference_path("kubeflow-trainer", "crds").parent
