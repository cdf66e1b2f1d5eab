"""Landscapes: analytic gradients, vectorisation, minima and basins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optdocs import landscapes as L
from optdocs.landscapes import LANDSCAPES, DoubleWell, Quadratic, double_well, get

ALL = list(LANDSCAPES.values())
IDS = list(LANDSCAPES)


def random_points(ls: L.Landscape, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo, hi = np.array(ls.bounds).T
    return rng.uniform(lo, hi, size=(n, ls.dim))


def central_difference(ls: L.Landscape, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Finite-difference gradient at points x of shape (n, dim), one coordinate at a time."""
    out = np.empty_like(x)
    for i in range(ls.dim):
        e = np.zeros(ls.dim)
        e[i] = h
        out[:, i] = (ls.loss(x + e) - ls.loss(x - e)) / (2 * h)
    return out


@pytest.mark.parametrize("ls", ALL, ids=IDS)
def test_gradient_matches_finite_differences(ls: L.Landscape) -> None:
    x = random_points(ls, 500)
    g, fd, f = ls.grad(x), central_difference(ls, x), ls.loss(x)
    # Round-off of a central difference grows like eps * |f| / h, so scale the tolerance with f.
    tol = 1e-6 * (1 + np.abs(g) + np.abs(f)[:, None])
    assert np.all(np.abs(g - fd) <= tol), np.max(np.abs(g - fd) / tol)


@pytest.mark.parametrize("ls", ALL, ids=IDS)
def test_shapes(ls: L.Landscape) -> None:
    x = random_points(ls, 12).reshape(3, 4, ls.dim)
    assert ls.loss(x).shape == (3, 4)
    assert ls.grad(x).shape == (3, 4, ls.dim)
    assert ls.basin(x).shape == (3, 4)
    assert ls.loss(x[0, 0]).shape == ()
    assert ls.grad(x[0, 0]).shape == (ls.dim,)
    assert np.asarray(ls.bounds).shape == (ls.dim, 2)
    assert ls.start.shape == (ls.dim,)
    assert ls.minima.ndim == 2 and ls.minima.shape[1] == ls.dim


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(IDS),
       shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       seed=st.integers(0, 2**16))
def test_vectorised_equals_looped(name: str, shape: list[int], seed: int) -> None:
    ls = LANDSCAPES[name]
    n = int(np.prod(shape))
    x = random_points(ls, n, seed).reshape(*shape, ls.dim)
    f, g, b = ls.loss(x), ls.grad(x), ls.basin(x)
    flat = x.reshape(-1, ls.dim)
    assert f.shape == tuple(shape) and g.shape == (*shape, ls.dim)
    for i, p in enumerate(flat):
        idx = np.unravel_index(i, shape) if shape else ()
        # SIMD loops over an array and a scalar evaluation may round the last bit differently
        np.testing.assert_allclose(f[idx], ls.loss(p), rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(g[idx], ls.grad(p), rtol=1e-12, atol=1e-12)
        assert b[idx] == ls.basin(p)


@pytest.mark.parametrize("ls", ALL, ids=IDS)
def test_minima_are_stationary_and_sorted(ls: L.Landscape) -> None:
    m = ls.minima
    assert len(m) >= 1
    assert np.abs(ls.grad(m)).max() < 1e-12
    f = ls.loss(m)
    assert np.all(np.diff(f) >= -1e-12), "minima must be sorted by loss, global first"
    # a true minimum: every small step goes up
    rng = np.random.default_rng(1)
    for p, fp in zip(m, f, strict=True):
        d = rng.normal(size=(50, ls.dim))
        d *= 1e-3 / np.linalg.norm(d, axis=1, keepdims=True)
        assert np.all(ls.loss(p + d) > fp)


@pytest.mark.parametrize("ls", ALL, ids=IDS)
def test_minima_are_their_own_basins(ls: L.Landscape) -> None:
    np.testing.assert_array_equal(ls.basin(ls.minima), np.arange(len(ls.minima)))


def test_minima_and_start_are_not_shared_mutable_state() -> None:
    double_well.start[0] = 99.0
    double_well.minima[0, 0] = 99.0
    assert double_well.start[0] == -1.0 and double_well.minima[0, 0] == 1.5


def test_double_well_constants() -> None:
    dw = double_well
    np.testing.assert_array_equal(dw.minima, [[1.5], [-1.0]])        # global first
    assert dw.loss(dw.minima[0]) < dw.loss(dw.minima[1])             # global is deeper
    np.testing.assert_allclose(dw.loss([[-1.0], [0.0], [1.5]]), [-1 / 6, 0.0, -63 / 128])
    assert dw.grad([dw.barrier])[0] == 0.0
    assert dw.loss([dw.barrier]) > dw.loss(dw.minima).max()           # barrier is a bump
    np.testing.assert_array_equal(dw.start, [-1.0])                  # starts in the shallow well
    # moderate curvature, f'' by finite differences of the gradient
    h = 1e-6
    curv = (dw.grad(dw.minima + h) - dw.grad(dw.minima - h))[:, 0] / (2 * h)
    np.testing.assert_allclose(curv, [1.875, 1.25], rtol=1e-6)
    assert dw.noise == 1.0


def test_double_well_basin_is_side_of_barrier() -> None:
    x = np.array([-3.0, -1.0, -0.01, 0.0, 0.01, 1.5, 3.0])[:, None]
    np.testing.assert_array_equal(double_well.basin(x), [1, 1, 1, 0, 0, 0, 0])


def test_double_well_with_deeper_left_well() -> None:
    dw = DoubleWell(left=-1.5, barrier=0.0, right=1.0)
    np.testing.assert_array_equal(dw.minima, [[-1.5], [1.0]])
    np.testing.assert_array_equal(dw.start, [1.0])
    np.testing.assert_array_equal(dw.basin([[-1.0], [0.5]]), [0, 1])


def test_double_well_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="left < barrier < right"):
        DoubleWell(left=0.0, barrier=-1.0)
    with pytest.raises(ValueError, match="scale"):
        DoubleWell(scale=0.0)


def test_nearest_minimum_basin() -> None:
    h = LANDSCAPES["himmelblau"]
    pts = [[2.5, 1.5], [-2.5, 2.5], [-3.0, -3.0], [3.0, -1.5]]
    np.testing.assert_array_equal(h.basin(pts), [0, 1, 2, 3])
    s = LANDSCAPES["saddle"]
    np.testing.assert_array_equal(s.basin([[0.5, 0.2], [0.5, -0.2]]), [0, 1])


def test_quadratic_curvatures_and_rotation() -> None:
    q = Quadratic(curvatures=(1.0, 20.0), angle=np.pi / 6)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian), [1.0, 20.0])
    direction = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])    # rotated first axis
    np.testing.assert_allclose(q.grad(direction), direction)          # eigenvalue 1
    assert LANDSCAPES["flat_steep"].hessian[1, 1] == 8.0               # 2/8 = 0.25 SGD limit
    with pytest.raises(ValueError, match="curvatures"):
        Quadratic(curvatures=(1.0, 0.0))


@pytest.mark.parametrize("ls", ALL, ids=IDS)
@pytest.mark.parametrize("method", ["loss", "grad", "basin"])
def test_bad_shape_raises(ls: L.Landscape, method: str) -> None:
    bad = np.zeros((3, ls.dim + 1))
    with pytest.raises(ValueError, match=rf"x must have shape .*got shape \(3, {ls.dim + 1}\)"):
        getattr(ls, method)(bad)
    with pytest.raises(ValueError, match="x must have shape"):
        getattr(ls, method)(1.0)


def test_registry() -> None:
    assert set(LANDSCAPES) == {"double_well", "ravine", "flat_steep", "rosenbrock", "beale",
                               "himmelblau", "saddle"}
    assert get("ravine") is L.ravine
    assert all(ls.name == name for name, ls in LANDSCAPES.items())
    with pytest.raises(ValueError, match="unknown landscape 'nope'"):
        get("nope")
