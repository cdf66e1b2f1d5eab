"""Learning-rate schedules against their closed forms and against values printed by PyTorch/Keras."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optdocs import schedules as S
from optdocs.schedules import (
    Schedule,
    constant,
    cosine_annealing,
    exponential_decay,
    linear_warmup,
    one_cycle,
    step_decay,
    warmup_cosine,
)

STEPS = [0, 1, 2, 9, 10, 11, 29, 30, 31, 49, 50, 99, 100, 101, 150, 1000, 10**6]


# --- closed forms, written out once more as plain Python -------------------------------------

def cosine_ref(lr: float, total: int, lr_min: float, step: int) -> float:
    s = min(step, total)  # documented: clamped at lr_min after total_steps
    return lr_min + (lr - lr_min) * (1 + math.cos(math.pi * s / total)) / 2


def one_cycle_ref(max_lr: float, total: int, pct_start: float = 0.3, div: float = 25.0,
                  final_div: float = 1e4, step: int = 0) -> float:
    """torch.optim.lr_scheduler.OneCycleLR.get_lr, transcribed (two phases, cosine)."""
    initial = max_lr / div
    phases = [(float(pct_start * total) - 1, initial, max_lr),
              (total - 1, max_lr, initial / final_div)]
    step = min(step, total - 1)  # documented: clamped after the last step (torch raises)
    start_step = 0.0
    for i, (end_step, start, end) in enumerate(phases):
        if step <= end_step or i == len(phases) - 1:
            pct = (step - start_step) / (end_step - start_step)
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        start_step = end_step
    raise AssertionError


CASES: list[tuple[Schedule, object]] = [
    (constant(0.1), lambda s: 0.1),
    (step_decay(0.1, 30), lambda s: 0.1 * 0.1 ** (s // 30)),
    (step_decay(1.0, 7, gamma=0.5), lambda s: 0.5 ** (s // 7)),
    (exponential_decay(0.01, 1000, 0.9), lambda s: 0.01 * 0.9 ** (s / 1000)),
    (exponential_decay(0.01, 10, 0.5, staircase=True), lambda s: 0.01 * 0.5 ** (s // 10)),
    (cosine_annealing(0.1, 100), lambda s: cosine_ref(0.1, 100, 0.0, s)),
    (cosine_annealing(0.1, 37, lr_min=1e-3), lambda s: cosine_ref(0.1, 37, 1e-3, s)),
    (linear_warmup(0.1, 10), lambda s: 0.1 * min(s / 10, 1.0)),
    (linear_warmup(0.1, 10, start=0.01), lambda s: 0.01 + 0.09 * min(s / 10, 1.0)),
    (linear_warmup(0.1, 0), lambda s: 0.1),
    (warmup_cosine(0.1, 10, 100),
     lambda s: 0.1 * s / 10 if s < 10 else cosine_ref(0.1, 90, 0.0, s - 10)),
    (warmup_cosine(0.1, 0, 50, lr_min=0.01), lambda s: cosine_ref(0.1, 50, 0.01, s)),
    (one_cycle(0.1, 100), lambda s: one_cycle_ref(0.1, 100, step=s)),
    (one_cycle(1.0, 10, pct_start=0.25), lambda s: one_cycle_ref(1.0, 10, 0.25, step=s)),
    (one_cycle(3e-4, 777, 0.05, 10.0, 100.0),
     lambda s: one_cycle_ref(3e-4, 777, 0.05, 10.0, 100.0, step=s)),
    (one_cycle(0.1, 1), lambda s: 0.1 / 25 / 1e4),
]


@pytest.mark.parametrize(("schedule", "ref"), CASES, ids=[repr(c[0]) for c in CASES])
def test_matches_closed_form(schedule: Schedule, ref) -> None:
    for s in STEPS:
        got = schedule(s)
        assert isinstance(got, float)
        assert got == pytest.approx(ref(s), rel=1e-12, abs=1e-15), s


@pytest.mark.parametrize(("schedule", "ref"), CASES, ids=[repr(c[0]) for c in CASES])
def test_array_equals_scalar_loop(schedule: Schedule, ref) -> None:
    steps = np.array(STEPS)
    got = schedule(steps)
    assert isinstance(got, np.ndarray) and got.shape == steps.shape and got.dtype == np.float64
    np.testing.assert_array_equal(got, [schedule(int(s)) for s in steps])
    grid = schedule(np.arange(12).reshape(3, 4))
    assert grid.shape == (3, 4)
    np.testing.assert_array_equal(grid.ravel(), schedule(np.arange(12)))


@given(st.integers(0, 5000), st.integers(1, 2000), st.floats(0.01, 0.99))
def test_one_cycle_any_config(step: int, total: int, pct: float) -> None:
    if float(pct * total) - 1 == 0:  # torch divides by zero here; tested separately
        return
    assert one_cycle(0.5, total, pct)(step) == pytest.approx(
        one_cycle_ref(0.5, total, pct, step=step), rel=1e-12, abs=1e-18)


# --- values printed by the libraries ----------------------------------------------------------

def test_torch_step_lr_values() -> None:
    # torch 2.13 StepLR(step_size=30, gamma=0.1), lr=0.1: optimizer lr before each step.
    sched = step_decay(0.1, 30)
    expected = {0: 0.1, 29: 0.1, 30: 0.010000000000000002, 59: 0.010000000000000002,
                60: 0.0010000000000000002, 90: 0.00010000000000000003}
    for step, lr in expected.items():
        assert sched(step) == pytest.approx(lr, rel=1e-15)


def test_torch_cosine_annealing_values() -> None:
    # torch 2.13 CosineAnnealingLR(T_max=100, eta_min=0.001), lr=0.1, _get_closed_form_lr().
    sched = cosine_annealing(0.1, 100, lr_min=0.001)
    expected = {0: 0.1, 25: 0.0855017856687341, 50: 0.0505, 75: 0.0154982143312659, 100: 0.001}
    for step, lr in expected.items():
        assert sched(step) == pytest.approx(lr, rel=1e-15)
    # torch's closed form rises again after T_max (0.05049999999999999 at step 150); we clamp.
    assert sched(150) == 0.001


def test_torch_one_cycle_values() -> None:
    # torch 2.13 OneCycleLR(max_lr=0.1, total_steps=100), SGD(momentum=0.9): lr before each step.
    sched = one_cycle(0.1, 100)
    expected = {0: 0.0040000000000000036, 1: 0.004281378056590748, 28: 0.09971862194340926,
                29: 0.1, 30: 0.09994965352845243, 31: 0.09979871550490317,
                50: 0.0793893450575732, 98: 5.07464715475788e-05, 99: 4e-07}
    for step, lr in expected.items():
        assert sched(step) == pytest.approx(lr, rel=1e-14)
    # torch gives 5.074647154757325e-05 at step 100 and raises after; we stay at min_lr.
    assert sched(100) == sched(10**6) == 4e-07


def test_torch_one_cycle_short_run() -> None:
    # torch 2.13 OneCycleLR(max_lr=1.0, total_steps=10, pct_start=0.25): phase 1 ends at step
    # 1.5, between two steps, so max_lr itself is never used.
    expected = [0.040000000000000036, 0.7599999999999999, 0.9890738440717014, 0.904508879153485,
                0.750001, 0.5522660225769003, 0.3454941208465151, 0.16543803508178376,
                0.04323109826961479, 4e-06]
    np.testing.assert_allclose(one_cycle(1.0, 10, pct_start=0.25)(np.arange(10)), expected,
                               rtol=1e-14)


def test_one_cycle_empty_warmup() -> None:
    # pct_start * total_steps == 1: torch raises ZeroDivisionError; we start at max_lr.
    sched = one_cycle(0.1, 10, pct_start=0.1)
    assert sched(0) == 0.1
    assert sched(9) == pytest.approx(0.1 / 25 / 1e4)


def test_keras_exponential_decay_values() -> None:
    # The Keras ExponentialDecay example: initial 0.01, decay_steps 1000, decay_rate 0.9.
    sched = exponential_decay(0.01, 1000, 0.9)
    assert sched(0) == 0.01
    assert sched(1000) == pytest.approx(0.009, rel=1e-12)
    assert sched(2000) == pytest.approx(0.0081, rel=1e-12)
    assert sched(500) == pytest.approx(0.01 * math.sqrt(0.9), rel=1e-12)
    stairs = exponential_decay(0.01, 1000, 0.9, staircase=True)
    assert stairs(999) == 0.01 and stairs(1999) == pytest.approx(0.009, rel=1e-12)


def test_warmup_shapes() -> None:
    warm = linear_warmup(0.1, 4)
    np.testing.assert_allclose(warm(np.arange(7)), [0, 0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    wc = warmup_cosine(0.1, 10, 100, lr_min=0.001)
    assert wc(0) == 0.0 and wc(5) == pytest.approx(0.05)
    assert wc(10) == pytest.approx(0.1) and wc(55) == pytest.approx(0.0505)
    assert wc(100) == pytest.approx(0.001) and wc(500) == pytest.approx(0.001)
    # warmup as long as the whole run: warm up, then lr_min afterwards
    full = warmup_cosine(0.1, 10, 10)
    assert full(9) == pytest.approx(0.09) and full(10) == pytest.approx(0.1) and full(11) == 0.0


def test_monotone_where_expected() -> None:
    steps = np.arange(300)
    for sched in (step_decay(0.1, 7), exponential_decay(0.1, 10, 0.9), cosine_annealing(0.1, 200)):
        assert np.all(np.diff(sched(steps)) <= 0)
    assert np.all(np.diff(linear_warmup(0.1, 50)(steps)) >= 0)


# --- the Schedule protocol --------------------------------------------------------------------

def test_isinstance_repr_frozen() -> None:
    for sched, _ in CASES:
        assert isinstance(sched, Schedule) and callable(sched)
    assert repr(cosine_annealing(0.1, 100)) == "cosine_annealing(lr=0.1, total_steps=100, lr_min=0.0)"
    assert repr(one_cycle(0.1, 100)).startswith("one_cycle(max_lr=0.1, total_steps=100, pct_start=0.3")
    assert eval(repr(step_decay(0.1, 30, 0.5)), vars(S)) == step_decay(0.1, 30, 0.5)
    with pytest.raises(AttributeError):
        step_decay(0.1, 30).gamma = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("step", [-1, -0.5, np.array([0, -3]), float("nan"), float("inf"), "3",
                                  np.array([True])])
def test_bad_steps(step) -> None:
    with pytest.raises(ValueError, match="step"):
        constant(0.1)(step)


@pytest.mark.parametrize(("make", "name", "value"), [
    (lambda: constant(-0.1), "lr", "-0.1"),
    (lambda: constant(float("nan")), "lr", "nan"),
    (lambda: constant(float("inf")), "lr", "inf"),
    (lambda: step_decay(0.1, 0), "step_size", "0"),
    (lambda: step_decay(0.1, 2.5), "step_size", "2.5"),  # type: ignore[arg-type]
    (lambda: step_decay(0.1, 10, gamma=-1), "gamma", "-1"),
    (lambda: exponential_decay(0.1, 0, 0.9), "decay_steps", "0"),
    (lambda: exponential_decay(0.1, 10, 0.0), "decay_rate", "0.0"),
    (lambda: cosine_annealing(0.1, 0), "total_steps", "0"),
    (lambda: cosine_annealing(0.1, -5), "total_steps", "-5"),
    (lambda: cosine_annealing(0.1, 10, lr_min=-1.0), "lr_min", "-1.0"),
    (lambda: linear_warmup(0.1, -1), "warmup_steps", "-1"),
    (lambda: linear_warmup(0.1, 5, start=float("nan")), "start", "nan"),
    (lambda: warmup_cosine(0.1, 20, 10), "warmup_steps", "20"),
    (lambda: warmup_cosine(0.1, 5, 0), "total_steps", "0"),
    (lambda: one_cycle(-1.0, 10), "max_lr", "-1.0"),
    (lambda: one_cycle(0.1, 0), "total_steps", "0"),
    (lambda: one_cycle(0.1, 10, pct_start=0.0), "pct_start", "0.0"),
    (lambda: one_cycle(0.1, 10, pct_start=1.0), "pct_start", "1.0"),
    (lambda: one_cycle(0.1, 10, div_factor=0.0), "div_factor", "0.0"),
    (lambda: one_cycle(0.1, 10, final_div_factor=-1.0), "final_div_factor", "-1.0"),
])
def test_bad_hyperparameters(make, name: str, value: str) -> None:
    with pytest.raises(ValueError) as info:
        make()
    assert name in str(info.value) and value in str(info.value)
