"""RMSprop's second moment as a curvature estimate (docs/adaptive.md, guide/adaptive.py): the
identity sqrt(v_i) = h_i D_i on a noiseless quadratic and the mini-batch formula
E[g_i^2] = sigma^2 h_i / B at the minimum, checked here independently of the chapter's runs."""

from __future__ import annotations

import numpy as np

from optdocs import RMSprop


def test_curvature_claims_hold():
    from guide import adaptive

    adaptive.curvature_claims()


def test_root_v_is_curvature_times_moving_rms_distance_for_any_alpha_and_start():
    rng = np.random.default_rng(3)
    h, w = rng.uniform(0.05, 5.0, size=6), rng.normal(size=6)
    alpha, d2 = 0.9, np.zeros(6)
    opt = RMSprop(lr=0.003, alpha=alpha)
    for _ in range(200):
        d2 = alpha * d2 + (1 - alpha) * w * w
        opt.step(w, h * w)
        np.testing.assert_allclose(np.sqrt(opt.get("square_avg")), h * np.sqrt(d2), rtol=1e-12)


def test_minibatch_gradient_second_moment_at_the_minimum_is_sigma2_h_over_b():
    rng = np.random.default_rng(0)
    h, sigma, batch, n = np.array([0.1, 1.0, 10.0]), 0.5, 4, 200_000
    x = rng.standard_normal((n, batch, 3)) * np.sqrt(h)
    eps = sigma * rng.standard_normal((n, batch))
    g = -np.einsum("nbi,nb->ni", x, eps) / batch          # gradient at w* of the squared error / 2
    np.testing.assert_allclose((g * g).mean(axis=0), sigma**2 * h / batch, rtol=0.02)
