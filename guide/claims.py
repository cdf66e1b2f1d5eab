"""Build-time checks of the sentences the guide states.

``claim(holds, statement, **numbers)`` raises :class:`ClaimError` naming the statement and the
numbers behind it when ``holds`` is false, so a change that breaks a sentence of the guide fails the
build instead of leaving it false on the page.
"""

from __future__ import annotations

from typing import Any


class ClaimError(Exception):
    """A sentence of the guide no longer follows from the numbers computed for it."""


def claim(holds: bool, statement: str, **numbers: Any) -> None:
    """Raise :class:`ClaimError` unless ``holds``; the message names ``statement`` and ``numbers``."""
    if not holds:
        detail = ", ".join(f"{k}={v!r}" for k, v in numbers.items())
        raise ClaimError(f"claim fails: {statement}" + (f" ({detail})" if detail else ""))
