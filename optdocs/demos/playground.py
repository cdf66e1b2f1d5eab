"""The training playground: the 2-8-1 network of the training chapter on the circle data, epoch by
epoch, with its decision boundary.

``playground(..., epoch=e)`` answers what ``optdocs.nn.train`` gives after ``e`` epochs with the
same settings (the same numbers: ``tests/test_demos_sched_play.py`` compares them), plus the
network's output on a grid of points for drawing. A page that plays the training asks for epoch 1,
2, 3, ... in turn: the last few runs are kept in memory, so each call trains only the epochs it
has not seen yet (a result never depends on what was kept).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optdocs.demos._checks import _floats, _integer, _number
from optdocs.demos.schedules import make_schedule
from optdocs.nn import MLP, circle_data, clip_grad_norm, global_norm
from optdocs.optimizers import SGD, Adam, AdamW, Optimizer, RMSprop

#: The optimizers of the training chapter, by name: PyTorch's defaults but for the rate
#: (momentum 0.9 where there is momentum, AdamW's weight_decay 0.01).
PLAYGROUND_OPTIMIZERS: dict[str, Callable[[Any], Optimizer]] = {
    "SGD": lambda lr: SGD(lr=lr),
    "Momentum": lambda lr: SGD(lr=lr, momentum=0.9),
    "Nesterov": lambda lr: SGD(lr=lr, momentum=0.9, nesterov=True),
    "RMSprop": lambda lr: RMSprop(lr=lr),
    "Adam": lambda lr: Adam(lr=lr),
    "AdamW": lambda lr: AdamW(lr=lr),
}
#: Schedules the playground offers, over the whole run of ``epochs`` epochs (warmups: 10% of it;
#: step decay: a tenth of the rate after half of it).
PLAYGROUND_SCHEDULES: tuple[str, ...] = ("constant", "warmup_cosine", "cosine_annealing",
                                         "step_decay", "one_cycle")
MAX_EPOCHS = 1000
#: Target accuracy of the ``epochs_to_90`` readout.
TARGET = 0.9
_KEEP = 4  # runs kept in memory


def circle_points(n: int = 200, seed: int = 0) -> dict[str, list[float]]:
    """The points of ``optdocs.nn.circle_data(n, seed=seed)``: ``x1``, ``x2`` and ``label``."""
    n = _integer("n", n, 1, 10_000)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    X, y = circle_data(n, seed=seed)
    return {"x1": _floats(X[:, 0]), "x2": _floats(X[:, 1]), "label": [int(v) for v in y]}


@dataclass
class _Run:
    """One training run, advanced an epoch at a time exactly as ``optdocs.nn.train`` does."""

    model: MLP
    opt: Optimizer
    rng: np.random.Generator
    X: np.ndarray
    y: np.ndarray
    batch_size: int
    clip: float | None
    loss: list[float] = field(default_factory=list)       # after epochs 0 (start), 1, 2, ...
    accuracy: list[float] = field(default_factory=list)
    params: list[dict[str, np.ndarray]] = field(default_factory=list)
    diverged: bool = False

    @property
    def epoch(self) -> int:
        return len(self.loss) - 1

    def record(self) -> None:
        m = self.model
        self.loss.append(float(m.loss(self.X, self.y)))
        self.accuracy.append(float(m.accuracy(self.X, self.y)))
        self.params.append({k: v.copy() for k, v in m.params.items()})

    def one_epoch(self) -> None:
        """Batches in a fresh order, forward, backward, clipping, step; then the epoch's record.
        A non-finite loss or gradient stops the run before its step (as ``train`` does)."""
        X, y, m = self.X, self.y, self.model
        order = np.arange(len(X))
        self.rng.shuffle(order)
        with np.errstate(all="ignore"):
            for start in range(0, len(X), self.batch_size):
                idx = order[start:start + self.batch_size]
                loss, grads = m.loss_and_grads(X[idx], y[idx])
                if not (math.isfinite(loss) and math.isfinite(global_norm(grads))):
                    self.diverged = True
                    break
                if self.clip is not None:
                    clip_grad_norm(grads, self.clip)
                self.opt.step(m.params, grads)
            self.record()
            if not math.isfinite(self.loss[-1] + global_norm(m.params)):
                self.diverged = True


_RUNS: OrderedDict[tuple, _Run] = OrderedDict()


def _get_run(key: tuple, make: Callable[[], _Run], epoch: int) -> _Run:
    """The kept run for ``key`` (every epoch it went through is kept), else a new one; trained
    up to ``epoch`` (or until it diverged)."""
    run = _RUNS.pop(key, None)
    if run is None:
        run = make()
        run.record()
    _RUNS[key] = run
    while len(_RUNS) > _KEEP:
        _RUNS.popitem(last=False)
    while run.epoch < epoch and not run.diverged:
        run.one_epoch()
    return run


def _boundary(model: MLP, params: dict[str, np.ndarray], resolution: int) -> dict[str, Any]:
    """The network's probability of class 1 on a ``resolution`` x ``resolution`` grid over the
    data's square [-2, 2]^2, rows along x2, rounded to 0.01 (for drawing; NaN drawn as 0.5)."""
    g = np.linspace(-2.0, 2.0, resolution)
    pts = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)   # x1 varies fastest
    saved, model.params = model.params, params
    try:
        with np.errstate(all="ignore"):
            p = model.forward(pts)
    finally:
        model.params = saved
    p = np.where(np.isfinite(p), np.round(p, 2), 0.5)
    return {"x": _floats(g), "p": _floats(p)}


def playground(optimizer: str = "Adam", lr: float = 0.03, schedule: str = "constant",
               batch_size: int = 32, clip: float = 0.0, epoch: int = 100, epochs: int = 100,
               seed: int = 0, resolution: int = 21) -> dict[str, Any]:
    r"""The 2-8-1 network on the circle data after ``epoch`` epochs of training.

    Training is ``optdocs.nn.train(MLP((2, 8, 1), seed=seed), opt, X, y, epochs=epoch,
    batch_size=batch_size, seed=seed, clip_norm=clip or None)`` on ``X, y = circle_data()``,
    with ``opt = PLAYGROUND_OPTIMIZERS[optimizer](rate)``: the same numbers, epoch for epoch.
    The rate is ``lr`` or, for a schedule other than ``"constant"``, the schedule
    ``optdocs.demos.make_schedule(schedule, lr, total_steps)`` over the whole run of ``epochs``
    epochs (``total_steps = epochs * ceil(200 / batch_size)``; warmups take 10% of the run,
    ``step_decay`` divides the rate by 10 after half of it), so the run up to ``epoch`` is the
    beginning of that longer run.

    Parameters
    ----------
    optimizer : str
        A name of ``PLAYGROUND_OPTIMIZERS``.
    lr : float
        The (peak) learning rate, > 0.
    schedule : str
        One of ``PLAYGROUND_SCHEDULES``.
    batch_size : int
        1 to 200.
    clip : float
        Largest global gradient norm (``clip_norm``); 0 for no clipping.
    epoch : int
        Epochs trained so far, 0 to ``epochs``.
    epochs : int
        Length of the whole run (what the schedule spans), 1 to 1000.
    seed : int
        Initial weights and batch order, 0 to 2**32 - 1.
    resolution : int
        Points per side of the boundary's grid, 2 to 101.

    Returns
    -------
    dict
        ``loss`` and ``accuracy`` on the 200 points before training and after each epoch up to
        ``epoch`` (the record stops where a run diverged; a non-finite loss is None),
        ``final_loss`` and ``final_accuracy`` (the last of them), ``epochs_to_90`` (first epoch
        with accuracy >= 0.9, or None), ``steps`` (optimizer steps taken), ``lr`` (the rate of
        the last step, or of the first one before any), ``diverged``, ``stopped_at`` (the epoch
        the record ends at) and ``boundary``: ``x`` (the grid along each axis) and ``p`` (the
        probability of class 1, row by row along x2, x1 varying fastest).
    """
    if optimizer not in PLAYGROUND_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {list(PLAYGROUND_OPTIMIZERS)}, "
                         f"got {optimizer!r}")
    if schedule not in PLAYGROUND_SCHEDULES:
        raise ValueError(f"schedule must be one of {list(PLAYGROUND_SCHEDULES)}, got {schedule!r}")
    lr = _number("lr", lr, positive=True)
    batch_size = _integer("batch_size", batch_size, 1, 200)
    clip = _number("clip", clip, low=0.0)
    epochs = _integer("epochs", epochs, 1, MAX_EPOCHS)
    epoch = _integer("epoch", epoch, 0, epochs)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    resolution = _integer("resolution", resolution, 2, 101)
    per_epoch = math.ceil(200 / batch_size)
    total = epochs * per_epoch
    rate: Any = lr
    if schedule != "constant":
        rate = make_schedule(schedule, lr, total, warmup=0.1, decay=0.1, interval=0.5)

    def make() -> _Run:
        X, y = circle_data()
        return _Run(MLP((2, 8, 1), seed=seed), PLAYGROUND_OPTIMIZERS[optimizer](rate),
                    np.random.default_rng(seed), X, y, batch_size, clip or None)

    key = (optimizer, lr, schedule, batch_size, clip, epochs, seed)
    run = _get_run(key, make, epoch)
    end = min(epoch, run.epoch)
    loss = [v if math.isfinite(v) else None for v in run.loss[:end + 1]]
    acc = run.accuracy[:end + 1]
    hit = next((e for e, a in enumerate(acc) if e > 0 and a >= TARGET), None)
    steps = _steps_until(run, end, per_epoch)
    return {
        "epoch": epoch,
        "loss": loss,
        "accuracy": acc,
        "final_loss": loss[-1],
        "final_accuracy": acc[-1],
        "epochs_to_90": hit,
        "steps": steps,
        "lr": run.opt.lr_at(max(steps, 1)),
        "diverged": run.diverged and end == run.epoch,
        "stopped_at": end,
        "boundary": _boundary(run.model, run.params[end], resolution),
    }


def _steps_until(run: _Run, end: int, per_epoch: int) -> int:
    """Optimizer steps taken in the first ``end`` epochs (the last epoch of a diverged run stops
    at its bad batch)."""
    if run.diverged and end == run.epoch:
        return run.opt.t
    return end * per_epoch
