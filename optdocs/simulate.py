"""Run an optimizer on a landscape, many independent runs at once.

The runs are stacked along a leading axis: the position is one array ``x`` of shape ``(runs, dim)``,
the gradient of every run comes from one NumPy call, ``landscape.grad(x)``, and an elementwise
optimizer updates them all in one ``optimizer.step(x, g)``. A thousand noisy runs cost about as much
Python as one.

Gradient noise is Gaussian, drawn from ``np.random.default_rng(seed)`` in a fixed order (one
``(runs, dim)`` block per step), so the same seed feeds *exactly the same noisy gradients* to every
optimizer you compare: only the update rule differs.

Example
-------
>>> from optdocs import SGD
>>> from optdocs.landscapes import double_well
>>> small = simulate(double_well, SGD(lr=0.03), steps=1000, runs=500, noise=1.0)
>>> large = simulate(double_well, SGD(lr=0.3), steps=1000, runs=500, noise=1.0)
>>> small.escape_fraction() < large.escape_fraction()
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from optdocs.landscapes import Landscape

if TYPE_CHECKING:
    from optdocs.optimizers import Optimizer

__all__ = ["Trajectory", "simulate", "race", "gaussian_noise"]


@dataclass
class Trajectory:
    """Everything a simulation visited.

    Attributes
    ----------
    positions : ndarray, shape (steps + 1, runs, dim)
        ``positions[0]`` is the start, ``positions[t]`` the point after step ``t``.
    losses : ndarray, shape (steps + 1, runs)
        Loss at each position.
    diverged : ndarray of bool, shape (runs,)
        Runs whose position or loss stopped being finite (overflow to inf or NaN; a run that
        grows slowly is flagged only once it overflows). A diverged run is frozen at its last
        finite position: later rows of ``positions`` and ``losses`` repeat it.
    diverged_at : ndarray of int, shape (runs,)
        The step at which each run diverged, -1 if it never did.
    landscape : Landscape
        The landscape that was explored.
    """

    positions: NDArray[np.float64]
    losses: NDArray[np.float64]
    diverged: NDArray[np.bool_]
    diverged_at: NDArray[np.intp]
    landscape: Landscape

    @property
    def steps(self) -> int:
        return self.positions.shape[0] - 1

    @property
    def runs(self) -> int:
        return self.positions.shape[1]

    @property
    def final(self) -> NDArray[np.float64]:
        """Positions after the last step, shape ``(runs, dim)``."""
        return self.positions[-1]

    def path(self, run: int = 0) -> NDArray[np.float64]:
        """The positions of one run, shape ``(steps + 1, dim)``."""
        return self.positions[:, run]

    @property
    def diverged_fraction(self) -> float:
        return float(self.diverged.mean())

    def basins(self) -> NDArray[np.intp]:
        """Basin (index into ``landscape.minima``) each run ends in; -1 for diverged runs."""
        b = self.landscape.basin(self.final)
        return np.where(self.diverged, -1, b)

    def fraction_in(self, basin: int) -> float:
        """Fraction of all runs that end in ``basin`` (diverged runs count as not in it)."""
        return float(np.mean(self.basins() == basin))

    def escape_fraction(self, from_basin: int | None = None) -> float:
        """Fraction of all runs that end, finite, outside the basin they started from.

        ``from_basin`` fixes the start basin for every run; by default each run's own start is used.
        Diverged runs are *not* counted as escaped (see ``diverged_fraction``), so
        escaped + stayed + diverged = 1.
        """
        start = self.landscape.basin(self.positions[0]) if from_basin is None else from_basin
        return float(np.mean(~self.diverged & (self.basins() != start)))

    def steps_to_reach(self, tol: float, minimum: int | None = None) -> NDArray[np.intp]:
        """First step at which each run is within ``tol`` (Euclidean) of a minimum, -1 if never.

        ``minimum`` restricts to one minimum (index into ``landscape.minima``); by default any
        known minimum counts. The run does not have to stay there afterwards.
        """
        m = self.landscape.minima if minimum is None else self.landscape.minima[[minimum]]
        dist = np.linalg.norm(self.positions[:, :, None, :] - m, axis=-1).min(axis=-1)
        hit = dist <= tol
        return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def gaussian_noise(steps: int, runs: int, dim: int, seed: int = 0) -> NDArray[np.float64]:
    """The standard-normal draws ``simulate`` uses for ``seed``, shape ``(steps, runs, dim)``.

    ``simulate`` draws them one ``(runs, dim)`` block per step from ``np.random.default_rng(seed)``;
    NumPy fills arrays in order, so this single draw gives the same numbers.
    """
    return np.random.default_rng(seed).standard_normal((steps, runs, dim))


def _start(x0: ArrayLike | None, landscape: Landscape, runs: int) -> NDArray[np.float64]:
    x0 = landscape.start if x0 is None else np.asarray(x0, dtype=float)
    dim = landscape.dim
    if x0.shape == (dim,):
        return np.tile(x0, (runs, 1))
    if x0.shape == (runs, dim):
        return x0.copy()
    raise ValueError(f"x0 must have shape ({dim},) or (runs, dim) = ({runs}, {dim}), "
                     f"got {x0.shape}")


def _freeze_diverged(positions: NDArray[np.float64],
                     losses: NDArray[np.float64]) -> NDArray[np.intp]:
    """Freeze every run from its first non-finite position or loss on; return that step or -1.

    Runs are independent, so letting a diverged run go on computing NaNs during the loop and
    cutting it afterwards gives the same result as stopping it at once, and keeps the loop lean.
    """
    bad = ~(np.isfinite(losses) & np.isfinite(positions).all(axis=-1))   # (steps + 1, runs)
    first = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    for run in np.flatnonzero(first > 0):
        t = first[run]
        positions[t:, run] = positions[t - 1, run]
        losses[t:, run] = losses[t - 1, run]
    return first


def _grad_of(landscape: Landscape) -> Any:
    """``landscape.grad`` without its per-call check of ``x`` (``_start`` made ``x`` a float
    array of shape ``(runs, dim)`` once), unless a subclass replaced ``grad`` itself."""
    if type(landscape).grad is Landscape.grad:
        return landscape._grad
    return landscape.grad


def simulate(landscape: Landscape, optimizer: Optimizer, x0: ArrayLike | None = None,
             steps: int = 100, runs: int = 1, noise: float = 0.0, seed: int = 0,
             noise_sequence: ArrayLike | None = None) -> Trajectory:
    """Run ``optimizer`` on ``landscape`` for ``steps`` steps, ``runs`` independent runs at once.

    At every step all runs get the gradient ``landscape.grad(x) + noise * z`` in one call, with
    ``z`` standard normal of shape ``(runs, dim)``, then ``optimizer.step(x, g)`` updates ``x`` in
    place. The optimizer is ``reset()`` first.

    Parameters
    ----------
    landscape : Landscape
        Where to optimise.
    optimizer : Optimizer
        Any optdocs optimizer. Elementwise ones see the whole ``(runs, dim)`` array; LARS and LAMB
        (``elementwise = False``, norms over a whole array) get one array per run instead, so each
        run keeps its own trust ratio.
    x0 : array_like, optional
        Start, shape ``(dim,)`` for every run or ``(runs, dim)``; default ``landscape.start``.
    steps, runs : int
        Number of steps (>= 0) and of independent runs (>= 1).
    noise : float
        Standard deviation of the Gaussian noise added to every gradient component.
    seed : int
        Seed of the noise: the same seed gives the same noise to any optimizer.
    noise_sequence : array_like, optional
        The ``z`` to use instead of drawing them, shape ``(steps, runs, dim)``, still multiplied
        by ``noise`` (so ``noise`` must then be > 0). See ``gaussian_noise``.

    Returns
    -------
    Trajectory
        Positions, losses and divergence flags. A run whose position or loss becomes non-finite is
        marked diverged and frozen at its last finite position; nothing is raised or warned.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    x = _start(x0, landscape, runs)
    dim = landscape.dim
    z: Any = None
    if noise_sequence is not None:
        z = np.asarray(noise_sequence, dtype=float)
        if z.shape != (steps, runs, dim):
            raise ValueError(f"noise_sequence must have shape (steps, runs, dim) = "
                             f"({steps}, {runs}, {dim}), got {z.shape}")
        if noise == 0:
            raise ValueError("noise_sequence is multiplied by noise; pass noise > 0")
    rng = np.random.default_rng(seed)
    # LARS/LAMB take norms over a whole array: give them one array (a view of x) per run.
    params: Any = x if getattr(optimizer, "elementwise", True) else list(x)

    positions = np.empty((steps + 1, runs, dim))
    positions[0] = x
    optimizer.reset()
    grad = _grad_of(landscape)
    with np.errstate(all="ignore"):    # a diverging run may overflow: that is data, not an error
        for t in range(1, steps + 1):
            g = grad(x)
            if noise:
                g += noise * (rng.standard_normal((runs, dim)) if z is None else z[t - 1])
            optimizer.step(params, g if params is x else list(g))
            positions[t] = x
        losses = landscape.loss(positions)
    diverged_at = _freeze_diverged(positions, losses)
    diverged = diverged_at >= 0
    return Trajectory(positions, losses, diverged, diverged_at, landscape)


def race(landscape: Landscape, optimizers: dict[str, Optimizer], x0: ArrayLike | None = None,
         steps: int = 100, **kwargs: Any) -> dict[str, Trajectory]:
    """``simulate`` each optimizer from the same start with the same noise (same ``seed``).

    ``kwargs`` go to ``simulate`` (``runs``, ``noise``, ``seed``, ``noise_sequence``).
    Returns the trajectories under the same names.
    """
    return {name: simulate(landscape, opt, x0, steps, **kwargs)
            for name, opt in optimizers.items()}
