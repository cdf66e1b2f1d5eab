"""Large batches chapter (docs/large-batch.md): LARS and LAMB and their per-layer trust ratio.

A deeper MLP on the circle data set, one full-batch gradient (the whole data set is one "large
batch"): the ratio of gradient norm to weight norm differs by well over an order of magnitude
between layers, so one global learning rate moves some layers by a far larger fraction of their
size than others. LARS and LAMB rescale each layer's step to a fixed fraction of its weight norm.
The source article's LARS formula divides by the gradient norm twice, so its step is not
proportional to the weight norm; the table shows it.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import LAMB, LARS, SGD
from optdocs.nn import MLP, circle_data

SIZES = (2, 48, 48, 48, 48, 1)
SEED = 0
SGD_LR = 0.1
LARS_LR = 1.0        # optdocs' (and the paper's) default; trust coefficient 1e-3
LAMB_LR = 0.01
STEPS = 60           # full-batch steps for the trajectories
WEIGHTS = tuple(f"W{i}" for i in range(1, len(SIZES)))


def model() -> MLP:
    return MLP(SIZES, seed=SEED)


@cache
def first_step() -> dict[str, dict[str, float]]:
    """Per weight layer: norms, and the relative size of the first step of each optimizer."""
    X, y = circle_data()
    out: dict[str, dict[str, float]] = {k: {} for k in WEIGHTS}
    _, g = model().loss_and_grads(X, y)
    for k in WEIGHTS:
        w = model().params[k]
        out[k]["w"] = float(np.linalg.norm(w))
        out[k]["g"] = float(np.linalg.norm(g[k]))
        out[k]["ratio"] = out[k]["g"] / out[k]["w"]
        # the source article's formula: step = eta * (|w| / |g|) * g / |g|
        out[k]["article"] = LARS_LR * 1e-3 * (out[k]["w"] / out[k]["g"]) * 1.0 / out[k]["w"]
    for label, opt in (("sgd", SGD(lr=SGD_LR)), ("lars", LARS(lr=LARS_LR)), ("lamb", LAMB(lr=LAMB_LR))):
        m = model()
        before = {k: v.copy() for k, v in m.params.items()}
        _, grads = m.loss_and_grads(X, y)
        opt.step(m.params, grads)
        trust = opt.get("trust_ratio") if label != "sgd" else None
        for k in WEIGHTS:
            out[k][label] = float(np.linalg.norm(m.params[k] - before[k]) / np.linalg.norm(before[k]))
            if trust is not None:
                out[k][f"{label}_trust"] = float(trust[k])
    return out


@cache
def trajectories() -> dict[str, dict[str, np.ndarray]]:
    """Relative step |dW|/|W| of every weight layer at each of STEPS full-batch steps."""
    X, y = circle_data()
    out = {}
    for label, opt in (("SGD + momentum, lr 0.1", SGD(lr=SGD_LR, momentum=0.9)),
                       ("LARS, lr 1", LARS(lr=LARS_LR)),
                       ("LAMB, lr 0.01", LAMB(lr=LAMB_LR))):
        m = model()
        rel = {k: np.zeros(STEPS) for k in WEIGHTS}
        for t in range(STEPS):
            before = {k: m.params[k].copy() for k in WEIGHTS}
            _, grads = m.loss_and_grads(X, y)
            opt.step(m.params, grads)
            for k in WEIGHTS:
                rel[k][t] = np.linalg.norm(m.params[k] - before[k]) / np.linalg.norm(before[k])
        out[label] = rel
    return out


def spread(key: str) -> float:
    vals = [first_step()[k][key] for k in WEIGHTS]
    return max(vals) / min(vals)


@checks
@cache
def claims() -> None:
    fs = first_step()
    claim(spread("ratio") > 30,
          "gradient-to-weight ratios differ by more than an order of magnitude between layers",
          spread=spread("ratio"))
    claim(np.isclose(spread("sgd"), spread("ratio")),
          "SGD's relative step inherits that spread exactly",
          sgd_spread=spread("sgd"), ratio_spread=spread("ratio"))
    for k in WEIGHTS:
        claim(np.isclose(fs[k]["lars"], LARS_LR * 1e-3, rtol=1e-6),
              "LARS's first relative step is lr times the trust coefficient in every layer",
              layer=k, step=fs[k]["lars"], expected=LARS_LR * 1e-3)
        claim(np.isclose(fs[k]["lamb"], LAMB_LR, rtol=1e-9),
              "LAMB's first relative step is exactly lr in every layer",
              layer=k, step=fs[k]["lamb"], lr=LAMB_LR)
    weight_norms = {k: fs[k]["w"] for k in WEIGHTS}
    grad_norms = {k: fs[k]["g"] for k in WEIGHTS}
    claim(min(WEIGHTS, key=lambda k: fs[k]["w"]) == WEIGHTS[-1],
          "the output layer has the smallest weight norm", weight_norms=weight_norms)
    claim(fs[WEIGHTS[-1]]["g"] > 0.9 * max(fs[k]["g"] for k in WEIGHTS),
          "the output layer's gradient is as large as the hidden layers'", grad_norms=grad_norms)
    X, y = circle_data()
    _, g = model().loss_and_grads(X, y)
    for k in WEIGHTS:
        n = np.count_nonzero(g[k])
        claim(np.isclose(fs[k]["lamb_trust"], fs[k]["w"] / np.sqrt(n), rtol=0.02),  # eps aside
              "LAMB's first trust ratio is |W| / sqrt(number of weights with a nonzero gradient)",
              layer=k, trust=fs[k]["lamb_trust"], expected=fs[k]["w"] / np.sqrt(n))
    claim(spread("article") > 5,
          "the article's formula gives relative steps that are not uniform across layers",
          spread=spread("article"))
    article = {k: fs[k]["article"] for k in WEIGHTS}
    claim(max(WEIGHTS, key=lambda k: fs[k]["article"]) == min(WEIGHTS, key=lambda k: fs[k]["g"]),
          "the article's relative step is largest where the gradient is smallest",
          article_steps=article, grad_norms=grad_norms)
    tr = trajectories()["LAMB, lr 0.01"]
    claim(all(np.allclose(tr[k], LAMB_LR, rtol=1e-9) for k in WEIGHTS),
          "over training LAMB's relative step stays lr in every layer and at every step",
          lr=LAMB_LR, max_gap=max(float(np.max(np.abs(tr[k] - LAMB_LR))) for k in WEIGHTS))
    sg = trajectories()["SGD + momentum, lr 0.1"]
    steps = np.array([sg[k] for k in WEIGHTS])
    sgd_spread = np.min(steps.max(axis=0) / steps.min(axis=0))
    claim(sgd_spread > 10,
          "SGD's relative step stays spread over more than an order of magnitude at every step",
          smallest_spread=sgd_spread)
    la = np.array([trajectories()["LARS, lr 1"][k] for k in WEIGHTS])
    claim(np.allclose(la[:, 0], LARS_LR * 1e-3), "LARS starts level at lr * eta",
          first=la[:, 0], expected=LARS_LR * 1e-3)
    lars_spread = np.max(la.max(axis=0) / la.min(axis=0))
    claim(lars_spread < 5, "LARS's layers drift apart by a small factor only",
          largest_spread=lars_spread)
    claim(la.max() <= LARS_LR * 1e-3 / (1 - 0.9) * 1.05,
          "LARS's relative step never exceeds lr * eta / (1 - momentum)",
          largest=la.max(), bound=LARS_LR * 1e-3 / (1 - 0.9))


# --- figures ---------------------------------------------------------------------------------

@figure("large-batch-first-step",
        alt="Bar chart on a log scale: the size of the first step relative to the weight norm, "
            "for each of five weight layers, under SGD, LARS and LAMB. SGD's bars differ by "
            "more than an order of magnitude between layers; LARS's and LAMB's are level.",
        caption="Compare the spread of the bars within each optimizer: SGD's first step is a very "
                "different fraction of each layer's weights, while LARS and LAMB scale every layer's "
                "step to its weight norm, so their bars are level.")
def _():
    from optdocs.plots.style import color, new_figure

    fs = first_step()
    fig, ax = new_figure(width=6.4, height=3.4)
    x = np.arange(len(WEIGHTS))
    labels = {"sgd": f"SGD, lr {SGD_LR:g}", "lars": f"LARS, lr {LARS_LR:g}",
              "lamb": f"LAMB, lr {LAMB_LR:g}"}
    for i, (key, label) in enumerate(labels.items()):
        ax.bar(x + (i - 1) * 0.27, [fs[k][key] for k in WEIGHTS], width=0.26, color=color(i),
               label=label, hatch=("", "//", "..")[i], edgecolor="white", linewidth=0.3)
    ax.set_yscale("log")
    ax.set_ylim(3e-4, 0.3)
    ax.set_xticks(x, [f"layer {k[1:]}\n{SIZES[int(k[1:]) - 1]}×{SIZES[int(k[1:])]}"
                      for k in WEIGHTS])
    ax.set_ylabel("‖step‖ / ‖W‖ of the first step")
    ax.legend(fontsize="small", loc="upper left")
    return fig


@figure("large-batch-trajectories",
        alt="Three panels, one per optimizer, showing the relative step of each weight layer over "
            "60 full-batch steps on a log scale. Under SGD with momentum the five layer curves "
            "stay far apart; under LARS they stay close together; under LAMB they coincide on "
            "a flat line at the learning rate.",
        caption="Compare how far apart the five layer curves are in each panel: far apart under SGD "
                "with momentum, close together under LARS, on one flat line under LAMB.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    tr = trajectories()
    fig, axes = new_figure(ncols=3, width=9.0, height=3.2)
    for ax, (label, rel) in zip(axes, tr.items(), strict=True):
        for i, k in enumerate(WEIGHTS):
            ax.plot(np.arange(1, STEPS + 1), rel[k], color=color(i), linestyle=linestyle(i),
                    label=f"layer {k[1:]}")
        ax.set_yscale("log")
        ax.set_ylim(3e-4, 0.3)
        ax.set_title(label, fontsize="medium")
        ax.set_xlabel("step")
    axes[0].set_ylabel("‖step‖ / ‖W‖")
    axes[0].legend(fontsize="x-small")
    return fig


# --- numbers ---------------------------------------------------------------------------------

def _register() -> None:
    fmts = {"w": "{:.2f}", "g": "{:.3f}", "ratio": "{:.3f}", "sgd": "{:.4f}", "lars": "{:.4f}",
            "lamb": "{:.4f}", "lars_trust": "{:.4f}", "lamb_trust": "{:.3f}", "article": "{:.4f}"}
    for k in WEIGHTS:
        for key, fmt in fmts.items():
            number(f"lb_{k.lower()}_{key}", fmt=fmt)(lambda k=k, key=key: first_step()[k][key])


_register()


@number("lb_ratio_spread", fmt="{:.0f}")
def _():
    return spread("ratio")


@number("lb_article_spread", fmt="{:.0f}")
def _():
    return spread("article")


@number("lb_sizes")
def _():
    return "-".join(str(s) for s in SIZES)
