"""The ravine: SGD against heavy-ball and Nesterov momentum, and steps to converge over (lr, beta)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optdocs.demos._checks import MAX_STEPS, _floats, _integer, _number
from optdocs.demos.settle import steps_to_converge
from optdocs.landscapes import ravine
from optdocs.simulate import Trajectory, _freeze_diverged, _grad_of

#: The racers of the ravine, in the order the page draws them.
RAVINE_RUNS: tuple[str, ...] = ("SGD", "Momentum", "Nesterov")

#: The heat map's axes: learning rates 0.01 to 0.30 and momentum coefficients 0 to 0.95.
HEAT_LRS: tuple[float, ...] = tuple(round(0.01 * k, 2) for k in range(1, 31))
HEAT_BETAS: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(20))


def ravine_race(lr: float = 0.02, beta: float = 0.9, steps: int = 300, show: int = 100,
                tol: float = 1e-3) -> dict[str, Any]:
    r"""SGD, heavy-ball momentum and Nesterov momentum on ``optdocs.landscapes.ravine``.

    All three start at the ravine's start :math:`(-4, 1)` with learning rate ``lr``; the two
    momentum runs use :math:`\mu =` ``beta`` (``SGD(lr, momentum=beta)`` and
    ``SGD(lr, momentum=beta, nesterov=True)``). With ``beta = 0`` both are plain SGD, and their
    paths are SGD's. The three runs are computed at once (vectorized, the update of
    ``optdocs.SGD`` with one setting per run), to the last bit equal to
    ``simulate(ravine, SGD(...), steps=steps)``.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    beta : float
        Momentum coefficient, 0 <= beta < 1.
    steps : int
        The budget of ``steps_to_converge``, 1 to 5000.
    show : int
        How many steps of each path are returned, 0 to ``steps``.
    tol : float
        The tolerance of ``steps_to_converge``, > 0.

    Returns
    -------
    dict
        ``lr``, ``beta``, ``steps``, ``show`` and ``runs``: per name of ``RAVINE_RUNS`` its
        ``x`` and ``y`` (the first ``show + 1`` positions), ``steps_to_converge`` (within the
        budget, -1 if not), ``final_loss`` (after ``steps``) and ``diverged_at`` (-1 if never).
    """
    lr = _number("lr", lr, positive=True)
    beta = _number("beta", beta, low=0.0)
    if beta >= 1:
        raise ValueError(f"beta must be < 1, got {beta!r}")
    steps = _integer("steps", steps, 1, MAX_STEPS)
    show = _integer("show", show, 0, steps)
    tol = _number("tol", tol, positive=True)
    tr = _sgd_runs(np.array([lr, lr, lr]), np.array([0.0, beta, beta]),
                   np.array([False, False, beta > 0]), steps)
    settled = steps_to_converge(tr, tol)
    runs = {}
    for i, name in enumerate(RAVINE_RUNS):
        runs[name] = {
            "x": _floats(tr.positions[:show + 1, i, 0]),
            "y": _floats(tr.positions[:show + 1, i, 1]),
            "steps_to_converge": int(settled[i]),
            "final_loss": float(tr.losses[-1, i]),
            "diverged_at": int(tr.diverged_at[i]),
        }
    return {"lr": lr, "beta": beta, "steps": steps, "show": show, "runs": runs}


def ravine_heatmap(lrs: tuple[float, ...] = HEAT_LRS, betas: tuple[float, ...] = HEAT_BETAS,
                   steps: int = 300, tol: float = 1e-3) -> dict[str, Any]:
    r"""Steps to converge of heavy-ball momentum on the ravine for every (lr, beta) pair.

    One vectorized run over all pairs at once: the update of ``SGD(lr, momentum=beta)``
    (PyTorch's form, :math:`b_1 = g_1`, :math:`b_t = \beta b_{t-1} + g_t`,
    :math:`w_t = w_{t-1} - \gamma b_t`; plain SGD for :math:`\beta = 0`) applied to an array of
    runs with one learning rate and one coefficient per run, with the gradient of
    ``optdocs.landscapes.ravine``, divergence handled as ``optdocs.simulate.simulate`` handles it.
    Every cell equals ``steps_to_converge(simulate(ravine, SGD(lr, momentum=beta), steps=steps),
    tol)`` (the tests check it).

    Parameters
    ----------
    lrs : sequence of float
        Learning rates, each > 0 (1 to 200 of them).
    betas : sequence of float
        Momentum coefficients, each in [0, 1) (1 to 200 of them).
    steps : int
        Budget, 1 to 5000.
    tol : float
        Tolerance, > 0.

    Returns
    -------
    dict
        ``lr`` and ``beta`` (the axes), ``steps``, ``tol`` and ``steps_to_converge``: one list per
        beta, one int per lr (-1: not within ``tol`` to the end of the budget).
    """
    lr_axis = _axis("lrs", lrs, positive=True)
    beta_axis = _axis("betas", betas, low=0.0)
    if beta_axis.max() >= 1:
        raise ValueError(f"betas must all be < 1, got {list(betas)!r}")
    steps = _integer("steps", steps, 1, MAX_STEPS)
    tol = _number("tol", tol, positive=True)
    lr = np.repeat(lr_axis[None, :], len(beta_axis), axis=0).ravel()      # beta-major
    mu = np.repeat(beta_axis[:, None], len(lr_axis), axis=1).ravel()
    tr = _sgd_runs(lr, mu, np.zeros(len(lr), dtype=bool), steps)
    counts = steps_to_converge(tr, tol).reshape(len(beta_axis), len(lr_axis))
    return {"lr": _floats(lr_axis), "beta": _floats(beta_axis), "steps": steps, "tol": tol,
            "steps_to_converge": [[int(v) for v in row] for row in counts]}


def _sgd_runs(lr: np.ndarray, mu: np.ndarray, nesterov: np.ndarray, steps: int) -> Trajectory:
    """Runs of ``SGD(lr[i], momentum=mu[i], nesterov=nesterov[i])`` on the ravine, all at once.

    The update of ``optdocs.SGD`` (PyTorch's form) applied to an array of runs with one
    hyperparameter set per run: :math:`b_1 = g_1`, :math:`b_t = \\mu b_{t-1} + g_t`,
    :math:`d_t = g_t + \\mu b_t` (Nesterov) or :math:`b_t`, :math:`w_t = w_{t-1} - \\gamma d_t`;
    for :math:`\\mu = 0`, :math:`d_t = g_t`. The same floating-point operations in the same order
    as ``simulate(ravine, SGD(...))`` (``mu * b + g`` is ``g`` exactly when ``mu = 0``, as long as
    the run is finite), so the positions are the same to the last bit (the tests compare them),
    and divergence is handled as ``simulate`` handles it.
    """
    lr, mu, nesterov = lr[:, None], mu[:, None], nesterov[:, None]
    grad = _grad_of(ravine)
    x = np.tile(ravine.start, (len(lr), 1))
    positions = np.empty((steps + 1, len(lr), 2))
    positions[0] = x
    b = np.zeros_like(x)          # mu * 0 + g_1 = g_1 exactly; with mu = 0, b_t = g_t throughout
    ahead = bool(nesterov.any())
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            g = grad(x)
            b *= mu
            b += g                                                    # b_t = mu b_{t-1} + g_t
            d = np.where(nesterov, g + mu * b, b) if ahead else b
            x -= lr * d
            positions[t] = x
        losses = ravine.loss(positions)
    first = _freeze_diverged(positions, losses)
    return Trajectory(positions, losses, first >= 0, first, ravine)


def _axis(name: str, values: Any, **check: Any) -> np.ndarray:
    try:
        items = list(values)
    except TypeError:
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not 1 <= len(items) <= 200:
        raise ValueError(f"{name} must hold 1 to 200 numbers, got {len(items)}")
    return np.array([_number(name, v, **check) for v in items])
