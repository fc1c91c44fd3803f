"""Live output of the real console script: logs streamed as written, node prefixes, Ctrl-C, the wait bar."""

from __future__ import annotations

import json
import os
import pty
import queue
import select
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from cli_support import SCRIPT, Cli, wait_until

JOBS = """
def gated(flag: str, count: int = 2):
    import os
    import time

    print("first line", flush=True)
    while not os.path.exists(flag):
        time.sleep(0.05)
    for i in range(count):
        print(f"after {i}", flush=True)


def sleeper(seconds: float = 120):
    import time

    print("sleeping", flush=True)
    time.sleep(seconds)


def ranks():
    import os

    print(f"hello from rank {os.environ['RANK']}", flush=True)


def reporting(flag: str):
    import os
    import time

    from kubeflow.core.local import progress

    progress.report(progress_percent=40, estimated_remaining_seconds=90, metrics={"loss": 0.25, "acc": 0.5})
    print("reported", flush=True)
    while not os.path.exists(flag):
        time.sleep(0.05)
"""


@pytest.fixture
def jobs_py(cli: Cli) -> str:
    return str(cli.write("jobs.py", JOBS))


class Lines:
    """Reads a process's stdout on a thread, so a test can wait for a line with a deadline."""

    def __init__(self, proc: subprocess.Popen[str], stderr: bool = False) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        stream = proc.stderr if stderr else proc.stdout
        assert stream is not None

        def pump() -> None:
            for line in stream:
                self.lines.put(line.rstrip("\n"))
            self.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def next(self, timeout: float = 60) -> str | None:
        return self.lines.get(timeout=timeout)


def test_train_follow_streams_lines_as_they_are_written(cli: Cli, jobs_py: str, tmp_path: Path) -> None:
    flag = tmp_path / "go"
    proc = cli.popen("trainer", "train", f"{jobs_py}:gated", "--arg", f"flag={flag}", "--name", "gated", "--follow")
    with proc:
        lines = Lines(proc)
        assert lines.next() == "first line"  # printed while the job is still blocked on the flag
        assert proc.poll() is None
        assert cli.json("trainer", "get", "gated")["status"] == "Running"
        flag.touch()
        assert [lines.next(), lines.next(), lines.next()] == ["after 0", "after 1", None]
        assert proc.wait(timeout=60) == 0
        assert proc.stderr is not None
        err = proc.stderr.read()
        assert "Created job gated; following node-0" in err and "Job gated: Complete." in err


@pytest.mark.parametrize("command", ["logs", "train", "wait"])
def test_ctrl_c_stops_following_and_leaves_the_job_running(cli: Cli, jobs_py: str, command: str) -> None:
    if command == "train":
        proc = cli.popen("trainer", "train", f"{jobs_py}:sleeper", "--name", "kept", "--follow")
    else:
        assert cli("trainer", "train", f"{jobs_py}:sleeper", "--name", "kept").code == 0
        wait_until(lambda: cli("trainer", "logs", "kept").out.strip() == "sleeping", what="the job's first line")
        args = ["logs", "kept", "-f"] if command == "logs" else ["wait", "kept", "--verbose"]
        proc = cli.popen("trainer", *args)
    with proc:
        out, err = Lines(proc), Lines(proc, stderr=True)
        if command == "wait":  # with --verbose it says so once it has found the job and is waiting
            while not (err.next() or "Waiting").startswith("Waiting"):  # other --verbose logging may come first
                pass
        else:
            assert out.next() == "sleeping"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        said = "\n".join(line for line in iter(err.next, None))
        assert "kept" in said and "keeps running" in said, said
        assert "Traceback" not in said
    job = cli.json("trainer", "get", "kept")
    assert job["status"] == "Running"  # Ctrl-C reached the CLI only, not the job
    assert cli("trainer", "delete", "kept").code == 0


def test_step_all_prefixes_every_node_and_json_lines_name_the_step(cli: Cli, jobs_py: str) -> None:
    result = cli(
        "trainer", "train", f"{jobs_py}:ranks", "--num-nodes", "2", "--name", "two", "--follow", "--step", "all"
    )
    assert result.code == 0, result
    assert sorted(result.out.splitlines()) == ["[node-0] hello from rank 0", "[node-1] hello from rank 1"]
    as_json = cli("trainer", "logs", "two", "--step", "all", "-o", "json")
    assert as_json.code == 0, as_json
    records = sorted((json.loads(line) for line in as_json.out.splitlines()), key=lambda r: r["step"])
    assert records == [
        {"step": "node-0", "line": "hello from rank 0"},
        {"step": "node-1", "line": "hello from rank 1"},
    ]
    one = cli("trainer", "logs", "two", "--step", "node-1", "-f")
    assert one.out.splitlines() == ["hello from rank 1"]


def _run_on_a_terminal(cli: Cli, *args: str, timeout: float = 90) -> tuple[int, str, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return (exit code, terminal output, stdout-only)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(SCRIPT), *args],
        env={**cli.env, "TERM": "xterm-256color", "COLUMNS": "120"},
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=cli.root,
    )
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                raise AssertionError("no output from the CLI on the terminal")
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            chunks.append(data)
        return proc.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace"), ""
    finally:
        os.close(master)
        proc.kill()
        proc.wait()


def test_tables_on_a_terminal_and_the_live_wait_bar(cli: Cli, jobs_py: str, tmp_path: Path) -> None:
    flag = tmp_path / "done"
    assert cli("trainer", "train", f"{jobs_py}:reporting", "--arg", f"flag={flag}", "--name", "prog").code == 0
    wait_until(lambda: cli("trainer", "logs", "prog").out.strip() == "reported", what="the progress report")
    code, screen, _ = _run_on_a_terminal(cli, "trainer", "jobs")
    assert code == 0
    assert "NAME" in screen and "STATUS" in screen and "prog" in screen  # a table, not JSON, on a terminal
    timer = threading.Timer(3.0, flag.touch)
    timer.start()
    try:
        code, screen, _ = _run_on_a_terminal(cli, "trainer", "wait", "prog", "--interval", "0.2")
    finally:
        timer.cancel()
        flag.touch()
    assert code == 0, screen
    assert "prog" in screen and "Complete" in screen
    if _has_trainer_status():
        assert "40%" in screen and "loss=0.25" in screen
        job = cli.json("trainer", "get", "prog")
        assert job["trainer_status"]["progress_percent"] == 40
        assert job["trainer_status"]["metrics"] == {"loss": 0.25, "acc": 0.5}
        code, screen, _ = _run_on_a_terminal(cli, "trainer", "jobs")
        assert "40%" in screen and "PROGRESS" in screen


def _has_trainer_status() -> bool:
    import dataclasses

    from kubeflow.trainer import TrainJob

    return any(field.name == "trainer_status" for field in dataclasses.fields(TrainJob))


def test_a_closed_pipe_ends_quietly(cli: Cli, jobs_py: str) -> None:
    assert cli("trainer", "train", f"{jobs_py}:ranks", "--num-nodes", "3", "--name", "many", "--follow").code == 0
    with cli.popen("trainer", "logs", "many", "--step", "all", "-f") as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader went away, like `| head -0`
        assert proc.wait(timeout=60) in (0, 1)  # 1 is Python's convention for EPIPE
        assert proc.stderr.read() == ""  # quietly: no traceback, no "Exception ignored"
