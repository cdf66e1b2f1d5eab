"""Argument checks shared by the package: each raises ``ValueError`` naming the parameter and value."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any


def _is_real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def check_finite(name: str, value: Any) -> float:
    """``value`` as a float; ``ValueError`` if it is not a finite real number."""
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_nonneg(name: str, value: Any) -> float:
    """A finite number >= 0."""
    value = check_finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    value = check_finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_unit_interval(name: str, value: Any) -> float:
    """A number in the half-open interval [0, 1), as a decay rate must be."""
    value = check_finite(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def check_positive_int(name: str, value: Any) -> int:
    """An integer >= 1 (``bool`` is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) and not (
        _is_real(value) and float(value).is_integer()
    ):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
