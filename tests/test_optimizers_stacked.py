"""``stacked=True``: Adafactor and Muon step a stack of independent runs (a leading axis, as
optdocs.nn stacks networks) exactly as one optimizer per run steps each run."""
from __future__ import annotations

import numpy as np
import pytest

from optdocs import Adafactor, Muon

SHAPES = {"W1": (2, 8), "b1": (8,), "W2": (8, 1), "b2": (1,), "T": (3, 4, 5)}


def runs_apart_and_stacked(make, shapes, runs=4, steps=12, seed=0):
    """(per-run parameters after ``steps`` steps with one optimizer each, the stacked ones)."""
    rng = np.random.default_rng(seed)
    start = {k: rng.normal(size=(runs, *s)) for k, s in shapes.items()}
    grads = [{k: rng.normal(size=(runs, *s)) * 10.0 ** rng.uniform(-2, 1) for k, s in shapes.items()}
             for _ in range(steps)]
    apart = [{k: v[r].copy() for k, v in start.items()} for r in range(runs)]
    opts = [make(False) for _ in range(runs)]
    stacked = {k: v.copy() for k, v in start.items()}
    opt = make(True)
    for g in grads:
        for r in range(runs):
            opts[r].step(apart[r], {k: v[r] for k, v in g.items()})
        opt.step(stacked, g)
    return apart, stacked


@pytest.mark.parametrize("options", [{}, {"weight_decay": 0.1, "lr": 0.3}, {"d": 1.5, "eps": (1e-30, 1e-3)}])
def test_adafactor_stacked_equals_one_optimizer_per_run(options):
    apart, stacked = runs_apart_and_stacked(lambda s: Adafactor(**options, stacked=s), SHAPES)
    for k in SHAPES:
        np.testing.assert_array_equal(stacked[k], np.stack([a[k] for a in apart]), err_msg=k)


@pytest.mark.parametrize("options", [{}, {"nesterov": False, "weight_decay": 0.0},
                                     {"adjust_lr_fn": "match_rms_adamw", "lr": 0.02}])
def test_muon_stacked_equals_one_optimizer_per_run(options):
    shapes = {"W1": (2, 8), "W2": (8, 3), "W3": (5, 5)}     # wide, tall, square
    apart, stacked = runs_apart_and_stacked(lambda s: Muon(**options, stacked=s), shapes)
    for k in shapes:
        np.testing.assert_array_equal(stacked[k], np.stack([a[k] for a in apart]), err_msg=k)


def test_another_gradient_in_one_run_changes_only_that_runs_step():
    """Norms are per run: run 1's gradient (here 1e6 times larger and of another direction, a run
    blowing up) changes nothing in its neighbours' steps."""
    rng = np.random.default_rng(1)
    p = rng.normal(size=(3, 3, 4))
    g = rng.normal(size=(3, 3, 4))
    loud = g.copy()
    loud[1] = rng.normal(size=(3, 4)) * 1e6
    for make in (lambda: Adafactor(stacked=True), lambda: Muon(stacked=True)):
        a, b = p.copy(), p.copy()
        make().step(a, g)
        make().step(b, loud)
        np.testing.assert_array_equal(a[[0, 2]], b[[0, 2]])
        assert not np.array_equal(a[1], b[1])


def test_muon_stacked_wants_stacks_of_matrices():
    with pytest.raises(ValueError, match=r"stacked=True\): params\['W'\] has shape \(2, 8\)"):
        Muon(stacked=True).step({"W": np.zeros((2, 8))}, {"W": np.ones((2, 8))})
    with pytest.raises(ValueError, match=r"only 2-D parameters: .*\(4, 2, 8\)"):
        Muon().step({"W": np.zeros((4, 2, 8))}, {"W": np.ones((4, 2, 8))})


@pytest.mark.parametrize("cls", [Adafactor, Muon])
def test_a_stacked_checkpoint_resumes_bit_for_bit_and_only_stacked(cls):
    rng = np.random.default_rng(2)
    shapes = {"W1": (2, 8), "W2": (8, 3)}
    p = {k: rng.normal(size=(3, *s)) for k, s in shapes.items()}
    grads = [{k: rng.normal(size=(3, *s)) for k, s in shapes.items()} for _ in range(6)]
    whole, opt = {k: v.copy() for k, v in p.items()}, cls(stacked=True)
    for g in grads:
        opt.step(whole, g)
    half, first = {k: v.copy() for k, v in p.items()}, cls(stacked=True)
    for g in grads[:3]:
        first.step(half, g)
    sd = first.state_dict()
    assert sd["stacked"] is True
    second = cls(stacked=True)
    second.load_state_dict(sd)
    for g in grads[3:]:
        second.step(half, g)
    for k in shapes:
        np.testing.assert_array_equal(half[k], whole[k])
    with pytest.raises(ValueError, match=r"stacked is True; this .* has stacked=False"):
        cls().load_state_dict(sd)
    with pytest.raises(ValueError, match=r"stacked is False; this .* has stacked=True"):
        cls(stacked=True).load_state_dict(cls().state_dict())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_norm_of_a_run_is_numpys_bit_for_bit(dtype):
    from optdocs.optimizers._runs import _norm

    rng = np.random.default_rng(0)
    for shape in [(), (3,), (1, 2), (5, 7), (2, 3, 4), (64, 65)]:
        for scale in (1e-30, 1.0, 1e30):
            x = (scale * rng.standard_normal(shape)).astype(dtype)
            for view in (x, x.T, x[..., ::2] if x.ndim else x):
                with np.errstate(over="ignore"):
                    ours, numpy = _norm(view), np.linalg.norm(view)
                assert type(ours) is type(numpy) and ours.tobytes() == numpy.tobytes()
