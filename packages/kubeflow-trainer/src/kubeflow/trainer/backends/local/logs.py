"""Reading every node's log at once (`step="all"`): lines prefixed with `[node-i]`.

The interleaving itself is `LocalProcessBackend.log_iter_many` (kubeflow.core): one thread, no read-ahead, so a slow
consumer bounds the memory used and closing the iterator stops all reading.
"""

from __future__ import annotations

from typing import Final

ALL_STEPS: Final = "all"
"""The `step` that means every training node."""
