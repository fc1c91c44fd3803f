"""Log reading of the local-process engine: whole logs, tails, and following a growing file."""

from __future__ import annotations

import threading
from pathlib import Path

from kubeflow.core.local.logs import follow_lines, read_lines, tail_lines


def test_read_and_tail_handle_missing_files_partial_lines_and_bad_bytes(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    assert list(read_lines(log)) == [] and tail_lines(log, 5) == []
    log.write_bytes(b"one\r\ntwo\n\xffthree")
    assert list(read_lines(log)) == ["one", "two", "\ufffdthree"]
    assert tail_lines(log, 2) == ["two", "\ufffdthree"]
    assert tail_lines(log, 0) == []


def test_tail_of_a_large_log_is_its_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_text("".join(f"line {i}\n" for i in range(100_000)))
    assert tail_lines(log, 3) == ["line 99997", "line 99998", "line 99999"]


def test_follow_waits_for_the_file_and_yields_lines_as_written(tmp_path: Path) -> None:
    log = tmp_path / "later.log"
    done = threading.Event()
    wrote_first = threading.Event()
    seen: list[str] = []

    def writer() -> None:
        with open(log, "w") as handle:
            handle.write("first\nsec")
            handle.flush()
            wrote_first.set()
            assert seen_first.wait(30)
            handle.write("ond\nunterminated")
        done.set()

    seen_first = threading.Event()
    thread = threading.Thread(target=writer)
    thread.start()
    lines = follow_lines(log, done.is_set, poll=0.005)
    seen.append(next(lines))
    seen_first.set()
    seen.extend(lines)
    thread.join()
    assert seen == ["first", "second", "unterminated"]
    assert wrote_first.is_set()
