"""Job environments for the local-process backend: uv-built package overlays on the caller's interpreter, cached.

A job without packages runs with the caller's interpreter and sees the caller's installed packages. A job with
`packages_to_install` runs with the same interpreter and an overlay directory first on `PYTHONPATH`, built once per
requirement set by `uv pip install --target` (without re-installing what the caller already has) and reused by
every later job asking for the same set.

Example:
    >>> cache = EnvCache(Path("~/.cache/kubeflow/envs").expanduser())
    >>> with cache.use(EnvSpec(packages=["numpy>=1.26"])) as env:
    ...     subprocess.run([env.python, "train.py"], env=env.apply(os.environ))
"""

from kubeflow.core.local.envs.cache import DEFAULT_MAX_BYTES, EnvCache
from kubeflow.core.local.envs.locks import FileLock
from kubeflow.core.local.envs.models import EnvEntry, EnvSpec, PythonEnv
from kubeflow.core.local.envs.requirements import mask_credentials, normalize_requirements

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EnvCache",
    "EnvEntry",
    "EnvSpec",
    "FileLock",
    "PythonEnv",
    "mask_credentials",
    "normalize_requirements",
]
