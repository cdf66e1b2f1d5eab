"""The tiny network: hand-written backprop against finite differences, and the training loop."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optdocs import SGD, Adam
from optdocs.nn import (
    MLP,
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
    opt = Adam(lr=one_cycle(0.05, total_steps=steps))
    history = train(MLP(), opt, X, y, epochs=30)
    assert opt.t == steps
    assert opt.lr_at(opt.t) == pytest.approx(0.05 / 25 / 1e4)
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
