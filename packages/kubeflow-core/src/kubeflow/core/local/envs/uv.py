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


def has_credentials(text: str) -> bool:
    """Whether a URL or requirement carries `user:password@` (or a token `@`) after its scheme."""
    return mask_credentials(text) != text


def install_argv(uv: str, plan: BuildPlan, target: Path, requirements_file: Path | None = None) -> list[str]:
    """The argv of `uv pip install` that installs the plan's requirements into `target` for the plan's interpreter.

    No credential is ever on the command line (any local user can read `/proc/<pid>/cmdline`): index URLs and
    find-links reach uv through its environment (`install_env`), and requirements carrying credentials through
    `requirements_file` (written mode 0600 by the caller, see `secret_requirements`).

    With extra index URLs, uv is told to pick the best version across all indexes, as pip does, rather than
    stopping at the first index that has the project: jobs list indexes with pip's meaning (e.g. PyPI plus the
    PyTorch CPU index, expecting the `+cpu` build).
    """
    sources = plan.sources
    argv = [uv, "pip", "install", "--target", str(target), "--python", plan.python]
    argv += ["--no-config", "--color", "never", "--no-progress"]
    if sources.extra_index_urls:
        argv += ["--index-strategy", "unsafe-best-match"]
    if any("," in location for location in sources.find_links):  # UV_FIND_LINKS is comma-separated
        for location in sources.find_links:
            argv += ["--find-links", mask_credentials(location)]
    if sources.no_index:
        argv.append("--no-index")
    for host in sources.trusted_hosts:
        argv += ["--allow-insecure-host", host]
    if requirements_file is not None and secret_requirements(plan):
        argv += ["--requirements", str(requirements_file)]
    return [*argv, "--", *(requirement for requirement in plan.requirements if not has_credentials(requirement))]


def secret_requirements(plan: BuildPlan) -> list[str]:
    """The requirements that carry credentials (they go to uv in a private file, never on its command line)."""
    return [requirement for requirement in plan.requirements if has_credentials(requirement)]


def install_env(plan: BuildPlan) -> dict[str, str]:
    """The variables through which uv gets the plan's package sources, credentials included."""
    sources = plan.sources
    env: dict[str, str] = {}
    if sources.index_url:
        env["UV_INDEX_URL"] = sources.index_url
    if sources.extra_index_urls:
        env["UV_EXTRA_INDEX_URL"] = " ".join(sources.extra_index_urls)
    if sources.find_links and not any("," in location for location in sources.find_links):
        env["UV_FIND_LINKS"] = ",".join(sources.find_links)
    return env


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

    Index URLs reach uv through its environment and credentialed requirements through a 0600 file: no secret is
    ever on uv's command line, where any local user could read it.

    Raises:
        BackendUnavailableError: uv could not be started.
        EnvironmentBuildError: uv failed; the error carries the requirements and the last lines of uv's output.
    """
    secret = secret_requirements(plan)
    requirements_file = target.parent / f".requirements-{os.getpid()}.txt"
    if secret:
        fd = os.open(requirements_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{requirement}\n" for requirement in secret))
    argv = install_argv(uv, plan, target, requirements_file)
    lines: list[str] = []
    try:
        try:
            process = subprocess.Popen(  # an argv list, no shell; requirements were validated
                argv,
                env={**uv_environ(environ, plan.sources.cert), **install_env(plan)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
        except OSError as error:
            raise BackendUnavailableError(f"Could not run uv ({uv}): {error}. {INSTALL_HINT}") from error
        assert process.stdout is not None
        with process:
            for raw in process.stdout:
                line = mask_credentials(raw.rstrip("\n"))
                if line.strip():
                    lines.append(line)
                    del lines[:-LOG_TAIL_LINES]
                if on_line is not None:
                    on_line(line)
    finally:
        requirements_file.unlink(missing_ok=True)
    if process.returncode != 0:
        packages = [mask_credentials(requirement) for requirement in plan.requirements]
        raise EnvironmentBuildError(
            f"Could not install the job's packages ({', '.join(packages)}): uv exited with code {process.returncode}.",
            packages=packages,
            log_tail=lines,
        )
