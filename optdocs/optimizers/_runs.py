"""Norms for the optimizers that can step a stack of independent runs (``stacked=True``).

optdocs.nn trains many networks at once with their parameters stacked along a leading axis. An
elementwise rule steps such a stack as it is; a rule that takes norms of whole arrays (Adafactor,
Muon) must take them per run. ``norm`` takes each run's norm as ``np.linalg.norm`` does, on that
run's array alone, so a stacked step equals one optimizer per run bit for bit
(tests/test_optimizers_stacked.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def norm(x: np.ndarray, stacked: bool) -> float | np.ndarray:
    """``np.linalg.norm(x)`` (a float); with ``stacked``, the norm of each ``x[r]``, shaped
    ``(R, 1, ..., 1)`` to broadcast against ``x``."""
    if not stacked:
        return float(_norm(x))
    return np.array([_norm(run) for run in x]).reshape((len(x),) + (1,) * (x.ndim - 1))


def _norm(x: np.ndarray):
    """``np.linalg.norm(x)`` of a float array, as NumPy computes it (the square root of the
    flattened array's dot product with itself), without its checks of ``ord`` and ``axis``:
    Adafactor and Muon take two norms per run and step."""
    flat = x.ravel(order="K")
    return np.sqrt(flat.dot(flat))


def run_size(x: np.ndarray, stacked: bool) -> int:
    """The number of elements of one run's array."""
    return x[0].size if stacked else x.size


class StackedRuns:
    """For an optimizer with a ``stacked`` option: its checkpoint records the option, and a
    checkpoint saved with the other setting is refused (its state would fit, its norms not)."""

    stacked: bool = False

    def state_dict(self) -> dict:
        sd = super().state_dict()  # type: ignore[misc]
        sd["stacked"] = self.stacked
        return sd

    def load_state_dict(self, sd) -> None:
        saved = sd.get("stacked", False) if isinstance(sd, Mapping) else False
        if not isinstance(saved, bool | np.bool_) or bool(saved) != self.stacked:
            raise ValueError(f"state dict's stacked is {saved!r}; this {type(self).__name__} has "
                             f"stacked={self.stacked} (make it with the same setting)")
        super().load_state_dict(sd)  # type: ignore[misc]
