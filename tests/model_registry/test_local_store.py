"""The local store: private file, several processes writing at once, the default location, a light import."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kubeflow.core.errors import ForbiddenError
from kubeflow.model_registry import LocalModelRegistryConfig, ModelRegistryClient

WRITER = """
import os, sys, time
from kubeflow.model_registry import ModelRegistryClient
path, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
client = ModelRegistryClient("file://" + path, author=f"worker-{worker}")
open(go + f".ready-{worker}", "w").close()
while not os.path.exists(go):  # start together
    time.sleep(0.005)
for i in range(count):
    client.register_model("shared", f"s3://models/shared/{worker}/{i}", version=f"w{worker}-v{i}", metadata={"i": i})
"""


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "registry.sqlite3"
    workers, count = 4, 15
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(w), str(count), str(go)], stderr=subprocess.PIPE, text=True
        )
        for w in range(workers)
    ]
    ready = [tmp_path / f"go.ready-{w}" for w in range(workers)]
    while not all(path.exists() for path in ready):
        assert all(proc.poll() is None for proc in procs), "a writer died before starting"
        time.sleep(0.01)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
    client = ModelRegistryClient(f"file://{db}")
    assert [m.name for m in client.list_models()] == ["shared"]
    versions = list(client.list_model_versions("shared", page_size=7))
    names = [v.name for v in versions]
    assert sorted(names) == sorted(f"w{w}-v{i}" for w in range(workers) for i in range(count))
    assert len(set(names)) == len(names) == len({v.id for v in versions})
    for w in range(workers):
        assert client.get_model_artifact("shared", f"w{w}-v3").uri == f"s3://models/shared/{w}/3"


def test_the_default_store_is_a_private_file_in_the_local_state_dir(tmp_path: Path) -> None:
    client = ModelRegistryClient(author="me")
    assert isinstance(client.backend_config, LocalModelRegistryConfig)
    path = client.backend_config.path
    assert path == tmp_path / "state" / ".model-registry.sqlite3"
    assert not path.exists()  # nothing is created before the first operation
    client.register_model("m", "file:///models/m", version="v1")
    journals = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    assert [p.stat().st_mode & 0o777 for p in journals if p.exists()] == [0o600] * 2  # WAL mode, private journals
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert ModelRegistryClient().get_model_artifact("m", "v1").uri == "file:///models/m"  # another client sees it


def test_import_is_light() -> None:
    code = (
        "import sys, kubeflow.model_registry, kubeflow.hub; "
        "heavy = ('kubernetes', 'sqlite3', 'urllib3', 'model_registry'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ}
    )
    assert result.stdout.strip() == "[]"


def test_the_backend_is_chosen_by_config_like_the_other_clients(tmp_path: Path) -> None:
    from kubeflow.core.errors import InvalidInputError
    from kubeflow.model_registry import RestModelRegistryConfig

    config = LocalModelRegistryConfig(path=tmp_path / "a.sqlite3")
    assert ModelRegistryClient(config).backend_config is config
    assert ModelRegistryClient(backend_config=config).backend_config is config
    rest = ModelRegistryClient("https://registry.example.com:8443", user_token="t").backend_config
    assert isinstance(rest, RestModelRegistryConfig) and rest.base_url == "https://registry.example.com:8443"
    for bad, field in (
        (dict(base_url="https://x", backend_config=config), "base_url"),
        (dict(backend_config="x"), "backend_config"),
        (dict(base_url="ftp://x"), "base_url"),
        (dict(base_url="https://x", port=0), "port"),
        (dict(author=""), "author"),
    ):
        try:
            ModelRegistryClient(**bad)  # type: ignore[arg-type]
        except InvalidInputError as exc:
            assert exc.field == field, (bad, exc)
        else:
            raise AssertionError(f"{bad} accepted")


def _private_root(tmp_path: Path) -> Path:
    root = tmp_path / "state"
    root.mkdir(mode=0o700)
    os.chmod(root, 0o700)
    return root


def test_a_symlinked_database_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    root = _private_root(tmp_path)
    outside = tmp_path / "outside.db"
    outside.write_bytes(b"")
    os.chmod(outside, 0o644)
    (root / "registry.sqlite3").symlink_to(outside)
    client = ModelRegistryClient(backend_config=LocalModelRegistryConfig(path=root / "registry.sqlite3"))
    with pytest.raises(ForbiddenError, match="symbolic link") as caught:
        client.register_model("m", "s3://bucket-a/m", version="v1")
    assert caught.value.reason == "UntrustedStateDir"
    assert outside.stat().st_size == 0 and (outside.stat().st_mode & 0o777) == 0o644


def test_a_database_writable_by_others_is_refused(tmp_path: Path) -> None:
    root = _private_root(tmp_path)
    db = root / "registry.sqlite3"
    db.write_bytes(b"")
    os.chmod(db, 0o666)
    client = ModelRegistryClient(backend_config=LocalModelRegistryConfig(path=db))
    with pytest.raises(ForbiddenError, match="writable by group or others"):
        client.register_model("m", "s3://bucket-a/m", version="v1")


def test_an_untrusted_state_dir_is_a_forbidden_error(tmp_path: Path) -> None:
    root = _private_root(tmp_path)
    os.chmod(root, 0o777)
    client = ModelRegistryClient(backend_config=LocalModelRegistryConfig(path=root / "registry.sqlite3"))
    with pytest.raises(ForbiddenError, match="writable by group or others"):
        client.register_model("m", "s3://bucket-a/m", version="v1")
    assert not (root / "registry.sqlite3").exists()


def test_a_store_in_a_symlinked_private_dir_works(tmp_path: Path) -> None:
    """The folder the user named may be a symlink to a private directory, as the trainer's state_dir may."""
    real = _private_root(tmp_path)
    (tmp_path / "link").symlink_to(real)
    client = ModelRegistryClient(backend_config=LocalModelRegistryConfig(path=tmp_path / "link" / "registry.sqlite3"))
    client.register_model("m", "s3://bucket-a/m", version="v1")
    assert (real / "registry.sqlite3").is_file()
