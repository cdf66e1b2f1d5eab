"""Learning-rate schedules: the learning rate as a function of the step.

Every schedule is a small frozen dataclass deriving from ``Schedule``. Calling it with the
0-based index of an optimizer step gives the learning rate for that step::

    >>> lr = cosine_annealing(0.1, total_steps=100)
    >>> lr(0), lr(50), lr(100)
    (0.1, 0.05, 0.0)
    >>> lr(np.arange(3))                     # an array of steps gives an array of rates
    array([0.1       , 0.09997533, 0.09990134])

Pass a schedule as an optimizer's learning rate (``Adam(lr=warmup_cosine(...))``): the optimizer
calls it with the index of the step it is taking, so the schedule advances once per optimizer
step (once per mini-batch), as ``scheduler.step()`` after every ``optimizer.step()`` does in
PyTorch.

The formulas are those of PyTorch's ``torch.optim.lr_scheduler`` (closed forms) and Keras'
``keras.optimizers.schedules``; each docstring names the one it follows and says what happens
after the last step, where the libraries differ.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from optdocs._checks import check_finite, check_nonneg, check_positive, check_positive_int

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "CosineAnnealing",
    "LinearWarmup",
    "WarmupCosine",
    "OneCycle",
    "constant",
    "step_decay",
    "exponential_decay",
    "cosine_annealing",
    "linear_warmup",
    "warmup_cosine",
    "one_cycle",
]


# --- validation -------------------------------------------------------------------------------

def _nonneg_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")


def _steps(step: ArrayLike) -> NDArray[np.float64]:
    """Check that ``step`` holds finite numbers >= 0 and return it as a float64 array."""
    arr = np.asarray(step)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"step must be a finite number >= 0 (or an array of them), got {step!r}")
    return arr.astype(np.float64)


# --- base class -------------------------------------------------------------------------------

class Schedule(ABC):
    """A learning rate that depends on the step: ``schedule(step) -> lr``.

    Subclasses implement ``at`` for an array of steps; ``__call__`` validates the step and
    returns a Python ``float`` for a scalar step, an array for an array of steps.
    """

    #: Name of the factory function, used by ``repr``.
    name: ClassVar[str] = "schedule"

    @abstractmethod
    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        """Learning rates for an array of (already validated) steps."""

    def __call__(self, step: ArrayLike) -> float | NDArray[np.float64]:
        """Learning rate at ``step`` (0-based index of the optimizer step; int or array)."""
        s = _steps(step)
        lr = self.at(s)
        return float(lr) if s.ndim == 0 else np.asarray(lr, dtype=np.float64)

    def __repr__(self) -> str:
        args = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
        return f"{self.name}({args})"


# --- schedules --------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Constant(Schedule):
    """The same learning rate at every step."""

    lr: float
    name: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        check_nonneg("lr", self.lr)

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.full_like(step, self.lr)


@dataclass(frozen=True, repr=False)
class StepDecay(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    ``lr * gamma ** (step // step_size)``: the closed form of PyTorch's ``StepLR``.
    """

    lr: float
    step_size: int
    gamma: float = 0.1
    name: ClassVar[str] = "step_decay"

    def __post_init__(self) -> None:
        check_nonneg("lr", self.lr)
        check_positive_int("step_size", self.step_size)
        check_positive("gamma", self.gamma)

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True, repr=False)
class ExponentialDecay(Schedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps, smoothly.

    ``lr * decay_rate ** (step / decay_steps)``, with the exponent rounded down when
    ``staircase`` is true: Keras' ``ExponentialDecay``.
    """

    lr: float
    decay_steps: int
    decay_rate: float
    staircase: bool = False
    name: ClassVar[str] = "exponential_decay"

    def __post_init__(self) -> None:
        check_nonneg("lr", self.lr)
        check_positive("decay_steps", self.decay_steps)
        check_positive("decay_rate", self.decay_rate)

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.lr * self.decay_rate ** p


@dataclass(frozen=True, repr=False)
class CosineAnnealing(Schedule):
    """Half a cosine from ``lr`` at step 0 down to ``lr_min`` at step ``total_steps``.

    ``lr_min + (lr - lr_min) * (1 + cos(pi * step / total_steps)) / 2``: the closed form of
    PyTorch's ``CosineAnnealingLR`` with ``T_max=total_steps, eta_min=lr_min``.

    After ``total_steps`` the rate stays at ``lr_min`` (as Keras' ``CosineDecay`` does). PyTorch's
    closed form keeps following the cosine instead, so its rate rises again after ``T_max``.
    """

    lr: float
    total_steps: int
    lr_min: float = 0.0
    name: ClassVar[str] = "cosine_annealing"

    def __post_init__(self) -> None:
        check_nonneg("lr", self.lr)
        check_positive_int("total_steps", self.total_steps)
        check_nonneg("lr_min", self.lr_min)

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        s = np.minimum(step, self.total_steps)
        return self.lr_min + (self.lr - self.lr_min) * (1 + np.cos(np.pi * s / self.total_steps)) / 2


@dataclass(frozen=True, repr=False)
class LinearWarmup(Schedule):
    """Rise linearly from ``start`` at step 0 to ``lr`` at step ``warmup_steps``, then stay.

    ``start + (lr - start) * min(step / warmup_steps, 1)``; ``warmup_steps=0`` means no warmup.
    """

    lr: float
    warmup_steps: int
    start: float = 0.0
    name: ClassVar[str] = "linear_warmup"

    def __post_init__(self) -> None:
        check_nonneg("lr", self.lr)
        _nonneg_int("warmup_steps", self.warmup_steps)
        check_nonneg("start", self.start)

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.warmup_steps == 0:
            return np.full_like(step, self.lr)
        frac = np.minimum(step / self.warmup_steps, 1.0)
        return self.start + (self.lr - self.start) * frac


@dataclass(frozen=True, repr=False)
class WarmupCosine(Schedule):
    """Linear warmup from 0 to ``lr`` over ``warmup_steps``, then a cosine down to ``lr_min``.

    The cosine part is ``CosineAnnealing`` over the remaining
    ``total_steps - warmup_steps`` steps, so the rate is ``lr`` at step ``warmup_steps`` and
    ``lr_min`` at step ``total_steps``, and stays at ``lr_min`` afterwards.
    """

    lr: float
    warmup_steps: int
    total_steps: int
    lr_min: float = 0.0
    name: ClassVar[str] = "warmup_cosine"

    def __post_init__(self) -> None:
        check_nonneg("lr", self.lr)
        _nonneg_int("warmup_steps", self.warmup_steps)
        check_positive_int("total_steps", self.total_steps)
        check_nonneg("lr_min", self.lr_min)
        if self.warmup_steps > self.total_steps:
            raise ValueError(f"warmup_steps must be <= total_steps={self.total_steps}, "
                             f"got {self.warmup_steps!r}")

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        w, total = self.warmup_steps, self.total_steps
        warm = self.lr * step / max(w, 1)
        pct = np.clip((step - w) / max(total - w, 1), 0.0, 1.0)
        cos = self.lr_min + (self.lr - self.lr_min) * (1 + np.cos(np.pi * pct)) / 2
        return np.where(step < w, warm, cos)


@dataclass(frozen=True, repr=False)
class OneCycle(Schedule):
    """The 1cycle policy: warm up to ``max_lr`` with a half cosine, then anneal far below it.

    PyTorch's ``OneCycleLR`` with ``anneal_strategy="cos", three_phase=False``, step for step:
    the rate starts at ``initial = max_lr / div_factor``, reaches ``max_lr`` at step
    ``pct_start * total_steps - 1`` and ``min_lr = initial / final_div_factor`` at step
    ``total_steps - 1``, the last step of training.

    After step ``total_steps - 1`` the rate stays at ``min_lr``; PyTorch raises an error past
    ``total_steps`` instead (and at step ``total_steps`` itself gives a value slightly above
    ``min_lr``). When ``pct_start * total_steps == 1`` the warm-up phase is empty and the rate at
    step 0 is ``max_lr`` (PyTorch divides by zero there).
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    name: ClassVar[str] = "one_cycle"

    def __post_init__(self) -> None:
        check_nonneg("max_lr", self.max_lr)
        check_positive_int("total_steps", self.total_steps)
        if not 0 < check_finite("pct_start", self.pct_start) < 1:
            raise ValueError(f"pct_start must be in (0, 1), got {self.pct_start!r}")
        check_positive("div_factor", self.div_factor)
        check_positive("final_div_factor", self.final_div_factor)

    @staticmethod
    def _anneal(start: float, end: float, pct: NDArray[np.float64]) -> NDArray[np.float64]:
        # Same arithmetic as torch's OneCycleLR._annealing_cos, so the values agree to the bit.
        return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)

    def at(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        initial = self.max_lr / self.div_factor
        min_lr = initial / self.final_div_factor
        end1 = float(self.pct_start * self.total_steps) - 1  # step at which max_lr is reached
        end2 = self.total_steps - 1                          # step at which min_lr is reached
        s = np.minimum(step, end2)
        pct1 = s / end1 if end1 > 0 else np.ones_like(s)
        pct2 = (s - end1) / (end2 - end1)
        return np.where(s <= end1, self._anneal(initial, self.max_lr, pct1),
                        self._anneal(self.max_lr, min_lr, pct2))


# --- factory functions: the names used in the guide -------------------------------------------

def constant(lr: float) -> Constant:
    """Constant learning rate ``lr``."""
    return Constant(lr)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> StepDecay:
    """``lr * gamma ** (step // step_size)`` (PyTorch ``StepLR``)."""
    return StepDecay(lr, step_size, gamma)


def exponential_decay(lr: float, decay_steps: int, decay_rate: float,
                      staircase: bool = False) -> ExponentialDecay:
    """``lr * decay_rate ** (step / decay_steps)`` (Keras ``ExponentialDecay``)."""
    return ExponentialDecay(lr, decay_steps, decay_rate, staircase)


def cosine_annealing(lr: float, total_steps: int, lr_min: float = 0.0) -> CosineAnnealing:
    """Cosine from ``lr`` to ``lr_min`` over ``total_steps`` (PyTorch ``CosineAnnealingLR``)."""
    return CosineAnnealing(lr, total_steps, lr_min)


def linear_warmup(lr: float, warmup_steps: int, start: float = 0.0) -> LinearWarmup:
    """Linear from ``start`` to ``lr`` over ``warmup_steps`` steps, then constant."""
    return LinearWarmup(lr, warmup_steps, start)


def warmup_cosine(lr: float, warmup_steps: int, total_steps: int,
                  lr_min: float = 0.0) -> WarmupCosine:
    """Linear warmup from 0 to ``lr``, then a cosine down to ``lr_min`` at ``total_steps``."""
    return WarmupCosine(lr, warmup_steps, total_steps, lr_min)


def one_cycle(max_lr: float, total_steps: int, pct_start: float = 0.3, div_factor: float = 25.0,
              final_div_factor: float = 1e4) -> OneCycle:
    """The 1cycle policy (PyTorch ``OneCycleLR``, cosine annealing, two phases)."""
    return OneCycle(max_lr, total_steps, pct_start, div_factor, final_div_factor)
