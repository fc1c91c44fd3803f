"""update_trainjob_status, TrainJob.trainer_status and get_job_metrics, on a real local job and on Kubernetes.

The Kubernetes path is tested as Kubeflow Trainer runs it: a status server over HTTPS (a loopback server with a
certificate from a throwaway CA, `trustme`) that checks the bearer token and writes what it receives into the
TrainJob's `status.trainerStatus` through the API server (the emulator, which validates it against the CRD), while
`update_trainjob_status` runs in a separate process with only the environment the controller injects.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

import kubeflow.trainer.progress as progress_module
from kube_emulator import KubeEmulator
from kubeflow.core.errors import NotFoundError
from kubeflow.trainer import (
    CustomTrainer,
    CustomTrainerContainer,
    KubernetesBackendConfig,
    LocalProcessBackendConfig,
    ProgressRecord,
    TrainerClient,
    TrainerStatus,
    TrainJob,
    update_trainjob_status,
)
from kubeflow.trainer.options import Name

TOKEN = "sa-t0ken-never-in-logs"
TRAINER = "trainer.kubeflow.org/v1alpha1"


@dataclass
class StatusServer:
    """A loopback HTTPS status server; `answer` is the status it replies with; requests are recorded."""

    url: str
    ca_file: Path
    token_file: Path
    requests: list[dict[str, Any]] = field(default_factory=list)
    answer: int = 200
    on_post: Any = None


@pytest.fixture
def status_server(tmp_path: Path) -> Iterator[StatusServer]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = tmp_path / "ca.crt"
    ca.cert_pem.write_to_path(str(ca_file))
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    state: dict[str, StatusServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            server = state["server"]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            code = server.answer
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                code = 401
            elif code == 200 and server.on_post is not None:
                server.on_post(self.path, body)
            payload = b"{}"
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    server = StatusServer(
        url=f"https://127.0.0.1:{port}/apis/trainer.kubeflow.org/v1alpha1/namespaces/default/trainjobs/job-a/status",
        ca_file=ca_file,
        token_file=token_file,
    )
    state["server"] = server
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def job_env(server: StatusServer, **overrides: str) -> dict[str, str]:
    """The environment of a trainer node as the Trainer controller sets it (plus what Python needs)."""
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("KUBEFLOW_")}
    env.update(
        {
            "KUBEFLOW_TRAINER_SERVER_URL": server.url,
            "KUBEFLOW_TRAINER_SERVER_CA_CERT": str(server.ca_file),
            "KUBEFLOW_TRAINER_SERVER_TOKEN": str(server.token_file),
        }
    )
    env.update(overrides)
    return env


def run_in_job(code: str, env: dict[str, str]) -> list[Any]:
    """Run `code` in a fresh interpreter (like a trainer node); it prints one JSON value per line."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def fresh_reporter(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests start as a new job would: no update sent yet, no token cached."""
    monkeypatch.setattr(progress_module, "_last_update_time", 0.0)
    monkeypatch.setattr(progress_module, "_cached_token", None)


# -- Kubernetes: the request, exactly as the existing SDK sends it ----------------------------------------------


def test_kubernetes_report_is_posted_with_the_token_over_verified_tls_and_throttled(
    status_server: StatusServer,
) -> None:
    results = run_in_job(
        """
        import json
        from kubeflow.trainer import update_trainjob_status
        print(json.dumps(update_trainjob_status(
            progress_percent=150, estimated_remaining_seconds=-3, metrics={"loss": 0.5, "epoch": 2, "tag": "a"})))
        print(json.dumps(update_trainjob_status(progress_percent=60)))
        """,
        job_env(status_server),
    )
    assert results == [True, False]  # the second call, within 5 s, is throttled: nothing sent
    (request,) = status_server.requests
    assert request["path"].endswith("/trainjobs/job-a/status")
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    status = request["body"]["trainerStatus"]
    assert set(request["body"]) == {"trainerStatus"}
    assert status["progressPercentage"] == 100 and status["estimatedRemainingSeconds"] == 0
    assert status["metrics"] == [
        {"name": "loss", "value": "0.5"},
        {"name": "epoch", "value": "2"},
        {"name": "tag", "value": "a"},
    ]
    assert status["lastUpdatedTime"].endswith("+00:00")


def test_old_import_path_still_works(status_server: StatusServer) -> None:
    results = run_in_job(
        """
        import json
        from kubeflow.trainer.backends.kubernetes.utils import update_trainjob_status
        print(json.dumps(update_trainjob_status(progress_percent=10)))
        """,
        job_env(status_server),
    )
    assert results == [True]
    assert status_server.requests[0]["body"]["trainerStatus"]["progressPercentage"] == 10


def test_server_errors_and_untrusted_certificates_return_false_and_never_raise(
    status_server: StatusServer, fresh_reporter: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for key, value in job_env(status_server).items():
        if key.startswith("KUBEFLOW_"):
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("KUBEFLOW_PROGRESS_FILE", raising=False)
    status_server.answer = 500
    with caplog.at_level(logging.DEBUG, logger="kubeflow.trainer.progress"):
        assert update_trainjob_status(progress_percent=1) is False
        assert "HTTP 500" in caplog.text
        status_server.answer = 200
        assert update_trainjob_status(progress_percent=2) is True  # a failure does not start the throttle window
        assert len(status_server.requests) == 2
        # A CA that did not sign the server's certificate: the TLS handshake fails, nothing is sent.
        other_ca = status_server.ca_file.parent / "other-ca.crt"
        trustme.CA().cert_pem.write_to_path(str(other_ca))
        monkeypatch.setenv("KUBEFLOW_TRAINER_SERVER_CA_CERT", str(other_ca))
        monkeypatch.setattr(progress_module, "_last_update_time", 0.0)
        assert update_trainjob_status(progress_percent=3) is False
        assert len(status_server.requests) == 2
    assert TOKEN not in caplog.text


def test_without_a_token_or_outside_a_job_nothing_is_sent(
    status_server: StatusServer, fresh_reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("KUBEFLOW_TRAINER_SERVER_URL", "KUBEFLOW_PROGRESS_FILE"):
        monkeypatch.delenv(key, raising=False)
    assert update_trainjob_status(progress_percent=5) is False
    monkeypatch.setenv("KUBEFLOW_TRAINER_SERVER_URL", status_server.url)
    monkeypatch.setenv("KUBEFLOW_TRAINER_SERVER_TOKEN", str(status_server.token_file.parent / "missing"))
    assert update_trainjob_status(progress_percent=5) is False
    assert status_server.requests == []


def test_bad_arguments_never_raise(
    status_server: StatusServer, fresh_reporter: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in job_env(status_server).items():
        if key.startswith("KUBEFLOW_"):
            monkeypatch.setenv(key, value)
    assert update_trainjob_status(progress_percent="lots") is False  # type: ignore[arg-type]
    assert status_server.requests == []


# -- Kubernetes: from the job to get_job() through the API server -----------------------------------------------


def test_kubernetes_trainer_status_reaches_get_job_and_list_jobs(
    status_server: StatusServer, kube_emulator: KubeEmulator, kubeconfig_path: Path
) -> None:
    from kubernetes import client as k8s

    client = TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))
    name = client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("job-a")])
    assert client.get_job(name).trainer_status is None
    assert client.get_job_metrics(name) == []
    api = k8s.CustomObjectsApi(k8s.ApiClient(kube_emulator.client_configuration()))

    def write_status(path: str, body: dict[str, Any]) -> None:  # what the Trainer controller does with a report
        parts = path.split("/")
        namespace, job = parts[parts.index("namespaces") + 1], parts[parts.index("trainjobs") + 1]
        api.patch_namespaced_custom_object_status(
            "trainer.kubeflow.org", "v1alpha1", namespace, "trainjobs", job, {"status": body}
        )

    status_server.on_post = write_status
    results = run_in_job(
        """
        import json
        from kubeflow.trainer import update_trainjob_status
        print(json.dumps(update_trainjob_status(
            progress_percent=40, estimated_remaining_seconds=90, metrics={"loss": 0.25, "step": 7, "opt": "adam"})))
        """,
        job_env(status_server),
    )
    assert results == [True]
    stored = kube_emulator.get(TRAINER, "TrainJob", name, "default")
    assert stored is not None and stored["status"]["trainerStatus"]["progressPercentage"] == 40
    job = client.get_job(name)
    assert isinstance(job.trainer_status, TrainerStatus)
    assert job.trainer_status.progress_percent == 40
    assert job.trainer_status.estimated_remaining_seconds == 90
    assert job.trainer_status.metrics == {"loss": 0.25, "step": 7, "opt": "adam"}
    assert job.trainer_status.last_updated_time is not None
    (listed,) = [each for each in client.list_jobs() if each.name == name]
    assert listed.trainer_status == job.trainer_status
    (record,) = client.get_job_metrics(name)
    assert isinstance(record, ProgressRecord)
    assert record.progress_percent == 40 and record.metrics["loss"] == 0.25
    assert record.time == job.trainer_status.last_updated_time
    with pytest.raises(NotFoundError):
        client.get_job_metrics("no-such-job")


# -- Local processes: every report is recorded -------------------------------------------------------------------


def report_epochs(epochs: int) -> None:
    from kubeflow.trainer import update_trainjob_status

    results = []
    for epoch in range(epochs):
        results.append(
            update_trainjob_status(
                progress_percent=(epoch + 1) * 100 // epochs,
                estimated_remaining_seconds=epochs - epoch - 1,
                metrics={"loss": 1.0 / (epoch + 1), "epoch": epoch},
            )
        )
    print("results", results)


def test_local_job_records_every_report_and_get_job_shows_the_latest(tmp_path: Path) -> None:
    client = TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))
    name = client.train(trainer=CustomTrainer(func=report_epochs, func_args={"epochs": 4}), options=[Name("local-a")])
    job = client.wait_for_job_status(name, timeout=120)
    assert "results [True, True, True, True]" in list(client.get_job_logs(name))  # no throttling locally
    assert isinstance(job, TrainJob) and job.trainer_status is not None
    assert job.trainer_status.progress_percent == 100
    assert job.trainer_status.estimated_remaining_seconds == 0
    assert job.trainer_status.metrics == {"loss": 0.25, "epoch": 3}
    history = client.get_job_metrics(name)
    assert [record.metrics["epoch"] for record in history] == [0, 1, 2, 3]
    assert [record.progress_percent for record in history] == [25, 50, 75, 100]
    assert all(record.node == "node-0" for record in history)
    assert job.trainer_status.last_updated_time == history[-1].time
    (listed,) = client.list_jobs()
    assert listed.trainer_status == job.trainer_status
    with pytest.raises(NotFoundError):
        client.get_job_metrics("no-such-job")


def test_a_job_that_reports_nothing_has_no_trainer_status(tmp_path: Path) -> None:
    client = TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))
    name = client.train(trainer=CustomTrainer(func=report_epochs, func_args={"epochs": 0}))
    job = client.wait_for_job_status(name, timeout=120)
    assert job.trainer_status is None
    assert client.get_job_metrics(name) == []


def test_trainjob_keeps_its_existing_constructor() -> None:
    from datetime import datetime, timezone

    from kubeflow.trainer import Runtime, RuntimeTrainer, TrainerType

    runtime = Runtime(name="r", trainer=RuntimeTrainer(trainer_type=TrainerType.CUSTOM_TRAINER, framework="torch"))
    job = TrainJob(name="j", runtime=runtime, steps=[], num_nodes=1, creation_timestamp=datetime.now(timezone.utc))
    assert job.trainer_status is None


def test_a_local_node_records_locally_even_inside_a_kubernetes_pod(
    status_server: StatusServer, fresh_reporter: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kubeflow.core.local import progress

    assert progress.PROGRESS_ENV == progress_module.LOCAL_PROGRESS_ENV
    for key, value in job_env(status_server).items():
        if key.startswith("KUBEFLOW_"):
            monkeypatch.setenv(key, value)
    history = tmp_path / "progress.jsonl"
    monkeypatch.setenv(progress.PROGRESS_ENV, str(history))
    assert update_trainjob_status(progress_percent=7, metrics={"loss": 1.5}) is True
    assert update_trainjob_status(progress_percent=8) is True  # no throttle locally
    assert [r.progress_percent for r in progress.read(history)] == [7, 8]
    assert status_server.requests == []


def test_local_summary_reads_only_what_was_appended_and_waits_for_whole_lines(tmp_path: Path) -> None:
    from kubeflow.core.local import progress
    from kubeflow.trainer.backends.local.progress_summary import ProgressSummaries, to_trainer_status

    path = tmp_path / "progress.jsonl"
    summaries = ProgressSummaries()
    assert summaries.status("j", path) is None
    progress.report(progress_percent=10, metrics={"loss": 2.0, "acc": 0.1}, path=path)
    assert summaries.status("j", path) == to_trainer_status(progress.summarize(progress.read(path)))
    with open(path, "ab") as handle:  # a report being written: half a line
        handle.write(b'{"time":"2026-01-01T00:00:00+00:00","progress_percent":5')
    first = summaries.status("j", path)
    assert first is not None and first.progress_percent == 10
    with open(path, "ab") as handle:
        handle.write(b',"metrics":{"loss":1.0}}\n')
    progress.report(estimated_remaining_seconds=30, path=path)
    now = summaries.status("j", path)
    assert now == to_trainer_status(progress.summarize(progress.read(path)))
    assert now is not None and now.progress_percent == 5 and now.metrics == {"loss": 1.0, "acc": 0.1}
    assert now.estimated_remaining_seconds == 30
    path.unlink()  # the job deleted and another of the same name started
    for _ in range(5):  # longer than what was read before: only the job's creation time tells them apart
        progress.report(progress_percent=1, path=path)
    again = summaries.status("j", path, generation="second job")
    assert again is not None and again.progress_percent == 1 and again.metrics == {}


def report_after_a_signal(go: str) -> None:
    import os
    import time

    from kubeflow.trainer import update_trainjob_status

    while not os.path.exists(go):
        time.sleep(0.02)
    print("reported", update_trainjob_status(progress_percent=50, metrics={"loss": 0.5}))


def test_a_progress_file_replaced_by_a_symlink_or_fifo_is_never_followed(tmp_path: Path) -> None:
    """progress.jsonl is private: never written or read through a symlink, and a FIFO in its place never blocks."""
    root = tmp_path / "state"
    client = TrainerClient(LocalProcessBackendConfig(state_dir=root))
    go = tmp_path / "go"
    name = client.train(trainer=CustomTrainer(func=report_after_a_signal, func_args={"go": str(go)}))
    outside = tmp_path / "outside.jsonl"
    planted = '{"time": "2026-01-01T00:00:00+00:00", "progress_percent": 99}\n'
    outside.write_text(planted)
    target = root / name / "progress.jsonl"
    target.unlink(missing_ok=True)
    target.symlink_to(outside)
    try:
        assert client.get_job(name).trainer_status is None
        assert client.get_job_metrics(name) == []
    finally:
        go.touch()  # the job ends either way
    client.wait_for_job_status(name, timeout=120)
    assert "reported False" in list(client.get_job_logs(name))
    assert outside.read_text() == planted
    target.unlink()
    os.mkfifo(target)
    assert client.get_job(name).trainer_status is None  # returns at once: a blocking open would hang here
    assert client.get_job_metrics(name) == []
