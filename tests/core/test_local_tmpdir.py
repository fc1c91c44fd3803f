"""A local job's temporary files live in its own directory (`<job dir>/tmp`) and leave with it, not in /tmp.

torchrun (`torchelastic_*`), torch's compile cache and any `tempfile` user would otherwise fill the caller's TMPDIR
with directories nobody removes. The caller's own TMPDIR is deliberately set here to a watched folder: nothing may
appear in it.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobInfo, LocalJobSpec, NodeSpec

REPORT = """\
import json, os, tempfile
handle, path = tempfile.mkstemp(prefix="scratch-")
os.close(handle)
print(json.dumps({"vars": {k: os.environ.get(k) for k in ("TMPDIR", "TMP", "TEMP")}, "file": path}))
"""


def node(name: str, **env: str) -> NodeSpec:
    return NodeSpec(name=name, argv=[sys.executable, "-c", REPORT], env=env)


@pytest.fixture
def caller_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The TMPDIR of the process submitting the jobs (inherited by the nodes unless the job's env overrides it)."""
    path = tmp_path / "caller-tmp"
    path.mkdir()
    monkeypatch.setenv("TMPDIR", str(path))
    return path


@pytest.fixture
def backend(tmp_path: Path) -> LocalProcessBackend:
    return LocalProcessBackend(LocalProcessBackendConfig(state_dir=tmp_path / "state"))


def run(b: LocalProcessBackend, spec: LocalJobSpec) -> tuple[LocalJobInfo, dict[str, dict]]:
    b.submit(spec)
    info = b.describe(spec.name)
    while info is not None and info.status not in ("Complete", "Failed"):
        b.wait_for_change(spec.name, 1.0, since=info.revision)
        info = b.describe(spec.name)
    assert info is not None and info.status == "Complete", info
    return info, {n.name: json.loads(next(iter(b.log_iter(spec.name, n.name)))) for n in info.nodes}


def test_nodes_get_a_private_tmpdir_inside_the_job_dir(backend: LocalProcessBackend, caller_tmp: Path) -> None:
    info, seen = run(backend, LocalJobSpec(name="scratch", nodes=[node("node-0"), node("node-1")]))
    job_tmp = Path(info.job_dir) / "tmp"
    assert stat.S_IMODE(job_tmp.stat().st_mode) == 0o700
    for report in seen.values():
        assert report["vars"] == dict.fromkeys(("TMPDIR", "TMP", "TEMP"), str(job_tmp))
        assert Path(report["file"]).parent == job_tmp and Path(report["file"]).is_file()
    assert list(caller_tmp.iterdir()) == []

    assert backend.cancel("scratch")
    assert not job_tmp.exists()


def test_a_tmpdir_the_job_sets_is_kept(backend: LocalProcessBackend, caller_tmp: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    spec = LocalJobSpec(
        name="chosen",
        nodes=[node("by-job"), node("by-node", TMPDIR=str(chosen / "node"))],
        env={"TMPDIR": str(chosen)},
    )
    (chosen / "node").mkdir()
    _, seen = run(backend, spec)
    assert seen["by-job"]["vars"]["TMPDIR"] == str(chosen)
    assert Path(seen["by-job"]["file"]).parent == chosen
    assert seen["by-node"]["vars"]["TMPDIR"] == str(chosen / "node")
    assert Path(seen["by-node"]["file"]).parent == chosen / "node"
    assert list(caller_tmp.iterdir()) == []


def test_tmp_is_not_a_file_name_a_job_can_ship(backend: LocalProcessBackend) -> None:
    spec = LocalJobSpec(name="clash", nodes=[node("node-0")], files={"tmp/x.py": "print(1)"})
    with pytest.raises(InvalidInputError, match="files"):
        backend.submit(spec)
    assert backend.describe("clash") is None
