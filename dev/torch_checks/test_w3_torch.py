"""Schedules, training loop and quoted defaults against PyTorch (dev only: torch is not a
dependency; run with ``python -m pytest dev/torch_checks`` after ``pip install torch==2.13.0``)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from guide import training  # noqa: E402
from optdocs import SGD  # noqa: E402
from optdocs.nn import linear_data, mse_loss_and_grads  # noqa: E402
from optdocs.schedules import (  # noqa: E402
    cosine_annealing,
    exponential_decay,
    linear_warmup,
    one_cycle,
    step_decay,
    warmup_cosine,
)

# --- PyTorch, when installed ----------------------------------------------------------------------


def _torch_lrs(make_scheduler, steps, base_lr, order="after"):
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    out = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(steps):
            p.grad = torch.ones(1)
            if order == "before":
                sched.step()
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            if order == "after":
                sched.step()
    return np.array(out), [str(w.message) for w in caught]


def test_torch_schedules_match_step_for_step():
    torch = pytest.importorskip("torch")
    L = torch.optim.lr_scheduler
    wc = warmup_cosine(0.1, 100, 1000)
    cases = [
        (step_decay(0.1, 30, 0.1), lambda o: L.StepLR(o, step_size=30, gamma=0.1), 0.1, 200),
        (exponential_decay(0.01, 1000, 0.9), lambda o: L.ExponentialLR(o, gamma=0.9 ** (1 / 1000)),
         0.01, 3000),
        (cosine_annealing(0.1, 1000), lambda o: L.CosineAnnealingLR(o, T_max=1000), 0.1, 1001),
        (wc, lambda o: L.LambdaLR(o, lambda t: wc(t) / 0.1), 0.1, 1200),
        (one_cycle(0.1, 1000), lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=1000,
                                                       cycle_momentum=False), 0.1, 1000),
    ]
    for schedule, make, lr, steps in cases:
        got, _ = _torch_lrs(make, steps, lr)
        assert np.allclose(got, schedule(np.arange(steps)), rtol=1e-9, atol=1e-15), schedule


def test_torch_cosine_climbs_back_after_t_max():
    torch = pytest.importorskip("torch")
    got, _ = _torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10), 21, 0.1)
    assert got[20] == pytest.approx(0.1) and cosine_annealing(0.1, 10)(20) == 0.0


def test_torch_one_cycle_raises_past_the_end():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        _torch_lrs(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=10), 11, 0.1)


def test_torch_scheduler_before_optimizer_skips_the_first_rate():
    torch = pytest.importorskip("torch")
    schedule = step_decay(0.1, step_size=3, gamma=0.1)
    got, caught = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.1), 7, 0.1,
                             order="before")
    assert np.allclose(got, [schedule(t + 1) for t in range(7)])
    assert any("before `optimizer.step()`" in m for m in caught)
    warm = linear_warmup(0.1, warmup_steps=5)
    right = [warm(e) for e in range(7)]
    wrong = [warm(e + 1) for e in range(7)]
    assert right.index(0.1) == 5 and wrong.index(0.1) == 4   # the warmup is an epoch short


def test_torch_without_zero_grad_accumulates():
    torch = pytest.importorskip("torch")
    X, y = linear_data()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.1)
    torch_losses = []
    for _ in range(20):                      # no opt.zero_grad(): .grad accumulates
        loss = torch.mean((yt - Xt @ w - b) ** 2)
        loss.backward()
        opt.step()
        torch_losses.append(loss.item())
    wn, bn, o2 = np.zeros(2), np.zeros(()), SGD(lr=0.1)
    total = [np.zeros(2), np.zeros(())]
    ours = []
    for _ in range(20):
        loss, gw, gb = mse_loss_and_grads(wn, bn, X, y)
        total[0] += gw
        total[1] += gb
        o2.step([wn, bn], total)
        ours.append(loss)
    assert np.allclose(torch_losses, ours, rtol=1e-10)


def test_torch_defaults_quoted_in_choosing():
    torch = pytest.importorskip("torch")
    p = [torch.nn.Parameter(torch.zeros(1))]
    d = {name: getattr(torch.optim, name)(p).defaults for name in
         ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW")}
    assert d["SGD"]["lr"] == 1e-3 and d["SGD"]["momentum"] == 0
    assert (d["Adagrad"]["lr"], d["Adagrad"]["eps"], d["Adagrad"]["initial_accumulator_value"]) \
        == (1e-2, 1e-10, 0)
    assert (d["RMSprop"]["lr"], d["RMSprop"]["alpha"], d["RMSprop"]["eps"]) == (1e-2, 0.99, 1e-8)
    assert (d["Adam"]["lr"], tuple(d["Adam"]["betas"]), d["Adam"]["eps"]) == (1e-3, (0.9, 0.999),
                                                                            1e-8)
    assert (d["AdamW"]["lr"], d["AdamW"]["weight_decay"]) == (1e-3, 1e-2)
    assert training.TORCH_DEFAULT_LR == {"SGD": 1e-3, "Momentum": 1e-3, "Nesterov": 1e-3,
                                         "RMSprop": 1e-2, "Adam": 1e-3, "AdamW": 1e-3}
    assert not hasattr(torch.optim, "LARS") and not hasattr(torch.optim, "LAMB")
