"""An in-process emulator of the Kubeflow Model Registry REST API (v1alpha3), for tests.

A real HTTP(S) server on loopback (`ThreadingHTTPServer`, optionally TLS) with an in-memory store of its own (not the
SDK's local store, so the two backends are checked against each other, not against themselves). It serves the
paths the spec defines for registered models, versions, model artifacts, experiments, runs, run artifacts and
metric history, with `pageSize`/`nextPageToken`/`orderBy`/`sortOrder` paging, find endpoints, 409 on duplicate
names/external ids, `Error` bodies, and bearer-token auth when a token is set.

When given the spec (`Spec`), every request and every response is validated against it: a request the spec forbids
is answered 400 and recorded in `violations`, and so is a response that does not match its schema; the fixtures
fail the test if `violations` is not empty. `faults` injects error answers (e.g. 503 with `Retry-After`) before the
next requests are served, and `lost_answers` replaces the answer of a request after it was served (the change is
made, the client hears 5xx), to exercise retries that must not duplicate anything.
"""

from model_registry_emulator.server import ModelRegistryEmulator

__all__ = ["ModelRegistryEmulator"]
