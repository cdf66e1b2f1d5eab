"""optdocs.demos: the functions the interactive figures call (at build time and in the page).

Runs under CPython and, through tests/pyodide/test_pyodide_suite.py, inside Pyodide.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from optdocs.demos import REGIMES, double_well_curve, double_well_outcomes, double_well_path, lr_dial
from optdocs.landscapes import double_well
from optdocs.simulate import gaussian_noise


def plain_json(value):
    """The value survives a JSON round trip unchanged (no NumPy types, no NaN or inf)."""
    return json.loads(json.dumps(value, allow_nan=False)) == value


# ------------------------------------------------------------------------------------ lr_dial


@pytest.mark.parametrize("lr,c,x0", [(0.3, 2.0, -1.5), (0.9, 2.0, -1.5), (1.1, 1.0, 2.0),
                                     (0.05, 4.0, 0.5)])
def test_lr_dial_path_is_the_geometric_sequence(lr, c, x0):
    d = lr_dial(lr, curvature=c, x0=x0, steps=12)
    t = np.arange(13)
    expected = x0 * (1 - lr * c) ** t
    np.testing.assert_allclose(d["x"], expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(d["loss"], c / 2 * expected**2, rtol=1e-12, atol=1e-300)
    assert d["final_x"] == d["x"][-1] and d["final_loss"] == d["loss"][-1]
    assert d["factor"] == pytest.approx(1 - lr * c)
    assert d["diverged_at"] == -1
    assert plain_json(d)


@pytest.mark.parametrize("c", [0.5, 2.0, 3.0])
def test_lr_dial_regimes_switch_at_thresholds_from_the_curvature(c):
    th = lr_dial(0.1, curvature=c)["thresholds"]
    assert th == pytest.approx({"fast": 0.5 / c, "overshoot": 1 / c, "diverge": 2 / c})
    eps = 1e-9
    assert lr_dial(th["fast"] - eps, curvature=c)["regime"] == "slow"
    assert lr_dial(th["fast"] + eps, curvature=c)["regime"] == "fast"
    assert lr_dial(th["overshoot"] - eps, curvature=c)["regime"] == "fast"
    assert lr_dial(th["overshoot"] + eps, curvature=c)["regime"] == "oscillating"
    assert lr_dial(th["diverge"] - eps, curvature=c)["regime"] == "oscillating"
    assert lr_dial(th["diverge"] + eps, curvature=c)["regime"] == "diverging"


def test_lr_dial_regimes_describe_the_path():
    slow, osc, div = (lr_dial(lr, steps=10)["x"] for lr in (0.1, 0.8, 1.1))
    assert all(v < 0 for v in slow) and abs(slow[-1]) < abs(slow[0])          # same side, shrinks
    assert all(a * b < 0 for a, b in zip(osc[:-1], osc[1:], strict=True)) and abs(osc[-1]) < abs(osc[0])
    assert all(a * b < 0 for a, b in zip(div[:-1], div[1:], strict=True)) and abs(div[-1]) > abs(div[0])
    assert [lr_dial(lr)["regime"] for lr in (0.1, 0.4, 0.8, 1.1)] == list(REGIMES)


def test_lr_dial_overflow_stops_at_the_last_finite_point():
    d = lr_dial(1000.0, curvature=4.0, steps=200)
    assert 0 < d["diverged_at"] <= 200
    assert all(math.isfinite(v) for v in d["x"] + d["loss"])
    assert d["x"][-1] == d["x"][d["diverged_at"] - 1]
    assert plain_json(d)


@pytest.mark.parametrize("kwargs,name", [
    ({"lr": 0.0}, "lr"), ({"lr": -1.0}, "lr"), ({"lr": float("nan")}, "lr"), ({"lr": "0.1"}, "lr"),
    ({"lr": 0.1, "curvature": 0.0}, "curvature"), ({"lr": 0.1, "x0": float("inf")}, "x0"),
    ({"lr": 0.1, "steps": -1}, "steps"), ({"lr": 0.1, "steps": 2.5}, "steps"),
    ({"lr": 0.1, "steps": True}, "steps"), ({"lr": 0.1, "steps": 10**6}, "steps"),
])
def test_lr_dial_rejects_bad_arguments_by_name(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must .*got {re.escape(repr(kwargs[name]))}"):
        lr_dial(**kwargs)


# ------------------------------------------------------------------------- the double well


def manual_run(rule, lr, noise, steps, seed):
    """An independent loop: the noisy gradient from gaussian_noise, the update written out."""
    z = gaussian_noise(steps, 1, 1, seed)[:, 0, 0]
    x, m, v, out = -1.0, 0.0, 0.0, [-1.0]
    for t in range(1, steps + 1):
        g = float(double_well.grad(np.array([x]))[0]) + noise * z[t - 1]
        if rule == "SGD":
            x = x - lr * g
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            x = x - lr * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        out.append(x)
    return np.array(out)


@pytest.mark.parametrize("rule,lr", [("SGD", 0.3), ("SGD", 0.03), ("Adam", 0.1)])
def test_double_well_path_follows_the_update_rule_with_the_seeded_noise(rule, lr):
    p = double_well_path(rule, lr, noise=1.0, steps=60, seed=3)
    np.testing.assert_allclose(p["x"], manual_run(rule, lr, 1.0, 60, 3), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(p["loss"], double_well.loss(np.array(p["x"])[:, None]), rtol=1e-12)
    assert len(p["x"]) == 61 and p["final_x"] == p["x"][-1]
    assert p["crossed"] == (max(p["x"]) >= 0)
    assert p["basin"] == ("deep" if p["final_x"] >= 0 else "shallow")
    assert plain_json(p)


def test_double_well_path_same_seed_same_noise_for_both_learning_rates():
    # Without curvature differences mattering at step 1, x_1 = -1 - lr * z_1 for both rates.
    small, large = (double_well_path("SGD", lr, steps=1, seed=7)["x"][1] for lr in (0.03, 0.3))
    assert (small + 1) / 0.03 == pytest.approx((large + 1) / 0.3)
    assert double_well_path("SGD", 0.3, seed=1) == double_well_path("SGD", 0.3, seed=1)
    assert double_well_path("SGD", 0.3, seed=1)["x"] != double_well_path("SGD", 0.3, seed=2)["x"]


def test_double_well_path_divergence_is_reported():
    p = double_well_path("SGD", 1.5, noise=1.0, steps=300, seed=0)
    assert p["basin"] == "diverged" and p["diverged_at"] > 0
    assert all(math.isfinite(v) for v in p["x"] + p["loss"])
    assert plain_json(p)


def test_double_well_outcomes_match_the_runs_they_summarise():
    o = double_well_outcomes("SGD", 0.3, noise=1.0, steps=200, runs=50, seed=4)
    assert o["escaped"] + o["stayed"] + o["diverged"] == pytest.approx(1.0)
    assert o["runs"] == 50 and 0 <= o["escaped"] <= o["ever"] <= 1
    # run 0 of the batch is the single path with the same seed: a one-run batch ends the same way
    one = double_well_outcomes("SGD", 0.3, noise=1.0, steps=200, runs=1, seed=4)
    path = double_well_path("SGD", 0.3, noise=1.0, steps=200, seed=4)
    assert one["escaped"] == (path["basin"] == "deep") and one["ever"] == path["crossed"]
    assert plain_json(o)


def test_double_well_outcomes_small_rate_stays_large_rate_escapes():
    small = double_well_outcomes("SGD", 0.03, steps=300, runs=200)
    large = double_well_outcomes("SGD", 0.3, steps=300, runs=200)
    assert small["escaped"] < 0.05 < 0.5 < large["escaped"]
    assert double_well_outcomes("SGD", 1.5, steps=300, runs=100)["diverged"] == 1.0


@pytest.mark.parametrize("call,name", [
    (lambda: double_well_path("RMSprop", 0.1), "optimizer"),
    (lambda: double_well_path("SGD", 0.0), "lr"),
    (lambda: double_well_path("SGD", 0.1, noise=-0.5), "noise"),
    (lambda: double_well_path("SGD", 0.1, steps=-2), "steps"),
    (lambda: double_well_path("SGD", 0.1, seed=-1), "seed"),
    (lambda: double_well_path("SGD", 0.1, seed=1.5), "seed"),
    (lambda: double_well_outcomes("Adam", 0.1, runs=0), "runs"),
    (lambda: double_well_outcomes("Adam", 0.1, runs=10**6), "runs"),
    (lambda: double_well_outcomes("Adam", float("inf")), "lr"),
])
def test_double_well_rejects_bad_arguments_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must .*got "):
        call()



def test_curves_are_the_landscapes():
    c = double_well_curve(points=50)
    assert len(c["x"]) == 50 and (c["x"][0], c["x"][-1]) == double_well.bounds[0]
    np.testing.assert_allclose(c["loss"], double_well.loss(np.array(c["x"])[:, None]))
    assert [m["x"] for m in c["minima"]] == [1.5, -1.0] and c["barrier"]["x"] == 0.0
    assert c["minima"][0]["loss"] == pytest.approx(-63 / 128) and c["barrier"]["loss"] == 0.0
    bowl = lr_dial(0.1, curvature=3.0, x0=-1.5)["curve"]
    np.testing.assert_allclose(bowl["loss"], 1.5 * np.array(bowl["x"]) ** 2)
    assert bowl["x"][0] == pytest.approx(-2.4) and len(bowl["x"]) == 81
    assert plain_json(c) and plain_json(bowl)
    with pytest.raises(ValueError, match=r"^points must .*got 1$"):
        double_well_curve(points=1)
