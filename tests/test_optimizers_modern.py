"""RAdam, Adafactor, Muon, Lion and schedule-free AdamW against values worked by hand.

Each expected value is computed here with plain Python floats from the paper's (or torch's)
formula, never with the package's code. RAdam, Adafactor and Muon are also compared with torch
step by step in tests/test_torch_parity.py.
"""

import math

import numpy as np
import pytest

from optdocs import Adafactor, AdamWScheduleFree, Lion, Muon, RAdam
from optdocs.optimizers.muon import NS_COEFFICIENTS, newton_schulz


def run(opt, x0, grads):
    x = np.array(x0, dtype=float)
    for g in grads:
        opt.step(x, np.array(g, dtype=float))
    return x


# ---- Lion ------------------------------------------------------------------------------------

def test_lion_three_steps_by_hand():
    # step 1: c = 0.1 g1 = [0.05, -0.1, 0] -> sign [1, -1, 0]; m1 = 0.01 g1 = [0.005, -0.01, 0]
    # step 2: c = 0.9 m1 + 0.1 g2 = [-0.1955, 0.021, 0.1] -> [-1, 1, 1]
    #         m2 = 0.99 m1 + 0.01 g2 = [-0.01505, -0.0069, 0.01]
    # step 3: c = 0.9 m2 + 0.1 g3 = [-0.003545, -0.00121, 0.004] -> [-1, -1, 1], against sign(g3)
    opt = Lion(lr=0.1, betas=(0.9, 0.99))
    x = run(opt, [1.0, -2.0, 0.5], [[0.5, -1.0, 0.0], [-2.0, 0.3, 1.0], [0.1, 0.05, -0.05]])
    np.testing.assert_allclose(x, [1.0 - 0.1 + 0.1 + 0.1, -2.0 + 0.1 - 0.1 + 0.1, 0.5 - 0.1 - 0.1],
                               rtol=1e-15)
    m3 = [0.99 * m + 0.01 * g for m, g in zip([-0.01505, -0.0069, 0.01], [0.1, 0.05, -0.05],
                                               strict=True)]
    np.testing.assert_allclose(opt.get("exp_avg"), m3, rtol=1e-12)
    np.testing.assert_allclose(opt.get("update"), [0.1, 0.1, -0.1], rtol=1e-15)


def test_lion_weight_decay_is_decoupled_and_scaled_by_lr():
    # x1 = x0 - lr (sign(g) + wd x0) = [1 - 0.1 (1 + 0.5), -2 - 0.1 (-1 - 1)]
    x = run(Lion(lr=0.1, weight_decay=0.5), [1.0, -2.0], [[0.5, -1.0]])
    np.testing.assert_allclose(x, [0.85, -1.8], rtol=1e-15)


def test_lion_step_size_ignores_the_gradient_scale():
    rng = np.random.default_rng(0)
    x0, grads = rng.normal(size=4), rng.normal(size=(10, 4))
    a = run(Lion(lr=0.01), x0, grads)
    np.testing.assert_array_equal(a, run(Lion(lr=0.01), x0, grads * 1e6))
    assert np.all(np.abs(a - x0) <= 10 * 0.01 + 1e-15)


# ---- schedule-free AdamW ------------------------------------------------------------------------

def test_schedule_free_two_steps_by_hand():
    lr, b1, b2 = 0.1, 0.9, 0.75
    opt = AdamWScheduleFree(lr=lr, betas=(b1, b2), eps=1e-12)
    x0, g1, g2 = [1.0, -2.0], [2.0, -0.5], [1.0, 1.0]
    # step 1: gamma_1 = lr sqrt(1 - b2) = 0.05; v1 = 0.25 g^2 so g / sqrt(v1) = 2 sign(g)
    gamma1 = lr * math.sqrt(1 - b2)
    z1 = [x - gamma1 * 2 * math.copysign(1, g) for x, g in zip(x0, g1, strict=True)]
    # c = w1 / w1 = 1: x1 = z1, and y1 = (1 - b1) z1 + b1 x1 = z1
    y = opt.step(np.array(x0), np.array(g1))
    np.testing.assert_allclose(y, z1, rtol=1e-12)
    np.testing.assert_allclose(opt.get("x"), z1, rtol=1e-12)
    # step 2: gamma_2 = lr sqrt(1 - b2^2); weights gamma_i^2, so c2 = 0.004375 / 0.006875 = 7/11
    gamma2 = lr * math.sqrt(1 - b2**2)
    v2 = [b2 * (1 - b2) * g * g + (1 - b2) * h * h for g, h in zip(g1, g2, strict=True)]
    z2 = [z - gamma2 * h / math.sqrt(v) for z, h, v in zip(z1, g2, v2, strict=True)]
    c2 = gamma2**2 / (gamma1**2 + gamma2**2)
    assert c2 == pytest.approx(7 / 11)
    x2 = [(1 - c2) * x + c2 * z for x, z in zip(z1, z2, strict=True)]
    y2 = [(1 - b1) * z + b1 * x for z, x in zip(z2, x2, strict=True)]
    opt.step(y, np.array(g2))
    np.testing.assert_allclose(y, y2, rtol=1e-12)
    np.testing.assert_allclose(opt.get("x"), x2, rtol=1e-12)
    np.testing.assert_allclose(opt.get("z"), z2, rtol=1e-12)


def test_schedule_free_weight_decay_is_taken_at_y():
    # z1 = x0 - gamma_1 (2 sign(g) + wd y0) = [1 - 0.05 (2 + 0.5), -2 - 0.05 (-2 - 1)]
    opt = AdamWScheduleFree(lr=0.1, betas=(0.9, 0.75), eps=1e-12, weight_decay=0.5)
    opt.step(np.array([1.0, -2.0]), np.array([2.0, -0.5]))
    np.testing.assert_allclose(opt.get("z"), [0.875, -1.85], rtol=1e-12)


def test_schedule_free_x_is_the_plain_average_of_the_zs_without_weighting():
    rng = np.random.default_rng(1)
    opt = AdamWScheduleFree(lr=0.05, weight_lr_power=0.0)
    y, zs = rng.normal(size=3), []
    for _ in range(12):
        opt.step(y, rng.normal(size=3))
        zs.append(opt.get("z").copy())
    np.testing.assert_allclose(opt.get("x"), np.mean(zs, axis=0), rtol=1e-12)
    np.testing.assert_allclose(y, 0.1 * zs[-1] + 0.9 * opt.get("x"), rtol=1e-12)


def test_schedule_free_warmup_weights_later_zs_more():
    # with warmup the rates grow, gamma_t = lr sqrt(1 - b2^t) t / T, and so do the weights
    opt = AdamWScheduleFree(lr=0.1, betas=(0.9, 0.5), warmup_steps=4)
    y = np.zeros(1)
    for _ in range(3):
        opt.step(y, np.ones(1))
    gammas = [0.1 * math.sqrt(1 - 0.5**t) * t / 4 for t in (1, 2, 3)]
    assert opt.get("lr_max") == pytest.approx(gammas[-1], rel=1e-15)
    assert opt.get("weight_sum") == pytest.approx(sum(g * g for g in gammas), rel=1e-15)


def test_schedule_free_beta1_zero_trains_at_z_and_evaluates_elsewhere():
    rng = np.random.default_rng(2)
    opt = AdamWScheduleFree(lr=0.05, betas=(0.0, 0.999))
    y = rng.normal(size=4)
    for _ in range(5):
        opt.step(y, rng.normal(size=4))
    np.testing.assert_array_equal(y, opt.get("z"))
    assert not np.allclose(opt.get("x"), y)


def test_schedule_free_x_is_laid_out_like_the_params_and_copies_do_not_alias():
    opt = AdamWScheduleFree(lr=0.01)
    params = {"w": np.ones((2, 2)), "b": np.zeros(2)}
    opt.step(params, {"w": np.ones((2, 2)), "b": np.ones(2)})
    x = opt.get("x")
    assert set(x) == {"w", "b"} and x["w"].shape == (2, 2)
    assert not np.shares_memory(x["w"], params["w"])


@pytest.mark.parametrize("make, name, value", [
    (lambda: AdamWScheduleFree(warmup_steps=-1), "warmup_steps", "-1"),
    (lambda: AdamWScheduleFree(warmup_steps=1.5), "warmup_steps", "1.5"),
    (lambda: AdamWScheduleFree(r=-1.0), "r", "-1.0"),
    (lambda: AdamWScheduleFree(weight_lr_power=float("nan")), "weight_lr_power", "nan"),
    (lambda: Lion(betas=(0.9, 1.0)), "betas[1]", "1.0"),
    (lambda: Lion(weight_decay=-0.1), "weight_decay", "-0.1"),
    (lambda: RAdam(eps=0.0), "eps", "0.0"),
    (lambda: Adafactor(beta2_decay=0.5), "beta2_decay", "0.5"),
    (lambda: Adafactor(d=0.5), "d", "0.5"),
    (lambda: Adafactor(eps=(None, -1.0)), "eps[1]", "-1.0"),
    (lambda: Adafactor(eps=1e-3), "eps", "0.001"),
    (lambda: Muon(ns_steps=100), "ns_steps", "100"),
    (lambda: Muon(ns_steps=0), "ns_steps", "0"),
    (lambda: Muon(adjust_lr_fn="rms"), "adjust_lr_fn", "rms"),
    (lambda: Muon(ns_coefficients=(1.0, 2.0)), "ns_coefficients", "(1.0, 2.0)"),
    (lambda: Muon(momentum=-0.5), "momentum", "-0.5"),
])
def test_bad_hyperparameters_raise_naming_them(make, name, value):
    with pytest.raises(ValueError) as err:
        make()
    assert name in str(err.value) and value in str(err.value)


# ---- RAdam -------------------------------------------------------------------------------------

def test_radam_first_five_steps_are_momentum_then_a_small_rectified_step():
    # constant gradient: m_hat = g exactly, so steps 1-5 each move lr g (rho_t = 1, 2, ..., 5)
    lr, g = 0.1, 1.0
    opt = RAdam(lr=lr, eps=1e-12)
    x = run(opt, [1.0], [[g]] * 5)
    np.testing.assert_allclose(x, [1.0 - 5 * lr * g], rtol=1e-12)
    # step 6: rho_6 = 1999 - 12 * 0.999^6 / (1 - 0.999^6) = 5.994 > 5; v_hat = g^2, so the step
    # is lr * r_6 * sign(g), with r_6 = sqrt((rho-4)(rho-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho))
    rho_inf = 2 / (1 - 0.999) - 1
    rho = rho_inf - 2 * 6 * 0.999**6 / (1 - 0.999**6)
    r6 = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    assert 0.025 < r6 < 0.027
    before = x.copy()
    opt.step(x, np.array([g]))
    np.testing.assert_allclose(before - x, [lr * r6], rtol=1e-9)
    np.testing.assert_allclose(opt.get("effective_lr") * np.sqrt(opt.get("exp_avg_sq")
                                                                 / (1 - 0.999**6)), [lr * r6],
                               rtol=1e-9)


def test_radam_decoupled_decay_shrinks_the_weights_by_lr_wd():
    # first step: momentum only, lr g; plus lr wd x0 = 0.1 * 0.5 * 2
    x = run(RAdam(lr=0.1, weight_decay=0.5, decoupled_weight_decay=True), [2.0], [[1.0]])
    np.testing.assert_allclose(x, [2.0 - 0.1 - 0.1], rtol=1e-15)
    # L2 instead: g + wd x0 = 2, so the first step is 0.2
    x = run(RAdam(lr=0.1, weight_decay=0.5), [2.0], [[1.0]])
    np.testing.assert_allclose(x, [2.0 - 0.2], rtol=1e-15)


# ---- Adafactor ----------------------------------------------------------------------------------

def test_adafactor_first_step_on_a_matrix_by_hand():
    g = [[1.0, 2.0], [3.0, 4.0]]
    p0 = [[0.5, -1.0], [2.0, 1.5]]
    # t = 1: beta2 weight 1^-0.8 = 1, so the factors are this step's means of g^2
    row = [(1 + 4) / 2, (9 + 16) / 2]                     # mean over each row's columns
    col = [(1 + 9) / 2, (4 + 16) / 2]                     # mean over each column's rows
    v = [[r * c / ((row[0] + row[1]) / 2) for c in col] for r in row]   # rank-one estimate
    u = [[g[i][j] / math.sqrt(v[i][j]) for j in range(2)] for i in range(2)]
    rms_u = math.sqrt(sum(x * x for r in u for x in r) / 4)
    rms_p = math.sqrt(sum(x * x for r in p0 for x in r) / 4)
    lr = 0.01
    alpha = max(1e-3, rms_p) * min(lr, 1.0)               # relative step size
    expected = [[p0[i][j] - alpha * u[i][j] / max(1.0, rms_u) for j in range(2)] for i in range(2)]
    opt = Adafactor(lr=lr)
    p = np.array(p0)
    opt.step(p, np.array(g))
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert opt.get("row_var").shape == (2, 1) and opt.get("col_var").shape == (1, 2)
    np.testing.assert_allclose(opt.get("row_var").ravel(), row, rtol=1e-15)


def test_adafactor_step_on_a_vector_is_relative_to_the_parameter_size():
    # a vector keeps a full variance: u = g / |g| = sign(g), RMS(u) = 1, step alpha sign(g)
    for scale in (1.0, 100.0):
        p = np.array([3.0, -4.0]) * scale                 # RMS(p) = 3.5355 * scale
        Adafactor(lr=0.01).step(p, np.array([1e-3, 5.0]))
        rms = math.sqrt((9 + 16) / 2) * scale
        np.testing.assert_allclose(p, np.array([3.0, -4.0]) * scale - 0.01 * rms * np.array([1, 1]),
                                   rtol=1e-12)


def test_adafactor_keeps_rows_plus_columns_not_the_matrix():
    opt = Adafactor()
    w = np.ones((30, 20))
    opt.step(w, np.ones((30, 20)))
    sizes = [v.size for v in opt.state[next(iter(opt.state))].values() if isinstance(v, np.ndarray)]
    assert sorted(sizes) == [20, 30]


def test_adafactor_checkpoint_with_wrong_factor_shape_raises_and_changes_nothing():
    opt = Adafactor()
    w = np.ones((3, 2))
    opt.step({"w": w}, {"w": np.ones((3, 2))})
    sd = opt.state_dict()
    sd["state"]["w"]["row_var"] = np.zeros((3, 2))
    fresh = Adafactor()
    with pytest.raises(ValueError) as err:
        fresh.load_state_dict(sd)
    assert "row_var" in str(err.value) and "(3, 1)" in str(err.value) and "'w'" in str(err.value)
    assert fresh.t == 0 and fresh.state == {}


# ---- Muon --------------------------------------------------------------------------------------

def test_newton_schulz_applies_the_quintic_to_the_singular_values():
    # a diagonal matrix keeps its singular vectors: each sigma goes through
    # sigma -> a sigma + b sigma^3 + c sigma^5 five times, after scaling by the Frobenius norm
    a, b, c = NS_COEFFICIENTS
    s = [3.0, 0.3]
    norm = math.sqrt(sum(x * x for x in s))
    expected = []
    for x in s:
        x /= norm
        for _ in range(5):
            x = a * x + b * x**3 + c * x**5
        expected.append(x)
    out = newton_schulz(np.diag(s))
    np.testing.assert_allclose(np.diag(out), expected, rtol=1e-12)
    assert abs(out[0, 1]) < 1e-15 and 0.6 < min(expected) and max(expected) < 1.3


def test_newton_schulz_of_a_random_matrix_keeps_its_singular_vectors():
    rng = np.random.default_rng(3)
    m = rng.normal(size=(8, 4)) @ np.diag([10.0, 1.0, 0.1, 0.01])
    u, s, vt = np.linalg.svd(m, full_matrices=False)
    o = newton_schulz(m)
    s_o = np.diag(u.T @ o @ vt.T)                        # o's values in m's singular basis
    np.testing.assert_allclose(u @ np.diag(s_o) @ vt, o, atol=1e-12)
    assert s[0] / s[-1] > 1000 and np.all(s_o[:3] > 0.6) and s_o.max() < 1.3


def test_muon_first_step_by_hand():
    # B1 = (1 - mu) G; nesterov: (1 - mu) G + mu B1 = (1 - mu^2) G; NS ignores the scale
    rng = np.random.default_rng(4)
    p0, g = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    lr, wd = 0.02, 0.1
    expected = p0 * (1 - lr * wd) - lr * math.sqrt(6 / 3) * newton_schulz(g)
    p = p0.copy()
    Muon(lr=lr, weight_decay=wd).step(p, g)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    wide, wide0 = p0.T.copy(), p0.T.copy()                # a wide matrix: no sqrt(A/B) factor
    Muon(lr=lr, weight_decay=0.0, adjust_lr_fn="match_rms_adamw").step(wide, g.T)
    np.testing.assert_allclose(wide, wide0 - lr * 0.2 * math.sqrt(6) * newton_schulz(g.T),
                               rtol=1e-12)


def test_muon_refuses_a_vector_naming_key_and_shape_before_any_update():
    opt = Muon(lr=0.02)
    params = {"w": np.ones((3, 2)), "b": np.ones(3)}
    with pytest.raises(ValueError) as err:
        opt.step(params, {"w": np.ones((3, 2)), "b": np.ones(3)})
    assert "params['b']" in str(err.value) and "(3,)" in str(err.value)
    np.testing.assert_array_equal(params["w"], 1.0)
    assert opt.t == 0 and opt.state == {}
