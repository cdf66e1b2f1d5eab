"""Loss surfaces with analytic gradients, for watching optimizers move.

Every landscape is a small object with the same interface:

- ``loss(x)`` and ``grad(x)`` take points of shape ``(..., dim)``: any number of leading axes, so a
  whole grid or a batch of independent runs is evaluated in one NumPy call. ``loss`` returns shape
  ``(...)`` and ``grad`` returns shape ``(..., dim)``.
- ``minima``: the known minima, shape ``(k, dim)``, sorted by loss (the global minimum first).
- ``basin(x)``: for each point the index (into ``minima``) of the minimum whose basin it is in.
- ``bounds`` (a ``(lo, hi)`` pair per dimension, for plots) and ``start`` (a default start).

Example
-------
>>> from optdocs.landscapes import ravine
>>> ravine.grad([[1.0, 1.0], [2.0, 0.0]])
array([[ 0.5, 15. ],
       [ 1. ,  0. ]])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Landscape", "DoubleWell", "Quadratic", "Rosenbrock", "Beale", "Himmelblau", "Saddle",
    "double_well", "ravine", "flat_steep", "rosenbrock", "beale", "himmelblau", "saddle",
    "LANDSCAPES", "get",
]

Bounds = tuple[tuple[float, float], ...]


def _frozen(a: ArrayLike) -> NDArray[np.float64]:
    """A read-only float copy, so shared landscapes cannot be changed by accident."""
    out = np.array(a, dtype=float)
    out.flags.writeable = False
    return out


class Landscape:
    """Base class: shape checks and basins. Subclasses implement ``_loss`` and ``_grad``.

    Attributes
    ----------
    name : str
        Key in ``LANDSCAPES``.
    dim : int
        Number of coordinates of a point.
    bounds : tuple of (lo, hi)
        Plotting window, one pair per dimension.
    minima : ndarray, shape (k, dim)
        Known minima sorted by loss, global minimum first (ties: all of them are global).
    start : ndarray, shape (dim,)
        A starting point that shows the landscape's difficulty.
    noise : float
        Standard deviation of the gradient noise the guide uses on this landscape (0 for none).
        ``optdocs.simulate.simulate`` does not read it; pass it explicitly.
    """

    name: str = "landscape"
    dim: int = 2
    bounds: Bounds = ((-2.0, 2.0), (-2.0, 2.0))
    noise: float = 0.0

    @property
    def minima(self) -> NDArray[np.float64]:
        return np.empty((0, self.dim))

    @property
    def start(self) -> NDArray[np.float64]:
        return np.zeros(self.dim)

    def _check(self, x: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"x must have shape (..., {self.dim}) for landscape {self.name!r}, "
                f"got shape {x.shape}")
        return x

    def loss(self, x: ArrayLike) -> NDArray[np.float64]:
        """Loss at points ``x`` of shape ``(..., dim)``; returns shape ``(...)``."""
        return self._loss(self._check(x))

    def grad(self, x: ArrayLike) -> NDArray[np.float64]:
        """Gradient at points ``x`` of shape ``(..., dim)``; returns shape ``(..., dim)``."""
        return self._grad(self._check(x))

    def basin(self, x: ArrayLike) -> NDArray[np.intp]:
        """Index into ``minima`` of the basin each point is in, shape ``(...)``.

        The default rule is the *nearest* minimum (Euclidean distance; ties go to the lower index),
        a fair approximation for plots and escape counts but not the true basin of attraction far
        from the minima. Returns -1 everywhere if the landscape has no known minima.
        """
        x = self._check(x)
        m = self.minima
        if len(m) == 0:
            return np.full(x.shape[:-1], -1, dtype=np.intp)
        d2 = ((x[..., None, :] - m) ** 2).sum(axis=-1)
        return np.argmin(d2, axis=-1)

    def _loss(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError

    def _grad(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError


@dataclass(frozen=True)
class DoubleWell(Landscape):
    r"""A tilted 1D double well: a shallow minimum and a deeper one separated by a bump.

    Defined by its derivative, so the stationary points are exactly the parameters:

    .. math:: f'(x) = s\,(x - \text{left})(x - \text{barrier})(x - \text{right})

    With the defaults (left = -1, barrier = 0, right = 1.5, s = 1/2),
    :math:`f(x) = x^4/8 - x^3/12 - 3x^2/8`:

    - shallow minimum x = -1, f = -1/6, curvature f'' = 1.25 (the default start);
    - bump (separating maximum) x = 0, f = 0: a barrier of 1/6 seen from the shallow side;
    - global minimum x = 1.5, f = -63/128 = -0.492, curvature f'' = 1.875.

    Without noise, SGD is stable at both minima for lr < 2/1.875 = 1.07. Far from them the quartic
    walls get steep (f'' = 1.5 x^2 - ...), so large steps there can diverge.
    ``noise = 1.0`` is the gradient noise the guide uses for escape experiments.
    """

    left: float = -1.0
    barrier: float = 0.0
    right: float = 1.5
    scale: float = 0.5
    noise: float = 1.0
    name: str = "double_well"
    dim = 1

    def __post_init__(self) -> None:
        if not self.left < self.barrier < self.right:
            raise ValueError("need left < barrier < right, got "
                             f"left={self.left}, barrier={self.barrier}, right={self.right}")
        if not self.scale > 0:
            raise ValueError(f"scale must be > 0, got {self.scale}")

    @property
    def bounds(self) -> Bounds:  # type: ignore[override]
        width = self.right - self.left
        return ((self.left - 0.4 * width, self.right + 0.4 * width),)

    @property
    def minima(self) -> NDArray[np.float64]:
        m = np.array([[self.left], [self.right]])
        return m[np.argsort(self._loss(m), kind="stable")]

    @property
    def start(self) -> NDArray[np.float64]:
        """The shallow (local) minimum."""
        return self.minima[-1].copy()

    def _loss(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        # Antiderivative of s (x - a)(x - b)(x - c) = s (x^3 - e1 x^2 + e2 x - e3), zero at x = 0:
        # s (x^4/4 - e1 x^3/3 + e2 x^2/2 - e3 x), in Horner form (no powers: 16x faster on the
        # (steps, runs) arrays of simulate, which evaluates the loss at every position).
        a, b, c = self.left, self.barrier, self.right
        e1, e2, e3 = a + b + c, a * b + a * c + b * c, a * b * c
        x = x[..., 0]
        return self.scale * ((((x / 4 - e1 / 3) * x + e2 / 2) * x - e3) * x)

    def _grad(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.scale * (x - self.left) * (x - self.barrier) * (x - self.right)

    def basin(self, x: ArrayLike) -> NDArray[np.intp]:
        """Index into ``minima`` (0 = global): decided by the side of the barrier.

        A point exactly on the barrier counts as being on the right.
        """
        x = self._check(x)[..., 0]
        right_index = int(self.minima[0, 0] != self.right)  # where `right` sits in `minima`
        return np.where(x >= self.barrier, right_index, 1 - right_index).astype(np.intp)


@dataclass(frozen=True)
class Quadratic(Landscape):
    r"""A quadratic bowl :math:`f(x) = \tfrac12 x^\top H x` with minimum 0 at the origin.

    ``H`` has eigenvalues ``curvatures``; in 2D its eigenvectors are the axes rotated by ``angle``
    (radians). Plain gradient descent is stable only for ``lr < 2 / max(curvatures)``, and moves
    along the flattest direction at a rate set by ``lr * min(curvatures)``.
    """

    curvatures: tuple[float, ...] = (1.0, 10.0)
    angle: float = 0.0
    name: str = "quadratic"
    start_point: tuple[float, ...] = (-4.0, 1.0)
    box: tuple[float, ...] = (5.0, 2.0)  # plot half-widths per dimension

    def __post_init__(self) -> None:
        if min(self.curvatures) <= 0:
            raise ValueError(f"curvatures must all be > 0, got {self.curvatures}")
        if self.angle and len(self.curvatures) != 2:
            raise ValueError(f"angle needs exactly 2 curvatures, got {self.curvatures}")

    @property
    def dim(self) -> int:  # type: ignore[override]
        return len(self.curvatures)

    @property
    def bounds(self) -> Bounds:  # type: ignore[override]
        return tuple((-h, h) for h in self.box)

    @property
    def minima(self) -> NDArray[np.float64]:
        return np.zeros((1, self.dim))

    @property
    def start(self) -> NDArray[np.float64]:
        return np.array(self.start_point, dtype=float)

    @cached_property
    def hessian(self) -> NDArray[np.float64]:
        """The constant matrix ``H``."""
        h = np.diag(np.asarray(self.curvatures, dtype=float))
        if self.angle:
            c, s = math.cos(self.angle), math.sin(self.angle)
            r = np.array([[c, -s], [s, c]])
            h = r @ h @ r.T
        return _frozen(h)

    def _loss(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return 0.5 * np.sum((x @ self.hessian) * x, axis=-1)

    def _grad(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        return x @ self.hessian  # H is symmetric


def _pair(dx: NDArray[np.float64], dy: NDArray[np.float64]) -> NDArray[np.float64]:
    """``np.stack([dx, dy], axis=-1)`` for two float arrays of one shape, without its overhead:
    an interactive figure takes the gradient of one point hundreds of times per answer."""
    out = np.empty(np.shape(dx) + (2,))
    out[..., 0] = dx
    out[..., 1] = dy
    return out


@dataclass(frozen=True)
class Rosenbrock(Landscape):
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Global minimum 0 at (a, a^2). The valley floor is easy to reach and slow to follow.
    """

    a: float = 1.0
    b: float = 100.0
    name: str = "rosenbrock"
    bounds: Bounds = ((-2.0, 2.0), (-1.0, 3.0))

    @property
    def minima(self) -> NDArray[np.float64]:
        return np.array([[self.a, self.a**2]])

    @property
    def start(self) -> NDArray[np.float64]:
        return np.array([-1.2, 1.0])

    def _loss(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = p[..., 0], p[..., 1]
        r = y - x**2
        return _pair(-2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r)


@dataclass(frozen=True)
class Beale(Landscape):
    r"""Beale's function, flat plateaus and sharp ridges around one minimum.

    .. math:: f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    Global minimum 0 at (3, 0.5).
    """

    name: str = "beale"
    bounds: Bounds = ((-4.5, 4.5), (-4.5, 4.5))

    @property
    def minima(self) -> NDArray[np.float64]:
        return np.array([[3.0, 0.5]])

    @property
    def start(self) -> NDArray[np.float64]:
        return np.array([1.0, 1.5])

    def _terms(self, p: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        x, y = p[..., 0], p[..., 1]
        return x, y, 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3

    def _loss(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        _, _, t1, t2, t3 = self._terms(p)
        return t1**2 + t2**2 + t3**2

    def _grad(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y, t1, t2, t3 = self._terms(p)
        dx = 2 * (t1 * (y - 1) + t2 * (y**2 - 1) + t3 * (y**3 - 1))
        dy = 2 * x * (t1 + 2 * t2 * y + 3 * t3 * y**2)
        return _pair(dx, dy)


@dataclass(frozen=True)
class Himmelblau(Landscape):
    r"""Himmelblau's function :math:`f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2`.

    Four global minima, all with f = 0: (3, 2) and three found numerically (to ~1e-15); which one an
    optimizer reaches depends on where it starts and how it moves.
    """

    name: str = "himmelblau"
    bounds: Bounds = ((-5.0, 5.0), (-5.0, 5.0))

    @property
    def minima(self) -> NDArray[np.float64]:
        return np.array([
            [3.0, 2.0],
            [-2.805118086952745, 3.131312518250573],
            [-3.779310253377747, -3.283185991286169],
            [3.5844283403304917, -1.8481265269644034],
        ])

    @property
    def start(self) -> NDArray[np.float64]:
        return np.array([0.0, 0.0])

    def _loss(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def _grad(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = p[..., 0], p[..., 1]
        u, v = x**2 + y - 11, x + y**2 - 7
        return _pair(4 * x * u + 2 * v, 2 * u + 4 * y * v)


@dataclass(frozen=True)
class Saddle(Landscape):
    r"""A saddle point at the origin between two minima: :math:`f(x, y) = x^2/2 + y^4/4 - y^2/2`.

    At (0, 0) the curvature is +1 along x and -1 along y. The minima are (0, 1) and (0, -1), both
    with f = -1/4. Starting almost on the x axis, an optimizer first slides to the saddle and then
    has to escape it along y, where the gradient is tiny.
    """

    name: str = "saddle"
    bounds: Bounds = ((-2.0, 2.0), (-1.5, 1.5))

    @property
    def minima(self) -> NDArray[np.float64]:
        return np.array([[0.0, 1.0], [0.0, -1.0]])

    @property
    def start(self) -> NDArray[np.float64]:
        return np.array([1.5, 1e-3])

    def _loss(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = p[..., 0], p[..., 1]
        return x**2 / 2 + y**4 / 4 - y**2 / 2

    def _grad(self, p: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = p[..., 0], p[..., 1]
        return _pair(x, y**3 - y)


double_well = DoubleWell()
#: Narrow valley, condition number 30: SGD is stable for lr < 2/15 = 0.133 and zig-zags across it.
ravine = Quadratic(curvatures=(0.5, 15.0), name="ravine")
#: RMSprop demo: flat w1 (curvature 0.1), steep w2 (curvature 8): SGD diverges in w2 for lr > 0.25.
flat_steep = Quadratic(curvatures=(0.1, 8.0), name="flat_steep", start_point=(-4.0, 1.0),
                       box=(5.0, 1.5))
rosenbrock = Rosenbrock()
beale = Beale()
himmelblau = Himmelblau()
saddle = Saddle()

#: Every predefined landscape by name.
LANDSCAPES: dict[str, Landscape] = {
    ls.name: ls for ls in (double_well, ravine, flat_steep, rosenbrock, beale, himmelblau, saddle)
}


def get(name: str) -> Landscape:
    """The predefined landscape called ``name``; raises ValueError listing the names if unknown."""
    try:
        return LANDSCAPES[name]
    except KeyError:
        raise ValueError(f"unknown landscape {name!r}; choose from {sorted(LANDSCAPES)}") from None
