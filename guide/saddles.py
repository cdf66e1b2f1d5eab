"""Chapter 3, docs/saddles.md: saddle points, and how gradient noise gets off them.

Gradient descent started on the stable manifold stays at the saddle; noise escapes in a time
logarithmic in its size. Step counts here are first arrivals (Trajectory.steps_to_reach), not steps
to converge: an escape time is a first-passage time.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.landscapes import saddle
from optdocs.simulate import simulate

RUNS = 1000



# == 5. saddle points ================================================================================
SADDLE_LR = 0.1
SADDLE_STEPS = 300
SADDLE_START = (1.5, 0.0)      # exactly on the x axis: the saddle's stable manifold
SADDLE_NOISES = (1e-4, 1e-3, 1e-2, 1e-1)
TOL = 0.05


@cache
def saddle_run(noise: float, runs: int = RUNS):
    return simulate(saddle, SGD(lr=SADDLE_LR), x0=SADDLE_START, steps=SADDLE_STEPS,
                    runs=1 if noise == 0 else runs, noise=noise, seed=0)


def saddle_median_steps(noise: float) -> float:
    st = saddle_run(noise).steps_to_reach(TOL)
    claim((st >= 0).all(), "every noisy run leaves the saddle", noise=noise,
          stuck=int((st < 0).sum()))
    return float(np.median(st))


def saddle_gd_final() -> tuple[float, float, float]:
    tr = saddle_run(0.0)
    p = tr.final[0]
    return float(np.linalg.norm(p)), float(np.linalg.norm(saddle.grad(p))), float(tr.losses[-1, 0])


@figure("sgd-saddle",
        alt="Left: contours of the saddle landscape. Noise-free gradient descent started on the "
            "x axis runs straight into the saddle point at the origin and stops there; ten runs "
            "with gradient noise 0.001 follow it in, then leave along y to the minima at y = 1 "
            "and y = -1. Right: loss against step: the noise-free run stays at 0, the noisy runs "
            "drop to -0.25.",
        caption="Left: the noise-free run slides into the saddle point and stays there, while a "
                "little noise tips the other runs off the ridge toward the minima. Right: only the "
                "noisy runs' loss falls.")
def _():
    from optdocs.plots.landscape import contour
    from optdocs.plots.style import color, new_figure

    gd, noisy = saddle_run(0.0), saddle_run(1e-3)
    fig, (a, b) = new_figure(ncols=2, width=10.0, height=3.9)
    ten = noisy.positions[:, :10]
    contour(saddle, {"gradient descent, no noise": gd.positions[:, 0], "noise 0.001": ten},
            ax=a, levels=18, resolution=150)
    a.legend(loc="lower left", fontsize="small")
    b.plot(gd.losses[:, 0], color=color(0), linewidth=2.0, label="no noise")
    b.plot(noisy.losses[:, :10], color=color(1), linewidth=0.9, alpha=0.6, linestyle="--")
    b.plot([], [], color=color(1), linestyle="--", label="noise 0.001 (10 runs)")
    b.set_xlabel("step")
    b.set_ylabel("loss")
    b.set_ylim(-0.3, 0.3)
    b.legend(loc="upper right", fontsize="small")
    return fig


# == claims ========================================================================================
@checks
@cache
def claims() -> None:
    # 5. saddle
    dist, gnorm, loss = saddle_gd_final()
    claim(dist < 1e-10 and gnorm < 1e-10 and abs(loss) < 1e-20,
          "noise-free gradient descent stops exactly on the saddle",
          distance=dist, grad_norm=gnorm, loss=loss)
    meds = [saddle_median_steps(n) for n in SADDLE_NOISES]
    claim(all(a > b for a, b in zip(meds, meds[1:], strict=False)),
          "more noise leaves the saddle sooner", noises=SADDLE_NOISES, median_steps=meds)
    gain = np.diff(meds).mean()
    predicted = np.log(10) / np.log(1 + SADDLE_LR)
    claim(abs(-gain - predicted) < 3,
          "each tenfold noise saves about log(10)/log(1 + lr) steps",
          steps_saved=-gain, predicted=predicted)


# == numbers =======================================================================================
num("sgd_saddle_lr", fmt="{:g}")(lambda: SADDLE_LR)
num("sgd_saddle_steps")(lambda: SADDLE_STEPS)
num("sgd_saddle_gd_dist", fmt="{:.0e}")(lambda: max(saddle_gd_final()[0], 1e-300))
num("sgd_saddle_gd_grad", fmt="{:.0e}")(lambda: max(saddle_gd_final()[1], 1e-300))
for _n in SADDLE_NOISES:
    num(f"sgd_saddle_med_{round(-np.log10(_n))}", fmt="{:.0f}")(
        lambda n=_n: saddle_median_steps(n))
num("sgd_saddle_gain", fmt="{:.1f}")(
    lambda: -float(np.diff([saddle_median_steps(n) for n in SADDLE_NOISES]).mean()))
num("sgd_saddle_gain_pred", fmt="{:.1f}")(lambda: float(np.log(10) / np.log(1 + SADDLE_LR)))
num("sgd_saddle_split", fmt="{:.1%}")(lambda: saddle_run(1e-3).fraction_in(0))
