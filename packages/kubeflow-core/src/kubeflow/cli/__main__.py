"""`python -m kubeflow.cli`: the same as the `kubeflow` command."""

from kubeflow.cli import main

main()
