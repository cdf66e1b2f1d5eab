"""Chapter 1 (docs/landscape.md): the terrain an optimizer walks on.

Figures of every landscape in optdocs.landscapes, the Hessian eigenvalues that classify their
stationary points, a plateau made by a saddle (the loss curve looks converged, the point is not a
minimum), and a toy count of how rare minima are among random stationary points as the dimension
grows.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.landscapes import beale, double_well, flat_steep, himmelblau, ravine, rosenbrock, saddle
from optdocs.simulate import simulate


def hessian(landscape, x, h: float = 1e-5) -> np.ndarray:
    """Hessian of a landscape at x by central differences of its analytic gradient."""
    x = np.asarray(x, dtype=float)
    d = len(x)
    H = np.empty((d, d))
    for i in range(d):
        e = np.zeros(d)
        e[i] = h
        H[i] = (landscape.grad(x + e) - landscape.grad(x - e)) / (2 * h)
    return (H + H.T) / 2


def eig(landscape, x) -> np.ndarray:
    return np.linalg.eigvalsh(hessian(landscape, x))


@checks
@cache
def claims() -> None:
    """The page's statements, checked before any of its figures or numbers is computed."""
    claim(_dw["shallow"] > 0 and _dw["deep"] > 0 and _dw["bump"] < 0,
          "the double well curves up at both minima and down at the bump between them", **_dw)
    dw_grads = double_well.grad(np.array([[x] for x in DW_POINTS.values()]))
    claim(np.allclose(dw_grads, 0), "the double well's three points are stationary",
          grads=dw_grads.ravel())
    claim(_saddle0[0] < 0 < _saddle0[1], "the saddle curves down one way and up the other",
          eigenvalues=_saddle0)
    claim(CONDITION["rosenbrock"] > 2000 and abs(CONDITION["ravine"] - 30) < 1e-3,
          "Rosenbrock's minimum is conditioned beyond 2000, the ravine's is 30",
          rosenbrock=CONDITION["rosenbrock"], ravine=CONDITION["ravine"])
    himmelblau_basins = sorted(gallery_run("himmelblau").basins())
    claim(himmelblau_basins == [0, 1, 2, 3], "on Himmelblau four starts find all four minima",
          basins=himmelblau_basins)
    diverged = [n for n in GALLERY if gallery_run(n).diverged.any()]
    claim(not diverged, "no run of the gallery diverges", diverged=diverged)
    rosen_gap = np.linalg.norm(_rosen().final[0] - rosenbrock.minima[0])
    claim(rosen_gap > 0.05, "on Rosenbrock the run ends still in the valley, short of the minimum",
          distance=rosen_gap)
    ps = _plateau_stats()
    claim(60 < ps["len"] < 100 and ps["gmin"] < 2e-3 and ps["final"] < -0.2499,
          "the saddle's plateau lasts 60 to 100 steps with a tiny gradient before the loss drops",
          **ps)
    pd = positive_definite_fraction()
    claim(all(pd[a] > pd[b] for a, b in zip(DIMS, DIMS[1:], strict=False)),
          "minima get rarer among random stationary points as the dimension grows", fractions=pd)
    claim(0.5e-4 < pd[5] < 2e-4, "in five dimensions about one in ten thousand is a minimum",
          fraction=pd[5])
    ravine_eig = eig(ravine, [0.0, 0.0])
    claim(np.allclose(ravine_eig, [0.5, 15.0]), "the ravine's curvatures are 0.5 and 15",
          eigenvalues=ravine_eig)


# -- stationary points and their curvature --------------------------------------------------------
DW_POINTS = {"shallow": -1.0, "bump": 0.0, "deep": 1.5}
_dw = {k: float(eig(double_well, [x])[0]) for k, x in DW_POINTS.items()}

_saddle0 = eig(saddle, [0.0, 0.0])


def condition(landscape, x) -> float:
    ev = eig(landscape, x)
    return float(ev[-1] / ev[0])


CONDITION = {ls.name: condition(ls, ls.minima[0]) for ls in (ravine, flat_steep, rosenbrock, beale,
                                                               himmelblau)}

num("land_dw_f_shallow", fmt="{:.3f}")(lambda: float(double_well.loss(np.array([-1.0]))))
num("land_dw_f_deep", fmt="{:.3f}")(lambda: float(double_well.loss(np.array([1.5]))))
num("land_dw_barrier", fmt="{:.3f}")(
    lambda: float(double_well.loss(np.array([0.0])) - double_well.loss(np.array([-1.0]))))
num("land_dw_barrier_deep", fmt="{:.3f}")(
    lambda: float(double_well.loss(np.array([0.0])) - double_well.loss(np.array([1.5]))))
num("land_dw_curv_shallow", fmt="{:.3g}")(lambda: _dw["shallow"])
num("land_dw_curv_bump", fmt="{:.3g}")(lambda: _dw["bump"])
num("land_dw_curv_deep", fmt="{:.4g}")(lambda: _dw["deep"])
num("land_saddle_eig_neg", fmt="{:.3g}")(lambda: float(_saddle0[0]))
num("land_saddle_eig_pos", fmt="{:.3g}")(lambda: float(_saddle0[1]))
num("land_saddle_min_eig", fmt="{:.3g}")(lambda: float(eig(saddle, saddle.minima[0])[0]))
num("land_saddle_min_eig2", fmt="{:.3g}")(lambda: float(eig(saddle, saddle.minima[0])[1]))
for _name, _k in CONDITION.items():
    num(f"land_cond_{_name}", fmt="{:.0f}")(lambda k=_k: k)
num("land_rosen_eig_min", fmt="{:.3f}")(lambda: float(eig(rosenbrock, rosenbrock.minima[0])[0]))
num("land_rosen_eig_max", fmt="{:.0f}")(lambda: float(eig(rosenbrock, rosenbrock.minima[0])[1]))


# -- what plain gradient descent does on each 2D landscape ----------------------------------------
HIMMELBLAU_STARTS = np.array([[0.0, 0.0], [-1.0, 0.0], [-1.0, -1.0], [0.0, -1.0]])

#: landscape -> (lr, steps, start or None for the landscape's default, panel title)
GALLERY = {
    "ravine": (ravine, 0.12, 60, None, "ravine: curvatures 0.5 and 15"),
    "flat_steep": (flat_steep, 0.2, 100, None, "flat_steep: curvatures 0.1 and 8"),
    "rosenbrock": (rosenbrock, 0.001, 3000, None, "rosenbrock: curved valley"),
    "beale": (beale, 0.01, 2000, None, "beale: plateaus and ridges"),
    "himmelblau": (himmelblau, 0.01, 300, HIMMELBLAU_STARTS, "himmelblau: four minima"),
    "saddle": (saddle, 0.1, 150, None, "saddle: a saddle point at the origin"),
}


@cache
def gallery_run(name: str):
    ls, lr, steps, x0, _ = GALLERY[name]
    runs = 1 if x0 is None else len(x0)
    return simulate(ls, SGD(lr=lr), x0=x0, steps=steps, runs=runs)




def _rosen():
    return gallery_run("rosenbrock")


def _reach(name: str, tol: float = 1e-2) -> int:
    return int(gallery_run(name).steps_to_reach(tol)[0])


num("land_gd_ravine_lr", fmt="{:g}")(lambda: GALLERY["ravine"][1])
num("land_gd_ravine_limit", fmt="{:.3f}")(lambda: 2 / 15)
num("land_ravine_flat_pct", fmt="{:.0%}")(lambda: GALLERY["ravine"][1] * 0.5)
num("land_gd_rosen_loss0", fmt="{:.1f}")(lambda: float(_rosen().losses[0, 0]))
num("land_cond_saddle", fmt="{:.0f}")(lambda: condition(saddle, saddle.minima[0]))
num("land_gd_rosen_lr", fmt="{:g}")(lambda: GALLERY["rosenbrock"][1])
num("land_gd_rosen_steps")(lambda: GALLERY["rosenbrock"][2])
num("land_gd_rosen_loss10", fmt="{:.2f}")(lambda: float(_rosen().losses[10, 0]))
num("land_gd_rosen_lossend", fmt="{:.4f}")(lambda: float(_rosen().losses[-1, 0]))
num("land_gd_rosen_x", fmt="{:.3f}")(lambda: float(_rosen().final[0, 0]))
num("land_gd_rosen_y", fmt="{:.3f}")(lambda: float(_rosen().final[0, 1]))
num("land_gd_beale_steps")(lambda: _reach("beale"))
num("land_gd_flat_lr", fmt="{:g}")(lambda: GALLERY["flat_steep"][1])
num("land_gd_flat_x", fmt="{:.2f}")(lambda: float(gallery_run("flat_steep").final[0, 0]))
num("land_gd_flat_steps")(lambda: GALLERY["flat_steep"][2])


@figure("land-gallery",
        alt="Six contour plots with the path of plain gradient descent: zig-zags across the "
            "ravine; a fast drop then a slow crawl along the flat direction of flat_steep and the "
            "curved Rosenbrock valley; a detour across Beale's plateau; four starts reaching the "
            "four Himmelblau minima; a path into the saddle and out along y.",
        caption="Each panel shows one way plain gradient descent struggles: zig-zags across the "
                "ravine, a crawl along flat directions, a detour over Beale's plateau, a start that "
                "decides which of Himmelblau's minima it reaches, and a pause at the saddle.")
def _():
    from optdocs.plots.landscape import contour
    from optdocs.plots.style import new_figure

    fig, axes = new_figure(ncols=3, nrows=2, width=11.0, height=7.0)
    for ax, name in zip(axes.flat, GALLERY, strict=True):
        ls, lr, steps, _, title = GALLERY[name]
        pos = gallery_run(name).positions
        keep = np.unique(np.r_[np.arange(0, len(pos), max(1, len(pos) // 300)), len(pos) - 1])
        contour(ls, {f"GD, lr={lr:g}": pos[keep]}, ax=ax, levels=15, resolution=100,
                title=f"{title}\nGD lr={lr:g}, {steps} steps")
        leg = ax.get_legend()
        if leg is not None:
            leg.remove()
    return fig


@figure("land-double-well",
        alt="The 1D double well: a shallow minimum at x = -1 (loss -0.167), a bump at x = 0 "
            "(loss 0), and a deeper minimum at x = 1.5 (loss -0.492).",
        caption="The landscape of the escape experiments: the left minimum is the shallower one, and "
                "a run that starts there must climb the bump at $x = 0$ to reach the deeper well on "
                "the right.")
def _():
    from optdocs.plots.landscape import landscape_1d

    fig = landscape_1d(double_well)
    ax = fig.axes[0]
    for x, text, dy in ((-1.0, "shallow minimum\nf'' = {:.2f}", 0.17), (0.0, "bump\nf'' = {:.2f}", 0.12),
                        (1.5, "deep minimum\nf'' = {:.3f}", 0.2)):
        y = float(double_well.loss(np.array([x])))
        ax.annotate(text.format(float(eig(double_well, [x])[0])), (x, y), xytext=(x, y + dy),
                    ha="center", fontsize="small",
                    arrowprops={"arrowstyle": "-", "color": "#808080", "linewidth": 0.6})
    ax.legend(loc="upper right")
    return fig


# -- a plateau made by a saddle ---------------------------------------------------------------------
PLATEAU_Y0 = 1e-6
PLATEAU_LR = 0.1
PLATEAU_STEPS = 250


@cache
def plateau_run():
    return simulate(saddle, SGD(lr=PLATEAU_LR), x0=[1.5, PLATEAU_Y0], steps=PLATEAU_STEPS)


@cache
def _plateau_stats():
    tr = plateau_run()
    g = np.linalg.norm(saddle.grad(tr.positions[:, 0]), axis=-1)
    loss = tr.losses[:, 0]
    flat = (np.abs(loss - 0.0) < 1e-3)           # within 1e-3 of the saddle's loss, 0
    first, last = int(np.argmax(flat)), int(len(flat) - 1 - np.argmax(flat[::-1]))
    return {"first": first, "last": last, "len": last - first + 1,
            "gmin": float(g[first:last + 1].min()), "final": float(loss[-1])}


num("land_plateau_y0")(lambda: f"10^{{{round(np.log10(PLATEAU_Y0))}}}")
num("land_plateau_lr", fmt="{:g}")(lambda: PLATEAU_LR)
num("land_plateau_first")(lambda: _plateau_stats()["first"])
num("land_plateau_last")(lambda: _plateau_stats()["last"])
num("land_plateau_len")(lambda: _plateau_stats()["len"])
num("land_plateau_gmin", fmt="{:.1g}")(lambda: _plateau_stats()["gmin"])
num("land_plateau_pred", fmt="{:.0f}")(
    lambda: float(np.log(1.0 / PLATEAU_Y0) / np.log(1 + PLATEAU_LR)))


@figure("land-plateau",
        alt="Gradient descent near the saddle, started 1e-6 off the x axis. Left: the loss drops "
            "to 0, stays flat for about 80 steps, then falls to -0.25. Right: the gradient "
            "norm on a log scale dips to about 1e-3 during the flat stretch.",
        caption="The flat stretch of the loss on the left is the saddle: for dozens of steps the loss"
                " barely changes, and the right panel shows why: the gradient there is tiny, though "
                "never zero.")
def _():
    from optdocs.plots.style import color, new_figure

    tr = plateau_run()
    g = np.linalg.norm(saddle.grad(tr.positions[:, 0]), axis=-1)
    fig, (a, b) = new_figure(ncols=2, width=9.0, height=3.3)
    for ax in (a, b):
        ax.axvspan(_plateau_stats()["first"], _plateau_stats()["last"], color=color(1), alpha=0.15,
                   linewidth=0)
        ax.set_xlabel("step")
    a.plot(tr.losses[:, 0], color=color(0), linewidth=1.8)
    a.set_ylabel("loss")
    a.set_ylim(-0.3, 0.5)
    b.semilogy(g, color=color(0), linewidth=1.8)
    b.set_ylabel("gradient norm")
    a.set_title("loss (shaded: within 1e-3 of the saddle's 0)", fontsize="medium")
    b.set_title("|gradient|", fontsize="medium")
    return fig


# -- how rare are minima among random stationary points? -------------------------------------------
DIMS = (1, 2, 3, 4, 5)
SAMPLES = 200_000


@cache
def positive_definite_fraction() -> dict[int, float]:
    """Share of random symmetric matrices (GOE: (A + A^T)/2, A Gaussian) with all eigenvalues > 0."""
    rng = np.random.default_rng(0)
    out = {}
    for d in DIMS:
        A = rng.standard_normal((SAMPLES, d, d))
        ev = np.linalg.eigvalsh((A + A.transpose(0, 2, 1)) / 2)
        out[d] = float((ev > 0).all(axis=1).mean())
    return out


num("land_samples")(lambda: SAMPLES)
for _d in DIMS:
    num(f"land_pd_{_d}", fmt="{:.2%}" if _d < 4 else "{:.3%}")(
        lambda d=_d: positive_definite_fraction()[d])

