"""Chapter 4, Momentum and Nesterov (docs/momentum.md).

Everything runs on the ravine f(w) = (0.5 w1^2 + 15 w2^2) / 2 from its default start (-4, 1), with
no gradient noise, so every number is exact and reproducible. Step counts are steps to converge, as
the glossary defines them (guide/_settle.py): the first step from which the point stays within TOL
(Euclidean) of the minimum to the end of the run.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from guide._settle import steps_to_converge
from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import SGD
from optdocs.landscapes import ravine
from optdocs.simulate import simulate

TOL = 1e-3
H_FLAT, H_STEEP = 0.5, 15.0          # ravine curvatures
LR_SMALL, LR_LARGE = 0.02, 0.12      # a cautious lr and one near SGD's best
MU = 0.9
BETAS = np.round(np.arange(0.0, 0.96, 0.05), 2)
BETA_LRS = (0.02, 0.05, 0.12)
STEPS = 1500


def steps_to(traj) -> int:
    return int(steps_to_converge(traj, TOL)[0])


@cache
def run(lr: float, mu: float = 0.0, nesterov: bool = False, steps: int = STEPS):
    return simulate(ravine, SGD(lr=lr, momentum=mu, nesterov=nesterov), steps=steps)


# --- stability limits on a quadratic (lr times curvature must stay below these) ----------------

def sgd_limit() -> float:
    return 2.0 / H_STEEP


def heavy_limit(mu: float) -> float:
    return 2.0 * (1 + mu) / H_STEEP


def nesterov_limit(mu: float) -> float:
    return 2.0 * (1 + mu) / ((1 + 2 * mu) * H_STEEP)


def stays_bounded(lr: float, mu: float, nesterov: bool) -> bool:
    """Does the steep coordinate shrink over 2000 steps (1D, curvature 15, start 1)?"""
    p = np.array([1.0])
    opt = SGD(lr=lr, momentum=mu, nesterov=nesterov)
    with np.errstate(all="ignore"):
        for _ in range(2000):
            opt.step(p, H_STEEP * p)
    return bool(np.isfinite(p[0]) and abs(p[0]) < 1e-3)


@checks
@cache
def limit_claims() -> None:
    """The stability limits the page states hold on the ravine's steep direction: 2% below a
    limit the run stays bounded, 2% above it does not."""
    for mu in (0.5, 0.9):
        for nest, lim in ((False, heavy_limit(mu)), (True, nesterov_limit(mu))):
            form = "Nesterov" if nest else "heavy ball"
            claim(stays_bounded(0.98 * lim, mu, nest),
                  "momentum stays bounded just below its stability limit",
                  form=form, momentum=mu, limit=lim)
            claim(not stays_bounded(1.02 * lim, mu, nest),
                  "momentum diverges just above its stability limit",
                  form=form, momentum=mu, limit=lim)
    claim(stays_bounded(0.98 * sgd_limit(), 0.0, False),
          "plain SGD stays bounded just below 2 / h", limit=sgd_limit())
    claim(not stays_bounded(1.02 * sgd_limit(), 0.0, False),
          "plain SGD diverges just above 2 / h", limit=sgd_limit())


# --- claims on the ravine -------------------------------------------------------------------

@cache
def ravine_steps() -> dict[str, int]:
    out = {
        "sgd_small": steps_to(run(LR_SMALL)),
        "mom_small": steps_to(run(LR_SMALL, MU)),
        "sgd_large": steps_to(run(LR_LARGE)),
        "mom_large": steps_to(run(LR_LARGE, MU)),
    }
    claim(min(out.values()) > 0, "every ravine run reaches the tolerance", **out)
    claim(out["mom_small"] * 4 < out["sgd_small"],
          "at a small lr, momentum 0.9 is several times faster than SGD", **out)
    claim(out["mom_large"] >= 0.9 * out["sgd_large"],
          "near SGD's best lr, momentum is no faster than SGD on this ravine", **out)
    return out


@cache
def beta_sweep() -> dict[float, np.ndarray]:
    """Steps to tolerance for each momentum in BETAS, per lr (-1: not within STEPS)."""
    return {lr: np.array([steps_to(run(lr, float(b))) for b in BETAS]) for lr in BETA_LRS}


@cache
def best_beta(lr: float) -> tuple[float, int]:
    s = beta_sweep()[lr]
    ok = np.flatnonzero(s > 0)
    i = ok[np.argmin(s[ok])]
    return float(BETAS[i]), int(s[i])


@cache
def optimal_tuning() -> dict[str, float]:
    """Best constant lr for SGD and best (lr, mu) for heavy ball on a quadratic, and measured steps."""
    lo, hi = H_FLAT, H_STEEP
    kappa = hi / lo
    sgd_lr = 2 / (lo + hi)
    hb_lr = 4 / (math.sqrt(lo) + math.sqrt(hi)) ** 2
    hb_mu = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    out = {
        "kappa": kappa,
        "sgd_lr": sgd_lr, "sgd_rate": (kappa - 1) / (kappa + 1),
        "hb_lr": hb_lr, "hb_mu": hb_mu, "hb_rate": (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1),
        "sgd_steps": steps_to(run(round(sgd_lr, 6))),
        "hb_steps": steps_to(run(round(hb_lr, 6), round(hb_mu, 6))),
    }
    claim(out["hb_steps"] * 3 < out["sgd_steps"],
          "optimally tuned heavy ball needs several times fewer steps than optimally tuned SGD",
          **out)
    return out


@cache
def zero_momentum_gap() -> float:
    """optdocs SGD(momentum=0) against the heavy-ball formula written out with beta = 0."""
    h = np.array([H_FLAT, H_STEEP])
    w, b = ravine.start.copy(), np.zeros(2)
    hand = [w.copy()]
    for _ in range(STEPS):
        b = 0.0 * b + h * w                              # b = beta b + g with beta = 0
        w = w - LR_LARGE * b
        hand.append(w.copy())
    gap = float(np.abs(run(LR_LARGE, 0.0).positions[:, 0] - np.array(hand)).max())
    claim(gap == 0.0, "SGD with momentum 0 is exactly the heavy-ball formula with beta = 0",
          gap=gap)
    return gap


# --- Nesterov: classic (Sutskever) form against PyTorch's -------------------------------------

@cache
def nesterov_equivalence(lr: float = 0.05, mu: float = MU, steps: int = 200) -> tuple[float, float]:
    """Largest |p - (theta + mu v)| and |buffer + v / lr| over ``steps`` steps on the ravine."""
    h = np.array([H_FLAT, H_STEEP])
    theta, v = ravine.start.copy(), np.zeros(2)
    p, opt = ravine.start.copy(), SGD(lr=lr, momentum=mu, nesterov=True)
    gap_p = gap_b = 0.0
    for _ in range(steps):
        v = mu * v - lr * h * (theta + mu * v)
        theta = theta + v
        opt.step(p, h * p)
        gap_p = max(gap_p, float(np.abs(p - (theta + mu * v)).max()))
        gap_b = max(gap_b, float(np.abs(opt.get("momentum_buffer") + v / lr).max()))
    claim(gap_p < 1e-12 and gap_b < 1e-10,
          "PyTorch's Nesterov is the classic form with p = theta + mu v and buffer = -v / lr",
          gap_p=gap_p, gap_b=gap_b)
    return gap_p, gap_b


# --- the lr-free buffer under a schedule ------------------------------------------------------

DROP_AT, LR_HI, LR_LO, SCHED_STEPS = 20, 0.1, 0.01, 60


def dropped_lr(t: int) -> float:
    return LR_HI if t < DROP_AT else LR_LO


@cache
def schedule_steps() -> dict[str, np.ndarray]:
    """|step| per step for the classic form (v = mu v - lr g) and PyTorch's (b = mu b + g)."""
    h = H_FLAT
    x_c, v = -4.0, 0.0
    x_t, opt = np.array([-4.0]), SGD(lr=dropped_lr, momentum=MU)
    classic, torch = [], []
    for t in range(SCHED_STEPS):
        v = MU * v - dropped_lr(t) * h * x_c
        x_c += v
        before = x_t[0]
        opt.step(x_t, h * x_t)
        classic.append(abs(v))
        torch.append(abs(x_t[0] - before))
    classic, torch = np.array(classic), np.array(torch)
    same = np.abs(classic[:DROP_AT] - torch[:DROP_AT]).max()
    claim(same < 1e-12, "before the drop the classic and PyTorch forms take the same steps",
          gap=same)
    claim(torch[DROP_AT] < 0.2 * torch[DROP_AT - 1],
          "right after the lr drop PyTorch's step falls about tenfold at once",
          before=torch[DROP_AT - 1], after=torch[DROP_AT])
    claim(classic[DROP_AT] > 0.5 * classic[DROP_AT - 1],
          "right after the lr drop the classic form's step does not fall at once",
          before=classic[DROP_AT - 1], after=classic[DROP_AT])
    return {"classic": classic, "torch": torch}


# --- figures ----------------------------------------------------------------------------------

def _label_axes(ax) -> None:
    ax.set_xlabel("$w_1$ (flat, curvature 0.5)")
    ax.set_ylabel("$w_2$ (steep, curvature 15)")


@figure("momentum-ravine-paths",
        alt="Two contour plots of the ravine. Left, learning rate 0.02: plain SGD creeps a short way "
            "along the valley in 150 steps while momentum 0.9 reaches the minimum. Right, learning "
            "rate 0.12: SGD zig-zags across the valley, momentum 0.9 overshoots along it and "
            "circles in; both arrive.",
        caption="Left, at a small rate: momentum travels down the long valley while SGD barely "
                "starts. Right, at a larger rate: SGD zig-zags across the valley and momentum "
                "overshoots along it, but both arrive.")
def _():
    from optdocs.plots import contour, new_figure

    fig, axes = new_figure(ncols=2, width=10.0, height=3.9)
    for ax, lr in zip(axes, (LR_SMALL, LR_LARGE), strict=True):
        paths = {"SGD": run(lr).positions[:151],
                 f"momentum {MU}": run(lr, MU).positions[:151]}
        contour(ravine, paths, ax=ax, title=f"lr = {lr}, first 150 steps", levels=18)
        _label_axes(ax)
    return fig


@figure("momentum-steps-vs-beta",
        alt="Steps to reach the minimum against the momentum coefficient, one line per learning "
            "rate. Every line falls from beta = 0 (plain SGD) to a best beta and rises again; "
            "the best beta is larger for smaller learning rates.",
        caption=r"Every line has a lowest point, the best $\mu$ for that learning rate; follow it from"
                " line to line and it moves up as the rate gets smaller.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    fig, ax = new_figure(width=6.4, height=3.6)
    for i, (lr, s) in enumerate(beta_sweep().items()):
        y = np.where(s > 0, s, np.nan).astype(float)
        ax.plot(BETAS, y, color=color(i), linestyle=linestyle(i), marker="o", markersize=3,
                label=f"lr = {lr}")
    ax.set_yscale("log")
    ax.set_yticks([30, 50, 100, 200, 500, 1000], ["30", "50", "100", "200", "500", "1000"])
    ax.minorticks_off()
    ax.set_xlabel(r"momentum $\mu$  ($\mu = 0$ is plain SGD)")
    ax.set_ylabel(f"steps to within {TOL:g} of the minimum")
    ax.legend()
    return fig


@figure("momentum-schedule-drop",
        alt="Step length against step for two momentum formulations when the learning rate drops "
            "tenfold at step 20. They coincide before the drop; afterwards PyTorch's form takes "
            "a step ten times shorter at once, the classic form slows down gradually.",
        caption="Look at the steps right after the drop: PyTorch's form, whose rate multiplies the "
                "whole buffer, shortens its step tenfold at once; the classic form slows down only as"
                " the old velocity fades.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    s = schedule_steps()
    t = np.arange(1, SCHED_STEPS + 1)
    fig, ax = new_figure(width=6.4, height=3.4)
    ax.semilogy(t, s["classic"], color=color(1), linestyle=linestyle(1), marker="o", markersize=3,
                label=r"classic: $v \leftarrow \mu v - \gamma g$")
    ax.semilogy(t, s["torch"], color=color(0), linestyle=linestyle(0), marker="s", markersize=3,
                label=r"PyTorch: $b \leftarrow \mu b + g$, step $\gamma b$")
    ax.axvline(DROP_AT + 0.5, color="#808080", linestyle=":", linewidth=1)
    ax.set_xlabel(f"step (lr {LR_HI} until step {DROP_AT}, then {LR_LO})")
    ax.set_ylabel("|step|")
    ax.legend()
    return fig


# --- numbers ----------------------------------------------------------------------------------

@number("mom_sgd_limit", fmt="{:.3f}")
def _():
    return sgd_limit()


@number("mom_heavy_limit", fmt="{:.3f}")
def _():
    return heavy_limit(MU)


@number("mom_nesterov_limit", fmt="{:.3f}")
def _():
    return nesterov_limit(MU)


@number("mom_nesterov_limit_factor", fmt="{:.2f}")
def _():
    return 2 * (1 + MU) / (1 + 2 * MU)


@number("mom_across_factor", fmt="{:.2f}")
def _():
    return 1 - LR_LARGE * H_STEEP


@number("mom_along_factor", fmt="{:.2f}")
def _():
    return 1 - LR_LARGE * H_FLAT


for _key in ("sgd_small", "mom_small", "sgd_large", "mom_large"):
    number(f"mom_steps_{_key}")(lambda _key=_key: ravine_steps()[_key])


@number("mom_speedup_small", fmt="{:.1f}")
def _():
    s = ravine_steps()
    return s["sgd_small"] / s["mom_small"]


@number("mom_best_beta_large", fmt="{:.2f}")
def _():
    return best_beta(LR_LARGE)[0]


@number("mom_best_beta_large_steps")
def _():
    return best_beta(LR_LARGE)[1]


@number("mom_best_beta_small", fmt="{:.2f}")
def _():
    b, _ = best_beta(LR_SMALL)
    claim(b > best_beta(LR_LARGE)[0], "a smaller lr wants a larger momentum",
          best_at_small_lr=b, best_at_large_lr=best_beta(LR_LARGE)[0])
    return b


@number("mom_zero_gap", fmt="{:.1f}")
def _():
    return zero_momentum_gap()


for _key, _fmt in (("kappa", "{:.0f}"), ("sgd_lr", "{:.3f}"), ("sgd_rate", "{:.3f}"),
                   ("hb_lr", "{:.3f}"), ("hb_mu", "{:.3f}"), ("hb_rate", "{:.3f}")):
    number(f"mom_opt_{_key}", fmt=_fmt)(lambda _key=_key: optimal_tuning()[_key])

number("mom_opt_sgd_steps")(lambda: optimal_tuning()["sgd_steps"])
number("mom_opt_hb_steps")(lambda: optimal_tuning()["hb_steps"])


@number("mom_nesterov_gap", fmt="{:.0e}")
def _():
    return max(nesterov_equivalence()[0], 1e-16)


@number("mom_drop_torch_ratio", fmt="{:.2f}")
def _():
    s = schedule_steps()["torch"]
    return s[DROP_AT] / s[DROP_AT - 1]


@number("mom_drop_classic_ratio", fmt="{:.2f}")
def _():
    s = schedule_steps()["classic"]
    return s[DROP_AT] / s[DROP_AT - 1]


@number("mom_drop_classic_steps")
def _():
    """Steps after the drop until the classic form's step is as short as PyTorch's first one."""
    s = schedule_steps()
    target = s["torch"][DROP_AT]
    later = np.flatnonzero(s["classic"][DROP_AT:] <= target)
    claim(later.size > 0, "the classic form's step eventually gets as short as PyTorch's",
          target=target)
    return int(later[0]) + 1


# --- Nesterov against heavy ball on the ravine ------------------------------------------------

LR_NEST = 0.05


@cache
def nesterov_steps() -> dict[str, int | float]:
    out = {
        "heavy": steps_to(run(LR_NEST, MU)),
        "nesterov": steps_to(run(LR_NEST, MU, True)),
        # lr = 0.1 is inside heavy ball's stable range but outside Nesterov's
        "heavy_01": steps_to(run(0.1, MU)),
        "nesterov_01_growth": float(np.abs(run(0.1, MU, True, 200).positions[-1, 0, 1])),
    }
    claim(0 < out["nesterov"] < out["heavy"], "at lr 0.05 Nesterov is faster than heavy ball",
          **out)
    claim(out["heavy_01"] > 0 and out["nesterov_01_growth"] > 1e6,
          "lr 0.1 is inside heavy ball's stable range but outside Nesterov's", **out)
    return out


number("mom_nest_steps_heavy")(lambda: nesterov_steps()["heavy"])
number("mom_nest_steps_nesterov")(lambda: nesterov_steps()["nesterov"])
number("mom_nest_steps_heavy_01")(lambda: nesterov_steps()["heavy_01"])
number("mom_nest_growth_01", fmt="{:.0e}")(lambda: nesterov_steps()["nesterov_01_growth"])


number("mom_across_factor_small", fmt="{:.2f}")(lambda: 1 - LR_SMALL * H_STEEP)
number("mom_along_factor_small", fmt="{:.2f}")(lambda: 1 - LR_SMALL * H_FLAT)
number("mom_sqrt_mu", fmt="{:.3f}")(lambda: math.sqrt(MU))


@number("mom_best_speedup_large", fmt="{:.0f}")
def _():
    return ravine_steps()["sgd_large"] / best_beta(LR_LARGE)[1]
