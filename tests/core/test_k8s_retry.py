"""Transient failures are retried with bounded, jittered backoff; other 4xx are not."""

from __future__ import annotations

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import BackendError, BackendUnavailableError, ForbiddenError, InvalidInputError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import CONFIG_MAPS
from kubeflow.core.kubernetes.retry import MAX_RETRY_AFTER, RetryPolicy

PATH = "/api/v1/namespaces/kubeflow-system/configmaps/kubeflow-trainer-public"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def objects(kube_emulator: KubeEmulator, sleeps: Sleeps) -> ObjectClient:
    config = KubernetesBackendConfig(
        client_configuration=kube_emulator.client_configuration(), namespace="default", request_timeout=2.0
    )
    policy = RetryPolicy(max_retries=3, base=0.1, cap=1.0, sleep=sleeps, rng=lambda: 0.5)
    return ObjectClient(KubeClient(config, retry=policy))


def attempts(emu: KubeEmulator, method: str = "GET") -> list[int]:
    return [r.status for r in emu.requests if r.method == method and r.path == PATH]


def read(objects: ObjectClient) -> dict:
    return objects.get(CONFIG_MAPS, "kubeflow-trainer-public", "kubeflow-system")


def test_503_is_retried_until_success(objects: ObjectClient, kube_emulator: KubeEmulator, sleeps: Sleeps) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=503, times=2))
    assert read(objects)["data"]
    assert attempts(kube_emulator) == [503, 503, 200]
    assert sleeps == [pytest.approx(0.075), pytest.approx(0.15)]  # exponential, half jittered


def test_429_honours_retry_after(objects: ObjectClient, kube_emulator: KubeEmulator, sleeps: Sleeps) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=429, retry_after=7, times=1))
    assert read(objects)["data"]
    assert attempts(kube_emulator) == [429, 200]
    assert sleeps == [7.0]


def test_dropped_connection_is_retried(objects: ObjectClient, kube_emulator: KubeEmulator, sleeps: Sleeps) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=None, drop=True, times=1))
    assert read(objects)["data"]
    assert attempts(kube_emulator).count(200) == 1  # the drop is recorded by the server thread, maybe later
    assert len(sleeps) == 1


def test_slow_answer_times_out_and_is_retried(objects: ObjectClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=None, delay=4.0, times=1))
    assert read(objects)["data"]
    assert attempts(kube_emulator)[-1] == 200


def test_retries_are_bounded(objects: ObjectClient, kube_emulator: KubeEmulator, sleeps: Sleeps) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=500, times=None))
    with pytest.raises(BackendError) as info:
        read(objects)
    assert info.value.status == 500
    assert attempts(kube_emulator) == [500] * 4  # first try + max_retries
    assert len(sleeps) == 3


def test_persistent_503_ends_as_backend_unavailable(objects: ObjectClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=503, times=None))
    with pytest.raises(BackendUnavailableError) as info:
        read(objects)
    assert info.value.status == 503


@pytest.mark.parametrize(("code", "error"), [(400, InvalidInputError), (403, ForbiddenError), (401, ForbiddenError)])
def test_other_4xx_are_not_retried(
    objects: ObjectClient, kube_emulator: KubeEmulator, sleeps: Sleeps, code: int, error: type[Exception]
) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=PATH, status=code, times=None))
    with pytest.raises(error):
        read(objects)
    assert attempts(kube_emulator) == [code]
    assert sleeps == []


def test_backoff_is_capped_and_jittered() -> None:
    low = RetryPolicy(base=0.2, cap=5.0, rng=lambda: 0.0)
    high = RetryPolicy(base=0.2, cap=5.0, rng=lambda: 0.999999)
    assert [low.delay(n) for n in (1, 2, 3)] == [pytest.approx(0.1), pytest.approx(0.2), pytest.approx(0.4)]
    assert high.delay(1) == pytest.approx(0.2)
    assert low.delay(20) == pytest.approx(2.5) and high.delay(20) == pytest.approx(5.0)
    assert low.delay(1, retry_after=3600) == MAX_RETRY_AFTER
