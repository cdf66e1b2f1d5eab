"""A learning-rate schedule over a short noisy run: its rate at every step, and what it does.

The run is plain SGD on ``optdocs.landscapes.flat_steep`` (curvatures 0.1 and 8) with Gaussian
gradient noise, many seeded runs at once (``optdocs.simulate.simulate``). The steep direction sets
the largest stable rate (2/8 = 0.25) and the noise floor (the loss left by the bouncing, which
grows with the rate); the flat direction needs many steps at a good rate to get anywhere. A
schedule trades the two: a decay lowers the floor, a decay that comes too early stops the progress
along the flat direction, a warmup spends its first steps at a fraction of the rate.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from optdocs import schedules as S
from optdocs.demos._checks import MAX_RUNS, MAX_STEPS, _floats, _integer, _number
from optdocs.landscapes import flat_steep
from optdocs.optimizers import SGD
from optdocs.simulate import simulate

#: The schedules of ``optdocs.schedules`` the demos build, by the name of their factory.
SCHEDULES: tuple[str, ...] = ("constant", "step_decay", "exponential_decay", "cosine_annealing",
                              "linear_warmup", "warmup_cosine", "one_cycle")
#: Which of ``make_schedule``'s shape parameters each schedule uses.
SCHEDULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step_decay": ("decay", "interval"),
    "exponential_decay": ("decay", "interval"),
    "cosine_annealing": (),
    "linear_warmup": ("warmup",),
    "warmup_cosine": ("warmup",),
    "one_cycle": ("warmup",),
}


def make_schedule(schedule: str, lr: float, total_steps: int, warmup: float = 0.1,
                  decay: float = 0.5, interval: float = 0.25) -> S.Schedule:
    """The ``optdocs.schedules`` schedule ``schedule`` over a run of ``total_steps`` steps.

    Lengths are given as fractions of the run, so the same settings fit any run length:

    - ``constant``: ``constant(lr)``;
    - ``step_decay``: ``step_decay(lr, step_size=interval * total_steps, gamma=decay)``;
    - ``exponential_decay``: ``exponential_decay(lr, decay_steps=interval * total_steps,
      decay_rate=decay)``;
    - ``cosine_annealing``: ``cosine_annealing(lr, total_steps)`` (down to 0);
    - ``linear_warmup``: ``linear_warmup(lr, warmup_steps=warmup * total_steps)`` (from 0);
    - ``warmup_cosine``: ``warmup_cosine(lr, warmup_steps=warmup * total_steps, total_steps)``;
    - ``one_cycle``: ``one_cycle(lr, total_steps, pct_start=warmup)`` (``lr`` is the peak).

    Step counts are rounded to the nearest integer (at least 1 for an interval).

    Parameters
    ----------
    schedule : str
        One of ``SCHEDULES``.
    lr : float
        The initial or peak rate, > 0.
    total_steps : int
        1 to 5000.
    warmup : float
        Fraction of the run spent warming up, 0.01 to 0.9 (``one_cycle``: its ``pct_start``).
    decay : float
        Factor per interval (``gamma``, ``decay_rate``), > 0 and <= 1.
    interval : float
        Fraction of the run between two decays by ``decay``, 0.01 to 1.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {list(SCHEDULES)}, got {schedule!r}")
    lr = _number("lr", lr, positive=True)
    total = _integer("total_steps", total_steps, 1, MAX_STEPS)
    warmup = _number("warmup", warmup, low=0.01, high=0.9)
    decay = _number("decay", decay, positive=True, high=1.0)
    interval = _number("interval", interval, low=0.01, high=1.0)
    every = max(1, round(interval * total))
    warm = round(warmup * total)
    if schedule == "constant":
        return S.constant(lr)
    if schedule == "step_decay":
        return S.step_decay(lr, step_size=every, gamma=decay)
    if schedule == "exponential_decay":
        return S.exponential_decay(lr, decay_steps=every, decay_rate=decay)
    if schedule == "cosine_annealing":
        return S.cosine_annealing(lr, total_steps=total)
    if schedule == "linear_warmup":
        return S.linear_warmup(lr, warmup_steps=warm)
    if schedule == "warmup_cosine":
        return S.warmup_cosine(lr, warmup_steps=warm, total_steps=total)
    return S.one_cycle(lr, total_steps=total, pct_start=warmup)


def schedule_run(schedule: str, lr: float, warmup: float = 0.1, decay: float = 0.5,
                 interval: float = 0.25, steps: int = 200, noise: float = 1.0, runs: int = 50,
                 seed: int = 0) -> dict[str, Any]:
    r"""The schedule's rate at every step, and SGD with it on the noisy ``flat_steep`` bowl.

    The schedule is ``make_schedule(schedule, lr, steps, warmup, decay, interval)``; SGD step
    ``t`` (1-based) uses its rate at ``t - 1``. All ``runs`` runs start at the landscape's start
    point (-4, 1) and get gradients with noise of standard deviation ``noise`` drawn from ``seed``
    (the same noise for every schedule). Parameters a schedule does not use do not change the
    answer.

    Parameters
    ----------
    schedule, lr, warmup, decay, interval
        As in :func:`make_schedule`.
    steps : int
        Length of the run, 1 to 5000.
    noise : float
        Standard deviation of the gradient noise, >= 0.
    runs : int
        Number of runs averaged, 1 to 10000.
    seed : int
        0 to 2**32 - 1.

    Returns
    -------
    dict
        ``schedule``: the ``optdocs.schedules`` call (its ``repr``); ``lr``: the rate of every
        step (``steps`` floats, the step's 0-based index); ``loss``: the mean loss over the runs
        after 0, 1, ..., ``steps`` steps (``steps + 1`` floats, None once a run has diverged);
        ``final_loss`` (None if a run diverged), ``first_lr``, ``peak_lr``, ``peak_step`` (first
        step at the highest rate), ``final_lr``, ``diverged`` (fraction of the runs that
        overflowed) and ``uses``: the parameters this schedule uses.
    """
    steps = _integer("steps", steps, 1, MAX_STEPS)
    sched = make_schedule(schedule, lr, steps, warmup, decay, interval)
    noise = _number("noise", noise, low=0.0)
    runs = _integer("runs", runs, 1, MAX_RUNS)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    lrs, loss, diverged = _run(sched, steps, noise, runs, seed)
    peak = int(np.argmax(lrs))
    return {
        "schedule": repr(sched),
        "lr": list(lrs),
        "loss": list(loss),
        "final_loss": loss[-1],
        "first_lr": lrs[0],
        "peak_lr": lrs[peak],
        "peak_step": peak,
        "final_lr": lrs[-1],
        "diverged": diverged,
        "uses": list(SCHEDULE_PARAMETERS[schedule]),
    }


@lru_cache(maxsize=64)
def _run(sched: S.Schedule, steps: int, noise: float, runs: int, seed: int
         ) -> tuple[tuple[float, ...], tuple[float | None, ...], float]:
    """(rates, mean losses, diverged fraction); cached by the schedule itself, so settings a
    schedule ignores cost nothing more."""
    lrs = _floats(sched(np.arange(steps)))
    # the optimizer calls its rate once per step: read the rates computed above
    opt = SGD(lr=lambda t: lrs[t])
    tr = simulate(flat_steep, opt, steps=steps, runs=runs, noise=noise, seed=seed)
    with np.errstate(over="ignore"):  # runs near overflow: their mean is inf, dropped below
        mean = np.mean(tr.losses, axis=1)
    first_bad = int(tr.diverged_at[tr.diverged].min()) if tr.diverged.any() else steps + 1
    loss = tuple(float(v) if t < first_bad and np.isfinite(v) else None
                 for t, v in enumerate(mean))
    return tuple(lrs), loss, float(tr.diverged_fraction)
