"""What `get_runtime_packages` prints and returns: the runtime's Python, its packages and its GPUs.

`print_packages` runs inside the runtime (a short TrainJob on Kubernetes, a subprocess of the runtime's interpreter
locally) and prints what the existing `kubeflow` SDK printed: `Python: <version>`, the installed packages as a
`pip list` table, and `nvidia-smi` when the node has it. `parse_packages` turns that output into the
`name==version` list the client also returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
_TABLE_RULE = re.compile(r"^-+(\s+-+)+\s*$")
_ROW = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s+(\S+)(\s+\S.*)?$")


def print_packages() -> None:
    """Print the interpreter's version, its installed distributions as a `pip list` table, and `nvidia-smi`.

    Standard library only: it runs in the runtime's own interpreter, which may have nothing else.
    """
    import importlib.metadata
    import shutil
    import subprocess
    import sys

    print(f"Python: {sys.version}")
    found: dict[str, tuple[str, str]] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in found:
            found[name.lower()] = (name, dist.version)
    rows = [found[key] for key in sorted(found)]
    width = max([len("Package"), *(len(name) for name, _ in rows)])
    version_width = max([len("Version"), *(len(version) for _, version in rows)])
    print(f"{'Package'.ljust(width)} {'Version'.ljust(version_width)}".rstrip())
    print(f"{'-' * width} {'-' * version_width}")
    for name, version in rows:
        print(f"{name.ljust(width)} {version}")
    print()
    if shutil.which("nvidia-smi"):
        print("Available GPUs on the single training node")
        result = subprocess.run(["nvidia-smi"], capture_output=True, text=True, check=False)
        print(result.stdout)


def parse_packages(lines: Iterable[str]) -> list[str]:
    """`name==version` of each package in `print_packages` output (or in `name==version` lines), sorted, deduplicated."""
    found: dict[str, str] = {}
    in_table = False
    for raw in lines:
        line = raw.strip()
        if _TABLE_RULE.match(line):
            in_table = True
            continue
        match = _REQUIREMENT.match(line)
        if match is None and in_table:
            match = _ROW.match(line)
            if match is None:
                in_table = False
        if match is not None:
            found.setdefault(match[1].lower(), f"{match[1]}=={match[2]}")
    return [found[key] for key in sorted(found)]


__all__ = ["parse_packages", "print_packages"]
