"""Checked sentences: ``claim(holds, statement, **numbers)`` raises ``ClaimError`` when a sentence
of the guide is not true of the numbers behind it, so the build fails instead of printing it.

(A minimal version: the full one arrives with another branch and keeps this API.)
"""

from __future__ import annotations

from typing import Any


class ClaimError(AssertionError):
    """A sentence of the guide that its own numbers contradict."""


def claim(holds: Any, statement: str, **numbers: Any) -> None:
    """``ClaimError`` naming ``statement`` and the ``numbers`` it was checked against, unless
    ``holds`` is true."""
    if not holds:
        shown = ", ".join(f"{k}={v!r}" for k, v in numbers.items())
        raise ClaimError(f"claim fails: {statement}" + (f" ({shown})" if shown else ""))
