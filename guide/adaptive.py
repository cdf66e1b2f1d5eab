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


# --- the second moment as a curvature estimate ----------------------------------------------------
# On a noiseless quadratic f = sum h_i w_i^2 / 2 the gradient is g_i = h_i w_i, so RMSprop's v_i is
# h_i^2 times the same moving average of w_i^2: sqrt(v_i) = h_i D_i exactly, D_i the moving RMS
# distance. With noise, what sqrt(v) measures depends on where the noise comes from.

CURV_STEPS = 500
CURV_HS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
CURV_RUNS, CURV_BURN, CURV_LONG = 200, 3000, 4000
CURV_BATCH, CURV_SIGMA = 8, 1.0


@cache
def curvature_run() -> dict[str, np.ndarray]:
    """RMSprop (lr 0.01, alpha 0.99) on flat_steep: sqrt(v) per step, and h times the moving RMS
    distance D computed from the path with the same alpha."""
    alpha = 0.99
    opt, w = RMSprop(lr=READOUT_LR, alpha=alpha), flat_steep.start.copy()
    d2, root_v, h_d = np.zeros(2), np.empty((CURV_STEPS, 2)), np.empty((CURV_STEPS, 2))
    path = np.empty((CURV_STEPS, 2))
    for t in range(CURV_STEPS):
        d2 = alpha * d2 + (1 - alpha) * w * w      # the point at which this step's gradient is taken
        opt.step(w, H * w)
        root_v[t], h_d[t], path[t] = np.sqrt(opt.get("square_avg")), H * np.sqrt(d2), w
    return {"root_v": root_v, "h_d": h_d, "ratio": root_v[:, 1] / root_v[:, 0], "path": path}


def curvature_under_noise(runs: int = CURV_RUNS, burn: int = CURV_BURN,
                          long: int = CURV_LONG) -> dict[str, np.ndarray]:
    """Mean sqrt(v_i) at stationarity (steps burn..long, ``runs`` runs) on a diagonal
    quadratic with curvatures CURV_HS: (a) Gaussian noise of size CURV_SIGMA added to the gradient,
    the same for every coordinate; (b) the gradient of a least-squares model on a fresh mini-batch
    of CURV_BATCH examples, x_i ~ N(0, h_i), y = x . 1 + N(0, CURV_SIGMA^2): its Hessian is diag(h)."""
    return _curvature_under_noise(runs, burn, long)


@cache
def _curvature_under_noise(runs: int, burn: int, long: int) -> dict[str, np.ndarray]:
    hs = np.array(CURV_HS)
    rng = np.random.default_rng(0)
    out = {}
    opt, w, acc = RMSprop(lr=READOUT_LR), np.zeros((runs, hs.size)), []
    for t in range(long):
        opt.step(w, hs * w + CURV_SIGMA * rng.standard_normal(w.shape))
        if t >= burn:
            acc.append(np.sqrt(opt.get("square_avg")).mean(axis=0))
    out["additive"] = np.mean(acc, axis=0)
    opt, w, acc = RMSprop(lr=READOUT_LR), np.zeros((runs, hs.size)), []
    w_star = np.ones(hs.size)
    for t in range(long):
        x = rng.standard_normal((runs, CURV_BATCH, hs.size)) * np.sqrt(hs)
        y = x @ w_star + CURV_SIGMA * rng.standard_normal((runs, CURV_BATCH))
        residual = np.einsum("rbi,ri->rb", x, w) - y
        opt.step(w, np.einsum("rbi,rb->ri", x, residual) / CURV_BATCH)
        if t >= burn:
            acc.append(np.sqrt(opt.get("square_avg")).mean(axis=0))
    out["minibatch"] = np.mean(acc, axis=0)
    out["minibatch_theory"] = CURV_SIGMA * np.sqrt(hs / CURV_BATCH)
    return out


def curvature_slope(values: np.ndarray) -> float:
    """Slope of log sqrt(v) against log h: 1 would be curvature itself."""
    return float(np.polyfit(np.log(CURV_HS), np.log(values), 1)[0])


@checks
@cache
def curvature_claims() -> None:
    run = curvature_run()
    identity = float(np.max(np.abs(run["root_v"] / run["h_d"] - 1)))
    claim(identity < 1e-12, "on a noiseless quadratic sqrt(v_i) is h_i times the moving RMS "
          "distance, exactly", largest_relative_gap=identity)
    claim(abs(run["ratio"][0] - H[1] / H[0] * 1 / 4) < 1e-9,
          "at step 1 the ratio read from v is 80 x 1/4 = 20, the curvature ratio times the "
          "distance ratio", ratio=run["ratio"][0])
    end = np.abs(run["path"][-1])
    claim(end[1] < TOL < end[0], "the steep coordinate reaches the minimum first", end=end)
    claim(np.all(np.diff(run["ratio"]) < 0), "the ratio read from v falls at every step")
    claim(H[1] / H[0] / run["ratio"][-1] > 10,
          "after 500 steps the ratio read from v is off by more than tenfold",
          ratio=run["ratio"][-1])
    noise = curvature_under_noise()
    add = noise["additive"]
    claim(add.max() / add.min() < 1.35 and abs(add[0] - CURV_SIGMA) < 0.05,
          "with added noise sqrt(v) is about sigma for curvatures 1000 times apart", values=add)
    mb, theory = noise["minibatch"], noise["minibatch_theory"]
    claim(0.45 < curvature_slope(mb) < 0.55 and np.all(np.abs(mb / theory - 1) < 0.15),
          "with mini-batch noise sqrt(v) grows like the square root of the curvature, "
          "within 15% of sigma sqrt(h / B)", slope=curvature_slope(mb), values=mb, theory=theory)
    claim(curvature_slope(add) < 0.1, "with added noise sqrt(v) does not follow the curvature",
          slope=curvature_slope(add))
    c = np.sqrt(0.5)
    rot = np.array([[c, -c], [c, c]])
    diag = np.diag(rot @ np.diag(H) @ rot.T)
    claim(np.allclose(diag, H.sum() / 2, rtol=1e-12),
          "turned by 45 degrees, the bowl's Hessian has both diagonal entries (h1 + h2) / 2",
          diagonal=diag)


def _curvature_number(name: str, fmt: str, fn) -> None:
    number(f"ada_curv_{name}", fmt=fmt)(fn)


_curvature_number("ratio_t1", "{:.0f}", lambda: float(curvature_run()["ratio"][0]))
_curvature_number("ratio_t100", "{:.1f}", lambda: float(curvature_run()["ratio"][99]))
_curvature_number("ratio_end", "{:.1f}", lambda: float(curvature_run()["ratio"][-1]))
_curvature_number("true_ratio", "{:.0f}", lambda: float(H[1] / H[0]))
_curvature_number("add_lo", "{:.2f}", lambda: float(curvature_under_noise()["additive"][0]))
_curvature_number("add_hi", "{:.2f}", lambda: float(curvature_under_noise()["additive"][-1]))
_curvature_number("mb_slope", "{:.2f}", lambda: curvature_slope(curvature_under_noise()["minibatch"]))
_curvature_number("add_slope", "{:.2f}", lambda: curvature_slope(curvature_under_noise()["additive"]))
_curvature_number("rotated_diag", "{:.2f}", lambda: float(H.sum() / 2))
number("ada_curv_steps")(lambda: CURV_STEPS)
number("ada_curv_batch")(lambda: CURV_BATCH)
number("ada_curv_runs")(lambda: CURV_RUNS)


@number("ada_curv_mb_worst", fmt="{:.0%}")
def _():
    n = curvature_under_noise()
    return float(np.max(np.abs(n["minibatch"] / n["minibatch_theory"] - 1)))


@figure("adaptive-curvature",
        alt="Left: on the flat-steep bowl, the curvature ratio of the two coordinates read from "
            "RMSprop's second moment, sqrt(v2 / v1), against the step: 20 at the first step and "
            "falling below 4, far from the true ratio 80, drawn as a dashed line. Right: sqrt(v) at "
            "the minimum against the curvature h on log-log axes: flat at the noise size for added "
            "noise, rising with slope one half for mini-batch noise, while the curvature itself "
            "would rise with slope one.",
        caption="Left: compare the solid curve with the dashed line. The ratio read from RMSprop's "
                "second moment starts well below the true curvature ratio and falls further as "
                "the run approaches the minimum. Right: compare each line's slope with the slope "
                "of one that a curvature estimate would need: added noise gives a flat line, "
                "mini-batch noise a slope of one half.",
        page_kwargs={"runs": 50, "burn": 1000, "long": 1500})
def _(runs=CURV_RUNS, burn=CURV_BURN, long=CURV_LONG):
    from optdocs.plots.style import INK, color, linestyle, new_figure

    run, noise = curvature_run(), curvature_under_noise(runs, burn, long)
    fig, (ax1, ax2) = new_figure(ncols=2, width=10.0, height=3.6)
    t = np.arange(1, CURV_STEPS + 1)
    ax1.semilogy(t, run["ratio"], color=color(0), label=r"$\sqrt{v_2 / v_1}$, read from RMSprop")
    ax1.axhline(H[1] / H[0], color=INK, linestyle="--", linewidth=1,
                label="true curvature ratio $h_2/h_1$")
    ax1.set_xlabel("step (flat-steep bowl, lr 0.01, no noise)")
    ax1.set_ylabel("curvature ratio")
    ax1.legend(fontsize="small", loc="center right")
    hs = np.array(CURV_HS)
    ax2.loglog(hs, noise["additive"], color=color(1), linestyle=linestyle(1), marker="o",
               markersize=4, label="noise added to the gradient")
    ax2.loglog(hs, noise["minibatch"], color=color(2), linestyle=linestyle(2), marker="s",
               markersize=4, label=f"mini-batch noise (least squares, B = {CURV_BATCH})")
    ax2.loglog(hs, noise["minibatch"][2] * hs, color=INK, linestyle=":", linewidth=1,
               label="proportional to h (the curvature)")
    ax2.set_xlabel("curvature h of the coordinate")
    ax2.set_ylabel(r"$\sqrt{v}$ at the minimum (mean)")
    ax2.legend(fontsize="small")
    return fig
