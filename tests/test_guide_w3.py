"""The claims of the training, schedules, large-batch and choosing chapters, checked against the
package, so that a change to optdocs that breaks a sentence of those pages fails here.

The build checks the same claims (guide/*.py); these tests also check the batched training used
there against optdocs.nn.train, and compare optdocs with PyTorch where PyTorch is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guide import choosing, large_batch, schedules, training  # noqa: E402
from optdocs import LAMB, LARS, SGD, Adam, AdamW, RMSprop  # noqa: E402
from optdocs.nn import MLP, circle_data, linear_data, mse_loss_and_grads, train  # noqa: E402
from optdocs.schedules import (  # noqa: E402
    cosine_annealing,
    one_cycle,
    warmup_cosine,
)

# --- the batched trainer is optdocs.nn.train ----------------------------------------------------


@pytest.mark.parametrize("make, sizes, batch", [
    (lambda: SGD(lr=0.1, momentum=0.9, nesterov=True), (2, 8, 1), 32),
    (lambda: RMSprop(lr=0.01), (2, 8, 1), 32),
    (lambda: Adam(lr=warmup_cosine(0.1, 70, 700)), (2, 8, 1), 32),
    (lambda: AdamW(lr=0.3), (2, 8, 1), 32),
    (lambda: LARS(lr=3.0), (2, 16, 16, 1), 200),
    (lambda: LAMB(lr=0.01), (2, 16, 16, 1), 50),
])
def test_train_groups_is_nn_train_bit_for_bit(make, sizes, batch):
    X, y = circle_data()
    seeds = (0, 3, 7)
    (runs,) = training.train_groups([(make, seeds)], sizes=sizes, epochs=12, batch_size=batch)
    for i, s in enumerate(seeds):
        h = train(MLP(sizes, seed=s), make(), X, y, epochs=12, batch_size=batch, seed=s)
        assert np.array_equal(runs.loss[i], h.loss)
        assert np.array_equal(runs.accuracy[i], h.accuracy)
        assert np.allclose(runs.weight_norm[i], h.weight_norm, rtol=1e-12)
        ours = runs.epochs_to(0.9)[i]
        assert (np.isnan(ours) and h.epochs_to(0.9) is None) or ours == h.epochs_to(0.9)


def test_train_groups_mixes_groups_without_interference():
    one = training.train_groups([(lambda: Adam(lr=0.03), (1, 2))], epochs=5)[0]
    both = training.train_groups([(lambda: SGD(lr=0.5), (4,)), (lambda: Adam(lr=0.03), (1, 2))],
                                 epochs=5)[1]
    assert np.array_equal(one.loss, both.loss)


# --- the chapters' claims ------------------------------------------------------------------------


def test_training_claims():
    training.claims()


def test_training_table_claims_in_words():
    s = training.sweep()
    n = len(training.SEEDS)
    # "Adam reaches 90% before plain SGD at the same learning rate (0.01)"
    assert training.reached(s[("Adam", 0.01)]) == n and training.reached(s[("SGD", 0.01)]) == 0
    # "at PyTorch's default learning rates only RMSprop trains this network in 100 epochs"
    for name, lr in training.TORCH_DEFAULT_LR.items():
        assert (training.reached(s[(name, lr)]) == n) == (name == "RMSprop")
    # "Adam at 1e-3 ends at the all-zeros answer" (within a few points of it)
    majority = 1 - circle_data()[1].mean()
    assert abs(np.mean(s[("Adam", 1e-3)].final_accuracy) - majority) < 0.05


def test_linear_regression_reaches_least_squares():
    training.linear_fit_claims()


def test_forgetting_zero_grad_oscillates():
    X, y = linear_data()
    finals = {}
    for forget in (False, True):
        w, b, opt = np.zeros(2), np.zeros(()), SGD(lr=0.1)
        total = [np.zeros(2), np.zeros(())]
        for _ in range(50):
            loss, gw, gb = mse_loss_and_grads(w, b, X, y)
            if forget:
                total[0] += gw
                total[1] += gb
                gw, gb = total
            opt.step([w, b], [gw, gb])
        finals[forget] = loss
    assert finals[False] < 0.02 < 1.0 < finals[True]


def test_schedules_claims():
    schedules.claims()


def test_schedule_shift_is_harmless_here():
    right, wrong = schedules.shifted_runs()
    assert abs(np.mean(wrong.final_loss) / np.mean(right.final_loss) - 1) < 0.1


def test_keras_example_values():
    keras_example = schedules.KERAS
    assert keras_example(0) == pytest.approx(0.01)
    assert keras_example(1000) == pytest.approx(0.009)
    assert keras_example(10_000) == pytest.approx(0.01 * 0.9**10)
    assert keras_example(10_000) / keras_example(0) == pytest.approx(0.3486784401)


def test_one_cycle_landmarks():
    lrs = one_cycle(0.1, 1000)(np.arange(1000))
    assert int(np.argmax(lrs)) == 299
    assert lrs[0] == pytest.approx(0.004) and lrs[-1] == pytest.approx(4e-7)


def test_per_batch_schedule_stepped_per_epoch_barely_decays():
    assert cosine_annealing(0.1, total_steps=700)(99) > 0.09


def test_large_batch_claims():
    large_batch.claims()


def test_lamb_bias_correction_cancels_without_weight_decay():
    rng = np.random.default_rng(0)
    w0 = [rng.normal(size=(5, 4)), rng.normal(size=(4,))]
    grads = [[rng.normal(size=a.shape) for a in w0] for _ in range(6)]
    lr, (b1, b2), eps = 0.05, (0.9, 0.999), 1e-12
    ours = [a.copy() for a in w0]
    opt = LAMB(lr=lr, betas=(b1, b2), eps=eps)
    plain = [a.copy() for a in w0]
    m = [np.zeros_like(a) for a in w0]
    v = [np.zeros_like(a) for a in w0]
    for g in grads:
        opt.step(ours, [x.copy() for x in g])
        for i, gi in enumerate(g):      # LAMB without bias correction
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            r = m[i] / (np.sqrt(v[i]) + eps)
            plain[i] -= lr * np.linalg.norm(plain[i]) / np.linalg.norm(r) * r
    for a, b in zip(ours, plain, strict=True):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12)


def test_adam_ignores_the_scale_of_the_loss():
    """Choosing: the learning-rate window does not move with the gradient's scale."""
    X, y = circle_data()
    params = []
    for scale in (1.0, 1000.0):
        model, opt = MLP((2, 8, 1), seed=0), Adam(lr=0.01, eps=1e-12)
        for _ in range(30):
            _, g = model.loss_and_grads(X, y)
            opt.step(model.params, {k: scale * v for k, v in g.items()})
        params.append(model.params)
    for k in params[0]:
        assert np.allclose(params[0][k], params[1][k], rtol=1e-6, atol=1e-9)


def test_choosing_claims():
    choosing.claims()
