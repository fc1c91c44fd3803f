"""Artifact URIs the registry accepts: `file://`, `s3://`, `hf://`, `oci://` (and `http(s)://`, `gs://`, `pvc://`).

`validate_uri` checks the shape of each scheme before anything is written; it never contacts the storage.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from kubeflow.core.errors import InvalidInputError

SCHEMES = ("file", "s3", "hf", "oci", "gs", "pvc", "http", "https")
"""The URI schemes `register_model` accepts."""

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_HF_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
_OCI_REPO = re.compile(
    r"^[a-z0-9]+(?:[._\-]{1,2}[a-z0-9]+|-+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._\-]{1,2}[a-z0-9]+|-+[a-z0-9]+)*)*$"
)
_OCI_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")
_OCI_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._\-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$")


def _bad(uri: str, problem: str, field: str = "uri") -> InvalidInputError:
    examples = "file:///abs/path, s3://bucket/key, hf://org/model, oci://registry.example.com/repo:tag"
    return InvalidInputError(field, f"{uri!r} {problem}", f"Give a URI such as {examples}.")


def _check_oci(uri: str, rest: str, field: str) -> None:
    host, _, path = rest.partition("/")
    if not _HOST.match(host) or "." not in host and ":" not in host and host != "localhost":
        raise _bad(uri, "needs a registry host (e.g. ghcr.io) before the repository.", field)
    reference = ""
    if "@" in path:
        path, reference = path.split("@", 1)
        if not _OCI_DIGEST.match(reference):
            raise _bad(uri, f"has a malformed digest {reference!r}.", field)
    elif ":" in path.rsplit("/", 1)[-1]:
        path, reference = path.rsplit(":", 1)
        if not _OCI_TAG.match(reference):
            raise _bad(uri, f"has a malformed tag {reference!r}.", field)
    if not path or not _OCI_REPO.match(path):
        raise _bad(uri, "has a malformed repository (lowercase letters, digits, '.', '_', '-', '/').", field)


def validate_uri(uri: object, field: str = "uri") -> str:
    """Return `uri` unchanged if it is a well-formed artifact URI.

    Raises:
        InvalidInputError: The URI is empty, has an unsupported scheme or a malformed location.
    """
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInputError(field, f"must be a non-empty URI, got {uri!r}.", "Give e.g. s3://bucket/models/v1.")
    if any(ch.isspace() or ord(ch) < 32 for ch in uri):
        raise _bad(uri, "contains whitespace or control characters.", field)
    scheme, sep, rest = uri.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise _bad(uri, f"has no supported scheme (one of {', '.join(s + '://' for s in SCHEMES)}).", field)
    if scheme == "file":
        parts = urlsplit(uri)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise _bad(uri, "must name an absolute local path: file:///abs/path (three slashes).", field)
    elif scheme in ("s3", "gs"):
        bucket, _, _key = rest.partition("/")
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise _bad(
                uri, f"has a malformed bucket name {bucket!r} (3-63 lowercase letters, digits, '.', '-').", field
            )
    elif scheme == "hf":
        repo = rest.split("@", 1)[0]
        ids = repo.split("/")[:2]
        if not all(_HF_PART.match(p) and "--" not in p and ".." not in p for p in ids):
            raise _bad(uri, "must be hf://<org>/<model>[/path][@revision] with a valid repository id.", field)
    elif scheme == "oci":
        _check_oci(uri, rest, field)
    else:
        host = rest.split("/", 1)[0]
        if not host or (scheme != "pvc" and not _HOST.match(host.rsplit("@", 1)[-1])):
            raise _bad(uri, "has no valid host.", field)
    return uri


def file_uri(path: str | Path) -> str:
    """The `file://` URI of a local path (made absolute)."""
    return Path(path).expanduser().resolve().as_uri()


__all__ = ["SCHEMES", "file_uri", "validate_uri"]
