"""The computations behind the guide's interactive figures, as plain JSON-able results.

Each function answers one question a figure asks for one setting of its controls, and returns
dicts, lists and floats only (no NumPy types), so the same call serves the site build (which
stores its answers at a grid of settings) and the page (which calls it in the browser through
Pyodide once Python is running). Every result is a deterministic function of the arguments: the
gradient noise is drawn from ``seed`` exactly as ``optdocs.simulate.simulate`` draws it, so two
calls with the same seed see the same noise whatever the optimizer.

Bad arguments raise ``ValueError`` naming the argument and the value given.

Example
-------
>>> from optdocs.demos import lr_dial
>>> dial = lr_dial(lr=0.6, curvature=2.0)
>>> dial["regime"], round(dial["factor"], 3)
('oscillating', -0.2)
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from optdocs.landscapes import Quadratic, double_well
from optdocs.optimizers import SGD, Adam
from optdocs.simulate import simulate

__all__ = ["OPTIMIZERS", "REGIMES", "lr_dial", "double_well_curve", "double_well_path",
           "double_well_outcomes"]

#: Optimizers the double-well demos accept, by name.
OPTIMIZERS: tuple[str, ...] = ("SGD", "Adam")

#: Names of the regimes of gradient descent on a bowl, in order of growing ``lr * curvature``.
REGIMES: tuple[str, ...] = ("slow", "fast", "oscillating", "diverging")

MAX_STEPS = 5000
MAX_RUNS = 10_000


# ------------------------------------------------------------------------------------ checks


def _number(name: str, value: Any, *, low: float | None = None, positive: bool = False,
            high: float | None = None) -> float:
    """``value`` as a float, or ValueError naming ``name`` if it is not a finite real in range."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    if positive and not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low:g}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}, got {value!r}")
    return value


def _integer(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _floats(a: Any) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


# ------------------------------------------------------------------------ the learning-rate dial


def lr_dial(lr: float, curvature: float = 2.0, x0: float = -1.5, steps: int = 20) -> dict[str, Any]:
    r"""Gradient descent on the bowl :math:`f(x) = \tfrac{c}{2} x^2`, and its regime.

    One step multiplies the position by the factor :math:`r = 1 - \eta c`:

    .. math:: x_t = x_{t-1} - \eta\, c\, x_{t-1} = (1 - \eta c)\, x_{t-1} = r^t x_0 .

    The regime follows from :math:`\eta c` alone; the thresholds on :math:`\eta` are computed from
    the curvature :math:`c`:

    - ``"slow"`` for :math:`\eta < 1/(2c)`: the error keeps its sign and shrinks by less than
      half per step;
    - ``"fast"`` for :math:`1/(2c) \le \eta \le 1/c`: same sign, at least halved every step
      (:math:`\eta = 1/c` lands on the minimum in one step);
    - ``"oscillating"`` for :math:`1/c < \eta < 2/c`: the sign flips every step while the error
      shrinks (overshooting);
    - ``"diverging"`` for :math:`\eta \ge 2/c`: :math:`|r| \ge 1`, the error never shrinks.

    The path is computed by ``optdocs.SGD`` through ``optdocs.simulate.simulate`` on a 1D
    ``Quadratic`` landscape with that curvature.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    curvature : float
        :math:`c = f''(x) > 0`.
    x0 : float
        Start.
    steps : int
        Number of steps, 0 to 5000.

    Returns
    -------
    dict
        ``x`` and ``loss`` (lists of ``steps + 1`` floats, the start first), ``final_x``,
        ``final_loss``, ``factor`` (:math:`r`), ``regime`` (one of ``REGIMES``) and
        ``thresholds``: ``{"fast": 1/(2c), "overshoot": 1/c, "diverge": 2/c}``, and
        ``curve``: the bowl itself, ``{"x": [...], "loss": [...]}`` at 81 points over
        :math:`[-1.6 |x_0|, 1.6 |x_0|]` (the window of the figure). A run that overflows stops at
        its last finite point (``diverged_at`` is then the step, else -1).
    """
    lr = _number("lr", lr, positive=True)
    c = _number("curvature", curvature, positive=True)
    x0 = _number("x0", x0)
    steps = _integer("steps", steps, 0, MAX_STEPS)
    bowl = Quadratic(curvatures=(c,), name="bowl", start_point=(x0,), box=(max(abs(x0), 1.0),))
    tr = simulate(bowl, SGD(lr=lr), steps=steps)
    product = lr * c
    regime = REGIMES[0 if product < 0.5 else 1 if product <= 1 else 2 if product < 2 else 3]
    return {
        "x": _floats(tr.positions[:, 0, 0]),
        "loss": _floats(tr.losses[:, 0]),
        "final_x": float(tr.positions[-1, 0, 0]),
        "final_loss": float(tr.losses[-1, 0]),
        "factor": 1.0 - product,
        "regime": regime,
        "thresholds": {"fast": 0.5 / c, "overshoot": 1.0 / c, "diverge": 2.0 / c},
        "diverged_at": int(tr.diverged_at[0]),
        "curve": _curve(bowl, 1.6 * max(abs(x0), 1e-3), 81),
    }


def _curve(landscape, half_width: float, points: int) -> dict[str, list[float]]:
    xs = np.linspace(-half_width, half_width, points)
    return {"x": _floats(xs), "loss": _floats(landscape.loss(xs[:, None]))}


# ------------------------------------------------------------------------------ the double well


def double_well_curve(points: int = 161) -> dict[str, Any]:
    """The curve of ``optdocs.landscapes.double_well`` over its plotting window, for drawing.

    Parameters
    ----------
    points : int
        Number of samples, 2 to 5000.

    Returns
    -------
    dict
        ``x`` and ``loss`` (``points`` floats each, evenly spaced over ``double_well.bounds``),
        ``minima`` (``[{"x", "loss"}, ...]``, deep first) and ``barrier`` (its ``x`` and
        ``loss``).
    """
    points = _integer("points", points, 2, MAX_STEPS)
    (lo, hi), = double_well.bounds
    xs = np.linspace(lo, hi, points)
    m = double_well.minima[:, 0]
    return {
        "x": _floats(xs),
        "loss": _floats(double_well.loss(xs[:, None])),
        "minima": [{"x": float(v), "loss": float(double_well.loss(np.array([v])))} for v in m],
        "barrier": {"x": float(double_well.barrier),
                    "loss": float(double_well.loss(np.array([double_well.barrier])))},
    }


def _optimizer(optimizer: Any, lr: float):
    if optimizer == "SGD":
        return SGD(lr=lr)
    if optimizer == "Adam":
        return Adam(lr=lr)
    raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {optimizer!r}")


def double_well_path(optimizer: str, lr: float, noise: float = 1.0, steps: int = 200,
                     seed: int = 0) -> dict[str, Any]:
    r"""One noisy run on ``optdocs.landscapes.double_well`` from its shallow minimum :math:`x = -1`.

    Every step the optimizer gets :math:`f'(x_{t-1}) + \sigma z_t` with :math:`z_t` standard
    normal drawn from ``seed`` (run 0 of ``simulate(double_well, ..., seed=seed)``): two calls
    with the same ``seed`` and ``noise`` feed *the same* noisy gradients to both optimizers or
    learning rates.

    Parameters
    ----------
    optimizer : {"SGD", "Adam"}
        The update rule, with default hyperparameters apart from ``lr``.
    lr : float
        Learning rate, > 0.
    noise : float
        :math:`\sigma \ge 0`, the standard deviation of the gradient noise.
    steps : int
        0 to 5000.
    seed : int
        0 to 2**32 - 1.

    Returns
    -------
    dict
        ``x`` and ``loss`` (``steps + 1`` floats each), ``final_x``, ``final_loss``, ``basin``
        (``"deep"``, ``"shallow"`` or ``"diverged"``: where the run ends), ``crossed`` (did it
        ever reach the barrier at :math:`x = 0`) and ``diverged_at`` (the step at which it
        overflowed, -1 if never; a diverged run stays at its last finite point).
    """
    opt = _optimizer(optimizer, _number("lr", lr, positive=True))
    noise = _number("noise", noise, low=0.0)
    steps = _integer("steps", steps, 0, MAX_STEPS)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    tr = simulate(double_well, opt, steps=steps, runs=1, noise=noise, seed=seed)
    basin = int(tr.basins()[0])
    where = "diverged" if basin < 0 else "deep" if basin == 0 else "shallow"
    return {
        "x": _floats(tr.positions[:, 0, 0]),
        "loss": _floats(tr.losses[:, 0]),
        "final_x": float(tr.positions[-1, 0, 0]),
        "final_loss": float(tr.losses[-1, 0]),
        "basin": where,
        "crossed": bool((tr.positions[:, 0, 0] >= double_well.barrier).any()),
        "diverged_at": int(tr.diverged_at[0]),
    }


def double_well_outcomes(optimizer: str, lr: float, noise: float = 1.0, steps: int = 1000,
                         runs: int = 1000, seed: int = 0) -> dict[str, float]:
    r"""Where ``runs`` noisy runs from the shallow minimum of the double well end.

    All runs are simulated at once (``optdocs.simulate.simulate``, vectorised over runs) with the
    noise of ``seed``; run 0 is the run of ``double_well_path`` with the same arguments.

    Parameters
    ----------
    optimizer : {"SGD", "Adam"}
    lr : float
        Learning rate, > 0.
    noise : float
        Standard deviation of the gradient noise, >= 0.
    steps : int
        0 to 5000.
    runs : int
        1 to 10000.
    seed : int
        0 to 2**32 - 1.

    Returns
    -------
    dict
        ``escaped`` (fraction ending, finite, in the deep well), ``stayed`` (in the shallow
        well), ``diverged`` (overflowed); the three add up to 1. ``ever`` is the fraction that
        reached the barrier at least once, and ``runs`` the number of runs.
    """
    opt = _optimizer(optimizer, _number("lr", lr, positive=True))
    noise = _number("noise", noise, low=0.0)
    steps = _integer("steps", steps, 0, MAX_STEPS)
    runs = _integer("runs", runs, 1, MAX_RUNS)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    tr = simulate(double_well, opt, steps=steps, runs=runs, noise=noise, seed=seed)
    escaped, diverged = tr.escape_fraction(), tr.diverged_fraction
    return {
        "escaped": escaped,
        "stayed": float(np.mean(tr.basins() == 1)),
        "diverged": diverged,
        "ever": float(np.mean((tr.positions[:, :, 0] >= double_well.barrier).any(axis=0))),
        "runs": runs,
    }
