"""The tiny network: hand-written backprop against finite differences, and the training loop."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optdocs import LAMB, LARS, SGD, Adafactor, Adam
from optdocs.nn import (
    MLP,
    BatchHistory,
    History,
    circle_data,
    clip_grad_norm,
    global_norm,
    linear_data,
    mse_loss_and_grads,
    train,
)
from optdocs.schedules import one_cycle


def numeric_grads(f, params: dict[str, np.ndarray], h: float = 1e-6) -> dict[str, np.ndarray]:
    """Central finite differences of the scalar f() with respect to every entry of params."""
    out = {}
    for key, p in params.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = f()
            p[idx] = old - h
            down = f()
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        out[key] = g
    return out


# --- data -------------------------------------------------------------------------------------

def test_circle_data() -> None:
    X, y = circle_data()
    assert X.shape == (200, 2) and y.shape == (200,)
    assert X.min() >= -2 and X.max() <= 2
    assert set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(y, (X[:, 0] ** 2 + X[:, 1] ** 2 < 1.5).astype(float))
    # about pi * 1.5 / 16 = 29% of the square lies inside the circle
    assert 0.2 < y.mean() < 0.4
    X2, y2 = circle_data()
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, circle_data(seed=1)[0])
    assert circle_data(n=50, radius_sq=0.5)[0].shape == (50, 2)


def test_linear_data_and_mse_grads() -> None:
    X, y = linear_data(n=50, w=(2.0, -3.0, 0.5), b=1.0, noise=0.1)
    assert X.shape == (50, 3) and y.shape == (50,)
    # least squares recovers the true coefficients up to the noise
    coef = np.linalg.lstsq(np.c_[X, np.ones(50)], y, rcond=None)[0]
    np.testing.assert_allclose(coef, [2.0, -3.0, 0.5, 1.0], atol=0.1)

    params = {"w": np.array([0.3, -0.2, 1.0]), "b": np.array(0.5)}
    loss, gw, gb = mse_loss_and_grads(params["w"], params["b"], X, y)
    assert loss == pytest.approx(np.mean((y - X @ params["w"] - 0.5) ** 2))
    assert gw.shape == (3,) and gb.shape == ()
    num = numeric_grads(lambda: mse_loss_and_grads(params["w"], params["b"], X, y)[0], params)
    np.testing.assert_allclose(gw, num["w"], rtol=1e-6)
    np.testing.assert_allclose(gb, num["b"], rtol=1e-6)
    # a Python float b gives a 0-d gradient
    assert mse_loss_and_grads(params["w"], 0.5, X, y)[2].shape == ()


def test_gradient_descent_on_linear_regression() -> None:
    X, y = linear_data(seed=3)
    params = {"w": np.zeros(2), "b": np.array(0.0)}
    opt = SGD(lr=0.1)
    for _ in range(200):
        _, gw, gb = mse_loss_and_grads(params["w"], params["b"], X, y)
        opt.step(params, {"w": gw, "b": gb})
    np.testing.assert_allclose(params["w"], [2.0, -3.0], atol=0.05)
    assert float(params["b"]) == pytest.approx(1.0, abs=0.05)


# --- the network ------------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [(2, 1), (2, 8, 1), (2, 16, 8, 1), (3, 5, 4, 3, 1)])
def test_backprop_matches_finite_differences(sizes: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(13, sizes[0]))
    y = (rng.random(13) < 0.5).astype(float)
    model = MLP(sizes, seed=2)
    for key in model.params:  # non-zero biases, so their gradients are exercised too
        if key.startswith("b"):
            model.params[key][:] = rng.normal(scale=0.1, size=model.params[key].shape)
    loss, grads = model.loss_and_grads(X, y)
    assert loss == pytest.approx(model.loss(X, y), rel=1e-12)
    assert list(grads) == list(model.params)
    num = numeric_grads(lambda: model.loss(X, y), model.params)
    for key in model.params:
        assert grads[key].shape == model.params[key].shape
        np.testing.assert_allclose(grads[key], num[key], rtol=1e-5, atol=1e-8, err_msg=key)


def test_parameters_and_forward() -> None:
    model = MLP((2, 16, 8, 1))
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [p.shape for p in model.params.values()] == [(2, 16), (16,), (16, 8), (8,), (8, 1), (1,)]
    assert all(p.dtype == np.float64 for p in model.params.values())
    assert all(np.all(model.params[k] == 0) for k in ("b1", "b2", "b3"))
    X, y = circle_data(n=20)
    p = model.forward(X)
    assert p.shape == (20,) and np.all((p > 0) & (p < 1))
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-model.logits(X))))
    # binary cross-entropy, the textbook way
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert model.loss(X, y) == pytest.approx(bce, rel=1e-10)
    assert model.accuracy(X, y) == np.mean((p > 0.5) == (y == 1))
    assert repr(model) == "MLP(sizes=(2, 16, 8, 1))"


def test_loss_is_stable_for_huge_logits() -> None:
    model = MLP((2, 1))
    model.params["W1"][:] = 1e4
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grads = model.loss_and_grads(X, np.array([0.0, 1.0]))  # both confidently wrong
    assert loss == pytest.approx(2e4)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_inits() -> None:
    wide = MLP((2, 64, 1), init_range=(-5, 5), seed=3)
    w = wide.params["W1"]
    assert w.min() >= -5 and w.max() <= 5 and w.std() > 2  # uniform on [-5, 5]: std 2.89
    he = MLP((400, 300, 1), seed=0).params["W1"]
    assert he.std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    xavier = MLP((400, 300, 1), init="xavier").params["W1"]
    assert np.abs(xavier).max() <= math.sqrt(6 / 700)
    ones = MLP((2, 3, 1), init=lambda rng, shape: np.ones(shape))
    assert np.all(ones.params["W1"] == 1) and ones.params["W2"].shape == (3, 1)
    np.testing.assert_array_equal(MLP(seed=5).params["W1"], MLP(seed=5).params["W1"])


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"sizes": (2, 8, 2)}, "sizes"),
    ({"sizes": (1,)}, "sizes"),
    ({"sizes": (2, 0, 1)}, "sizes"),
    ({"init": "lecun"}, "init"),
    ({"init_range": (1.0, -1.0)}, "init_range"),
])
def test_bad_model_arguments(kwargs: dict, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        MLP(**kwargs)


# --- gradient utilities -----------------------------------------------------------------------

def test_clip_grad_norm_like_torch() -> None:
    # torch.nn.utils.clip_grad_norm_: coef = max_norm / (total + 1e-6), applied if coef < 1;
    # returns the total norm before clipping.
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}
    total = clip_grad_norm(grads, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(grads["a"], [3.0 / (5.0 + 1e-6)], rtol=1e-15)
    np.testing.assert_allclose(grads["b"], [[4.0 / (5.0 + 1e-6)]], rtol=1e-15)
    assert global_norm(grads) == pytest.approx(1.0, abs=1e-6) and global_norm(grads) < 1.0

    small = [np.array([0.3, 0.4])]
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small[0], [0.3, 0.4])  # untouched below max_norm
    one = np.array([6.0, 8.0])
    clip_grad_norm(one, 5.0)
    np.testing.assert_allclose(one, [3.0, 4.0], rtol=1e-6)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="max_norm"):
            clip_grad_norm(one, bad)


def test_global_norm() -> None:
    assert global_norm(np.array([3.0, 4.0])) == 5.0
    assert global_norm([np.ones((2, 2)), np.ones(5)]) == 3.0
    assert global_norm({"a": np.array(12.0), "b": np.array([5.0])}) == 13.0


# --- training ---------------------------------------------------------------------------------

def test_adam_reaches_95_percent_with_defaults() -> None:
    X, y = circle_data()
    history = train(MLP(), Adam(lr=0.01), X, y)
    assert not history.diverged and len(history) == 100
    epoch = history.epochs_to(0.95)
    assert epoch is not None and epoch <= 100
    assert history.accuracy[epoch - 1] >= 0.95 > max(history.accuracy[: epoch - 1], default=0)
    assert history.loss[-1] < history.loss[0]
    assert len(history.accuracy) == len(history.weight_norm) == len(history.grad_norm) == 100


def test_training_is_deterministic() -> None:
    X, y = circle_data()
    first = train(MLP(seed=1), Adam(lr=0.01), X, y, epochs=10, seed=4)
    second = train(MLP(seed=1), Adam(lr=0.01), X, y, epochs=10, seed=4)
    assert first == second
    other = train(MLP(seed=1), Adam(lr=0.01), X, y, epochs=10, seed=5)
    assert other.loss != first.loss


class Recorder:
    """Stands in for an optimizer: records what train hands to step() and changes nothing."""

    def __init__(self) -> None:
        self.norms: list[float] = []

    def step(self, params, grads):
        assert set(grads) == set(params)
        self.norms.append(global_norm(grads))
        return params


def test_batches_and_clipping() -> None:
    X, y = circle_data(n=100)
    rec = Recorder()
    history = train(MLP(init_range=(-5, 5)), rec, X, y, epochs=3, batch_size=32)
    assert len(rec.norms) == 3 * 4  # ceil(100 / 32) steps per epoch
    assert history.grad_norm[0] == pytest.approx(np.mean(rec.norms[:4]))
    assert max(rec.norms) > 0.5
    clipped = Recorder()
    history = train(MLP(init_range=(-5, 5)), clipped, X, y, epochs=3, batch_size=32, clip_norm=0.5)
    assert max(clipped.norms) <= 0.5
    assert history.grad_norm[0] > 0.5  # recorded before clipping


def test_schedule_as_learning_rate() -> None:
    X, y = circle_data()
    steps = 30 * math.ceil(200 / 32)
    schedule = one_cycle(0.05, total_steps=steps)
    seen: list[int] = []  # the 0-based steps the optimizer asks the schedule for

    def lr(t: int) -> float:
        seen.append(t)
        return schedule(t)

    history = train(MLP(), Adam(lr=lr), X, y, epochs=30)
    assert sorted(set(seen)) == list(range(steps))  # one step per mini-batch
    assert schedule(seen[-1]) == pytest.approx(0.05 / 25 / 1e4)
    assert history.accuracy[-1] >= 0.9


def test_divergence_is_flagged_quietly() -> None:
    X, y = circle_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train(MLP(), SGD(lr=1e10), X, y)
    assert history.diverged
    assert len(history) < 100
    assert not np.isfinite(history.loss[-1]) or not np.isfinite(history.weight_norm[-1])


def test_epochs_to() -> None:
    h = History(accuracy=[0.5, 0.9, 0.96, 0.94, 0.99])
    assert h.epochs_to(0.95) == 3
    assert h.epochs_to(0.5) == 1
    assert h.epochs_to(0.995) is None
    assert History().epochs_to(0.1) is None


def test_bad_train_arguments() -> None:
    X, y = circle_data(n=10)
    with pytest.raises(ValueError, match="epochs"):
        train(MLP(), Adam(), X, y, epochs=0)
    with pytest.raises(ValueError, match="batch_size"):
        train(MLP(), Adam(), X, y, batch_size=0)


# --- many networks at once --------------------------------------------------------------------

FIELDS = ("loss", "accuracy", "weight_norm", "grad_norm")


def assert_same_history(stacked: History, alone: History) -> None:
    """Bit-for-bit equality of two histories (NaN equal to NaN: a diverged run may record one)."""
    for name in FIELDS:
        a, b = getattr(stacked, name), getattr(alone, name)
        assert len(a) == len(b) and np.array_equal(a, b, equal_nan=True), name
    assert stacked.diverged == alone.diverged


def assert_stack_is_one_by_one(sizes, make, seeds, epochs, batch_size, clip_norm=None,
                               per_run=False, make_alone=None, **model_kwargs) -> BatchHistory:
    """Train ``seeds`` as one stack, then each alone (with ``make_alone()`` if given, else
    ``make()``), and check every number and parameter."""
    X, y = circle_data(n=90)
    nets = MLP(sizes, seed=seeds, **model_kwargs)
    opt = [make() for _ in seeds] if per_run else make()
    stacked = train(nets, opt, X, y, epochs=epochs, batch_size=batch_size, seed=seeds,
                    clip_norm=clip_norm)
    assert stacked.loss.shape == (len(seeds), epochs)
    for r, s in enumerate(seeds):
        net = MLP(sizes, seed=s, **model_kwargs)
        alone = train(net, (make_alone or make)(), X, y, epochs=epochs, batch_size=batch_size,
                      seed=s, clip_norm=clip_norm)
        assert_same_history(stacked.run(r), alone)
        for key, p in net.params.items():
            assert np.array_equal(nets.params[key][r], p, equal_nan=True), (r, key)
    return stacked


@pytest.mark.parametrize(("sizes", "batch_size", "seeds"), [
    ((2, 1), 90, (4,)),
    ((2, 8, 1), 32, (0, 1, 2)),
    ((2, 8, 1), 7, tuple(range(12))),
    ((2, 16, 8, 1), 16, (5, 3, 9, 5)),      # a repeated seed trains two equal runs
    ((2, 48, 48, 1), 64, (1, 2)),
    ((2, 100, 100, 1), 50, (0, 7)),        # layers above BLAS block sizes
])
def test_stack_trains_bit_for_bit_like_one_by_one(sizes, batch_size, seeds) -> None:
    h = assert_stack_is_one_by_one(sizes, lambda: Adam(lr=0.01), seeds, 4, batch_size)
    assert not h.diverged.any() and np.all(h.epochs == 4)


def test_stack_with_momentum_clipping_and_a_schedule() -> None:
    make = lambda: SGD(lr=one_cycle(0.5, total_steps=40), momentum=0.9, nesterov=True)  # noqa: E731
    assert_stack_is_one_by_one((2, 8, 8, 1), make, (0, 1, 2, 3), 10, 20, clip_norm=0.3,
                               init_range=(-5, 5))


def test_stack_with_one_optimizer_per_run() -> None:
    # LARS and LAMB take norms of whole arrays: each run gets its own instance
    assert_stack_is_one_by_one((2, 16, 16, 1), lambda: LARS(lr=3.0), (0, 3, 7), 5, 30,
                               per_run=True)
    assert_stack_is_one_by_one((2, 16, 16, 1), lambda: LAMB(lr=0.01), (1, 2), 5, 45, per_run=True)


def test_stack_with_an_optimizer_made_stacked() -> None:
    # Adafactor with stacked=True takes its norms per run: one instance steps the whole stack
    # with the numbers of one Adafactor per run, and a single network with a run axis of one
    make = lambda: Adafactor(lr=0.05, weight_decay=0.01, stacked=True)  # noqa: E731
    plain = lambda: Adafactor(lr=0.05, weight_decay=0.01)  # noqa: E731
    assert_stack_is_one_by_one((2, 16, 16, 1), make, (0, 3, 7), 5, 30, make_alone=plain)
    assert_stack_is_one_by_one((2, 16, 16, 1), make, (3,), 5, 30, make_alone=plain)
    X, y = circle_data(n=90)
    one, alone = MLP((2, 8, 1), seed=4), MLP((2, 8, 1), seed=4)
    assert_same_history(train(one, make(), X, y, epochs=3, seed=4),
                        train(alone, plain(), X, y, epochs=3, seed=4))
    for key, p in alone.params.items():
        assert np.array_equal(one.params[key], p), key
    with pytest.raises(ValueError, match="stacked=True"):
        train(MLP(seed=[0, 1]), Adafactor(), X, y, epochs=1, seed=[0, 1])


def test_runs_that_diverge_stop_alone() -> None:
    # momentum SGD at lr 1e5: six of these eight runs blow up, at different epochs, two do not;
    # every run, stopped or not, ends as it would alone, parameters included
    h = assert_stack_is_one_by_one((2, 8, 1), lambda: SGD(lr=1e5, momentum=0.9), tuple(range(8)),
                                   12, 16, init_range=(-5, 5))
    assert 0 < h.diverged.sum() < 8
    assert len(set(h.epochs[h.diverged].tolist())) > 1
    assert np.all(np.isnan(h.loss[h.diverged, -1])) and np.all(h.epochs[~h.diverged] == 12)


def test_groups_of_runs_sharing_an_optimizer() -> None:
    X, y = circle_data(n=90)
    sgd, adam = SGD(lr=0.5, momentum=0.9), Adam(lr=0.03)
    both = train(MLP(seed=[4, 5, 1, 2]), [sgd, sgd, adam, adam], X, y, epochs=5, seed=[4, 5, 1, 2])
    only_adam = train(MLP(seed=[1, 2]), Adam(lr=0.03), X, y, epochs=5, seed=[1, 2])
    only_sgd = train(MLP(seed=[4, 5]), SGD(lr=0.5, momentum=0.9), X, y, epochs=5, seed=[4, 5])
    for name in FIELDS:
        assert np.array_equal(getattr(both, name)[2:], getattr(only_adam, name)), name
        assert np.array_equal(getattr(both, name)[:2], getattr(only_sgd, name)), name
    # a stacked optimizer holds state shaped like its slice of the stack
    assert adam.get("exp_avg")["W1"].shape == (2, 2, 8)


def test_one_batch_seed_for_every_run() -> None:
    X, y = circle_data(n=60)
    h = train(MLP(seed=[3, 3]), Adam(lr=0.01), X, y, epochs=3, seed=8)
    assert_same_history(h.run(1), train(MLP(seed=3), Adam(lr=0.01), X, y, epochs=3, seed=8))
    assert np.array_equal(h.loss[0], h.loss[1])


@pytest.mark.parametrize("sizes", [(2, 1), (2, 8, 1), (3, 5, 4, 1)])
def test_stacked_backprop_matches_finite_differences(sizes: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    runs = 3
    X = rng.normal(size=(runs, 11, sizes[0]))            # each run its own points
    y = (rng.random((runs, 11)) < 0.5).astype(float)
    nets = MLP(sizes, seed=[0, 1, 2])
    for key in nets.params:
        if key.startswith("b"):
            nets.params[key][:] = rng.normal(scale=0.1, size=nets.params[key].shape)
    loss, grads = nets.loss_and_grads(X, y)
    assert loss.shape == (runs,)
    np.testing.assert_array_equal(loss, nets.loss(X, y))
    # the derivative of the sum of the runs' losses: run r's entries are run r's own gradient
    num = numeric_grads(lambda: float(np.sum(nets.loss(X, y))), nets.params)
    for key, p in nets.params.items():
        assert grads[key].shape == p.shape
        np.testing.assert_allclose(grads[key], num[key], rtol=1e-5, atol=1e-8, err_msg=key)
    for r in range(runs):  # ... and bit for bit what that network alone computes
        alone_loss, alone = nets.run(r).loss_and_grads(X[r], y[r])
        assert alone_loss == loss[r]
        for key in alone:
            assert np.array_equal(grads[key][r], alone[key]), (r, key)


def test_stack_of_networks_shapes_and_seeds() -> None:
    nets = MLP((2, 16, 8, 1), seed=[5, 0, 5])
    assert nets.runs == 3 and MLP().runs is None
    assert [p.shape for p in nets.params.values()] == [
        (3, 2, 16), (3, 16), (3, 16, 8), (3, 8), (3, 8, 1), (3, 1)]
    for r, s in enumerate([5, 0, 5]):
        for key, p in MLP((2, 16, 8, 1), seed=s).params.items():
            assert np.array_equal(nets.params[key][r], p)
    assert not np.array_equal(nets.params["W1"][0], nets.params["W1"][1])
    np.testing.assert_array_equal(MLP(seed=range(4)).params["W2"],
                                  MLP(seed=np.arange(4)).params["W2"])
    assert repr(nets) == "MLP(sizes=(2, 16, 8, 1), runs=3)"
    X, y = circle_data(n=20)
    assert nets.logits(X).shape == nets.forward(X).shape == (3, 20)
    assert nets.loss(X, y).shape == nets.accuracy(X, y).shape == (3,)
    assert nets.accuracy(X, y)[1] == MLP((2, 16, 8, 1), seed=0).accuracy(X, y)
    one = nets.run(-1)
    assert one.runs is None and one.params["W1"].shape == (2, 16)
    one.params["W1"][:] = 0  # a copy
    assert np.all(nets.params["W1"][2] != 0)


def test_batch_history() -> None:
    nan = np.nan
    h = BatchHistory(loss=np.array([[0.5, 0.4, 0.3], [0.6, np.inf, nan]]),
                     accuracy=np.array([[0.5, 0.92, 0.96], [0.95, 0.5, nan]]),
                     weight_norm=np.ones((2, 3)), grad_norm=np.ones((2, 3)),
                     diverged=np.array([False, True]), epochs=np.array([3, 2]))
    assert h.runs == 2
    np.testing.assert_array_equal(h.epochs_to(0.9), [2.0, 1.0])
    np.testing.assert_array_equal(h.epochs_to(0.99), [nan, nan])
    assert h.run(1) == History([0.6, np.inf], [0.95, 0.5], [1.0, 1.0], [1.0, 1.0], True)
    assert h.run(-2).epochs_to(0.95) == 3
    for bad in (2, -3, 1.0):
        with pytest.raises(ValueError, match="r must be an index into 2 runs"):
            h.run(bad)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"seed": -1}, r"seed must hold non-negative integers, got -1"),
    ({"seed": []}, r"seed must be an int or a non-empty 1-D sequence of ints, got \[\]"),
    ({"seed": [[0, 1]]}, r"seed must be an int or a non-empty 1-D sequence"),
    ({"seed": [0, 1.5]}, r"seed must hold non-negative integers, got 1.5"),
    ({"seed": "0"}, r"seed must be an int or a sequence of ints, got '0'"),
    ({"seed": True}, r"seed must be an int or a sequence of ints, got True"),
])
def test_bad_seeds(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_bad_input_shapes_name_the_argument_and_shape() -> None:
    nets, one = MLP(seed=[0, 1, 2]), MLP()
    X, y = circle_data(n=10)
    cases = [
        (lambda: one.logits(X[:, :1]), r"X must have shape \(n, 2\) for MLP\(.*got \(10, 1\)"),
        (lambda: one.loss(X[None], y), r"X must have shape \(n, 2\) for .*got \(1, 10, 2\)"),
        (lambda: nets.forward(np.ones((2, 10, 2))),
         r"X must have shape \(n, 2\) or \(3, n, 2\) .*got \(2, 10, 2\)"),
        (lambda: one.loss_and_grads(X, y[:, None]), r"y must have shape \(10,\) .*got \(10, 1\)"),
        (lambda: one.accuracy(X, y[:9]), r"y must have shape \(10,\) to match X of shape"),
        (lambda: nets.loss(X, np.ones((2, 10))), r"y must have shape \(10,\) or \(3, 10\) .*"
                                                 r"got \(2, 10\)"),
        (lambda: one.run(0), r"run\(\) needs a stack"),
        (lambda: nets.run(3), r"r must be an index into 3 runs, got 3"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()


def test_bad_train_arguments_change_nothing() -> None:
    X, y = circle_data(n=20)
    nets = MLP(seed=[0, 1, 2])
    before = {k: v.copy() for k, v in nets.params.items()}
    cases = [
        ({"X": X[:, :1]}, r"X must have shape \(n, 2\) with n >= 1 .*got \(20, 1\)"),
        ({"X": X[None]}, r"X must have shape \(n, 2\) .*got \(1, 20, 2\)"),
        ({"y": y[:5]}, r"y must have shape \(20,\) to match X of shape \(20, 2\), got \(5,\)"),
        ({"seed": [0, 1]}, r"seed has 2 seeds but the model has 3 runs"),
        ({"optimizer": [Adam(), Adam()]},
         r"optimizer has 2 optimizers but the model has 3 runs"),
        ({"optimizer": LARS()}, r"LARS uses norms of whole arrays .* runs 0 to 2"),
        ({"optimizer": [LAMB()] * 2 + [Adam()]}, r"LAMB .* runs 0 to 1"),
        ({"optimizer": "adam"}, r"optimizer must have a step\(params, grads\) method"),
        ({"clip_norm": 0.0}, r"clip_norm must be > 0"),
    ]
    for kwargs, message in cases:
        args = {"X": X, "y": y, "optimizer": Adam(), **kwargs}
        with pytest.raises(ValueError, match=message):
            train(nets, args.pop("optimizer"), args.pop("X"), args.pop("y"), **args)
    a, b = Adam(), Adam()
    with pytest.raises(ValueError, match="not consecutive"):
        train(nets, [a, b, a], X, y)
    with pytest.raises(ValueError, match=r"seed must be an int for a single network"):
        train(MLP(), Adam(), X, y, seed=[1, 2])
    with pytest.raises(ValueError, match=r"optimizer must be one optimizer for a single network"):
        train(MLP(), [Adam()], X, y)
    for key, p in nets.params.items():
        assert np.array_equal(p, before[key]), key
