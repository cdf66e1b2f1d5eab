"""optdocs.demos.schedules and optdocs.demos.playground: what the schedules widget and the training
playground call (at build time and in the page).

Runs under CPython and, through tests/pyodide/test_pyodide_suite.py, inside Pyodide.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from optdocs import SGD
from optdocs import schedules as S
from optdocs.demos import (
    PLAYGROUND_OPTIMIZERS,
    PLAYGROUND_SCHEDULES,
    SCHEDULE_PARAMETERS,
    SCHEDULES,
    circle_points,
    make_schedule,
    playground,
    schedule_run,
)
from optdocs.landscapes import flat_steep
from optdocs.nn import MLP, circle_data, train
from optdocs.simulate import simulate


def plain_json(value):
    return json.loads(json.dumps(value, allow_nan=False)) == value


# ------------------------------------------------------------------------------ schedules


@pytest.mark.parametrize("name,expected", [
    ("constant", S.constant(0.2)),
    ("step_decay", S.step_decay(0.2, step_size=50, gamma=0.3)),
    ("exponential_decay", S.exponential_decay(0.2, decay_steps=50, decay_rate=0.3)),
    ("cosine_annealing", S.cosine_annealing(0.2, total_steps=200)),
    ("linear_warmup", S.linear_warmup(0.2, warmup_steps=30)),
    ("warmup_cosine", S.warmup_cosine(0.2, warmup_steps=30, total_steps=200)),
    ("one_cycle", S.one_cycle(0.2, total_steps=200, pct_start=0.15)),
])
def test_make_schedule_builds_the_optdocs_schedule(name, expected):
    got = make_schedule(name, 0.2, 200, warmup=0.15, decay=0.3, interval=0.25)
    assert got == expected and type(got) is type(expected)


def test_every_schedule_is_offered_with_the_parameters_it_uses():
    assert set(SCHEDULES) == set(SCHEDULE_PARAMETERS)
    base = dict(warmup=0.1, decay=0.5, interval=0.25)
    for name in SCHEDULES:
        ref = make_schedule(name, 0.1, 100, **base)
        for param, other in (("warmup", 0.4), ("decay", 0.2), ("interval", 0.6)):
            changed = make_schedule(name, 0.1, 100, **dict(base, **{param: other})) != ref
            assert changed == (param in SCHEDULE_PARAMETERS[name]), (name, param)


@pytest.mark.parametrize("name", ["step_decay", "warmup_cosine", "one_cycle"])
def test_schedule_run_is_sgd_with_the_schedule_on_the_noisy_bowl(name):
    r = schedule_run(name, 0.15, warmup=0.2, decay=0.5, interval=0.3, steps=60, noise=0.5,
                     runs=7, seed=3)
    sched = make_schedule(name, 0.15, 60, warmup=0.2, decay=0.5, interval=0.3)
    assert r["schedule"] == repr(sched)
    np.testing.assert_allclose(r["lr"], [sched(t) for t in range(60)], rtol=1e-14, atol=0)
    tr = simulate(flat_steep, SGD(lr=sched), steps=60, runs=7, noise=0.5, seed=3)
    np.testing.assert_allclose(r["loss"], tr.losses.mean(axis=1), rtol=1e-12)
    assert r["final_loss"] == r["loss"][-1]
    assert r["peak_lr"] == max(r["lr"]) and r["lr"][r["peak_step"]] == r["peak_lr"]
    assert (r["first_lr"], r["final_lr"]) == (r["lr"][0], r["lr"][-1])
    assert r["uses"] == list(SCHEDULE_PARAMETERS[name]) and r["diverged"] == 0.0
    assert plain_json(r)


def test_settings_a_schedule_does_not_use_do_not_change_its_run():
    a = schedule_run("cosine_annealing", 0.2)
    assert schedule_run("cosine_annealing", 0.2, warmup=0.4, decay=0.2, interval=0.9) == a
    assert schedule_run("step_decay", 0.2, interval=0.5) != schedule_run("step_decay", 0.2)


def test_a_decay_lowers_the_noise_floor_and_rescues_a_rate_too_large():
    const, cos = schedule_run("constant", 0.2), schedule_run("cosine_annealing", 0.2)
    assert cos["final_loss"] < 0.5 * const["final_loss"]
    # 0.3 > 2 / 8, the steep curvature: the constant rate blows up, a decay brings it back
    big, rescued = schedule_run("constant", 0.3), schedule_run("step_decay", 0.3, decay=0.5)
    assert big["final_loss"] > big["loss"][0] and rescued["final_loss"] < 0.1


def test_an_overflowing_run_ends_its_loss_curve():
    r = schedule_run("constant", 0.5, steps=3000, runs=3)
    assert r["diverged"] > 0 and r["final_loss"] is None
    assert r["loss"][0] is not None and plain_json(r)


@pytest.mark.parametrize("kwargs,name", [
    ({"schedule": "linear"}, "schedule"), ({"lr": 0.0}, "lr"), ({"warmup": 0.0}, "warmup"),
    ({"decay": 1.5}, "decay"), ({"interval": 0.0}, "interval"), ({"steps": 0}, "steps"),
    ({"runs": 0}, "runs"), ({"noise": -1.0}, "noise"), ({"seed": -1}, "seed"),
])
def test_schedule_run_rejects_bad_arguments_by_name(kwargs, name):
    args = dict({"schedule": "step_decay", "lr": 0.1}, **kwargs)
    with pytest.raises(ValueError, match=rf"^{name} must .*got {re.escape(repr(kwargs[name]))}"):
        schedule_run(**args)


# ------------------------------------------------------------------------------ playground

X, Y = circle_data()


def trained(optimizer, lr, schedule, batch_size, clip, epochs, horizon=100):
    rate = lr
    if schedule != "constant":
        total = horizon * math.ceil(200 / batch_size)
        rate = make_schedule(schedule, lr, total, warmup=0.1, decay=0.1, interval=0.5)
    model = MLP((2, 8, 1), seed=0)
    h = train(model, PLAYGROUND_OPTIMIZERS[optimizer](rate), X, Y, epochs=epochs,
              batch_size=batch_size, seed=0, clip_norm=clip or None)
    return model, h


@pytest.mark.parametrize("optimizer,lr,schedule,batch,clip", [
    ("Adam", 0.03, "constant", 32, 0.0), ("SGD", 0.3, "warmup_cosine", 16, 1.0),
    ("Nesterov", 0.1, "one_cycle", 200, 0.0), ("RMSprop", 0.01, "step_decay", 64, 0.1),
])
def test_playground_is_optdocs_nn_train_epoch_for_epoch(optimizer, lr, schedule, batch, clip):
    r = playground(optimizer, lr, schedule, batch, clip, epoch=12)
    model, h = trained(optimizer, lr, schedule, batch, clip, 12)
    assert r["loss"][1:] == h.loss and r["accuracy"][1:] == h.accuracy
    assert r["loss"][0] == MLP((2, 8, 1), seed=0).loss(X, Y)
    assert r["epochs_to_90"] == h.epochs_to(0.9)
    assert (r["final_loss"], r["final_accuracy"]) == (h.loss[-1], h.accuracy[-1])
    assert r["steps"] == 12 * math.ceil(200 / batch) and not r["diverged"]
    g = np.linspace(-2, 2, 21)
    p = model.forward(np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2))
    assert r["boundary"]["x"] == list(g) and r["boundary"]["p"] == list(np.round(p, 2))
    assert plain_json(r)


def test_playground_answers_do_not_depend_on_the_calls_before():
    late = playground("Momentum", 0.1, epoch=9)
    for e in (3, 0, 20, 9, 5):
        r = playground("Momentum", 0.1, epoch=e)
        n = min(e, 9) + 1
        assert r["loss"][:n] == late["loss"][:n] and len(r["loss"]) == e + 1
        assert (r == late) == (e == 9)
    first = playground("AdamW", 0.3, "cosine_annealing", 8, 10.0, epoch=4)
    for other in PLAYGROUND_OPTIMIZERS:          # more runs than are kept in memory
        playground(other, 0.01, epoch=2)
    assert playground("AdamW", 0.3, "cosine_annealing", 8, 10.0, epoch=4) == first


def test_playground_epoch_zero_and_the_rate_of_the_last_step():
    r0 = playground("Adam", 0.1, "warmup_cosine", epoch=0)
    assert len(r0["loss"]) == 1 and r0["steps"] == 0 and r0["epochs_to_90"] is None
    assert r0["lr"] == 0.0                              # a warmup from 0: step 1 uses rate 0
    r = playground("Adam", 0.1, "warmup_cosine", epoch=10)
    sched = make_schedule("warmup_cosine", 0.1, 700, warmup=0.1)
    assert r["lr"] == sched(69)                          # step 70 uses schedule(69)


def test_playground_stops_the_record_where_training_diverges():
    r = playground("SGD", 1e6, epoch=20)
    _, h = trained("SGD", 1e6, "constant", 32, 0.0, 20)
    assert h.diverged and r["diverged"] and r["stopped_at"] == len(h.loss) < 20
    assert r["final_loss"] is None
    assert r["loss"][1:] == [v if math.isfinite(v) else None for v in h.loss]
    assert r["steps"] < r["stopped_at"] * 7 and plain_json(r)
    assert all(0.0 <= v <= 1.0 for v in r["boundary"]["p"])


def test_the_playground_reaches_90_percent_as_the_training_chapter_says():
    # the chapter: plain SGD at 0.01 does not get there in 100 epochs, Adam does
    assert playground("SGD", 0.01, epoch=100)["epochs_to_90"] is None
    assert playground("Adam", 0.01, epoch=100)["epochs_to_90"] is not None


def test_circle_points_are_the_circle_data():
    d = circle_points()
    assert d["x1"] == list(X[:, 0]) and d["x2"] == list(X[:, 1]) and d["label"] == list(Y)
    assert plain_json(d)


@pytest.mark.parametrize("kwargs,name", [
    ({"optimizer": "Lion"}, "optimizer"), ({"schedule": "linear_warmup"}, "schedule"),
    ({"lr": -0.1}, "lr"), ({"batch_size": 0}, "batch_size"), ({"batch_size": 32.0}, "batch_size"),
    ({"clip": -1.0}, "clip"), ({"epoch": 101}, "epoch"), ({"epochs": 0}, "epochs"),
    ({"seed": 1.5}, "seed"), ({"resolution": 1}, "resolution"),
])
def test_playground_rejects_bad_arguments_by_name(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must .*got {re.escape(repr(kwargs[name]))}"):
        playground(**kwargs)


def test_the_offered_choices_are_the_chapter_s():
    assert list(PLAYGROUND_OPTIMIZERS) == ["SGD", "Momentum", "Nesterov", "RMSprop", "Adam",
                                           "AdamW"]
    assert set(PLAYGROUND_SCHEDULES) <= set(SCHEDULES)
