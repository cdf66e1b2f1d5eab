"""Flat w1, steep w2: SGD, RMSprop and AdaGrad on ``optdocs.landscapes.flat_steep``.

The bowl :math:`f(w) = \\tfrac12 (h_1 w_1^2 + h_2 w_2^2)` with :math:`h = (0.1, 8)` from
:math:`(-4, 1)`. Every run here is ``optdocs.simulate.simulate`` with the optimizer's PyTorch
defaults apart from ``lr``, without noise: deterministic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optdocs.demos._checks import MAX_STEPS, _floats, _integer, _number
from optdocs.landscapes import flat_steep
from optdocs.optimizers import SGD, Adagrad, RMSprop
from optdocs.simulate import simulate

#: Optimizers the flat-steep demos accept, by name (optdocs' class names).
FLAT_STEEP_OPTIMIZERS: tuple[str, ...] = ("SGD", "RMSprop", "Adagrad")
#: Distance from the minimum at which a run counts as arrived (as in the chapter).
ARRIVED = 1e-2


def _optimizer(optimizer: Any, lr: float):
    rules = {"SGD": SGD, "RMSprop": RMSprop, "Adagrad": Adagrad}
    if optimizer not in rules:
        raise ValueError(f"optimizer must be one of {list(FLAT_STEEP_OPTIMIZERS)}, "
                         f"got {optimizer!r}")
    return rules[optimizer](lr=_number("lr", lr, positive=True))


def _plain(v: float) -> float | None:
    """A float, or None where the run overflowed (JSON has no inf or NaN)."""
    v = float(v)
    return v if math.isfinite(v) else None


def flat_steep_surface(points: int = 41, levels: int = 12) -> dict[str, Any]:
    """The loss of ``flat_steep`` on a ``points`` x ``points`` grid over its box, for contours.

    Parameters
    ----------
    points : int
        Grid points per axis, 2 to 401.
    levels : int
        Number of contour levels, 1 to 100.

    Returns
    -------
    dict
        ``w1`` and ``w2`` (``points`` floats each, evenly spaced over ``flat_steep.bounds``),
        ``loss`` (``points * points`` floats, row by row: ``loss[i * points + j]`` at
        ``(w1[j], w2[i])``), ``levels`` (loss values evenly spaced in log scale, from a
        thousandth of the largest loss on the grid to nine tenths of it), ``start`` and
        ``curvatures`` (the list ``[h1, h2]``).
    """
    points = _integer("points", points, 2, 401)
    levels = _integer("levels", levels, 1, 100)
    (lo1, hi1), (lo2, hi2) = flat_steep.bounds
    w1, w2 = np.linspace(lo1, hi1, points), np.linspace(lo2, hi2, points)
    loss = flat_steep.loss(np.stack(np.meshgrid(w1, w2), axis=-1))   # [i, j] at (w1[j], w2[i])
    top = float(loss.max())
    return {"w1": _floats(w1), "w2": _floats(w2), "loss": _floats(loss),
            "levels": _floats(np.geomspace(top / 1000, 0.9 * top, levels)),
            "start": _floats(flat_steep.start), "curvatures": _floats(flat_steep.curvatures)}


def flat_steep_limits(lr_max: float = 0.3, points: int = 61) -> dict[str, Any]:
    r"""Where one SGD learning rate stops being safe, from the curvatures of ``flat_steep``.

    One SGD step multiplies each coordinate by :math:`1 - \eta h_i`, so coordinate :math:`i`
    shrinks only for :math:`\eta < 2/h_i`: the steep direction caps the rate at
    :math:`2/h_{\max}`, and there the flat direction is still multiplied by
    :math:`1 - 2 h_{\min}/h_{\max}` per step.

    Returns
    -------
    dict
        ``diverge_lr`` (:math:`2/h_2`, SGD diverges in :math:`w_2` above it), ``w1_factor_at_limit``
        (:math:`|1 - 2 h_1/h_2|`, the fastest :math:`w_1` shrinks while :math:`w_2` is stable),
        and the curves ``lr`` (``points`` rates from 0 to ``lr_max``), ``factor_w1`` and
        ``factor_w2`` (:math:`|1 - \eta h_i|`).
    """
    lr_max = _number("lr_max", lr_max, positive=True)
    points = _integer("points", points, 2, MAX_STEPS)
    h = np.asarray(flat_steep.curvatures, dtype=float)
    limit = 2.0 / h.max()
    lrs = np.linspace(0.0, lr_max, points)
    return {"diverge_lr": float(limit), "w1_factor_at_limit": float(abs(1 - limit * h.min())),
            "lr": _floats(lrs), "factor_w1": _floats(np.abs(1 - lrs * h[0])),
            "factor_w2": _floats(np.abs(1 - lrs * h[1]))}


def flat_steep_path(optimizer: str, lr: float, steps: int = 100) -> dict[str, Any]:
    """One run on ``flat_steep`` from its start, and the size of every step in each coordinate.

    Parameters
    ----------
    optimizer : {"SGD", "RMSprop", "Adagrad"}
        The update rule, PyTorch's defaults apart from ``lr``.
    lr : float
        Learning rate, > 0.
    steps : int
        0 to 5000.

    Returns
    -------
    dict
        ``w1``, ``w2`` (``steps + 1`` floats, the start first), ``step_w1``, ``step_w2``
        (``steps`` floats: :math:`|w_i^{(t)} - w_i^{(t-1)}|`), ``final_w1``, ``final_w2``
        (absolute values after the last step), ``arrived`` (first step within 0.01 of the
        minimum, -1 if never) and ``diverged_at`` (-1 if never; an overflowing run stays at its
        last finite point).
    """
    opt = _optimizer(optimizer, lr)
    steps = _integer("steps", steps, 0, MAX_STEPS)
    tr = simulate(flat_steep, opt, steps=steps)
    w = tr.positions[:, 0, :]
    moved = np.abs(np.diff(w, axis=0))
    return {"w1": _floats(w[:, 0]), "w2": _floats(w[:, 1]),
            "step_w1": _floats(moved[:, 0]), "step_w2": _floats(moved[:, 1]),
            "final_w1": float(abs(w[-1, 0])), "final_w2": float(abs(w[-1, 1])),
            "arrived": int(tr.steps_to_reach(ARRIVED)[0]), "diverged_at": int(tr.diverged_at[0])}


def flat_steep_step(optimizer: str, lr: float, step: int = 1) -> dict[str, Any]:
    r"""What the optimizer does to each coordinate at step ``step`` of ``flat_steep_path``'s run.

    The rate and the step are read from the optimizer after that step
    (``opt.get("effective_lr")``, ``opt.get("update")``): SGD uses one rate for both coordinates,
    RMSprop and AdaGrad divide it by each coordinate's gradient history.

    Parameters
    ----------
    optimizer : {"SGD", "RMSprop", "Adagrad"}
    lr : float
        Learning rate, > 0.
    step : int
        1 to 5000.

    Returns
    -------
    dict
        ``step``; per coordinate ``i`` in 1, 2: ``grad_wi`` (:math:`|g_i|` at step ``step``),
        ``rate_wi`` (effective learning rate), ``step_wi`` (:math:`|\Delta w_i|`, the step
        applied), ``wi`` (the coordinate after the step) and ``factor_wi`` (:math:`w_i^{(t)} /
        w_i^{(t-1)}`, what the step multiplied it by; None if it was 0); ``ratio``
        (``step_w1 / step_w2``: 1 when both coordinates move alike). A value that overflowed is
        None; ``diverged_at`` as in ``flat_steep_path``.
    """
    opt = _optimizer(optimizer, lr)
    step = _integer("step", step, 1, MAX_STEPS)
    with np.errstate(all="ignore"):
        tr = simulate(flat_steep, opt, steps=step)
        before, after = tr.positions[step - 1, 0], tr.positions[step, 0]
        g = np.abs(flat_steep.grad(before))
        rate = np.asarray(opt.get("effective_lr"), dtype=float)[0]
        moved = np.abs(np.asarray(opt.get("update"), dtype=float)[0])
        factor = [a / b if b != 0 else math.nan for a, b in zip(after, before, strict=True)]
        ratio = moved[0] / moved[1] if moved[1] != 0 else math.nan
    out: dict[str, Any] = {"step": step}
    for i in (0, 1):
        k = f"w{i + 1}"
        out.update({f"grad_{k}": _plain(g[i]), f"rate_{k}": _plain(rate[i]),
                    f"step_{k}": _plain(moved[i]), k: _plain(after[i]),
                    f"factor_{k}": _plain(factor[i])})
    out["ratio"] = _plain(ratio)
    out["diverged_at"] = int(tr.diverged_at[0])
    return out
