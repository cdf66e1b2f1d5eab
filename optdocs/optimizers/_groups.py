"""Hyperparameters: the optimizer's own, and per-parameter ``overrides`` (torch's param groups).

Every set of hyperparameters is checked by the same code, whether it comes from the constructor,
from ``overrides`` or from a checkpoint: ``lr`` here (a number >= 0 or a schedule), the rest by
the optimizer's ``validate``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from optdocs._checks import check_nonneg


class Hyperparameters(SimpleNamespace):
    """One parameter's hyperparameters as attributes (``h.lr``, ``h.betas``, ...).

    ``h.lr`` is always a number: the learning rate of the step being taken (a schedule is
    evaluated before the rule runs). Two sets are equal only if they are the same object, so a set
    can key a dict.
    """

    __eq__ = object.__eq__
    __hash__ = object.__hash__


def check_lr(value: Any) -> float | Callable[[int], float]:
    """A learning rate: a schedule (any callable) or a finite number >= 0."""
    return value if callable(value) else check_nonneg("lr", value)


def checked(validate: Callable[[dict], dict], values: Mapping[str, Any], where: str) -> dict:
    """``values`` checked: ``lr`` by ``check_lr``, the others by ``validate``.

    ``where`` (for example ``"overrides['b1']"``) prefixes the message of a ``ValueError``.
    """
    try:
        lr = check_lr(values["lr"])
        rest = validate({k: v for k, v in values.items() if k != "lr"})
    except ValueError as err:
        if not where:
            raise
        raise ValueError(f"{where}: {err}") from None
    return {"lr": lr, **rest}


def checked_overrides(validate: Callable[[dict], dict], defaults: dict, overrides: Any,
                      owner: str) -> dict[Any, dict]:
    """``overrides`` checked: parameter key -> only the hyperparameters it replaces, checked.

    Keys are dict keys (strings) or list positions (ints). Each set is checked merged with
    ``defaults``, so a combination that is invalid (``nesterov`` with ``momentum=0``) is caught.
    """
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ValueError(f"overrides must be a dict from a parameter key to a dict of "
                         f"hyperparameters, got {type(overrides).__name__}")
    out: dict[Any, dict] = {}
    for key, options in overrides.items():
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise ValueError(f"overrides keys are dict keys (str) or list positions (int), "
                             f"got {key!r}")
        if not isinstance(options, Mapping):
            raise ValueError(f"overrides[{key!r}] must be a dict of hyperparameters, got "
                             f"{type(options).__name__}")
        unknown = sorted(map(str, set(options) - set(defaults)))
        if unknown:
            raise ValueError(f"overrides[{key!r}] has unknown hyperparameters {unknown}; "
                             f"{owner} has {list(defaults)}")
        full = checked(validate, {**defaults, **options}, f"overrides[{key!r}]")
        out[int(key) if not isinstance(key, str) else key] = {k: full[k] for k in options}
    return out
