"""Optimizers against their formulas worked by hand, their special cases, and their API."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import optdocs
from optdocs import (
    LAMB,
    LARS,
    SGD,
    Adafactor,
    Adagrad,
    Adam,
    AdamW,
    AdamWScheduleFree,
    Lion,
    Muon,
    NAdam,
    RAdam,
    RMSprop,
)

ELEMENTWISE = [
    lambda: SGD(lr=0.1),
    lambda: SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda: Adagrad(lr=0.1, lr_decay=0.01),
    lambda: RMSprop(lr=0.01, momentum=0.5, centered=True),
    lambda: Adam(lr=0.01, amsgrad=True, weight_decay=0.1),
    lambda: AdamW(lr=0.01),
    lambda: NAdam(lr=0.01),
    lambda: RAdam(lr=0.01, weight_decay=0.1),
    lambda: Lion(lr=0.01, weight_decay=0.1),
    lambda: AdamWScheduleFree(lr=0.01, weight_decay=0.01, warmup_steps=3),
]
# Muon takes only matrices: its own tests are in test_optimizers_modern.py
ALL = ELEMENTWISE + [lambda: LARS(lr=0.5), lambda: LAMB(lr=0.01, weight_decay=0.01),
                     lambda: Adafactor(lr=0.05)]


def run(opt, x0, grads):
    x = np.array(x0, dtype=float)
    for g in grads:
        opt.step(x, np.asarray(g, dtype=float))
    return x


# ---- first steps worked out by hand ---------------------------------------------------------

def test_sgd_plain_step():
    x = run(SGD(lr=0.1), [1.0, -2.0], [[0.5, -1.0]])
    np.testing.assert_allclose(x, [1.0 - 0.05, -2.0 + 0.1])


def test_sgd_momentum_first_two_steps():
    # b1 = g1 = 1; x1 = 0 - 0.1*1 = -0.1; b2 = 0.9*1 + 2 = 2.9; x2 = -0.1 - 0.29 = -0.39
    opt = SGD(lr=0.1, momentum=0.9)
    x = run(opt, [0.0], [[1.0], [2.0]])
    np.testing.assert_allclose(x, [-0.39])
    np.testing.assert_allclose(opt.get("momentum_buffer"), [2.9])


def test_sgd_dampening_applies_from_second_step():
    # b1 = 1 (no dampening on the first step); b2 = 0.9*1 + 0.5*2 = 1.9
    opt = SGD(lr=1.0, momentum=0.9, dampening=0.5)
    x = run(opt, [0.0], [[1.0], [2.0]])
    np.testing.assert_allclose(x, [-(1.0 + 1.9)])


def test_sgd_nesterov_first_two_steps():
    # d1 = g1 + mu*b1 = 1 + 0.9 = 1.9; b2 = 0.9 + 2 = 2.9; d2 = 2 + 0.9*2.9 = 4.61
    x = run(SGD(lr=0.1, momentum=0.9, nesterov=True), [0.0], [[1.0], [2.0]])
    np.testing.assert_allclose(x, [-(0.19 + 0.461)])


def test_sgd_weight_decay_adds_l2_gradient():
    x = run(SGD(lr=0.1, weight_decay=0.5), [2.0], [[0.0]])
    np.testing.assert_allclose(x, [2.0 - 0.1 * 0.5 * 2.0])


def test_adagrad_first_step_is_lr_times_sign_then_shrinks():
    opt = Adagrad(lr=0.1)
    x = run(opt, [0.0, 0.0], [[3.0, -0.01]])
    np.testing.assert_allclose(x, [-0.1, 0.1], rtol=1e-6)
    # second identical gradient: s = 2 g^2, step = 0.1 / sqrt(2)
    opt.step(x, np.array([3.0, -0.01]))
    np.testing.assert_allclose(x, [-0.1 - 0.1 / math.sqrt(2), 0.1 + 0.1 / math.sqrt(2)], rtol=1e-6)
    np.testing.assert_allclose(opt.get("sum"), [18.0, 2e-4])


def test_adagrad_lr_decay():
    opt = Adagrad(lr=1.0, lr_decay=1.0)
    x = run(opt, [0.0], [[1.0], [1.0]])
    # step 1: 1 * 1/1 = 1; step 2: lr/(1+1) * 1/sqrt(2)
    np.testing.assert_allclose(x, [-(1.0 + 0.5 / math.sqrt(2))], rtol=1e-9)


def test_rmsprop_first_step():
    # v1 = (1 - 0.99) g^2, step = lr * g / (0.1 |g|) = 10 lr sign(g)
    x = run(RMSprop(lr=0.01), [0.0, 0.0], [[2.0, -5.0]])
    np.testing.assert_allclose(x, [-0.1, 0.1], rtol=1e-6)


def test_rmsprop_centered_and_momentum_first_step():
    # centered: v1 = 0.1 g^2, gbar = 0.1 g, v~ = 0.1 g^2 - 0.01 g^2 = 0.09 g^2 -> step lr/0.3
    opt = RMSprop(lr=0.3, alpha=0.9, centered=True, momentum=0.5)
    x = run(opt, [0.0], [[4.0]])
    np.testing.assert_allclose(x, [-1.0], rtol=1e-6)
    np.testing.assert_allclose(opt.get("momentum_buffer"), [1 / 0.3], rtol=1e-6)


@pytest.mark.parametrize("cls", [Adam, AdamW, NAdam])
def test_adam_family_first_step_is_lr_sign(cls):
    g = np.array([1e-3, -7.0, 250.0])
    x = run(cls(lr=0.01, weight_decay=0.0), np.zeros(3), [g])
    expected = -0.01 * np.sign(g)
    if cls is NAdam:  # m_hat_1 mixes m and g with the momentum schedule; at t=1 it equals g * c
        b1, psi = 0.9, 4e-3
        mu1, mu2 = b1 * (1 - 0.5 * 0.96 ** psi), b1 * (1 - 0.5 * 0.96 ** (2 * psi))
        c = mu2 * (1 - b1) / (1 - mu1 * mu2) + (1 - mu1) / (1 - mu1)
        expected = expected * c
    np.testing.assert_allclose(x, expected, rtol=1e-4)


def test_adam_second_step_by_hand():
    b1, b2, lr = 0.9, 0.999, 0.1
    opt = Adam(lr=lr)
    x = run(opt, [0.0], [[1.0], [3.0]])
    m = (1 - b1) * (b1 * 1.0 + 3.0)
    v = (1 - b2) * (b2 * 1.0 + 9.0)
    step2 = lr * (m / (1 - b1**2)) / (math.sqrt(v / (1 - b2**2)) + 1e-8)
    step1 = lr * 1.0 / (1.0 + 1e-8)  # |g1| / (sqrt(g1^2) + eps)
    np.testing.assert_allclose(x, [-step1 - step2], rtol=1e-12)
    np.testing.assert_allclose(opt.get("exp_avg"), [m])
    np.testing.assert_allclose(opt.get("exp_avg_sq"), [v])
    np.testing.assert_allclose(opt.get("update"), [-step2], rtol=1e-12)
    np.testing.assert_allclose(opt.get("effective_lr"), [lr / (math.sqrt(v / (1 - b2**2)) + 1e-8)])


def test_adam_amsgrad_keeps_largest_second_moment():
    opt = Adam(lr=0.1, amsgrad=True)
    run(opt, [0.0], [[10.0], [0.0], [0.0]])
    v = opt.get("exp_avg_sq")
    vmax = opt.get("max_exp_avg_sq")
    assert vmax[0] > v[0]
    np.testing.assert_allclose(vmax, [(1 - 0.999) * 100.0])


def test_adam_l2_vs_adamw_decay_first_step():
    p0, g, lr, wd = 2.0, 0.5, 0.1, 0.1
    # Adam with L2: gradient becomes 0.5 + 0.2 = 0.7, first step is still lr * sign = 0.1
    adam = run(Adam(lr=lr, weight_decay=wd), [p0], [[g]])
    np.testing.assert_allclose(adam, [p0 - lr], rtol=1e-6)
    # AdamW: p * (1 - lr wd) then lr * sign(g)
    adamw = run(AdamW(lr=lr, weight_decay=wd), [p0], [[g]])
    np.testing.assert_allclose(adamw, [p0 * (1 - lr * wd) - lr], rtol=1e-6)


def test_lars_first_step_by_hand():
    p0 = np.array([3.0, 4.0])          # norm 5
    g = np.array([0.0, 2.0])           # norm 2
    opt = LARS(lr=0.5, momentum=0.9, weight_decay=0.1, trust_coefficient=0.01, eps=1e-12)
    x = run(opt, p0, [g])
    trust = 0.01 * 5.0 / (2.0 + 0.1 * 5.0)
    np.testing.assert_allclose(opt.get("trust_ratio"), trust)
    np.testing.assert_allclose(x, p0 - 0.5 * trust * (g + 0.1 * p0))


def test_lars_zero_weights_use_trust_one():
    opt = LARS(lr=0.1, momentum=0.0)
    x = run(opt, np.zeros(2), [[1.0, -1.0]])
    np.testing.assert_allclose(x, [-0.1, 0.1])


def test_lamb_first_step_by_hand():
    p0 = np.array([3.0, 4.0])
    g = np.array([1.0, -2.0])
    opt = LAMB(lr=0.1, weight_decay=0.1, eps=1e-12)
    x = run(opt, p0, [g])
    u = np.sign(g) + 0.1 * p0          # r_1 = sign(g) by bias correction
    trust = 5.0 / np.linalg.norm(u)
    np.testing.assert_allclose(x, p0 - 0.1 * trust * u, rtol=1e-9)
    # the step length is lr * ||theta||, whatever the gradient's size
    np.testing.assert_allclose(np.linalg.norm(x - p0), 0.1 * 5.0, rtol=1e-9)


# ---- special cases and properties ----------------------------------------------------------

@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10)),
       st.lists(arrays(np.float64, 6, elements=st.floats(-10, 10)), min_size=1, max_size=5))
@settings(max_examples=50, deadline=None)
def test_momentum_zero_equals_plain_sgd(x0, grads):
    grads = [g[: x0.size] for g in grads]
    a = run(SGD(lr=0.05, momentum=0.0, dampening=0.3), x0, grads)
    b = run(SGD(lr=0.05), x0, grads)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(b, x0 - 0.05 * np.sum(grads, axis=0), atol=1e-12)


def test_adamw_without_decay_equals_adam():
    rng = np.random.default_rng(1)
    x0, grads = rng.normal(size=5), rng.normal(size=(30, 5))
    np.testing.assert_array_equal(run(AdamW(lr=0.01, weight_decay=0.0), x0, grads),
                                  run(Adam(lr=0.01), x0, grads))


@pytest.mark.parametrize("scale", [1e-3, 10.0, 1e4])
def test_adam_is_invariant_to_gradient_scale(scale):
    rng = np.random.default_rng(2)
    x0, grads = rng.normal(size=5), rng.normal(size=(30, 5))
    a = run(Adam(lr=0.01, eps=1e-12), x0, grads)
    b = run(Adam(lr=0.01, eps=1e-12), x0, grads * scale)
    np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("make", ALL)
def test_array_list_and_dict_give_identical_results(make):
    rng = np.random.default_rng(3)
    w0, b0 = rng.normal(size=(3, 2)), rng.normal(size=2)
    gw, gb = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 2))
    single_w, single_b = w0.copy(), b0.copy()
    o1, o2 = make(), make()
    for i in range(4):
        o1.step(single_w, gw[i])
        o2.step(single_b, gb[i])
    as_list, lopt = [w0.copy(), b0.copy()], make()
    as_dict, dopt = {"w": w0.copy(), "b": b0.copy()}, make()
    for i in range(4):
        out = lopt.step(as_list, [gw[i], gb[i]])
        assert out is as_list
        dopt.step(as_dict, {"b": gb[i], "w": gw[i]})
    for got_w, got_b in [(as_list[0], as_list[1]), (as_dict["w"], as_dict["b"])]:
        np.testing.assert_array_equal(got_w, single_w)
        np.testing.assert_array_equal(got_b, single_b)
    assert set(dopt.get("update")) == {"w", "b"}
    assert len(lopt.get("effective_lr")) == 2


@pytest.mark.parametrize("make", ELEMENTWISE)
@given(runs=st.integers(1, 5), dim=st.integers(1, 3), seed=st.integers(0, 2**16))
@settings(max_examples=15, deadline=None)
def test_elementwise_stacked_runs_equal_separate_runs(make, runs, dim, seed):
    rng = np.random.default_rng(seed)
    x0, grads = rng.normal(size=(runs, dim)), rng.normal(size=(6, runs, dim))
    stacked = run(make(), x0, grads)
    for r in range(runs):
        np.testing.assert_allclose(stacked[r], run(make(), x0[r], grads[:, r]), rtol=1e-12)
    assert make().elementwise


def test_lars_and_lamb_are_not_elementwise():
    assert not LARS().elementwise and not LAMB().elementwise
    assert not Adafactor().elementwise and not Muon().elementwise


def test_schedule_is_called_with_zero_based_step():
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1 / (step + 1)

    opt = SGD(lr=schedule)
    x = run(opt, [0.0], [[1.0]] * 3)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(x, [-(0.1 + 0.05 + 0.1 / 3)])
    assert opt.t == 3 and opt.lr_at(1) == 0.1


def test_reset_forgets_state():
    opt = Adam(lr=0.1)
    a = run(opt, [0.0], [[1.0], [-2.0]])
    opt.reset()
    assert opt.t == 0 and opt.state == {}
    np.testing.assert_array_equal(run(opt, [0.0], [[1.0], [-2.0]]), a)


def test_float32_params_stay_float32():
    x = np.ones(3, dtype=np.float32)
    Adam(lr=0.1).step(x, np.ones(3))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, 0.9, rtol=1e-6)


def test_repr_names_hyperparameters():
    assert repr(Adam(lr=0.01)).startswith("Adam(lr=0.01, betas=(0.9, 0.999)")


def test_torch_defaults():
    assert (SGD().lr, Adagrad().lr, RMSprop().lr, Adam().lr, AdamW().lr, NAdam().lr) == (
        1e-3, 1e-2, 1e-2, 1e-3, 1e-3, 2e-3)
    assert RMSprop().alpha == 0.99 and Adagrad().eps == 1e-10 and Adam().eps == 1e-8
    assert AdamW().weight_decay == 1e-2 and Adam().weight_decay == 0.0
    assert Adam().betas == (0.9, 0.999) and NAdam().momentum_decay == 4e-3
    assert (RAdam().lr, Adafactor().lr, Muon().lr) == (1e-3, 1e-2, 1e-3)
    assert Adafactor().eps == (None, 1e-3) and Muon().momentum == 0.95 and Muon().nesterov
    assert Lion().betas == (0.9, 0.99) and AdamWScheduleFree().lr == 0.0025


def test_top_level_exports():
    assert set(optdocs.__all__) >= {"SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam",
                                    "LARS", "LAMB", "RAdam", "Adafactor", "Muon", "Lion",
                                    "AdamWScheduleFree"}


# ---- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, name, value", [
    (lambda: SGD(lr=-0.1), "lr", "-0.1"),
    (lambda: Adam(lr=float("nan")), "lr", "nan"),
    (lambda: Adam(lr=float("inf")), "lr", "inf"),
    (lambda: Adam(lr="fast"), "lr", "fast"),
    (lambda: Adam(betas=(0.9, 1.0)), "betas[1]", "1.0"),
    (lambda: Adam(betas=(-0.1, 0.999)), "betas[0]", "-0.1"),
    (lambda: AdamW(betas=0.9), "betas", "0.9"),
    (lambda: Adam(eps=0.0), "eps", "0.0"),
    (lambda: RMSprop(eps=-1e-8), "eps", "-1e-08"),
    (lambda: Adagrad(eps=0), "eps", "0"),
    (lambda: SGD(lr=0.1, nesterov=True), "nesterov", "momentum=0.0"),
    (lambda: SGD(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov", "dampening=0.1"),
    (lambda: SGD(momentum=-0.5), "momentum", "-0.5"),
    (lambda: AdamW(weight_decay=-1), "weight_decay", "-1"),
    (lambda: RMSprop(alpha=1.5), "alpha", "1.5"),
    (lambda: LARS(trust_coefficient=0), "trust_coefficient", "0"),
    (lambda: NAdam(momentum_decay=-1), "momentum_decay", "-1"),
])
def test_bad_hyperparameters_raise_naming_them(make, name, value):
    with pytest.raises(ValueError) as err:
        make()
    assert name in str(err.value) and value in str(err.value)


@pytest.mark.parametrize("params, grads, words", [
    (np.zeros(3), np.zeros(4), ["grads", "(4,)", "(3,)"]),
    ([np.zeros(2), np.zeros(2)], [np.zeros(2)], ["grads", "1", "2"]),
    ({"w": np.zeros(2)}, {"v": np.zeros(2)}, ["keys", "'v'", "'w'"]),
    ({"w": np.zeros(2)}, {"w": np.zeros((2, 1))}, ["grads['w']", "(2, 1)"]),
    ([np.zeros(2)], {"w": np.zeros(2)}, ["grads", "list"]),
    (np.zeros(3, dtype=int), np.zeros(3), ["params", "int"]),
    ([1.0, 2.0], [0.0, 0.0], ["params[0]", "float"]),
])
def test_mismatched_params_and_grads_raise(params, grads, words):
    opt = Adam(lr=0.1)
    with pytest.raises(ValueError) as err:
        opt.step(params, grads)
    for word in words:
        assert word in str(err.value)
    assert opt.t == 0 and opt.state == {}  # nothing was half-applied


def test_mismatch_in_second_array_leaves_first_untouched():
    a, b = np.ones(2), np.ones(3)
    with pytest.raises(ValueError):
        SGD(lr=0.1).step([a, b], [np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(a, 1.0)


def test_get_before_step_and_unknown_state():
    opt = Adam()
    with pytest.raises(ValueError, match="step"):
        opt.get("exp_avg")
    opt.step(np.zeros(1), np.ones(1))
    with pytest.raises(ValueError, match="momentum_buffer"):
        opt.get("momentum_buffer")
