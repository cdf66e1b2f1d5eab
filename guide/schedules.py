"""Schedules chapter (docs/schedules.md): the five schedule families, the Keras example of the
source article, where the scheduler call goes, and training with and without warmup + cosine.

The training runs are those of ``guide/training.py`` (same data, network, seeds and batch order);
the constant-rate Adam runs are taken from its learning-rate sweep.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from guide.training import SEEDS, Runs, dead_units, mean_sd, reached, sweep, train_groups
from optdocs import Adam
from optdocs.nn import circle_data
from optdocs.schedules import (
    cosine_annealing,
    exponential_decay,
    linear_warmup,
    one_cycle,
    step_decay,
    warmup_cosine,
)

# --- the five families, drawn over the same 1000 steps ---------------------------------------

CURVE_STEPS = 1000
PEAK = 0.1


def families() -> dict:
    return {
        "step decay (×0.1 every 400)": step_decay(PEAK, step_size=400, gamma=0.1),
        "exponential (×0.9 every 100)": exponential_decay(PEAK, decay_steps=100, decay_rate=0.9),
        "cosine": cosine_annealing(PEAK, total_steps=CURVE_STEPS),
        "warmup 100 + cosine": warmup_cosine(PEAK, warmup_steps=100, total_steps=CURVE_STEPS),
        "one-cycle": one_cycle(PEAK, total_steps=CURVE_STEPS),
    }


@figure("schedules-families",
        alt="Learning rate against step for five schedules with the same peak 0.1 over 1000 "
            "steps: a staircase (step decay), a smooth exponential decay, a cosine from 0.1 to 0, "
            "a linear warmup over 100 steps followed by a cosine, and the one-cycle policy rising "
            "to 0.1 at step 299 and falling far below its start.",
        caption="All five reach the same peak; compare how each spends it: the step decay falls in "
                "stairs, exponential and cosine glide down, warmup climbs first, and one-cycle climbs"
                " for longer and ends far below where it started.")
def _():
    from optdocs.plots import schedule_curves

    return schedule_curves(families(), CURVE_STEPS)


# --- the source article's Keras example -------------------------------------------------------

KERAS = exponential_decay(0.01, decay_steps=1000, decay_rate=0.9)
KERAS_STEPS = (0, 1, 500, 700, 1000, 5000, 10_000, 50_000)


def _register_keras() -> None:
    for s in KERAS_STEPS:
        number(f"sched_keras_{s}", fmt="{:.6g}")(lambda s=s: KERAS(s))


_register_keras()


@number("sched_keras_10k_pct", fmt="{:.0%}")
def _():
    return KERAS(10_000) / KERAS(0)


# --- per-batch schedule stepped per epoch --------------------------------------------------------

@number("sched_epoch_bug_final", fmt="{:.4f}")
def _():
    # cosine over 700 steps, but advanced once per epoch for 100 epochs: the last rate used
    return cosine_annealing(0.1, total_steps=700)(99)


# --- training with and without warmup + cosine -------------------------------------------------

TOTAL_STEPS = 700          # 100 epochs of 7 mini-batches (200 points, batch 32)
WARMUP = TOTAL_STEPS // 10
WARM_LRS = (0.01, 0.03, 0.1, 0.3, 1.0)
ABLATION_LR = 1.0


#: Adam with a schedule, per kind: a factory taking the peak learning rate.
SCHEDULED = {
    "constant": lambda lr: Adam(lr=lr),
    "warmup+cosine": lambda lr: Adam(lr=warmup_cosine(lr, WARMUP, TOTAL_STEPS)),
    "warmup only": lambda lr: Adam(lr=linear_warmup(lr, WARMUP)),
    "cosine only": lambda lr: Adam(lr=cosine_annealing(lr, TOTAL_STEPS)),
}


@cache
def warm_runs() -> dict[tuple[str, float], Runs]:
    """Adam with constant rate (from the training sweep) and with schedules."""
    keys = [("warmup+cosine", lr) for lr in WARM_LRS]
    keys += [("warmup only", ABLATION_LR), ("cosine only", ABLATION_LR)]
    groups = [((lambda f=SCHEDULED[kind], lr=lr: f(lr)), SEEDS) for kind, lr in keys]
    out = dict(zip(keys, train_groups(groups), strict=True))
    for lr in WARM_LRS:
        out[("constant", lr)] = sweep()[("Adam", lr)]
    return out


def collapsed(runs: Runs) -> int:
    """Runs whose final accuracy is exactly that of always answering 0."""
    majority = 1 - circle_data()[1].mean()
    return int(np.sum(np.isclose(runs.final_accuracy, majority)))


@checks
@cache
def claims() -> None:
    r = warm_runs()
    e = {k: np.nanmean(v.epochs_to()) for k, v in r.items()}
    fl = {k: float(np.mean(v.final_loss)) for k, v in r.items()}
    for lr in (0.01, 0.03, 0.1):
        claim(e[("warmup+cosine", lr)] > e[("constant", lr)],
              "at small and moderate rates the schedule only delays reaching 90%", lr=lr,
              schedule_epochs=e[("warmup+cosine", lr)], constant_epochs=e[("constant", lr)])
    big = ABLATION_LR
    claim(reached(r[("warmup+cosine", big)]) == len(SEEDS),
          "at the largest rate warmup + cosine brings every run to 90%",
          lr=big, reached=reached(r[("warmup+cosine", big)]))
    claim(reached(r[("constant", big)]) < len(SEEDS),
          "at the largest rate some runs with a constant rate fail",
          lr=big, reached=reached(r[("constant", big)]))
    claim(fl[("warmup+cosine", big)] < fl[("constant", big)] / 2,
          "at the largest rate the schedule ends at less than half the constant rate's loss",
          schedule=fl[("warmup+cosine", big)], constant=fl[("constant", big)])
    claim(reached(r[("warmup only", big)]) > reached(r[("constant", big)]),
          "warmup alone rescues the runs that fail early",
          warmup_only=reached(r[("warmup only", big)]), constant=reached(r[("constant", big)]))
    claim(fl[("cosine only", big)] < fl[("warmup only", big)],
          "the decay, not the warmup, lowers the final loss",
          cosine_only=fl[("cosine only", big)], warmup_only=fl[("warmup only", big)])
    dead_big = np.mean(dead_units(r[("constant", big)]))
    dead_small = np.mean(dead_units(r[("constant", 0.01)]))
    claim(dead_big > 3 * dead_small, "at rate 1.0 Adam kills ReLU units",
          dead_at_big=dead_big, dead_at_001=dead_small)
    claim(collapsed(r[("constant", big)]) >= 3,
          "runs that lose most units collapse to the all-zeros answer",
          collapsed=collapsed(r[("constant", big)]))
    claim(collapsed(r[("cosine only", big)]) + collapsed(r[("warmup+cosine", big)])
          < collapsed(r[("constant", big)]), "the decay stops the late collapses",
          cosine_only=collapsed(r[("cosine only", big)]),
          warmup_cosine=collapsed(r[("warmup+cosine", big)]),
          constant=collapsed(r[("constant", big)]))
    claim(collapsed(r[("warmup only", big)]) > 0, "warmup alone still collapses some runs",
          collapsed=collapsed(r[("warmup only", big)]))
    const = r[("constant", big)]
    ends_at_zero = np.isclose(const.final_accuracy, 1 - circle_data()[1].mean())
    got_there = np.isfinite(const.epochs_to())
    claim(np.any(ends_at_zero & ~got_there) and np.any(ends_at_zero & got_there),
          "some collapsed runs had reached 90% before, some never did",
          collapsed_never=int(np.sum(ends_at_zero & ~got_there)),
          collapsed_after=int(np.sum(ends_at_zero & got_there)))
    best_const = min(fl[("constant", lr)] for lr in WARM_LRS)
    best_sched = min(fl[("warmup+cosine", lr)] for lr in WARM_LRS)
    claim(best_sched > best_const * 0.5,
          "with a well-chosen rate no schedule beats the best constant rate on final loss by much",
          best_schedule=best_sched, best_constant=best_const)


# --- the scheduler called before the optimizer: the schedule shifted one step early -----------

SHIFT_LR = 0.1


@cache
def shifted_runs() -> tuple[Runs, Runs]:
    """Adam with warmup + cosine at SHIFT_LR in the right order, and shifted one step early."""
    early = warmup_cosine(SHIFT_LR, WARMUP, TOTAL_STEPS)
    (wrong,) = train_groups([(lambda: Adam(lr=lambda t: early(t + 1)), SEEDS)])
    return warm_runs()[("warmup+cosine", SHIFT_LR)], wrong


@number("sched_shift_right", fmt="{:.4f}")
def _():
    right, wrong = shifted_runs()
    ratio = np.mean(wrong.final_loss) / np.mean(right.final_loss)
    claim(abs(ratio - 1) < 0.1,
          "calling the scheduler one step early changes the final loss by under ten percent",
          ratio=ratio)
    return float(np.mean(right.final_loss))


@number("sched_shift_wrong", fmt="{:.4f}")
def _():
    return float(np.mean(shifted_runs()[1].final_loss))


NO_DECAY, WITH_DECAY = ("constant", "warmup only"), ("cosine only", "warmup+cosine")


def pooled_collapses(kinds: tuple[str, ...]) -> tuple[int, int]:
    """(runs ending at the all-zeros answer, runs) at ABLATION_LR over the given schedules."""
    r = warm_runs()
    return sum(collapsed(r[(k, ABLATION_LR)]) for k in kinds), len(kinds) * len(SEEDS)


def fisher_one_sided(a: int, n: int, c: int, m: int) -> float:
    """P(at most `a` of `n` runs collapse | `a + c` collapses among `n + m` runs): Fisher's exact
    test that the first group collapses less often than the second (hypergeometric lower tail)."""
    k, total = a + c, n + m
    return sum(math.comb(k, i) * math.comb(total - k, n - i) for i in range(a + 1)) \
        / math.comb(total, n)


def collapse_p() -> float:
    (a, n), (c, m) = pooled_collapses(WITH_DECAY), pooled_collapses(NO_DECAY)
    return fisher_one_sided(a, n, c, m)


@checks
@cache
def collapse_claims() -> None:
    a, c = pooled_collapses(WITH_DECAY)[0], pooled_collapses(NO_DECAY)[0]
    claim(a < c, "runs with a decay collapse less often than runs without", decay=a, no_decay=c)
    claim(collapsed(warm_runs()[("warmup+cosine", ABLATION_LR)]) > 0,
          "warmup + cosine does not stop every late collapse",
          collapsed=collapsed(warm_runs()[("warmup+cosine", ABLATION_LR)]))
    claim(0.01 < collapse_p() < 0.1,
          "with ten seeds per setting the difference is borderline, neither clear nor negligible",
          p=collapse_p())


number("sched_collapse_decay")(lambda: "{}/{}".format(*pooled_collapses(WITH_DECAY)))
number("sched_collapse_nodecay")(lambda: "{}/{}".format(*pooled_collapses(NO_DECAY)))
number("sched_collapse_p", fmt="{:.2f}")(collapse_p)
number("sched_seeds")(lambda: len(SEEDS))


def _register_warm() -> None:
    kinds = ("constant", "warmup+cosine")
    for kind in kinds:
        for lr in WARM_LRS:
            key = f"{kind.replace('+', '_')}_{str(lr).replace('.', 'p')}"
            number(f"sched_{key}_reached")(
                lambda k=kind, lr=lr: f"{reached(warm_runs()[(k, lr)])}/{len(SEEDS)}")
            number(f"sched_{key}_epochs")(
                lambda k=kind, lr=lr: mean_sd(warm_runs()[(k, lr)].epochs_to()))
            number(f"sched_{key}_loss")(
                lambda k=kind, lr=lr: mean_sd(warm_runs()[(k, lr)].final_loss, "{:.3f}"))
    for kind in ("constant", "warmup only", "cosine only", "warmup+cosine"):
        key = kind.replace("+", "_").replace(" ", "_")
        number(f"sched_ablation_{key}_reached")(
            lambda k=kind: f"{reached(warm_runs()[(k, ABLATION_LR)])}/{len(SEEDS)}")
        number(f"sched_ablation_{key}_acc")(
            lambda k=kind: mean_sd(100 * warm_runs()[(k, ABLATION_LR)].final_accuracy, "{:.1f}")
            + " %")
        number(f"sched_ablation_{key}_loss")(
            lambda k=kind: mean_sd(warm_runs()[(k, ABLATION_LR)].final_loss, "{:.3f}"))
        number(f"sched_ablation_{key}_collapsed")(
            lambda k=kind: f"{collapsed(warm_runs()[(k, ABLATION_LR)])}/{len(SEEDS)}")
        number(f"sched_ablation_{key}_dead", fmt="{:.1f}")(
            lambda k=kind: float(np.mean(dead_units(warm_runs()[(k, ABLATION_LR)]))))


_register_warm()


@figure("schedules-warmup-ablation",
        alt="Training loss per epoch of Adam at learning rate 1.0 on the circle data, averaged "
            "over ten seeds, for a constant rate, warmup only, cosine only and warmup + cosine: "
            "the two curves with a cosine decay end far lower than the two without.",
        caption="Compare where the four curves end: the two with a cosine decay finish far below the "
                "two without. These are means over ten seeds; single runs can still collapse (see the"
                " text).",
        page_kwargs={"seeds": (0, 1, 2)})
def _(seeds=SEEDS):
    from optdocs.plots import loss_curves

    kinds = ("constant", "warmup only", "cosine only", "warmup+cosine")
    runs = train_groups([((lambda f=SCHEDULED[k]: f(ABLATION_LR)), seeds) for k in kinds])
    curves = {k: np.nanmean(r.loss, axis=0) for k, r in zip(kinds, runs, strict=True)}
    fig = loss_curves(curves, xlabel="epoch", ylabel=f"training loss (mean of {len(seeds)} seeds)",
                      logy=True)
    return fig


# --- one-cycle landmarks ---------------------------------------------------------------------

@number("sched_1cyc_start", fmt="{:.3g}")
def _():
    return one_cycle(PEAK, CURVE_STEPS)(0)


@number("sched_1cyc_end", fmt="{:.2g}")
def _():
    return one_cycle(PEAK, CURVE_STEPS)(CURVE_STEPS - 1)


@number("sched_1cyc_peak_step")
def _():
    lrs = one_cycle(PEAK, CURVE_STEPS)(np.arange(CURVE_STEPS))
    return int(np.argmax(lrs))


@number("sched_keras_k", fmt="{:.3e}")
def _():
    return -np.log(0.9) / 1000


def _best(kind: str) -> float:
    return min(WARM_LRS, key=lambda lr: float(np.mean(warm_runs()[(kind, lr)].final_loss)))


@number("sched_best_const_lr")
def _():
    return f"{_best('constant'):g}"


@number("sched_best_sched_lr")
def _():
    return f"{_best('warmup+cosine'):g}"


@number("sched_best_const_loss", fmt="{:.3f}")
def _():
    return float(np.mean(warm_runs()[("constant", _best("constant"))].final_loss))


@number("sched_best_sched_loss", fmt="{:.3f}")
def _():
    return float(np.mean(warm_runs()[("warmup+cosine", _best("warmup+cosine"))].final_loss))


@number("sched_dead_small", fmt="{:.1f}")
def _():
    return float(np.mean(dead_units(warm_runs()[("constant", 0.01)])))
