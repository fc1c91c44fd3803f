"""What to build for a job: its normalised requirements, where packages come from, and the cache key of the result.

Nothing here writes anything: it reads the spec, the given environment mapping and pip's configuration files.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass

from kubeflow.core.local.envs.models import EnvSpec
from kubeflow.core.local.envs.pipconf import pip_settings
from kubeflow.core.local.envs.requirements import mask_credentials, normalize_requirements, validate_locations

KEY_SCHEMA = 1
"""Bumped whenever the layout of an environment or the meaning of a key changes, so old entries are not reused."""

_TRUE_WORDS = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Sources:
    """Where packages are installed from, after merging a job's options with the pip environment variables."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    trusted_hosts: tuple[str, ...] = ()
    cert: str | None = None

    def masked(self) -> dict[str, object]:
        """The sources with credentials masked, as recorded in keys and manifests."""
        return {
            "index_url": mask_credentials(self.index_url) if self.index_url else None,
            "extra_index_urls": [mask_credentials(url) for url in self.extra_index_urls],
            "find_links": [mask_credentials(location) for location in self.find_links],
            "no_index": self.no_index,
        }


@dataclass(frozen=True)
class BuildPlan:
    """A validated request for an environment."""

    requirements: tuple[str, ...]
    sources: Sources
    python: str
    key: str


def resolve_sources(spec: EnvSpec, environ: Mapping[str, str]) -> Sources:
    """Merge a job's package sources with the user's pip settings (`PIP_*` variables, then pip's config files).

    Precedence follows pip, where an option given explicitly replaces the configured value of that option: the
    job's first index URL wins over `PIP_INDEX_URL` (or `index-url` in pip.conf), and the job's further index URLs,
    if any, win over `PIP_EXTRA_INDEX_URL`. Find-links are additive: the job's come first, then `PIP_FIND_LINKS`.

    Raises:
        InvalidInputError: An index URL or find-links location is empty or malformed.
    """
    settings = pip_settings(environ)
    job_indexes = validate_locations("pip_index_urls", spec.index_urls)
    configured_index = validate_locations("PIP_INDEX_URL", _split(settings.get("index-url", "")))[:1]
    configured_extras = validate_locations("PIP_EXTRA_INDEX_URL", _split(settings.get("extra-index-url", "")))
    index_url = job_indexes[0] if job_indexes else (configured_index[0] if configured_index else None)
    extras = job_indexes[1:] if len(job_indexes) > 1 else configured_extras
    find_links = validate_locations("find_links", [*spec.find_links, *_split(settings.get("find-links", ""))])
    no_index = spec.no_index or settings.get("no-index", "").lower() in _TRUE_WORDS
    trusted = validate_locations("PIP_TRUSTED_HOST", _split(settings.get("trusted-host", "")))
    return Sources(
        index_url=index_url,
        extra_index_urls=tuple(url for url in extras if url != index_url),
        find_links=tuple(find_links),
        no_index=no_index,
        trusted_hosts=tuple(trusted),
        cert=settings.get("cert") or None,
    )


def make_plan(spec: EnvSpec, environ: Mapping[str, str]) -> BuildPlan:
    """Validate a spec and compute its cache key, for an overlay on the running interpreter (`sys.executable`).

    The key is a hash of the normalised requirement set, the package sources (credentials masked: they do not change
    what gets installed), the interpreter (path and version) and the platform.

    Raises:
        InvalidInputError: A requirement or source location is invalid.
    """
    requirements = tuple(normalize_requirements(spec.packages))
    sources = resolve_sources(spec, environ)
    interpreter = sys.executable
    identity = {
        "schema": KEY_SCHEMA,
        "requirements": [mask_credentials(requirement) for requirement in requirements],
        "sources": sources.masked(),
        "python": interpreter,
        "python_version": sys.version,
        "implementation": sys.implementation.cache_tag,
        "platform": sysconfig.get_platform(),
        "machine": platform.machine(),
        "libc": list(platform.libc_ver()),
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return BuildPlan(requirements=requirements, sources=sources, python=interpreter, key=digest[:32])


def _split(value: str) -> list[str]:
    return value.split()
