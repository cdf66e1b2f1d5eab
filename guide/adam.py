"""Chapter 6, Adam (docs/adam.md).

Bias correction worked through on a short gradient sequence, how far from 1 the second-moment
correction still is at step 50, Adam's normalised step under a shrinking gradient, and AMSGrad on
the counterexample of Reddi, Kale and Kumar (2018). Everything is deterministic or seeded.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import Adam

B1, B2, LR = 0.9, 0.999, 1e-3

# --- bias correction, step by step ------------------------------------------------------------

GRADS = (0.5, -0.2, 0.4, 0.3, 0.1)


@cache
def bias_table() -> list[dict[str, float]]:
    """m_t, v_t, corrections, m_hat, v_hat and the step for GRADS with Adam's defaults."""
    opt, w = Adam(lr=LR), np.zeros(1)
    rows = []
    for t, g in enumerate(GRADS, start=1):
        opt.step(w, np.array([g]))
        m, v = float(opt.get("exp_avg")[0]), float(opt.get("exp_avg_sq")[0])
        c1, c2 = 1 - B1**t, 1 - B2**t
        m_hat, v_hat = m / c1, v / c2
        step = float(opt.get("update")[0])
        claim(math.isclose(step, -LR * m_hat / (math.sqrt(v_hat) + 1e-8), rel_tol=1e-9),
              "Adam's step is -lr * m_hat / (sqrt(v_hat) + eps)", t=t, step=step,
              formula=-LR * m_hat / (math.sqrt(v_hat) + 1e-8))
        rows.append({"g": g, "m": m, "v": v, "c1": c1, "c2": c2, "m_hat": m_hat,
                     "v_hat": v_hat, "step": step / LR})
    first = rows[0]
    claim(math.isclose(first["m_hat"], GRADS[0]) and math.isclose(first["v_hat"], GRADS[0] ** 2),
          "after bias correction the first step's moments are g and g^2",
          m_hat=first["m_hat"], v_hat=first["v_hat"], g=GRADS[0])
    claim(math.isclose(first["step"], -math.copysign(1, GRADS[0]), rel_tol=1e-6),
          "Adam's first step is lr against the gradient's sign", step_over_lr=first["step"])
    return rows


@cache
def first_step_scale_free() -> list[float]:
    """|first step| / lr for first gradients of very different sizes."""
    out = []
    for g in (1e-3, 1.0, 1e3):
        opt, w = Adam(lr=LR), np.zeros(1)
        opt.step(w, np.array([g]))
        out.append(float(-w[0] / LR))
    claim(all(math.isclose(s, 1.0, rel_tol=1e-4) for s in out),
          "Adam's first step is lr whatever the size of the first gradient", steps_over_lr=out)
    return out


def steps_until(beta: float, fraction: float) -> int:
    """Smallest t with 1 - beta**t >= fraction."""
    return math.ceil(math.log(1 - fraction) / math.log(beta))


@cache
def uncorrected_ratio(t: int = 50) -> float:
    """Step of Adam without bias correction over Adam's step at step t, constant gradient.

    Measured: optdocs Adam on a constant gradient steps exactly lr; the uncorrected rule would
    step lr * m_t / sqrt(v_t) with the same moments, read from the optimizer.
    """
    opt, w = Adam(lr=LR), np.zeros(1)
    for _ in range(t):
        opt.step(w, np.ones(1))
    corrected = float(-opt.get("update")[0])
    m, v = float(opt.get("exp_avg")[0]), float(opt.get("exp_avg_sq")[0])
    uncorrected = LR * m / (math.sqrt(v) + 1e-8)
    claim(math.isclose(corrected, LR, rel_tol=1e-6),
          "on a constant gradient Adam steps exactly lr", step=corrected, lr=LR)
    return uncorrected / corrected


# --- normalised step while the gradient shrinks ------------------------------------------------

TAU, SIGMA, T_NORM, LR_NORM = 500.0, 0.5, 3000, 0.01
WINDOW = 100


@cache
def normalised_steps() -> dict[str, np.ndarray]:
    """Step / lr per step for SGD and Adam (beta2 = 0.999, 0.99) on g_t = exp(-t/TAU)(1 + SIGMA z)."""
    t = np.arange(1, T_NORM + 1)
    z = np.random.default_rng(0).standard_normal(T_NORM)
    g = np.exp(-t / TAU) * (1 + SIGMA * z)
    out = {"gradient scale": np.exp(-t / TAU)}
    from optdocs import SGD

    sgd_lr = LR_NORM / np.exp(-1 / TAU)      # SGD's first step equals lr at the gradient scale 1
    for name, opt in (("SGD", SGD(lr=sgd_lr)),
                      ("Adam, beta2 = 0.999", Adam(lr=LR_NORM)),
                      ("Adam, beta2 = 0.99", Adam(lr=LR_NORM, betas=(B1, 0.99)))):
        w, steps = np.zeros(1), np.empty(T_NORM)
        for i in range(T_NORM):
            opt.step(w, g[i:i + 1])
            steps[i] = -opt.get("update")[0] / LR_NORM
        out[name] = steps
    return out


def window_mean(name: str, t: int) -> float:
    """Mean of step / lr over the WINDOW steps ending at step t."""
    s = normalised_steps()[name]
    return float(s[t - WINDOW:t].mean())


@checks
@cache
def normalised_claims() -> None:
    sgd, a999, a99 = "SGD", "Adam, beta2 = 0.999", "Adam, beta2 = 0.99"
    claim(window_mean(sgd, T_NORM) < 0.01, "SGD's step follows the shrinking gradient down",
          sgd=window_mean(sgd, T_NORM))
    claim(window_mean(a99, T_NORM) > 0.6, "Adam with beta2 = 0.99 holds most of lr",
          adam_099=window_mean(a99, T_NORM))
    claim(window_mean(a999, T_NORM) < 0.5 * window_mean(a99, T_NORM),
          "with the default beta2 = 0.999 Adam's step shrinks several-fold as well",
          adam_0999=window_mean(a999, T_NORM), adam_099=window_mean(a99, T_NORM))


def steady_ratio(beta2: float, tau: float = TAU, sigma: float = SIGMA, beta1: float = B1) -> float:
    """Long-run m_hat / sqrt(v_hat) for g_t = exp(-t/tau)(1 + sigma z) when it exists."""
    r = math.exp(-1 / tau)
    if beta2 >= r * r:
        return float("nan")                   # the second moment cannot keep up: no steady value
    m = (1 - beta1) / (1 - beta1 / r)
    v = (1 - beta2) / (1 - beta2 / r**2) * (1 + sigma**2)
    return m / math.sqrt(v)


# --- scale invariance ---------------------------------------------------------------------------

@cache
def scale_invariance_gap() -> float:
    """Largest relative difference between Adam's steps for gradients g and 1000 g."""
    rng = np.random.default_rng(1)
    g = rng.standard_normal((200, 3))
    steps = []
    for c in (1.0, 1000.0):
        opt, w = Adam(lr=LR), np.zeros(3)
        for row in g:
            opt.step(w, c * row)
        steps.append(w.copy())
    gap = float(np.abs(steps[0] - steps[1]).max() / np.abs(steps[0]).max())
    claim(gap < 1e-5, "Adam takes the same steps for gradients g and 1000 g", gap=gap)
    return gap


# --- AMSGrad and the counterexample --------------------------------------------------------------

C, CE_BETAS, CE_LR, CE_STEPS = 3.0, (0.0, 0.1), 0.01, 1500


def ce_grad(t: int) -> float:
    """Gradient of f_t(x) = C x on every third step (t = 1, 4, ...), -x otherwise."""
    return C if t % 3 == 1 else -1.0


@cache
def counterexample(amsgrad: bool, betas: tuple[float, float] = CE_BETAS) -> dict[str, np.ndarray]:
    """Projected Adam / AMSGrad on x in [-1, 1]: positions and step / lr per step."""
    opt, x = Adam(lr=CE_LR, betas=betas, amsgrad=amsgrad), np.zeros(1)
    xs, steps = np.empty(CE_STEPS + 1), np.empty(CE_STEPS)
    xs[0] = 0.0
    for t in range(1, CE_STEPS + 1):
        opt.step(x, np.array([ce_grad(t)]))
        steps[t - 1] = opt.get("update")[0] / CE_LR
        np.clip(x, -1.0, 1.0, out=x)           # projection onto the feasible interval
        xs[t] = x[0]
    return {"x": xs, "step": steps}


@checks
@cache
def counterexample_claims() -> None:
    adam, ams = counterexample(False), counterexample(True)
    claim(adam["x"][-1] == 1.0, "on the counterexample Adam ends at the worst feasible point, +1",
          x_end=adam["x"][-1])
    claim(ams["x"][-1] < -0.9, "AMSGrad ends near the best point, -1", x_end=ams["x"][-1])
    default = counterexample(False, (B1, B2))
    claim(default["x"][-1] < -0.9, "Adam with the default betas handles this sequence",
          x_end=default["x"][-1])


CYCLE = 30   # a three-step cycle (steps 3 CYCLE + 1 .. 3 CYCLE + 3), long before any clipping


def cycle_steps(amsgrad: bool) -> np.ndarray:
    s = counterexample(amsgrad)["step"][3 * CYCLE:3 * CYCLE + 3]
    x = counterexample(amsgrad)["x"][3 * CYCLE + 3]
    claim(x not in (-1.0, 1.0), "the pictured cycle comes long before any clipping",
          amsgrad=amsgrad, x=x)
    return s


# --- figures ------------------------------------------------------------------------------------

@figure("adam-bias-correction",
        alt="The bias-correction denominators 1 - beta1^t and 1 - beta2^t against step on a log "
            "axis. The first is above 0.99 by step 50; the second is below 0.05 at step 50 and "
            "reaches one half only near step 700.",
        caption="Compare the two curves at step 50, the dotted line: the first-moment correction has "
                r"all but vanished there, while $1-\beta_2^t$ is still far below one, so dividing by "
                "it still changes every step a lot.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    t = np.unique(np.round(np.geomspace(1, 20000, 400)).astype(int))
    fig, ax = new_figure(width=6.4, height=3.4)
    for i, (label, b) in enumerate(((r"$1-\beta_1^t$, $\beta_1 = 0.9$", B1),
                                    (r"$1-\beta_2^t$, $\beta_2 = 0.999$", B2))):
        ax.semilogx(t, 1 - b**t, color=color(i), linestyle=linestyle(i), label=label)
    ax.axvline(50, color="#808080", linestyle=":", linewidth=1)
    ax.annotate("step 50", (50, 0.5), xytext=(60, 0.55), color="#808080")
    ax.set_xlabel("step t")
    ax.set_ylabel("correction denominator")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper left")
    return fig


@figure("adam-normalised-step",
        alt="Step size divided by the learning rate against step, while the gradient scale "
            "decays by a factor e every 500 steps with noise. SGD's step decays with the "
            "gradient. Adam with beta2 = 0.99 keeps its step near 0.7 to 0.9 of the learning "
            "rate; Adam with the default beta2 = 0.999 lets it fall steadily.",
        caption="Follow each step as the gradient shrinks. SGD's step shrinks with it; Adam with "
                r"$\beta_2 = 0.99$ keeps its step close to the learning rate; with 0.999 its second "
                "moment still remembers the larger gradients of long ago, and its step falls too.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    data = normalised_steps()
    t = np.arange(1, T_NORM + 1)
    fig, ax = new_figure(width=6.8, height=3.8)
    kernel = np.ones(50) / 50
    for i, name in enumerate(("SGD", "Adam, beta2 = 0.999", "Adam, beta2 = 0.99")):
        label = name.replace("beta2", r"$\beta_2$")
        ax.plot(t, data[name], color=color(i), linewidth=0.5, alpha=0.25)
        smooth = np.convolve(data[name], kernel, mode="valid")
        ax.plot(t[49:], smooth, color=color(i), linestyle=linestyle(i), linewidth=2.0,
                label=f"{label} (50-step mean)")
    ax.axhline(1.0, color="#808080", linestyle=":", linewidth=1, label="step = lr")
    ax.set_xlabel(f"step (gradient scale $e^{{-t/{TAU:.0f}}}$, noise {SIGMA:.0%} of it)")
    ax.set_ylabel("step / lr")
    ax.set_ylim(-0.1, 1.6)
    ax.legend(loc="upper right")
    return fig


@figure("adam-amsgrad",
        alt="Position x against step on the Reddi-Kale-Kumar counterexample, where the best "
            "point is x = -1. Adam drifts up to x = +1 and stays there; AMSGrad drifts down to "
            "x = -1.",
        caption="The best point is $x = -1$; follow where each path settles. Adam is pulled to the "
                "wrong end, $+1$, and stays there; AMSGrad, whose denominator never shrinks, reaches "
                "$-1$.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    fig, ax = new_figure(width=6.4, height=3.4)
    for i, (name, ams) in enumerate((("Adam", False), ("AMSGrad", True))):
        ax.plot(counterexample(ams)["x"], color=color(i), linestyle=linestyle(i), label=name)
    ax.axhline(-1.0, color="#808080", linestyle=":", linewidth=1, label="best point, x = -1")
    ax.set_xlabel(rf"step ($\beta_1 = {CE_BETAS[0]:g}$, $\beta_2 = {CE_BETAS[1]:g}$, lr = {CE_LR})")
    ax.set_ylabel("x")
    ax.set_ylim(-1.1, 1.1)
    ax.legend()
    return fig


# --- numbers --------------------------------------------------------------------------------------

def _table_number(t: int, key: str, fmt: str) -> None:
    number(f"adam_tab_{key}_{t}", fmt=fmt)(lambda: bias_table()[t - 1][key])


for _t in range(1, len(GRADS) + 1):
    for _key, _fmt in (("g", "{:.1f}"), ("m", "{:.5f}"), ("v", "{:.3e}"), ("c1", "{:.4f}"),
                       ("c2", "{:.4f}"), ("m_hat", "{:.4f}"), ("v_hat", "{:.4f}"),
                       ("step", "{:+.4f}")):
        _table_number(_t, _key, _fmt)

number("adam_c1_50", fmt="{:.4f}")(lambda: 1 - B1**50)
number("adam_c2_50", fmt="{:.4f}")(lambda: 1 - B2**50)
number("adam_c2_100", fmt="{:.3f}")(lambda: 1 - B2**100)
number("adam_v_underestimate_50", fmt="{:.0f}")(lambda: 1 / (1 - B2**50))
number("adam_uncorrected_50", fmt="{:.1f}")(lambda: uncorrected_ratio(50))
number("adam_half_b2")(lambda: steps_until(B2, 0.5))
number("adam_90_b2")(lambda: steps_until(B2, 0.9))
number("adam_99_b1")(lambda: steps_until(B1, 0.99))
number("adam_99_b2")(lambda: steps_until(B2, 0.99))
number("adam_first_step_min", fmt="{:.4f}")(lambda: min(first_step_scale_free()))
number("adam_scale_gap", fmt="{:.0e}")(lambda: max(scale_invariance_gap(), 1e-16))


def _norm_number(key: str, name: str, t: int) -> None:
    number(f"adam_norm_{key}_{t}", fmt="{:.2f}")(lambda: window_mean(name, t))


for _key, _name in (("sgd", "SGD"), ("a999", "Adam, beta2 = 0.999"), ("a99", "Adam, beta2 = 0.99")):
    for _t in (500, 1500, 3000):
        _norm_number(_key, _name, _t)


@number("adam_norm_gradscale_3000", fmt="{:.4f}")
def _():
    return math.exp(-T_NORM / TAU)


number("adam_norm_steady_99", fmt="{:.2f}")(lambda: steady_ratio(0.99))
number("adam_noise_factor", fmt="{:.2f}")(lambda: 1 / math.sqrt(1 + SIGMA**2))
number("adam_tau_limit_999", fmt="{:.0f}")(lambda: -2 / math.log(B2))
number("adam_tau_limit_99", fmt="{:.0f}")(lambda: -2 / math.log(0.99))


@number("adam_tau_check")
def _():
    """The steady-ratio formula agrees with the measured window means where it applies."""
    claim(math.isnan(steady_ratio(B2)) and TAU < -2 / math.log(B2),
          "with beta2 = 0.999 the second moment cannot keep up: there is no steady ratio",
          steady=steady_ratio(B2), tau=TAU, limit=-2 / math.log(B2))
    claim(abs(steady_ratio(0.99) - window_mean("Adam, beta2 = 0.99", T_NORM)) < 0.1,
          "with beta2 = 0.99 the steady-ratio formula matches the measured step",
          formula=steady_ratio(0.99), measured=window_mean("Adam, beta2 = 0.99", T_NORM))
    return "ok"


@number("adam_ce_final_adam", fmt="{:+.2f}")
def _():
    return float(counterexample(False)["x"][-1])


number("adam_ce_final_ams", fmt="{:+.2f}")(lambda: float(counterexample(True)["x"][-1]))
number("adam_ce_final_default", fmt="{:+.2f}")(
    lambda: float(counterexample(False, (B1, B2))["x"][-1]))


def _cycle_number(name: str, ams: bool, i: int) -> None:
    number(f"adam_ce_{name}_s{i}", fmt="{:+.2f}")(lambda: float(cycle_steps(ams)[i]))


for _name, _ams in (("adam", False), ("ams", True)):
    for _i in range(3):
        _cycle_number(_name, _ams, _i)
    number(f"adam_ce_{_name}_net", fmt="{:+.2f}")(
        lambda _ams=_ams: float(cycle_steps(_ams).sum()))
