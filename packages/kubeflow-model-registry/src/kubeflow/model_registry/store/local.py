"""The embedded store: one SQLite file, private to the user, safe for several processes writing at once.

Every resource is one row holding its REST API JSON, with its kind, parent, name and external id as columns under
unique indexes (a name is unique per kind and parent, an external id per kind), so duplicates are refused by the
database itself, in any process. Writes run in `BEGIN IMMEDIATE` transactions on a WAL journal with a busy timeout:
concurrent writers queue instead of failing, and readers never block. `transaction()` groups several writes (a whole
`register_model`) into one, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kubeflow.core.errors import AlreadyExistsError, BackendUnavailableError, ForbiddenError, NotFoundError
from kubeflow.core.local.state import check_private_dir, ensure_private_dir, untrusted
from kubeflow.model_registry.config import LocalModelRegistryConfig
from kubeflow.model_registry.store import paging
from kubeflow.model_registry.store.base import (
    ARTIFACT_TYPE,
    DEFAULT_STATE,
    PARENT_FIELD,
    Body,
    Kind,
    OrderBy,
    Page,
    SortOrder,
    describe,
)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    parent INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    external_id TEXT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS resources_name ON resources (kind, parent, name) WHERE name IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS resources_external_id ON resources (kind, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS resources_parent ON resources (kind, parent, id);
CREATE TABLE IF NOT EXISTS metric_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run INTEGER NOT NULL,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS metric_history_run ON metric_history (run, id);
"""
_COLUMNS: dict[str, str] = {"ID": "id", "CREATE_TIME": "created", "LAST_UPDATE_TIME": "updated"}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _int_id(resource_id: str | None) -> int | None:
    if resource_id is None:
        return None
    try:
        return int(resource_id)
    except ValueError:
        return None


def _open_private(path: Path) -> None:
    """Create the database file (0600) or check the existing one, with the state directory's trust rules.

    It must be a regular file of this user that no one else can write, never reached through a symbolic link; one
    that others can read is made 0600.

    Raises:
        ForbiddenError: It is a symlink, not a regular file, another user's, or writable by others
            (reason `UntrustedStateDir`).
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise untrusted(path, "it is a symbolic link") from None
        raise exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise untrusted(path, "it is not a regular file")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise untrusted(path, f"it is owned by uid {info.st_uid}, not by you (uid {os.getuid()})")
        if info.st_mode & 0o022:
            raise untrusted(path, f"it is writable by group or others (mode {stat.S_IMODE(info.st_mode):04o})")
        if info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class LocalStore:
    """The SQLite store of `LocalModelRegistryConfig` (the file is opened on first use)."""

    def __init__(self, config: LocalModelRegistryConfig) -> None:
        """Keep the config; nothing is opened yet."""
        self.config = config
        self.path = Path(config.path).expanduser()
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._depth = 0

    def __repr__(self) -> str:
        return f"LocalStore(path={str(self.path)!r})"

    # connection and transactions

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        try:
            if not os.path.exists(self.path.parent):
                ensure_private_dir(self.path.parent)
            check_private_dir(self.path.parent, follow=True)  # the folder the user named may be a symlink
            _open_private(self.path)
            conn = sqlite3.connect(
                self.path, timeout=self.config.busy_timeout_seconds, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self.config.busy_timeout_seconds * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._write(conn):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except ForbiddenError:
            raise
        except (OSError, sqlite3.Error) as exc:
            raise BackendUnavailableError(
                f"Cannot open the local model registry {str(self.path)!r}: {exc}", reason="LocalStoreUnavailable"
            ) from exc
        self._conn = conn
        return conn

    @contextlib.contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One `BEGIN IMMEDIATE` transaction (or join the enclosing one)."""
        if self._depth:
            yield
            return
        deadline = time.monotonic() + self.config.busy_timeout_seconds
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            conn.execute("ROLLBACK")
            raise
        self._depth -= 1
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group the writes inside into one transaction: all of them happen, or none."""
        with self._lock:
            conn = self._connect()
            with self._write(conn):
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connect()
            try:
                with self._write(conn):
                    yield conn
            except sqlite3.IntegrityError as exc:
                raise AlreadyExistsError(f"The local model registry refused a duplicate: {exc}", status=409) from exc
            except sqlite3.Error as exc:
                raise BackendUnavailableError(
                    f"The local model registry {str(self.path)!r} failed: {exc}", reason="LocalStoreError"
                ) from exc

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connect()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise BackendUnavailableError(
                    f"The local model registry {str(self.path)!r} failed: {exc}", reason="LocalStoreError"
                ) from exc

    def close(self) -> None:
        """Close the database connection (it reopens on the next operation)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # rows

    @staticmethod
    def _body(row: tuple[Any, ...]) -> Body:
        body: Body = json.loads(row[0])
        return body

    def _row(self, conn: sqlite3.Connection, kind: str, resource_id: int | None) -> Body | None:
        if resource_id is None:
            return None
        row = conn.execute("SELECT body FROM resources WHERE id = ? AND kind = ?", (resource_id, kind)).fetchone()
        return self._body(row) if row else None

    def _parent_kind(self, kind: str) -> str | None:
        return {
            "model_version": "registered_model",
            "model_artifact": "model_version",
            "experiment_run": "experiment",
            "metric": "experiment_run",
            "parameter": "experiment_run",
        }.get(kind)

    def _conflict(self, conn: sqlite3.Connection, kind: str, parent: int, body: Body, own_id: int | None) -> None:
        name, external_id = body.get("name"), body.get("externalId")
        if name is not None:
            row = conn.execute(
                "SELECT id FROM resources WHERE kind = ? AND parent = ? AND name = ?", (kind, parent, name)
            ).fetchone()
            if row and row[0] != own_id:
                raise AlreadyExistsError(
                    f"A {describe(kind, name=name)} already exists.", reason="AlreadyExists", status=409
                )
        if external_id is not None:
            row = conn.execute(
                "SELECT id FROM resources WHERE kind = ? AND external_id = ?", (kind, external_id)
            ).fetchone()
            if row and row[0] != own_id:
                raise AlreadyExistsError(
                    f"A {describe(kind, external_id=external_id)} already exists.", reason="AlreadyExists", status=409
                )

    # the contract

    def create(self, kind: Kind, body: Body, parent_id: str | None = None) -> Body:
        """Create a resource; see `RegistryStore.create`."""
        parent_field = PARENT_FIELD.get(kind)
        if parent_field is not None:
            parent_id = body.get(parent_field, parent_id)
        with self._writing() as conn:
            parent = 0
            parent_kind = self._parent_kind(kind)
            if parent_kind is not None:
                pid = _int_id(parent_id)
                if self._row(conn, parent_kind, pid) is None:
                    raise NotFoundError(
                        f"No {describe(parent_kind, resource_id=parent_id)}.", reason="NotFound", status=404
                    )
                parent = pid or 0
            self._conflict(conn, kind, parent, body, None)
            now = _now_ms()
            stored: Body = {key: value for key, value in body.items() if key not in ("id",)}
            stored.setdefault("state", DEFAULT_STATE[kind])
            if kind in ARTIFACT_TYPE:
                stored["artifactType"] = ARTIFACT_TYPE[kind]
            if kind == "experiment_run":
                stored.setdefault("status", "RUNNING")
                stored.setdefault("startTimeSinceEpoch", str(now))
            cursor = conn.execute(
                "INSERT INTO resources (kind, parent, name, external_id, created, updated, body) "
                "VALUES (?, ?, ?, ?, ?, ?, '{}')",
                (kind, parent, stored.get("name"), stored.get("externalId"), now, now),
            )
            new_id = int(cursor.lastrowid or 0)
            stored.update(id=str(new_id), createTimeSinceEpoch=str(now), lastUpdateTimeSinceEpoch=str(now))
            conn.execute("UPDATE resources SET body = ? WHERE id = ?", (json.dumps(stored), new_id))
            return stored

    def get(self, kind: Kind, resource_id: str) -> Body | None:
        """The resource with that id, or `None`."""
        with self._reading() as conn:
            return self._row(conn, kind, _int_id(resource_id))

    def update(self, kind: Kind, resource_id: str, body: Body) -> Body:
        """Apply a PATCH body; see `RegistryStore.update`."""
        rid = _int_id(resource_id)
        with self._writing() as conn:
            row = conn.execute(
                "SELECT parent, updated, body FROM resources WHERE id = ? AND kind = ?", (rid, kind)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No {describe(kind, resource_id=resource_id)}.", reason="NotFound", status=404)
            stored: Body = json.loads(row[2])
            changes = {
                key: value
                for key, value in body.items()
                if key not in ("id", "name", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch", PARENT_FIELD.get(kind))
            }
            self._conflict(conn, kind, int(row[0]), {"externalId": changes.get("externalId")}, rid)
            stored.update(changes)
            now = max(_now_ms(), int(row[1]) + 1)
            stored["lastUpdateTimeSinceEpoch"] = str(now)
            conn.execute(
                "UPDATE resources SET external_id = ?, updated = ?, body = ? WHERE id = ?",
                (stored.get("externalId"), now, json.dumps(stored), rid),
            )
            return stored

    def find(
        self, kind: Kind, *, name: str | None = None, external_id: str | None = None, parent_id: str | None = None
    ) -> Body | None:
        """The resource with that name (under `parent_id`) or external id, or `None`."""
        with self._reading() as conn:
            if external_id is not None:
                row = conn.execute(
                    "SELECT body FROM resources WHERE kind = ? AND external_id = ?", (kind, external_id)
                ).fetchone()
            else:
                parent = _int_id(parent_id) or 0
                row = conn.execute(
                    "SELECT body FROM resources WHERE kind = ? AND parent = ? AND name = ?", (kind, parent, name)
                ).fetchone()
            return self._body(row) if row else None

    def list(
        self,
        kind: Kind,
        *,
        parent_id: str | None = None,
        page_size: int = 100,
        order_by: OrderBy = "ID",
        sort_order: SortOrder = "ASC",
        page_token: str | None = None,
    ) -> Page:
        """One page of the resources of a kind; see `RegistryStore.list`."""
        column = _COLUMNS[order_by]
        direction, compare = ("ASC", ">") if sort_order == "ASC" else ("DESC", "<")
        where = "kind = ?"
        args: list[str | int] = [kind]
        if self._parent_kind(kind) is not None:
            where += " AND parent = ?"
            args.append(_int_id(parent_id) or 0)
        if page_token:
            key, last = paging.decode(page_token)
            where += f" AND ({column}, id) {compare} (?, ?)"
            args += [key, last]
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT body, {column}, id FROM resources WHERE {where} "
                f"ORDER BY {column} {direction}, id {direction} LIMIT ?",
                (*args, page_size + 1),
            ).fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        token = paging.encode(rows[-1][1], rows[-1][2]) if more else ""
        return Page([self._body(row) for row in rows], token)

    def log_metric(self, run_id: str, body: Body) -> Body:
        """Record one metric value; see `RegistryStore.log_metric`."""
        with self._lock, self.transaction():
            existing = self.find("metric", name=body["name"], parent_id=run_id)
            if existing is None:
                stored = self.create("metric", body, run_id)
            else:
                stored = self.update("metric", existing["id"], body)
            conn = self._connect()
            conn.execute(
                "INSERT INTO metric_history (run, name, created, body) VALUES (?, ?, ?, ?)",
                (int(run_id), body["name"], _now_ms(), json.dumps(stored)),
            )
            return stored

    def metric_history(
        self, run_id: str, *, name: str | None = None, page_size: int = 100, page_token: str | None = None
    ) -> Page:
        """One page of a run's metric values, oldest first; see `RegistryStore.metric_history`."""
        where = "run = ?"
        args: list[str | int] = [_int_id(run_id) or 0]
        if name is not None:
            where += " AND name = ?"
            args.append(name)
        if page_token:
            _key, last = paging.decode(page_token)
            where += " AND id > ?"
            args.append(last)
        with self._reading() as conn:
            if self._row(conn, "experiment_run", _int_id(run_id)) is None:
                raise NotFoundError(
                    f"No {describe('experiment_run', resource_id=run_id)}.", reason="NotFound", status=404
                )
            rows = conn.execute(
                f"SELECT body, id FROM metric_history WHERE {where} ORDER BY id LIMIT ?",
                (*args, page_size + 1),
            ).fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        return Page([self._body(row) for row in rows], paging.encode(0, rows[-1][1]) if more else "")
