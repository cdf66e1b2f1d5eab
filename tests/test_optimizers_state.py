"""Per-parameter state with torch's semantics: own step counts, structure checks, get()."""

import copy
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

MAKERS = {
    "sgd": lambda: SGD(lr=0.1),
    "sgd-momentum": lambda: SGD(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd-nesterov": lambda: SGD(lr=0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda: Adagrad(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1),
    "rmsprop": lambda: RMSprop(lr=0.01, momentum=0.5, centered=True),
    "adam": lambda: Adam(lr=0.01, weight_decay=0.1),
    "adam-amsgrad": lambda: Adam(lr=0.01, amsgrad=True),
    "adamw": lambda: AdamW(lr=0.01, weight_decay=0.1),
    "nadam": lambda: NAdam(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1),
    "lars": lambda: LARS(lr=0.5, weight_decay=0.01),
    "lamb": lambda: LAMB(lr=0.01, weight_decay=0.01),
    "radam": lambda: RAdam(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "adafactor": lambda: Adafactor(lr=0.05, weight_decay=0.01),
    "muon": lambda: Muon(lr=0.02),
    "lion": lambda: Lion(lr=0.01, weight_decay=0.1),
    "schedule-free": lambda: AdamWScheduleFree(lr=0.01, weight_decay=0.01, warmup_steps=2),
}
#: Optimizers that take only matrices: their vectors become columns in these tests.
MATRIX_ONLY = {"muon"}


def shaped(name, a):
    """``a``, as a column when the optimizer ``name`` takes only matrices (Muon)."""
    return a.reshape(-1, 1) if name in MATRIX_ONLY and a.ndim == 1 else a


def grad(p):
    """A gradient that depends on where the parameter is, so any divergence shows."""
    return np.sin(3.0 * p) + 0.5 * p


def train(opt, params, steps):
    for _ in range(steps):
        opt.step(params, {k: grad(v) for k, v in params.items()} if isinstance(params, dict)
                 else [grad(v) for v in params])
    return params


# ---- each parameter counts its own steps ------------------------------------------------------

def test_late_added_adam_parameter_first_step_is_lr():
    a = np.ones(3)
    opt = Adam(lr=0.1)
    for _ in range(500):
        opt.step({"a": a}, {"a": 2 * a})
    b = np.ones(3)
    opt.step({"a": a, "b": b}, {"a": 2 * a, "b": 2 * b})
    # a global step count would bias-correct b's first step by 1/(1 - b1^501) ... and give ~3.2 lr
    np.testing.assert_allclose(1.0 - b, 0.1, rtol=1e-6)
    assert opt.get("step") == {"a": 501, "b": 1}
    assert opt.t == 501


@pytest.mark.parametrize("name", MAKERS)
def test_late_added_parameter_moves_as_with_a_fresh_optimizer(name):
    rng = np.random.default_rng(0)
    a0, b0 = rng.normal(size=(3, 2)), shaped(name, rng.normal(size=4))
    opt = MAKERS[name]()
    params = train(opt, {"a": a0.copy()}, 7)
    params["b"] = b0.copy()
    train(opt, params, 5)
    alone = train(MAKERS[name](), {"b": b0.copy()}, 5)
    np.testing.assert_array_equal(params["b"], alone["b"])


def test_removed_key_drops_its_state_and_comes_back_fresh():
    opt = SGD(lr=0.1, momentum=0.9)
    params = {"a": np.ones(2), "b": np.ones(2)}
    train(opt, params, 3)
    del params["b"]
    train(opt, params, 1)
    assert set(opt.state) == {"a"}
    assert set(opt.get("momentum_buffer")) == {"a"}
    b = np.ones(2)
    params["b"] = b
    opt.step(params, {"a": np.zeros(2), "b": np.full(2, 2.0)})
    np.testing.assert_array_equal(opt.get("momentum_buffer")["b"], [2.0, 2.0])   # b_1 = g_1
    np.testing.assert_allclose(b, 1.0 - 0.1 * 2.0)


def test_schedule_counts_optimizer_steps_for_every_parameter():
    seen = []

    def schedule(i):
        seen.append(i)
        return 0.5 ** i

    opt = SGD(lr=schedule)
    params = {"a": np.zeros(1)}
    for _ in range(3):
        opt.step(params, {"a": np.ones(1)})
    params["b"] = np.zeros(1)
    opt.step(params, {"a": np.ones(1), "b": np.ones(1)})
    assert seen == [0, 1, 2, 3]
    np.testing.assert_allclose(params["b"], [-0.125])          # the optimizer's 4th step's rate
    assert opt.lr_at(4) == 0.125 and opt.get("step") == {"a": 4, "b": 1}


def test_adagrad_lr_decay_uses_the_parameters_own_step():
    opt = Adagrad(lr=1.0, lr_decay=1.0)
    params = {"a": np.zeros(1)}
    train(opt, params, 4)
    params["b"] = np.zeros(1)
    opt.step(params, {"a": np.ones(1), "b": np.ones(1)})
    np.testing.assert_allclose(params["b"], [-1.0], rtol=1e-9)   # lr / (1 + 0 * decay), sign


# ---- the structure: raise before any update -----------------------------------------------------

def snapshot(opt, params):
    arrays = params.values() if isinstance(params, dict) else params
    return opt.t, [a.copy() for a in arrays], opt.state_dict()


def assert_unchanged(opt, params, snap):
    t, arrays, sd = snap
    assert opt.t == t
    for a, b in zip(params.values() if isinstance(params, dict) else params, arrays, strict=True):
        np.testing.assert_array_equal(a, b)
    new = opt.state_dict()
    assert new["step"] == sd["step"] and new["kind"] == sd["kind"]
    for key in ("exp_avg", "exp_avg_sq"):
        for k in sd["state"]:
            np.testing.assert_array_equal(new["state"][k][key], sd["state"][k][key])


def test_shape_change_raises_naming_key_and_both_shapes_before_any_update():
    opt = Adam(lr=0.1)
    params = {"a": np.ones(2), "w": np.ones((2, 3))}
    train(opt, params, 2)
    bad = {"a": np.ones(2), "w": np.ones((3, 2))}
    snap = snapshot(opt, bad)
    with pytest.raises(ValueError) as err:
        opt.step(bad, {"a": np.ones(2), "w": np.ones((3, 2))})
    msg = str(err.value)
    assert "params['w']" in msg and "(3, 2)" in msg and "(2, 3)" in msg
    assert_unchanged(opt, bad, snap)          # 'a' comes first and was not updated either


def test_dtype_change_raises_naming_both_dtypes():
    opt = Adam(lr=0.1)
    train(opt, [np.ones(2)], 1)
    x = np.ones(2, dtype=np.float32)
    with pytest.raises(ValueError) as err:
        opt.step([x], [np.ones(2, dtype=np.float32)])
    assert "params[0]" in str(err.value) and "float32" in str(err.value)
    assert "float64" in str(err.value)
    np.testing.assert_array_equal(x, 1.0)


@pytest.mark.parametrize("first, second, words", [
    (np.ones(2), [np.ones(2)], ["list", "array"]),
    ([np.ones(2)], {"a": np.ones(2)}, ["dict", "list"]),
    ({"a": np.ones(2)}, np.ones(2), ["array", "dict"]),
])
def test_kind_change_raises_naming_both_kinds(first, second, words):
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(first, first.copy() if isinstance(first, np.ndarray) else
             ({k: v.copy() for k, v in first.items()} if isinstance(first, dict)
              else [v.copy() for v in first]))
    grads = (second.copy() if isinstance(second, np.ndarray) else
             ({k: v.copy() for k, v in second.items()} if isinstance(second, dict)
              else [v.copy() for v in second]))
    with pytest.raises(ValueError) as err:
        opt.step(second, grads)
    for word in words:
        assert word in str(err.value)
    assert opt.t == 1


def test_list_length_change_raises_naming_both_lengths():
    opt = SGD(lr=0.1, momentum=0.9)
    a, b = np.ones(2), np.ones(2)
    train(opt, [a, b], 1)
    before = a.copy()
    with pytest.raises(ValueError) as err:
        opt.step([a], [np.ones(2)])
    assert "1 arrays" in str(err.value) and "had 2" in str(err.value)
    np.testing.assert_array_equal(a, before)


def test_reordered_list_state_follows_positions():
    """Documented: a list's state follows positions, so swapping two arrays swaps buffers."""
    opt = SGD(lr=1.0, momentum=0.5)
    a, b = np.zeros(2), np.zeros(2)
    opt.step([a, b], [np.full(2, 1.0), np.full(2, 10.0)])      # buffers: [1, 10]
    opt.step([b, a], [np.full(2, 2.0), np.full(2, 20.0)])      # position 0 is now b
    np.testing.assert_array_equal(opt.get("momentum_buffer")[0], 0.5 * 1.0 + 2.0)
    np.testing.assert_array_equal(b, -10.0 - 2.5)


def test_dict_state_follows_keys_in_any_order():
    opt = SGD(lr=1.0, momentum=0.5)
    a, b = np.zeros(2), np.zeros(2)
    opt.step({"a": a, "b": b}, {"a": np.full(2, 1.0), "b": np.full(2, 10.0)})
    opt.step({"b": b, "a": a}, {"b": np.full(2, 2.0), "a": np.full(2, 20.0)})
    np.testing.assert_array_equal(opt.get("momentum_buffer")["b"], 0.5 * 10.0 + 2.0)
    np.testing.assert_array_equal(a, -1.0 - 20.5)


def test_bad_schedule_value_raises_before_any_update():
    opt = SGD(lr=lambda i: 0.1 if i < 2 else -1.0)
    x = np.zeros(2)
    train(opt, [x], 2)
    before = x.copy()
    with pytest.raises(ValueError) as err:
        opt.step([x], [np.ones(2)])
    assert "lr" in str(err.value) and "-1.0" in str(err.value)
    np.testing.assert_array_equal(x, before)
    assert opt.t == 2 and opt.get("step") == [2]


# ---- get() answers for the last step ------------------------------------------------------------

def test_get_follows_the_structure_of_the_last_step():
    opt = Adam(lr=0.1)
    params = {"a": np.ones(2), "b": np.ones(3)}
    train(opt, params, 2)
    assert set(opt.get("exp_avg")) == {"a", "b"}
    del params["a"]
    train(opt, params, 1)
    assert set(opt.get("exp_avg")) == {"b"} and set(opt.get("update")) == {"b"}
    opt.reset()
    x = np.ones(4)
    opt.step(x, np.ones(4))
    assert isinstance(opt.get("exp_avg"), np.ndarray) and opt.get("exp_avg").shape == (4,)


@pytest.mark.parametrize("name", MAKERS)
def test_update_and_effective_lr_describe_the_last_step(name):
    rng = np.random.default_rng(4)
    params = {"w": rng.normal(size=(3, 2)), "b": shaped(name, rng.normal(size=2))}
    opt = MAKERS[name]()
    train(opt, params, 3)
    before = {k: v.copy() for k, v in params.items()}
    train(opt, params, 1)
    update, rate = opt.get("update"), opt.get("effective_lr")
    for k in params:
        np.testing.assert_allclose(update[k], params[k] - before[k], rtol=1e-12, atol=1e-15)
        assert rate[k].shape == params[k].shape and np.all(rate[k] >= 0)


def test_effective_lr_of_adam_is_its_per_element_rate():
    opt = Adam(lr=0.1)
    x = np.zeros(2)
    opt.step(x, np.array([2.0, -0.5]))
    opt.step(x, np.array([1.0, 1.0]))
    v = opt.get("exp_avg_sq")
    np.testing.assert_allclose(opt.get("effective_lr"), 0.1 / (np.sqrt(v / (1 - 0.999**2)) + 1e-8))
    np.testing.assert_allclose(opt.get("update"), -opt.get("effective_lr")
                               * opt.get("exp_avg") / (1 - 0.9**2), rtol=1e-12)


# ---- no hidden copies ---------------------------------------------------------------------------

PARAM_SIZED_STATE = {
    "sgd": 0, "sgd-momentum": 1, "sgd-nesterov": 1, "adagrad": 1, "rmsprop": 3, "adam": 2,
    "adam-amsgrad": 3, "adamw": 2, "nadam": 2, "lars": 1, "lamb": 2,
    "radam": 2, "adafactor": 1, "muon": 1, "lion": 1, "schedule-free": 3,   # z, x and v
}


@pytest.mark.parametrize("name", MAKERS)
def test_state_holds_only_the_rules_buffers(name):
    """Adam keeps two parameter-sized buffers, as torch; nothing is kept just for bookkeeping."""
    x = shaped(name, np.linspace(-1, 1, 50))
    opt = MAKERS[name]()
    train(opt, [x], 3)
    state = opt.state[0]
    sized = [k for k, v in state.items() if isinstance(v, np.ndarray) and v.shape == x.shape]
    assert len(sized) == PARAM_SIZED_STATE[name], sized
    assert "update" not in state and "effective_lr" not in state
    assert len({id(v) for v in state.values() if isinstance(v, np.ndarray)}) == len(sized)


def arrays_held_by(obj):
    """Every distinct ndarray reachable from ``obj``'s attributes through dicts, lists, tuples."""
    found, todo = {}, list(vars(obj).values())
    while todo:
        item = todo.pop()
        if isinstance(item, np.ndarray):
            found[id(item)] = item
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
        elif hasattr(item, "__dict__") and not callable(item):
            todo.extend(vars(item).values())
    return list(found.values())


@pytest.mark.parametrize("make, kept", [
    (lambda: SGD(lr=0.1), 1),                         # the last step (lr * g)
    (lambda: SGD(lr=0.1, momentum=0.9), 1),           # the buffer (the step is lr * buffer)
    (lambda: SGD(lr=0.1, momentum=0.9, nesterov=True), 2),   # the buffer and the last step
    (lambda: Adam(lr=0.1), 2),                        # exp_avg and exp_avg_sq, as torch
    (lambda: Adam(lr=0.1, amsgrad=True), 3),          # and max_exp_avg_sq
    (lambda: AdamW(lr=0.1, weight_decay=0.1), 3),     # the step: its decay needs the old weights
    (lambda: LARS(lr=0.1), 1),                        # the buffer, which is the step
])
def test_a_step_keeps_no_copy_of_the_parameters(make, kept):
    x = np.ones(1000)
    opt = make()
    for _ in range(3):
        opt.step(x, np.ones(1000))
    held = arrays_held_by(opt)
    assert not any(np.shares_memory(a, x) for a in held)
    assert sum(a.size for a in held if a.size == x.size) == kept * x.size


@pytest.mark.parametrize("structure", ["array", "list"])
@pytest.mark.parametrize("clone", [copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))])
def test_a_copied_optimizer_carries_on_like_the_original(structure, clone):
    x, y = np.ones(3), np.ones(3)
    opt = Adam(lr=0.1)
    for _ in range(3):
        opt.step(x if structure == "array" else [x], grad(x) if structure == "array" else [grad(x)])
    twin = clone(opt)
    y[...] = x
    for _ in range(3):
        opt.step(x if structure == "array" else [x], grad(x) if structure == "array" else [grad(x)])
        twin.step(y if structure == "array" else [y], grad(y) if structure == "array" else [grad(y)])
    np.testing.assert_array_equal(x, y)
    assert twin.get("step") == (6 if structure == "array" else [6])


RECOMPUTED = {
    "sgd-momentum": lambda: SGD(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.1),
    "rmsprop-momentum": lambda: RMSprop(lr=0.01, momentum=0.5, centered=True),
    "adam": lambda: Adam(lr=0.01, weight_decay=0.1),
    "adam-amsgrad": lambda: Adam(lr=0.01, amsgrad=True),
    "adamw-no-decay": lambda: AdamW(lr=0.01, weight_decay=0.0),
    "adam-schedule": lambda: Adam(lr=lambda i: 0.1 / (1 + i)),
}


@pytest.mark.parametrize("name", RECOMPUTED)
def test_an_update_recomputed_from_the_state_is_the_rules_step_bit_for_bit(name):
    opt = RECOMPUTED[name]()
    returned = []
    rule = opt.update_rule

    def spy(p, g, state, h):
        d = rule(p, g, state, h)
        returned.append(d.copy())
        return d

    opt.update_rule = spy
    x = np.linspace(-1.0, 1.0, 7)
    for _ in range(4):
        opt.step(x, grad(x))
    assert opt.step_is_in_state(opt._default)          # so the base did not keep the step
    np.testing.assert_array_equal(opt.get("update"), -returned[-1])



@pytest.mark.parametrize("bare", [True, False], ids=["one-array", "dict"])
def test_assigning_a_hyperparameter_takes_effect_from_the_next_step(bare):
    # one bare array takes the base's fast path, a dict the general one: both must see the change
    w = np.array([1.0, -2.0])
    params, grads = (w, lambda: grad(w)) if bare else ({"w": w}, lambda: {"w": grad(w)})
    opt = SGD(lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.step(params, grads())
    opt.lr = 0.01
    assert opt.lr == 0.01
    before = w.copy()
    opt.step(params, grads())
    buf = opt.get("momentum_buffer")
    np.testing.assert_allclose(before - w, 0.01 * (buf if bare else buf["w"]), rtol=1e-12)


def test_assigning_a_bad_hyperparameter_raises_and_changes_nothing():
    opt = Adam(lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0
    with pytest.raises(ValueError, match="betas"):
        opt.betas = (0.9, 1.5)
    assert opt.lr == 0.1 and opt.betas == (0.9, 0.999)
    w = np.array([1.0])
    opt.step(w, np.array([2.0]))
    assert w[0] == pytest.approx(0.9)
