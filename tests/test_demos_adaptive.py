"""optdocs.demos.adaptive: flat w1, steep w2 (the widget of docs/adaptive.md).

Runs under CPython and, through tests/pyodide/test_pyodide_suite.py, inside Pyodide.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from optdocs.demos import (
    FLAT_STEEP_OPTIMIZERS,
    flat_steep_limits,
    flat_steep_path,
    flat_steep_step,
    flat_steep_surface,
)
from optdocs.landscapes import flat_steep

H = np.array([0.1, 8.0])
START = np.array([-4.0, 1.0])


def plain_json(value):
    return json.loads(json.dumps(value, allow_nan=False)) == value


def manual_run(rule, lr, steps):
    """An independent loop: positions, |update| and effective rates, PyTorch's defaults."""
    w, acc = START.copy(), np.zeros(2)
    ws, moved, rates = [w.copy()], [], []
    for _ in range(steps):
        g = H * w
        if rule == "SGD":
            rate = np.full(2, lr)
        elif rule == "RMSprop":
            acc = 0.99 * acc + 0.01 * g * g
            rate = lr / (np.sqrt(acc) + 1e-8)
        else:
            acc = acc + g * g
            rate = lr / (np.sqrt(acc) + 1e-10)
        d = rate * g
        w = w - d
        ws.append(w.copy())
        moved.append(np.abs(d))
        rates.append(rate)
    return np.array(ws), np.array(moved), np.array(rates)


@pytest.mark.parametrize("rule,lr", [("SGD", 0.24), ("SGD", 0.26), ("RMSprop", 0.05),
                                     ("Adagrad", 0.5)])
def test_path_follows_the_update_rule(rule, lr):
    p = flat_steep_path(rule, lr, steps=60)
    ws, moved, _ = manual_run(rule, lr, 60)
    np.testing.assert_allclose(p["w1"], ws[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(p["w2"], ws[:, 1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(p["step_w1"], moved[:, 0], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(p["step_w2"], moved[:, 1], rtol=1e-7, atol=1e-12)
    assert (p["final_w1"], p["final_w2"]) == (abs(p["w1"][-1]), abs(p["w2"][-1]))
    assert len(p["w1"]) == 61 and len(p["step_w1"]) == 60
    assert p["diverged_at"] == -1 and plain_json(p)


def test_sgd_path_is_the_geometric_sequence_of_each_coordinate():
    p = flat_steep_path("SGD", 0.24, steps=100)
    t = np.arange(101)
    np.testing.assert_allclose(p["w1"], -4.0 * (1 - 0.024) ** t, rtol=1e-12)
    np.testing.assert_allclose(p["w2"], (1 - 1.92) ** t, rtol=1e-10)


def test_arrived_is_the_first_step_within_a_hundredth():
    for rule, lr in (("RMSprop", 0.05), ("Adagrad", 1.0), ("SGD", 0.24)):
        p = flat_steep_path(rule, lr, steps=100)
        dist = np.hypot(p["w1"], p["w2"])
        hits = np.flatnonzero(dist <= 0.01)
        assert p["arrived"] == (int(hits[0]) if len(hits) else -1), rule
    assert flat_steep_path("SGD", 0.24, steps=100)["arrived"] == -1     # crawls in w1
    assert 0 < flat_steep_path("RMSprop", 0.05, steps=100)["arrived"] <= 100


def test_limits_come_from_the_curvatures():
    lim = flat_steep_limits(lr_max=0.3, points=61)
    assert lim["diverge_lr"] == 2 / max(flat_steep.curvatures) == 0.25
    assert lim["w1_factor_at_limit"] == pytest.approx(1 - 0.25 * 0.1)
    lr = np.array(lim["lr"])
    assert lr[0] == 0.0 and lr[-1] == pytest.approx(0.3) and len(lr) == 61
    np.testing.assert_allclose(lim["factor_w1"], np.abs(1 - 0.1 * lr))
    np.testing.assert_allclose(lim["factor_w2"], np.abs(1 - 8.0 * lr))
    # the limit is where the steep factor reaches 1, and the runs agree on both sides of it
    assert np.interp(lim["diverge_lr"], lr, lim["factor_w2"]) == pytest.approx(1.0)
    below = flat_steep_path("SGD", lim["diverge_lr"] - 0.005, steps=100)["final_w2"]
    above = flat_steep_path("SGD", lim["diverge_lr"] + 0.005, steps=100)["final_w2"]
    assert below < 0.5 < 1.0 < above
    assert plain_json(lim)


def test_any_lr_safe_for_w2_leaves_w1_crawling_and_rmsprop_does_not():
    limit = flat_steep_limits()["diverge_lr"]
    for lr in np.linspace(0.01, limit - 1e-3, 12):
        assert flat_steep_path("SGD", float(lr), steps=100)["final_w1"] > 0.3
    assert flat_steep_path("RMSprop", 0.05, steps=100)["final_w1"] < 0.01
    assert flat_steep_path("Adagrad", 0.5, steps=100)["final_w1"] < 0.05


@pytest.mark.parametrize("rule,lr", [("SGD", 0.24), ("RMSprop", 0.05), ("Adagrad", 0.5)])
@pytest.mark.parametrize("t", [1, 2, 10, 57])
def test_step_reads_the_optimizer_at_step_t(rule, lr, t):
    s = flat_steep_step(rule, lr, step=t)
    ws, moved, rates = manual_run(rule, lr, t)
    p = flat_steep_path(rule, lr, steps=t)
    assert s["step"] == t and s["diverged_at"] == -1
    assert (s["w1"], s["w2"]) == (p["w1"][t], p["w2"][t])         # the run of flat_steep_path
    for i, k in ((0, "w1"), (1, "w2")):
        assert s[f"grad_{k}"] == pytest.approx(H[i] * abs(ws[t - 1, i]), rel=1e-9)
        assert s[f"rate_{k}"] == pytest.approx(rates[t - 1, i], rel=1e-9)
        assert s[f"step_{k}"] == pytest.approx(moved[t - 1, i], rel=1e-7)
        assert s[f"factor_{k}"] == pytest.approx(ws[t, i] / ws[t - 1, i], rel=1e-7)
    assert s["ratio"] == pytest.approx(s["step_w1"] / s["step_w2"])
    assert plain_json(s)


def test_first_step_sgd_moves_w2_twenty_times_more_rmsprop_moves_both_alike():
    sgd, rms, ada = (flat_steep_step(r, lr, step=1)
                     for r, lr in (("SGD", 0.24), ("RMSprop", 0.05), ("Adagrad", 0.5)))
    assert sgd["rate_w1"] == sgd["rate_w2"] == 0.24
    assert sgd["ratio"] == pytest.approx(0.4 / 8.0)
    assert sgd["factor_w1"] == pytest.approx(1 - 0.24 * 0.1)
    assert sgd["factor_w2"] == pytest.approx(1 - 0.24 * 8.0)
    for s in (rms, ada):                          # both steps 0.5: lr / sqrt(1 - 0.99), and lr
        assert s["ratio"] == pytest.approx(1.0, rel=1e-6)
        assert s["step_w1"] == pytest.approx(0.5, rel=1e-6)
        assert s["rate_w1"] / s["rate_w2"] == pytest.approx(8.0 / 0.4, rel=1e-6)


def test_overflow_is_reported_not_raised():
    p = flat_steep_path("SGD", 10.0, steps=200)
    assert 0 < p["diverged_at"] <= 200 and plain_json(p)
    assert all(math.isfinite(v) for v in p["w1"] + p["w2"] + p["step_w1"] + p["step_w2"])
    s = flat_steep_step("SGD", 10.0, step=200)
    assert s["diverged_at"] == p["diverged_at"] and plain_json(s)
    assert None in s.values()                        # what overflowed is null, not inf


def test_surface_is_the_landscape_row_by_row():
    s = flat_steep_surface(points=21, levels=8)
    n = 21
    assert (s["w1"][0], s["w1"][-1]) == flat_steep.bounds[0]
    assert (s["w2"][0], s["w2"][-1]) == flat_steep.bounds[1]
    loss = np.reshape(s["loss"], (n, n))
    for i, j in ((0, 0), (3, 17), (20, 5)):
        assert loss[i, j] == pytest.approx(0.05 * s["w1"][j] ** 2 + 4.0 * s["w2"][i] ** 2)
    lv = np.array(s["levels"])
    assert len(lv) == 8 and np.all(np.diff(lv) > 0) and lv[-1] < loss.max()
    assert s["start"] == [-4.0, 1.0] and s["curvatures"] == [0.1, 8.0]
    assert plain_json(s)


@pytest.mark.parametrize("call,name,bad", [
    (lambda: flat_steep_path("Adam", 0.1), "optimizer", "'Adam'"),
    (lambda: flat_steep_path("SGD", 0.0), "lr", "0.0"),
    (lambda: flat_steep_path("SGD", float("nan")), "lr", "nan"),
    (lambda: flat_steep_path("SGD", 0.1, steps=-1), "steps", "-1"),
    (lambda: flat_steep_step("RMSprop", 0.1, step=0), "step", "0"),
    (lambda: flat_steep_step("RMSprop", 0.1, step=2.0), "step", "2.0"),
    (lambda: flat_steep_step("Adagrad", "0.1"), "lr", "'0.1'"),
    (lambda: flat_steep_surface(points=1), "points", "1"),
    (lambda: flat_steep_surface(levels=0), "levels", "0"),
    (lambda: flat_steep_limits(lr_max=-0.3), "lr_max", "-0.3"),
])
def test_bad_arguments_are_named(call, name, bad):
    with pytest.raises(ValueError, match=rf"^{name} must .*got {re.escape(bad)}"):
        call()


def test_every_listed_optimizer_runs():
    assert FLAT_STEEP_OPTIMIZERS == ("SGD", "RMSprop", "Adagrad")
    for rule in FLAT_STEEP_OPTIMIZERS:
        assert flat_steep_path(rule, 0.05, steps=3)["w1"][0] == -4.0
