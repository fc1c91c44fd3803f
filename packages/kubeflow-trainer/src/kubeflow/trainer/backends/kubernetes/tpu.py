"""TPU sizing: how many nodes a multi-slice TPU job needs."""

from __future__ import annotations

from kubeflow.core.errors import InvalidInputError


def get_tpu_num_nodes(num_slices: int, topology: str, chips_per_host: int = 4) -> int:
    """The total number of nodes (hosts) a job needs across `num_slices` TPU slices of `topology`.

    Pass the result as `CustomTrainer(num_nodes=...)`. A slice of `A x B (x C)` chips needs `chips / chips_per_host`
    hosts (one host when it has fewer chips than a host).

    Args:
        num_slices: The number of TPU slices (> 0).
        topology: The slice topology, `AxB` or `AxBxC`, e.g. `"2x2"`, `"2x2x4"`, `"4x4"`.
        chips_per_host: TPU chips per host VM (> 0), e.g. 4 for ct6e-standard-4t, 8 for ct6e-standard-8t.

    Returns:
        The number of nodes across all slices.

    Raises:
        InvalidInputError: (a `ValueError`) an argument is not positive, the topology is malformed, or a multi-host
            slice's chips do not divide evenly among its hosts.
    """
    if num_slices <= 0:
        raise InvalidInputError("num_slices", f"must be positive, got: {num_slices}.")
    if chips_per_host <= 0:
        raise InvalidInputError("chips_per_host", f"must be positive, got: {chips_per_host}.")
    if not topology:
        raise InvalidInputError("topology", "TPU topology must be specified.", "Pass e.g. '2x2' or '2x2x4'.")
    try:
        dims = [int(part) for part in topology.lower().split("x")]
    except ValueError:
        dims = []
    if len(dims) not in (2, 3):
        raise InvalidInputError(
            "topology",
            f"invalid topology format: {topology!r}.",
            "Give 2 or 3 dimensions formatted as 'AxB' or 'AxBxC' (e.g. '2x2', '2x2x2').",
        )
    if any(dim <= 0 for dim in dims):
        raise InvalidInputError("topology", f"TPU topology dimensions must be positive, got: {topology!r}.")
    chips_per_slice = 1
    for dim in dims:
        chips_per_slice *= dim
    if chips_per_slice < chips_per_host:
        return num_slices
    if chips_per_slice % chips_per_host:
        raise InvalidInputError(
            "topology",
            f"total TPU chips in slice ({chips_per_slice}) must be cleanly divisible by chips_per_host "
            f"({chips_per_host}).",
            "Check the topology and the chips per host of the VM type.",
        )
    return num_slices * (chips_per_slice // chips_per_host)
