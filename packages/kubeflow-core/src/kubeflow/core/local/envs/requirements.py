"""Validation and normalisation of requirement strings, and masking of credentials in URLs.

Requirements are normalised so that two jobs asking for the same set in different spellings share one environment:
names are PEP 503-normalised (`Foo_Bar` and `foo-bar` are one project), extras and version clauses are sorted,
whitespace is dropped where it carries no meaning, and the set is de-duplicated and sorted. Validation happens here,
before anything is written, so a bad string fails with an `InvalidInputError` and not with an installer error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kubeflow.core.errors import InvalidInputError

PACKAGES_FIELD = "packages_to_install"

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_NAME_RE = re.compile(_NAME)
_EXTRAS = r"\[\s*(?P<extras>[^\]]*)\]"
_OPERATOR = r"===|~=|==|!=|<=|>=|<|>"
_CLAUSE_RE = re.compile(rf"^(?P<op>{_OPERATOR})\s*(?P<version>[A-Za-z0-9_.*+!-]+)$")
_NAMED_RE = re.compile(
    rf"^(?P<name>{_NAME})\s*(?:{_EXTRAS})?\s*(?P<spec>\(?[^;@\[\]]*?\)?)\s*(?:;\s*(?P<marker>.+))?$",
    re.DOTALL,
)
_URL_REQ_RE = re.compile(
    rf"^(?P<name>{_NAME})\s*(?:{_EXTRAS})?\s*@\s*(?P<url>\S+)(?:\s+;\s*(?P<marker>.+))?$",
    re.DOTALL,
)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")
_CREDENTIALS_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
_MARKER_OP_RE = re.compile(r"\s*(===|==|!=|<=|>=|~=|<|>)\s*")
_SINGLE_QUOTED_RE = re.compile(r"'([^'\"]*)'")


def canonical_name(name: str) -> str:
    """The PEP 503 form of a project name: lower case, runs of `-`, `_` and `.` replaced by one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str | None:
    """The canonical project name a requirement string starts with, or None for a bare path or URL."""
    if _is_bare_location(requirement.strip()):
        return None
    match = _NAME_RE.match(requirement.strip())
    return canonical_name(match.group(0)) if match else None


def requirement_extras(requirement: str) -> set[str]:
    """The canonical extras a requirement asks for (`a[x,y]>=1` gives `{"x", "y"}`)."""
    match = re.match(rf"^\s*{_NAME}\s*{_EXTRAS}", requirement)
    if not match:
        return set()
    return {canonical_name(extra.strip()) for extra in match.group("extras").split(",") if extra.strip()}


def mask_credentials(text: str) -> str:
    """Replace every `user:password@` (or token `@`) after a URL scheme with `***@`."""
    return _CREDENTIALS_RE.sub(r"\g<scheme>***@", text)


def validate_locations(field: str, values: Iterable[str]) -> list[str]:
    """Check index URLs or find-links locations and return them stripped, in order, without duplicates.

    Raises:
        InvalidInputError: A value is empty, contains a line break, or starts with `-` (an installer option).
    """
    result: list[str] = []
    for value in values:
        stripped = value.strip()
        _reject_unsafe(field, value, stripped)
        if any(char.isspace() for char in stripped):
            raise InvalidInputError(field, f"{mask_credentials(stripped)!r} contains whitespace.", "Give one URL.")
        if stripped not in result:
            result.append(stripped)
    return result


def normalize_requirements(requirements: Iterable[str]) -> list[str]:
    """Validate and normalise a set of requirement strings; the result is sorted and free of duplicates.

    Raises:
        InvalidInputError: A requirement is empty, contains a line break, starts with `-`, or is not PEP 508.
    """
    return sorted({normalize_requirement(requirement) for requirement in requirements})


def normalize_requirement(requirement: str) -> str:
    """Validate one requirement string and return its normal form.

    Raises:
        InvalidInputError: The string is empty, contains a line break, starts with `-`, or is not PEP 508.
    """
    stripped = requirement.strip()
    _reject_unsafe(PACKAGES_FIELD, requirement, stripped)
    if _is_bare_location(stripped):
        if any(char.isspace() for char in stripped):
            raise _invalid(stripped, "a path or URL requirement cannot contain whitespace")
        return stripped
    _parse_pep508(stripped)
    url_match = _URL_REQ_RE.match(stripped)
    if url_match:
        head = canonical_name(url_match.group("name")) + _normal_extras(url_match.group("extras"))
        text = f"{head} @ {url_match.group('url')}"
        marker = url_match.group("marker")
        return text + (f" ; {_normal_marker(marker)}" if marker else "")
    named = _NAMED_RE.match(stripped)
    if not named:
        raise _invalid(stripped, "it is not a PEP 508 requirement")
    head = canonical_name(named.group("name")) + _normal_extras(named.group("extras"))
    spec = _normal_spec(stripped, named.group("spec"))
    marker = named.group("marker")
    return head + spec + (f"; {_normal_marker(marker)}" if marker else "")


def _parse_pep508(requirement: str) -> None:
    """Reject what `packaging` does not parse as one PEP 508 requirement (e.g. `numpy; rm -rf ~`: a bad marker)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(requirement)
    except InvalidRequirement as exc:
        why = str(exc).splitlines()[0] if str(exc) else "it is not a PEP 508 requirement"
        raise _invalid(requirement, f"it is not a PEP 508 requirement ({mask_credentials(why)})") from None


def _reject_unsafe(field: str, original: str, stripped: str) -> None:
    if not stripped:
        raise InvalidInputError(field, "an entry is empty.", "Remove empty strings from the list.")
    if "\n" in original or "\r" in original or "\x00" in original:
        raise InvalidInputError(
            field, f"{mask_credentials(stripped)!r} contains a line break.", "Give one requirement per list item."
        )
    if stripped.startswith("-"):
        raise InvalidInputError(
            field,
            f"{mask_credentials(stripped)!r} starts with '-', which the installer would read as an option.",
            "Give requirement strings only (e.g. 'torch>=2.3'); put index URLs in pip_index_urls.",
        )


def _invalid(requirement: str, why: str) -> InvalidInputError:
    return InvalidInputError(
        PACKAGES_FIELD,
        f"{mask_credentials(requirement)!r} is not a valid requirement: {why}.",
        "Use pip requirement syntax, e.g. 'numpy>=1.26', 'torch[opt]==2.3.1', or 'name @ https://host/pkg.whl'.",
    )


def _is_bare_location(text: str) -> bool:
    if " @ " in text or _URL_REQ_RE.match(text):
        return False
    return (
        text.startswith((".", "/", "~"))
        or "\\" in text
        or "/" in text.split(";")[0]
        or bool(_SCHEME_RE.match(text))
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _normal_extras(extras: str | None) -> str:
    if extras is None:
        return ""
    names = [extra.strip() for extra in extras.split(",") if extra.strip()]
    for name in names:
        if not _NAME_RE.fullmatch(name):
            raise _invalid(extras, f"{name!r} is not a valid extra name")
    return "[" + ",".join(sorted({canonical_name(name) for name in names})) + "]" if names else ""


def _normal_spec(requirement: str, spec: str) -> str:
    text = spec.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text:
        return ""
    clauses: list[str] = []
    for clause in text.split(","):
        match = _CLAUSE_RE.match(clause.strip())
        if not match:
            raise _invalid(requirement, f"{clause.strip()!r} is not a version clause like '>=1.2'")
        clauses.append(match.group("op") + match.group("version").lower())
    return ",".join(sorted(set(clauses)))


def _normal_marker(marker: str) -> str:
    text = " ".join(marker.split())
    text = _MARKER_OP_RE.sub(r"\1", text)
    return _SINGLE_QUOTED_RE.sub(r'"\1"', text)
