"""Argument checks shared by the demos: ValueError naming the argument and the value given."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

MAX_STEPS = 5000
MAX_RUNS = 10_000


def _number(name: str, value: Any, *, low: float | None = None, positive: bool = False,
            high: float | None = None) -> float:
    """``value`` as a float, or ValueError naming ``name`` if it is not a finite real in range."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low:g}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}, got {value!r}")
    return value


def _integer(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _floats(a: Any) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]
