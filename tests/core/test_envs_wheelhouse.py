"""Helpers for the env cache tests (tiny real wheels, uv wrappers); no tests. Loaded by path by test_envs_*.py."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from pathlib import Path

from kubeflow.core.local.envs.uv import find_uv

REAL_UV = find_uv()


def make_wheel(
    directory: Path,
    name: str,
    version: str,
    requires: tuple[str, ...] = (),
    value: str = "1",
    script: str | None = None,
) -> Path:
    """Write a pure-Python wheel `name==version` whose module has `VALUE = value`, depending on `requires`.

    With `script`, the wheel also declares a console script of that name printing `VALUE`.
    """
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    files = {
        f"{module}/__init__.py": f"VALUE = {value!r}\n\ndef main():\n    print(VALUE)\n",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: kubeflow-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    if script:
        files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{script} = {module}:main\n"
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def uv_wrapper(directory: Path, *, hang: bool = False) -> tuple[Path, Path]:
    """A uv stand-in that logs each call to a file, then runs the real uv (or, with `hang`, waits forever).

    Returns:
        The wrapper's path and the log file (one line per invocation).
    """
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "uv-calls.log"
    wrapper = directory / "uv"
    body = "exec sleep 600\n" if hang else f'exec "{REAL_UV}" "$@"\n'
    wrapper.write_text(f'#!/bin/sh\necho "$$ $*" >> "{log}"\n{body}')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, log


def calls(log: Path) -> int:
    """How many times the wrapper ran."""
    return len(log.read_text().splitlines()) if log.exists() else 0


def offline_environ(find_links: Path, **extra: str) -> dict[str, str]:
    """os.environ with the pip settings replaced: find-links only, no index, no pip configuration files."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "UV_INDEX"))}
    environ.update({"PIP_FIND_LINKS": str(find_links), "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, **extra})
    return environ
