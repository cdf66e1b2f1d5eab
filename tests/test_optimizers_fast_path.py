"""The fast path of one bare array (``optdocs/optimizers/_tiny.py``, ``_floats.py``).

A tiny float64 array stepped by SGD, Adam or AdamW is updated in Python floats; any other
structure goes through the rule in NumPy. Every test here runs the same steps both ways (a bare
array against the same array inside a dict, which never takes the fast path) and requires the
same bits: parameters, every buffer, ``update``, ``effective_lr`` and checkpoints.
"""

import copy
import pickle

import numpy as np
import pytest

from optdocs import SGD, Adam, AdamW, RMSprop
from optdocs.optimizers._structure import ARRAY
from optdocs.optimizers._tiny import TINY
from optdocs.schedules import one_cycle, step_decay

# every option of the optimizers that have a float kernel
KERNEL_CONFIGS = {
    "sgd": lambda: SGD(lr=0.05),
    "sgd-l2": lambda: SGD(lr=0.05, weight_decay=0.1),
    "sgd-momentum": lambda: SGD(lr=0.05, momentum=0.9),
    "sgd-dampening-l2": lambda: SGD(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    "sgd-nesterov": lambda: SGD(lr=0.05, momentum=0.8, nesterov=True),
    "sgd-nesterov-l2": lambda: SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
    "adam": lambda: Adam(lr=0.1),
    "adam-l2": lambda: Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adam-amsgrad": lambda: Adam(lr=0.01, amsgrad=True),
    "adam-amsgrad-l2": lambda: Adam(lr=0.01, amsgrad=True, weight_decay=0.1),
    "adamw": lambda: AdamW(lr=0.01, weight_decay=0.1),
    "adamw-no-decay": lambda: AdamW(lr=0.01, weight_decay=0.0),
    "adamw-amsgrad": lambda: AdamW(lr=0.05, amsgrad=True, weight_decay=0.3),
    "sgd-schedule": lambda: SGD(lr=step_decay(0.1, 3, 0.5), momentum=0.9),
    "adam-schedule": lambda: Adam(lr=one_cycle(0.05, 12)),
}
SHAPES = [(2,), (1, 2), (1,), (), (2, 3)]


def grad(x):
    """A gradient that changes sign and scale, so max and momentum terms matter."""
    return np.cos(3.0 * x) * (1.0 + x * x) - 0.2


def bits(a):
    """The bytes of a float array: equal bits, so -0.0 differs from 0.0 and nans compare."""
    return np.ascontiguousarray(a, dtype=np.float64).tobytes()


def start(shape):
    return np.linspace(-1.3, 0.7, max(1, int(np.prod(shape)))).reshape(shape)


def assert_same(fast, general, x, y):
    """Both optimizers and parameters agree bit for bit, everything ``get`` can read included."""
    assert bits(x) == bits(y)
    assert fast.t == general.t
    names = set(fast.state[ARRAY]) | {"update", "effective_lr"}
    assert names == set(general.state["w"]) | {"update", "effective_lr"}
    for name in names:
        a, b = fast.get(name), general.get(name)["w"]
        if name == "step":
            assert a == b
        else:
            assert np.shape(a) == np.shape(b), name
            assert bits(a) == bits(b), name


def count_rule_calls(monkeypatch, cls):
    """Count calls of ``cls.update_rule`` (patched on the class, so the fast path still applies)."""
    calls = []
    rule = cls.update_rule

    def counted(self, p, g, state, h):
        calls.append(1)
        return rule(self, p, g, state, h)

    monkeypatch.setattr(cls, "update_rule", counted)
    return calls


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", KERNEL_CONFIGS)
def test_a_tiny_array_steps_as_the_rule_does_bit_for_bit(name, shape):
    fast, general = KERNEL_CONFIGS[name](), KERNEL_CONFIGS[name]()
    x, y = start(shape), start(shape)
    for _ in range(12):
        fast.step(x, grad(x))
        general.step({"w": y}, {"w": grad(y)})
        assert_same(fast, general, x, y)


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW])
def test_only_the_first_step_of_a_tiny_array_runs_the_numpy_rule(monkeypatch, cls):
    calls = count_rule_calls(monkeypatch, cls)
    opt, x = cls(lr=0.1), np.array([1.0, -2.0])
    for _ in range(10):
        opt.step(x, grad(x))
    assert len(calls) == 1                     # the first step checks and builds the state
    big = np.ones(TINY + 1)                    # a larger array always goes through the rule
    opt2 = cls(lr=0.1)
    for _ in range(3):
        opt2.step(big, grad(big))
    assert len(calls) == 4


def test_a_subclass_or_a_replaced_method_runs_the_rule():
    class MyAdam(Adam):
        def update_rule(self, p, g, state, h):
            return 2 * super().update_rule(p, g, state, h)

    x, y = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    mine, general = MyAdam(lr=0.1), MyAdam(lr=0.1)
    for _ in range(3):
        mine.step(x, grad(x))
        general.step({"w": y}, {"w": grad(y)})
    assert bits(x) == bits(y)                  # Adam's float kernel would have halved the steps
    opt, z = Adam(lr=0.1), np.array([1.0, -2.0])
    opt.step(z, grad(z))
    seen = []
    opt.update_rule = lambda p, g, state, h: seen.append(1) or Adam.update_rule(opt, p, g, state, h)
    opt.step(z, grad(z))
    assert seen == [1]


@pytest.mark.parametrize("name", ["sgd-momentum", "adam-amsgrad-l2", "adamw"])
def test_a_new_array_object_or_a_replaced_buffer_is_followed(name):
    fast, general = KERNEL_CONFIGS[name](), KERNEL_CONFIGS[name]()
    x, y = start((2,)), start((2,))
    for i in range(8):
        if i == 3:                             # another array object with the same shape
            x = x.copy()
        if i == 5:                             # a buffer replaced, and one edited in place
            for opt, key in ((fast, ARRAY), (general, "w")):
                state = opt.state[key]
                first = sorted(k for k in state if k != "step")[0]
                state[first] = np.full(2, 0.25)
                state[sorted(k for k in state if k != "step")[-1]][0] += 0.5
        fast.step(x, grad(x))
        general.step({"w": y}, {"w": grad(y)})
        assert_same(fast, general, x, y)


def test_a_non_contiguous_array_steps_through_the_rule_with_the_same_numbers():
    base, y = np.linspace(-1.0, 1.0, 4), np.linspace(-1.0, 1.0, 4)[::2].copy()
    x = base[::2]                              # a view: no flat memory to write floats into
    fast, general = Adam(lr=0.1), Adam(lr=0.1)
    for _ in range(5):
        fast.step(x, grad(x))
        general.step({"w": y}, {"w": grad(y)})
    assert_same(fast, general, x, y)
    assert bits(base[::2]) == bits(y)


def test_a_structure_change_is_still_caught_and_changes_nothing():
    opt, x = Adam(lr=0.1), np.array([1.0, -2.0])
    for _ in range(3):
        opt.step(x, grad(x))
    before, state = x.copy(), copy.deepcopy(opt.state)
    for params in (np.ones(3), [x], {"w": x}, np.ones((2, 1))):
        grads = ([grad(p) for p in params] if isinstance(params, list) else
                 {k: grad(v) for k, v in params.items()} if isinstance(params, dict) else
                 grad(params))
        with pytest.raises(ValueError):
            opt.step(params, grads)
    with pytest.raises(ValueError, match="grads has shape"):
        opt.step(x, np.ones(3))
    assert bits(x) == bits(before) and opt.t == 3
    for key in state[ARRAY]:
        assert bits(opt.state[ARRAY][key]) == bits(state[ARRAY][key])
    opt.reset()                                # and after reset the new structure is fresh
    opt.step({"w": np.ones(3)}, {"w": np.ones(3)})
    assert opt.get("step") == {"w": 1}


def test_float32_and_grads_of_another_dtype_follow_the_rule():
    x32, y32 = np.array([1.0, -2.0], np.float32), np.array([1.0, -2.0], np.float32)
    fast, general = Adam(lr=0.1), Adam(lr=0.1)
    for _ in range(4):
        fast.step(x32, grad(x32).astype(np.float64))      # grads cast to float32 as usual
        general.step({"w": y32}, {"w": grad(y32).astype(np.float64)})
    assert x32.dtype == np.float32 and x32.tobytes() == y32.tobytes()


@pytest.mark.parametrize("name", ["sgd-nesterov-l2", "adam-l2", "adamw", "adam-schedule"])
def test_assigning_hyperparameters_between_tiny_steps(name):
    fast, general = KERNEL_CONFIGS[name](), KERNEL_CONFIGS[name]()
    x, y = start((1, 2)), start((1, 2))
    for i in range(10):
        if i == 4:
            for opt in (fast, general):
                opt.lr = 0.02                  # a number where a schedule was, for one of them
                if isinstance(opt, Adam):
                    opt.eps = 1e-3
                else:
                    opt.momentum = 0.5
        if i == 7:
            for opt in (fast, general):
                opt.weight_decay = 0.5
        fast.step(x, grad(x))
        general.step({"w": y}, {"w": grad(y)})
        assert_same(fast, general, x, y)


def test_overrides_give_what_separate_tiny_optimizers_give():
    # overrides need keys (a dict: the rule's path); each key alone is a bare array (floats)
    w, b = np.array([0.5, -1.5]), np.array([2.0])
    grouped = AdamW(lr=0.01, weight_decay=0.1,
                    overrides={"b": {"weight_decay": 0.0, "lr": step_decay(0.02, 3, 0.5)}})
    alone_w = AdamW(lr=0.01, weight_decay=0.1)
    alone_b = AdamW(lr=step_decay(0.02, 3, 0.5), weight_decay=0.0)
    w2, b2 = w.copy(), b.copy()
    for _ in range(9):
        grouped.step({"w": w, "b": b}, {"w": grad(w), "b": grad(b)})
        alone_w.step(w2, grad(w2))
        alone_b.step(b2, grad(b2))
    assert bits(w) == bits(w2) and bits(b) == bits(b2)
    assert bits(grouped.get("update")["w"]) == bits(alone_w.get("update"))
    assert bits(grouped.get("exp_avg_sq")["b"]) == bits(alone_b.get("exp_avg_sq"))


@pytest.mark.parametrize("name", KERNEL_CONFIGS)
def test_checkpoints_of_tiny_runs_resume_bit_for_bit(name):
    whole, x = KERNEL_CONFIGS[name](), start((2,))
    for _ in range(10):
        whole.step(x, grad(x))
    first, y = KERNEL_CONFIGS[name](), start((2,))
    for _ in range(5):
        first.step(y, grad(y))
    saved = pickle.loads(pickle.dumps(first.state_dict()))
    second = KERNEL_CONFIGS[name]()
    second.load_state_dict(saved)
    for _ in range(5):
        second.step(y, grad(y))
    assert bits(x) == bits(y)
    for key, value in whole.state[ARRAY].items():
        assert bits(second.state[ARRAY][key]) == bits(value), key
    assert bits(whole.get("update")) == bits(second.get("update"))
    after = whole.state_dict()
    assert after["params"] == {"shape": [2], "dtype": "float64"}
    assert all(not np.shares_memory(v, whole.state[ARRAY][k])
               for k, v in after["state"].items() if isinstance(v, np.ndarray))


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))])
def test_a_copy_taken_mid_run_carries_on_alone(clone):
    opt, x = SGD(lr=0.1, momentum=0.9), np.array([1.0, -2.0])
    for _ in range(3):
        opt.step(x, grad(x))
    twin, y = clone(opt), x.copy()
    for _ in range(3):
        opt.step(x, grad(x))
        twin.step(y, grad(y))
    assert bits(x) == bits(y)
    assert not np.shares_memory(opt.state[ARRAY]["momentum_buffer"],
                                twin.state[ARRAY]["momentum_buffer"])


@pytest.mark.parametrize("name", ["adam-amsgrad-l2", "adamw", "sgd-nesterov-l2"])
def test_nan_inf_and_negative_state_give_numpys_bits(name):
    fast, general = KERNEL_CONFIGS[name](), KERNEL_CONFIGS[name]()
    x, y = np.array([1.0, -2.0, 0.5]), np.array([1.0, -2.0, 0.5])
    fast.step(x, grad(x))
    general.step({"w": y}, {"w": grad(y)})
    for opt, key in ((fast, ARRAY), (general, "w")):
        for buf in opt.state[key].values():
            if isinstance(buf, np.ndarray):
                buf[1] = -buf[1] - 1.0         # a corrupt, negative second moment
    with np.errstate(all="ignore"):
        for g in ([np.inf, 1.0, -0.0], [np.nan, -np.inf, 1e308], [1e200, -1e200, 0.0]):
            fast.step(x, np.array(g))
            general.step({"w": y}, {"w": np.array(g)})
            assert_same(fast, general, x, y)


def test_rules_without_a_kernel_are_unchanged_by_the_fast_path(monkeypatch):
    calls = count_rule_calls(monkeypatch, RMSprop)
    opt, x = RMSprop(lr=0.01), np.array([1.0, -2.0])
    for _ in range(4):
        opt.step(x, grad(x))
    assert len(calls) == 4


@pytest.mark.parametrize("name", ["sgd-nesterov-l2", "adam-amsgrad-l2", "adamw"])
def test_grads_that_are_the_params_array_itself(name):
    # f = |x|^2 / 2: the gradient is x, passed as the same array; the rule reads it before the
    # base moves x, and so must the float path
    fast, general = KERNEL_CONFIGS[name](), KERNEL_CONFIGS[name]()
    x, y = start((3,)), start((3,))
    for _ in range(6):
        fast.step(x, x)
        general.step({"w": y}, {"w": y})
        assert_same(fast, general, x, y)
