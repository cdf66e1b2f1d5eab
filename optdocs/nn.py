"""A tiny neural network with hand-written backpropagation, and a training loop.

Everything the guide trains lives here: a toy classification data set (points inside a circle),
a small linear-regression problem for the gradient-descent chapter, a multilayer perceptron whose
gradients are written out by hand, and ``train``, a mini-batch loop in the order PyTorch uses
(forward, loss, backward, optional clipping, ``optimizer.step``)::

    >>> from optdocs import Adam
    >>> X, y = circle_data()
    >>> model = MLP((2, 8, 1))
    >>> history = train(model, Adam(lr=0.01), X, y)
    >>> history.accuracy[-1] >= 0.95
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optdocs._checks import check_positive, check_positive_int

__all__ = [
    "circle_data",
    "linear_data",
    "mse_loss_and_grads",
    "MLP",
    "History",
    "train",
    "clip_grad_norm",
    "global_norm",
]

Array = NDArray[np.float64]
#: An initialiser: ``init(rng, (fan_in, fan_out)) -> weight matrix``.
Init = Callable[[np.random.Generator, tuple[int, int]], Array]
#: One array, a list of arrays or a dict of arrays, as the optimizers accept.
Tree = Array | Sequence[Array] | Mapping[str, Array]


# --- data -------------------------------------------------------------------------------------

def circle_data(n: int = 200, radius_sq: float = 1.5, seed: int = 0) -> tuple[Array, Array]:
    """Points uniform in the square [-2, 2]^2, labelled 1 inside the circle x^2 + y^2 < radius_sq.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,), values 0.0 or 1.0
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, 2))
    y = (np.sum(X**2, axis=1) < radius_sq).astype(np.float64)
    return X, y


def linear_data(n: int = 100, w: Sequence[float] = (2.0, -3.0), b: float = 1.0,
                noise: float = 0.1, seed: int = 0) -> tuple[Array, Array]:
    """A linear-regression data set: ``y = X @ w + b + noise * N(0, 1)``, ``X ~ N(0, 1)``.

    Returns
    -------
    X : ndarray, shape (n, len(w))
    y : ndarray, shape (n,)
    """
    rng = np.random.default_rng(seed)
    w = np.asarray(w, dtype=np.float64)
    X = rng.standard_normal((n, w.size))
    y = X @ w + b + noise * rng.standard_normal(n)
    return X, y


def mse_loss_and_grads(w: Array, b: float | Array, X: Array, y: Array
                       ) -> tuple[float, Array, Array]:
    """Mean squared error of the linear model ``X @ w + b`` and its analytic gradients.

    With residual ``r = y - X @ w - b`` and ``L = mean(r**2)``:
    ``dL/dw = -2/n * X.T @ r`` and ``dL/db = -2/n * sum(r)``.

    Returns
    -------
    loss : float
    grad_w : ndarray, shape of ``w``
    grad_b : ndarray, shape of ``b`` (0-d for a scalar ``b``)
    """
    n = len(y)
    r = y - X @ w - b
    grad_w = -2.0 / n * (X.T @ r)
    grad_b = np.full(np.shape(b), -2.0 / n * np.sum(r))
    return float(np.mean(r**2)), grad_w, grad_b


# --- the network ------------------------------------------------------------------------------

def _he(rng: np.random.Generator, shape: tuple[int, int]) -> Array:
    """He (Kaiming) normal: std sqrt(2 / fan_in), made for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


def _xavier(rng: np.random.Generator, shape: tuple[int, int]) -> Array:
    """Glorot (Xavier) uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    a = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, size=shape)


_INITS: dict[str, Init] = {"he": _he, "xavier": _xavier}


def _sigmoid(z: Array) -> Array:
    """1 / (1 + exp(-z)) without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


class MLP:
    """A multilayer perceptron for binary classification: ReLU hidden layers, sigmoid output.

    Layer ``i`` computes ``a_i = relu(a_{i-1} @ W_i + b_i)`` (no ReLU on the last layer, whose
    single output is a logit). The parameters are a dict of arrays ``{"W1", "b1", "W2", ...}``,
    so an optimizer updates them with ``opt.step(model.params, grads)``.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``(2, 8, 1)``; the last must be 1.
    seed : int
        Seed of the weight initialisation.
    init : "he", "xavier" or callable
        How to draw weight matrices; a callable gets ``(rng, (fan_in, fan_out))``.
        Biases start at zero.
    init_range : (lo, hi), optional
        Draw every weight uniformly in ``[lo, hi]`` instead (e.g. ``(-5, 5)`` to see what a
        bad initialisation does). Overrides ``init``.
    """

    def __init__(self, sizes: Sequence[int] = (2, 8, 1), seed: int = 0,
                 init: str | Init = "he", init_range: tuple[float, float] | None = None) -> None:
        sizes = tuple(check_positive_int("sizes", s) for s in sizes)
        if len(sizes) < 2 or sizes[-1] != 1:
            raise ValueError(f"sizes must have >= 2 layers and end in 1 output, got {sizes!r}")
        if init_range is not None:
            lo, hi = init_range
            if not lo < hi:
                raise ValueError(f"init_range must be (lo, hi) with lo < hi, got {init_range!r}")
            draw: Init = lambda rng, shape: rng.uniform(lo, hi, size=shape)  # noqa: E731
        elif callable(init):
            draw = init
        elif init in _INITS:
            draw = _INITS[init]
        else:
            raise ValueError(f"init must be one of {sorted(_INITS)} or a callable, got {init!r}")
        self.sizes = sizes
        rng = np.random.default_rng(seed)
        self.params: dict[str, Array] = {}
        for i, (fan_in, fan_out) in enumerate(pairwise(sizes), start=1):
            self.params[f"W{i}"] = np.asarray(draw(rng, (fan_in, fan_out)), dtype=np.float64)
            self.params[f"b{i}"] = np.zeros(fan_out)

    @property
    def n_layers(self) -> int:
        """Number of weight layers."""
        return len(self.sizes) - 1

    def _forward(self, X: Array) -> tuple[Array, list[Array]]:
        """Logits (n,) and the activations of every layer (input first), kept for backprop."""
        acts = [np.asarray(X, dtype=np.float64)]
        for i in range(1, self.n_layers + 1):
            z = acts[-1] @ self.params[f"W{i}"] + self.params[f"b{i}"]
            acts.append(np.maximum(z, 0.0) if i < self.n_layers else z)
        return acts[-1][:, 0], acts

    def logits(self, X: Array) -> Array:
        """Output before the sigmoid, shape (n,)."""
        return self._forward(X)[0]

    def forward(self, X: Array) -> Array:
        """Probability of class 1 for each row of ``X``, shape (n,)."""
        return _sigmoid(self.logits(X))

    __call__ = forward

    def loss(self, X: Array, y: Array) -> float:
        """Mean binary cross-entropy."""
        z = self.logits(X)
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    def loss_and_grads(self, X: Array, y: Array) -> tuple[float, dict[str, Array]]:
        """Mean binary cross-entropy and its gradient for every parameter (backpropagation).

        The loss is computed from the logits ``z``: ``log(1 + e^z) - y z``, which equals
        ``-y log p - (1 - y) log(1 - p)`` with ``p = sigmoid(z)`` but never takes ``log(0)``.
        Its derivative is ``dL/dz = (p - y) / n``; the chain rule carries it back layer by layer:
        ``dW_i = a_{i-1}.T @ delta_i``, ``db_i = sum(delta_i)``,
        ``delta_{i-1} = (delta_i @ W_i.T) * (a_{i-1} > 0)``.
        """
        z, acts = self._forward(X)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
        delta = ((_sigmoid(z) - y) / len(y))[:, None]  # dL/dz for the output layer, (n, 1)
        grads: dict[str, Array] = {}
        for i in range(self.n_layers, 0, -1):
            grads[f"W{i}"] = acts[i - 1].T @ delta
            grads[f"b{i}"] = delta.sum(axis=0)
            if i > 1:  # through W_i, then through the ReLU of layer i - 1
                delta = (delta @ self.params[f"W{i}"].T) * (acts[i - 1] > 0)
        return loss, {k: grads[k] for k in self.params}

    def accuracy(self, X: Array, y: Array) -> float:
        """Fraction of rows whose predicted class (probability > 0.5) equals ``y``."""
        return float(np.mean((self.logits(X) > 0) == (np.asarray(y) > 0.5)))

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes!r})"


# --- gradient utilities -----------------------------------------------------------------------

def _arrays(tree: Tree) -> list[Array]:
    if isinstance(tree, np.ndarray):
        return [tree]
    if isinstance(tree, Mapping):
        return list(tree.values())
    return list(tree)


def global_norm(tree: Tree) -> float:
    """L2 norm of all the numbers in an array, a list or a dict of arrays, taken together."""
    return float(np.sqrt(sum(np.sum(np.square(a)) for a in _arrays(tree))))


def clip_grad_norm(grads: Tree, max_norm: float) -> float:
    """Scale ``grads`` in place so that their global L2 norm is at most ``max_norm``.

    Same rule as ``torch.nn.utils.clip_grad_norm_``: with ``total`` the global norm, every
    gradient is multiplied by ``min(1, max_norm / (total + 1e-6))``.

    Returns
    -------
    float
        The global norm *before* clipping.
    """
    max_norm = check_positive("max_norm", max_norm)
    total = global_norm(grads)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in _arrays(grads):
            g *= scale
    return total


# --- training ---------------------------------------------------------------------------------

@dataclass
class History:
    """What ``train`` records, one entry per epoch (measured after the epoch).

    Attributes
    ----------
    loss, accuracy : list of float
        Loss and accuracy on the whole training set.
    weight_norm : list of float
        Global L2 norm of all parameters.
    grad_norm : list of float
        Mean over the epoch's mini-batches of the global gradient norm (before clipping).
    diverged : bool
        True if the loss or the parameters stopped being finite; training stopped there.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    weight_norm: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    diverged: bool = False

    def epochs_to(self, acc: float) -> int | None:
        """First epoch (1-based) whose accuracy is >= ``acc``, or None if none reached it."""
        for epoch, a in enumerate(self.accuracy, start=1):
            if a >= acc:
                return epoch
        return None

    def __len__(self) -> int:
        return len(self.loss)


def train(model: MLP, optimizer: Any, X: Array, y: Array, epochs: int = 100,
          batch_size: int = 32, seed: int = 0, clip_norm: float | None = None) -> History:
    """Train ``model`` with mini-batch gradients; stop early, without raising, if it diverges.

    Each epoch visits the rows of ``X`` in a new random order (seeded, so the same arguments give
    the same history) in mini-batches of ``batch_size`` (the last one may be smaller). For each
    batch: forward pass and loss, backward pass (``MLP.loss_and_grads``), optional clipping
    of the global gradient norm to ``clip_norm``, then ``optimizer.step(model.params, grads)``.

    A learning-rate schedule is not an argument here: pass it as the optimizer's learning rate,
    ``Adam(lr=one_cycle(0.05, total_steps))``. The optimizer evaluates it once per step, i.e.
    per mini-batch; there are ``ceil(len(X) / batch_size)`` steps per epoch. To change the rate
    once per epoch instead, pass ``lr=lambda t: schedule(t // steps_per_epoch)``.

    With the defaults (100 epochs of 32 examples: 700 steps on the 200 points of
    ``circle_data``), ``MLP((2, 8, 1))`` trained with ``Adam(lr=0.01)`` reaches 95% training
    accuracy; PyTorch's default Adam learning rate, 1e-3, is too small to get there in 100 epochs.

    Returns
    -------
    History
        Per-epoch loss, accuracy, weight norm and gradient norm, and the ``diverged`` flag.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    rng = np.random.default_rng(seed)
    history = History()
    with np.errstate(all="ignore"):  # a diverging run overflows; the flag reports it
        for _ in range(epochs):
            order = rng.permutation(len(X))
            grad_norms = []
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                loss, grads = model.loss_and_grads(X[batch], y[batch])
                grad_norms.append(global_norm(grads))
                if not np.isfinite(loss) or not np.isfinite(grad_norms[-1]):
                    history.diverged = True
                    break
                if clip_norm is not None:
                    clip_grad_norm(grads, clip_norm)
                optimizer.step(model.params, grads)
            history.loss.append(model.loss(X, y))
            history.accuracy.append(model.accuracy(X, y))
            history.weight_norm.append(global_norm(model.params))
            history.grad_norm.append(float(np.mean(grad_norms)))
            if history.diverged or not np.isfinite(history.loss[-1] + history.weight_norm[-1]):
                history.diverged = True
                break
    return history
