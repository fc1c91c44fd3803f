"""Public types of the job environment cache."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EnvSpec(BaseModel):
    """What a job asks of its Python environment.

    Index URLs follow pip's precedence: the job's first index URL replaces `PIP_INDEX_URL` and the job's further
    URLs replace `PIP_EXTRA_INDEX_URL`; an option the job leaves empty comes from the user's pip settings (`PIP_*`
    variables, else pip's configuration files). Find-links locations are added to `PIP_FIND_LINKS` rather than
    replacing it, as they only add candidate files.
    """

    model_config = ConfigDict(extra="forbid")

    packages: list[str] = Field(default_factory=list)
    """Requirement strings (pip syntax), e.g. `["torch>=2.3", "transformers[torch]"]`."""
    index_urls: list[str] = Field(default_factory=list)
    """Package indexes: the first is the index URL, the rest are extra index URLs."""
    find_links: list[str] = Field(default_factory=list)
    """Directories or pages of distribution files to install from, besides the indexes."""
    no_index: bool = False
    """Install from `find_links` only, never from a package index (also set by `PIP_NO_INDEX`)."""


class PythonEnv(BaseModel):
    """A Python environment to run a job in: the caller's interpreter, with an overlay of packages first on the path.

    A job always runs with the caller's interpreter, so it sees the caller's installed packages; the packages it
    asked for live in an overlay directory put first on `PYTHONPATH`, so they win over the caller's. Note that an
    overlay on `PYTHONPATH` is not a site directory: `.pth` files in it are not processed.
    """

    model_config = ConfigDict(frozen=True)

    python: str
    """The interpreter to run."""
    pythonpath: list[str] = Field(default_factory=list)
    """Directories to put first on `PYTHONPATH` (empty for a job without packages)."""
    bin_dirs: list[str] = Field(default_factory=list)
    """Directories of console scripts installed by the overlay, to put first on `PATH`."""
    key: str | None = None
    """The cache key of the overlay, None for a job without packages."""
    reused: bool = False
    """True when an overlay already in the cache served the job (nothing was installed)."""

    def apply(self, env: Mapping[str, str]) -> dict[str, str]:
        """Return a copy of `env` with this environment's directories prepended to `PYTHONPATH` and `PATH`."""
        result = dict(env)
        for variable, dirs in (("PYTHONPATH", self.pythonpath), ("PATH", self.bin_dirs)):
            if dirs:
                existing = result.get(variable)
                result[variable] = os.pathsep.join([*dirs, *([existing] if existing else [])])
        return result


class EnvRecord(BaseModel):
    """What is recorded about a built environment (credentials in URLs are masked before they get here)."""

    key: str
    """The cache key: a hash of the requirements, package sources, interpreter and platform."""
    requirements: list[str]
    """The normalised requirement set."""
    index_urls: list[str] = Field(default_factory=list)
    """The index URLs it was installed from (credentials masked)."""
    find_links: list[str] = Field(default_factory=list)
    """The find-links locations it was installed from (credentials masked)."""
    no_index: bool = False
    """Whether package indexes were disabled."""
    python: str
    """The interpreter the overlay was built for."""
    created: datetime
    """When it was built (UTC)."""
    last_used: datetime
    """When a job last used it (UTC); pruning removes the least recently used first."""
    size_bytes: int
    """Its size on disk."""


class EnvEntry(EnvRecord):
    """One environment in the cache, as recorded in its `env.json` manifest."""

    path: str
    """The entry's directory."""
