"""Request bodies shared by the emulator's own tests (a uniquely named module, not ``conftest``)."""

from __future__ import annotations

GROUP, VERSION = "trainer.kubeflow.org", "v1alpha1"


def trainjob(name: str, runtime: str = "torch-distributed", **spec: object) -> dict[str, object]:
    body: dict[str, object] = {"runtimeRef": {"name": runtime}}
    body.update(spec)
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "TrainJob", "metadata": {"name": name}, "spec": body}


def pod(name: str, labels: dict[str, str] | None = None, containers: tuple[str, ...] = ("main",)) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"containers": [{"name": c, "image": "busybox:1.36"} for c in containers]},
    }
