"""Home page (docs/index.md): the SGD-vs-Adam comparison of chapter 8 at a glance.

The numbers come from :mod:`guide.sgd_vs_adam` (same runs, same seed), so the home page and the
chapter cannot disagree.
"""

from __future__ import annotations

import numpy as np

from guide import sgd_vs_adam as sva
from guide.claims import claim
from guide.registry import figure, number
from guide.sgd_vs_adam import LABELS, NOISES, OPTIMIZERS, RUNS, outcome


@figure("home-sgd-vs-adam",
        alt="Share of 1000 runs that end in the deep well of the double well, or diverge, against "
            "the gradient noise sigma. SGD with lr 1.0 escapes only in a narrow band of low noise "
            "and diverges in every run from sigma 0.5 on; Adam with lr 0.1 never diverges and "
            "escapes more often the noisier the gradient.",
        caption="Solid lines count the runs that reach the deep well, dotted lines those that "
                "diverge. As the noise grows, SGD's dotted line climbs to every run, while Adam's "
                "stays at zero and its solid line keeps rising.",
        page_kwargs={"runs": 100})
def _(runs=RUNS):
    from optdocs.plots.style import color, new_figure

    fig, ax = new_figure(width=6.4, height=3.8)
    xs = np.array(NOISES)
    for i, name in enumerate(OPTIMIZERS):
        for kind, style, what in (("escaped", "-", "reaches the deep well"),
                                  ("diverged", ":", "diverges")):
            ys = [outcome(name, s, runs)[kind] for s in NOISES]
            ax.plot(xs, ys, color=color(i), linestyle=style, marker="o" if style == "-" else "x",
                    markersize=4, linewidth=1.8, label=f"{LABELS[name]}: {what}")
    ax.set_xlabel("gradient noise $\\sigma$")
    ax.set_ylabel(f"share of {runs} runs")
    ax.set_ylim(-0.03, 1.03)
    fig.legend(loc="outside lower center", ncols=2, fontsize="small")
    return fig


def home_claims() -> None:
    """The two mechanisms the home page names: SGD diverges, Adam's step stays near its rate."""
    sgd_div = sva.outcome("SGD", sva.HIGH)["diverged"]
    claim(sgd_div == 1.0, "at the high noise SGD diverges in every run", diverged=sgd_div)
    adam_div = max(sva.outcome("Adam", s)["diverged"] for s in sva.NOISES)
    claim(adam_div == 0.0, "Adam never diverges at any noise level of the sweep", diverged=adam_div)
    claim(sva.adam_max_step() < 1.5 * sva.ADAM_LR,
          "Adam's steps stay close to its learning rate at the high noise",
          max_step=sva.adam_max_step(), lr=sva.ADAM_LR)


number("home_runs")(lambda: (home_claims(), sva.RUNS)[1])
number("home_steps")(lambda: sva.STEPS)
number("home_sgd_escaped_low", fmt="{:.0%}")(lambda: sva.outcome("SGD", sva.LOW)["escaped"])
number("home_adam_escaped_low", fmt="{:.0%}")(lambda: sva.outcome("Adam", sva.LOW)["escaped"])
number("home_sgd_diverged_high", fmt="{:.0%}")(lambda: sva.outcome("SGD", sva.HIGH)["diverged"])
number("home_adam_escaped_high", fmt="{:.0%}")(lambda: sva.outcome("Adam", sva.HIGH)["escaped"])
