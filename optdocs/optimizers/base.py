"""What every optimizer shares: parameters and their state, hyperparameters, checkpoints.

An optimizer's rule is written for one parameter array; ``Optimizer.step`` does the rest. Its
docstring states the semantics (those of ``torch.optim``) and what a subclass writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

from optdocs.optimizers._checkpoint import (
    SCHEDULE,
    by_kind,
    check_param_state,
    check_top,
    keyed,
    plain,
    with_schedules,
)
from optdocs.optimizers._groups import Hyperparameters, checked, checked_overrides
from optdocs.optimizers._structure import ARRAY, label, pair
from optdocs.optimizers._tiny import Fast, tiny_step

#: One array, a list/tuple of arrays or a dict of arrays: the shapes ``step`` accepts.
Params = TypeVar("Params", np.ndarray, list, tuple, dict)
#: A learning rate: a number, or a schedule called with the 0-based count of optimizer steps.
LearningRate = float | Callable[[int], float]
#: Per-parameter options: a parameter key (dict key or list position) -> hyperparameters.
Overrides = Mapping[Any, Mapping[str, Any]] | None

#: The names ``get`` computes from the last step rather than reading from the state.
RECORDED = ("update", "effective_lr")


class Optimizer:
    r"""Base class: the bookkeeping shared by every optimizer.

    ``step(params, grads)`` pairs each parameter with its gradient (one array, a list or a dict of
    arrays), checks the structure against the last step's, evaluates the learning rate, counts
    steps, calls the optimizer's rule, applies the step the rule returned and remembers it for
    ``get``. It follows ``torch.optim``:

    - **State follows dict keys (recommended) or list positions.** Each parameter has its own
      state, including its own step count ``state["step"]``, which bias corrections and decays
      use. With a dict, adding a key starts that parameter fresh (its first Adam step is ``lr``,
      as after torch's ``add_param_group``) and removing a key drops its state. A list's state
      follows positions, so its length cannot change. A parameter whose shape or dtype changes,
      or params that change kind (array / list / dict), raise ``ValueError`` before anything is
      updated; ``reset()`` starts over.
    - **Schedules count optimizer steps.** A schedule given as ``lr`` is called with the number of
      ``step()`` calls before this one (``opt.t - 1`` during step ``opt.t``), as torch's
      schedulers count optimizer steps, whatever each parameter's own count.
    - **Per-parameter options.** ``overrides={key: {name: value}}`` replaces hyperparameters for
      the parameter ``key`` (a dict key or a list position), as a torch param group does, for
      example ``AdamW(lr=1e-3, weight_decay=0.1, overrides={"b1": {"weight_decay": 0.0}})``.
      Any hyperparameter can be overridden, ``lr`` too (a number or a schedule); each is checked
      as the constructor checks it. Every key must be present at every step.
    - **Checkpoints.** ``state_dict()`` returns plain data (dicts, lists, Python scalars, strings
      and NumPy arrays, all copies); ``load_state_dict`` on a freshly built optimizer of the same
      class resumes bit for bit. A schedule is a function, not data: it is stored as the string
      ``"schedule"``, the loading optimizer must be built with its own schedule in the same
      place, and it continues from the saved step counts.

    **Writing an optimizer.** A subclass provides

    - ``__init__(self, lr=..., <hyperparameters>, *, overrides=None)`` calling
      ``super().__init__(dict(lr=lr, ...), overrides)``, ``lr`` first;
    - ``validate(self, h) -> dict``: the checked value of every hyperparameter but ``lr``
      (``ValueError`` naming it); it checks the constructor's values, each override and every
      checkpoint loaded;
    - ``init_state(self, p, h) -> dict``: the buffers of a fresh parameter ``p`` (the base adds
      ``step``);
    - ``update_rule(self, p, g, state, h) -> d``: update the buffers in ``state`` in place and
      return the step ``d``, shaped like ``p``; the base applies $p \leftarrow p - d$. The rule
      changes neither ``p`` nor ``g``. ``state["step"]`` is this parameter's 1-based step,
      ``h.lr`` this step's learning rate and ``h.<name>`` the parameter's hyperparameters;
    - optionally ``effective_lr(self, state, h)``, the per-element rate of the last step,
      computed when ``get("effective_lr")`` asks (default ``h.lr``), and ``elementwise = False``
      when the rule mixes elements (norms of a whole array);
    - optionally ``step_is_in_state(self, h)`` and ``step_from_state(self, state, h)``: when the
      state after a step determines that step exactly (Adam: $\gamma \hat m_t / (\sqrt{\hat
      v_t} + \epsilon)$), ``get("update")`` recomputes it instead of the base keeping the
      returned array until the next step, so Adam holds two parameter-sized arrays between steps,
      as torch does. Otherwise the base keeps a reference to ``d`` (never a copy): AdamW with
      weight decay holds three arrays where torch holds two, because its step depends on the
      weights before the step, which neither its state nor the weights after it determine bit
      for bit (two old weights can round to the same new one with steps one ulp apart);
    - optionally a transcription of the rule in Python floats in ``_floats.py``, which the base
      runs instead of the rule for a float64 array of at most ``_tiny.TINY`` elements stepped
      again and again (an interactive figure's point): it must give the rule's numbers bit for
      bit, option by option, as ``tests/test_optimizers_fast_path.py`` checks.

    Attributes
    ----------
    t : int
        ``step()`` calls so far (0 before the first); schedules are evaluated with ``t - 1``.
    state : dict
        Each parameter's state, keyed by dict key, list position, or one key for a bare array:
        its ``step`` count and its buffers. Read it with ``get``.
    defaults : dict
        The optimizer's hyperparameters (``opt.lr``, ``opt.betas``, ... read them too).
    overrides : dict
        Parameter key -> the hyperparameters that replace ``defaults`` for it.
    """

    #: True when the rule treats every element on its own, so runs stacked along a leading axis
    #: are independent (LARS and LAMB use norms of whole arrays and set this to False).
    elementwise: bool = True

    def __init__(self, hyperparameters: dict[str, Any], overrides: Any = None) -> None:
        self.defaults = checked(self.validate, hyperparameters, "")
        _readable(type(self), self.defaults)
        self.overrides = checked_overrides(self.validate, self.defaults, overrides,
                                           type(self).__name__)
        self.t = 0
        self.state: dict[Any, dict[str, Any]] = {}
        self._build_groups()
        self._forget_structure()

    # -- what a subclass writes -------------------------------------------------------------
    def validate(self, h: dict[str, Any]) -> dict[str, Any]:
        """The checked hyperparameters ``h`` (all but ``lr``); none by default."""
        return dict(h)

    def init_state(self, p: np.ndarray, h: Hyperparameters) -> dict[str, Any]:
        """The state buffers of a fresh parameter ``p`` (zeros, usually); none by default."""
        return {}

    def update_rule(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any],
                    h: Hyperparameters) -> np.ndarray:
        """The step ``d`` for parameter ``p`` with gradient ``g`` (the base applies p -= d)."""
        raise NotImplementedError

    def effective_lr(self, state: dict[str, Any], h: Hyperparameters) -> Any:
        """The rate of the last step, a number or an array shaped like the parameter."""
        return h.lr

    def step_is_in_state(self, h: Hyperparameters) -> bool:
        """True when ``step_from_state`` gives the last step exactly, so it need not be kept."""
        return False

    def step_from_state(self, state: dict[str, Any], h: Hyperparameters) -> np.ndarray:
        """The step ``d`` of the last step, computed again from ``state`` as the rule did."""
        raise NotImplementedError

    # -- hyperparameters ----------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        """``opt.lr = 0.01`` (any hyperparameter) takes effect from the next step, checked as the
        constructor checks it; a bad value raises ``ValueError`` and changes nothing."""
        defaults = self.__dict__.get("defaults")
        if defaults is None or name not in defaults:
            super().__setattr__(name, value)
            if callable(value):                      # a method replaced: no float kernel now
                self.__dict__["_fast"] = None
            return
        new = checked(self.validate, {**defaults, name: value}, "")
        overrides = checked_overrides(self.validate, new, self.overrides, type(self).__name__)
        self.__dict__.update(defaults=new, overrides=overrides, _fast=None)
        self._build_groups()

    def __getstate__(self) -> dict[str, Any]:
        """For copy and pickle: everything but the fast path's views (the next step remakes
        them)."""
        return {**self.__dict__, "_fast": None}

    def _build_groups(self) -> None:
        """One ``Hyperparameters`` for the defaults and one per override; note the schedules."""
        self._default = Hyperparameters(**self.defaults)
        self._groups = {key: Hyperparameters(**{**self.defaults, **opts})
                        for key, opts in self.overrides.items()}
        named = [("lr", self._default)] + [(f"overrides[{k!r}]['lr']", h)
                                          for k, h in self._groups.items()]
        self._schedules = [(where, h, h.lr) for where, h in named if callable(h.lr)]
        # keep the last step for get("update") unless the state determines it
        self._keeps = {h: not self.step_is_in_state(h) for _, h in named}

    def lr_at(self, t: int, key: Any = None) -> float:
        """Learning rate of optimizer step ``t`` (1-based) for parameter ``key`` (default: the
        optimizer's own): a schedule is called with ``t - 1``."""
        lr = self.overrides.get(key, {}).get("lr", self.defaults["lr"])
        return float(lr(t - 1)) if callable(lr) else lr

    def _evaluate_schedules(self) -> None:
        """Set each scheduled ``h.lr`` to its rate for the coming step, all checked first."""
        for h, lr in self._scheduled_lrs(self.t + 1):
            h.lr = lr

    def _scheduled_lrs(self, t: int) -> list[tuple[Hyperparameters, float]]:
        """Every schedule's rate for step ``t``, checked: ``ValueError`` if one is not >= 0."""
        out = []
        for where, h, schedule in self._schedules:
            value = schedule(t - 1)
            try:
                lr = float(value)
            except (TypeError, ValueError):
                lr = math.nan
            if not 0.0 <= lr < math.inf:
                raise ValueError(f"the schedule of {where} returned {value!r} at step {t}; a "
                                 f"learning rate must be a finite number >= 0")
            out.append((h, lr))
        return out

    # -- structure ------------------------------------------------------------------------------
    def _forget_structure(self) -> None:
        self._kind: str | None = None               # "array", "list" or "dict" of the last step
        self._keys: list[Any] = []                  # its keys, in order
        self._meta: dict[Any, tuple] = {}           # key -> (shape, dtype) of each parameter
        self._last: dict[Any, Any] = {}             # key -> the last step d (None: in state)
        self._fast: Fast | None = None              # see step and _tiny

    def _plan(self, kind: str, triples: list) -> list[tuple]:
        """``(key, p, g, h)`` for each array, or ``ValueError`` if the structure changed."""
        if self._kind is not None and kind != self._kind:
            raise ValueError(f"params is a {kind} but was a {self._kind} at the last step; state "
                             f"follows dict keys or list positions: call reset() to start over")
        if kind == "list" and self._kind == "list" and len(triples) != len(self._keys):
            raise ValueError(f"params has {len(triples)} arrays but had {len(self._keys)} at the "
                             f"last step; a list's state follows positions, so its length cannot "
                             f"change (use a dict to add or drop parameters, or reset())")
        groups, default, meta = self._groups, self._default, self._meta
        plan = []
        for key, p, g in triples:
            known = meta.get(key)
            if known is not None and (p.shape != known[0] or p.dtype != known[1]):
                raise ValueError(f"{label(key)} has shape {p.shape} and dtype {p.dtype} but had "
                                 f"shape {known[0]} and dtype {known[1]} at the last step: its "
                                 f"state cannot follow (use another key, or reset())")
            plan.append((key, p, g, groups.get(key, default)))
        if groups:
            present = {key for key, _, _ in triples}
            absent = [key for key in groups if key not in present]
            if absent:
                have = "one array" if kind == "array" else f"keys {sorted(map(repr, present))}"
                raise ValueError(f"overrides name parameters {absent} that are not in this "
                                 f"step's params ({have})")
        return plan

    def _same_plan(self, params: Any, grads: Any) -> list[tuple] | None:
        """``_plan``'s answer when ``params`` and ``grads`` are a dict (or list) of arrays with the
        keys, shapes and dtypes of the last step, found with a few cheap checks; None when
        anything differs or is not an array, and ``pair`` and ``_plan`` then check everything
        and say what is wrong (a network's step pays the full checks once, not at every step)."""
        kind, keys = self._kind, self._keys
        if kind == "dict":
            same_kind = type(params) is dict and type(grads) is dict
        elif kind == "list":
            same_kind = type(params) in (list, tuple) and type(grads) in (list, tuple)
        else:
            return None
        if not same_kind or len(params) != len(keys) or len(grads) != len(keys):
            return None
        items = params.items() if kind == "dict" else enumerate(params)
        meta, groups, default, plan = self._meta, self._groups, self._default, []
        for (key, p), known in zip(items, keys, strict=True):
            g = grads.get(key) if kind == "dict" else grads[key]
            if key != known or type(p) is not np.ndarray or type(g) is not np.ndarray:
                return None
            shape, dtype = meta[key]
            if p.shape != shape or g.shape != shape or p.dtype != dtype or g.dtype != dtype:
                return None
            plan.append((key, p, g, groups.get(key, default)))
        return plan

    # -- the step -------------------------------------------------------------------------------
    def step(self, params: Params, grads: Any) -> Params:
        """Take one step: update every array of ``params`` in place and return ``params``.

        Everything is checked before anything changes: a step that raises updates nothing.
        """
        fast = self._fast              # set when the last step took one bare array (``_tiny``)
        if (fast is not None and type(params) is np.ndarray and type(grads) is np.ndarray
                and params.shape == fast.shape == grads.shape
                and params.dtype is fast.dtype is grads.dtype):
            # the same array as at the last step: the work below without re-checking anything
            if self._schedules:
                self._evaluate_schedules()
            state, h, tiny = fast.state, fast.h, fast.tiny
            d = tiny.run(params, grads, state, h) if tiny else None    # in Python floats
            if d is None:
                state["step"] += 1
                d = self.update_rule(params, grads, state, h)
                params -= d
            self.__dict__["t"] += 1                  # (__setattr__ is for hyperparameters)
            fast.last[ARRAY] = d if fast.keep else None
            return params
        plan = self._same_plan(params, grads)
        if plan is None:
            kind, triples = pair(params, grads)
            plan = self._plan(kind, triples)
        else:
            kind = self._kind
        self._evaluate_schedules()
        self.__dict__["t"] += 1
        states, last, keeps = self.state, {}, self._keeps
        for key, p, g, h in plan:
            state = states.get(key)
            if state is None:
                state = states[key] = {"step": 0, **self.init_state(p, h)}
                self._meta[key] = (p.shape, p.dtype)
            state["step"] += 1
            d = self.update_rule(p, g, state, h)
            p -= d
            last[key] = d if keeps[h] else None      # None: step_from_state recomputes it
        if len(states) != len(last):                 # keys dropped from a dict: drop their state
            for key in [k for k in states if k not in last]:
                del states[key], self._meta[key]
        self.__dict__.update(_kind=kind, _keys=list(last), _last=last)
        self.__dict__["_fast"] = self._fast_for(kind)
        return params

    def _fast_for(self, kind: str) -> Fast | None:
        """What ``step`` needs to take the next step at once if it is the same bare array."""
        if kind != "array":
            return None
        from optdocs.optimizers._floats import KERNELS  # (imports this module)
        shape, dtype = self._meta[ARRAY]
        h = self._default
        return Fast(shape, dtype, self.state[ARRAY], h, self._last, self._keeps[h],
                    tiny_step(KERNELS, self, shape, dtype, h))

    # -- reading the state ------------------------------------------------------------------------
    def get(self, name: str) -> Any:
        """State ``name`` after the last step, laid out like that step's ``params``.

        ``name`` is a buffer of the state (``exp_avg``, ``step``, ...), ``update`` (what the last
        step added to each parameter) or ``effective_lr`` (its per-element rate); the last two are
        computed when asked. A parameter without that buffer (an override turned it off) gives
        ``None``.
        """
        if self._kind is None:
            raise ValueError(f"no state yet: call step() before get({name!r})")
        values = {key: self._value(name, key) for key in self._keys}
        if all(v is None for v in values.values()):
            names = sorted({n for s in self.state.values() for n in s} | set(RECORDED))
            raise ValueError(f"{type(self).__name__} keeps no state {name!r}; it has {names}")
        return by_kind(self._kind, self._keys, values)

    def _value(self, name: str, key: Any) -> Any:
        state = self.state[key]
        if name in state:
            return state[name]
        if name not in RECORDED:
            return None
        if key not in self._last:
            raise ValueError(f"{name!r} describes the last step, and none was taken since "
                             f"load_state_dict()")
        h = self._groups.get(key, self._default)
        shape, dtype = self._meta[key]
        if name == "update":
            d = self._last[key]
            if isinstance(d, list):                  # a tiny step, taken in Python floats
                d = np.array(d, dtype).reshape(shape)
            return np.negative(self.step_from_state(state, h) if d is None else d)
        rate = self.effective_lr(state, h)
        return np.full(shape, rate, dtype) if np.ndim(rate) == 0 else rate

    def reset(self) -> None:
        """Forget all state and the step count, as a freshly built optimizer."""
        self.t = 0
        self.state.clear()
        self._forget_structure()

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A deep copy of everything needed to resume, as plain data (see the class docstring).

        Keys: ``class``, ``hyperparameters``, ``overrides``, ``step`` (the optimizer's count),
        ``kind`` (``"array"``, ``"list"``, ``"dict"`` or None before the first step), ``params``
        (each parameter's ``shape`` and ``dtype``) and ``state`` (each parameter's ``step`` and
        buffers), the last two laid out like the params.
        """
        meta = {k: {"shape": list(shape), "dtype": str(dtype)}
                for k, (shape, dtype) in self._meta.items()}
        return {
            "class": type(self).__name__,
            "hyperparameters": plain(self.defaults),
            "overrides": plain(self.overrides),
            "step": self.t,
            "kind": self._kind,
            "params": plain(by_kind(self._kind, self._keys, meta)),
            "state": plain(by_kind(self._kind, self._keys, self.state)),
        }

    def load_state_dict(self, sd: Mapping[str, Any]) -> None:
        """Resume from ``state_dict()`` output (copied: later changes to ``sd`` do not reach here).

        Hyperparameters and overrides come from ``sd``, each checked as the constructor checks
        it; where ``sd`` holds ``"schedule"`` this optimizer's own schedule is kept (it must have
        one there). ``ValueError`` saying what differs if ``sd`` is of another class, is
        malformed, or (once this optimizer has taken steps) describes other params.
        """
        cls = type(self).__name__
        check_top(sd, cls)
        saved = sd["hyperparameters"]
        if not isinstance(saved, Mapping) or set(saved) != set(self.defaults):
            got = sorted(saved) if isinstance(saved, Mapping) else type(saved).__name__
            raise ValueError(f"state dict's hyperparameters are {got}; {cls} has "
                             f"{sorted(self.defaults)}")
        defaults = checked(self.validate, with_schedules(saved, self.defaults, "hyperparameters"),
                           "state dict's hyperparameters")
        if not isinstance(sd["overrides"], Mapping):
            raise ValueError(f"state dict's overrides must be a dict, got "
                             f"{type(sd['overrides']).__name__}")
        overrides = checked_overrides(self.validate, defaults, {
            key: with_schedules(opts, self.overrides.get(key, {}), f"overrides[{key!r}]")
            if isinstance(opts, Mapping) else opts for key, opts in sd["overrides"].items()}, cls)
        kind = sd["kind"]
        params, states = keyed(kind, sd["params"], "params"), keyed(kind, sd["state"], "state")
        if list(params) != list(states):
            raise ValueError(f"state dict's params have keys {list(params)} but its state has "
                             f"{list(states)}")
        meta = {key: _shape_dtype(key, info) for key, info in params.items()}
        if self._kind is not None:
            self._check_same_structure(kind, meta)
        groups = {key: Hyperparameters(**{**defaults, **opts}) for key, opts in overrides.items()}
        default = Hyperparameters(**defaults)
        for key, state in states.items():
            shape, dtype = meta[key]
            fresh = self.init_state(np.zeros(shape, dtype), groups.get(key, default))
            check_param_state(label(key), state, fresh, meta[key])
        # everything checked: commit
        self.defaults, self.overrides, self.t = defaults, overrides, int(sd["step"])
        self._build_groups()
        self._forget_structure()
        self.state = {key: {**plain(state), "step": int(state["step"])}
                      for key, state in states.items()}
        self._kind, self._keys, self._meta = kind, list(params), meta

    def _check_same_structure(self, kind: str | None, meta: dict) -> None:
        """``ValueError`` saying what differs between this optimizer's params and ``meta``'s."""
        if kind != self._kind:
            raise ValueError(f"state dict is for params of kind {kind!r}, this optimizer's "
                             f"are a {self._kind}")
        if list(meta) != self._keys:
            raise ValueError(f"state dict is for params with keys {list(meta)}, this optimizer's "
                             f"have {self._keys}")
        for key, (shape, dtype) in meta.items():
            if (shape, dtype) != self._meta[key]:
                raise ValueError(f"state dict has {label(key)} of shape {shape} and dtype {dtype}, "
                                 f"this optimizer's has shape {self._meta[key][0]} and dtype "
                                 f"{self._meta[key][1]}")

    def __repr__(self) -> str:
        args = [f"{k}={v!r}" for k, v in self.defaults.items()]
        if self.overrides:
            args.append(f"overrides={self.overrides!r}")
        return f"{type(self).__name__}({', '.join(args)})"


class _Hyperparameter:
    """``opt.<name>`` reads the optimizer's own value of hyperparameter ``name``.

    A class attribute rather than a ``__getattr__``, which would slow every attribute the step
    reads (CPython does not specialise attribute loads on classes that define one); assigning
    goes through ``Optimizer.__setattr__``, which checks the value.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, opt: Any, owner: type | None = None) -> Any:
        return self if opt is None else opt.defaults[self.name]


def _readable(cls: type, defaults: dict[str, Any]) -> None:
    """Make every hyperparameter of ``cls`` an attribute (once per class; a method or attribute
    of the same name, if the class has one, is left as it is)."""
    for name in defaults:
        if not hasattr(cls, name):
            setattr(cls, name, _Hyperparameter(name))


def _shape_dtype(key: Any, info: Any) -> tuple[tuple[int, ...], np.dtype]:
    """A state dict's ``{"shape": [...], "dtype": "float64"}`` as ``(shape, dtype)``."""
    try:
        shape = tuple(int(n) for n in info["shape"])
        dtype = np.dtype(info["dtype"])
    except (TypeError, KeyError, ValueError):
        raise ValueError(f"state dict's params entry for {label(key)} must be "
                         f"{{'shape': [...], 'dtype': '...'}}, got {info!r}") from None
    if dtype.kind != "f":
        raise ValueError(f"state dict's params entry for {label(key)} has dtype {dtype}; "
                         f"params are float arrays")
    return shape, dtype


__all__ = ["Optimizer", "Hyperparameters", "LearningRate", "Overrides", "Params", "SCHEDULE"]
