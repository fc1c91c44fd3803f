"""The `env.json` manifest of a cached environment, and disk usage of directories."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from pydantic import Field, ValidationError

from kubeflow.core.local.envs.models import EnvEntry, EnvRecord

MANIFEST = "env.json"
SITE_DIR = "site"


class Manifest(EnvRecord):
    """What `env.json` records about an environment: the public record plus what rebuild checks need."""

    schema_version: int = 1
    relied_on: dict[str, str] = Field(default_factory=dict)
    """Caller distributions (name to version) the overlay uses instead of installing its own copy."""

    def entry(self, path: Path) -> EnvEntry:
        """The public view of this manifest for the environment at `path`."""
        return EnvEntry(path=str(path), **self.model_dump(exclude={"schema_version", "relied_on"}))


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


def read_manifest(env_dir: Path) -> Manifest | None:
    """The manifest of the environment at `env_dir`, or None when it is missing or unreadable."""
    try:
        return Manifest.model_validate_json((env_dir / MANIFEST).read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def write_manifest(env_dir: Path, manifest: Manifest) -> None:
    """Write the manifest atomically (a temporary file renamed over the old one)."""
    fd, tmp = tempfile.mkstemp(prefix=".env-", suffix=".json", dir=env_dir)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(manifest.model_dump(mode="json"), handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, env_dir / MANIFEST)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dir_size(path: Path) -> int:
    """The bytes used by the files under `path` (symlinks not followed, hard links counted once each)."""
    total = 0
    seen: set[tuple[int, int]] = set()
    for dirpath, _dirnames, filenames in os.walk(path):
        for name in filenames:
            try:
                info = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            if info.st_nlink > 1:
                if (info.st_dev, info.st_ino) in seen:
                    continue
                seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    return total
