"""How a `CustomTrainer` function is launched in the trainer container, with no shell anywhere.

The container runs `python3 -c BOOTSTRAP CONFIG SCRIPT`: `BOOTSTRAP` is the fixed program below, `CONFIG` a JSON
object (launcher, packages, index URLs) and `SCRIPT` the text from `kubeflow.trainer.functions.render_entrypoint`.
Each travels as its own argv element from the TrainJob to `execve`, so no shell ever sees the user's source or
arguments: `$HOME`, backticks, `$(...)`, quotes and newlines reach the function exactly as written.

The bootstrap installs the requested packages with `pip` (an argv list, per-user first, then system-wide, as the
existing SDK does), writes the script to a fresh temporary directory, puts the working directory on `PYTHONPATH`
(so modules baked into the image stay importable, as when the existing SDK wrote the script there), then replaces
itself with `python -m torch.distributed.run SCRIPT` on torch runtimes (torchrun reads the `PET_*` variables the
controller injects) or `python -u SCRIPT` otherwise. On MPI runtimes the whole command runs under `mpirun`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final, Literal

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.functions import render_entrypoint
from kubeflow.trainer.types import CustomTrainer

Launcher = Literal["torchrun", "python"]

PYTHON: Final = "python3"
MPI_PREFIX: Final[tuple[str, ...]] = ("mpirun", "--hostfile", "/etc/mpi/hostfile")
SCRIPT_NAME: Final = "kubeflow_entrypoint.py"
MAX_ARG_BYTES: Final = 128 * 1024 - 1
"""Linux refuses to `execve` a single argv string longer than this (`MAX_ARG_STRLEN`, 32 pages, minus the NUL)."""

BOOTSTRAP: Final = f"""\
import json, os, subprocess, sys, tempfile
cfg = json.loads(sys.argv[1])
script = sys.argv[2]
packages = list(cfg.get("packages") or [])
if packages:
    opts = []
    for i, url in enumerate(cfg.get("index_urls") or []):
        opts += ["--index-url" if i == 0 else "--extra-index-url", url]
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_BREAK_SYSTEM_PACKAGES="1")
    pip = [sys.executable, "-m", "pip"]
    if subprocess.run(pip + ["--version"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
        for extra in ([], ["--user"]):
            if subprocess.run([sys.executable, "-m", "ensurepip"] + extra, env=env).returncode == 0:
                break
    log = []
    for extra in (["--user"], []):
        done = subprocess.run(
            pip + ["install", "--quiet", "--no-warn-script-location"] + opts + extra + packages,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        )
        log.append(done.stdout)
        if done.returncode == 0:
            print("kubeflow: installed Python packages: " + " ".join(packages), flush=True)
            break
    else:
        sys.stderr.write("".join(log))
        sys.stderr.write("kubeflow: ERROR: failed to install Python packages: " + " ".join(packages) + "\\n")
        sys.exit(1)
path = os.path.join(tempfile.mkdtemp(prefix="kubeflow-"), "{SCRIPT_NAME}")
with open(path, "w", encoding="utf-8") as f:
    f.write(script)
os.environ["PYTHONPATH"] = os.pathsep.join([os.getcwd()] + [p for p in [os.environ.get("PYTHONPATH")] if p])
if cfg.get("launcher") == "torchrun":
    argv = [sys.executable, "-m", "torch.distributed.run", path]
else:
    argv = [sys.executable, "-u", path]
sys.stdout.flush()
sys.stderr.flush()
os.execv(sys.executable, argv)
"""
"""The fixed program the trainer container runs with `python3 -c`; it never changes with the user's input."""


def launcher_for(policy: str | None) -> Launcher:
    """`torchrun` for runtimes with the torch ML policy (the controller injects `PET_*` there), else `python`."""
    return "torchrun" if policy == "torch" else "python"


def bootstrap_config(launcher: Launcher, packages: Sequence[str] | None, index_urls: Sequence[str]) -> str:
    """The JSON `CONFIG` argument of the bootstrap (packages and index URLs only when there are packages)."""
    config: dict[str, Any] = {"launcher": launcher}
    if packages:
        if not index_urls:
            raise InvalidInputError(
                "trainer.pip_index_urls", "packages are to be installed but no index URL is given.", "Give one."
            )
        config["packages"] = list(packages)
        config["index_urls"] = list(index_urls)
    return json.dumps(config, sort_keys=True)


def _check_entries(field: str, items: Sequence[str]) -> None:
    bad = [item for item in items if not item.strip() or "\x00" in item]
    if bad:
        raise InvalidInputError(field, f"{bad!r} are not valid entries.", "Remove empty entries.")


def custom_trainer_command(trainer: CustomTrainer, policy: str | None) -> tuple[list[str], list[str]]:
    """`(command, args)` of the trainer container for a `CustomTrainer` on a runtime with this ML policy.

    Raises:
        InvalidInputError: The function cannot be shipped, a package or index URL is empty, or the rendered script
            is longer than Linux lets a single argument be.
    """
    _check_entries("trainer.packages_to_install", trainer.packages_to_install or [])
    _check_entries("trainer.pip_index_urls", trainer.pip_index_urls)
    script = render_entrypoint(trainer.func, trainer.func_args)
    size = len(script.encode("utf-8"))
    if size > MAX_ARG_BYTES:
        raise InvalidInputError(
            "trainer.func",
            f"the function and its arguments take {size} bytes; a container argument can hold at most {MAX_ARG_BYTES}.",
            "Pass large data through files or object storage (e.g. an initializer), not func_args or source.",
        )
    config = bootstrap_config(launcher_for(policy), trainer.packages_to_install, trainer.pip_index_urls)
    command = [PYTHON, "-c", BOOTSTRAP]
    if policy == "mpi":
        command = [*MPI_PREFIX, *command]
    return command, [config, script]
