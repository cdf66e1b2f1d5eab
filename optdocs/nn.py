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

**Many networks at once.** Give ``MLP`` a sequence of seeds and it holds one independent network
per seed, its *runs*: every parameter gets a leading axis of length ``runs`` (``W1`` of shape
``(runs, fan_in, fan_out)``, ``b1`` of shape ``(runs, fan_out)``), each layer is one
``np.matmul`` over the whole stack, and ``train`` steps them together and returns a
:class:`BatchHistory`, one row per run::

    >>> nets = MLP((2, 8, 1), seed=range(10))
    >>> runs = train(nets, Adam(lr=0.01), X, y, seed=range(10))
    >>> runs.loss.shape
    (10, 100)

Run ``r`` is *bit for bit* the network ``train(MLP(sizes, seed=r), Adam(lr=0.01), X, y, seed=r)``
trains alone: same weights, same batches, same floating-point operations. That holds because a
stacked ``np.matmul`` makes, for every run, the call a single network makes (one matrix product of
the same shapes and strides, so the same BLAS routine, or NumPy's own loop where there is no BLAS,
as under Pyodide), because sums over a run's axis reduce each run on its own in the same order,
and because everything else is elementwise. ``tests/test_nn.py`` checks the equality for several
layer sizes, batch sizes and numbers of runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from numbers import Integral
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
    "BatchHistory",
    "train",
    "clip_grad_norm",
    "global_norm",
]

Array = NDArray[np.float64]
#: An initialiser: ``init(rng, (fan_in, fan_out)) -> weight matrix``.
Init = Callable[[np.random.Generator, tuple[int, int]], Array]
#: One array, a list of arrays or a dict of arrays, as the optimizers accept.
Tree = Array | Sequence[Array] | Mapping[str, Array]
#: A seed, or one seed per network of a stack.
Seeds = int | Sequence[int]


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


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _seeds(seed: Seeds) -> tuple[list[int], bool]:
    """The seeds to draw from, and whether ``seed`` asked for a stack of networks."""
    if _is_int(seed):
        seeds, stacked = [seed], False
    elif isinstance(seed, Sequence | range | np.ndarray) and not isinstance(seed, str):
        seeds, stacked = list(np.asarray(seed, dtype=object).reshape(-1)), True
        if np.ndim(seed) != 1 or not seeds:
            raise ValueError(f"seed must be an int or a non-empty 1-D sequence of ints, got {seed!r}")
    else:
        raise ValueError(f"seed must be an int or a sequence of ints, got {seed!r}")
    for s in seeds:
        if not _is_int(s) or s < 0:
            raise ValueError(f"seed must hold non-negative integers, got {s!r} in {seed!r}")
    return [int(s) for s in seeds], stacked


def _forward(params: Mapping[str, Array], n_layers: int, X: Array) -> tuple[Array, list[Array]]:
    """Logits, shape ``X.shape[:-1]`` (with the runs axis in front for stacked parameters), and
    the activations of every layer, input first. ``W_i`` is ``(..., fan_in, fan_out)``, ``b_i``
    is ``(..., fan_out)``: one ``np.matmul`` per layer, whatever the number of runs."""
    acts = [X]
    for i in range(1, n_layers + 1):
        z = acts[-1] @ params[f"W{i}"]
        z += params[f"b{i}"][..., None, :]
        acts.append(np.maximum(z, 0.0, out=z) if i < n_layers else z)
    return acts[-1][..., 0], acts


def _bce(z: Array, y: Array) -> Array:
    """Mean binary cross-entropy over the last axis, from logits: ``mean(log(1 + e^z) - y z)``."""
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)


def _accuracy(z: Array, y: Array) -> Array:
    """Fraction of the last axis whose predicted class (logit > 0) equals ``y``."""
    return np.mean((z > 0) == (y > 0.5), axis=-1)


def _backprop(params: Mapping[str, Array], n_layers: int, acts: list[Array], z: Array,
              y: Array) -> dict[str, Array]:
    """Gradients of the mean BCE for every parameter, shaped like ``params`` (see
    :meth:`MLP.loss_and_grads`); every product is one ``np.matmul`` over all runs."""
    delta = ((_sigmoid(z) - y) / z.shape[-1])[..., None]  # dL/dz of the output layer
    grads: dict[str, Array] = {}
    for i in range(n_layers, 0, -1):
        grads[f"W{i}"] = np.swapaxes(acts[i - 1], -1, -2) @ delta
        grads[f"b{i}"] = delta.sum(axis=-2)
        if i > 1:  # through W_i, then through the ReLU of layer i - 1
            delta = delta @ np.swapaxes(params[f"W{i}"], -1, -2)
            delta *= (acts[i - 1] > 0).astype(np.float64)  # x * 1.0 and x * 0.0, as with bools
    return {k: grads[k] for k in params}


def _finite_losses(z: Array, y: Array, y_bound: float) -> NDArray[np.bool_]:
    """Whether ``_bce(z, y)`` is finite, per run, computing it only when a bound cannot tell.

    Every term ``log(1 + e^z) - y z`` of the mean is at most ``(1 + |y|) |z| + log 2`` in size,
    so when ``n (1 + max|y|) max|z| < 1e300`` (``y_bound`` is ``max|y|``) the mean is finite.
    """
    bound = np.max(np.abs(z), axis=-1) * (z.shape[-1] * (1.0 + y_bound))
    if np.all(bound < 1e300):  # False for NaN or inf anywhere: then compute the loss itself
        return np.ones(bound.shape, dtype=bool)
    return np.isfinite(_bce(z, y))


def _run_norms(tree: Mapping[str, Array], runs: int) -> Array:
    """Global L2 norm of each run's arrays, shape ``(runs,)``: :func:`global_norm` per run."""
    total: Any = 0
    for a in tree.values():
        total = total + np.square(a).reshape(runs, -1).sum(axis=1)
    return np.sqrt(total)


class MLP:
    """A multilayer perceptron for binary classification: ReLU hidden layers, sigmoid output.

    Layer ``i`` computes ``a_i = relu(a_{i-1} @ W_i + b_i)`` (no ReLU on the last layer, whose
    single output is a logit). The parameters are a dict of arrays ``{"W1", "b1", "W2", ...}``,
    so an optimizer updates them with ``opt.step(model.params, grads)``.

    One network, or a stack of independent ones: with ``seed`` a sequence of R seeds, the
    model holds R networks (``runs == R``), every parameter has a leading axis of length R
    (``W_i`` of shape ``(R, fan_in, fan_out)``, ``b_i`` of shape ``(R, fan_out)``) and
    ``params[k][r]`` is exactly ``MLP(sizes, seed=seeds[r], ...).params[k]``. Every method then
    answers for all runs at once, with the runs axis first.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``(2, 8, 1)``; the last must be 1.
    seed : int or sequence of int
        Seed of the weight initialisation (``np.random.default_rng(seed)``), or one seed per
        network of a stack.
    init : "he", "xavier" or callable
        How to draw weight matrices; a callable gets ``(rng, (fan_in, fan_out))``.
        Biases start at zero.
    init_range : (lo, hi), optional
        Draw every weight uniformly in ``[lo, hi]`` instead (e.g. ``(-5, 5)`` to see what a
        bad initialisation does). Overrides ``init``.

    Attributes
    ----------
    sizes : tuple of int
    runs : int or None
        Number of stacked networks; None for a single network (no runs axis).
    params : dict of ndarray
    """

    def __init__(self, sizes: Sequence[int] = (2, 8, 1), seed: Seeds = 0,
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
        seeds, stacked = _seeds(seed)
        self.sizes = sizes
        nets = [self._draw(draw, s) for s in seeds]
        self.runs: int | None = len(seeds) if stacked else None
        self.params: dict[str, Array] = (
            {k: np.stack([net[k] for net in nets]) for k in nets[0]} if stacked else nets[0])

    def _draw(self, draw: Init, seed: int) -> dict[str, Array]:
        """One network's parameters, drawn from ``default_rng(seed)`` layer by layer."""
        rng = np.random.default_rng(seed)
        params: dict[str, Array] = {}
        for i, (fan_in, fan_out) in enumerate(pairwise(self.sizes), start=1):
            params[f"W{i}"] = np.asarray(draw(rng, (fan_in, fan_out)), dtype=np.float64)
            params[f"b{i}"] = np.zeros(fan_out)
        return params

    @property
    def n_layers(self) -> int:
        """Number of weight layers."""
        return len(self.sizes) - 1

    def run(self, r: int) -> MLP:
        """Network ``r`` of a stack, as a single ``MLP`` holding copies of its parameters."""
        if self.runs is None:
            raise ValueError("run() needs a stack of networks; this MLP holds a single one")
        if not _is_int(r) or not -self.runs <= r < self.runs:
            raise ValueError(f"r must be an index into {self.runs} runs, got {r!r}")
        net = object.__new__(MLP)
        net.sizes, net.runs = self.sizes, None
        net.params = {k: v[r].copy() for k, v in self.params.items()}
        return net

    def _inputs(self, X: Any) -> Array:
        """``X`` as float64, checked: ``(n, d)``, or ``(runs, n, d)`` for a stack."""
        X = np.asarray(X, dtype=np.float64)
        d = self.sizes[0]
        shapes = f"(n, {d})" + ("" if self.runs is None else f" or ({self.runs}, n, {d})")
        if X.shape[-1:] != (d,) or not (X.ndim == 2 or X.ndim == 3 and X.shape[0] == self.runs):
            raise ValueError(f"X must have shape {shapes} for {self!r}, got {X.shape}")
        return X

    def _targets(self, y: Any, X: Array) -> Array:
        """``y`` as float64, checked against ``X``: ``(n,)``, or also ``(runs, n)`` for a stack."""
        y = np.asarray(y, dtype=np.float64)
        n = X.shape[-2]
        allowed = [(n,)] + ([] if self.runs is None else [(self.runs, n)])
        if y.shape not in allowed:
            raise ValueError(f"y must have shape {' or '.join(map(str, allowed))} to match X of "
                             f"shape {X.shape}, got {y.shape}")
        return y

    def _out(self, value: Array) -> Any:
        """A per-run result: a float for a single network, an array ``(runs,)`` for a stack."""
        return float(value) if self.runs is None else value

    def logits(self, X: Array) -> Array:
        """Output before the sigmoid: shape ``(n,)``, or ``(runs, n)`` for a stack.

        ``X`` is ``(n, d)`` (the same points for every run) or, for a stack, ``(runs, n, d)``.
        """
        return _forward(self.params, self.n_layers, self._inputs(X))[0]

    def forward(self, X: Array) -> Array:
        """Probability of class 1 for each row of ``X``: shape ``(n,)`` or ``(runs, n)``."""
        return _sigmoid(self.logits(X))

    __call__ = forward

    def loss(self, X: Array, y: Array) -> Any:
        """Mean binary cross-entropy: a float, or an array ``(runs,)`` for a stack."""
        X = self._inputs(X)
        z = _forward(self.params, self.n_layers, X)[0]
        return self._out(_bce(z, self._targets(y, X)))

    def loss_and_grads(self, X: Array, y: Array) -> tuple[Any, dict[str, Array]]:
        """Mean binary cross-entropy and its gradient for every parameter (backpropagation).

        The loss is computed from the logits ``z``: ``log(1 + e^z) - y z``, which equals
        ``-y log p - (1 - y) log(1 - p)`` with ``p = sigmoid(z)`` but never takes ``log(0)``.
        Its derivative is ``dL/dz = (p - y) / n``; the chain rule carries it back layer by layer:
        ``dW_i = a_{i-1}.T @ delta_i``, ``db_i = sum(delta_i)``,
        ``delta_{i-1} = (delta_i @ W_i.T) * (a_{i-1} > 0)``.

        Parameters
        ----------
        X : ndarray, shape (n, d), or (runs, n, d) for a stack
        y : ndarray, shape (n,), or (runs, n) for a stack; values 0.0 or 1.0

        Returns
        -------
        loss : float, or ndarray of shape (runs,) for a stack
            Each run's loss is the mean over its own n points.
        grads : dict of ndarray
            Keyed and shaped like ``params`` (runs axis first for a stack): run ``r``'s
            gradient is that of run ``r``'s loss alone.
        """
        X = self._inputs(X)
        y = self._targets(y, X)
        z, acts = _forward(self.params, self.n_layers, X)
        return self._out(_bce(z, y)), _backprop(self.params, self.n_layers, acts, z, y)

    def accuracy(self, X: Array, y: Array) -> Any:
        """Fraction of rows whose predicted class (probability > 0.5) equals ``y``: a float, or
        an array ``(runs,)`` for a stack."""
        X = self._inputs(X)
        z = _forward(self.params, self.n_layers, X)[0]
        return self._out(_accuracy(z, self._targets(y, X)))

    def __repr__(self) -> str:
        runs = "" if self.runs is None else f", runs={self.runs}"
        return f"MLP(sizes={self.sizes!r}{runs})"


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


@dataclass
class BatchHistory:
    """What ``train`` records for a stack of networks: one row per run, one column per epoch.

    Row ``r`` holds the numbers of the :class:`History` that training run ``r`` alone returns
    (``run(r)`` gives it back), followed by NaN once that run has stopped.

    Attributes
    ----------
    loss, accuracy, weight_norm, grad_norm : ndarray, shape (runs, epochs)
        As in :class:`History`; NaN after a run's last recorded epoch.
    diverged : ndarray of bool, shape (runs,)
        Runs that stopped because their loss or parameters stopped being finite.
    epochs : ndarray of int, shape (runs,)
        Number of epochs recorded for each run (all of them unless it diverged).
    """

    loss: Array
    accuracy: Array
    weight_norm: Array
    grad_norm: Array
    diverged: NDArray[np.bool_]
    epochs: NDArray[np.intp]

    @property
    def runs(self) -> int:
        return self.loss.shape[0]

    def epochs_to(self, acc: float) -> Array:
        """First epoch (1-based) with accuracy >= ``acc`` per run, shape ``(runs,)``; NaN for
        the runs that never got there."""
        hit = self.accuracy >= acc
        return np.where(hit.any(axis=1), hit.argmax(axis=1) + 1.0, np.nan)

    def run(self, r: int) -> History:
        """The :class:`History` of run ``r`` alone."""
        if not _is_int(r) or not -self.runs <= r < self.runs:
            raise ValueError(f"r must be an index into {self.runs} runs, got {r!r}")
        n = int(self.epochs[r])
        rows = (self.loss, self.accuracy, self.weight_norm, self.grad_norm)
        return History(*([float(v) for v in a[r, :n]] for a in rows), bool(self.diverged[r]))


def _check_data(model: MLP, X: Any, y: Any) -> tuple[Array, Array]:
    """The training set as float64: ``X`` of shape (n, d), ``y`` of shape (n,), shared by all runs."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != model.sizes[0] or len(X) == 0:
        raise ValueError(f"X must have shape (n, {model.sizes[0]}) with n >= 1 for {model!r}, "
                         f"got {X.shape}")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X of shape {X.shape}, got {y.shape}")
    return X, y


def _order_seeds(seed: Seeds, runs: int | None) -> list[int]:
    """One batch-order seed per run: ``seed`` for every run, or one from a sequence per run."""
    seeds, stacked = _seeds(seed)
    if stacked and runs is None:
        raise ValueError(f"seed must be an int for a single network, got {seed!r}")
    if stacked and len(seeds) != runs:
        raise ValueError(f"seed has {len(seeds)} seeds but the model has {runs} runs")
    return seeds if stacked else seeds * (runs or 1)


def _steppers(optimizer: Any, runs: int | None) -> list[tuple[Any, int | slice | None]]:
    """``(optimizer, runs it steps)`` pairs: None for a single network, an int for one run of a
    stack (it gets that run's arrays, shaped like a single network's), a slice for consecutive
    runs sharing an instance (they are stepped as one stacked array). An optimizer made with
    ``stacked=True`` (Adafactor, Muon: norms per run) always gets a slice, a run axis of one for
    a single network."""
    def check(opt: Any) -> Any:
        if not callable(getattr(opt, "step", None)):
            raise ValueError(f"optimizer must have a step(params, grads) method, got {opt!r}")
        return opt

    if runs is None:
        if isinstance(optimizer, Sequence):
            raise ValueError(f"optimizer must be one optimizer for a single network, got a "
                             f"{type(optimizer).__name__} of {len(optimizer)}")
        return [(check(optimizer), slice(0, 1) if _stacked(optimizer) else None)]
    opts = [check(o) for o in optimizer] if isinstance(optimizer, Sequence) else [check(optimizer)] * runs
    if len(opts) != runs:
        raise ValueError(f"optimizer has {len(opts)} optimizers but the model has {runs} runs; "
                         f"pass one, or one per run")
    blocks: list[list[Any]] = []  # [optimizer, first run, last run + 1]
    for r, opt in enumerate(opts):
        if blocks and blocks[-1][0] is opt:
            blocks[-1][2] = r + 1
        else:
            if any(b[0] is opt for b in blocks):
                raise ValueError(f"optimizer: one {type(opt).__name__} instance is given to runs "
                                 f"that are not consecutive (again at run {r}); runs that share an "
                                 f"instance must be next to each other")
            blocks.append([opt, r, r + 1])
    for opt, a, b in blocks:
        if b - a > 1 and not (getattr(opt, "elementwise", True) or _stacked(opt)):
            raise ValueError(f"optimizer: {type(opt).__name__} uses norms of whole arrays "
                             f"(elementwise = False), so one instance cannot step the stacked runs "
                             f"{a} to {b - 1}; give each run its own instance (or make it with "
                             f"stacked=True where the optimizer offers it)")
    return [(opt, a if b - a == 1 and not _stacked(opt) else slice(a, b)) for opt, a, b in blocks]


def _stacked(opt: Any) -> bool:
    """Whether ``opt`` steps arrays with a leading axis of runs (``stacked=True``)."""
    return bool(getattr(opt, "stacked", False))


def _clip_runs(grads: dict[str, Array], norms: Array, max_norm: float) -> None:
    """:func:`clip_grad_norm` for each run: scale run ``r`` by ``min(1, max_norm / (norms[r] +
    1e-6))`` (a factor of exactly 1 leaves a run's numbers untouched)."""
    scale = max_norm / (norms + 1e-6)
    scale = np.where(scale < 1.0, scale, 1.0)
    for g in grads.values():
        g *= scale.reshape(scale.shape + (1,) * (g.ndim - 1))


class _Trainer:
    """The state of one ``train`` call: the stacked parameters, the records, which runs stopped.

    A run stops (as ``train`` stops a single network) at the first mini-batch whose loss or
    gradient norm is not finite, or after an epoch whose loss or weight norm is not finite. From
    then on it is not stepped: a run with its own optimizer is skipped, and a run sharing a
    stacked optimizer step gets its parameters from before the stop written back after each
    step, so its final parameters are the ones a single run stops with.
    """

    def __init__(self, model: MLP, steppers: list, epochs: int, batches: int) -> None:
        self.model, self.steppers = model, steppers
        self.R = model.runs or 1
        # a single network is the stack of one: views, so steps on model.params show here
        self.P = model.params if model.runs else {k: v[None] for k, v in model.params.items()}
        self.rows = {k: np.full((self.R, epochs), np.nan)
                     for k in ("loss", "accuracy", "weight_norm", "grad_norm")}
        self.grad_norms = np.full((self.R, batches), np.nan)  # of the current epoch
        self.counted = np.zeros(self.R, dtype=np.intp)        # batches counted this epoch
        self.epochs = np.zeros(self.R, dtype=np.intp)
        self.stopped = np.zeros(self.R, dtype=bool)           # diverged: no longer trained
        self.frozen = {k: np.empty_like(v) for k, v in self.P.items()}

    def stop(self, runs: NDArray[np.bool_]) -> None:
        """Mark ``runs`` as diverged and keep their parameters as they are now."""
        for k, v in self.P.items():
            self.frozen[k][runs] = v[runs]
        self.stopped |= runs

    def batch(self, j: int, X: Array, y: Array, clip_norm: float | None, y_bound: float) -> None:
        """Forward, loss, backward, record, clip and step on mini-batch ``j`` of every run."""
        L = self.model.n_layers
        z, acts = _forward(self.P, L, X)
        grads = _backprop(self.P, L, acts, z, y)
        norms = _run_norms(grads, self.R)
        live = ~self.stopped
        self.grad_norms[live, j] = norms[live]
        self.counted[live] += 1
        bad = live & ~(_finite_losses(z, y, y_bound) & np.isfinite(norms))
        if bad.any():
            self.stop(bad)
        if self.stopped.all():
            return
        if clip_norm is not None:
            _clip_runs(grads, norms, clip_norm)
        for opt, ix in self.steppers:
            if ix is None:
                opt.step(self.model.params, {k: g[0] for k, g in grads.items()})
            elif not (isinstance(ix, int) and self.stopped[ix]):
                opt.step({k: v[ix] for k, v in self.P.items()}, {k: g[ix] for k, g in grads.items()})
        if self.stopped.any():
            for k, v in self.P.items():
                v[self.stopped] = self.frozen[k][self.stopped]

    def end_epoch(self, epoch: int, live: NDArray[np.bool_], X: Array, y: Array) -> None:
        """Record the epoch for the runs that were training during it; stop the non-finite."""
        z = _forward(self.P, self.model.n_layers, X)[0]
        loss, wnorm = _bce(z, y), _run_norms(self.P, self.R)
        gmean = np.mean(self.grad_norms, axis=1)
        for r in np.flatnonzero(live & (self.counted < self.grad_norms.shape[1])):
            gmean[r] = np.mean(self.grad_norms[r, :self.counted[r]])  # stopped mid-epoch
        for key, value in (("loss", loss), ("accuracy", _accuracy(z, y)),
                           ("weight_norm", wnorm), ("grad_norm", gmean)):
            self.rows[key][live, epoch] = value[live]
        self.epochs[live] += 1
        bad = live & ~self.stopped & ~np.isfinite(loss + wnorm)
        if bad.any():
            self.stop(bad)
        self.grad_norms.fill(np.nan)
        self.counted.fill(0)

    def history(self) -> History | BatchHistory:
        out = BatchHistory(**self.rows, diverged=self.stopped.copy(), epochs=self.epochs.copy())
        return out.run(0) if self.model.runs is None else out


def train(model: MLP, optimizer: Any, X: Array, y: Array, epochs: int = 100,
          batch_size: int = 32, seed: Seeds = 0, clip_norm: float | None = None
          ) -> History | BatchHistory:
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

    **A stack of networks** (``MLP(sizes, seed=seeds)``, ``model.runs == R``) trains all R runs
    in the same loop, each exactly as it would train alone: run ``r`` gets its own batch order
    (``seed[r]``, or ``seed`` for every run), its own loss, clipping and divergence flag, and the
    returned :class:`BatchHistory` row ``r`` equals ``train(model.run(r), ...)`` for that run's
    optimizer and seed, bit for bit. ``optimizer`` is then one optimizer, stepping all runs as one
    stacked array (elementwise rules, and Adafactor and Muon made with ``stacked=True``, which
    take their norms per run; LARS and LAMB take norms of whole arrays), or a
    sequence of R optimizers, one per run; consecutive runs given the same instance are stepped
    together as a stacked slice, so ``[SGD(lr=0.1)] * 5 + [Adam(lr=0.01)] * 5`` trains two groups
    of five runs in one loop.

    Parameters
    ----------
    model : MLP
        Updated in place.
    optimizer : optimizer, or sequence of ``model.runs`` optimizers
    X : ndarray, shape (n, d)
        The training inputs, shared by every run.
    y : ndarray, shape (n,)
        The labels, 0.0 or 1.0.
    epochs, batch_size : int
    seed : int, or sequence of ``model.runs`` ints for a stack
        Seed of the batch order (``np.random.default_rng(seed)``).
    clip_norm : float, optional
        Maximum global gradient norm of a run (``clip_grad_norm``).

    Returns
    -------
    History
        For a single network: per-epoch loss, accuracy, weight norm and gradient norm, and the
        ``diverged`` flag.
    BatchHistory
        For a stack: the same numbers as arrays of shape ``(runs, epochs)``.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    if clip_norm is not None:
        clip_norm = check_positive("clip_norm", clip_norm)
    X, y = _check_data(model, X, y)
    rngs = [np.random.default_rng(s) for s in _order_seeds(seed, model.runs)]
    starts = range(0, len(X), batch_size)
    trainer = _Trainer(model, _steppers(optimizer, model.runs), epochs, len(starts))
    y_bound = float(np.max(np.abs(y)))
    orders = np.empty((len(rngs), len(X)), dtype=np.intp)
    with np.errstate(all="ignore"):  # a diverging run overflows; the flag reports it
        for epoch in range(epochs):
            live = ~trainer.stopped
            orders[:] = np.arange(len(X))
            for rng, order in zip(rngs, orders, strict=True):
                rng.shuffle(order)  # what rng.permutation(len(X)) does, in place
            for j, start in enumerate(starts):
                idx = orders[:, start:start + batch_size]
                trainer.batch(j, np.take(X, idx, axis=0), np.take(y, idx), clip_norm, y_bound)
                if trainer.stopped.all():
                    break
            trainer.end_epoch(epoch, live, X, y)
            if trainer.stopped.all():
                break
    return trainer.history()
