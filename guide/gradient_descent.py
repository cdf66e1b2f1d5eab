"""Chapter 2 (docs/gradient-descent.md): gradient descent on linear regression, and the learning rate.

The MSE of a linear model is a quadratic bowl with the constant Hessian H = (2/n) A^T A, where
A = [X, 1]. Gradient descent multiplies the error along each eigenvector of H by (1 - lr * lambda)
every step, so it overshoots (sign flips) in a direction when lr > 1/lambda and diverges when
lr > 2/lambda_max. The page checks this on the data of optdocs.nn.linear_data and on the 1D bowl
f(x) = x^2 of the visual-guide article ("lr >= 0.6 overshoots").
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.nn import linear_data, mse_loss_and_grads

STEPS = 100
LRS = {"too small": 0.01, "just right": 0.5, "too large": 1.0}
EDGE_LR = 0.9            # below the divergence limit, above the overshoot limit


@cache
def data():
    return linear_data(n=100, seed=0)


@cache
def hessian_eigenvalues() -> np.ndarray:
    X, y = data()
    A = np.column_stack([X, np.ones(len(y))])
    return np.linalg.eigvalsh(2.0 / len(y) * A.T @ A)


@cache
def best_loss() -> float:
    X, y = data()
    A = np.column_stack([X, np.ones(len(y))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.mean((y - A @ coef) ** 2))


@cache
def least_squares() -> np.ndarray:
    X, y = data()
    A = np.column_stack([X, np.ones(len(y))])
    return np.linalg.lstsq(A, y, rcond=None)[0]


@cache
def gd(lr: float, steps: int = STEPS) -> tuple[np.ndarray, dict]:
    """Full-batch gradient descent from zero: losses (steps + 1,) and final parameters."""
    X, y = data()
    params = {"w": np.zeros(2), "b": np.zeros(())}
    opt = SGD(lr=lr)
    losses = []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            loss, gw, gb = mse_loss_and_grads(params["w"], params["b"], X, y)
            losses.append(loss)
            opt.step(params, {"w": gw, "b": gb})
        losses.append(mse_loss_and_grads(params["w"], params["b"], X, y)[0])
    return np.array(losses), params


LAM = hessian_eigenvalues()
LIMIT = 2.0 / LAM.max()                       # divergence threshold
OVERSHOOT = 1.0 / LAM.max()                   # sign flips in the steepest direction beyond this
BEST = 2.0 / (LAM.min() + LAM.max())          # fastest rate for a quadratic


def excess(lr: float, step: int = STEPS) -> float:
    return float(gd(lr)[0][step] - best_loss())


def growth_per_step(lr: float) -> float:
    """Measured ratio loss[t+1]/loss[t] late in a diverging run."""
    L = gd(lr)[0]
    return float(L[60] / L[59])


_predicted_growth = (1 - LRS["too large"] * LAM.max()) ** 2

# The 1D bowl of the visual-guide article: f(x) = c/2 x^2 with c = 2 (i.e. f = x^2).
BOWL_C = 2.0
BOWL_LRS = (0.3, 0.6, 0.95, 1.05)
BOWL_X0 = -1.5
BOWL_STEPS = 8
CLAIM_LR = 0.6           # the article: "lr >= 0.6 overshoots"


def bowl_path(lr: float, c: float = BOWL_C, steps: int = BOWL_STEPS) -> np.ndarray:
    x = np.array([BOWL_X0])
    out = [x.copy()]
    opt = SGD(lr=lr)
    for _ in range(steps):
        opt.step(x, c * x)
        out.append(x.copy())
    return np.array(out)[:, 0]


def overshoots(lr: float, c: float = BOWL_C) -> bool:
    p = bowl_path(lr, c)
    return bool(np.sign(p[1]) != np.sign(p[0]))



# Between "just right" and the limit: convergence slows down steadily as lr approaches 2 / h_max.
APPROACH_LRS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.92)
APPROACH_TOL = 1e-10
APPROACH_STEPS = 2000


def steps_within(lr: float, tol: float = APPROACH_TOL) -> int:
    """First step from which the loss stays within `tol` of its minimum (-1 if not by the end)."""
    L = gd(lr, APPROACH_STEPS)[0] - best_loss()
    above = np.flatnonzero(L > tol)
    if above.size and above[-1] == len(L) - 1:
        return -1
    return int(above[-1]) + 1 if above.size else 0


def slowest_factor(lr: float) -> float:
    """|1 - lr h| for the direction that shrinks slowest: the error's factor per step."""
    return float(np.max(np.abs(1 - lr * LAM)))


@checks
@cache
def claims() -> None:
    """The page's statements, checked before any of its figures or numbers is computed."""
    claim(LRS["too small"] < OVERSHOOT < LRS["just right"] < BEST < EDGE_LR < LIMIT
          < LRS["too large"],
          "the four learning rates sit in order around 1/lambda_max, the best rate and 2/lambda_max",
          lrs=LRS, overshoot=OVERSHOOT, best=BEST, edge=EDGE_LR, limit=LIMIT)
    claim(excess(LRS["just right"]) < 1e-12,
          "lr 'just right' reaches the least-squares minimum to machine precision",
          excess=excess(LRS["just right"]))
    claim(gd(LRS["just right"])[0][20] - best_loss() < 1e-12,
          "lr 'just right' is at the minimum within 20 steps (figure alt)",
          excess_at_20=gd(LRS["just right"])[0][20] - best_loss())
    claim(excess(LRS["too small"]) > 0.1,
          "lr 'too small' is still far from the minimum after all steps",
          excess=excess(LRS["too small"]), steps=STEPS)
    claim(gd(LRS["too large"])[0][-1] > 1e6, "lr 'too large' diverges",
          final_loss=gd(LRS["too large"])[0][-1])
    claim(excess(EDGE_LR) < 1e-2, "the edge rate still converges, oscillating",
          edge_lr=EDGE_LR, excess=excess(EDGE_LR))
    steps = [steps_within(lr) for lr in APPROACH_LRS]
    claim(all(s > 0 for s in steps) and all(a < b for a, b in zip(steps, steps[1:], strict=False)),
          "below the limit every rate converges, and more slowly the closer it is to the limit",
          steps=steps)
    claim(APPROACH_LRS[-1] < LIMIT and steps[-1] > 10 * steps[0],
          "just below the limit convergence is many times slower than at 0.5", steps=steps)
    fit = np.r_[gd(LRS["just right"])[1]["w"], gd(LRS["just right"])[1]["b"]]
    claim(np.allclose(fit, least_squares(), atol=1e-8),
          "gradient descent lands on the least-squares solution", fit=fit, lstsq=least_squares())
    claim(abs(growth_per_step(LRS["too large"]) - _predicted_growth) < 1e-3,
          "the measured loss growth per step equals (1 - lr lambda_max)^2",
          measured=growth_per_step(LRS["too large"]), predicted=_predicted_growth)
    claim(overshoots(0.6) and overshoots(0.95) and not overshoots(0.3),
          "on f = x^2, lr 0.6 and 0.95 overshoot, 0.3 does not",
          at_030=overshoots(0.3), at_060=overshoots(0.6), at_095=overshoots(0.95))
    claim(abs(bowl_path(1.05)[-1]) > abs(BOWL_X0), "lr 1.05 diverges on f = x^2",
          x_end=bowl_path(1.05)[-1], x0=BOWL_X0)
    claim(abs(bowl_path(0.95)[-1]) < abs(BOWL_X0), "lr 0.95 converges on f = x^2",
          x_end=bowl_path(0.95)[-1], x0=BOWL_X0)
    # "lr >= 0.6 overshoots" holds exactly when 1/c <= 0.6, i.e. c >= 5/3:
    claim(overshoots(0.6, c=1.7) and not overshoots(0.59, c=1.0 / 0.6 - 1e-9),
          "'lr >= 0.6 overshoots' holds exactly on bowls with c >= 5/3",
          at_c_17=overshoots(0.6, c=1.7), below=overshoots(0.59, c=1.0 / 0.6 - 1e-9))


# -- numbers --------------------------------------------------------------------------------------
num("gd_steps")(lambda: STEPS)
for _k, _tag in (("too small", "small"), ("just right", "right"), ("too large", "large")):
    num(f"gd_lr_{_tag}", fmt="{:g}")(lambda k=_k: LRS[k])
num("gd_lr_edge", fmt="{:g}")(lambda: EDGE_LR)
num("gd_lam_min", fmt="{:.3f}")(lambda: float(LAM.min()))
num("gd_lam_mid", fmt="{:.3f}")(lambda: float(LAM[1]))
num("gd_lam_max", fmt="{:.3f}")(lambda: float(LAM.max()))
num("gd_limit", fmt="{:.3f}")(lambda: LIMIT)
num("gd_overshoot", fmt="{:.3f}")(lambda: OVERSHOOT)
num("gd_best_lr", fmt="{:.3f}")(lambda: BEST)
num("gd_best_loss", fmt="{:.5f}")(best_loss)
num("gd_loss0", fmt="{:.2f}")(lambda: float(gd(0.5)[0][0]))
num("gd_loss_small", fmt="{:.3f}")(lambda: float(gd(LRS["too small"])[0][STEPS]))
num("gd_loss_edge", fmt="{:.5f}")(lambda: float(gd(EDGE_LR)[0][STEPS]))
def sci(x: float) -> str:
    """x in LaTeX scientific notation, for use inside $...$: 1.8 \\times 10^{10}."""
    m, e = f"{x:.1e}".split("e")
    return f"{m} \\times 10^{{{int(e)}}}"


num("gd_loss_large")(lambda: sci(float(gd(LRS["too large"])[0][STEPS])))
num("gd_growth", fmt="{:.3f}")(lambda: growth_per_step(LRS["too large"]))
num("gd_growth_pred", fmt="{:.3f}")(lambda: _predicted_growth)
num("gd_factor_large", fmt="{:.3f}")(lambda: float(1 - LRS["too large"] * LAM.max()))
num("gd_factor_edge", fmt="{:.3f}")(lambda: float(1 - EDGE_LR * LAM.max()))
num("gd_factor_small", fmt="{:.4f}")(lambda: float(1 - LRS["too small"] * LAM.min()))
num("gd_fit_w1", fmt="{:.3f}")(lambda: float(least_squares()[0]))
num("gd_fit_w2", fmt="{:.3f}")(lambda: float(least_squares()[1]))
num("gd_fit_b", fmt="{:.3f}")(lambda: float(least_squares()[2]))
num("gd_claim_c", fmt="{:.3f}")(lambda: 1.0 / CLAIM_LR)
num("gd_bowl_c", fmt="{:g}")(lambda: BOWL_C)
num("gd_bowl_overshoot", fmt="{:g}")(lambda: 1.0 / BOWL_C)
num("gd_bowl_limit", fmt="{:g}")(lambda: 2.0 / BOWL_C)
for _lr in BOWL_LRS:
    num(f"gd_bowl_factor_{round(_lr * 100):03d}", fmt="{:+.1f}")(lambda lr=_lr: 1 - lr * BOWL_C)


# -- figures --------------------------------------------------------------------------------------
@figure("gd-lr-curves",
        alt="Loss above its minimum against step, log scale, for gradient descent on linear "
            "regression with three learning rates: 0.01 creeps down, 0.5 reaches the "
            "least-squares fit to machine precision within 20 steps, 1.0 grows without bound.",
        caption="Three regimes in one plot: the small rate crawls, the middle one reaches the "
                "least-squares fit within a few dozen steps, the large one grows without bound.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    fig, ax = new_figure(width=6.4, height=3.6)
    for i, (name, lr) in enumerate(LRS.items()):
        ex = gd(lr)[0] - best_loss()
        ex = np.where(ex > 1e-16, ex, np.nan)               # exact zero cannot be drawn on log
        ax.semilogy(ex, color=color(i), linestyle=linestyle(i), linewidth=1.8,
                    label=f"lr = {lr:g} ({name})")
    ax.set_ylim(1e-16, 1e12)
    ax.set_xlabel("step")
    ax.set_ylabel("loss - minimum loss")
    ax.legend(loc="lower right")
    return fig


@figure("gd-bowl",
        alt="Four panels of gradient descent on the bowl f(x) = x^2 from x = -1.5. With lr 0.3 the "
            "steps shrink and stay on the left; with 0.6 the first step jumps past the minimum and "
            "the iterates alternate sides while shrinking; with 0.95 they alternate and shrink "
            "slowly; with 1.05 they alternate and grow.",
        caption="Follow the sign of $x$ from step to step: at 0.3 the iterates stay on one side; from"
                " 0.6 on they jump across the minimum, and whether the jumps shrink or grow depends "
                "on the rate against $2/f'' = 1$.")
def _():
    from optdocs.plots.style import INK, color, new_figure

    fig, axes = new_figure(ncols=4, width=10.0, height=2.9)
    xs = np.linspace(-2.4, 2.4, 200)
    for i, (ax, lr) in enumerate(zip(axes, BOWL_LRS, strict=True)):
        p = bowl_path(lr)
        ax.plot(xs, BOWL_C / 2 * xs**2, color=INK, linewidth=1.2)
        ax.plot(p, BOWL_C / 2 * p**2, color=color(i), marker="o", markersize=4, linewidth=1.2)
        ax.plot(p[0], BOWL_C / 2 * p[0] ** 2, marker="o", markersize=7, markerfacecolor="white",
                markeredgecolor=INK, linestyle="none")
        factor = 1 - lr * BOWL_C
        ax.set_title(f"lr = {lr:g}: x \u2192 {factor:+.1f} x", fontsize="medium")
        ax.set_xlim(-2.4, 2.4)
        ax.set_ylim(-0.2, 5.8)
        ax.set_xlabel("x")
        if i:
            ax.tick_params(labelleft=False)
    axes[0].set_ylabel("f(x) = x\u00b2")
    return fig
num("gd_small_ratio", fmt="{:.0f}")(lambda: float(gd(LRS["too small"])[0][STEPS]) / best_loss())
num("gd_small_decade", fmt="{:.0f}")(
    lambda: float(np.log(10) / -np.log(1 - LRS["too small"] * LAM.min())))
for _lr in APPROACH_LRS:
    num(f"gd_approach_steps_{round(_lr * 100):03d}")(lambda lr=_lr: steps_within(lr))
    num(f"gd_approach_factor_{round(_lr * 100):03d}", fmt="{:.3f}")(lambda lr=_lr: slowest_factor(lr))
