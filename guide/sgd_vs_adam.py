"""Chapter 8 (docs/sgd-vs-adam.md): SGD lr=1.0 against Adam lr=0.1 on the tilted double well.

The blog article this chapter checks says that SGD at lr=1.0 can leave the shallow minimum but
oscillates wildly, and that Adam at lr=0.1 reaches the deep minimum more smoothly. We run both from
the shallow minimum, 1000 runs of 1000 steps, with the *same* Gaussian gradient noise (same seed),
over a range of noise levels sigma, and count where each run ends: in the deep well (escaped), in
the shallow well (stayed) or at infinity (diverged).

The home page (guide/index.py) reuses these runs.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD, Adam
from optdocs.landscapes import double_well
from optdocs.simulate import simulate

RUNS = 1000
STEPS = 1000
SEED = 0
SGD_LR = 1.0
ADAM_LR = 0.1
#: Noise levels of the sweep (standard deviation of the Gaussian added to the gradient).
NOISES = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0)
LOW, HIGH = 0.2, 1.0          # the two noise levels the text and the trajectory figure discuss
LONG_STEPS = 5000             # Adam at HIGH noise, run longer

OPTIMIZERS = {"SGD": lambda: SGD(lr=SGD_LR), "Adam": lambda: Adam(lr=ADAM_LR)}
LABELS = {"SGD": f"SGD, lr={SGD_LR}", "Adam": f"Adam, lr={ADAM_LR}"}


def f2(x: float) -> float:
    """Second derivative of the double well at x (from its gradient, by central differences)."""
    h = 1e-5
    g = double_well.grad(np.array([[x + h], [x - h]]))[:, 0]
    return float((g[0] - g[1]) / (2 * h))


SHALLOW = float(double_well.minima[1, 0])     # -1.0
DEEP = float(double_well.minima[0, 0])        # 1.5
CURV_SHALLOW, CURV_DEEP = f2(SHALLOW), f2(DEEP)


def run(name: str, noise: float, steps: int = STEPS, betas: tuple[float, float] | None = None,
        runs: int = RUNS):
    """One batch of ``runs`` runs from the shallow minimum; same noise for every optimizer."""
    return _run(name, noise, steps, betas, runs)


@cache
def _run(name: str, noise: float, steps: int, betas: tuple[float, float] | None, runs: int):
    opt = Adam(lr=ADAM_LR, betas=betas) if betas else OPTIMIZERS[name]()
    return simulate(double_well, opt, steps=steps, runs=runs, noise=noise, seed=SEED)


def outcome(name: str, noise: float, runs: int = RUNS) -> dict[str, float]:
    """Fractions of runs that escaped (end in the deep well), stayed, diverged."""
    return _outcome(name, noise, runs)


@cache
def _outcome(name: str, noise: float, runs: int) -> dict[str, float]:
    tr = run(name, noise, runs=runs)
    escaped, diverged = tr.escape_fraction(), tr.diverged_fraction
    return {"escaped": escaped, "stayed": 1.0 - escaped - diverged, "diverged": diverged}


def sweep() -> dict[str, dict[float, dict[str, float]]]:
    """outcome() for both optimizers at every noise level."""
    return {name: {s: outcome(name, s) for s in NOISES} for name in OPTIMIZERS}


# -- claims the page makes (checked before any figure or number of this page is computed) --------
@checks
@cache
def claims() -> None:
    low_sgd, low_adam = outcome("SGD", LOW), outcome("Adam", LOW)
    high_sgd, high_adam = outcome("SGD", HIGH), outcome("Adam", HIGH)
    claim(double_well.noise == HIGH, "the high noise level is the landscape's default noise",
          default=double_well.noise, high=HIGH)
    claim(low_sgd["escaped"] > 0.3 and low_adam["escaped"] < 0.01,
          "at low noise SGD escapes the shallow well and Adam hardly ever does",
          sgd_escaped=low_sgd["escaped"], adam_escaped=low_adam["escaped"], noise=LOW)
    claim(high_sgd["diverged"] == 1.0 and high_adam["escaped"] > 0.2,
          "at high noise every SGD run diverges while Adam escapes",
          sgd_diverged=high_sgd["diverged"], adam_escaped=high_adam["escaped"], noise=HIGH)
    adam_diverged = {s: outcome("Adam", s)["diverged"] for s in NOISES}
    claim(all(v == 0 for v in adam_diverged.values()), "Adam never diverges at any noise level",
          adam_diverged=adam_diverged)
    sgd_diverged = {s: outcome("SGD", s)["diverged"] for s in NOISES if s >= 0.5}
    claim(all(v == 1.0 for v in sgd_diverged.values()),
          "SGD diverges in every run from noise 0.5 on", sgd_diverged=sgd_diverged)
    both = [s for s in NOISES if outcome("SGD", s)["escaped"] > 0.05
            and outcome("Adam", s)["escaped"] > outcome("SGD", s)["escaped"]]
    claim(not both,
          "there is no noise level where SGD escapes and Adam escapes more often (the article's "
          "picture)", noise_levels=both)
    claim(outcome("SGD", 0.0)["stayed"] == 1.0 and outcome("Adam", 0.0)["stayed"] == 1.0,
          "without noise both stay at the shallow minimum, where the gradient is exactly zero",
          sgd_stayed=outcome("SGD", 0.0)["stayed"], adam_stayed=outcome("Adam", 0.0)["stayed"])
    claim(sgd_diverged_after_crossing() == 1.0,
          "SGD blows up only after reaching x >= 0", share=sgd_diverged_after_crossing())
    claim(adam_max_step() < 1.5 * ADAM_LR, "Adam's steps stay near its learning rate",
          max_step=adam_max_step(), lr=ADAM_LR)
    long_escaped = run("Adam", HIGH, LONG_STEPS).escape_fraction()
    claim(long_escaped > high_adam["escaped"], "given more steps, more Adam runs escape",
          long=long_escaped, short=high_adam["escaped"], long_steps=LONG_STEPS)
    no_momentum = run("Adam", HIGH, STEPS, (0.0, 0.999)).escape_fraction()
    claim(no_momentum >= high_adam["escaped"],
          "momentum is not what gets Adam out: with beta1 = 0 it escapes at least as often",
          beta1_0=no_momentum, default=high_adam["escaped"])
    edge = _unstable_edges(SGD_LR)[1]
    claim(edge > DEEP, "the deep minimum itself is (barely) stable for SGD", edge=edge, deep=DEEP)
    std = _stationary_std(SGD_LR, CURV_DEEP)
    claim(abs(std - 2.07) < 0.01, "SGD's stationary spread in the deep well is about 2.07",
          std=std)
    claim(edge - DEEP < 0.05, "the unstable region starts a few hundredths past the minimum",
          past=edge - DEEP)
    ratio = adam_mean_step(HIGH) / adam_mean_step(LOW)
    claim(abs(ratio - 1) < 0.25, "Adam's mean step hardly changes while the noise grows five-fold",
          ratio=ratio)




@cache
def sgd_diverged_after_crossing() -> float:
    """Among SGD runs that diverged (all noise levels), the share that had reached x >= 0 first."""
    hits, total = 0, 0
    for s in NOISES:
        tr = run("SGD", s)
        x = tr.positions[:, :, 0]
        for r in np.flatnonzero(tr.diverged):
            total += 1
            hits += bool((x[: tr.diverged_at[r], r] >= double_well.barrier).any())
    return hits / total



def _window(threshold: float = 0.05) -> tuple[float, float]:
    esc = [s for s in NOISES if outcome("SGD", s)["escaped"] > threshold]
    return min(esc), max(esc)


def _stationary_std(lr: float, curvature: float) -> float:
    """Std of x / sigma for SGD on the quadratic (curvature/2) x^2 with gradient noise sigma.

    x' = (1 - lr h) x - lr sigma z  has variance  lr^2 sigma^2 / (1 - (1 - lr h)^2).
    """
    a = 1.0 - lr * curvature
    return lr / np.sqrt(1.0 - a * a)


def _unstable_edges(lr: float) -> tuple[float, float]:
    """Where f''(x) = 2/lr: SGD at lr is locally unstable outside [left, right]."""
    xs = np.linspace(-3.0, 3.0, 600001)
    f2s = np.gradient(double_well.grad(xs[:, None])[:, 0], xs)
    ok = xs[f2s < 2.0 / lr]
    return float(ok.min()), float(ok.max())


@cache
def adam_max_step(noise: float = HIGH) -> float:
    tr = run("Adam", noise)
    return float(np.abs(np.diff(tr.positions[:, :, 0], axis=0)).max())


@cache
def adam_mean_rate(noise: float) -> float:
    """Adam's per-parameter rate lr / (sqrt(v_hat) + eps) after STEPS steps, mean over runs."""
    opt = Adam(lr=ADAM_LR)
    simulate(double_well, opt, steps=STEPS, runs=RUNS, noise=noise, seed=SEED)
    return float(opt.get("effective_lr").mean())


def pct(x: float) -> str:
    return f"{x:.0%}"


# -- numbers --------------------------------------------------------------------------------------
def tag(noise: float) -> str:
    """Name suffix of a noise level: 0.2 -> "020", 1.5 -> "150"."""
    return f"{round(noise * 100):03d}"


for _name in OPTIMIZERS:
    for _noise in NOISES:
        for _kind in ("escaped", "stayed", "diverged"):
            num(f"sva_{_name.lower()}_{_kind}_{tag(_noise)}", fmt="{:.1%}")(
                lambda n=_name, s=_noise, k=_kind: outcome(n, s)[k])

num("sva_runs")(lambda: RUNS)
num("sva_steps")(lambda: STEPS)
num("sva_low", fmt="{:g}")(lambda: LOW)
num("sva_high", fmt="{:g}")(lambda: HIGH)
num("sva_long_steps")(lambda: LONG_STEPS)
num("sva_adam_escaped_long", fmt="{:.0%}")(lambda: run("Adam", HIGH, LONG_STEPS).escape_fraction())
num("sva_adam_nomom_escaped", fmt="{:.0%}")(
    lambda: run("Adam", HIGH, STEPS, (0.0, 0.999)).escape_fraction())
num("sva_sgd_window_lo", fmt="{:g}")(lambda: _window()[0])
num("sva_sgd_window_hi", fmt="{:g}")(lambda: _window()[1])
num("sva_sgd_best", fmt="{:.0%}")(lambda: max(outcome("SGD", s)["escaped"] for s in NOISES))
num("sva_sgd_best_noise", fmt="{:g}")(
    lambda: max(NOISES, key=lambda s: outcome("SGD", s)["escaped"]))
num("sva_adam_escape_05", fmt="{:.1%}")(lambda: outcome("Adam", 0.5)["escaped"])
num("sva_crossed_first", fmt="{:.0%}")(sgd_diverged_after_crossing)
num("sva_curv_shallow", fmt="{:.3g}")(lambda: CURV_SHALLOW)
num("sva_curv_deep", fmt="{:.4g}")(lambda: CURV_DEEP)
num("sva_limit_shallow", fmt="{:.2f}")(lambda: 2 / CURV_SHALLOW)
num("sva_limit_deep", fmt="{:.3f}")(lambda: 2 / CURV_DEEP)
num("sva_ratio_shallow", fmt="{:.0%}")(lambda: SGD_LR * CURV_SHALLOW / 2)
num("sva_ratio_deep", fmt="{:.0%}")(lambda: SGD_LR * CURV_DEEP / 2)
num("sva_factor_shallow", fmt="{:+.3f}")(lambda: 1 - SGD_LR * CURV_SHALLOW)
num("sva_factor_deep", fmt="{:+.3f}")(lambda: 1 - SGD_LR * CURV_DEEP)
num("sva_std_shallow", fmt="{:.2f}")(lambda: _stationary_std(SGD_LR, CURV_SHALLOW))
num("sva_std_deep", fmt="{:.2f}")(lambda: _stationary_std(SGD_LR, CURV_DEEP))
num("sva_std_deep_small", fmt="{:.2f}")(lambda: _stationary_std(0.1, CURV_DEEP))
num("sva_edge_left", fmt="{:.2f}")(lambda: _unstable_edges(SGD_LR)[0])
num("sva_edge_right", fmt="{:.2f}")(lambda: _unstable_edges(SGD_LR)[1])
num("sva_adam_max_step", fmt="{:.3f}")(adam_max_step)
num("sva_adam_rate_low", fmt="{:.2f}")(lambda: adam_mean_rate(LOW))
num("sva_adam_rate_high", fmt="{:.3f}")(lambda: adam_mean_rate(HIGH))
num("sva_adam_rate_low_pred", fmt="{:.2f}")(lambda: ADAM_LR / LOW)
num("sva_adam_rate_high_pred", fmt="{:.3f}")(lambda: ADAM_LR / HIGH)



# -- figures --------------------------------------------------------------------------------------
def outcome_panels(axes, names=("SGD", "Adam"), runs: int = RUNS) -> None:
    """Escaped / stayed / diverged against noise, one panel per optimizer."""
    from optdocs.plots.style import color, linestyle

    xs = np.array(NOISES)
    kinds = {"escaped": "ends in the deep well", "stayed": "stays in the shallow well",
             "diverged": "diverged"}
    for ax, name in zip(axes, names, strict=True):
        for i, (kind, label) in enumerate(kinds.items()):
            ys = [outcome(name, s, runs)[kind] for s in NOISES]
            ax.plot(xs, ys, color=color(i), linestyle=linestyle(i), marker="o", markersize=4,
                    linewidth=1.8, label=label)
        ax.set_title(LABELS[name])
        ax.set_xlabel("gradient noise $\\sigma$")
        ax.set_ylim(-0.03, 1.03)
        ax.axvline(LOW, color="#808080", linewidth=0.8, linestyle=":")
        ax.axvline(HIGH, color="#808080", linewidth=0.8, linestyle=":")
    axes[0].set_ylabel(f"share of {runs} runs after {STEPS} steps")
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)


@figure("sva-outcomes",
        alt="Two panels against gradient noise sigma. SGD with lr 1.0 escapes only for sigma "
            "between about 0.15 and 0.4 and diverges in every run from sigma 0.5 on. Adam with "
            "lr 0.1 never diverges; it stays in the shallow well at low noise and escapes more "
            "often as the noise grows.",
        caption="Left, SGD: it escapes only in a narrow band of low noise, and at high noise every "
                "run diverges. Right, Adam: no run ever diverges, and the share that escapes grows "
                "with the noise.",
        page_kwargs={"runs": 100})
def _(runs=RUNS):
    from optdocs.plots.style import new_figure

    fig, axes = new_figure(ncols=2, width=9.0, height=3.9)
    outcome_panels(axes, runs=runs)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3)
    return fig


def first_escape_run(name: str, noise: float) -> int:
    tr = run(name, noise)
    ok = np.flatnonzero(~tr.diverged & (tr.basins() == 0))
    return int(ok[0])


@figure("sva-paths",
        alt="Position against step for one run of SGD lr 1.0 and one of Adam lr 0.1 fed the same "
            "noise. At sigma 0.2 SGD jumps into the deep well while Adam jitters in the shallow "
            "one. At sigma 1.0 SGD is thrown out within a few steps and diverges; Adam wanders "
            "and crosses the barrier.",
        caption="In each panel both optimizers see the same noise: at low noise SGD jumps into the "
                "deep well while Adam stays put; at high noise SGD is thrown out at once, while Adam "
                "wanders and crosses the barrier.")
def _():
    from optdocs.plots.style import INK, color, linestyle, new_figure

    fig, axes = new_figure(ncols=2, width=9.0, height=3.6)
    for ax, noise in zip(axes, (LOW, HIGH), strict=True):
        r = first_escape_run("SGD", LOW) if noise == LOW else first_escape_run("Adam", HIGH)
        for i, name in enumerate(OPTIMIZERS):
            tr = run(name, noise)
            x = tr.positions[:, r, 0]
            end = tr.diverged_at[r] if tr.diverged[r] else len(x)
            ax.plot(np.arange(end), x[:end], color=color(i), linestyle=linestyle(i),
                    linewidth=1.0 if name == "SGD" else 1.6, label=LABELS[name])
            if tr.diverged[r]:
                ax.plot(end - 1, np.clip(x[end - 1], -3.2, 3.2), marker="x", markersize=9,
                        color=color(i), linestyle="none")
                ax.annotate(f"diverged at step {end}", (end - 1, np.clip(x[end - 1], -3.2, 3.2)),
                            textcoords="offset points", xytext=(8, -4), color=color(i))
        for y, style in ((SHALLOW, "--"), (DEEP, "--"), (double_well.barrier, ":")):
            ax.axhline(y, color=INK, linewidth=0.8, linestyle=style)
        ax.set_ylim(-3.3, 3.3)
        ax.set_xlabel("step")
        ax.set_title(f"$\\sigma$ = {noise:g}, run {r}")
    for ax in axes:
        ax.set_yticks([-3, SHALLOW, double_well.barrier, DEEP, 3],
                      ["-3", "shallow min -1", "barrier 0", "deep min 1.5", "3"])
    axes[1].tick_params(labelleft=False)
    axes[0].set_ylabel("position x")
    axes[0].legend(loc="lower right")
    return fig


@figure("sva-curvature",
        alt="Top: the double well. Bottom: its curvature f''(x) with the line f'' = 2, the "
            "stability limit of SGD at lr 1.0. The shallow minimum (f'' 1.25) is inside the "
            "stable band, the deep minimum (f'' 1.875) just inside it, the walls outside.",
        caption="Wherever the curvature (bottom) rises above the line $f'' = 2$, SGD at learning rate"
                " 1 is unstable: both minima lie below the line, the steep walls above it.")
def _():
    from optdocs.plots.style import INK, color, new_figure

    (lo, hi), = double_well.bounds
    xs = np.linspace(lo, hi, 801)
    fig, (top, bottom) = new_figure(nrows=2, width=6.4, height=4.6)
    top.plot(xs, double_well.loss(xs[:, None]), color=INK, linewidth=1.8)
    top.set_ylabel("loss f(x)")
    curv = np.gradient(double_well.grad(xs[:, None])[:, 0], xs)
    bottom.plot(xs, curv, color=color(0), linewidth=1.8, label="curvature f''(x)")
    bottom.axhline(2 / SGD_LR, color=color(5), linestyle="--",
                   label=f"2 / lr for SGD, lr={SGD_LR:g}")
    left, right = _unstable_edges(SGD_LR)
    for ax in (top, bottom):
        ax.axvspan(lo, left, color=color(5), alpha=0.12, linewidth=0)
        ax.axvspan(right, hi, color=color(5), alpha=0.12, linewidth=0)
        for m in (SHALLOW, DEEP):
            ax.axvline(m, color=INK, linestyle=":", linewidth=0.8)
    bottom.plot([SHALLOW, DEEP], [CURV_SHALLOW, CURV_DEEP], "o", color=color(0))
    bottom.set_ylim(-1.5, 6)
    top.set_xlim(lo, hi)
    bottom.set_xlim(lo, hi)
    bottom.set_xlabel("x  (shaded: lr f''(x) > 2, where SGD at lr 1.0 is unstable)")
    bottom.set_ylabel("f''(x)")
    bottom.legend(loc="upper center")
    return fig


# -- the temperature picture: barrier height over the stationary spread T --------------------------
BARRIER = float(double_well.loss(np.array([double_well.barrier])) - double_well.loss(np.array([SHALLOW])))


def t_sgd(noise: float) -> float:
    """SGD at a fixed lr: T = lr sigma^2 / 2."""
    return SGD_LR * noise**2 / 2


def t_adam(noise: float) -> float:
    """Adam with v_hat ~ sigma^2 acts like SGD at lr / sigma: T = (lr / sigma) sigma^2 / 2."""
    return ADAM_LR * noise / 2


num("sva_barrier", fmt="{:.3f}")(lambda: BARRIER)
num("sva_bt_sgd_low", fmt="{:.1f}")(lambda: BARRIER / t_sgd(LOW))
num("sva_bt_adam_low", fmt="{:.1f}")(lambda: BARRIER / t_adam(LOW))
num("sva_bt_adam_high", fmt="{:.1f}")(lambda: BARRIER / t_adam(HIGH))
num("sva_adam_lrh_low", fmt="{:.2f}")(lambda: ADAM_LR / LOW * CURV_DEEP)
num("sva_adam_lrh_high", fmt="{:.2f}")(lambda: ADAM_LR / HIGH * CURV_DEEP)


def _path_sgd_divergence_step() -> int:
    r = first_escape_run("Adam", HIGH)
    tr = run("SGD", HIGH)
    claim(tr.diverged[r], "the SGD run of the pictured path diverges", run=r)
    return int(tr.diverged_at[r])


def _path_adam_first_cross() -> int:
    r = first_escape_run("Adam", HIGH)
    x = run("Adam", HIGH).positions[:, r, 0]
    return int(np.argmax(x >= double_well.barrier))


num("sva_path_sgd_div_step")(_path_sgd_divergence_step)
num("sva_path_adam_cross")(_path_adam_first_cross)
num("sva_edge_gap", fmt="{:.2f}")(lambda: _unstable_edges(SGD_LR)[1] - DEEP)


@cache
def adam_mean_step(noise: float) -> float:
    """Mean |x_t - x_{t-1}| of Adam over all steps and runs."""
    return float(np.abs(np.diff(run("Adam", noise).positions[:, :, 0], axis=0)).mean())


num("sva_adam_step_low", fmt="{:.4f}")(lambda: adam_mean_step(LOW))
num("sva_adam_step_high", fmt="{:.4f}")(lambda: adam_mean_step(HIGH))
num("sva_noise_ratio", fmt="{:g}")(lambda: HIGH / LOW)
