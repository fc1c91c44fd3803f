"""`update_trainjob_status`: a running training function reports its progress and metrics.

Call it from inside the training function, on any backend; it never raises and returns whether the report was
recorded:

* **Kubernetes** (Kubeflow Trainer v2.2+ with the `TrainJobStatus` feature gate): the controller injects
  `KUBEFLOW_TRAINER_SERVER_URL`, `KUBEFLOW_TRAINER_SERVER_CA_CERT` and `KUBEFLOW_TRAINER_SERVER_TOKEN` (a path to a
  projected service-account token). The report is POSTed as `{"trainerStatus": {...}}` over HTTPS, exactly as the
  existing `kubeflow` SDK (0.5) does: at most one update every 5 seconds (an earlier call returns `False`), metric
  values sent as strings, at most 256 metrics. The controller stores it in the TrainJob's `status.trainerStatus`.
  Only the standard library is used (the job's image may have nothing else); the token is never logged.
* **Local processes**: every call is appended to the job's history (`kubeflow.core.local.progress.report`), with no
  throttling, since the whole history matters (e.g. for hyperparameter tuning).
* Anywhere else it does nothing and returns `False`.

`TrainerClient.get_job(name).trainer_status` shows the latest report; `TrainerClient.get_job_metrics(name)` the
history (the local backend keeps every report; Kubernetes keeps only the latest).
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

_logger = logging.getLogger(__name__)

ENV_SERVER_URL = "KUBEFLOW_TRAINER_SERVER_URL"
"""HTTPS endpoint of the Trainer's status server (set by the controller in each trainer node)."""
ENV_CA_CERT = "KUBEFLOW_TRAINER_SERVER_CA_CERT"
"""Path to the CA certificate that signed the status server's certificate."""
ENV_TOKEN_PATH = "KUBEFLOW_TRAINER_SERVER_TOKEN"
"""Path to the projected service-account token sent as the bearer token."""

LOCAL_PROGRESS_ENV = "KUBEFLOW_PROGRESS_FILE"
"""Set by the local backend in each node (`kubeflow.core.local.progress.PROGRESS_ENV`)."""

MIN_UPDATE_INTERVAL_SECONDS = 5.0
"""Kubernetes only: at most one update per this many seconds (as the existing SDK throttles)."""
TOKEN_CACHE_TTL_SECONDS = 300.0
"""The token file is re-read after this long (projected tokens rotate)."""
MAX_METRICS_COUNT = 256
"""At most this many metrics per update (the CRD's `maxItems`)."""
REQUEST_TIMEOUT_SECONDS = 5.0

_throttle_lock = threading.Lock()
_token_lock = threading.Lock()
_last_update_time = 0.0
_cached_token: str | None = None
_token_read_time = 0.0


def _read_token(token_path: str | None) -> str | None:
    global _cached_token, _token_read_time
    now = time.monotonic()
    with _token_lock:
        if _cached_token and now - _token_read_time < TOKEN_CACHE_TTL_SECONDS:
            return _cached_token
        if not token_path or not os.path.exists(token_path):
            return None
        try:
            with open(token_path, encoding="utf-8") as handle:
                _cached_token = handle.read().strip()
        except OSError as exc:
            _logger.warning("Unable to read the TrainJob status token from %s: %s", token_path, exc.strerror)
            return None
        _token_read_time = now
        return _cached_token


def _trainer_status(
    progress_percent: int | None, estimated_remaining_seconds: int | None, metrics: Mapping[str, Any] | None
) -> dict[str, Any]:
    status: dict[str, Any] = {"lastUpdatedTime": datetime.now(timezone.utc).isoformat()}
    if progress_percent is not None:
        status["progressPercentage"] = max(0, min(100, int(progress_percent)))
    if estimated_remaining_seconds is not None:
        status["estimatedRemainingSeconds"] = max(0, int(estimated_remaining_seconds))
    if metrics:
        if len(metrics) > MAX_METRICS_COUNT:
            _logger.warning(
                "metrics dict has %d entries, truncating to %d (SDK limit)", len(metrics), MAX_METRICS_COUNT
            )
            metrics = dict(list(metrics.items())[:MAX_METRICS_COUNT])
        status["metrics"] = [{"name": str(key), "value": str(value)} for key, value in metrics.items()]
    return status


def _post(url: str, body: dict[str, Any], token: str, ca_file: str | None) -> int:
    """POST `body` as JSON with the bearer token; return the HTTP status. Raises `OSError` on a transport error."""
    context = ssl.create_default_context(cafile=ca_file if ca_file and os.path.exists(ca_file) else None)
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS, context=context) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", errors="replace")
        exc.close()
        _logger.debug("Response body: %.500s", detail)
        return int(exc.code)


def _update_kubernetes(
    url: str,
    progress_percent: int | None,
    estimated_remaining_seconds: int | None,
    metrics: Mapping[str, Any] | None,
) -> bool:
    global _last_update_time
    with _throttle_lock:
        if time.monotonic() - _last_update_time < MIN_UPDATE_INTERVAL_SECONDS:
            return False
    token = _read_token(os.environ.get(ENV_TOKEN_PATH))
    if not token:
        _logger.debug("No authentication token available")
        return False
    body = {"trainerStatus": _trainer_status(progress_percent, estimated_remaining_seconds, metrics)}
    try:
        code = _post(url, body, token, os.environ.get(ENV_CA_CERT))
    except (OSError, ValueError) as exc:  # URLError, TLS and timeout errors are OSErrors
        _logger.warning("Failed to send status update: %s", getattr(exc, "reason", None) or type(exc).__name__)
        return False
    if code == 200:
        with _throttle_lock:
            _last_update_time = time.monotonic()
        _logger.debug("Status update sent: %s%%", progress_percent)
        return True
    _logger.warning("Status update failed: HTTP %s", code)
    return False


def update_trainjob_status(
    progress_percent: int | None = None,
    estimated_remaining_seconds: int | None = None,
    metrics: dict[str, float | int | str] | None = None,
) -> bool:
    """Report training progress from inside a job: to Kubeflow Trainer, or to the local job's history.

    Safe to call in any environment: returns `False` outside a job, and never raises.

    Args:
        progress_percent: How complete the job is, 0-100 (clamped).
        estimated_remaining_seconds: Estimated seconds until the job completes (clamped to >= 0).
        metrics: Metric name -> value (e.g. `{"loss": 0.42}`). At most 256 are kept. On Kubernetes the values are
            sent as strings, as the TrainJob status stores them.

    Returns:
        True if the report was recorded (Kubernetes: the status server answered 200; locally: appended).
        False outside a job, on any error, and on Kubernetes when called within 5 seconds of the last update.
    """
    try:
        if os.environ.get(LOCAL_PROGRESS_ENV):  # a local node (set by the local backend, so it wins)
            from kubeflow.core.local import progress

            return progress.report(
                progress_percent=progress_percent,
                estimated_remaining_seconds=estimated_remaining_seconds,
                metrics=metrics,
            )
        url = os.environ.get(ENV_SERVER_URL)
        if url:
            return _update_kubernetes(url, progress_percent, estimated_remaining_seconds, metrics)
        return False
    except Exception as exc:  # reporting must never fail training
        _logger.warning("Unexpected error in update_trainjob_status: %s", type(exc).__name__)
        return False


__all__ = ["update_trainjob_status"]
