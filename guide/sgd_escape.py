"""Chapter 3, docs/sgd-escape.md: gradient noise near a shallow minimum.

On the double well, a small and a large learning rate fed the same noise: who escapes, over lrs;
without noise, which starts a large step throws over the bump; the temperature picture.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.landscapes import double_well
from optdocs.simulate import simulate


def tag(x: float) -> str:
    """Name suffix for a learning rate or noise level: 0.03 -> "003", 0.3 -> "030"."""
    return f"{round(x * 100):03d}"


# == 3. the double well: small vs large learning rate, same noise =================================
NOISE = double_well.noise           # 1.0
RUNS = 1000
STEPS = 1000
SMALL, LARGE = 0.03, 0.3
ESCAPE_LRS = (0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
SHOWN = 250                 # runs drawn in the final-position figure
BARRIER = float(double_well.loss(np.array([0.0])) - double_well.loss(np.array([-1.0])))


@cache
def well_run(lr: float, steps: int = STEPS, runs: int = RUNS):
    return simulate(double_well, SGD(lr=lr), steps=steps, runs=runs, noise=NOISE, seed=0)


@cache
def well_outcome(lr: float, runs: int = RUNS) -> dict[str, float]:
    tr = well_run(lr) if runs == RUNS else well_run(lr, STEPS, runs)
    esc, div = tr.escape_fraction(), tr.diverged_fraction
    ever = float(np.mean((tr.positions[:, :, 0] >= double_well.barrier).any(axis=0)))
    return {"escaped": esc, "stayed": 1 - esc - div, "diverged": div, "ever": ever}


def temperature(lr: float) -> float:
    """The temperature T = lr sigma^2 / 2 of SGD with Gaussian gradient noise, in units of loss.

    For a small lr, SGD behaves like Langevin dynamics, whose stationary density is proportional to
    exp(-f / T). Near a minimum of curvature h that makes the position Gaussian with variance T / h,
    so the mean loss above the minimum is h/2 * T/h = T/2 (half the temperature, one quadratic
    degree of freedom); the exact value for SGD on a quadratic is lr sigma^2 / (2 (2 - lr h)).
    """
    return lr * NOISE**2 / 2


EXCESS_LR = 0.01              # cold: no run leaves the shallow minimum
EXCESS_BURN_IN = 200          # steps dropped before averaging


@cache
def mean_excess(lr: float = EXCESS_LR) -> float:
    """Measured mean loss above the shallow minimum, over all runs and the steps after burn-in."""
    tr = well_run(lr)
    base = float(double_well.loss(np.array([-1.0])))
    return float(np.mean(tr.losses[EXCESS_BURN_IN:] - base))


def first_run_where_large_escapes() -> int:
    tr = well_run(LARGE)
    return int(np.flatnonzero(tr.basins() == 0)[0])


# Without noise: a large step can jump a shallow valley when it comes in down a steep wall.
JUMP_STARTS = (-2.0, -1.5)
JUMP_LRS = (0.1, 0.3, 0.5, 0.6, 0.8, 1.0)


@cache
def jump_end(x0: float, lr: float) -> str:
    """Where noise-free gradient descent from x0 ends: "deep", "shallow" or "diverged"."""
    tr = simulate(double_well, SGD(lr=lr), x0=[x0], steps=2000)
    if tr.diverged[0]:
        return "diverged"
    return "deep" if tr.basins()[0] == 0 else "shallow"


def jump_first_step(x0: float, lr: float) -> float:
    return float(x0 - lr * double_well.grad(np.array([x0]))[0])


@figure("sgd-two-lrs-path",
        alt="Position against step for one run with lr 0.03 and one with lr 0.3, fed the same "
            "noisy gradients. The small rate jitters around the shallow minimum at -1 the whole "
            "time; the large rate jumps over the barrier at 0 early and then jitters around the "
            "deep minimum at 1.5, crossing back now and then.",
        caption="Both runs see the same gradient noise; only the rate differs. The large rate's run "
                "crosses the barrier at 0 early and then spends most of its time around the deeper "
                "minimum; the small rate's run never leaves the shallow one.")
def _():
    from optdocs.plots.style import INK, color, linestyle, new_figure

    r = first_run_where_large_escapes()
    fig, ax = new_figure(width=7.0, height=3.4)
    for i, lr in enumerate((SMALL, LARGE)):
        ax.plot(well_run(lr).positions[:, r, 0], color=color(i), linestyle=linestyle(i),
                linewidth=1.0 + 0.4 * (1 - i), label=f"lr = {lr:g}")
    for yv, st in ((-1.0, "--"), (0.0, ":"), (1.5, "--")):
        ax.axhline(yv, color=INK, linestyle=st, linewidth=0.8)
    ax.set_yticks([-2, -1, 0, 1.5, 3], ["-2", "shallow min -1", "barrier 0", "deep min 1.5", "3"])
    ax.set_xlabel("step")
    ax.set_ylabel("position x")
    ax.set_title(f"run {r}, gradient noise $\\sigma$ = {NOISE:g}, same draws for both",
                 fontsize="medium")
    ax.legend(loc="lower right")
    return fig


@figure("sgd-two-lrs-final",
        alt="Two copies of the double well with the final positions of 1000 runs as dots. With "
            "lr 0.03 all runs sit in the shallow well; with lr 0.3 most sit in the deep well.",
        caption="Where the runs end, for the two rates: with the small rate every dot stays in the "
                "shallow well; with the large rate most are in the deep one.")
def _():
    from optdocs.plots.landscape import landscape_1d
    from optdocs.plots.style import new_figure

    fig, axes = new_figure(ncols=2, width=9.6, height=3.4)
    for ax, lr in zip(axes, (SMALL, LARGE), strict=True):
        tr = well_run(lr)
        shown = tr.final[:SHOWN][~tr.diverged[:SHOWN]]           # a sample keeps the SVG small
        landscape_1d(double_well, shown, ax=ax, label=f"final positions, {SHOWN} of {RUNS} runs",
                     title=f"lr = {lr:g}: {well_outcome(lr)['escaped']:.0%} of {RUNS} runs end in "
                           "the deep well")
    return fig


@figure("sgd-escape-bars",
        alt="Stacked bars per learning rate, from 0.01 to 1.0: share of 1000 runs that end in the "
            "deep well, stay in the shallow well, or diverge. Nothing escapes at 0.01 and 0.03, "
            "most runs escape at 0.2 and 0.3, fewer at 0.5, and from 0.7 on every run diverges.",
        caption="Read the bars from left to right: escapes begin between 0.03 and 0.2, most runs "
                "escape at 0.2 and 0.3, and from 0.7 on the rate is so large that every run diverges "
                "instead.",
        page_kwargs={"runs": 100})
def _(runs=RUNS):
    from optdocs.plots.style import color, new_figure

    fig, ax = new_figure(width=7.0, height=3.6)
    xs = np.arange(len(ESCAPE_LRS))
    bottom = np.zeros(len(xs))
    parts = (("escaped", "ends in the deep well", 2), ("stayed", "ends in the shallow well", 1),
             ("diverged", "diverged", 5))
    for kind, label, c in parts:
        h = np.array([well_outcome(lr, runs)[kind] for lr in ESCAPE_LRS])
        bars = ax.bar(xs, h, bottom=bottom, color=color(c), label=label,
                      hatch="//" if kind == "diverged" else None, edgecolor="white", linewidth=0.5)
        if kind == "escaped":
            ax.bar_label(bars, labels=[f"{v:.0%}" if v > 0 else "" for v in h],
                         label_type="center", color="white", fontsize="small")
        bottom += h
    ax.set_xticks(xs, [f"{lr:g}" for lr in ESCAPE_LRS])
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"share of {runs} runs after {STEPS} steps")
    ax.set_ylim(0, 1)
    fig.legend(loc="outside right upper", fontsize="small")
    ax.grid(axis="x", visible=False)
    return fig


# == claims ========================================================================================
@checks
@cache
def claims() -> None:
    # 3. the double well
    T = temperature(EXCESS_LR)
    claim(well_outcome(EXCESS_LR)["ever"] == 0.0, "at the excess-measuring rate no run leaves the well",
          lr=EXCESS_LR)
    claim(abs(mean_excess() - T / 2) < 0.1 * T / 2 and mean_excess() < 0.6 * T,
          "the mean loss excess is half the temperature, not the temperature",
          measured=mean_excess(), half_T=T / 2, T=T)
    claim(well_outcome(SMALL)["ever"] == 0.0 and well_outcome(LARGE)["escaped"] > 0.8,
          "the small rate never leaves the shallow well, the large one escapes in most runs",
          small_ever=well_outcome(SMALL)["ever"], large_escaped=well_outcome(LARGE)["escaped"])
    hot = {lr: well_outcome(lr)["diverged"] for lr in ESCAPE_LRS if lr >= 0.7}
    claim(all(v == 1.0 for v in hot.values()), "from lr 0.7 on every run diverges", diverged=hot)
    cold = {lr: well_outcome(lr)["ever"] for lr in ESCAPE_LRS if BARRIER / temperature(lr) > 10}
    claim(all(v == 0.0 for v in cold.values()),
          "no run leaves the well while the barrier exceeds ten temperatures", ever_left=cold)
    warm = [lr for lr in ESCAPE_LRS if 0.5 <= BARRIER / temperature(lr) <= 4]
    claim(warm == [0.1, 0.2, 0.3, 0.5],
          "the rates whose barrier is 0.5 to 4 temperatures are 0.1, 0.2, 0.3 and 0.5", warm=warm)
    esc = [well_outcome(lr)["escaped"] for lr in ESCAPE_LRS if lr <= 0.2]
    claim(esc[1] < esc[2] < esc[3], "escapes grow from lr 0.03 to 0.1 to 0.2", escaped=esc)
    claim(well_outcome(0.5)["escaped"] < well_outcome(0.3)["escaped"]
          < well_outcome(0.2)["escaped"], "past lr 0.2 fewer runs end in the deep well",
          escaped_02=well_outcome(0.2)["escaped"], escaped_03=well_outcome(0.3)["escaped"],
          escaped_05=well_outcome(0.5)["escaped"])
    claim(well_outcome(LARGE)["ever"] > well_outcome(LARGE)["escaped"],
          "some runs cross into the deep well and come back",
          ever=well_outcome(LARGE)["ever"], escaped=well_outcome(LARGE)["escaped"])
    ends = [jump_end(-2.0, lr) for lr in JUMP_LRS]
    claim(ends == ["shallow"] * 3 + ["deep"] * 3,
          "from x = -2 the three small rates stay shallow, the three large ones jump deep",
          lrs=JUMP_LRS, ends=ends)
    ends_15 = [jump_end(-1.5, lr) for lr in JUMP_LRS]
    claim(all(e == "shallow" for e in ends_15), "from x = -1.5 every rate stays shallow",
          ends=ends_15)
    claim(jump_first_step(-2.0, 0.6) > 0 > jump_first_step(-2.0, 0.5),
          "from x = -2 the first step of lr 0.6 lands past the bump, that of 0.5 does not",
          x1_06=jump_first_step(-2.0, 0.6), x1_05=jump_first_step(-2.0, 0.5))


# == numbers =======================================================================================
num("sgd_noise", fmt="{:g}")(lambda: NOISE)
num("sgd_runs")(lambda: RUNS)
num("sgd_steps")(lambda: STEPS)
num("sgd_small", fmt="{:g}")(lambda: SMALL)
num("sgd_large", fmt="{:g}")(lambda: LARGE)
num("sgd_barrier", fmt="{:.3f}")(lambda: BARRIER)
for _lr in ESCAPE_LRS:
    for _k in ("escaped", "stayed", "diverged", "ever"):
        num(f"sgd_well_{_k}_{tag(_lr)}", fmt="{:.1%}")(lambda lr=_lr, k=_k: well_outcome(lr)[k])
    num(f"sgd_temp_{tag(_lr)}", fmt="{:.3f}")(lambda lr=_lr: temperature(lr))
    num(f"sgd_ratio_{tag(_lr)}", fmt="{:.1f}")(lambda lr=_lr: BARRIER / temperature(lr))
num("sgd_excess_lr", fmt="{:g}")(lambda: EXCESS_LR)
num("sgd_excess_burn_in")(lambda: EXCESS_BURN_IN)
num("sgd_excess_measured", fmt="{:.5f}")(mean_excess)
num("sgd_excess_half_T", fmt="{:.5f}")(lambda: temperature(EXCESS_LR) / 2)
num("sgd_excess_T", fmt="{:.4f}")(lambda: temperature(EXCESS_LR))
num("sgd_two_run")(first_run_where_large_escapes)
for _x0 in JUMP_STARTS:
    for _lr in JUMP_LRS:
        num(f"sgd_jump_{round(-_x0 * 10)}_{tag(_lr)}")(lambda x0=_x0, lr=_lr: jump_end(x0, lr))
num("sgd_jump_grad", fmt="{:.2f}")(lambda: float(double_well.grad(np.array([-2.0]))[0]))
num("sgd_jump_grad15", fmt="{:.3f}")(lambda: float(double_well.grad(np.array([-1.5]))[0]))
num("sgd_jump_x1_050", fmt="{:+.2f}")(lambda: jump_first_step(-2.0, 0.5))
num("sgd_jump_x1_060", fmt="{:+.2f}")(lambda: jump_first_step(-2.0, 0.6))
