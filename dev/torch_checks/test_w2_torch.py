"""Chapters 4-9 against torch.optim (dev only: torch is not a dependency; run with
``python -m pytest dev/torch_checks`` after ``pip install torch==2.13.0``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from guide import adam, adamw, momentum  # noqa: E402
from optdocs import SGD, Adam, AdamW, RMSprop  # noqa: E402

# --- the chapters' own checks -----------------------------------------------------------------


# --- against torch.optim -------------------------------------------------------------------------

torch = pytest.importorskip("torch")


def run_torch(make_opt, grad_fn, x0, steps, lr_at=None):
    p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
    opt = make_opt([p])
    out = []
    for t in range(steps):
        if lr_at is not None:
            for group in opt.param_groups:
                group["lr"] = lr_at(t)
        opt.zero_grad()
        p.grad = torch.tensor(grad_fn(p.detach().numpy()), dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def run_optdocs(opt, grad_fn, x0, steps):
    x = np.array(x0, dtype=float)
    out = []
    for _ in range(steps):
        opt.step(x, grad_fn(x))
        out.append(x.copy())
    return np.array(out)


H = np.array([0.5, 15.0])


def test_torch_nesterov_is_optdocs_nesterov():
    ours = run_optdocs(SGD(lr=0.05, momentum=0.9, nesterov=True), lambda x: H * x, [-4.0, 1.0], 100)
    theirs = run_torch(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
                       lambda x: H * x, [-4.0, 1.0], 100)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_torch_momentum_buffer_is_lr_free_under_a_schedule():
    """The page's schedule experiment: torch's step falls tenfold at once when lr drops."""
    lr_at = momentum.dropped_lr
    theirs = run_torch(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), lambda x: 0.5 * x,
                       [-4.0], momentum.SCHED_STEPS, lr_at=lr_at)
    steps = np.abs(np.diff(np.concatenate([[[-4.0]], theirs]), axis=0))[:, 0]
    np.testing.assert_allclose(steps, momentum.schedule_steps()["torch"], rtol=1e-10)


def test_torch_rmsprop_first_step_is_ten_lr():
    theirs = run_torch(lambda ps: torch.optim.RMSprop(ps, lr=0.01), lambda x: np.array([0.4, 8.0]),
                       [0.0, 0.0], 1)
    np.testing.assert_allclose(np.abs(theirs[0]), [0.1, 0.1], rtol=1e-6)
    ours = run_optdocs(RMSprop(lr=0.01), lambda x: np.array([0.4, 8.0]), [0.0, 0.0], 1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_torch_amsgrad_on_the_counterexample():
    def grads():
        t = 0

        def g(x):
            nonlocal t
            t += 1
            return np.array([adam.ce_grad(t)])
        return g

    for ams in (False, True):
        ours = run_optdocs(Adam(lr=0.01, betas=(0.0, 0.1), amsgrad=ams), grads(), [0.0], 60)
        theirs = run_torch(lambda ps, ams=ams: torch.optim.Adam(ps, lr=0.01, betas=(0.0, 0.1),
                                                               amsgrad=ams), grads(), [0.0], 60)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


def test_torch_adam_l2_and_adamw():
    g = np.random.default_rng(0).standard_normal((200, 3)) * adamw.SCALES

    def replay():
        rows = iter(g)
        return lambda x: next(rows)

    for ours_opt, make in ((Adam(lr=0.01, weight_decay=0.1),
                            lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.1)),
                           (AdamW(lr=0.01, weight_decay=0.1),
                            lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1))):
        ours = run_optdocs(ours_opt, replay(), [1.0, 1.0, 1.0], 200)
        theirs = run_torch(make, replay(), [1.0, 1.0, 1.0], 200)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
