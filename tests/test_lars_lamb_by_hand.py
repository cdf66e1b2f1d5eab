"""LARS and LAMB (no torch class to compare with) against their papers' algorithms, by hand.

The expected values are computed here with plain Python floats, written as the papers write them:

* LARS: You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks", Algorithm 1
  with the trust coefficient eta of their local-rate equation:
  ``lambda = eta ||w|| / (||g|| + beta ||w||)``, ``v <- m v + gamma lambda (g + beta w)``,
  ``w <- w - v``, per layer.
* LAMB: You et al. 2019, "Large Batch Optimization for Deep Learning: Training BERT in 76
  minutes", Algorithm 2 with bias correction and ``phi(z) = z``:
  ``r = m_hat / (sqrt(v_hat) + eps)``, ``x <- x - eta ||x|| / ||r + lambda x|| (r + lambda x)``.

Where optdocs differs from the papers:

* LARS adds ``eps`` to the trust ratio's denominator (not in the paper); the tests set it to
  1e-30, which leaves every float unchanged, so the paper's formula is compared exactly.
* LARS's global rate: the paper decays it polynomially inside Algorithm 1; optdocs takes ``lr``
  as a float or any schedule, so that decay is one schedule among others, not part of the rule.
* Both use a trust ratio of 1 when a layer's weight norm (or the other norm) is zero; in the
  papers the ratio is 0 there, so a zero-initialised layer (a bias) would never move.
"""

from __future__ import annotations

import math

import numpy as np

from optdocs import LAMB, LARS

REL = 1e-13  # a few roundings apart: the hand computation orders its sums differently


def norm(x: list[float]) -> float:
    return math.sqrt(sum(v * v for v in x))


# Two layers (a 3-element weight, a 2-element bias) and the gradients of three steps.
X0 = {"w": [0.6, -0.8, 0.2], "b": [0.05, -0.1]}
GRADS = [
    {"w": [0.3, 0.1, -0.2], "b": [0.02, 0.4]},
    {"w": [-0.1, 0.25, 0.05], "b": [-0.3, 0.1]},
    {"w": [0.2, -0.05, 0.4], "b": [0.1, -0.2]},
]


def run_optdocs(opt, x0=X0, grads=GRADS) -> list[dict[str, list[float]]]:
    params = {k: np.array(v) for k, v in x0.items()}
    out = []
    for g in grads:
        opt.step(params, {k: np.array(v) for k, v in g.items()})
        out.append({k: p.tolist() for k, p in params.items()})
    return out


def assert_same(ours, by_hand) -> None:
    for t, (o, h) in enumerate(zip(ours, by_hand, strict=True)):
        for key in h:
            for i, (a, b) in enumerate(zip(o[key], h[key], strict=True)):
                assert math.isclose(a, b, rel_tol=REL, abs_tol=1e-16), (t + 1, key, i, a, b)


# ---- LARS ------------------------------------------------------------------------------------

def lars_by_hand(gamma, m, beta, eta, x0=X0, grads=GRADS):
    """Algorithm 1 of the LARS paper, one layer at a time."""
    w = {k: list(v) for k, v in x0.items()}
    vel = {k: [0.0] * len(v) for k, v in x0.items()}
    out = []
    for g in grads:
        for k in w:
            wn, gn = norm(w[k]), norm(g[k])
            lam = eta * wn / (gn + beta * wn) if wn > 0 and gn > 0 else 1.0  # optdocs: 1 at zero
            vel[k] = [m * v + gamma * lam * (gi + beta * wi)
                      for v, gi, wi in zip(vel[k], g[k], w[k], strict=True)]
            w[k] = [wi - v for wi, v in zip(w[k], vel[k], strict=True)]
        out.append({k: list(v) for k, v in w.items()})
    return out


def test_lars_three_steps_follow_algorithm_1():
    hp = {"gamma": 0.5, "m": 0.9, "beta": 0.01, "eta": 0.02}
    opt = LARS(lr=hp["gamma"], momentum=hp["m"], weight_decay=hp["beta"],
               trust_coefficient=hp["eta"], eps=1e-30)
    assert_same(run_optdocs(opt), lars_by_hand(**hp))


def test_lars_first_step_worked_out():
    """One layer, one step, every number written down: lambda = 0.02 * 1 / (0.5 + 0.1 * 1)."""
    opt = LARS(lr=1.0, momentum=0.9, weight_decay=0.1, trust_coefficient=0.02, eps=1e-30)
    w = np.array([0.6, 0.8])                     # ||w|| = 1
    opt.step(w, np.array([0.3, 0.4]))           # ||g|| = 0.5
    lam = 0.02 / 0.6
    assert math.isclose(float(opt.get("trust_ratio")), lam, rel_tol=REL)
    expected = [0.6 - lam * (0.3 + 0.06), 0.8 - lam * (0.4 + 0.08)]
    assert all(math.isclose(a, b, rel_tol=REL) for a, b in zip(w.tolist(), expected, strict=True))


def test_lars_trust_ratio_is_per_layer():
    opt = LARS(lr=0.5, momentum=0.9, weight_decay=0.01, trust_coefficient=0.02, eps=1e-30)
    run_optdocs(opt, grads=GRADS[:1])
    ratios = opt.get("trust_ratio")
    for k in X0:
        wn, gn = norm(X0[k]), norm(GRADS[0][k])
        assert math.isclose(float(ratios[k]), 0.02 * wn / (gn + 0.01 * wn), rel_tol=REL)
    assert not math.isclose(float(ratios["w"]), float(ratios["b"]), rel_tol=0.1)


def test_lars_zero_layer_moves_with_trust_one_where_the_paper_would_stall():
    x0, grads = {"w": [0.6, -0.8, 0.2], "b": [0.0, 0.0]}, GRADS[:2]
    opt = LARS(lr=0.5, momentum=0.9, weight_decay=0.01, trust_coefficient=0.02, eps=1e-30)
    ours = run_optdocs(opt, x0, grads)
    assert ours[0]["b"] == [-0.5 * 0.02, -0.5 * 0.4]        # lambda = 1: a plain momentum step
    assert_same(ours, lars_by_hand(0.5, 0.9, 0.01, 0.02, x0, grads))


# ---- LAMB ------------------------------------------------------------------------------------

def lamb_by_hand(eta, b1, b2, eps, lam, x0=X0, grads=GRADS):
    """Algorithm 2 of the LAMB paper (bias-corrected moments, phi(z) = z), one layer at a time."""
    x = {k: list(v) for k, v in x0.items()}
    m = {k: [0.0] * len(v) for k, v in x0.items()}
    v = {k: [0.0] * len(v) for k, v in x0.items()}
    out = []
    for t, g in enumerate(grads, start=1):
        for k in x:
            m[k] = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m[k], g[k], strict=True)]
            v[k] = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v[k], g[k], strict=True)]
            m_hat = [mi / (1 - b1**t) for mi in m[k]]
            v_hat = [vi / (1 - b2**t) for vi in v[k]]
            r = [mh / (math.sqrt(vh) + eps) for mh, vh in zip(m_hat, v_hat, strict=True)]
            u = [ri + lam * xi for ri, xi in zip(r, x[k], strict=True)]
            xn, un = norm(x[k]), norm(u)
            trust = xn / un if xn > 0 and un > 0 else 1.0  # optdocs: 1 at zero
            x[k] = [xi - eta * trust * ui for xi, ui in zip(x[k], u, strict=True)]
        out.append({k: list(val) for k, val in x.items()})
    return out


def test_lamb_three_steps_follow_algorithm_2():
    hp = {"eta": 0.01, "b1": 0.9, "b2": 0.999, "eps": 1e-6, "lam": 0.05}
    opt = LAMB(lr=hp["eta"], betas=(hp["b1"], hp["b2"]), eps=hp["eps"], weight_decay=hp["lam"])
    assert_same(run_optdocs(opt), lamb_by_hand(**hp))


def test_lamb_each_layer_moves_lr_times_its_weight_norm():
    """phi(z) = z: every step of a layer has length eta * ||x_{t-1}||, whatever the gradient."""
    eta = 0.01
    opt = LAMB(lr=eta, weight_decay=0.05)
    before = {k: np.array(v) for k, v in X0.items()}
    params = {k: a.copy() for k, a in before.items()}
    for g in GRADS:
        opt.step(params, {k: np.array(v) for k, v in g.items()})
        for k in params:
            step = norm((params[k] - before[k]).tolist())
            assert math.isclose(step, eta * norm(before[k].tolist()), rel_tol=1e-12), k
            before[k] = params[k].copy()


def test_lamb_zero_layer_moves_with_trust_one_where_the_paper_would_stall():
    x0 = {"w": [0.6, -0.8, 0.2], "b": [0.0, 0.0]}
    hp = {"eta": 0.01, "b1": 0.9, "b2": 0.999, "eps": 1e-6, "lam": 0.05}
    opt = LAMB(lr=hp["eta"], betas=(hp["b1"], hp["b2"]), eps=hp["eps"], weight_decay=hp["lam"])
    ours = run_optdocs(opt, x0, GRADS[:2])
    assert ours[0]["b"][1] < -0.5 * hp["eta"]                # about -eta * sign(g): it moved
    assert_same(ours, lamb_by_hand(**hp, x0=x0, grads=GRADS[:2]))
