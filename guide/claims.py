"""Claims: the sentences of a page that its computed numbers must support.

A chapter module checks what its page says with :func:`claim`::

    from guide.claims import claim

    claim(escaped_large > escaped_small,
          "a larger learning rate escapes the shallow well more often",
          escaped_large=escaped_large, escaped_small=escaped_small)

When the condition is false, :class:`ClaimError` is raised with the sentence and every number, and
the build fails. It is a plain ``raise``, never ``assert``, so ``python -O`` (which drops asserts)
checks claims too. Group a page's claims in a function registered with
:func:`guide.registry.checks`; they then run before any figure or number of that module is
computed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClaimError", "claim"]


class ClaimError(Exception):
    """A sentence of the guide that the computed numbers no longer support."""


def _shown(value: Any) -> str:
    """``repr`` of ``value``, with NumPy scalars shown as the Python numbers they hold."""
    if getattr(value, "shape", None) == () and hasattr(value, "item"):
        value = value.item()
    return repr(value)


def claim(holds: bool, statement: str, **numbers: Any) -> None:
    """Raise :class:`ClaimError` unless ``holds``.

    The message is ``statement`` followed by ``name=value`` for every keyword in ``numbers``, so a
    failed build says which sentence broke and on which numbers.

    Raises
    ------
    ValueError
        If ``statement`` is empty (a claim must say what it checks).
    ClaimError
        If ``holds`` is false.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"claim: statement must be a non-empty sentence, got {statement!r}")
    if bool(holds):
        return
    shown = ", ".join(f"{name}={_shown(value)}" for name, value in numbers.items())
    raise ClaimError(f"{statement} ({shown})" if shown else statement)
