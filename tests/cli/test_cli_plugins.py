"""Command groups come from the `kubeflow.cli` entry points of installed distributions, imported only when used."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Cli

from kubeflow.cli.plugins import discover


def _install(site: Path, dist: str, entry_points: str, module: str = "", source: str = "") -> None:
    meta = site / f"{dist}-1.0.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\nSummary: Says hello.\n\n")
    (meta / "entry_points.txt").write_text(entry_points)
    if module:
        (site / f"{module}.py").write_text(source)


PLUGIN = """
import sys

import click

print("IMPORTED hello_plugin", file=sys.stderr)


@click.command()
@click.argument("who", default="world")
def cmd(who):
    click.echo(f"hello {who}")
"""


def test_a_third_party_group_plugs_in_and_loads_only_when_invoked(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install(site, "hello_plugin", "[console_scripts]\nx = y:z\n\n[kubeflow.cli]\nhello = hello_plugin:cmd\n",
             "hello_plugin", PLUGIN)  # fmt: skip
    _install(site, "broken_plugin", "[kubeflow.cli]\nbroken = no_such_module_anywhere:group\n")
    env = {"PYTHONPATH": str(site)}
    helped = cli("--help", env=env)
    assert helped.code == 0, helped
    assert "hello" in helped.out and "Says hello." in helped.out and "broken" in helped.out
    assert "IMPORTED" not in helped.err  # listed from its metadata, not imported
    said = cli("hello", "kubeflow", env=env)
    assert (said.code, said.out, "IMPORTED hello_plugin" in said.err) == (0, "hello kubeflow\n", True)
    broken = cli("broken", env=env)
    assert broken.code == 1 and len(broken.err_lines) == 1 and "failed to load" in broken.err, broken
    assert cli("trainer", "runtimes", env=env).code == 0  # a broken plug-in breaks only itself


def test_discover_first_distribution_and_first_name_win(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _install(first, "dup", "[kubeflow.cli]\none = first_mod:cmd\n")
    _install(second, "dup", "[kubeflow.cli]\none = shadowed:cmd\n")
    _install(second, "other", "[kubeflow.cli]\none = later:cmd\ntwo = other_mod:group [extra]\n")
    found = discover("kubeflow.cli", [str(first), str(second), str(tmp_path / "missing")])
    assert {name: plugin.value for name, plugin in found.items()} == {
        "one": "first_mod:cmd",
        "two": "other_mod:group [extra]",
    }
    assert found["one"].summary() == "Says hello."


def test_the_trainer_group_is_registered_by_kubeflow_trainer() -> None:
    found = discover("kubeflow.cli")
    assert found["trainer"].value == "kubeflow.trainer.cli:group"
    assert found["trainer"].dist.replace("_", "-") == "kubeflow-trainer"


def test_a_known_group_that_is_not_installed_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kubeflow.cli import app

    monkeypatch.setitem(app.cli.__dict__, "plugins", {})  # as if only kubeflow-core were installed
    assert app.run(["optimizer", "jobs"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install "kubeflow[katib]"' in err
    assert app.run(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Not installed:" in out and 'pip install "kubeflow[trainer]"' in out
