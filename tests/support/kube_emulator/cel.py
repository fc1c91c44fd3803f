"""The few CEL rule shapes the Trainer CRDs use, evaluated by pattern (no CEL interpreter).

A real apiserver compiles every ``x-kubernetes-validations`` rule. The emulator recognises the
rule shapes that appear in the Kubeflow Trainer CRDs (immutability ``self == oldSelf``, numeric
bounds, ``self in [...]``, ``matches``, ``has``, the TrainJob name rules, "only one policy") and
ignores any other rule (it then always passes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_MISSING = object()

_CMP = re.compile(r"^self\s*(>=|<=|>|<|==|!=)\s*(-?\d+)$")
_IN = re.compile(r"^self in \[(.*)\]$")
_MATCHES = re.compile(r"^self\.matches\('(.*)'\)$")
_HAS = re.compile(r"^has\(self\.([A-Za-z0-9_]+)\)$")
_NOT_EXISTS_EQ = re.compile(r"^!self\.exists\((\w+), \1 == '(.*)'\)$")
_ONLY_ONE = re.compile(r"^\[(has\(self\.\w+\)(?:,\s*has\(self\.\w+\))*)\]\.filter\(\w+, \w+\)\.size\(\) <= 1$")
_NAME_MATCHES = re.compile(r"^self\.metadata\.name\.matches\('(.*)'\)$")
_NAME_SIZE = re.compile(r"^size\(self\.metadata\.name\) <= (\d+)$")

_OPS: dict[str, Callable[[Any, int], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _split_or(rule: str) -> list[str]:
    return [part.strip() for part in rule.split(" || ")]


def _eval_simple(rule: str, value: Any, old: Any) -> bool | None:
    if rule == "self == oldSelf":
        return None if old is _MISSING else value == old
    if rule == "self == ''":
        return bool(value == "")
    if m := _CMP.match(rule):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return _OPS[m.group(1)](value, int(m.group(2)))
    if m := _IN.match(rule):
        options = re.findall(r"'((?:[^'\\]|\\.)*)'", m.group(1))
        return value in options
    if m := _MATCHES.match(rule):
        return isinstance(value, str) and re.search(m.group(1), value) is not None
    if m := _HAS.match(rule):
        return isinstance(value, dict) and m.group(1) in value
    if m := _NOT_EXISTS_EQ.match(rule):
        return isinstance(value, list) and m.group(2) not in value
    if m := _ONLY_ONE.match(rule):
        fields = re.findall(r"has\(self\.(\w+)\)", m.group(1))
        return isinstance(value, dict) and sum(1 for f in fields if f in value) <= 1
    if m := _NAME_MATCHES.match(rule):
        name = (value.get("metadata") or {}).get("name", "") if isinstance(value, dict) else ""
        return re.search(m.group(1), name) is not None
    if m := _NAME_SIZE.match(rule):
        name = (value.get("metadata") or {}).get("name", "") if isinstance(value, dict) else ""
        return len(name) <= int(m.group(1))
    return None


def evaluate(rule: str, value: Any, old: Any = _MISSING) -> bool:
    """Evaluate a recognised rule; unknown rules and transition rules without an old value pass.

    Args:
        rule: The CEL expression from ``x-kubernetes-validations``.
        value: ``self``.
        old: ``oldSelf`` (pass :data:`MISSING` on create).

    Returns:
        False only when a recognised rule is definitely violated.
    """
    results = [_eval_simple(part, value, old) for part in _split_or(rule.strip())]
    if any(r is None for r in results):
        return True
    return any(results)


MISSING = _MISSING
