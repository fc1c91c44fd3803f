"""`kubeflow trainer ...`: the trainer's command group for the `kubeflow` command line.

Registered in the `kubeflow.cli` entry-point group of kubeflow-trainer; needs the `cli` extra
(`pip install "kubeflow[cli]"`). The Python API never imports this package.
"""

from kubeflow.trainer.cli.commands import group

__all__ = ["group"]
