"""optdocs.demos.adam_step: Adam's normalised step (the widget of docs/adam.md).

Runs under CPython and, through tests/pyodide/test_pyodide_suite.py, inside Pyodide.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from optdocs.demos import adam_normalised_step, sgd_normalised_step


def plain_json(value):
    return json.loads(json.dumps(value, allow_nan=False)) == value


def gradients(noise, steps, tau, seed):
    z = np.random.default_rng(seed).standard_normal(steps)
    return np.exp(-np.arange(1, steps + 1) / tau) * (1 + noise * z)


def manual_adam(g, lr, b1, b2, eps=1e-8):
    """Adam written out (Kingma & Ba), and the same moments without bias correction."""
    m = v = 0.0
    out, raw = [], []
    for t, gt in enumerate(g, start=1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt * gt
        out.append(lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps))
        raw.append(lr * m / (math.sqrt(v) + eps))
    return np.array(out) / lr, np.array(raw) / lr


def check_summary(s, series, first, block):
    np.testing.assert_allclose(s["first"], series[:first], rtol=1e-9)
    n = len(series) // block
    np.testing.assert_allclose(s["blocks"], series[:n * block].reshape(n, block).mean(axis=1),
                               rtol=1e-9)
    for t in (1, 2, 10, 100):
        assert s[f"step_{t}"] == pytest.approx(series[t - 1], rel=1e-9)
    mid = len(series) // 2
    assert s["mean_mid"] == pytest.approx(series[mid - 100:mid].mean(), rel=1e-9)
    assert s["mean_end"] == pytest.approx(series[-100:].mean(), rel=1e-9)


@pytest.mark.parametrize("noise,b1,b2", [(0.5, 0.9, 0.999), (1.0, 0.0, 0.99), (0.0, 0.99, 0.9)])
def test_adam_steps_and_the_uncorrected_steps_follow_the_rules(noise, b1, b2):
    a = adam_normalised_step(noise, b1, b2, steps=400, tau=150.0, lr=0.02, seed=3, first=30,
                             block=25)
    adam, raw = manual_adam(gradients(noise, 400, 150.0, 3), 0.02, b1, b2)
    check_summary(a, adam, 30, 25)
    check_summary(a["uncorrected"], raw, 30, 25)
    assert a["block_end"] == list(range(25, 401, 25)) and a["mid"] == 200
    assert plain_json(a)


def test_sgd_steps_follow_the_gradient():
    s = sgd_normalised_step(0.5, steps=300, tau=100.0, lr=0.01, seed=2, first=40, block=30)
    g = gradients(0.5, 300, 100.0, 2)
    check_summary(s, g / math.exp(-1 / 100.0), 40, 30)
    assert s["scale_end"] == pytest.approx(math.exp(-3.0))
    scale = np.exp(-np.arange(1, 301) / 100.0).reshape(10, 30).mean(axis=1)
    np.testing.assert_allclose(s["scale_blocks"], scale, rtol=1e-12)
    assert plain_json(s)


def test_same_seed_same_gradients_for_both():
    # beta1 = beta2 = 0 makes Adam's step g / |g|: the sign of SGD's step, draw for draw
    sgd = sgd_normalised_step(1.5, steps=200, seed=7, first=200)
    sign = adam_normalised_step(1.5, beta1=0.0, beta2=0.0, steps=200, seed=7, first=200)
    np.testing.assert_allclose(sign["first"], np.sign(sgd["first"]), rtol=1e-4)   # eps
    other = sgd_normalised_step(1.5, steps=200, seed=8, first=200)
    assert other["first"] != sgd["first"]


def test_bias_correction_in_the_first_steps():
    a = adam_normalised_step(0.0, 0.9, 0.999, steps=200)
    assert a["step_1"] == pytest.approx(1.0, rel=1e-6)               # Adam's first step is lr
    assert a["uncorrected"]["step_1"] == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-6)
    for t in (2, 10, 100):                                          # (1 - b1^t) / sqrt(1 - b2^t)
        ratio = a["uncorrected"][f"step_{t}"] / a[f"step_{t}"]
        assert ratio == pytest.approx((1 - 0.9**t) / math.sqrt(1 - 0.999**t), rel=1e-5)
    short = adam_normalised_step(0.0, 0.9, 0.99, steps=200)
    assert short["uncorrected"]["step_1"] == pytest.approx(1.0, rel=1e-6)   # 0.1 / sqrt(0.01)


def test_the_chapters_figure_a_short_beta2_holds_the_step_the_default_lets_it_fall():
    sgd = sgd_normalised_step(0.5, steps=3000)
    a999 = adam_normalised_step(0.5, 0.9, 0.999, steps=3000)
    a99 = adam_normalised_step(0.5, 0.9, 0.99, steps=3000)
    assert sgd["mean_end"] < 0.01
    assert a99["mean_end"] > 0.6
    assert a999["mean_end"] < 0.5 * a99["mean_end"]
    # 1000 steps of the same draws are the first 1000 of the chapter's 3000
    short = adam_normalised_step(0.5, 0.9, 0.999, steps=1000)
    assert short["blocks"] == a999["blocks"][:50]


@pytest.mark.parametrize("kwargs,name,bad", [
    ({"noise": -0.5}, "noise", "-0.5"), ({"beta1": 1.0}, "beta1", "1.0"),
    ({"beta2": -0.1}, "beta2", "-0.1"), ({"beta2": 1}, "beta2", "1"),
    ({"steps": 100}, "steps", "100"), ({"tau": 0.0}, "tau", "0.0"), ({"lr": -1.0}, "lr", "-1.0"),
    ({"seed": -1}, "seed", "-1"), ({"first": 0}, "first", "0"), ({"block": 5000}, "block", "5000"),
    ({"noise": "0.5"}, "noise", "'0.5'"),
])
def test_bad_arguments_are_named(kwargs, name, bad):
    with pytest.raises(ValueError, match=rf"^{name} must .*got {re.escape(bad)}"):
        adam_normalised_step(**kwargs)
    if name not in ("beta1", "beta2"):
        with pytest.raises(ValueError, match=rf"^{name} must "):
            sgd_normalised_step(**kwargs)
