"""The learning-rate dial: gradient descent on a bowl, and the regime its learning rate puts it in."""

from __future__ import annotations

from typing import Any

import numpy as np

from optdocs.demos._checks import MAX_STEPS, _floats, _integer, _number
from optdocs.landscapes import Quadratic
from optdocs.optimizers import SGD
from optdocs.simulate import simulate

#: Names of the regimes of gradient descent on a bowl, in order of growing ``lr * curvature``.
REGIMES: tuple[str, ...] = ("slow", "fast", "oscillating", "diverging")


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
