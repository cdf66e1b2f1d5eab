"""Helpers for writing a widget's description (its controls and calls)."""

from __future__ import annotations


def C(name: str) -> dict:
    """A keyword argument standing for the value of control ``name``."""
    return {"$": name}


def _steps(lo: float, hi: float, step: float) -> list[float]:
    n = int(round((hi - lo) / step))
    return [round(lo + i * step, 10) for i in range(n + 1)]
