"""Finding the uv binary and running `uv pip install --target` for an overlay (argv lists only, never a shell)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from kubeflow.core.errors import BackendUnavailableError, EnvironmentBuildError
from kubeflow.core.local.envs.plan import BuildPlan
from kubeflow.core.local.envs.requirements import mask_credentials

INSTALL_HINT = 'Install it with: pip install "kubeflow-core[local]"'
LOG_TAIL_LINES = 20

# uv settings that change how uv works but not what it installs, so they are passed through to uv; every other
# `UV_*` variable (indexes, resolution strategy, constraints, ...) is dropped, because it would change what gets
# installed without changing the cache key. The user's pip variables are mapped to options instead.
_UV_PASSTHROUGH = frozenset(
    {
        "UV_CACHE_DIR",
        "UV_NO_CACHE",
        "UV_NATIVE_TLS",
        "UV_HTTP_TIMEOUT",
        "UV_CONCURRENT_DOWNLOADS",
        "UV_CONCURRENT_BUILDS",
        "UV_CONCURRENT_INSTALLS",
        "UV_OFFLINE",
        "UV_LINK_MODE",
        "UV_KEYRING_PROVIDER",
        "UV_INSECURE_HOST",
    }
)


def find_uv(explicit: str | None = None) -> str:
    """Locate the uv binary: `explicit`, else the one shipped by the `uv` package, else `uv` on `PATH`.

    Raises:
        BackendUnavailableError: No uv binary could be found.
    """
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise BackendUnavailableError(f"The uv binary {explicit!r} does not exist or is not executable.")
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        pass
    found = shutil.which("uv")
    if found:
        return found
    raise BackendUnavailableError(
        f"The local-process backend needs uv to build job environments, and uv was not found. {INSTALL_HINT}",
        reason="UvNotFound",
    )


def install_argv(uv: str, plan: BuildPlan, target: Path) -> list[str]:
    """The argv of `uv pip install` that installs the plan's requirements into `target` for the plan's interpreter.

    With extra index URLs, uv is told to pick the best version across all indexes, as pip does, rather than
    stopping at the first index that has the project: jobs list indexes with pip's meaning (e.g. PyPI plus the
    PyTorch CPU index, expecting the `+cpu` build).
    """
    sources = plan.sources
    argv = [uv, "pip", "install", "--target", str(target), "--python", plan.python]
    argv += ["--no-config", "--color", "never", "--no-progress"]
    if sources.index_url:
        argv += ["--index-url", sources.index_url]
    for url in sources.extra_index_urls:
        argv += ["--extra-index-url", url]
    if sources.extra_index_urls:
        argv += ["--index-strategy", "unsafe-best-match"]
    for location in sources.find_links:
        argv += ["--find-links", location]
    if sources.no_index:
        argv.append("--no-index")
    for host in sources.trusted_hosts:
        argv += ["--allow-insecure-host", host]
    return [*argv, "--", *plan.requirements]


def uv_environ(environ: Mapping[str, str], cert: str | None = None) -> dict[str, str]:
    """The environment for the uv subprocess: `environ` without uv's own resolution settings.

    `UV_CACHE_DIR` passes through when the user set one, so uv keeps using its (warm) default cache otherwise.
    pip's `cert` setting becomes `SSL_CERT_FILE` unless that is set, so a CA bundle configured for pip works for uv.
    """
    result = {name: value for name, value in environ.items() if not name.startswith("UV_") or name in _UV_PASSTHROUGH}
    if cert and not environ.get("SSL_CERT_FILE"):
        result["SSL_CERT_FILE"] = cert
    return result


def run_install(
    uv: str, plan: BuildPlan, target: Path, environ: Mapping[str, str], on_line: Callable[[str], None] | None = None
) -> None:
    """Install the plan's requirements into `target`, passing each line uv prints to `on_line` as it comes.

    Raises:
        BackendUnavailableError: uv could not be started.
        EnvironmentBuildError: uv failed; the error carries the requirements and the last lines of uv's output.
    """
    argv = install_argv(uv, plan, target)
    try:
        process = subprocess.Popen(  # an argv list, no shell; requirements were validated
            argv,
            env=uv_environ(environ, plan.sources.cert),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as error:
        raise BackendUnavailableError(f"Could not run uv ({uv}): {error}. {INSTALL_HINT}") from error
    lines: list[str] = []
    assert process.stdout is not None
    with process:
        for raw in process.stdout:
            line = mask_credentials(raw.rstrip("\n"))
            if line.strip():
                lines.append(line)
                del lines[:-LOG_TAIL_LINES]
            if on_line is not None:
                on_line(line)
    if process.returncode != 0:
        packages = [mask_credentials(requirement) for requirement in plan.requirements]
        raise EnvironmentBuildError(
            f"Could not install the job's packages ({', '.join(packages)}): uv exited with code {process.returncode}.",
            packages=packages,
            log_tail=lines,
        )
