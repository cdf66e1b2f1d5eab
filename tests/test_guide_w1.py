"""Claims of the home page and chapters 1, 2, 3 and 8 that the prose relies on, checked directly.

The guide modules check their own claims before the site computes their figures and numbers; these
tests pin the pieces of theory the pages use to explain those results (stability limits, stationary spreads,
the toy landscape of chapter 3), so a change in optdocs that breaks the explanation fails here
with a readable message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optdocs import SGD, Adam
from optdocs.landscapes import double_well, saddle
from optdocs.simulate import simulate


def test_gd_pages_claims_hold():
    from guide import gradient_descent, landscape

    gradient_descent.claims()
    landscape.claims()


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


def test_home_numbers_are_chapter_8_at_the_noise_levels_the_home_page_names():
    """The home page's sentence names two noise levels; its numbers must be chapter 8's outcomes
    at exactly those levels (a wrong level or a swapped optimizer in guide/index.py fails)."""
    import re

    from guide import sgd_vs_adam as sva
    from guide.render import compute_number

    text = (Path(__file__).resolve().parents[1] / "docs" / "index.md").read_text(encoding="utf-8")
    low, high = (float(s) for s in re.findall(r"At \*σ\* = ([0-9.]+),", text)[:2])
    expected = {
        "home_sgd_escaped_low": sva.outcome("SGD", low)["escaped"],
        "home_adam_escaped_low": sva.outcome("Adam", low)["escaped"],
        "home_sgd_diverged_high": sva.outcome("SGD", high)["diverged"],
        "home_adam_escaped_high": sva.outcome("Adam", high)["escaped"],
    }
    assert expected["home_sgd_escaped_low"] != expected["home_adam_escaped_low"]  # distinguishable
    for name, value in expected.items():
        assert compute_number(name) == f"{value:.0%}", name


def test_home_figure_draws_chapter_8_outcomes():
    from guide import sgd_vs_adam as sva
    from guide.render import compute_figure

    fig = compute_figure("home-sgd-vs-adam")
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(lines) == 2 * len(sva.OPTIMIZERS)
    for name in sva.OPTIMIZERS:
        for kind, what in (("escaped", "reaches the deep well"), ("diverged", "diverges")):
            line = lines[f"{sva.LABELS[name]}: {what}"]
            np.testing.assert_array_equal(line.get_xdata(), sva.NOISES)
            np.testing.assert_array_equal(line.get_ydata(),
                                          [sva.outcome(name, s)[kind] for s in sva.NOISES])
