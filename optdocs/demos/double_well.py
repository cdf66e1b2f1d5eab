"""The double well: one noisy run, and the outcomes of many, for SGD and Adam."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from optdocs.demos._checks import MAX_RUNS, MAX_STEPS, _floats, _integer, _number
from optdocs.demos._chunks import run_chunks, simulate_chunks, with_chunks
from optdocs.landscapes import double_well
from optdocs.optimizers import SGD, Adam
from optdocs.simulate import simulate

#: Optimizers the double-well demos accept, by name.
OPTIMIZERS: tuple[str, ...] = ("SGD", "Adam")


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


def _outcomes_chunks(optimizer: str, lr: float, noise: float = 1.0, steps: int = 1000,
                     runs: int = 1000, seed: int = 0) -> Generator[None, None, dict[str, float]]:
    """``double_well_outcomes`` computed in chunks of steps (see ``optdocs.demos._chunks``)."""
    opt = _optimizer(optimizer, _number("lr", lr, positive=True))
    noise = _number("noise", noise, low=0.0)
    steps = _integer("steps", steps, 0, MAX_STEPS)
    runs = _integer("runs", runs, 1, MAX_RUNS)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    tr = yield from simulate_chunks(double_well, opt, steps, runs, noise, seed)
    escaped, diverged = tr.escape_fraction(), tr.diverged_fraction
    return {
        "escaped": escaped,
        "stayed": float(np.mean(tr.basins() == 1)),
        "diverged": diverged,
        "ever": float(np.mean((tr.positions[:, :, 0] >= double_well.barrier).any(axis=0))),
        "runs": runs,
    }


@with_chunks(_outcomes_chunks)
def double_well_outcomes(optimizer: str, lr: float, noise: float = 1.0, steps: int = 1000,
                         runs: int = 1000, seed: int = 0) -> dict[str, float]:
    r"""Where ``runs`` noisy runs from the shallow minimum of the double well end.

    All runs are simulated at once (``optdocs.simulate.simulate``, vectorised over runs) with the
    noise of ``seed``; run 0 is the run of ``double_well_path`` with the same arguments. The
    page's Python worker computes it in chunks of steps (``double_well_outcomes.chunks``, see
    ``optdocs.demos._chunks``), with the same result.

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
    return run_chunks(_outcomes_chunks(optimizer, lr, noise, steps, runs, seed))
