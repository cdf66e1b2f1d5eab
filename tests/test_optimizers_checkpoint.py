"""Checkpoints: 50 steps + save + load + 50 steps equals 100 steps, bit for bit."""

import io
import pickle

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
from optdocs.schedules import one_cycle, step_decay

# Every optimizer with every option it has; the last ones add schedules and overrides.
CONFIGS = {
    "sgd": lambda: SGD(lr=0.05),
    "sgd-momentum": lambda: SGD(lr=0.05, momentum=0.9),
    "sgd-dampening": lambda: SGD(lr=0.05, momentum=0.9, dampening=0.3),
    "sgd-nesterov-l2": lambda: SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
    "adagrad": lambda: Adagrad(lr=0.1, lr_decay=0.01, weight_decay=0.01,
                               initial_accumulator_value=0.1),
    "rmsprop": lambda: RMSprop(lr=0.01, weight_decay=0.01),
    "rmsprop-centered-momentum": lambda: RMSprop(lr=0.01, momentum=0.5, centered=True),
    "adam": lambda: Adam(lr=0.01),
    "adam-amsgrad-l2": lambda: Adam(lr=0.01, amsgrad=True, weight_decay=0.1),
    "adamw": lambda: AdamW(lr=0.01, weight_decay=0.1),
    "adamw-amsgrad": lambda: AdamW(lr=0.01, amsgrad=True),
    "nadam": lambda: NAdam(lr=0.01, weight_decay=0.01),
    "nadam-decoupled": lambda: NAdam(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "lars": lambda: LARS(lr=0.5, momentum=0.9, weight_decay=0.01),
    "lamb": lambda: LAMB(lr=0.01, weight_decay=0.01),
    "radam": lambda: RAdam(lr=0.01, weight_decay=0.01),
    "radam-decoupled": lambda: RAdam(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1,
                                     decoupled_weight_decay=True),
    "adafactor": lambda: Adafactor(lr=0.05, weight_decay=0.01),
    "adafactor-options": lambda: Adafactor(lr=0.5, beta2_decay=-0.5, eps=(1e-6, 1e-2), d=1.5),
    "muon": lambda: Muon(lr=0.02),
    "muon-options": lambda: Muon(lr=0.02, weight_decay=0.0, nesterov=False,
                                 adjust_lr_fn="match_rms_adamw"),
    "lion": lambda: Lion(lr=0.01, weight_decay=0.1),
    "schedule-free": lambda: AdamWScheduleFree(lr=0.01, weight_decay=0.01, warmup_steps=10),
    "sgd-step-decay": lambda: SGD(lr=step_decay(0.1, 30, 0.5), momentum=0.9),
    "adam-one-cycle": lambda: Adam(lr=one_cycle(0.05, 100)),
    "adamw-overrides": lambda: AdamW(lr=0.01, weight_decay=0.1,
                                     overrides={"b": {"weight_decay": 0.0, "lr": step_decay(0.02, 10)}}),
    "rmsprop-overrides": lambda: RMSprop(lr=0.01, overrides={"b": {"centered": True,
                                                                    "momentum": 0.9}}),
    "adafactor-overrides": lambda: Adafactor(lr=0.05, overrides={"b": {"d": 2.0,
                                                                    "lr": step_decay(0.1, 10)}}),
    "muon-overrides": lambda: Muon(lr=0.02, overrides={"b": {"momentum": 0.5, "lr": 0.01}}),
    "schedule-free-overrides": lambda: AdamWScheduleFree(lr=0.01, overrides={
        "b": {"betas": (0.5, 0.99), "r": 1.0, "weight_lr_power": 0.0}}),
}
#: Optimizers that take only matrices: the vector parameter becomes a column for them.
MATRIX_ONLY = ("muon",)


def grad(p, t):
    """Depends on the parameter and on the step, so a wrong resume shows at once."""
    return np.sin(3.0 * p + 0.1 * t) + 0.5 * p


def fresh_params(structure, name=""):
    rng = np.random.default_rng(11)
    w, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    if name.startswith(MATRIX_ONLY):
        b = b.reshape(3, 1)
    if structure == "dict":
        return {"w": w, "b": b}
    if structure == "list":
        return [w, b]
    return w


def step(opt, params, t):
    if isinstance(params, dict):
        opt.step(params, {k: grad(p, t) for k, p in params.items()})
    elif isinstance(params, list):
        opt.step(params, [grad(p, t) for p in params])
    else:
        opt.step(params, grad(params, t))


def arrays(params):
    if isinstance(params, dict):
        return list(params.values())
    return list(params) if isinstance(params, list) else [params]


def list_config(name):
    """The overrides of a config keyed by list position (``b`` is position 1)."""
    opt = CONFIGS[name]()
    if "b" in opt.overrides:
        return type(opt)(**opt.defaults, overrides={1: dict(CONFIGS[name]().overrides["b"])})
    return opt


# overrides name a dict key or a list position, so one bare array has none
RESUME_CASES = [(name, structure) for name in CONFIGS for structure in ("dict", "list", "array")
                if structure != "array" or "overrides" not in name]


@pytest.mark.parametrize("name, structure", RESUME_CASES)
def test_resume_equals_an_uninterrupted_run_bit_for_bit(name, structure):
    make = CONFIGS[name] if structure == "dict" else (lambda: list_config(name))
    whole, whole_opt = fresh_params(structure, name), make()
    for t in range(100):
        step(whole_opt, whole, t)

    first, first_opt = fresh_params(structure, name), make()
    for t in range(50):
        step(first_opt, first, t)
    saved = pickle.loads(pickle.dumps(first_opt.state_dict()))
    del first_opt
    resumed = make()
    resumed.load_state_dict(saved)
    for t in range(50, 100):
        step(resumed, first, t)

    for a, b in zip(arrays(first), arrays(whole), strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed.t == whole_opt.t == 100
    assert_same(resumed.state_dict(), whole_opt.state_dict())


def assert_same(a, b, path="sd"):
    """``a`` and ``b`` hold the same types and values, arrays bit for bit."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def plain_types(value, path="sd"):
    """The paths in ``value`` holding anything but dicts, lists, scalars, strings, arrays."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in plain_types(v, f"{path}[{k!r}]")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in plain_types(v, f"{path}[{i}]")]
    if value is None or isinstance(value, bool | int | float | str | np.ndarray):
        return []
    return [f"{path}: {type(value).__name__}"]


@pytest.mark.parametrize("name", CONFIGS)
def test_state_dict_is_plain_data_savable_with_savez(name):
    opt, params = CONFIGS[name](), fresh_params("dict", name)
    for t in range(3):
        step(opt, params, t)
    sd = opt.state_dict()
    assert plain_types(sd) == []
    assert sd["class"] == type(opt).__name__ and sd["step"] == 3 and sd["kind"] == "dict"
    assert sd["state"]["w"]["step"] == 3
    assert sd["params"]["b"] == {"shape": list(params["b"].shape), "dtype": "float64"}
    flat = {f"{k}/{n}": v for k, s in sd["state"].items() for n, v in s.items()}
    buffer = io.BytesIO()
    np.savez(buffer, **flat)
    buffer.seek(0)
    with np.load(buffer) as loaded:
        for key, value in flat.items():
            np.testing.assert_array_equal(loaded[key], value)


def test_schedule_is_stored_as_a_marker_and_needs_a_schedule_to_load():
    opt = SGD(lr=step_decay(0.1, 5), momentum=0.9)
    x = np.ones(2)
    opt.step(x, np.ones(2))
    sd = opt.state_dict()
    assert sd["hyperparameters"]["lr"] == "schedule"
    with pytest.raises(ValueError) as err:
        SGD(lr=0.1, momentum=0.9).load_state_dict(sd)
    assert "schedule" in str(err.value) and "lr" in str(err.value)


def test_load_restores_the_checkpoints_hyperparameters():
    opt = Adam(lr=0.05, betas=(0.8, 0.99), amsgrad=True)
    x = np.ones(3)
    opt.step(x, np.ones(3))
    fresh = Adam()
    fresh.load_state_dict(opt.state_dict())
    assert fresh.lr == 0.05 and fresh.betas == (0.8, 0.99) and fresh.amsgrad is True
    np.testing.assert_array_equal(fresh.get("max_exp_avg_sq"), opt.get("max_exp_avg_sq"))


# ---- isolation --------------------------------------------------------------------------------

def test_mutating_a_state_dict_never_reaches_the_optimizer():
    opt = Adam(lr=0.1, overrides={"b": {"betas": (0.5, 0.9)}})
    params = fresh_params("dict")
    step(opt, params, 0)
    before = opt.state_dict()
    sd = opt.state_dict()
    sd["state"]["w"]["exp_avg"][...] = 99.0
    sd["state"]["w"]["step"] = 7
    sd["hyperparameters"]["betas"][0] = 0.1
    sd["overrides"]["b"]["betas"][1] = 0.2
    sd["params"]["w"]["shape"].append(5)
    assert_same(opt.state_dict(), before)

    loaded = Adam()
    loaded.load_state_dict(opt.state_dict())
    sd2 = opt.state_dict()
    loaded.load_state_dict(sd2)
    sd2["state"]["b"]["exp_avg_sq"][...] = -1.0
    sd2["overrides"]["b"]["betas"][0] = 0.0
    assert_same(loaded.state_dict(), before)
    # and stepping the loaded optimizer leaves the dict it came from alone
    snapshot = pickle.loads(pickle.dumps(sd2))
    step(loaded, params, 1)
    assert_same(sd2, snapshot)


# ---- what differs -----------------------------------------------------------------------------

def stepped(opt, structure="dict"):
    params = fresh_params(structure)
    step(opt, params, 0)
    return opt


def test_another_class_raises_naming_both():
    sd = stepped(Adam(lr=0.1)).state_dict()
    with pytest.raises(ValueError) as err:
        AdamW().load_state_dict(sd)
    assert "'Adam'" in str(err.value) and "'AdamW'" in str(err.value)


@pytest.mark.parametrize("other, words", [
    ("list", ["kind", "'list'", "dict"]),
    ("array", ["kind", "'array'", "dict"]),
])
def test_another_kind_of_params_raises(other, words):
    sd = stepped(SGD(lr=0.1, momentum=0.9), other).state_dict()
    target = stepped(SGD(lr=0.1, momentum=0.9), "dict")
    snap = target.state_dict()
    with pytest.raises(ValueError) as err:
        target.load_state_dict(sd)
    for word in words:
        assert word in str(err.value)
    assert_same(target.state_dict(), snap)


def test_other_keys_or_shapes_raise_saying_what_differs():
    sd = stepped(Adam(lr=0.1)).state_dict()
    other_keys = Adam(lr=0.1)
    other_keys.step({"w": np.ones((4, 3)), "c": np.ones(3)}, {"w": np.ones((4, 3)), "c": np.ones(3)})
    with pytest.raises(ValueError) as err:
        other_keys.load_state_dict(sd)
    assert "keys" in str(err.value) and "'b'" in str(err.value) and "'c'" in str(err.value)

    other_shape = Adam(lr=0.1)
    other_shape.step({"w": np.ones((4, 3)), "b": np.ones(5)}, {"w": np.ones((4, 3)), "b": np.ones(5)})
    with pytest.raises(ValueError) as err:
        other_shape.load_state_dict(sd)
    assert "params['b']" in str(err.value) and "(3,)" in str(err.value) and "(5,)" in str(err.value)


def test_a_loaded_structure_is_checked_at_the_next_step():
    sd = stepped(Adam(lr=0.1)).state_dict()
    fresh = Adam()
    fresh.load_state_dict(sd)
    bad = {"w": np.ones((3, 4)), "b": np.ones(3)}
    with pytest.raises(ValueError, match=r"params\['w'\].*\(3, 4\).*\(4, 3\)"):
        fresh.step(bad, {k: np.ones_like(v) for k, v in bad.items()})
    np.testing.assert_array_equal(bad["b"], 1.0)


@pytest.mark.parametrize("edit, words", [
    (lambda sd: sd.pop("state"), ["lacks", "'state'"]),
    (lambda sd: sd["hyperparameters"].pop("amsgrad"), ["hyperparameters", "amsgrad"]),
    (lambda sd: sd["hyperparameters"].update(eps=-1.0), ["eps", "-1.0"]),
    (lambda sd: sd["state"]["w"].pop("exp_avg_sq"), ["params['w']", "exp_avg_sq"]),
    (lambda sd: sd["state"]["w"].update(exp_avg=np.zeros(7)), ["exp_avg", "(7,)", "(4, 3)"]),
    (lambda sd: sd["state"]["b"].update(exp_avg_sq=sd["state"]["b"]["exp_avg_sq"].astype(
        np.float32)), ["params['b']", "'exp_avg_sq'", "dtype float32", "dtype float64"]),
    (lambda sd: sd["state"]["b"].update(step=-2), ["params['b']", "step", "-2"]),
    (lambda sd: sd.update(state=[sd["state"]["w"], sd["state"]["b"]]), ["state", "list", "dict"]),
    (lambda sd: sd.update(kind="tree"), ["kind", "'tree'"]),
    (lambda sd: sd["overrides"].update(w={"momentum": 0.9}), ["overrides['w']", "momentum"]),
])
def test_malformed_state_dicts_raise_and_change_nothing(edit, words):
    sd = stepped(Adam(lr=0.1)).state_dict()
    edit(sd)
    target = Adam(lr=0.3)
    with pytest.raises(ValueError) as err:
        target.load_state_dict(sd)
    for word in words:
        assert word in str(err.value)
    assert target.lr == 0.3 and target.t == 0 and target.state == {}


def test_get_after_load_reads_state_but_not_the_last_step():
    opt = stepped(Adam(lr=0.1))
    fresh = Adam()
    fresh.load_state_dict(opt.state_dict())
    np.testing.assert_array_equal(fresh.get("exp_avg")["w"], opt.get("exp_avg")["w"])
    with pytest.raises(ValueError, match="load_state_dict"):
        fresh.get("update")


def test_empty_optimizer_round_trips():
    sd = LARS(lr=0.2).state_dict()
    assert sd["kind"] is None and sd["state"] is None and sd["step"] == 0
    fresh = LARS()
    fresh.load_state_dict(sd)
    assert fresh.lr == 0.2 and fresh.t == 0


def test_adafactor_factors_of_the_wrong_shape_are_refused_naming_them():
    w = np.arange(6.0).reshape(3, 2)
    opt = Adafactor(lr=0.01)
    opt.step({"w": w}, {"w": np.ones_like(w)})
    sd = opt.state_dict()
    assert sd["state"]["w"]["row_var"].shape != w.shape   # a factor, smaller than its parameter
    Adafactor(lr=0.01).load_state_dict(sd)                 # the right shapes load
    sd["state"]["w"]["row_var"] = np.zeros((2, 1))
    fresh = Adafactor(lr=0.01)
    with pytest.raises(ValueError, match=r"'row_var' of params\['w'\] has shape \(2, 1\)"):
        fresh.load_state_dict(sd)
    assert fresh.state == {}                                # nothing loaded


def test_buffers_must_have_their_parameters_dtype():
    w = np.linspace(-1.0, 1.0, 4).astype(np.float32)
    opt = SGD(lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.step({"w": w}, {"w": w * 2})
    sd = opt.state_dict()
    assert sd["state"]["w"]["momentum_buffer"].dtype == np.float32
    SGD().load_state_dict(sd)                                # float32 throughout loads
    sd["state"]["w"]["momentum_buffer"] = sd["state"]["w"]["momentum_buffer"].astype(np.float64)
    fresh = SGD(lr=0.3)
    with pytest.raises(ValueError, match=r"'momentum_buffer' of params\['w'\] has dtype "
                                         r"float64, the parameter has dtype float32"):
        fresh.load_state_dict(sd)
    assert fresh.state == {} and fresh.lr == 0.3             # nothing loaded


def test_a_buffer_made_at_the_first_step_must_have_its_parameters_shape():
    # SGD makes its momentum buffer in the rule, so a fresh state has none to compare with
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step({"w": np.ones(3)}, {"w": np.ones(3)})
    sd = opt.state_dict()
    sd["state"]["w"]["momentum_buffer"] = np.zeros(4)
    with pytest.raises(ValueError, match=r"'momentum_buffer' of params\['w'\] has shape \(4,\), "
                                         r"it must have shape \(3,\)"):
        SGD().load_state_dict(sd)
