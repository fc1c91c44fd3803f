"""Finding the command groups of installed distributions (the `kubeflow.cli` entry-point group), quickly.

`importlib.metadata` costs about as much to import as click itself, which would double the start-up of
`kubeflow --help`. The entry points of installed distributions are plain files (`<dist>.dist-info/entry_points.txt`,
or `.egg-info/` for old installs) in the directories of `sys.path`, so this module reads just those, with the same
rules: the first distribution of a name on `sys.path` wins, and within a group the first registration of a name
wins. Only the group that is invoked is imported.
"""

from __future__ import annotations

import os
import re
import sys
from importlib import import_module
from typing import NamedTuple

_DIST_DIR = re.compile(r"^(?P<name>[^-]+)-.*\.(?:dist|egg)-info$")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class Plugin(NamedTuple):
    """One entry point: `name = module:attribute` registered by a distribution."""

    name: str
    """The command name, e.g. `trainer`."""
    value: str
    """`module:attribute`, e.g. `mypackage.cli:group`."""
    dist: str
    """The distribution that registered it, e.g. `kubeflow_trainer`."""
    metadata_dir: str
    """Its `.dist-info` (or `.egg-info`) directory."""

    def load(self) -> object:
        """Import the module and return the attribute."""
        module_name, _, attribute = self.value.partition(":")
        obj: object = import_module(module_name.strip())
        for part in attribute.split("[", 1)[0].strip().split("."):
            if part:
                obj = getattr(obj, part)
        return obj

    def summary(self) -> str | None:
        """The distribution's one-line summary (its `Summary:` metadata field), if it has one."""
        for filename in ("METADATA", "PKG-INFO"):
            try:
                with open(os.path.join(self.metadata_dir, filename), encoding="utf-8") as handle:
                    for line in handle:
                        if line.startswith("Summary:"):
                            return line.partition(":")[2].strip() or None
                        if not line.strip():
                            return None
            except OSError:
                continue
        return None


def _section(text: str, group: str) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == group
            continue
        if inside and "=" in line:
            name, _, value = line.partition("=")
            entries.append((name.strip(), value.strip()))
    return entries


def discover(group: str, path: list[str] | None = None) -> dict[str, Plugin]:
    """The entry points of `group` from every distribution installed on `path` (default `sys.path`), by name."""
    found: dict[str, Plugin] = {}
    seen: set[str] = set()
    for entry in sys.path if path is None else path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for dirname in names:
            match = _DIST_DIR.match(dirname)
            if match is None:
                continue
            dist = _normalize(match["name"])
            if dist in seen:
                continue
            seen.add(dist)
            metadata_dir = os.path.join(entry or ".", dirname)
            try:
                with open(os.path.join(metadata_dir, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            for name, value in _section(text, group):
                found.setdefault(name, Plugin(name, value, match["name"], metadata_dir))
    return found
