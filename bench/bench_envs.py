"""Benchmark of the job environment cache (`kubeflow.core.local.envs`).

Prints, for a one-package environment:
  - the cold build of an overlay (not in the env cache), with uv's cache warm and with an empty uv cache;
  - the reuse of that overlay by a later job (target: well under a second);
  - for comparison, what the existing Kubeflow SDK does for every job: `python -m venv` then `pip install`.

By default the package is a tiny wheel built here and installed from a local find-links directory (no network).
`--package NAME` installs NAME from the configured index instead (e.g. `--package six`), for a realistic download.

Usage: uv run python bench/bench_envs.py [--package NAME] [--reuse-runs N]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from kubeflow.core.local.envs import EnvCache, EnvSpec


def make_wheel(directory: Path) -> Path:
    """A tiny pure-Python wheel `kfbench==1.0`."""
    files = {
        "kfbench/__init__.py": "VALUE = 1\n",
        "kfbench-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: kfbench\nVersion: 1.0\n",
        "kfbench-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files["kfbench-1.0.dist-info/RECORD"] = "\n".join([*record, "kfbench-1.0.dist-info/RECORD,,"]) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / "kfbench-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", help="a package to install from the index instead of a local wheel")
    parser.add_argument("--reuse-runs", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-envs-") as tmp:
        work = Path(tmp)
        environ = dict(os.environ)
        pip_source: list[str]
        if args.package:
            package = args.package
            pip_source = []
        else:
            wheels = work / "wheels"
            make_wheel(wheels)
            package = "kfbench"
            environ.update({"PIP_FIND_LINKS": str(wheels), "PIP_NO_INDEX": "1"})
            pip_source = ["--no-index", "--find-links", str(wheels)]
        spec = EnvSpec(packages=[package])

        cache = EnvCache(work / "cache")
        cold = timed(lambda: cache.resolve(spec, environ))
        empty_uv_cache = EnvCache(work / "cache-empty")
        cold_empty = timed(lambda: empty_uv_cache.resolve(spec, {**environ, "UV_CACHE_DIR": str(work / "uv-cache")}))
        reuse = [timed(lambda: cache.resolve(spec, environ)) for _ in range(args.reuse_runs)]
        assert cache.resolve(spec, environ).reused
        new_instance = timed(lambda: EnvCache(work / "cache").resolve(spec, environ))

        venv = work / "venv"
        venv_time = timed(lambda: subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True))
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *pip_source, package]
        pip_time = timed(lambda: subprocess.run(pip, check=True, env={**os.environ, "PIP_NO_INPUT": "1"}))

    rows = [
        ("overlay cold build, uv cache warm", cold),
        ("overlay cold build, uv cache empty", cold_empty),
        (f"overlay reuse, median of {args.reuse_runs}", statistics.median(reuse)),
        (f"overlay reuse, max of {args.reuse_runs}", max(reuse)),
        ("overlay reuse, new EnvCache object", new_instance),
        ("python -m venv", venv_time),
        ("pip install into the venv", pip_time),
        ("venv + pip (existing SDK, every job)", venv_time + pip_time),
    ]
    print(
        f"package: {package} ({'index' if args.package else 'local wheel, no index'}); python {sys.version.split()[0]}"
    )
    for label, seconds in rows:
        print(f"  {label:<40} {seconds * 1000:10.1f} ms")
    print(f"  reuse is {(venv_time + pip_time) / statistics.median(reuse):,.0f}x faster than venv + pip")


if __name__ == "__main__":
    main()
