"""What every optimizer shares: the parameter bookkeeping, the step count and the learning rate.

A subclass writes only its update rule, ``Optimizer.update_rule``, for one parameter array.
``Optimizer.step`` does the rest: it pairs each parameter with its gradient (one array, a list
or a dict), checks shapes, counts steps, evaluates the learning rate (a float or a schedule) and
records what the rule did so the guide can show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from optdocs._checks import check_nonneg

#: One array, a list/tuple of arrays or a dict of arrays: the shapes ``step`` accepts.
Params = TypeVar("Params", np.ndarray, list, tuple, dict)
#: A learning rate: a number, or a schedule called with the 0-based step index.
LearningRate = float | Callable[[int], float]

_SINGLE = object()  # the state key used when params is one bare array


def _pairs(params: Any, grads: Any) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
    """Yield ``(key, param, grad)`` for matching structures, or raise ``ValueError``."""
    if isinstance(params, np.ndarray):
        if isinstance(grads, Mapping):
            raise ValueError("grads must be an array like params, got dict")
        pairs = [(_SINGLE, params, np.asarray(grads))]
    elif isinstance(params, Mapping):
        if not isinstance(grads, Mapping):
            raise ValueError(f"grads must be a dict like params, got {type(grads).__name__}")
        if set(params) != set(grads):
            raise ValueError(
                f"grads keys {sorted(map(str, grads))} differ from params keys "
                f"{sorted(map(str, params))}"
            )
        pairs = [(k, params[k], np.asarray(grads[k])) for k in params]
    elif isinstance(params, Sequence) and not isinstance(params, str):
        if not isinstance(grads, Sequence) or isinstance(grads, str):
            raise ValueError(f"grads must be a list like params, got {type(grads).__name__}")
        if len(params) != len(grads):
            raise ValueError(
                f"grads has {len(grads)} arrays but params has {len(params)}"
            )
        pairs = [(i, p, np.asarray(g)) for i, (p, g) in enumerate(zip(params, grads, strict=True))]
    else:
        raise ValueError(
            f"params must be a float array, a list or a dict of them, got {type(params).__name__}"
        )
    for key, p, g in pairs:
        name = "params" if key is _SINGLE else f"params[{key!r}]"
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise ValueError(
                f"{name} must be a float ndarray (updated in place), got "
                f"{type(p).__name__}{'' if not hasattr(p, 'dtype') else ' of ' + str(p.dtype)}"
            )
        if g.shape != p.shape:
            gname = "grads" if key is _SINGLE else f"grads[{key!r}]"
            raise ValueError(f"{gname} has shape {g.shape} but {name} has shape {p.shape}")
        yield key, p, g


class Optimizer:
    """Base class. Subclasses set their hyperparameters and implement ``update_rule``.

    Attributes
    ----------
    t : int
        Steps taken so far (0 before the first step); the rule sees ``t >= 1``.
    state : dict
        Per-parameter state arrays, keyed like ``params``. Read them with ``get``.
    """

    #: True when the rule treats every element on its own, so runs stacked along a leading axis
    #: are independent (LARS and LAMB use norms of whole arrays and set this to False).
    elementwise: bool = True

    def __init__(self, lr: LearningRate) -> None:
        if not callable(lr):
            lr = check_nonneg("lr", lr)
        self.lr = lr
        self.t = 0
        self.state: dict[Any, dict[str, np.ndarray]] = {}
        self._structure: Any = None

    # -- what a subclass writes -------------------------------------------------------------
    def init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        """The state buffers of a fresh parameter ``p`` (zeros, usually); none by default."""
        return {}

    def update_rule(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray],
                    lr: float) -> None:
        """Update parameter ``p`` in place from gradient ``g``; keep what it needs in ``state``."""
        raise NotImplementedError

    # -- shared machinery -------------------------------------------------------------------
    def lr_at(self, t: int) -> float:
        """Learning rate of step ``t`` (1-based): a schedule is called with ``t - 1``."""
        if callable(self.lr):
            return float(self.lr(t - 1))
        return self.lr

    def step(self, params: Params, grads: Any) -> Params:
        """Take one step: update every array of ``params`` in place and return ``params``."""
        pairs = list(_pairs(params, grads))  # validate everything before touching anything
        self.t += 1
        lr = self.lr_at(self.t)
        for key, p, g in pairs:
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = self.init_state(p)
            before = p.copy()
            self.update_rule(p, g.astype(p.dtype, copy=False), state, lr)
            state["update"] = p - before
        self._structure = params
        return params

    def get(self, name: str) -> Any:
        """State ``name`` after the last step, shaped like ``params`` (array, list or dict)."""
        if not self.state:
            raise ValueError(f"no state yet: call step() before get({name!r})")
        some = next(iter(self.state.values()))
        if name not in some:
            raise ValueError(f"{type(self).__name__} keeps no state {name!r}; it has {sorted(some)}")
        if isinstance(self._structure, Mapping):
            return {k: self.state[k][name] for k in self._structure}
        if _SINGLE in self.state:
            return self.state[_SINGLE][name]
        return [self.state[i][name] for i in range(len(self.state))]

    def reset(self) -> None:
        """Forget all state and the step count, as a freshly built optimizer."""
        self.t = 0
        self.state.clear()
        self._structure = None

    def _hyper(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k not in ("t", "state", "_structure")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({args})"
