"""Choosing an optimizer (docs/choosing.md): the source articles' defaults checked against the
learning-rate sweep of ``guide/training.py`` (six optimizers, eight rates, ten seeds each).
"""

from __future__ import annotations

import numpy as np

from guide.claims import claim
from guide.registry import checks, number
from guide.training import LRS, OPTIMIZERS, SEEDS, best_lr, reached, sweep, usable_lrs


def _first_unstable(name: str) -> float:
    """The smallest rate above the usable window at which some seed fails to reach 90%."""
    usable = usable_lrs(name)
    return min(lr for lr in LRS if lr > max(usable) and reached(sweep()[(name, lr)]) < len(SEEDS))


@checks
def claims() -> None:
    """The page's statements, checked before any of its numbers is computed."""
    s = sweep()
    claim(reached(s[("Adam", 1e-3)]) == 0,
          "at Adam's default rate 1e-3 no run reaches 90% within the epochs",
          reached=reached(s[("Adam", 1e-3)]))
    claim(reached(s[("Adam", 1e-2)]) == len(SEEDS), "at ten times the default every run does",
          reached=reached(s[("Adam", 1e-2)]), seeds=len(SEEDS))
    # "lower it 3-10x if unstable": from the first unstable rate, 3x and 10x lower both work
    bad = _first_unstable("Adam")
    for factor in (3, 10):
        lower = min(LRS, key=lambda lr, b=bad, f=factor: abs(np.log(lr * f / b)))
        claim(reached(s[("Adam", lower)]) == len(SEEDS),
              "lowering Adam's first unstable rate 3 to 10 times makes every run reach 90%",
              unstable=bad, factor=factor, lower=lower, reached=reached(s[("Adam", lower)]))
    claim(len(usable_lrs("Adam")) <= len(usable_lrs("Momentum")),
          "Adam's usable window of rates is not wider than momentum's",
          adam=usable_lrs("Adam"), momentum=usable_lrs("Momentum"))
    claim(best_lr("Adam") / 1e-3 >= 100, "the best Adam rate is hundreds of times the default",
          best=best_lr("Adam"))
    mean_best = {n: float(np.mean(s[(n, best_lr(n))].epochs_to())) for n in ("Momentum", "Nesterov")}
    claim(abs(mean_best["Nesterov"] - mean_best["Momentum"]) <= 1.5,
          "Nesterov and heavy-ball momentum at their best rates are about an epoch apart",
          **mean_best)
    ea, ew = s[("Adam", 0.01)].epochs_to(), s[("AdamW", 0.01)].epochs_to()
    claim(abs(np.mean(ea) - np.mean(ew)) < min(np.std(ea), np.std(ew)),
          "Adam and AdamW at 0.01 differ in epochs by less than the seed-to-seed spread",
          adam_mean=np.mean(ea), adamw_mean=np.mean(ew), adam_std=np.std(ea), adamw_std=np.std(ew))
    fa, fw = s[("Adam", 0.01)].final_accuracy, s[("AdamW", 0.01)].final_accuracy
    claim(abs(np.mean(fa) - np.mean(fw)) < max(np.std(fa), np.std(fw)),
          "Adam and AdamW at 0.01 differ in accuracy by less than the seed-to-seed spread",
          adam_mean=np.mean(fa), adamw_mean=np.mean(fw), adam_std=np.std(fa), adamw_std=np.std(fw))
    claim(reached(s[("SGD", 0.01)]) == 0,
          "the table's typical rate for SGD, 0.01, fails here", reached=reached(s[("SGD", 0.01)]))
    claim(reached(s[("RMSprop", 1e-3)]) == 0,
          "the table's typical rate for RMSprop, 0.001, fails here",
          reached=reached(s[("RMSprop", 1e-3)]))


@number("choosing_adam_unstable")
def _():
    return f"{_first_unstable('Adam'):g}"


@number("choosing_adam_unstable_reached")
def _():
    return f"{reached(sweep()[('Adam', _first_unstable('Adam'))])}/{len(SEEDS)}"


def _register() -> None:
    for lr in (1e-2, 3e-2, 1e-1, 3e-1):
        key = str(lr).replace(".", "p").replace("-", "m")
        number(f"choosing_adam_{key}_epochs", fmt="{:.0f}")(
            lambda lr=lr: float(np.nanmean(sweep()[("Adam", lr)].epochs_to())))
    for name in OPTIMIZERS:
        number(f"choosing_window_{name.lower()}")(
            lambda n=name: f"{usable_lrs(n)[0]:g}–{usable_lrs(n)[-1]:g}")


_register()
