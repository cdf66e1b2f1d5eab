"""Chapter 4 (docs/momentum.md), "Momentum on the double well": does velocity roll a run over a bump?

The landscape chapter lists velocity among the ways out of a shallow minimum. Three measurements on
``double_well`` (shallow minimum at -1, bump at 0, deep minimum at 1.5):

1. Without noise, from the left wall (x0 = -2): which (lr, momentum) carry the run over the bump.
2. With gradient noise sigma = 0.3, from the shallow minimum itself, RUNS runs per setting: the share
   that ends in the deep well.
3. Momentum (lr, mu) against plain SGD at lr / (1 - mu), the rate momentum reaches along a slow
   direction: same noise, same runs.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks
from guide.registry import number as num
from optdocs import SGD
from optdocs.landscapes import double_well
from optdocs.simulate import simulate

LRS = (0.01, 0.03, 0.1, 0.3)
MUS = (0.0, 0.5, 0.8, 0.9, 0.95)
WALL = -2.0
NOISE = 0.3
RUNS = 1000
STEPS = 1000
PAIRS = ((0.03, 0.9), (0.1, 0.8), (0.1, 0.9), (0.03, 0.95))   # (lr, mu) against SGD at lr / (1 - mu)


def tag(x: float) -> str:
    """0.03 -> "003", 0.95 -> "095"."""
    return f"{round(x * 100):03d}"


@cache
def from_wall(lr: float, mu: float) -> str:
    """Noise-free run from x0 = WALL: "deep", "shallow" or "diverged"."""
    tr = simulate(double_well, SGD(lr=lr, momentum=mu), x0=[WALL], steps=STEPS)
    if tr.diverged[0]:
        return "diverged"
    return "deep" if tr.basins()[0] == 0 else "shallow"


@cache
def resting(lr: float, mu: float) -> float:
    """Noise-free run started in the shallow minimum: its largest distance from it."""
    tr = simulate(double_well, SGD(lr=lr, momentum=mu), x0=[-1.0], steps=STEPS)
    return float(np.abs(tr.positions[:, 0, 0] + 1.0).max())


@cache
def noisy(lr: float, mu: float) -> dict[str, float]:
    """RUNS runs from the shallow minimum with gradient noise NOISE: shares escaped and diverged."""
    tr = simulate(double_well, SGD(lr=lr, momentum=mu), x0=[-1.0], steps=STEPS, runs=RUNS,
                  noise=NOISE, seed=0)
    return {"escaped": tr.escape_fraction(), "diverged": tr.diverged_fraction}


@checks
@cache
def claims() -> None:
    claim(all(resting(lr, mu) == 0.0 for lr in LRS for mu in MUS),
          "without noise, a run resting in the shallow minimum never moves, whatever the momentum")
    claim(from_wall(0.03, 0.0) == "shallow" and from_wall(0.03, 0.9) == "deep",
          "from the wall at lr 0.03, plain SGD stops in the shallow well and momentum 0.9 rolls over",
          sgd=from_wall(0.03, 0.0), momentum=from_wall(0.03, 0.9))
    claim(all(from_wall(lr, 0.0) == "shallow" for lr in LRS),
          "without momentum no rate of the grid gets over the bump from the wall",
          ends=[from_wall(lr, 0.0) for lr in LRS])
    claim(from_wall(0.1, 0.9) == "deep" and from_wall(0.1, 0.95) == "shallow",
          "at lr 0.1, momentum 0.9 rolls over but 0.95 ends back in the shallow well",
          mu09=from_wall(0.1, 0.9), mu095=from_wall(0.1, 0.95))
    first = [min((mu for mu in MUS if from_wall(lr, mu) == "deep"), default=None) for lr in LRS]
    claim(None not in first and all(a >= b for a, b in zip(first, first[1:], strict=False)),
          "the smallest momentum that rolls over from the wall goes down as the rate goes up",
          smallest=first)
    claim(all((noisy(lr, mu)["escaped"] > 0) == (noisy(round(lr / (1 - mu), 6), 0.0)["escaped"] > 0)
              for lr, mu in PAIRS),
          "momentum escapes at all exactly where plain SGD at lr / (1 - mu) does")
    esc = [noisy(0.1, mu)["escaped"] for mu in MUS]
    claim(esc[0] == 0.0 and all(a <= b for a, b in zip(esc, esc[1:], strict=False)) and esc[-1] > 0.5,
          "with noise, at lr 0.1 the escapes grow with the momentum, from none without it",
          escaped=esc)
    claim(all(noisy(lr, mu)["diverged"] == 0.0 for lr in LRS for mu in MUS),
          "no momentum run of the grid diverges")
    sgd = noisy(1.0, 0.0)
    claim(sgd["diverged"] > 0.05 and noisy(0.1, 0.9)["escaped"] > sgd["escaped"],
          "plain SGD at lr 1.0 diverges in some runs and escapes less than momentum 0.9 at lr 0.1",
          sgd=sgd, momentum=noisy(0.1, 0.9))



num("mwell_noise", fmt="{:g}")(lambda: NOISE)
num("mwell_runs")(lambda: RUNS)
num("mwell_steps")(lambda: STEPS)
for _lr in LRS:
    for _mu in MUS:
        num(f"mwell_wall_{tag(_lr)}_{tag(_mu)}")(lambda lr=_lr, mu=_mu: from_wall(lr, mu))
        num(f"mwell_esc_{tag(_lr)}_{tag(_mu)}", fmt="{:.1%}")(
            lambda lr=_lr, mu=_mu: noisy(lr, mu)["escaped"])
for _lr, _mu in PAIRS:
    _big = round(_lr / (1 - _mu), 6)
    num(f"mwell_pair_lr_{tag(_lr)}_{tag(_mu)}", fmt="{:g}")(lambda big=_big: big)
    num(f"mwell_pair_sgd_esc_{tag(_lr)}_{tag(_mu)}", fmt="{:.1%}")(
        lambda big=_big: noisy(big, 0.0)["escaped"])
    num(f"mwell_pair_sgd_div_{tag(_lr)}_{tag(_mu)}", fmt="{:.1%}")(
        lambda big=_big: noisy(big, 0.0)["diverged"])
    num(f"mwell_pair_mom_div_{tag(_lr)}_{tag(_mu)}", fmt="{:.1%}")(
        lambda lr=_lr, mu=_mu: noisy(lr, mu)["diverged"])
num("mwell_limit_mom", fmt="{:.0f}")(lambda: 2 * (1 + 0.9) / 0.1)     # heavy ball: lr h < 2 (1 + mu)
num("mwell_limit_sgd", fmt="{:.0f}")(lambda: 2 / 1.0)                 # SGD at lr 1.0: h < 2
