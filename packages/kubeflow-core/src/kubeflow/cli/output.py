"""How commands print: JSON, YAML or rich tables on stdout; messages on stderr.

Data goes to stdout, in the format `--output` asks for (a table on a terminal, JSON when piped, by default).
Messages for people (created, deleted, stopped following, errors) go to stderr, so a pipe only ever sees data.
rich and yaml are imported only by the function that needs them.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from kubeflow.cli.options import OutputFormat


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data: dataclasses and pydantic models as dicts, datetimes as ISO 8601, enums as values."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    return str(value)


def _yaml_text(data: Any) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
        style = "|" if "\n" in text else None  # scripts and messages stay readable
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    _Dumper.add_representer(str, _str)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def emit(data: Any, fmt: OutputFormat, table: Callable[[], RenderableType] | None = None) -> None:
    """Print `data` on stdout as JSON or YAML, or print `table()` (a rich renderable) for `table`.

    Without a table renderer, `table` prints YAML (readable for nested data such as a dry-run plan).
    """
    if fmt == "table" and table is not None:
        stdout_console().print(table())
        return
    plain = jsonable(data)
    if fmt == "json":
        sys.stdout.write(json.dumps(plain, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_yaml_text(plain))
    sys.stdout.flush()


def emit_line(text: str) -> None:
    """Print one line on stdout at once (log streams: the reader sees each line as it is written)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def message(text: str) -> None:
    """Print a message for people on stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def stdout_console() -> Console:
    """A rich console on stdout (wide enough not to wrap tables when stdout is not a terminal)."""
    from rich.console import Console

    return Console(soft_wrap=False) if sys.stdout.isatty() else Console(width=200, soft_wrap=False)


def stderr_console() -> Console:
    """A rich console on stderr, for live displays (progress, status)."""
    from rich.console import Console

    return Console(stderr=True)


def human_duration(seconds: float | None) -> str:
    """`95` -> `1m35s`; `None` -> `""`."""
    if seconds is None:
        return ""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def age(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago `when` was, e.g. `3m12s`."""
    if when is None:
        return ""
    from datetime import timezone

    now = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return human_duration((now - when).total_seconds())


def compact_metrics(metrics: Mapping[str, Any] | None, limit: int = 4) -> str:
    """`{"loss": 0.1234567, "acc": 0.9}` -> `loss=0.1235 acc=0.9` (at most `limit` of them)."""
    parts = []
    for key, value in list((metrics or {}).items())[:limit]:
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        parts.append(f"{key}={shown}")
    more = len(metrics or {}) - limit
    return " ".join(parts) + (f" (+{more})" if more > 0 else "")
