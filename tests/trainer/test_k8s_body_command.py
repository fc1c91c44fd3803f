"""The CustomTrainer launch: the container's command and args, executed here with a real Python, reach the function
verbatim (no shell anywhere), install packages with an argv list, and hand over to torchrun on torch runtimes.

`pip` and `torch.distributed.run` are replaced by small recording stand-ins put first on `PYTHONPATH`, so the
tests need neither network nor torch; the bootstrap itself is the exact text the TrainJob carries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import k8s_schema
import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.backends.kubernetes.body import RuntimeObject, build_trainjob
from kubeflow.trainer.backends.kubernetes.body.command import BOOTSTRAP, MAX_ARG_BYTES, MPI_PREFIX
from kubeflow.trainer.types import CustomTrainer

LITERAL = "$HOME `whoami` $(echo injected) ${PATH} 'single' \"double\" \\backslash\nsecond line\t!"


def record_everything(out_path: str, text: str, items: list, nested: dict) -> None:
    """Write what the function received, and a literal from its own source, to `out_path`."""
    import json
    import os

    literal = "$HOME `whoami` $(echo injected) ${PATH} 'single' \"double\" \\backslash\nsecond line\t!"
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "text": text,
                "items": items,
                "nested": nested,
                "literal": literal,
                "argv0": os.path.basename(__file__),
                "pet": os.environ.get("PET_NNODES"),
            },
            handle,
        )


def import_from_workdir(out_path: str) -> None:
    """Import a module that lives only in the container's working directory."""
    import helper_in_workdir

    with open(out_path, "w", encoding="utf-8") as handle:
        handle.write(helper_in_workdir.VALUE)


ARGS = {
    "text": "$HOME `id` $(touch /tmp/pwned) \"dq\" 'sq' \\ end\nline two",
    "items": ["${PATH}", "a\tb", "`uname`", "$(date)"],
    "nested": {"$KEY": ["'", '"', "\n"]},
}

FAKE_PIP = """\
import json, os, sys
with open(os.environ["FAKE_PIP_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in (
        "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_BREAK_SYSTEM_PACKAGES")}}) + "\\n")
if sys.argv[1:] == ["--version"]:
    sys.exit(0)
user = "--user" in sys.argv
mode = os.environ.get("FAKE_PIP_MODE", "user-fails")
if mode == "all-fail" or (mode == "user-fails" and user):
    print("ERROR: simulated pip failure (user=%s)" % user)
    sys.exit(1)
"""

FAKE_TORCHRUN = """\
import json, os, runpy, sys
with open(os.environ["FAKE_TORCHRUN_LOG"], "w", encoding="utf-8") as log:
    json.dump({"argv": sys.argv[1:]}, log)
script = sys.argv[1]
sys.argv = [script]
runpy.run_path(script, run_name="__main__")
"""


def _runtime(level: str, name: str) -> RuntimeObject:
    obj = k8s_schema.plain_runtime(level) if name == "plain-python" else k8s_schema.shipped_runtime(level, name)
    return RuntimeObject(name=obj["metadata"]["name"], kind=obj["kind"], obj=obj)


def _trainer_spec(trainer: CustomTrainer, runtime: str = "plain-python", level: str = "v2.2") -> dict[str, Any]:
    request = build_trainjob(
        name="job-1",
        namespace="team-a",
        runtime=_runtime(level, runtime),
        trainer=trainer,
        initializer=None,
        options=[],
        api_level=level,
    )
    assert k8s_schema.validate(request.body, level) == []
    spec: dict[str, Any] = request.body["spec"]["trainer"]
    return spec


def _stand_ins(tmp_path: Path) -> Path:
    root = tmp_path / "stand-ins"
    (root / "pip").mkdir(parents=True)
    (root / "pip" / "__init__.py").write_text("")
    (root / "pip" / "__main__.py").write_text(FAKE_PIP)
    (root / "torch" / "distributed").mkdir(parents=True)
    (root / "torch" / "__init__.py").write_text("")
    (root / "torch" / "distributed" / "__init__.py").write_text("")
    (root / "torch" / "distributed" / "run.py").write_text(FAKE_TORCHRUN)
    return root


def _run_container(spec: dict[str, Any], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Execute the trainer container's command + args as the kubelet would: one execve, no shell."""
    command = list(spec["command"])
    assert command[:3] == ["python3", "-c", BOOTSTRAP]
    argv = [sys.executable, *command[1:], *spec["args"]]
    workdir = tmp_path / "workdir"
    workdir.mkdir(exist_ok=True)
    (tmp_path / "container-tmp").mkdir(exist_ok=True)  # the container's /tmp: the script is written there
    environment = {
        "TMPDIR": str(tmp_path / "container-tmp"),
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "home-must-not-appear"),
        "PYTHONPATH": str(_stand_ins(tmp_path)),
        "FAKE_PIP_LOG": str(tmp_path / "pip.log"),
        "FAKE_TORCHRUN_LOG": str(tmp_path / "torchrun.log"),
        **env,
    }
    return subprocess.run(argv, cwd=workdir, env=environment, capture_output=True, text=True, timeout=120)


def test_function_source_and_arguments_reach_the_function_verbatim(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    marker = tmp_path / "pwned"
    args = {**ARGS, "text": f"$(touch {marker}) `touch {marker}` " + ARGS["text"]}
    spec = _trainer_spec(CustomTrainer(func=record_everything, func_args={"out_path": str(out), **args}))
    done = _run_container(spec, tmp_path)
    assert done.returncode == 0, done.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got == {**args, "literal": LITERAL, "argv0": "kubeflow_entrypoint.py", "pet": None}
    assert not marker.exists()
    assert str(tmp_path / "home-must-not-appear") not in out.read_text(encoding="utf-8")
    assert not (tmp_path / "pip.log").exists()  # no packages: pip is never started


def test_packages_are_installed_with_an_argv_list_user_first_then_system(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    packages = ["transformers[torch]>=4.40", "pkg; python_version > '3'", "$(touch /tmp/pwned)", "`id`"]
    urls = ["https://pypi.example.com/simple", "https://extra.example.com/simple?token=$TOKEN"]
    trainer = CustomTrainer(
        func=record_everything,
        func_args={"out_path": str(out), **ARGS},
        packages_to_install=packages,
        pip_index_urls=urls,
    )
    done = _run_container(_trainer_spec(trainer), tmp_path)
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in (tmp_path / "pip.log").read_text().splitlines()]
    options = ["--index-url", urls[0], "--extra-index-url", urls[1]]
    install = ["install", "--quiet", "--no-warn-script-location", *options]
    assert [call["argv"] for call in calls] == [["--version"], [*install, "--user", *packages], [*install, *packages]]
    assert calls[1]["env"] == {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_BREAK_SYSTEM_PACKAGES": "1"}
    assert "kubeflow: installed Python packages" in done.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == ARGS["text"]


def test_a_failed_install_stops_before_the_function_and_shows_pips_output(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    trainer = CustomTrainer(func=record_everything, func_args={"out_path": str(out), **ARGS}, packages_to_install=["x"])
    done = _run_container(_trainer_spec(trainer), tmp_path, FAKE_PIP_MODE="all-fail")
    assert done.returncode == 1
    assert "simulated pip failure (user=True)" in done.stderr
    assert "simulated pip failure (user=False)" in done.stderr
    assert "failed to install Python packages: x" in done.stderr
    assert not out.exists()


def test_torch_runtimes_hand_the_script_to_torchrun(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    spec = _trainer_spec(
        CustomTrainer(func=record_everything, func_args={"out_path": str(out), **ARGS}), runtime="torch-distributed"
    )
    done = _run_container(spec, tmp_path, PET_NNODES="2")
    assert done.returncode == 0, done.stderr
    (script,) = json.loads((tmp_path / "torchrun.log").read_text())["argv"]
    assert script.endswith("/kubeflow_entrypoint.py") and Path(script).parent.parent == tmp_path / "container-tmp"
    got = json.loads(out.read_text(encoding="utf-8"))
    assert (got["text"], got["literal"], got["pet"]) == (ARGS["text"], LITERAL, "2")


def test_plain_runtimes_do_not_use_torchrun(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = _run_container(
        _trainer_spec(CustomTrainer(func=record_everything, func_args={"out_path": str(out), **ARGS})), tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert out.exists() and not (tmp_path / "torchrun.log").exists()


def test_modules_in_the_working_directory_stay_importable(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    (tmp_path / "workdir").mkdir()
    (tmp_path / "workdir" / "helper_in_workdir.py").write_text("VALUE = 'from the image workdir'\n")
    spec = _trainer_spec(CustomTrainer(func=import_from_workdir, func_args={"out_path": str(out)}))
    done = _run_container(spec, tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "from the image workdir"


@pytest.mark.parametrize(
    ("runtime", "prefix", "launcher"),
    [
        ("torch-distributed", [], "torchrun"),
        ("deepspeed-distributed", list(MPI_PREFIX), "python"),
        ("plain-python", [], "python"),
    ],
)
def test_command_is_an_argv_list_with_no_shell(runtime: str, prefix: list[str], launcher: str) -> None:
    spec = _trainer_spec(CustomTrainer(func=record_everything, func_args={"out_path": "o", **ARGS}), runtime=runtime)
    assert spec["command"] == [*prefix, "python3", "-c", BOOTSTRAP]
    config, script = spec["args"]
    assert json.loads(config) == {"launcher": launcher}
    assert "def record_everything(" in script and "$HOME `whoami`" in script
    assert not {"bash", "sh", "/bin/sh", "/bin/bash"} & set(spec["command"])


@pytest.mark.parametrize("level", ["v2.0", "v2.1", "v2.2"])
def test_args_are_always_set_so_the_runtimes_own_args_never_leak_in(level: str) -> None:
    spec = _trainer_spec(CustomTrainer(func=huge_default), runtime="deepspeed-distributed", level=level)
    assert len(spec["args"]) == 2


def huge_default(payload: str = "x") -> None:
    """A function whose arguments are too big for one container argument."""
    print(len(payload))


def test_a_script_longer_than_one_argv_string_is_refused() -> None:
    trainer = CustomTrainer(func=huge_default, func_args={"payload": "x" * MAX_ARG_BYTES})
    with pytest.raises(InvalidInputError) as caught:
        _trainer_spec(trainer)
    assert caught.value.field == "trainer.func" and "at most" in caught.value.problem


def test_empty_package_entries_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="packages_to_install"):
        _trainer_spec(CustomTrainer(func=record_everything, packages_to_install=["numpy", " "]))


def test_the_bootstrap_is_fixed_text_independent_of_the_request() -> None:
    one = _trainer_spec(
        CustomTrainer(func=record_everything, func_args={"out_path": "o", **ARGS}, packages_to_install=["a"])
    )
    two = _trainer_spec(CustomTrainer(func=huge_default))
    assert one["command"] == two["command"] == ["python3", "-c", BOOTSTRAP]
    assert one["args"] != two["args"]
