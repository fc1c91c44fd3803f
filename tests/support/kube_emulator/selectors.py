"""Label and field selectors with the apiserver's syntax and semantics.

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k``, ``!k``,
``k>1``, ``k<1``, AND-ed with commas. Field selectors: ``f=v``, ``f==v``, ``f!=v`` with ``\\``
escapes, AND-ed with commas; a missing field compares as ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .status import bad_request

_KEY = r"[^\s!=<>(),]+"
_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_PREFIX_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_EXISTS_RE = re.compile(rf"^(!?)\s*({_KEY})$")
_EQ_RE = re.compile(rf"^({_KEY})\s*(==|=|!=)\s*([^\s!=<>(),]*)$")
_SET_RE = re.compile(rf"^({_KEY})\s+(in|notin)\s*\(([^()]*)\)$")
_CMP_RE = re.compile(rf"^({_KEY})\s*(<|>)\s*([^\s!=<>(),]+)$")


@dataclass(frozen=True)
class Requirement:
    """One label requirement.

    Attributes:
        key: Label key.
        op: One of ``=``, ``!=``, ``in``, ``notin``, ``exists``, ``!``, ``>``, ``<``.
        values: The values the operator compares with.
    """

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Tell whether a label map satisfies this requirement."""
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        if not present or value is None:
            return False
        try:
            number = int(value)
        except ValueError:
            return False
        bound = int(self.values[0])
        return number > bound if self.op == ">" else number < bound


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _check_key(key: str, raw: str) -> None:
    prefix, _, name = key.rpartition("/")
    if (prefix and (len(prefix) > 253 or not _PREFIX_RE.match(prefix))) or len(name) > 63 or not _NAME_RE.match(name):
        raise bad_request(
            f'unable to parse requirement: key: Invalid value: "{key}": name part must consist of alphanumeric '
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        )


def _check_value(value: str) -> None:
    if value and (len(value) > 63 or not _NAME_RE.match(value)):
        raise bad_request(
            f'unable to parse requirement: values[0]: Invalid value: "{value}": a valid label must be an empty '
            "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character"
        )


def _parse_requirement(part: str, raw: str) -> Requirement:
    if m := _SET_RE.match(part):
        key, op, inner = m.group(1), m.group(2), m.group(3)
        values = tuple(v.strip() for v in inner.split(","))
        if values == ("",):
            raise bad_request(f"unable to parse requirement: found ')', expected: identifier in selector {raw!r}")
        for v in values:
            _check_value(v)
        _check_key(key, raw)
        return Requirement(key, op, values)
    if m := _EQ_RE.match(part):
        key, op, value = m.group(1), m.group(2), m.group(3)
        _check_key(key, raw)
        _check_value(value)
        return Requirement(key, "=" if op in ("=", "==") else "!=", (value,))
    if m := _CMP_RE.match(part):
        key, op, value = m.group(1), m.group(2), m.group(3)
        _check_key(key, raw)
        try:
            int(value)
        except ValueError:
            raise bad_request(
                f"unable to parse requirement: values[0]: Invalid value: {value!r}: for 'Gt', 'Lt' operators, "
                "the value must be an integer"
            ) from None
        return Requirement(key, op, (value,))
    if m := _EXISTS_RE.match(part):
        _check_key(m.group(2), raw)
        return Requirement(m.group(2), "!" if m.group(1) else "exists")
    raise bad_request(f"unable to parse requirement: invalid label selector: {raw!r}")


@dataclass(frozen=True)
class LabelSelector:
    """A parsed label selector (empty matches everything)."""

    requirements: tuple[Requirement, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        """Parse the ``labelSelector`` query parameter.

        Raises:
            ApiError: 400 ``BadRequest`` for a malformed selector.
        """
        if not text or not text.strip():
            return cls()
        parts = [p.strip() for p in _split_top_level(text)]
        if any(not p for p in parts):
            raise bad_request(f"unable to parse requirement: found '', expected: identifier in selector {text!r}")
        return cls(tuple(_parse_requirement(p, text) for p in parts))

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Tell whether a label map satisfies every requirement."""
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def equality(self, key: str) -> str | None:
        """Return the value a ``key=value`` requirement pins, if any (used to hit an index)."""
        for r in self.requirements:
            if r.key == key and r.op in ("=", "in") and len(r.values) == 1:
                return r.values[0]
        return None


def _split_escaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """Read a dotted field (``status.phase``) as the string a field selector compares."""
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return ""
        current = current.get(part)
    if current is None:
        return ""
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


@dataclass(frozen=True)
class FieldSelector:
    """A parsed field selector: ``(field, negated, value)`` terms."""

    terms: tuple[tuple[str, bool, str], ...] = ()

    @classmethod
    def parse(cls, text: str | None, supported: frozenset[str]) -> FieldSelector:
        """Parse the ``fieldSelector`` query parameter against the fields a resource supports.

        Raises:
            ApiError: 400 ``BadRequest`` for bad syntax or an unsupported field.
        """
        if not text or not text.strip():
            return cls()
        terms: list[tuple[str, bool, str]] = []
        for part in _split_escaped(text, ","):
            m = re.match(r"^(.*?)(!=|==|=)(.*)$", part)
            if not m or not m.group(1).strip():
                raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
            field = m.group(1).strip()
            if field not in supported:
                raise bad_request(f"field label not supported: {field}")
            terms.append((field, m.group(2) == "!=", _unescape(m.group(3))))
        return cls(tuple(terms))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Tell whether an object satisfies every term."""
        for field, negated, value in self.terms:
            if (field_value(obj, field) == value) == negated:
                return False
        return True

    def equality(self, field: str) -> str | None:
        """Return the value a ``field=value`` term pins, if any."""
        for name, negated, value in self.terms:
            if name == field and not negated:
                return value
        return None
