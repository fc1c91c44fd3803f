"""After a create: which fields of the sent TrainJob the server did not store.

A CRD prunes fields its schema does not know, without an error (an older Trainer release than the body was built
for, or a server whose release could not be read). Each dropped field is reported by its path, e.g.
`spec.runtimePatches`, as a `TrainerCompatibilityWarning` and a logged warning: never silently.

Only keys that vanished count. Values the server changed (defaults filled in, quantities normalised) and keys it
added are not reported; neither is `metadata`, which the server owns.
"""

from __future__ import annotations

from typing import Any

from kubeflow.trainer.backends.kubernetes.version import warn


def dropped_fields(sent: Any, stored: Any, path: str = "") -> list[str]:
    """Paths of the keys present in `sent` and missing from `stored` (lists compared item by item)."""
    if isinstance(sent, dict) and isinstance(stored, dict):
        missing: list[str] = []
        for key, value in sent.items():
            child = f"{path}.{key}" if path else str(key)
            if key not in stored:
                missing.append(child)
            else:
                missing.extend(dropped_fields(value, stored[key], child))
        return missing
    if isinstance(sent, list) and isinstance(stored, list) and len(sent) == len(stored):
        found: list[str] = []
        for index, (one, other) in enumerate(zip(sent, stored, strict=True)):
            found.extend(dropped_fields(one, other, f"{path}[{index}]"))
        return found
    return []


def report_dropped(sent: dict[str, Any], stored: dict[str, Any], source: str | None) -> list[str]:
    """Warn about each field of `sent` (outside `metadata`) that `stored` lacks; return their paths."""
    dropped = [
        field
        for field in dropped_fields({k: v for k, v in sent.items() if k != "metadata"}, stored)
        if not field.startswith("metadata")
    ]
    if dropped:
        name = (stored.get("metadata") or {}).get("name") or (sent.get("metadata") or {}).get("name")
        warn(
            f"The server dropped {', '.join(dropped)} from TrainJob {name!r}: the installed Kubeflow Trainer "
            f"release does not know {'these fields' if len(dropped) > 1 else 'this field'} (the body's shape came "
            f"from {source or 'release detection'}), so the job runs without "
            f"{'them' if len(dropped) > 1 else 'it'}. Fix: delete the job and use an SDK option that release "
            "supports, or upgrade Kubeflow Trainer."
        )
    return dropped


__all__ = ["dropped_fields", "report_dropped"]
