"""Model registry throughput: register and list on the local store against REST on the loopback emulator.

    uv run python bench/bench_model_registry.py [--models 50] [--versions 4]

Prints registrations per second, the time to list every model and every version, and (REST) the requests sent.
The emulator runs without spec validation here so that the client, not the validator, is measured.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from kubeflow.model_registry import ModelRegistryClient
from model_registry_emulator import ModelRegistryEmulator


def run(label: str, client: ModelRegistryClient, models: int, versions: int, requests: list[object] | None) -> None:
    """Register `models` x `versions`, then list them, printing the figures."""
    start = time.perf_counter()
    for m in range(models):
        for v in range(versions):
            client.register_model(f"model-{m}", f"s3://bench/model-{m}/v{v}", version=f"v{v}", metadata={"i": v})
    registered = time.perf_counter() - start
    sent = len(requests) if requests is not None else 0
    start = time.perf_counter()
    listed = sum(1 for model in client.list_models() for _ in client.list_model_versions(model.name))
    listing = time.perf_counter() - start
    total = models * versions
    assert listed == total, (listed, total)
    print(
        f"{label:6} register {total:5d} versions: {registered:7.2f}s  {total / registered:8.1f}/s"
        + (f"  ({sent / total:.1f} requests each)" if requests is not None else "")
    )
    print(f"{label:6} list every model and version:   {listing:7.3f}s  {total / listing:8.1f} versions/s")


def main() -> None:
    """Parse arguments and run both backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--versions", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        local = ModelRegistryClient(f"file://{tmp}/registry.sqlite3")
        run("local", local, args.models, args.versions, None)
        local.close()
    with ModelRegistryEmulator(token="bench") as emulator:
        rest = ModelRegistryClient(emulator.url, user_token="bench")
        run("rest", rest, args.models, args.versions, emulator.requests)  # type: ignore[arg-type]
        rest.close()


if __name__ == "__main__":
    main()
