"""Checkpoints: an optimizer's state as plain data, and the checks before it is loaded back.

A state dict holds only dicts, lists, Python scalars, strings and NumPy arrays, every one a fresh
copy, so it can be pickled (or flattened for ``np.savez``) and mutating it never reaches the
optimizer. A learning-rate schedule is a function, not data: it is stored as the string
``"schedule"``, and the optimizer that loads the checkpoint supplies its own function at the same
place (it resumes with the step counts of the checkpoint).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optdocs.optimizers._structure import ARRAY

#: What a state dict holds in place of a schedule.
SCHEDULE = "schedule"

#: The top-level keys of a state dict.
KEYS = ("class", "hyperparameters", "overrides", "step", "kind", "params", "state")


def plain(value: Any) -> Any:
    """A deep copy of ``value`` made of dicts, lists, Python scalars, strings and arrays."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if callable(value):
        return SCHEDULE
    return value


def by_kind(kind: str | None, keys: list, values: dict) -> Any:
    """``values`` (keyed by parameter) laid out like the params: dict, list or the one value."""
    if kind == "dict":
        return {k: values[k] for k in keys}
    if kind == "list":
        return [values[k] for k in keys]
    if kind == "array":
        return values[keys[0]]
    return None


def keyed(kind: str | None, laid_out: Any, what: str) -> dict:
    """The inverse of ``by_kind``: a dict keyed by parameter, or ``ValueError`` naming ``what``."""
    if kind == "dict" and isinstance(laid_out, Mapping):
        return dict(laid_out)
    if kind == "list" and isinstance(laid_out, list):
        return dict(enumerate(laid_out))
    if kind == "array" and isinstance(laid_out, Mapping):
        return {ARRAY: laid_out}
    if kind is None and laid_out is None:
        return {}
    raise ValueError(f"state dict's {what} is a {type(laid_out).__name__}, which does not fit "
                     f"params of kind {kind!r}")


def check_top(sd: Any, cls: str) -> None:
    """``ValueError`` unless ``sd`` is a state dict of class ``cls`` with every top-level key."""
    if not isinstance(sd, Mapping):
        raise ValueError(f"a state dict must be a dict, got {type(sd).__name__}")
    missing = [k for k in KEYS if k not in sd]
    if missing:
        raise ValueError(f"state dict lacks {missing}; it has {sorted(map(str, sd))}")
    if sd["class"] != cls:
        raise ValueError(f"state dict is of class {sd['class']!r}, this optimizer is {cls!r}")
    if sd["kind"] not in ("array", "list", "dict", None):
        raise ValueError(f"state dict's kind must be 'array', 'list', 'dict' or None, "
                         f"got {sd['kind']!r}")
    step = sd["step"]
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
        raise ValueError(f"state dict's step must be an integer >= 0, got {step!r}")


def with_schedules(saved: Mapping[str, Any], own: Mapping[str, Any], where: str) -> dict:
    """``saved`` hyperparameters with each ``"schedule"`` replaced by the function in ``own``."""
    out = dict(saved)
    if out.get("lr") == SCHEDULE:
        if not callable(own.get("lr")):
            raise ValueError(f"state dict's {where}['lr'] was a schedule, but this optimizer's "
                             f"{where}['lr'] is {own.get('lr')!r}: construct it with the same "
                             f"schedule before loading")
        out["lr"] = own["lr"]
    return out


def check_param_state(key_label: str, state: Any, fresh: Mapping[str, Any],
                      param: tuple[tuple[int, ...], np.dtype]) -> None:
    """``ValueError`` unless ``state`` has a step count, every buffer of ``fresh`` (the state a
    fresh parameter of that shape starts with), and each array buffer of the parameter's dtype
    and shaped as in ``fresh`` (or 0-d). Buffers smaller than their parameter, such as
    Adafactor's factors, check the same way; a buffer that ``fresh`` lacks (SGD makes its
    momentum buffer at the first step) must have the parameter's shape ``param[0]``."""
    if not isinstance(state, Mapping):
        raise ValueError(f"state dict's state of {key_label} must be a dict, got "
                         f"{type(state).__name__}")
    missing = sorted((set(fresh) | {"step"}) - set(state))
    if missing:
        raise ValueError(f"state dict's state of {key_label} lacks {missing}")
    step = state["step"]
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
        raise ValueError(f"state dict's state of {key_label} has step {step!r}; it must be an "
                         f"integer >= 0")
    shape, dtype = param
    for name, value in state.items():
        if not isinstance(value, np.ndarray):
            continue
        if value.dtype != dtype:
            raise ValueError(f"state dict's {name!r} of {key_label} has dtype {value.dtype}, "
                             f"the parameter has dtype {dtype}")
        want = getattr(fresh[name], "shape", None) if name in fresh else shape
        if value.ndim and want is not None and value.shape != want:
            raise ValueError(f"state dict's {name!r} of {key_label} has shape {value.shape}, "
                             f"it must have shape {want}")
