"""The user's pip configuration files, read the way pip reads them, for the few options an overlay build uses.

The existing SDK ran `pip install` in each job's virtualenv, so a `pip.conf` naming a company mirror applied to jobs;
an overlay is built by uv, which does not read pip's files, so the options that decide where packages come from are
read here and passed to uv. Files load in pip's order (later files override earlier ones): `$PIP_CONFIG_FILE`,
global (`$XDG_CONFIG_DIRS/pip/pip.conf`, `/etc/pip.conf`), user (`~/.pip/pip.conf`, then
`$XDG_CONFIG_HOME/pip/pip.conf`), then site (`<sys.prefix>/pip.conf`); `PIP_CONFIG_FILE=/dev/null` disables them all.
In each file the `[install]` section overrides `[global]`. `PIP_*` environment variables override every file.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Mapping
from pathlib import Path

OPTIONS = ("index-url", "extra-index-url", "find-links", "no-index", "trusted-host", "cert")
"""The pip options an overlay build honours."""


def config_files(environ: Mapping[str, str]) -> list[Path]:
    """Pip's configuration files on this system for `environ`, lowest precedence first (existing or not)."""
    explicit = environ.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []
    files = [Path(explicit)] if explicit else []
    xdg_dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files += [Path(directory) / "pip" / "pip.conf" for directory in xdg_dirs.split(os.pathsep) if directory]
    files.append(Path("/etc/pip.conf"))
    home = environ.get("HOME")
    if home:
        files.append(Path(home) / ".pip" / "pip.conf")
    config_home = environ.get("XDG_CONFIG_HOME") or (str(Path(home) / ".config") if home else None)
    if config_home:
        files.append(Path(config_home) / "pip" / "pip.conf")
    files.append(Path(sys.prefix) / "pip.conf")
    return files


def read_pip_config(files: list[Path]) -> dict[str, str]:
    """The values of `OPTIONS` set by `files`, where later files and `[install]` over `[global]` win.

    Missing and unreadable files are skipped (pip itself would stop on a malformed one; a job should not).
    """
    values: dict[str, str] = {}
    for path in files:
        parser = configparser.RawConfigParser()
        try:
            if not parser.read(path, encoding="utf-8"):
                continue
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in ("global", "install"):
            if not parser.has_section(section):
                continue
            for key, value in parser.items(section):
                name = key.replace("_", "-").lower()
                if name in OPTIONS:
                    values[name] = value.strip()
    return values


def pip_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The effective value of each of `OPTIONS`: the `PIP_*` variable if set, else the configuration files."""
    settings = read_pip_config(config_files(environ))
    for option in OPTIONS:
        value = environ.get("PIP_" + option.replace("-", "_").upper(), "")
        if value.strip():
            settings[option] = value.strip()
    return settings
