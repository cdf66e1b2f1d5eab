"""Chapter 9, the race (docs/race.md).

Part 1: SGD, momentum, RMSprop and Adam from the same start on flat_steep with one shared learning
rate, 0.10 and 0.45 (the visual guide's two settings). Part 2: the same four on Rosenbrock, Beale
and Himmelblau, each optimizer with its own learning rate picked from a fixed grid at build time.
No gradient noise anywhere, so every race is deterministic.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide._settle import steps_to_converge
from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import SGD, Adam, RMSprop
from optdocs.landscapes import beale, flat_steep, himmelblau, rosenbrock
from optdocs.simulate import race, simulate

NAMES = ("SGD", "Momentum", "RMSprop", "Adam")
TOL = 1e-2            # "settled": within this distance of a minimum from some step to the end
BLOWUP = 100.0        # "diverged": non-finite, or final loss above BLOWUP x the starting loss


def make(name: str, lr: float):
    return {"SGD": lambda: SGD(lr=lr),
            "Momentum": lambda: SGD(lr=lr, momentum=0.9),
            "RMSprop": lambda: RMSprop(lr=lr),
            "Adam": lambda: Adam(lr=lr)}[name]()


def settle_step(tr) -> int:
    """Steps to converge (glossary): first step from which the run stays within TOL; -1 if never."""
    return int(steps_to_converge(tr, TOL)[0])


def summary(tr) -> dict:
    start, final = tr.losses[0, 0], tr.losses[-1, 0]
    return {
        "final": float(final),
        "steps": settle_step(tr),
        "worst": float(np.max(tr.losses[:, 0])),
        "diverged": bool(tr.diverged[0] or not final <= BLOWUP * start),
    }


# --- part 1: flat_steep, one learning rate for all ----------------------------------------------

SHARED_LRS = (0.10, 0.45)
SHARED_STEPS = 300


@cache
def shared_race(lr: float) -> dict:
    return race(flat_steep, {n: make(n, lr) for n in NAMES}, steps=SHARED_STEPS)


@cache
def shared_table(lr: float) -> dict[str, dict]:
    return {n: summary(tr) for n, tr in shared_race(lr).items()}


@cache
def sgd_slow_steps() -> int:
    """SGD at lr 0.10 needs this many steps to arrive (longer than the race)."""
    return settle_step(simulate(flat_steep, SGD(lr=0.10), steps=2000))


@checks
@cache
def shared_lr_claims() -> None:
    slow, fast = shared_table(0.10), shared_table(0.45)
    claim(slow["SGD"]["steps"] == -1 and slow["Adam"]["steps"] > 0,
          "at lr 0.10 SGD has not arrived by the end of the race, Adam has",
          sgd_steps=slow["SGD"]["steps"], adam_steps=slow["Adam"]["steps"])
    claim(sgd_slow_steps() > 4 * slow["Adam"]["steps"],
          "at lr 0.10 SGD needs over four times Adam's steps to arrive",
          sgd_steps=sgd_slow_steps(), adam_steps=slow["Adam"]["steps"])
    start = float(flat_steep.loss(flat_steep.start))
    claim(slow["Adam"]["worst"] <= start * (1 + 1e-12)
          and fast["Adam"]["worst"] <= start * (1 + 1e-12),
          "Adam arrives without the loss ever rising above its start",
          worst_010=slow["Adam"]["worst"], worst_045=fast["Adam"]["worst"], start=start)
    arrived = {n: v["steps"] for n, v in slow.items() if v["steps"] > 0}
    claim(slow["RMSprop"]["steps"] == min(arrived.values()), "at lr 0.10 RMSprop arrives first",
          steps=arrived)
    claim(fast["SGD"]["diverged"] and not fast["Adam"]["diverged"] and fast["Adam"]["steps"] > 0,
          "at lr 0.45 SGD diverges (w2 grows 2.6-fold a step) while Adam arrives",
          sgd_diverged=fast["SGD"]["diverged"], adam_diverged=fast["Adam"]["diverged"],
          adam_steps=fast["Adam"]["steps"])
    claim(not fast["Momentum"]["diverged"],
          "at lr 0.45 momentum 0.9 is stable too: 0.45 * 8 = 3.6 < 2 (1 + 0.9) = 3.8",
          momentum_diverged=fast["Momentum"]["diverged"])
    for lr, mu, ok in ((0.24, 0.0, True), (0.26, 0.0, False), (0.47, 0.9, True), (0.48, 0.9, False)):
        claim(steep_bounded(lr, mu) == ok,
              "the cell's hints: SGD's edge is 2/8, momentum 0.9's edge is 3.8/8 = 0.475",
              lr=lr, momentum=mu, expected_bounded=ok)


def steep_bounded(lr: float, mu: float) -> bool:
    """Does the steep coordinate (curvature 8) shrink over 3000 steps?"""
    w, opt = np.array([1.0]), SGD(lr=lr, momentum=mu)
    with np.errstate(all="ignore"):
        for _ in range(3000):
            opt.step(w, 8.0 * w)
    return bool(abs(w[0]) < 1e-3)


def w1_progress(name: str, lr: float, t: int = 50) -> float:
    """Fraction of the way from w1 = -4 to 0 covered after t steps."""
    return float(1 - abs(shared_race(lr)[name].path()[t, 0]) / 4)


# --- part 2: classic test functions, a tuned lr per optimizer -------------------------------------

GRID = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
SURFACES = {"rosenbrock": (rosenbrock, 2000), "beale": (beale, 2000), "himmelblau": (himmelblau, 500)}


def rank(s: dict) -> tuple:
    """Settled beats not settled; then fewer steps; then lower final loss."""
    if s["diverged"]:
        return (2, 0, np.inf)
    return (0, s["steps"], s["final"]) if s["steps"] > 0 else (1, 0, s["final"])


def tuned(surface: str, grid: tuple[float, ...] = GRID) -> dict[str, tuple[float, dict]]:
    """For each optimizer, the grid lr with the best rank, and its summary."""
    return _tuned(surface, tuple(grid))


@cache
def _tuned(surface: str, grid: tuple[float, ...]) -> dict[str, tuple[float, dict]]:
    ls, steps = SURFACES[surface]
    out = {}
    for n in NAMES:
        best = None
        for lr in grid:
            s = summary(simulate(ls, make(n, lr), steps=steps))
            if best is None or rank(s) < rank(best[1]):
                best = (lr, s)
        out[n] = best
    return out


def tuned_race(surface: str, grid: tuple[float, ...] = GRID) -> dict:
    return _tuned_race(surface, tuple(grid))


@cache
def _tuned_race(surface: str, grid: tuple[float, ...]) -> dict:
    ls, steps = SURFACES[surface]
    return race(ls, {n: make(n, lr) for n, (lr, _) in tuned(surface, grid).items()}, steps=steps)


@checks
@cache
def surface_claims() -> None:
    ros, bea, him = (tuned(s) for s in ("rosenbrock", "beale", "himmelblau"))
    steps = {s: {n: v[1]["steps"] for n, v in tuned(s).items()} for s in SURFACES}
    claim(steps["rosenbrock"]["SGD"] == -1 and steps["rosenbrock"]["RMSprop"] == -1,
          "on Rosenbrock neither SGD nor RMSprop settles at any rate of the grid",
          steps=steps["rosenbrock"])
    claim(0 < steps["rosenbrock"]["Momentum"] < steps["rosenbrock"]["Adam"],
          "on Rosenbrock momentum settles before Adam", steps=steps["rosenbrock"])
    claim(steps["beale"]["Adam"] == min(v for v in steps["beale"].values() if v > 0),
          "on Beale Adam settles first", steps=steps["beale"])
    claim(ros["Adam"][0] > ros["RMSprop"][0] and bea["Adam"][0] > bea["RMSprop"][0],
          "Adam's tuned rate is larger than RMSprop's on Rosenbrock and Beale",
          rosenbrock=(ros["Adam"][0], ros["RMSprop"][0]), beale=(bea["Adam"][0], bea["RMSprop"][0]))
    basins = {n: int(tr.basins()[0]) for n, tr in tuned_race("himmelblau").items()}
    claim(basins["Momentum"] != 0 and all(basins[n] == 0 for n in NAMES if n != "Momentum"),
          "on Himmelblau momentum ends in a different minimum from the other three", basins=basins)
    claim(all(v > 0 for v in steps["himmelblau"].values()),
          "on Himmelblau every optimizer settles", steps=steps["himmelblau"])


def all_tuned_lrs() -> list[float]:
    return [lr for s in SURFACES for lr, _ in tuned(s).values()]


def minimum_reached(surface: str, name: str) -> str:
    ls = SURFACES[surface][0]
    tr = tuned_race(surface)[name]
    if settle_step(tr) < 0:
        return "none"
    x, y = ls.minima[int(tr.basins()[0])]
    return f"({x:.2f}, {y:.2f})"


# --- figures ------------------------------------------------------------------------------------

def _contour_race(ax, landscape, runs, title):
    from optdocs.plots import contour

    contour(landscape, {n: tr for n, tr in runs.items()}, ax=ax, levels=20, title=title)


@figure("race-flat-steep",
        alt="Two contour plots of the flat-steep bowl with the paths of SGD, momentum, RMSprop "
            "and Adam from (-4, 1). At learning rate 0.10 SGD creeps along the floor while the "
            "others reach the minimum; at 0.45 SGD bounces off the top and bottom of the window "
            "(it diverges), momentum and RMSprop overshoot widely, Adam heads to the minimum.",
        caption="Left, at 0.10: everyone but SGD reaches the minimum. Right, at 0.45, beyond SGD's "
                "limit for the steep direction: SGD diverges, momentum and RMSprop swing wide, and "
                "Adam heads for the minimum.")
def _():
    from optdocs.plots import new_figure

    fig, axes = new_figure(ncols=2, width=11.0, height=4.2)
    for ax, lr in zip(axes, SHARED_LRS, strict=True):
        runs = {}
        for n, tr in shared_race(lr).items():
            p = tr.path()
            if shared_table(lr)[n]["diverged"]:          # cut a diverging path once it leaves
                out = np.flatnonzero(np.abs(p[:, 1]) > 2 * flat_steep.box[1])
                p = p[:out[0] + 1] if out.size else p
                n = f"{n} (diverges)"
            runs[n] = p
        _contour_race(ax, flat_steep, runs, f"lr = {lr:.2f} for all four")
        ax.set_xlabel("$w_1$ (flat)")
        ax.set_ylabel("$w_2$ (steep)")
    return fig


def _surface_figure(surface: str, grid: tuple[float, ...] = GRID):
    from optdocs.plots import new_figure

    ls = SURFACES[surface][0]
    fig, ax = new_figure(width=6.0, height=4.6)
    lrs = ", ".join(f"{n} {lr:g}" for n, (lr, _) in tuned(surface, grid).items())
    _contour_race(ax, ls, tuned_race(surface, grid), f"tuned lr: {lrs}")
    ax.title.set_fontsize(8)
    return fig


@figure("race-rosenbrock",
        alt="Contour plot of Rosenbrock's banana valley with the four optimizers' paths "
            "from (-1.2, 1), each at its own tuned learning rate. All drop into the curved "
            "valley; momentum and Adam follow it to the minimum at (1, 1).",
        caption="Each optimizer at its own tuned rate: all of them get into the curved valley "
                "quickly; what sets them apart is how far they travel along it.",
        page_kwargs={"grid": (0.001, 0.003, 0.1)})
def _(grid=GRID):
    return _surface_figure("rosenbrock", grid)


@figure("race-beale",
        alt="Contour plot of Beale's function with the four optimizers' paths from (1, 1.5), "
            "each at its own tuned learning rate, heading to the minimum at (3, 0.5).",
        caption="Each optimizer at its own tuned rate: compare the routes they take across Beale's "
                "flat plateau toward the minimum at $(3, 0.5)$.",
        page_kwargs={"grid": (0.003, 0.03, 0.3)})
def _(grid=GRID):
    return _surface_figure("beale", grid)


@figure("race-himmelblau",
        alt="Contour plot of Himmelblau's function with its four minima and the four "
            "optimizers' paths from (0, 0), each at its own tuned learning rate; SGD, "
            "RMSprop and Adam end at the minimum (3, 2), momentum at another one.",
        caption="Himmelblau's function has four minima. From $(0, 0)$, each at its tuned rate, SGD, "
                "RMSprop and Adam end in $(3, 2)$ and momentum in another one: compare the routes.",
        page_kwargs={"grid": (0.01, 0.1, 1.0)})
def _(grid=GRID):
    return _surface_figure("himmelblau", grid)


@figure("race-loss-curves",
        alt="Three panels of loss against step on a log scale, for Rosenbrock, Beale and "
            "Himmelblau, one line per optimizer at its tuned learning rate.",
        caption="The same races as loss against step: the earlier and steeper a curve drops, the "
                "sooner that optimizer settles; flat stretches are where it crawls.",
        page_kwargs={"grid": (0.003, 0.03, 0.3)})
def _(grid=GRID):
    from optdocs.plots.style import color, linestyle, new_figure

    fig, axes = new_figure(ncols=3, width=11.0, height=3.4)
    for ax, surface in zip(axes, SURFACES, strict=True):
        for i, (n, tr) in enumerate(tuned_race(surface, grid).items()):
            ax.semilogy(np.maximum(tr.losses[:, 0], 1e-30), color=color(i), linestyle=linestyle(i),
                        label=n)
        ax.set_title(surface.capitalize())
        ax.set_xlabel("step")
        ax.set_ylim(1e-30, None)
    axes[0].set_ylabel("loss")
    axes[0].legend()
    return fig


# --- numbers ----------------------------------------------------------------------------------------

def _fmt_steps(s: dict) -> str:
    return "never" if s["steps"] < 0 else str(s["steps"])


def _fmt_loss(x: float) -> str:
    return f"{x:.1e}" if np.isfinite(x) else "overflow"


def _shared_numbers(lr: float, n: str) -> None:
    tag = f"race_{int(round(lr * 100)):03d}_{n.lower()}"

    def table():
        return shared_table(lr)[n]

    number(f"{tag}_final")(lambda: _fmt_loss(table()["final"]))
    number(f"{tag}_steps")(lambda: _fmt_steps(table()))
    number(f"{tag}_worst")(lambda: _fmt_loss(table()["worst"]))
    number(f"{tag}_div")(lambda: "yes" if table()["diverged"] else "no")


for _lr in SHARED_LRS:
    for _n in NAMES:
        _shared_numbers(_lr, _n)

number("race_sgd_slow_steps")(sgd_slow_steps)
number("race_w1_sgd", fmt="{:.0%}")(lambda: w1_progress("SGD", 0.10))
number("race_w1_adam", fmt="{:.0%}")(lambda: w1_progress("Adam", 0.10))
number("race_sgd_factor_045", fmt="{:.1f}")(lambda: abs(1 - 8 * 0.45))
number("race_start_loss", fmt="{:.1f}")(lambda: float(flat_steep.loss(flat_steep.start)))
number("race_rms_first_045", fmt="{:.1f}")(lambda: 0.45 / np.sqrt(1 - 0.99))


def _tuned_numbers(surface: str, n: str) -> None:
    tag = f"race_{surface}_{n.lower()}"
    number(f"{tag}_lr")(lambda: f"{tuned(surface)[n][0]:g}")
    number(f"{tag}_steps")(lambda: _fmt_steps(tuned(surface)[n][1]))
    number(f"{tag}_final")(lambda: _fmt_loss(tuned(surface)[n][1]["final"]))
    if surface == "himmelblau":
        number(f"{tag}_min")(lambda: minimum_reached(surface, n))


for _s in SURFACES:
    for _n in NAMES:
        _tuned_numbers(_s, _n)

number("race_grid")(lambda: ", ".join(f"{lr:g}" for lr in GRID))
number("race_sgd_w1_rate", fmt="{:.0%}")(lambda: 0.10 * 0.1)


@number("race_lr_min")
def _():
    return f"{min(all_tuned_lrs()):g}"


number("race_lr_max")(lambda: f"{max(all_tuned_lrs()):g}")
number("race_lr_orders")(lambda: round(float(np.log10(max(all_tuned_lrs()) / min(all_tuned_lrs())))))
for _s, (_ls, _steps) in SURFACES.items():
    number(f"race_{_s}_budget")(lambda _steps=_steps: _steps)


# --- today's optimizers on the three surfaces -----------------------------------------------------
# The same tuning as part 2 for RAdam, Adafactor, Muon, Lion and schedule-free AdamW. The point is
# one 1 x 2 matrix (Muon takes only matrices; for it the step is the normalised momentum), each
# optimizer with its defaults but the rate (Muon without weight decay), and schedule-free AdamW
# is scored at its averaged point x, the one to evaluate.

MODERN = ("RAdam", "Adafactor", "Muon", "Lion", "Schedule-free AdamW")


def make_modern(name: str, lrs: tuple[float, ...]):
    """Optimizer ``name`` for one parameter per rate of ``lrs`` (list position ``i`` at
    ``lrs[i]``, set by ``overrides``), defaults otherwise (Muon: no weight decay)."""
    from optdocs import Adafactor, AdamWScheduleFree, Lion, Muon, RAdam

    kwargs = {"lr": lrs[0], "overrides": {i: {"lr": lr} for i, lr in enumerate(lrs)}}
    return {"RAdam": lambda: RAdam(**kwargs), "Adafactor": lambda: Adafactor(**kwargs),
            "Muon": lambda: Muon(weight_decay=0.0, **kwargs), "Lion": lambda: Lion(**kwargs),
            "Schedule-free AdamW": lambda: AdamWScheduleFree(**kwargs)}[name]()


def run_matrices(landscape, name: str, lrs: tuple[float, ...], steps: int) -> list:
    """One ``Trajectory`` per rate of ``lrs`` on ``landscape``, the point held as a 1 x 2 matrix.
    One optimizer steps the runs as a list of parameters, each at its own rate: every run takes
    the steps it would take alone (each parameter has its own state), in one ``step`` call per
    step. The positions are the evaluated points (schedule-free: x)."""
    opt = make_modern(name, lrs)
    points = [landscape.start.astype(float)[None, :].copy() for _ in lrs]
    positions = np.empty((steps + 1, len(lrs), 2))
    positions[0] = landscape.start
    evaluated = (lambda: opt.get("x")) if name == "Schedule-free AdamW" else (lambda: points)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            grads = landscape.grad(np.concatenate(points))
            opt.step(points, [g[None, :] for g in grads])
            positions[t] = np.concatenate(evaluated())
        losses = landscape.loss(positions)
    return [_frozen_at_divergence(positions[:, [r]], losses[:, [r]], landscape)
            for r in range(len(lrs))]


def _frozen_at_divergence(positions, losses, landscape):
    """A one-run ``Trajectory``, frozen at its last finite point as ``simulate`` freezes one."""
    from optdocs.simulate import Trajectory

    bad = ~(np.isfinite(losses[:, 0]) & np.isfinite(positions[:, 0]).all(axis=-1))
    at = int(np.argmax(bad)) if bad.any() else -1
    if at > 0:
        positions[at:], losses[at:] = positions[at - 1], losses[at - 1]
    return Trajectory(positions, losses, np.array([at >= 0]), np.array([at]), landscape)


@cache
def modern_tuned(surface: str) -> dict[str, tuple[float, dict]]:
    """For each of today's optimizers, the grid rate with the best rank, and its summary."""
    ls, steps = SURFACES[surface]
    out = {}
    for n in MODERN:
        best = None
        for lr, tr in zip(GRID, run_matrices(ls, n, GRID, steps), strict=True):
            s = summary(tr)
            if best is None or rank(s) < rank(best[1]):
                best = (lr, s)
        out[n] = best
    return out


def settled_steps(surface: str, names: tuple[str, ...]) -> dict[str, int]:
    """Steps to converge at the tuned rate, for part 2's optimizers and today's alike."""
    table = {**tuned(surface), **modern_tuned(surface)}
    return {n: table[n][1]["steps"] for n in names}


@checks
@cache
def modern_claims() -> None:
    steps = {s: settled_steps(s, ("Adam", *MODERN)) for s in SURFACES}
    claim(all(steps[s]["RAdam"] == -1 for s in SURFACES),
          "RAdam settles on none of the three surfaces at any rate of the grid", steps=steps)
    ros = steps["rosenbrock"]
    claim([n for n in MODERN if ros[n] > 0] == ["Muon"] and ros["Muon"] > ros["Adam"],
          "on Rosenbrock only Muon of today's five settles, and later than Adam", steps=ros)
    bea = steps["beale"]
    claim(all(bea[n] > bea["Adam"] for n in MODERN if bea[n] > 0)
          and sum(bea[n] > 0 for n in MODERN) >= 3,
          "on Beale three or more of them settle, every one later than Adam", steps=bea)
    him = steps["himmelblau"]
    claim(0 < him["Schedule-free AdamW"] < him["Adam"] and 0 < him["Adafactor"] < him["Adam"],
          "on Himmelblau schedule-free AdamW and Adafactor settle before Adam", steps=him)
    him_lrs = {n: modern_tuned("himmelblau")[n][0] for n in ("Schedule-free AdamW", "Adafactor")}
    claim(min(him_lrs.values()) >= 0.3, "on Himmelblau both are tuned to the grid's top rates",
          lrs=him_lrs)
    claim(modern_tuned("beale")["Lion"][0] <= 0.01, "on Beale Lion settles only at a small rate",
          lr=modern_tuned("beale")["Lion"][0])
    sf = modern_tuned("rosenbrock")["Schedule-free AdamW"][1]
    claim(sf["steps"] == -1 and sf["final"] < 1e-3,
          "on Rosenbrock schedule-free AdamW's averaged point ends below 1e-3 without settling",
          summary=sf)


def _modern_numbers(surface: str, n: str) -> None:
    tag = f"race_{surface}_m_{n.split()[0].lower().replace('-', '')}"
    number(f"{tag}_lr")(lambda: f"{modern_tuned(surface)[n][0]:g}")
    number(f"{tag}_steps")(lambda: _fmt_steps(modern_tuned(surface)[n][1]))
    number(f"{tag}_final")(lambda: _fmt_loss(modern_tuned(surface)[n][1]["final"]))


for _s in SURFACES:
    for _n in MODERN:
        _modern_numbers(_s, _n)
