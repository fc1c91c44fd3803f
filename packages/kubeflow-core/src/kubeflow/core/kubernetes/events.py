"""Events of given objects, selected by the server (field selectors), never by listing a whole namespace."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import EVENTS
from kubeflow.core.models import Event

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def involved_object_selector(name: str, kind: str | None = None) -> str:
    """The field selector of the events about one object, e.g. `involvedObject.name=x,involvedObject.kind=Pod`."""
    selector = f"involvedObject.name={name}"
    if kind:
        selector += f",involvedObject.kind={kind}"
    return selector


def parse_time(value: Any) -> datetime | None:
    """Parse an RFC 3339 time as the API writes it (`2026-01-02T03:04:05Z`, with optional fraction)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if "." in text:  # Python < 3.11 accepts at most 6 fraction digits
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def event_time(raw: dict[str, Any]) -> datetime:
    """When an event last happened: `lastTimestamp`, `eventTime`, `firstTimestamp`, then creation time."""
    metadata = raw.get("metadata") or {}
    for value in (
        raw.get("lastTimestamp"),
        raw.get("eventTime"),
        (raw.get("series") or {}).get("lastObservedTime"),
        raw.get("firstTimestamp"),
        metadata.get("creationTimestamp"),
    ):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed
    return _EPOCH


def to_event(raw: dict[str, Any]) -> Event:
    """Convert a core/v1 Event to the SDK's `Event`."""
    involved = raw.get("involvedObject") or raw.get("regarding") or {}
    kind = "Warning" if raw.get("type") == "Warning" else "Normal"
    return Event(
        involved_object_kind=str(involved.get("kind") or ""),
        involved_object_name=str(involved.get("name") or ""),
        message=str(raw.get("message") or raw.get("note") or ""),
        reason=str(raw.get("reason") or ""),
        event_time=event_time(raw),
        type=kind,
    )


def list_events(
    objects: ObjectClient, targets: list[tuple[str, str | None]], namespace: str | None = None
) -> list[Event]:
    """Return the events about each `(name, kind)` target, oldest first: one filtered list request per target."""
    keyed: list[tuple[datetime, int, int, Event]] = []
    seen: set[str] = set()
    for name, kind in targets:
        result = objects.list(EVENTS, namespace, field_selector=involved_object_selector(name, kind))
        for raw in result.items:
            meta = raw.get("metadata") or {}
            uid = str(meta.get("uid") or id(raw))
            if uid in seen:
                continue
            seen.add(uid)
            event = to_event(raw)
            keyed.append((event.event_time, _version(meta), len(keyed), event))
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed]


def _version(meta: dict[str, Any]) -> int:
    """The resourceVersion as a number when it is one (it orders writes on etcd-backed servers), else 0."""
    value = str(meta.get("resourceVersion") or "")
    return int(value) if value.isdigit() else 0


__all__ = ["event_time", "involved_object_selector", "list_events", "parse_time", "to_event"]
