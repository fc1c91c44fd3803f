"""Pytest fixtures: ``kube_emulator`` (started, default runtimes loaded) and ``kubeconfig_path``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
