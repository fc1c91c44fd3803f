"""Advisory file locks (`fcntl.flock`) shared between processes on one machine.

A lock file is never deleted: deleting it while another process waits on it would let two processes each hold
"the" lock on different inodes. Lock files are empty and one per key, so they cost nothing worth reclaiming.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class FileLock:
    """An exclusive or shared `flock` on a file, held by this object until released.

    Locks taken through two `FileLock` objects conflict even inside one process, so a process that holds an entry's
    shared lock cannot also take it exclusively by accident.

    Args:
        path: The lock file; created (mode 0600, parent directories included) when first locked.
        shared: Take a shared lock (many holders) instead of an exclusive one.
    """

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self.path = path
        self.shared = shared
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the lock.

        Args:
            blocking: Wait until the lock is free; otherwise give up at once when another holder conflicts.

        Returns:
            True when the lock is held, False when `blocking` is False and the lock is taken.
        """
        if self._fd is not None:
            return True
        if not self.path.parent.is_dir():
            self.path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        operation = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
        if not blocking:
            operation |= fcntl.LOCK_NB
        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def fileno(self) -> int:
        """The descriptor holding the lock, to pass to a child process (`subprocess.Popen(pass_fds=...)`).

        A child that inherits it holds the lock too, until it exits, even after this object is released.

        Raises:
            RuntimeError: The lock is not held.
        """
        if self._fd is None:
            raise RuntimeError(f"The lock {self.path} is not held.")
        return self._fd

    def release(self) -> None:
        """Release the lock if held.

        The descriptor is closed, not unlocked, so a child process that inherited it keeps the lock until it exits.
        """
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
