"""What a job environment build is doing, told through logging so terminals, notebooks and logs all see it.

Every record goes to the `kubeflow.core.local.envs` logger at INFO with a readable message and, for renderers
(the `kubeflow` command line draws a live status from them), `extra={"kubeflow_progress": {...}}`:

| phase | when | `packages` |
| --- | --- | --- |
| `resolving` | uv starts resolving the requirements | the number of requirements |
| `downloading` | uv resolved them and fetches what it lacks | packages resolved |
| `installing` | the packages are ready and being installed | packages prepared |
| `ready` | the environment is built | packages installed |
| `cached` | an environment built earlier is reused | `None` |

A build takes seconds to minutes. Where the program has configured no logging at all (a plain script, a notebook),
the records of a build are also written to stderr while it runs, so a first `train()` is never silent; a program
that configures logging decides for itself.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from types import TracebackType

LOGGER_NAME = "kubeflow.core.local.envs"
PROGRESS_KEY = "kubeflow_progress"
logger = logging.getLogger(LOGGER_NAME)

# uv's own summary lines (stderr, without progress bars): "Resolved 12 packages in 1.21s", "Prepared 3 packages ...",
# "Installed 12 packages in 40ms" (also "Resolved 1 package").
_UV_LINE = re.compile(r"^(Resolved|Prepared|Installed) (\d+) packages?\b")
_NEXT_PHASE = {"Resolved": "downloading", "Prepared": "installing", "Installed": "ready"}


def announce(phase: str, env: str, message: str, packages: int | None = None) -> None:
    """Log one progress record of the build of environment `env` (a short cache key)."""
    logger.info(message, extra={PROGRESS_KEY: {"phase": phase, "packages": packages, "env": env}})


class BuildAnnouncer:
    """Turns the lines uv prints while it installs into progress records for one build (a context manager)."""

    def __init__(self, env: str, requirements: list[str]) -> None:
        """Prepare to announce the build of `env` from `requirements` (already masked of credentials)."""
        self.env = env
        self.requirements = requirements
        self.started = time.monotonic()
        self._fallback: logging.Handler | None = None
        self._level = logging.NOTSET

    def __enter__(self) -> BuildAnnouncer:
        if not logger.hasHandlers():  # nothing configured: show the build on stderr rather than stay silent
            self._fallback = logging.StreamHandler(sys.stderr)
            self._fallback.setFormatter(logging.Formatter("kubeflow: %(message)s"))
            logger.addHandler(self._fallback)
            self._level = logger.level
            if logger.getEffectiveLevel() > logging.INFO:
                logger.setLevel(logging.INFO)
        shown = ", ".join(self.requirements[:4])
        if len(self.requirements) > 4:
            shown += f" and {len(self.requirements) - 4} more"
        announce(
            "resolving", self.env, f"Building job environment {self.env}: resolving {shown}", len(self.requirements)
        )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._fallback is not None:
            logger.removeHandler(self._fallback)
            logger.setLevel(self._level)
            self._fallback = None

    def line(self, text: str) -> None:
        """Feed one line of uv's output."""
        match = _UV_LINE.match(text.strip())
        if match is None:
            return
        verb, count = match.group(1), int(match.group(2))
        phase = _NEXT_PHASE[verb]
        packages = f"{count} package{'' if count == 1 else 's'}"
        if phase == "downloading":
            message = f"Job environment {self.env}: resolved {packages}, downloading what is not cached"
        elif phase == "installing":
            message = f"Job environment {self.env}: {packages} downloaded, installing"
        else:
            seconds = time.monotonic() - self.started
            message = f"Job environment {self.env} ready: {packages} installed in {seconds:.1f} s"
        announce(phase, self.env, message, count)
