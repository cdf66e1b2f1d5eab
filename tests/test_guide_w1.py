"""Claims of the home page and chapters 1, 2, 3 and 8 that the prose relies on, checked directly.

The guide modules assert their own claims when the site computes their numbers; these tests pin the
pieces of theory the pages use to explain those results (stability limits, stationary spreads,
the toy landscape of chapter 3), so a change in optdocs that breaks the explanation fails here
with a readable message.
"""

from __future__ import annotations

import numpy as np
import pytest

from optdocs import SGD, Adam
from optdocs.landscapes import double_well, saddle
from optdocs.simulate import simulate


def test_gd_pages_claims_hold():
    from guide import gradient_descent, landscape

    assert gradient_descent.claims()
    assert landscape.claims()


@pytest.mark.parametrize("h", [1.25, 1.875, 16.0])
def test_stationary_spread_formula(h):
    """sd(e) = lr sigma / sqrt(1 - (1 - lr h)^2) for SGD on h e^2 / 2 with gradient noise sigma."""
    lr, sigma = (0.1 if h > 2 else 1.0), 0.3
    rng = np.random.default_rng(0)
    e, opt = np.zeros(20000), SGD(lr=lr)
    for _ in range(400):
        opt.step(e, h * e + sigma * rng.standard_normal(e.shape))
    predicted = lr * sigma / np.sqrt(1 - (1 - lr * h) ** 2)
    assert e.std() == pytest.approx(predicted, rel=0.03)


def test_double_well_curvatures_and_sgd_edges():
    from guide import sgd_vs_adam as sva

    assert sva.CURV_SHALLOW == pytest.approx(1.25, abs=1e-6)
    assert sva.CURV_DEEP == pytest.approx(1.875, abs=1e-6)
    left, right = sva._unstable_edges(1.0)
    # f''(x) = 1.5 x^2 - 0.5 x - 0.75 = 2  <=>  x = (0.5 +- sqrt(16.75)) / 3
    assert left == pytest.approx((0.5 - np.sqrt(16.75)) / 3, abs=1e-4)
    assert right == pytest.approx((0.5 + np.sqrt(16.75)) / 3, abs=1e-4)


def test_sgd_at_lr_one_is_stable_at_both_minima_without_noise():
    for x0 in (-1.0 + 1e-3, 1.5 - 1e-3):
        tr = simulate(double_well, SGD(lr=1.0), x0=[x0], steps=300)
        assert not tr.diverged[0]
        assert abs(tr.final[0, 0] - round(x0 * 2) / 2) < 1e-9


def test_adam_effective_rate_is_lr_over_noise_in_the_shallow_well():
    for sigma in (0.5, 1.0, 2.0):
        opt = Adam(lr=0.1)
        simulate(double_well, opt, steps=500, runs=300, noise=sigma, seed=3)
        assert opt.get("effective_lr").mean() == pytest.approx(0.1 / sigma, rel=0.15)


def test_sharp_flat_landscape():
    from guide.flat_minima import SHARP_FLAT as sf

    xs = np.linspace(-1.9, 2.9, 97)
    xs = xs[np.abs(xs - sf.ridge) > 1e-3][:, None]          # the ridge is a kink
    h = 1e-6
    fd = (sf.loss(xs + h) - sf.loss(xs - h)) / (2 * h)
    assert np.allclose(sf.grad(xs)[:, 0], fd, atol=1e-5)
    assert sf.loss(sf.minima).tolist() == [0.0, 0.0]
    assert sf.ridge == pytest.approx(-0.6)
    assert sf.basin(np.array([[-1.0], [1.0]])).tolist() == [1, 0]


def test_saddle_stable_manifold_is_the_x_axis():
    tr = simulate(saddle, SGD(lr=0.1), x0=[1.5, 0.0], steps=200)
    assert np.all(tr.positions[:, 0, 1] == 0.0)
    assert np.linalg.norm(tr.final[0]) < 1e-8


def test_home_numbers_match_chapter_8():
    from guide import index  # noqa: F401  (registers the home numbers)
    from guide import sgd_vs_adam as sva
    from guide.registry import NUMBERS

    assert NUMBERS["home_sgd_escaped_low"].func() == sva.outcome("SGD", sva.LOW)["escaped"]
    assert NUMBERS["home_adam_escaped_high"].func() == sva.outcome("Adam", sva.HIGH)["escaped"]
