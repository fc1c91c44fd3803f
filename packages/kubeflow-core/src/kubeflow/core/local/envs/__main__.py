"""`python -m kubeflow.core.local.envs [list|clear|prune]`: look at or empty the cache of job environments.

The cache is the one `LocalProcessBackendConfig()` uses (`$KUBEFLOW_ENV_CACHE_DIR`, else
`$XDG_CACHE_HOME/kubeflow/envs`); `--dir` names another. Environments in use by a running job are never removed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.envs.cache import EnvCache


def _size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m kubeflow.core.local.envs", description=__doc__)
    parser.add_argument("command", choices=["list", "clear", "prune"], help="what to do")
    parser.add_argument("--dir", type=Path, default=None, help="the cache directory (default: the backend's)")
    parser.add_argument("--max-bytes", type=int, default=None, help="the size bound `prune` applies")
    args = parser.parse_args(argv)
    defaults = LocalProcessBackendConfig()
    cache = EnvCache(args.dir or defaults.env_cache_dir, args.max_bytes or defaults.env_cache_max_bytes)
    if args.command == "list":
        for entry in cache.entries():
            size_mib = _size(Path(entry.path)) / 2**20
            print(f"{entry.key}  {size_mib:9.1f} MiB  last used {entry.last_used:%Y-%m-%d %H:%M}  {entry.requirements}")
        return 0
    freed = cache.clear() if args.command == "clear" else cache.prune()
    print(f"freed {freed / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
