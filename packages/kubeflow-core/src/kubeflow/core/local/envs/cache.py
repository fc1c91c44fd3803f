"""The cache of uv-built job environments: build once per requirement set, reuse in milliseconds, prune by LRU.

Layout under the cache root::

    envs/<key>/site/          the overlay (`uv pip install --target`), first on the job's PYTHONPATH
    envs/<key>/env.json       the manifest, written last: an entry without it is not an entry
    envs/.tmp-<key>-*/        a build in progress (or killed), renamed to envs/<key> once complete
    envs/.trash-<key>-*/      an entry being deleted
    locks/<key>.build         held exclusively while the entry is built or removed
    locks/<key>.use           held shared by jobs using the entry (`EnvCache.use`); pruning skips it then
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from kubeflow.core.local.envs.announce import BuildAnnouncer, announce
from kubeflow.core.local.envs.caller import (
    caller_distributions,
    changed,
    overlay_distributions,
    relied_on,
    remove_stubs,
    write_stubs,
)
from kubeflow.core.local.envs.locks import FileLock
from kubeflow.core.local.envs.manifest import (
    SITE_DIR,
    Manifest,
    dir_size,
    now,
    read_manifest,
    write_manifest,
)
from kubeflow.core.local.envs.models import EnvEntry, EnvSpec, PythonEnv
from kubeflow.core.local.envs.plan import BuildPlan, make_plan
from kubeflow.core.local.envs.requirements import mask_credentials
from kubeflow.core.local.envs.uv import find_uv, run_install

DEFAULT_MAX_BYTES = 20 * 2**30


def private_dir(path: Path) -> Path:
    """Create `path` mode 0700 (the cache root and its own subdirectories are private); an existing one is left."""
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
    return path


class EnvCache:
    """Job environments built with uv, keyed by their requirements and shared by every process using `root`.

    Args:
        root: The cache directory (created on first build).
        max_bytes: The size bound; after each build, least recently used entries are pruned down to it.
        uv_bin: The uv binary to use; by default the one of the `uv` package, else `uv` on `PATH`.
    """

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES, uv_bin: str | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.python = sys.executable
        self._uv_bin = uv_bin
        self._uv: str | None = None

    @property
    def envs_dir(self) -> Path:
        """The directory holding one subdirectory per entry."""
        return self.root / "envs"

    def key_for(self, spec: EnvSpec, environ: Mapping[str, str] | None = None) -> str:
        """The cache key of a spec (pure: nothing is read from or written to the cache).

        Raises:
            InvalidInputError: A requirement or source location is invalid.
        """
        return make_plan(spec, os.environ if environ is None else environ).key

    def resolve(self, spec: EnvSpec, environ: Mapping[str, str] | None = None) -> PythonEnv:
        """Return the environment for a spec, building its overlay unless the cache already holds it.

        Two processes resolving the same spec at once build it once: the second waits for the first and reuses
        its result. The returned environment may be pruned by another process later; a job that runs in it should
        hold it with `use` instead.

        Args:
            spec: The packages and package sources.
            environ: The environment whose pip settings (`PIP_INDEX_URL`, ...) apply and in which uv runs
                (default `os.environ`).

        Raises:
            InvalidInputError: A requirement or source location is invalid (raised before anything is written).
            BackendUnavailableError: uv is not installed.
            EnvironmentBuildError: uv failed to install the packages (nothing is left behind).
        """
        env = os.environ if environ is None else environ
        plan = make_plan(spec, env)
        if not plan.requirements:
            return PythonEnv(python=self.python)
        reused = self._reuse(plan)
        if reused is not None:
            announce("cached", plan.key[:12], f"Job environment {plan.key[:12]} reused from the cache")
            return reused
        uv = self._find_uv()
        with FileLock(self._lock_path(plan.key, "build")):
            reused = self._reuse(plan)
            if reused is not None:  # built by another process while we waited for its lock
                announce("cached", plan.key[:12], f"Job environment {plan.key[:12]} built by another process")
                return reused
            self._build(uv, plan, env)
        self._prune(keep={plan.key})
        return self._python_env(plan.key, reused=False)

    @contextmanager
    def use(self, spec: EnvSpec, environ: Mapping[str, str] | None = None) -> Iterator[PythonEnv]:
        """Resolve a spec and keep its entry from being pruned or cleared until the block exits.

        Raises:
            InvalidInputError: A requirement or source location is invalid (raised before anything is written).
            BackendUnavailableError: uv is not installed.
            EnvironmentBuildError: uv failed to install the packages.
        """
        plan = make_plan(spec, os.environ if environ is None else environ)
        if not plan.requirements:
            yield PythonEnv(python=self.python)
            return
        with self.hold(plan.key):
            yield self.resolve(spec, environ)

    def hold(self, key: str) -> FileLock:
        """Take the shared "in use" lock of an entry, which keeps `prune` and `clear` away from it while held.

        For a job that outlives the caller, take the lock before `resolve`, start the job process with
        `pass_fds=[lock.fileno()]`, then release it: the job keeps the entry held until it exits.

        Args:
            key: The entry's key (`key_for(spec)` or `PythonEnv.key`).

        Returns:
            The acquired lock; release it (or leave its `with` block) when done.
        """
        lock = FileLock(self._lock_path(key, "use"), shared=True)
        lock.acquire()
        return lock

    def entries(self) -> list[EnvEntry]:
        """The complete entries of the cache, most recently used first."""
        result = []
        for env_dir in self._entry_dirs():
            manifest = read_manifest(env_dir)
            if manifest is not None and manifest.key == env_dir.name:
                result.append(manifest.entry(env_dir))
        return sorted(result, key=lambda entry: entry.last_used, reverse=True)

    def clear(self) -> int:
        """Delete every entry not in use, and leftovers of killed builds; return the bytes freed."""
        freed = self._sweep_debris()
        for env_dir in self._entry_dirs():
            freed += self._remove(env_dir.name) or 0
        return freed

    def prune(self) -> int:
        """Delete least recently used entries until the cache is within `max_bytes`; return the bytes freed."""
        return self._prune(keep=set())

    def _find_uv(self) -> str:
        if self._uv is None:
            self._uv = find_uv(self._uv_bin)
        return self._uv

    def in_use_lock(self, key: str) -> Path:
        """The file a process holds a shared lock on while it uses entry `key`; pruning spares entries so held."""
        return self._lock_path(key, "use")

    def _lock_path(self, key: str, kind: str) -> Path:
        return self.root / "locks" / f"{key}.{kind}"

    def _entry_dirs(self) -> list[Path]:
        if not self.envs_dir.is_dir():
            return []
        return [path for path in self.envs_dir.iterdir() if not path.name.startswith(".") and path.is_dir()]

    def _python_env(self, key: str, *, reused: bool) -> PythonEnv:
        site = self.envs_dir / key / SITE_DIR
        bin_dir = site / "bin"
        return PythonEnv(
            python=self.python,
            pythonpath=[str(site)],
            bin_dirs=[str(bin_dir)] if bin_dir.is_dir() else [],
            key=key,
            reused=reused,
        )

    def _reuse(self, plan: BuildPlan) -> PythonEnv | None:
        env_dir = self.envs_dir / plan.key
        manifest = read_manifest(env_dir)
        if manifest is None or manifest.key != plan.key or not (env_dir / SITE_DIR).is_dir():
            return None
        if changed(manifest.relied_on):
            return None  # the caller's packages it builds on changed: rebuild
        manifest.last_used = now()
        try:
            write_manifest(env_dir, manifest)
        except OSError:
            pass  # a read-only cache still serves its entries
        return self._python_env(plan.key, reused=True)

    def _build(self, uv: str, plan: BuildPlan, environ: Mapping[str, str]) -> None:
        """Build the plan's overlay in a temporary directory and rename it into place (build lock held)."""
        private_dir(self.root)
        private_dir(self.envs_dir)
        private_dir(self.root / "locks")
        for leftover in self.envs_dir.glob(f".tmp-{plan.key}-*"):
            shutil.rmtree(leftover, ignore_errors=True)  # a killed build of this key: the lock says none runs
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{plan.key}-", dir=self.envs_dir))
        try:
            site = tmp / SITE_DIR
            site.mkdir()
            caller = caller_distributions()
            stubs = write_stubs(site, caller.values())
            masked = [mask_credentials(requirement) for requirement in plan.requirements]
            with BuildAnnouncer(plan.key[:12], masked) as announcer:
                run_install(uv, plan, site, environ, on_line=announcer.line)
            remove_stubs(site, stubs)
            (site / ".lock").unlink(missing_ok=True)  # uv's own lock of the target directory
            stamp = now()
            sources = plan.sources
            manifest = Manifest(
                key=plan.key,
                requirements=[mask_credentials(requirement) for requirement in plan.requirements],
                index_urls=[
                    mask_credentials(url) for url in [sources.index_url or "", *sources.extra_index_urls] if url
                ],
                find_links=[mask_credentials(location) for location in sources.find_links],
                no_index=sources.no_index,
                python=plan.python,
                created=stamp,
                last_used=stamp,
                size_bytes=dir_size(tmp),
                relied_on=relied_on(plan.requirements, overlay_distributions(site), caller),
            )
            write_manifest(tmp, manifest)
            self._move_into_place(tmp, self.envs_dir / plan.key)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _move_into_place(self, tmp: Path, final: Path) -> None:
        trash: Path | None = None
        if final.exists():  # a stale entry being rebuilt
            trash = final.with_name(f".trash-{final.name}-{secrets.token_hex(4)}")
            os.rename(final, trash)
        os.rename(tmp, final)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)

    def _prune(self, keep: set[str]) -> int:
        freed = self._sweep_debris()
        entries = sorted(self.entries(), key=lambda entry: entry.last_used)
        total = sum(entry.size_bytes for entry in entries)
        for entry in entries:
            if total <= self.max_bytes:
                break
            if entry.key in keep:
                continue
            removed = self._remove(entry.key)
            if removed is not None:
                total -= entry.size_bytes
                freed += removed
        return freed

    def _remove(self, key: str) -> int | None:
        """Delete one entry unless a job uses it or a build holds it; return the bytes freed, None if skipped."""
        env_dir = self.envs_dir / key
        use = FileLock(self._lock_path(key, "use"))
        build = FileLock(self._lock_path(key, "build"))
        if not use.acquire(blocking=False):
            return None
        try:
            if not build.acquire(blocking=False):
                return None
            try:
                manifest = read_manifest(env_dir)
                size = manifest.size_bytes if manifest is not None else dir_size(env_dir)
                trash = self.envs_dir / f".trash-{key}-{secrets.token_hex(4)}"
                try:
                    os.rename(env_dir, trash)
                except FileNotFoundError:
                    return 0
            finally:
                build.release()
        finally:
            use.release()
        shutil.rmtree(trash, ignore_errors=True)
        return size

    def _sweep_debris(self) -> int:
        """Delete directories of killed builds and interrupted deletions; return the bytes freed."""
        freed = 0
        if not self.envs_dir.is_dir():
            return 0
        for path in self.envs_dir.glob(".trash-*"):
            freed += dir_size(path)
            shutil.rmtree(path, ignore_errors=True)
        for path in self.envs_dir.glob(".tmp-*"):
            key = path.name[len(".tmp-") :].split("-", 1)[0]
            lock = FileLock(self._lock_path(key, "build"))
            if lock.acquire(blocking=False):  # no build of this key runs, so the directory is a leftover
                try:
                    freed += dir_size(path)
                    shutil.rmtree(path, ignore_errors=True)
                finally:
                    lock.release()
        return freed
