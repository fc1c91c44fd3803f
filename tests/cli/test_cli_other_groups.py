"""`kubeflow optimizer ...` (kubeflow-katib) and `kubeflow models ...` (kubeflow-model-registry) plug in the same way."""

from __future__ import annotations

import json

import pytest
from cli_support import Cli


@pytest.mark.parametrize(
    "command",
    [["optimizer"], ["optimizer", "jobs"], ["optimizer", "get"], ["models"], ["models", "list"], ["models", "get"]],
)
def test_help_with_examples(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0, result
    assert "Examples:" in result.out and "kubeflow " + " ".join(command) in result.out


def test_optimizer_jobs_lists_or_says_in_one_line_that_it_cannot_yet(cli: Cli) -> None:
    result = cli("optimizer", "jobs", "--backend", "local")
    if result.code == 0:  # a kubeflow-katib whose client lists jobs
        assert isinstance(json.loads(result.out), list)
    else:
        assert result.code == 7, result
        assert len(result.err_lines) == 1 and "cannot do this yet" in result.err, result
    assert "Traceback" not in result.err


def test_models_lists_or_asks_for_an_address_and_never_takes_a_token_argument(cli: Cli) -> None:
    assert "--token" not in cli("models", "list", "--help").out
    listed = cli("models", "list")
    if listed.code == 0:  # a client with a default registry (e.g. a local store)
        assert isinstance(json.loads(listed.out), list)
    else:  # a client that needs an address says so in one line
        assert listed.code in (2, 7) and len(listed.err_lines) == 1, listed
    result = cli("models", "get", "m", env={"KUBEFLOW_MODEL_REGISTRY_ADDRESS": "http://127.0.0.1:9"})
    assert result.code in (3, 7), result  # this release's client cannot yet, or nothing listens there
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result
