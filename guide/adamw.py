"""Chapter 7, AdamW (docs/adamw.md).

Two experiments on why an L2 penalty inside Adam is not weight decay:

1. Three weights whose data gradients are pure zero-mean noise of very different sizes (0.01, 1,
   100), so that only the decay moves them on average; 500 seeded runs.
2. The 2-8-1 MLP on the circle data from a [-5, 5] initialisation (the build-it-yourself lesson's
   exercise), Adam(weight_decay) against AdamW with the same lr and weight decay.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import SGD, Adam, AdamW
from optdocs.nn import MLP, History, circle_data, train

SCALES = np.array([0.01, 1.0, 100.0])
LR, WD, STEPS, RUNS = 0.01, 0.1, 3000, 500
MARKS = (500, 1000, 3000)


@cache
def noise_decay() -> dict[str, np.ndarray]:
    """Mean over RUNS of each weight per step (shape (STEPS + 1, 3)) for Adam+L2 and AdamW."""
    out = {}
    for name, cls in (("Adam + L2", Adam), ("AdamW", AdamW)):
        rng = np.random.default_rng(0)
        w, opt = np.ones((RUNS, 3)), cls(lr=LR, weight_decay=WD)
        mean = np.empty((STEPS + 1, 3))
        mean[0] = 1.0
        for t in range(1, STEPS + 1):
            opt.step(w, SCALES * rng.standard_normal((RUNS, 3)))
            mean[t] = w.mean(axis=0)
        out[name] = mean
    ref = math.exp(-LR * WD * 1000)
    l2, dw = out["Adam + L2"], out["AdamW"]
    claim(np.all(np.abs(dw[1000] - ref) < 0.05),
          "under AdamW every weight decays like (1 - lr wd)^t, whatever its gradient scale",
          mean_at_1000=dw[1000], expected=ref)
    claim(l2[500, 0] < 0.01 and l2[STEPS, 2] > 0.95,
          "under Adam + L2 the small-gradient weight collapses, the large-gradient one barely moves",
          small_at_500=l2[500, 0], large_at_end=l2[STEPS, 2])
    return out


def expected(t: int) -> float:
    return (1 - LR * WD) ** t


# --- the MLP --------------------------------------------------------------------------------------

EPOCHS, INIT = 200, (-5.0, 5.0)
GRID = ((0.003, 0.01), (0.003, 0.1), (0.01, 0.01), (0.01, 0.1))   # (lr, weight decay)


KINDS = ("Adam + L2", "AdamW", "no decay")
#: Every (kind, lr, weight decay) the chapter trains: each kind at (LR, WD), both decays at every
#: point of GRID, and no decay at each of GRID's rates (its weight decay is not used).
SETTINGS = tuple(dict.fromkeys(
    [(kind, LR, WD) for kind in KINDS]
    + [(kind, lr, wd) for lr, wd in GRID for kind in KINDS[:2]]
    + [("no decay", lr, WD) for lr, _ in GRID]))


def make_optimizer(kind: str, lr: float, wd: float):
    return {"Adam + L2": lambda: Adam(lr=lr, weight_decay=wd),
            "AdamW": lambda: AdamW(lr=lr, weight_decay=wd),
            "no decay": lambda: Adam(lr=lr)}[kind]()


@cache
def mlp_runs() -> dict[tuple[str, float, float], History]:
    """The History of every setting, all trained at once: one network per setting, each with
    seed 0 (the same start and batch order), stacked, each run with its own optimizer. Run r is
    bit for bit the network trained alone (optdocs.nn)."""
    X, y = circle_data()
    seeds = [0] * len(SETTINGS)
    model = MLP((2, 8, 1), seed=seeds, init_range=INIT)
    h = train(model, [make_optimizer(*s) for s in SETTINGS], X, y, epochs=EPOCHS, seed=seeds)
    return {s: h.run(r) for r, s in enumerate(SETTINGS)}


def mlp_run(kind: str, lr: float = LR, wd: float = WD):
    return mlp_runs()[kind, lr, wd]


@checks
@cache
def mlp_claims() -> None:
    l2, dw = mlp_run("Adam + L2"), mlp_run("AdamW")
    claim(l2.weight_norm[-1] < 0.5 * dw.weight_norm[-1],
          "Adam + L2 ends the MLP with less than half AdamW's weight norm",
          l2_norm=l2.weight_norm[-1], adamw_norm=dw.weight_norm[-1])
    claim(dw.accuracy[-1] > l2.accuracy[-1] + 0.1,
          "AdamW ends more than ten points more accurate than Adam + L2",
          adamw_accuracy=dw.accuracy[-1], l2_accuracy=l2.accuracy[-1])
    _, y = circle_data()
    majority = max(y.mean(), 1 - y.mean())
    claim(abs(l2.accuracy[-1] - majority) < 1e-12,
          "Adam + L2 ends at the accuracy of always answering the majority class",
          l2_accuracy=l2.accuracy[-1], majority=majority)
    claim(early_pull() > 0.5, "in the first epoch Adam + L2 pulls weights in by over half lr a step",
          pull_in_lr=early_pull())
    for lr, wd in GRID:
        l2_norm = mlp_run("Adam + L2", lr, wd).weight_norm[-1]
        dw_norm = mlp_run("AdamW", lr, wd).weight_norm[-1]
        claim(l2_norm < dw_norm,
              "in every setting tried, L2 inside Adam ends with the smaller weight norm",
              lr=lr, weight_decay=wd, l2_norm=l2_norm, adamw_norm=dw_norm)
    for lr, wd in GRID:     # ... and AdamW with a smaller one than Adam without any decay
        dw_norm, none = mlp_run("AdamW", lr, wd).weight_norm[-1], mlp_run("no decay", lr, WD).weight_norm[-1]
        claim(dw_norm < none, "AdamW ends with a smaller weight norm than Adam without decay",
              lr=lr, weight_decay=wd, adamw=dw_norm, no_decay=none)


@cache
def early_pull() -> float:
    """Mean decrease of |w| per step over the first epoch under Adam + L2, in units of lr."""
    X, y = circle_data()
    model = MLP((2, 8, 1), init_range=INIT)
    before = {k: np.abs(v).copy() for k, v in model.params.items() if k.startswith("W")}
    h = train(model, Adam(lr=LR, weight_decay=WD), X, y, epochs=1)
    steps = math.ceil(len(y) / 32)
    drop = np.concatenate([(before[k] - np.abs(model.params[k])).ravel() for k in before])
    claim(len(h) == 1, "the early pull is measured over exactly one epoch", epochs=len(h))
    return float(drop.mean() / (steps * LR))


@cache
def init_norm() -> float:
    from optdocs.nn import global_norm

    return global_norm(MLP((2, 8, 1), init_range=INIT).params)


@cache
def mlp_grad_scale() -> tuple[float, float]:
    """Median |gradient| and median wd * |w| over all weights at initialisation (full batch)."""
    X, y = circle_data()
    model = MLP((2, 8, 1), init_range=INIT)
    _, grads = model.loss_and_grads(X, y)
    g = np.concatenate([v.ravel() for k, v in grads.items() if k.startswith("W")])
    w = np.concatenate([v.ravel() for k, v in model.params.items() if k.startswith("W")])
    out = float(np.median(np.abs(g))), float(np.median(WD * np.abs(w)))
    claim(out[0] < out[1], "at initialisation the decay term outweighs the typical gradient",
          median_grad=out[0], median_decay=out[1])
    return out


# --- SGD: L2 and decoupled decay coincide --------------------------------------------------------

@cache
def sgd_equivalence_gap() -> float:
    rng = np.random.default_rng(2)
    grads = rng.standard_normal((500, 4))
    a, b = np.ones(4), np.ones(4)
    opt = SGD(lr=LR, weight_decay=WD)
    gap = 0.0
    for g in grads:
        opt.step(a, g)                            # L2: lambda * w joins the gradient
        b = b * (1 - LR * WD) - LR * g            # decoupled: shrink, then step
        gap = max(gap, float(np.abs(a - b).max()))
    claim(gap < 1e-12, "for SGD an L2 penalty and decoupled weight decay coincide", gap=gap)
    return gap


@cache
def decay_order_gap() -> float:
    """AdamW decaying before the Adam step (PyTorch) vs after it (some from-scratch code)."""
    rng = np.random.default_rng(3)
    grads = rng.standard_normal((STEPS, 3))
    torch_w = np.ones(3)
    opt = AdamW(lr=LR, weight_decay=WD)
    after_w, plain = np.ones(3), Adam(lr=LR)
    for g in grads:
        opt.step(torch_w, g)
        plain.step(after_w, g)                    # Adam step first ...
        after_w *= 1 - LR * WD                    # ... then decay the updated weights
    return float(np.abs(torch_w - after_w).max())


# --- figures ----------------------------------------------------------------------------------------

@figure("adamw-noise-decay",
        alt="Two panels, mean weight against step for three weights whose gradients are noise of "
            "size 0.01, 1 and 100. With Adam plus an L2 penalty the small-gradient weight drops "
            "to zero within a few hundred steps and the large-gradient weight does not decay at "
            "all. With AdamW all three follow the same exponential decay.",
        caption="Compare how the three weights fade in each panel. With an L2 penalty inside Adam the"
                " decay a weight gets depends on the size of its gradient: the quiet weight vanishes,"
                " the noisy one keeps its value. AdamW decays all three alike.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    data = noise_decay()
    t = np.arange(STEPS + 1)
    fig, axes = new_figure(ncols=2, width=10.0, height=3.6)
    for ax, (name, mean) in zip(axes, data.items(), strict=True):
        for i, s in enumerate(SCALES):
            ax.plot(t, mean[:, i], color=color(i), linestyle=linestyle(i),
                    label=f"gradient noise {s:g}")
        ax.plot(t, expected(1) ** t, color="#808080", linestyle=":", linewidth=1,
                label=r"$(1 - \gamma\lambda)^t$")
        ax.set_title(f"{name} (lr {LR}, weight decay {WD})")
        ax.set_xlabel("step")
        ax.set_ylabel(f"mean weight over {RUNS} runs")
        ax.set_ylim(-0.05, 1.1)
    axes[1].legend()
    return fig


@figure("adamw-mlp-norms",
        alt="Training the 2-8-1 network from weights drawn in [-5, 5]. Left: global weight norm "
            "per epoch; with Adam plus L2 it collapses quickly, with AdamW it shrinks gradually, "
            "without decay it stays. Right: accuracy; Adam plus L2 ends far below the other two.",
        caption="Left, the weight norm: Adam with L2 collapses it within a few epochs, AdamW shrinks "
                "it slowly, no decay leaves it alone. Right, accuracy: the collapse is what costs "
                "Adam with L2 its accuracy.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    runs = {name: mlp_run(name) for name in ("Adam + L2", "AdamW", "no decay")}
    fig, (ax_norm, ax_acc) = new_figure(ncols=2, width=10.0, height=3.6)
    for i, (name, h) in enumerate(runs.items()):
        epochs = np.arange(1, len(h) + 1)
        ax_norm.plot(epochs, h.weight_norm, color=color(i), linestyle=linestyle(i), label=name)
        ax_acc.plot(epochs, h.accuracy, color=color(i), linestyle=linestyle(i), label=name)
    ax_norm.set_xlabel("epoch")
    ax_norm.set_ylabel("global weight norm")
    ax_norm.legend()
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("training accuracy")
    fig.suptitle(f"2-8-1 MLP, weights drawn in [-5, 5], lr {LR}, weight decay {WD}")
    return fig


# --- numbers ---------------------------------------------------------------------------------------

def _decay_number(name: str, key: str, t: int, i: int) -> None:
    number(f"adamw_noise_{key}_{i}_{t}", fmt="{:.3f}")(lambda: float(noise_decay()[name][t, i]))


for _name, _key in (("Adam + L2", "l2"), ("AdamW", "dw")):
    for _t in MARKS:
        for _i in range(3):
            _decay_number(_name, _key, _t, _i)

for _t in MARKS:
    number(f"adamw_expected_{_t}", fmt="{:.3f}")(lambda _t=_t: expected(_t))


def _mlp_number(kind: str, key: str, lr: float = LR, wd: float = WD, suffix: str = "") -> None:
    def value():
        h = mlp_run(kind, lr, wd)
        return h.weight_norm[-1] if key == "norm" else h.accuracy[-1]

    fmt = "{:.1f}" if key == "norm" else "{:.1%}"
    tag = {"Adam + L2": "l2", "AdamW": "dw", "no decay": "none"}[kind]
    number(f"adamw_mlp_{key}_{tag}{suffix}", fmt=fmt)(value)


for _kind in ("Adam + L2", "AdamW", "no decay"):
    for _key in ("norm", "acc"):
        _mlp_number(_kind, _key)

for _lr, _wd in GRID:
    _sfx = f"_{str(_lr).replace('.', '')}_{str(_wd).replace('.', '')}"
    for _kind in ("Adam + L2", "AdamW"):
        _mlp_number(_kind, "norm", _lr, _wd, _sfx)
for _lr in sorted({lr for lr, _ in GRID}):
    _mlp_number("no decay", "norm", _lr, WD, f"_{str(_lr).replace('.', '')}")

number("adamw_init_norm", fmt="{:.1f}")(init_norm)
number("adamw_grad_median", fmt="{:.3f}")(lambda: mlp_grad_scale()[0])
number("adamw_decay_median", fmt="{:.2f}")(lambda: mlp_grad_scale()[1])
number("adamw_mlp_steps")(lambda: EPOCHS * math.ceil(len(circle_data()[1]) / 32))
number("adamw_sgd_gap", fmt="{:.0e}")(lambda: max(sgd_equivalence_gap(), 1e-16))
number("adamw_order_gap", fmt="{:.1e}")(decay_order_gap)
number("adamw_per_step", fmt="{:.3f}")(lambda: LR * WD)
number("adamw_early_pull", fmt="{:.2f}")(early_pull)
# PyTorch's weight_decay against the AdamW paper's: lambda_paper = lr * weight_decay at the defaults
number("adamw_default_lr", fmt="{:g}")(lambda: AdamW().lr)
number("adamw_default_wd", fmt="{:g}")(lambda: AdamW().weight_decay)


@number("adamw_paper_wd")
def _() -> str:
    """lr * weight_decay at AdamW's defaults, as LaTeX (1e-05 -> 10^{-5})."""
    mant, exp = f"{AdamW().lr * AdamW().weight_decay:.1e}".split("e")
    power = f"10^{{{int(exp)}}}"
    return power if mant == "1.0" else f"{mant} \\times {power}"
