"""Choosing an optimizer (docs/choosing.md): the source articles' defaults checked against the
learning-rate sweep of ``guide/training.py`` (six optimizers, eight rates, ten seeds each).
"""

from __future__ import annotations

from functools import cache

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


# --- today's optimizers against the same measurements ----------------------------------------------
# The training chapter's sweep (circle data, 2-8-1 network, the rates of LRS, ten seeds, 100 epochs)
# for RAdam, Adafactor, Muon (weight matrices; AdamW for the biases, as guide/modern.py), Lion and
# schedule-free AdamW. Accuracy is what optdocs.nn.train records, at the trained point; for
# schedule-free AdamW that is y, not the averaged x the modern chapter scores.

MODERN = ("RAdam", "Adafactor", "Muon", "Lion", "Schedule-free AdamW")
MODERN_KEYS = {"RAdam": "radam", "Adafactor": "adafactor", "Muon": "muon", "Lion": "lion",
               "Schedule-free AdamW": "sf"}


def make_modern(name: str, lr: float):
    """Today's optimizer ``name`` at rate ``lr``, defaults otherwise (Muon: no weight decay);
    Adafactor and Muon take their norms per run, so one instance steps all of a rate's seeds."""
    from guide.modern import MuonWithAdamW
    from optdocs import Adafactor, AdamWScheduleFree, Lion, RAdam

    return {"RAdam": lambda: RAdam(lr=lr), "Adafactor": lambda: Adafactor(lr=lr, stacked=True),
            "Muon": lambda: MuonWithAdamW(lr), "Lion": lambda: Lion(lr=lr),
            "Schedule-free AdamW": lambda: AdamWScheduleFree(lr=lr)}[name]()


@cache
def modern_sweep() -> dict:
    """Runs per (name, lr) for today's five, the training chapter's sweep otherwise unchanged."""
    from guide.training import train_groups

    keys = [(name, lr) for name in MODERN for lr in LRS]
    groups = [((lambda n=name, lr=lr: make_modern(n, lr)), SEEDS) for name, lr in keys]
    return dict(zip(keys, train_groups(groups), strict=True))


def any_usable(name: str) -> list[float]:
    """Rates of LRS at which all ten seeds reach 90%, for the six of the sweep or today's five."""
    if name in OPTIMIZERS:
        return usable_lrs(name)
    return [lr for lr in LRS if reached(modern_sweep()[(name, lr)]) == len(SEEDS)]


def any_best(name: str) -> tuple[float, float]:
    """(rate, mean epochs to 90%) of the fastest usable rate."""
    runs = sweep() if name in OPTIMIZERS else modern_sweep()
    speeds = {lr: float(np.mean(runs[(name, lr)].epochs_to())) for lr in any_usable(name)}
    lr = min(speeds, key=speeds.get)
    return lr, speeds[lr]


@checks
@cache
def modern_claims() -> None:
    windows = {n: any_usable(n) for n in ("Adam", *MODERN)}
    claim(all(windows[n] for n in MODERN), "each of today's five has a usable rate",
          windows=windows)
    adam = windows["Adam"]
    claim(min(windows["Lion"]) < min(adam) and max(windows["Lion"]) <= max(adam),
          "Lion's window starts below Adam's and ends no higher", lion=windows["Lion"], adam=adam)
    claim(max(windows["RAdam"]) >= 10 * max(adam) and min(windows["RAdam"]) > min(adam),
          "RAdam's window reaches ten times higher than Adam's and starts higher",
          radam=windows["RAdam"], adam=adam)
    best = {n: any_best(n) for n in ("Adam", *MODERN)}
    claim(all(best[n][1] >= 3 * best["Adam"][1] for n in ("Muon", "Adafactor")),
          "Muon and Adafactor need at least three times Adam's epochs at their best rates",
          best=best)
    claim(abs(best["Schedule-free AdamW"][1] - best["Adam"][1]) <= 1.0
          and abs(best["Lion"][1] - best["Adam"][1]) <= 1.0,
          "schedule-free AdamW and Lion at their best are within an epoch of Adam at its best",
          best=best)


def _register_modern() -> None:
    for name, key in MODERN_KEYS.items():
        number(f"choosing_window_{key}")(
            lambda n=name: f"{any_usable(n)[0]:g}–{any_usable(n)[-1]:g}")
        number(f"choosing_best_lr_{key}")(lambda n=name: f"{any_best(n)[0]:g}")
        number(f"choosing_best_epochs_{key}", fmt="{:.1f}")(lambda n=name: any_best(n)[1])
    number("choosing_best_epochs_adam", fmt="{:.1f}")(lambda: any_best("Adam")[1])
    number("choosing_best_lr_adam")(lambda: f"{any_best('Adam')[0]:g}")


_register_modern()
