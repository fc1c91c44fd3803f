"""The caller's installed distributions, and how an overlay avoids re-installing them.

uv installs into a `--target` directory considering only what that directory holds, so on its own it would
re-install into every overlay what the caller already has (torch included). Before uv runs, the build directory is
seeded with a *stub* `.dist-info` (name, version, dependencies; no files) for each distribution the caller has; uv
treats them as installed, keeps every one that satisfies the requirements, and resolves the rest against them. A
stub uv has to replace (a version conflict) gets the new version installed beside it; all stubs are deleted once
uv is done. This also covers dependencies of dependencies, which skipping
already-satisfied top-level requirements would not.

The overlay then depends on the caller's versions of the stubbed distributions it used; the cache records them
(`relied_on`) and rebuilds an overlay whose caller distributions have changed since.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kubeflow.core.local.envs.requirements import canonical_name, requirement_extras, requirement_name

STUB_SUMMARY = "kubeflow-envs caller stub"
"""The summary line of a stub's METADATA (stubs live only while uv runs; this names them if one is ever seen)."""

# PEP 440 versions (public part and local label), case-insensitive. Distributions whose version is not PEP 440 are
# not stubbed: uv would refuse to read them.
_VERSION_RE = re.compile(
    r"^v?(\d+!)?\d+(\.\d+)*((a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?"
    r"([-_.]?(post|rev|r)[-_.]?\d*|-\d+)?([-_.]?dev[-_.]?\d*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$",
    re.IGNORECASE,
)
_EXTRA_MARKER_RE = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Dist:
    """The parts of an installed distribution's metadata that resolution needs."""

    name: str
    version: str
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = field(default=())


def caller_distributions() -> dict[str, Dist]:
    """The distributions importable by this interpreter (the first on `sys.path` wins), keyed by canonical name."""
    result: dict[str, Dist] = {}
    for dist in importlib.metadata.distributions():
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
        parsed = _parse_metadata(text or "")
        if parsed is not None and parsed.name not in result and _VERSION_RE.match(parsed.version):
            result[parsed.name] = parsed
    return result


def overlay_distributions(site: Path) -> dict[str, Dist]:
    """The distributions installed in an overlay directory, keyed by canonical name."""
    result: dict[str, Dist] = {}
    for info in sorted(site.glob("*.dist-info")):
        metadata = info / "METADATA"
        parsed = _parse_metadata(metadata.read_text(errors="replace")) if metadata.is_file() else None
        if parsed is not None:
            result.setdefault(parsed.name, parsed)
    return result


def write_stubs(site: Path, dists: Iterable[Dist]) -> list[str]:
    """Write a stub `.dist-info` (a METADATA file, nothing else) for each distribution into `site`.

    A stub has no RECORD: when uv replaces one (a version conflict) it warns that it cannot uninstall it and installs
    the new version beside it, and `remove_stubs` deletes the stub afterwards. One file per stub keeps seeding cheap
    on slow file systems.

    Returns:
        The names of the stub directories.
    """
    names = []
    for dist in dists:
        name = f"{dist.name.replace('-', '_')}-{dist.version}.dist-info"
        info = site / name
        info.mkdir(parents=True, exist_ok=True)
        lines = ["Metadata-Version: 2.1", f"Name: {dist.name}", f"Version: {dist.version}", f"Summary: {STUB_SUMMARY}"]
        lines += [f"Provides-Extra: {extra}" for extra in dist.extras]
        lines += [f"Requires-Dist: {requirement}" for requirement in dist.requires]
        (info / "METADATA").write_text("\n".join(lines) + "\n")
        names.append(name)
    return names


def remove_stubs(site: Path, names: Iterable[str]) -> None:
    """Delete the stubs `write_stubs` wrote, keeping any directory uv has since filled with a real install."""
    for name in names:
        info = site / name
        try:
            if os.listdir(info) == ["METADATA"]:
                os.unlink(info / "METADATA")
                os.rmdir(info)
        except FileNotFoundError:
            continue


def relied_on(requirements: Iterable[str], overlay: Mapping[str, Dist], caller: Mapping[str, Dist]) -> dict[str, str]:
    """The caller distributions (name to version) that the requirements reach through the overlay's dependencies.

    The walk follows dependency names and requested extras and ignores other markers, so it may list a
    distribution that is not strictly needed (which at worst triggers an unneeded rebuild), never miss one.
    """
    result: dict[str, str] = {}
    pending = [(name, frozenset(requirement_extras(req))) for req in requirements if (name := requirement_name(req))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        item = pending.pop()
        if item in seen:
            continue
        seen.add(item)
        name, extras = item
        dist = overlay.get(name)
        if dist is None:
            dist = caller.get(name)
            if dist is None:
                continue
            result[name] = dist.version
        for dependency in dist.requires:
            spec, _, marker = dependency.partition(";")
            wanted = {canonical_name(extra) for extra in _EXTRA_MARKER_RE.findall(marker)}
            dep_name = requirement_name(spec)
            if dep_name and (not wanted or wanted & extras):
                pending.append((dep_name, frozenset(requirement_extras(spec))))
    return result


def changed(versions: Mapping[str, str]) -> list[str]:
    """The names among `versions` whose installed version in the caller's environment is now different or gone."""
    result = []
    for name, version in versions.items():
        try:
            current = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            current = None
        if current != version:
            result.append(name)
    return result


def _parse_metadata(text: str) -> Dist | None:
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.split("\n"):
        if not line.strip():
            break
        if line[0] in " \t" and last is not None:
            headers[last][-1] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip().lower()
        headers.setdefault(last, []).append(value.strip())
    names, versions = headers.get("name"), headers.get("version")
    if not names or not versions or not names[0] or not versions[0]:
        return None
    return Dist(
        name=canonical_name(names[0]),
        version=versions[0],
        requires=tuple(headers.get("requires-dist", [])),
        extras=tuple(headers.get("provides-extra", [])),
    )
