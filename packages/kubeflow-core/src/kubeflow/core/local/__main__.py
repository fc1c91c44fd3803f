"""`python -m kubeflow.core.local prune`: remove finished local jobs past the retention limits.

The state directory is the one `LocalProcessBackendConfig()` uses (`$KUBEFLOW_LOCAL_STATE_DIR`, else
`$XDG_STATE_HOME/kubeflow/local`); `--state-dir` names another. `--ttl` (seconds) and `--max-jobs` override the
config's `finished_job_ttl_seconds` and `max_finished_jobs`; `--dry-run` only lists what would go. Running jobs are
never removed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kubeflow.core.errors import KubeflowError
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.retention import prune
from kubeflow.core.local.state import StateRoot


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m kubeflow.core.local", description=__doc__)
    parser.add_argument("command", choices=["prune"], help="what to do")
    parser.add_argument("--state-dir", type=Path, default=None, help="the state directory (default: the backend's)")
    parser.add_argument("--ttl", type=float, default=None, help="remove finished jobs older than this (seconds)")
    parser.add_argument("--max-jobs", type=int, default=None, help="keep at most this many finished jobs")
    parser.add_argument("--dry-run", action="store_true", help="only print what would be removed")
    args = parser.parse_args(argv)
    config = LocalProcessBackendConfig()
    state = StateRoot(args.state_dir or config.state_dir, config.lock_timeout_seconds)
    ttl = args.ttl if args.ttl is not None else config.finished_job_ttl_seconds
    max_jobs = args.max_jobs if args.max_jobs is not None else config.max_finished_jobs
    try:
        result = prune(state, ttl, max_jobs, dry_run=args.dry_run)
    except KubeflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    verb = "would remove" if args.dry_run else "removed"
    for name in result.removed:
        print(f"{verb} {name}")
    print(f"{verb} {len(result.removed)} finished job(s); {result.kept} kept")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
