"""Per-parameter options: ``overrides`` acts like torch's param groups."""

import numpy as np
import pytest

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
from optdocs.schedules import cosine_annealing

# (class, the optimizer's own hyperparameters, one parameter's overrides)
CASES = {
    "sgd": (SGD, {"lr": 0.1, "momentum": 0.9}, {"lr": 0.03, "nesterov": True}),
    "sgd-dampening": (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
                      {"momentum": 0.0, "weight_decay": 0.1}),
    "adagrad": (Adagrad, {"lr": 0.1}, {"lr_decay": 0.1, "initial_accumulator_value": 0.5}),
    "rmsprop": (RMSprop, {"lr": 0.01}, {"centered": True, "momentum": 0.3, "alpha": 0.9}),
    "adam": (Adam, {"lr": 0.01, "weight_decay": 0.1}, {"amsgrad": True, "betas": (0.8, 0.99)}),
    "adamw": (AdamW, {"lr": 1e-2, "weight_decay": 0.1}, {"weight_decay": 0.0}),
    "adamw-schedule": (AdamW, {"lr": 1e-2}, {"lr": cosine_annealing(0.05, 20)}),
    "nadam": (NAdam, {"lr": 0.01}, {"decoupled_weight_decay": True, "weight_decay": 0.2,
                                    "momentum_decay": 0.01}),
    "lars": (LARS, {"lr": 0.5}, {"trust_coefficient": 0.01, "eps": 1e-6}),
    "lamb": (LAMB, {"lr": 0.01, "weight_decay": 0.01}, {"weight_decay": 0.0, "eps": 1e-8}),
    "radam": (RAdam, {"lr": 0.01}, {"betas": (0.8, 0.9), "decoupled_weight_decay": True,
                                    "weight_decay": 0.1}),
    "adafactor": (Adafactor, {"lr": 0.05}, {"beta2_decay": -0.5, "eps": (1e-6, 1e-2), "d": 2.0,
                                            "weight_decay": 0.1}),
    "muon": (Muon, {"lr": 0.02}, {"nesterov": False, "momentum": 0.5, "ns_steps": 3,
                                  "adjust_lr_fn": "match_rms_adamw"}),
    "lion": (Lion, {"lr": 0.01}, {"betas": (0.5, 0.9), "weight_decay": 0.1}),
    "schedule-free": (AdamWScheduleFree, {"lr": 0.01}, {"warmup_steps": 5, "r": 1.0,
                                                        "weight_decay": 0.1}),
}
#: Optimizers that take only matrices: their vector parameter becomes a column.
MATRIX_ONLY = (Muon,)


def grad(p):
    return np.cos(2.0 * p) + 0.3 * p


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("as_list", [False, True])
def test_overrides_equal_two_optimizers_on_separate_params(name, as_list):
    cls, own, over = CASES[name]
    rng = np.random.default_rng(5)
    w0, b0 = rng.normal(size=(4, 3)), rng.normal(size=3)
    if cls in MATRIX_ONLY:
        b0 = b0.reshape(3, 1)
    key = 1 if as_list else "b"
    grouped = cls(**own, overrides={key: over})
    params = [w0.copy(), b0.copy()] if as_list else {"w": w0.copy(), "b": b0.copy()}
    w_alone, w_opt = w0.copy(), cls(**own)
    b_alone, b_opt = b0.copy(), cls(**{**own, **over})
    for _ in range(20):
        if as_list:
            grouped.step(params, [grad(p) for p in params])
        else:
            grouped.step(params, {k: grad(p) for k, p in params.items()})
        w_opt.step(w_alone, grad(w_alone))
        b_opt.step(b_alone, grad(b_alone))
    w, b = (params[0], params[1]) if as_list else (params["w"], params["b"])
    np.testing.assert_array_equal(w, w_alone)
    np.testing.assert_array_equal(b, b_alone)
    assert not np.array_equal(w_alone, w0)


def test_adamw_without_decay_on_biases():
    """The everyday case: no weight decay on a bias whose gradient is zero."""
    opt = AdamW(lr=1e-3, weight_decay=0.1, overrides={"b1": {"weight_decay": 0.0}})
    params = {"w1": np.ones(3), "b1": np.ones(3)}
    for _ in range(10):
        opt.step(params, {"w1": np.zeros(3), "b1": np.zeros(3)})
    np.testing.assert_array_equal(params["b1"], 1.0)
    np.testing.assert_allclose(params["w1"], (1 - 1e-4) ** 10)


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW, NAdam, LARS, LAMB, RAdam,
                                 Adafactor, Muon, Lion, AdamWScheduleFree])
def test_every_hyperparameter_can_be_overridden(cls):
    """Overriding each hyperparameter with its own value changes nothing, bit for bit."""
    x0 = np.linspace(-1.0, 1.0, 6).reshape((3, 2) if cls in MATRIX_ONLY else 6)
    plain = cls(lr=0.05)
    for name, value in plain.defaults.items():
        params, ref = [x0.copy(), x0.copy()], [x0.copy(), x0.copy()]
        over, ref_opt = cls(lr=0.05, overrides={0: {name: value}}), cls(lr=0.05)
        for _ in range(5):
            over.step(params, [grad(p) for p in params])
            ref_opt.step(ref, [grad(p) for p in ref])
        np.testing.assert_array_equal(params[0], ref[0])


def test_lr_schedule_override_counts_optimizer_steps():
    seen = []

    def schedule(i):
        seen.append(i)
        return 0.1 * (i + 1)

    opt = SGD(lr=0.01, overrides={"b": {"lr": schedule}})
    params = {"a": np.zeros(1), "b": np.zeros(1)}
    for _ in range(3):
        opt.step(params, {"a": np.ones(1), "b": np.ones(1)})
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(params["b"], [-(0.1 + 0.2 + 0.3)])
    np.testing.assert_allclose(params["a"], [-0.03])
    assert opt.lr_at(3, "b") == pytest.approx(0.3) and opt.lr_at(3) == 0.01


# ---- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda: AdamW(overrides={"b1": {"wd": 0.0}}), ["overrides['b1']", "'wd'"]),
    (lambda: SGD(overrides={0: {"momentum": 0.9, "beta": 1, "gamma": 2}}), ["'beta'", "'gamma'"]),
    (lambda: Adam(overrides={"b": {"betas": (0.9, 1.5)}}), ["overrides['b']", "betas[1]", "1.5"]),
    (lambda: Adam(overrides={"b": {"lr": -1.0}}), ["overrides['b']", "lr", "-1.0"]),
    (lambda: RMSprop(overrides={"w": {"alpha": 2.0}}), ["overrides['w']", "alpha", "2.0"]),
    (lambda: SGD(lr=0.1, overrides={1: {"nesterov": True}}), ["overrides[1]", "nesterov"]),
    (lambda: SGD(overrides={"b": 0.0}), ["overrides['b']", "dict"]),
    (lambda: SGD(overrides=[("b", {})]), ["overrides", "list"]),
    (lambda: SGD(overrides={(1, 2): {}}), ["overrides", "(1, 2)"]),
])
def test_bad_overrides_raise_at_construction(make, words):
    with pytest.raises(ValueError) as err:
        make()
    for word in words:
        assert word in str(err.value)


def test_override_key_absent_from_params_raises_before_any_update():
    opt = AdamW(lr=0.1, overrides={"bias": {"weight_decay": 0.0}})
    params = {"w": np.ones(2), "b": np.ones(2)}
    with pytest.raises(ValueError) as err:
        opt.step(params, {"w": np.ones(2), "b": np.ones(2)})
    assert "'bias'" in str(err.value)
    np.testing.assert_array_equal(params["w"], 1.0)
    assert opt.t == 0 and opt.state == {}


def test_override_position_out_of_range_raises():
    opt = SGD(lr=0.1, overrides={2: {"lr": 0.0}})
    a = np.ones(2)
    with pytest.raises(ValueError, match=r"\[2\]"):
        opt.step([a, a.copy()], [np.ones(2), np.ones(2)])
    np.testing.assert_array_equal(a, 1.0)


def test_overrides_need_a_list_or_dict_of_params():
    opt = SGD(lr=0.1, overrides={0: {"lr": 0.0}})
    with pytest.raises(ValueError, match="one array"):
        opt.step(np.ones(2), np.ones(2))


def test_repr_shows_overrides():
    opt = AdamW(lr=1e-3, weight_decay=0.1, overrides={"b1": {"weight_decay": 0.0}})
    assert repr(opt).endswith("overrides={'b1': {'weight_decay': 0.0}})")
