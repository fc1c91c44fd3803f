"""`kubeflow.core.registry`: the config-type to backend-factory lookup that trainer and Katib share."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.models import BackendConfig
from kubeflow.core.registry import find_backend_factory, qualified_name


class _Config(BackendConfig):
    pass


class _SubConfig(_Config):
    pass


def _factory(config: BackendConfig) -> tuple[str, BackendConfig]:
    return ("built", config)


_TABLE = {qualified_name(_Config): f"{__name__}:_factory"}


def test_builtin_table_serves_the_config_and_its_subclasses() -> None:
    config = _SubConfig()
    factory = find_backend_factory(config, builtin=_TABLE, group="kubeflow.test.none", label="test")
    assert factory(config) == ("built", config)


def test_unknown_config_is_a_typed_error_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        find_backend_factory(_Config(), builtin={}, group="kubeflow.test.none", label="Widget")
    assert isinstance(info.value, ValueError)
    assert "backend_config" in str(info.value)
    assert "no Widget backend serves _Config" in str(info.value)


def test_entry_point_group_serves_a_third_party_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    info = tmp_path / "thirdparty_backend-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-backend\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[kubeflow.test.backends]\n{qualified_name(_Config)} = {__name__}:_factory\n"
    )
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    config: Any = _Config()
    factory = find_backend_factory(config, builtin={}, group="kubeflow.test.backends", label="test")
    assert factory(config) == ("built", config)
