"""The `kubeflow` command line.

The console script lives here, in kubeflow-core, because every installation has kubeflow-core; its libraries (click,
rich, pyyaml) come with the `cli` extra (`pip install "kubeflow[cli]"`) and only this package imports them. Each
distribution adds its own command group through the `kubeflow.cli` entry-point group (`trainer` from
kubeflow-trainer, `optimizer` from kubeflow-katib, `models` from kubeflow-model-registry), and a group is loaded only
when it is invoked, so `kubeflow --help` stays fast.

A third-party group registers the same way, with a `click.Command` (usually a `click.Group`) as the object:

```toml
[project.entry-points."kubeflow.cli"]
mytool = "mypackage.cli:group"
```

Output and exit codes are documented in `kubeflow --help` (see `kubeflow.cli.exitcodes`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the `kubeflow` command with `argv` (default: `sys.argv[1:]`) and exit with its exit code."""
    try:
        import click  # noqa: F401
    except ImportError:
        sys.stderr.write(
            'kubeflow: error: the command line needs its extra libraries: pip install "kubeflow[cli]" '
            '(or "kubeflow-core[cli]").\n'
        )
        raise SystemExit(1) from None
    try:
        from kubeflow.cli.app import run

        code = run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # Ctrl-C before a command could handle it (while starting up)
        sys.stderr.write("kubeflow: interrupted.\n")
        code = 130
    raise SystemExit(code)
