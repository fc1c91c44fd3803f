from __future__ import annotations

import os
import sys
from pathlib import Path

from kubeflow.core.local.envs import EnvCache, EnvSpec
from kubeflow.core.local.envs.pipconf import config_files, pip_settings, read_pip_config
from kubeflow.core.local.envs.plan import resolve_sources


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_config_files_follow_pips_order(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path / "home"), "PIP_CONFIG_FILE": str(tmp_path / "explicit.conf")}
    assert config_files(environ) == [
        tmp_path / "explicit.conf",
        Path("/etc/xdg/pip/pip.conf"),
        Path("/etc/pip.conf"),
        tmp_path / "home" / ".pip" / "pip.conf",
        tmp_path / "home" / ".config" / "pip" / "pip.conf",
        Path(sys.prefix) / "pip.conf",
    ]
    xdg = {"HOME": "/h", "XDG_CONFIG_DIRS": f"/a{os.pathsep}/b", "XDG_CONFIG_HOME": "/cfg"}
    assert config_files(xdg)[:3] == [Path("/a/pip/pip.conf"), Path("/b/pip/pip.conf"), Path("/etc/pip.conf")]
    assert Path("/cfg/pip/pip.conf") in config_files(xdg)
    assert config_files({"PIP_CONFIG_FILE": os.devnull, "HOME": "/h"}) == []


def test_later_files_and_install_section_win(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.conf",
        "[global]\nindex-url = https://a/simple\nextra-index-url =\n  https://x/simple\n  https://y/simple\n"
        "timeout = 60\n",
    )
    second = write(tmp_path / "b.conf", "[global]\nindex_url = https://b/simple\n[install]\nno-index = true\n")
    broken = write(tmp_path / "broken.conf", "this is not ini\n")
    values = read_pip_config([first, tmp_path / "missing.conf", broken, second])
    assert values == {
        "index-url": "https://b/simple",
        "extra-index-url": "https://x/simple\nhttps://y/simple",
        "no-index": "true",
    }


def test_environment_variables_override_config_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(
        home / ".config" / "pip" / "pip.conf",
        "[global]\nindex-url = https://corp:tok@mirror.corp/simple\nfind-links = /srv/wheels\ncert = /etc/corp.pem\n",
    )
    environ = {"HOME": str(home), "XDG_CONFIG_DIRS": str(tmp_path / "none"), "PIP_FIND_LINKS": "/opt/wheels"}
    settings = pip_settings(environ)
    assert settings["index-url"] == "https://corp:tok@mirror.corp/simple"
    assert settings["find-links"] == "/opt/wheels"
    sources = resolve_sources(EnvSpec(packages=["x"]), environ)
    assert sources.index_url == "https://corp:tok@mirror.corp/simple"
    assert sources.find_links == ("/opt/wheels",)
    assert sources.cert == "/etc/corp.pem"
    # A job's own index URL still wins, and the user's config file is part of the cache key.
    assert resolve_sources(EnvSpec(index_urls=["https://job/simple"]), environ).index_url == "https://job/simple"
    cache = EnvCache(tmp_path / "cache")
    with_config = cache.key_for(EnvSpec(packages=["x"]), environ)
    assert with_config != cache.key_for(EnvSpec(packages=["x"]), {**environ, "PIP_CONFIG_FILE": os.devnull})
