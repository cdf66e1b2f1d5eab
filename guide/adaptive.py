"""Chapter 5, AdaGrad and RMSprop (docs/adaptive.md).

The main surface is flat_steep, f(w) = (0.1 w1^2 + 8 w2^2) / 2 from (-4, 1): a flat w1 and a
steep w2. Plain SGD is stable in w2 only for lr < 2/8 = 0.25. Noisy experiments add Gaussian
gradient noise (a stand-in for mini-batch noise) and average over many runs, all seeded.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import SGD, Adagrad, RMSprop
from optdocs.landscapes import flat_steep
from optdocs.simulate import simulate

H = np.array([0.1, 8.0])
LIMIT = 2 / H[1]                      # 0.25
SGD_LRS = (0.24, 0.25, 0.26)
TOL = 1e-2

# --- SGD on both sides of 2/8 -----------------------------------------------------------------


@cache
def sgd_edge(steps: int = 100) -> dict[float, np.ndarray]:
    """Final |w1|, |w2| after ``steps`` steps for each lr in SGD_LRS (no noise)."""
    out = {}
    for lr in SGD_LRS:
        tr = simulate(flat_steep, SGD(lr=lr), steps=steps)
        out[lr] = np.abs(tr.final[0])
    lo, mid, hi = (out[lr][1] for lr in SGD_LRS)
    claim(lo < 1e-3 and abs(mid - 1.0) < 1e-9 and hi > 1e3,
          "along w2, SGD converges at lr 0.24, bounces forever at 0.25 and diverges at 0.26",
          w2_024=lo, w2_025=mid, w2_026=hi)
    return out


@cache
def sgd_w1_steps(lr: float = 0.24) -> int:
    """Steps for SGD at ``lr`` to bring the point within TOL of the minimum."""
    tr = simulate(flat_steep, SGD(lr=lr), steps=2000)
    return int(tr.steps_to_reach(TOL)[0])


@cache
def rms_steps(lr: float = 0.01) -> int:
    tr = simulate(flat_steep, RMSprop(lr=lr), steps=2000)
    return int(tr.steps_to_reach(TOL)[0])


# --- RMSprop's per-parameter readout ----------------------------------------------------------

READOUT_STEPS = (1, 10, 50, 100)
READOUT_LR = 0.01
RMS_PATH_LR = 0.05


@cache
def readout() -> dict[int, dict[str, np.ndarray]]:
    """Effective lr, |update| and |gradient| per coordinate at READOUT_STEPS (RMSprop, no noise)."""
    opt, w = RMSprop(lr=READOUT_LR), flat_steep.start.copy()
    out = {}
    for t in range(1, max(READOUT_STEPS) + 1):
        g = flat_steep.grad(w)
        opt.step(w, g)
        if t in READOUT_STEPS:
            out[t] = {"rate": opt.get("effective_lr").copy(), "step": np.abs(opt.get("update")),
                      "grad": np.abs(g)}
    first = out[1]
    claim(np.allclose(first["step"], READOUT_LR / np.sqrt(1 - 0.99), rtol=1e-6),
          "on the first step both coordinates move by lr / sqrt(1 - alpha), ten times lr",
          steps=first["step"], expected=READOUT_LR / np.sqrt(1 - 0.99))
    ratio = first["rate"][0] / first["rate"][1]
    claim(np.isclose(ratio, first["grad"][1] / first["grad"][0], rtol=1e-6),
          "w1 gets a rate as many times larger as its gradient is smaller",
          rate_ratio=ratio, grad_ratio=first["grad"][1] / first["grad"][0])
    return out


# --- AdaGrad's falling rate against RMSprop's steady one ---------------------------------------

NOISE, RUNS, LONG = 0.5, 200, 5000
ADA_LR, RMS_LR = 0.1, 0.01          # the same first step: lr_adagrad = lr_rms / sqrt(1 - 0.99)
MARKS = (1, 10, 100, 1000, 5000)


@cache
def noisy_rates() -> dict[str, dict[str, np.ndarray]]:
    """Median effective lr of w1 and mean |w1| per step, over RUNS noisy runs."""
    out = {}
    for name, opt in (("AdaGrad", Adagrad(lr=ADA_LR)), ("RMSprop", RMSprop(lr=RMS_LR))):
        rng = np.random.default_rng(0)
        x = np.tile(flat_steep.start, (RUNS, 1))
        rate, dist = np.empty(LONG), np.empty(LONG)
        for t in range(LONG):
            g = flat_steep.grad(x) + NOISE * rng.standard_normal(x.shape)
            opt.step(x, g)
            rate[t] = np.median(opt.get("effective_lr")[:, 0])
            dist[t] = np.mean(np.abs(x[:, 0]))
        out[name] = {"rate": rate, "dist": dist}
    a, r = out["AdaGrad"], out["RMSprop"]
    claim(np.isclose(a["rate"][0], r["rate"][0], rtol=1e-6),
          "AdaGrad and RMSprop start with the same first step",
          adagrad=a["rate"][0], rmsprop=r["rate"][0])
    claim(a["rate"][-1] < 0.2 * r["rate"][-1],
          "under noise AdaGrad's rate keeps falling, to under a fifth of RMSprop's",
          adagrad=a["rate"][-1], rmsprop=r["rate"][-1])
    claim(a["dist"][999] > 2 * r["dist"][999] and a["dist"][-1] > r["dist"][-1],
          "AdaGrad is left further from the minimum than RMSprop",
          adagrad_1000=a["dist"][999], rmsprop_1000=r["dist"][999],
          adagrad_end=a["dist"][-1], rmsprop_end=r["dist"][-1])
    return out


@checks
@cache
def adagrad_monotone_claims() -> None:
    """AdaGrad's per-element rate never rises (the accumulator only grows)."""
    opt, x, rng = Adagrad(lr=ADA_LR), np.tile(flat_steep.start, (20, 1)), np.random.default_rng(1)
    prev = None
    for t in range(500):
        opt.step(x, flat_steep.grad(x) + NOISE * rng.standard_normal(x.shape))
        rate = opt.get("effective_lr").copy()
        claim(prev is None or np.all(rate <= prev), "AdaGrad's per-element rate never rises",
              step=t + 1, largest_rise=0.0 if prev is None else float(np.max(rate - prev)))
        prev = rate


# --- what alpha changes -----------------------------------------------------------------------

ALPHAS = (0.9, 0.99)
DROP, ALPHA_T, ALPHA_RUNS = 300, 700, 500


@cache
def alpha_runs() -> dict[float, np.ndarray]:
    """Median effective lr per step for pure-noise gradients whose scale drops 10x at DROP."""
    z = np.random.default_rng(0).standard_normal((ALPHA_T, ALPHA_RUNS))
    scale = np.where(np.arange(ALPHA_T) < DROP, 1.0, 0.1)
    out = {}
    for a in ALPHAS:
        opt, w = RMSprop(lr=READOUT_LR, alpha=a), np.zeros(ALPHA_RUNS)
        rates = np.empty(ALPHA_T)
        for t in range(ALPHA_T):
            opt.step(w, scale[t] * z[t])
            rates[t] = np.median(opt.get("effective_lr"))
        out[a] = rates
    return out


@cache
def alpha_lag() -> dict[float, int]:
    """Steps after the drop until the median rate reaches half its new ideal (lr / 0.1)."""
    out = {}
    for a, r in alpha_runs().items():
        hit = np.flatnonzero(r[DROP:] >= 0.5 * READOUT_LR / 0.1)
        out[a] = int(hit[0]) + 1
    claim(out[0.9] * 5 < out[0.99],
          "after a drop in the gradient, alpha 0.99 takes over five times longer to adapt than 0.9",
          lag_09=out[0.9], lag_099=out[0.99])
    return out


@cache
def alpha_jitter() -> dict[float, float]:
    """Spread (std / mean) of one run's effective lr over steps 100-300 of steady noise."""
    z = np.random.default_rng(0).standard_normal((DROP, 1))
    out = {}
    for a in ALPHAS:
        opt, w, r = RMSprop(lr=READOUT_LR, alpha=a), np.zeros(1), []
        for t in range(DROP):
            opt.step(w, z[t])
            r.append(opt.get("effective_lr")[0])
        r = np.array(r[100:])
        out[a] = float(r.std() / r.mean())
    claim(out[0.9] > 1.3 * out[0.99], "alpha 0.9 makes the rate jitter more than alpha 0.99",
          jitter_09=out[0.9], jitter_099=out[0.99])
    return out


# --- figures ----------------------------------------------------------------------------------

@figure("adaptive-adagrad-rate",
        alt="Left: effective learning rate of the flat coordinate against step, log-log. AdaGrad's "
            "falls along a straight line of slope one half; RMSprop's levels off. Right: mean "
            "distance of the flat coordinate from its minimum; RMSprop closes it sooner.",
        caption="Left: on log-log axes AdaGrad's rate for the flat coordinate falls along a straight "
                "line, one over the square root of the step, while RMSprop's levels off. Right: that "
                "is why RMSprop closes the flat coordinate's gap first.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    data = noisy_rates()
    t = np.arange(1, LONG + 1)
    fig, (ax1, ax2) = new_figure(ncols=2, width=10.0, height=3.6)
    for i, (name, d) in enumerate(data.items()):
        ax1.loglog(t, d["rate"], color=color(i), linestyle=linestyle(i), label=name)
        ax2.semilogx(t, d["dist"], color=color(i), linestyle=linestyle(i), label=name)
    ax1.set_xlabel("step")
    ax1.set_ylabel("effective learning rate of $w_1$ (median)")
    ax1.legend()
    ax2.set_xlabel("step")
    ax2.set_ylabel(r"mean $|w_1|$ (distance to the minimum)")
    ax2.legend()
    return fig


@figure("adaptive-flat-steep-paths",
        alt="Left: contour plot of the flat-steep bowl with 60 steps of SGD at learning rate 0.24, "
            "which drops to the valley floor and creeps along it, and of RMSprop at 0.05, which "
            "heads for the minimum in both coordinates. Right: the steep coordinate's size "
            "against step for SGD at 0.24 (shrinks), 0.25 (stays at 1) and 0.26 (grows).",
        caption="Left: SGD reaches the valley floor at once and then barely moves along the flat "
                "direction, while RMSprop heads for the minimum in both coordinates. Right: the steep"
                " coordinate alone sets SGD's largest rate; just below 0.25 it shrinks, just above it"
                " grows.")
def _():
    from optdocs.plots import contour, new_figure
    from optdocs.plots.style import color, linestyle

    fig, (ax1, ax2) = new_figure(ncols=2, width=10.0, height=3.8)
    paths = {
        "SGD, lr = 0.24": simulate(flat_steep, SGD(lr=0.24), steps=60),
        f"RMSprop, lr = {RMS_PATH_LR}": simulate(flat_steep, RMSprop(lr=RMS_PATH_LR), steps=60),
    }
    contour(flat_steep, paths, ax=ax1, levels=18, title="60 steps from (-4, 1)")
    ax1.set_xlabel("$w_1$ (flat, curvature 0.1)")
    ax1.set_ylabel("$w_2$ (steep, curvature 8)")
    for i, lr in enumerate(SGD_LRS):
        tr = simulate(flat_steep, SGD(lr=lr), steps=100)
        ax2.semilogy(np.abs(tr.path()[:, 1]), color=color(i), linestyle=linestyle(i),
                     label=f"SGD, lr = {lr}")
    ax2.set_xlabel("step")
    ax2.set_ylabel("$|w_2|$")
    ax2.set_title("the steep coordinate on both sides of 2/8")
    ax2.legend()
    return fig


@figure("adaptive-alpha",
        alt="Effective learning rate against step for RMSprop with alpha 0.9 and 0.99 on pure "
            "noise whose scale drops tenfold at step 300. Both start high; alpha 0.9 settles "
            "faster and adapts to the drop within tens of steps, alpha 0.99 takes hundreds.",
        caption=r"Watch the curves after the noise drops at step 300: with $\alpha = 0.9$ the "
                r"effective rate rises to the new scale within tens of steps, with $\alpha = 0.99$ it "
                "needs hundreds.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    fig, ax = new_figure(width=6.4, height=3.6)
    t = np.arange(1, ALPHA_T + 1)
    for i, (a, r) in enumerate(alpha_runs().items()):
        ax.semilogy(t, r, color=color(i), linestyle=linestyle(i), label=rf"$\alpha$ = {a}")
    ideal = np.where(t <= DROP, READOUT_LR, READOUT_LR / 0.1)
    ax.semilogy(t, ideal, color="#808080", linestyle=":", linewidth=1,
                label="lr / (gradient scale)")
    ax.set_xlabel(f"step (gradient scale 1, then 0.1 from step {DROP + 1})")
    ax.set_ylabel("effective learning rate (median)")
    ax.legend()
    return fig


# --- numbers ----------------------------------------------------------------------------------

number("ada_limit", fmt="{:.2f}")(lambda: LIMIT)
number("ada_w2_024", fmt="{:.1e}")(lambda: sgd_edge()[0.24][1])
number("ada_w2_025", fmt="{:.3f}")(lambda: sgd_edge()[0.25][1])
number("ada_w2_026", fmt="{:.0f}")(lambda: sgd_edge()[0.26][1])
number("ada_w1_024", fmt="{:.2f}")(lambda: sgd_edge()[0.24][0])
number("ada_factor_w1_024", fmt="{:.3f}")(lambda: 1 - 0.24 * H[0])
number("ada_factor_w2_026", fmt="{:.2f}")(lambda: 1 - 0.26 * H[1])
number("ada_sgd_steps_024")(lambda: sgd_w1_steps(0.24))
number("ada_rms_steps_default")(lambda: rms_steps(READOUT_LR))


@number("ada_rms_steps")
def _():
    n = rms_steps(RMS_PATH_LR)
    claim(0 < n < 0.5 * sgd_w1_steps(0.24),
          "RMSprop needs under half the steps of SGD at its best stable rate",
          rmsprop_steps=n, sgd_steps=sgd_w1_steps(0.24))
    return n


def _readout_number(t: int, key: str, i: int) -> None:
    number(f"ada_ro_{key}{i + 1}_t{t}", fmt="{:.4f}")(lambda: float(readout()[t][key][i]))


for _t in READOUT_STEPS:
    for _key in ("rate", "step", "grad"):
        for _i in (0, 1):
            _readout_number(_t, _key, _i)


@number("ada_ro_ratio_t1", fmt="{:.0f}")
def _():
    r = readout()[1]["rate"]
    return r[0] / r[1]


number("ada_first_step_mult", fmt="{:.0f}")(lambda: 1 / np.sqrt(1 - 0.99))
number("ada_first_step_mult_09", fmt="{:.2f}")(lambda: 1 / np.sqrt(1 - 0.9))


def _rate_number(name: str, t: int) -> None:
    number(f"ada_rate_{name.lower()}_t{t}", fmt="{:.4f}")(
        lambda: float(noisy_rates()[name]["rate"][t - 1]))
    number(f"ada_dist_{name.lower()}_t{t}", fmt="{:.2f}")(
        lambda: float(noisy_rates()[name]["dist"][t - 1]))


for _name in ("AdaGrad", "RMSprop"):
    for _t in MARKS:
        _rate_number(_name, _t)


@number("ada_rate_drop", fmt="{:.0f}")
def _():
    r = noisy_rates()["AdaGrad"]["rate"]
    return r[9] / r[-1]


number("ada_lag_09")(lambda: alpha_lag()[0.9])
number("ada_lag_099")(lambda: alpha_lag()[0.99])
number("ada_jitter_09", fmt="{:.0%}")(lambda: alpha_jitter()[0.9])
number("ada_jitter_099", fmt="{:.0%}")(lambda: alpha_jitter()[0.99])


@number("ada_first_step_torch_keras", fmt="{:.0f}")
def _():
    """First-step size with PyTorch's defaults over Keras' (constant gradient 1)."""
    torch = RMSprop(lr=0.01, alpha=0.99)
    w = np.zeros(1)
    torch.step(w, np.ones(1))
    keras_step = 0.001 / np.sqrt((1 - 0.9) * 1.0 + 1e-7)   # Keras: eps inside the root
    return float(-w[0] / keras_step)


number("ada_sqrt_ratio", fmt="{:.0f}")(lambda: np.sqrt(LONG / 10))


@number("ada_sgd_best_steps")
def _():
    """SGD's best steps-to-tolerance over a grid of stable learning rates."""
    # below 0.15 every step is slower along w1 (factor 1 - 0.1 lr), so the grid starts there
    best = min(s for lr in np.arange(0.15, 0.25, 0.005)
               if (s := int(simulate(flat_steep, SGD(lr=float(lr)), steps=800)
                            .steps_to_reach(TOL)[0])) > 0)
    claim(best >= 0.9 * sgd_w1_steps(0.24),
          "no stable SGD learning rate does much better than 0.24",
          best_steps=best, steps_024=sgd_w1_steps(0.24))
    return best
