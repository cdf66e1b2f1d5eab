"""Chapter 3 (docs/sgd.md): stochastic and mini-batch gradients, their noise, and what noise does.

1. Batch vs mini-batch vs single-example SGD on linear regression (same lr, same epochs).
2. The mini-batch gradient is an unbiased estimate of the full gradient; its spread falls as 1/sqrt(B).
3. On the double well, a small and a large learning rate fed the same noise: who escapes, over lrs.
4. Implicit regularisation: two minima of equal depth and equal barrier, one sharp and one flat.
5. Saddle points: gradient descent started on the stable manifold stays at the saddle; noise escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.landscapes import Landscape, double_well, saddle
from optdocs.nn import MLP, circle_data, linear_data, mse_loss_and_grads, train
from optdocs.simulate import simulate


def tag(x: float) -> str:
    """Name suffix for a learning rate or noise level: 0.03 -> "003", 0.3 -> "030"."""
    return f"{round(x * 100):03d}"


# == 1. batch, mini-batch, single example ==========================================================
N = 1000
BATCHES = {"full batch (B = 1000)": N, "mini-batch (B = 32)": 32, "single example (B = 1)": 1}
BATCH_LR = 0.1
EPOCHS = 10


@cache
def regression():
    X, y = linear_data(n=N, seed=0)
    A = np.column_stack([X, np.ones(N)])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return X, y, float(np.mean((y - A @ coef) ** 2))


@cache
def batch_run(B: int, lr: float = BATCH_LR) -> np.ndarray:
    """Full-data loss after every step of SGD with batch size B (EPOCHS shuffled epochs)."""
    X, y, _ = regression()
    rng = np.random.default_rng(0)
    params = {"w": np.zeros(2), "b": np.zeros(())}
    opt = SGD(lr=lr)
    losses = [mse_loss_and_grads(params["w"], params["b"], X, y)[0]]
    for _ in range(EPOCHS):
        order = rng.permutation(N)
        for start in range(0, N, B):
            idx = order[start:start + B]
            _, gw, gb = mse_loss_and_grads(params["w"], params["b"], X[idx], y[idx])
            opt.step(params, {"w": gw, "b": gb})
            losses.append(mse_loss_and_grads(params["w"], params["b"], X, y)[0])
    return np.array(losses)


def excess_after(B: int, epochs: float) -> float:
    """Loss above the least-squares minimum after `epochs` epochs."""
    return float(batch_run(B)[round(epochs * N / B)] - regression()[2])


FLOOR_LR = 0.02               # a smaller rate, to show the floor move


def floor(B: int, lr: float = BATCH_LR) -> float:
    """Mean excess loss over the last epoch: the noise floor of constant-lr SGD."""
    L = batch_run(B, lr)
    return float(np.mean(L[-(N // B):]) - regression()[2])


@figure("sgd-batch-curves",
        alt="Loss above its minimum, log scale, for full-batch, mini-batch (32) and single-example "
            "SGD at the same learning rate. Against epochs, the single-example and mini-batch "
            "runs drop far faster than full batch, then level off at a noise floor, higher for "
            "B = 1. Against steps, full batch makes the most progress per step.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    best = regression()[2]
    fig, (a, b) = new_figure(ncols=2, width=9.6, height=3.9)
    for i, (label, B) in reversed(list(enumerate(BATCHES.items()))):   # full batch drawn last
        ex = batch_run(B) - best
        steps = np.arange(len(ex))
        kw = dict(color=color(i), linestyle=linestyle(i) if B == N else "-",
                  linewidth=2.0 if B == N else 0.7, label=label)
        a.semilogy(steps * B / N, ex, **kw)
        b.loglog(steps[1:], ex[1:], **kw)
    a.set_xlabel("epochs (passes over the 1000 examples)")
    b.set_xlabel("optimizer steps")
    a.set_ylabel("loss - minimum loss")
    a.set_title(f"same lr = {BATCH_LR:g}, per epoch", fontsize="medium")
    b.set_title("per step", fontsize="medium")
    handles, labels = b.get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside lower center", ncols=3)
    return fig


# == 2. the mini-batch gradient: unbiased, spread ~ 1/sqrt(B) ========================================
CLOUD_BATCHES = (1, 8, 64)
TABLE_BATCHES = (1, 4, 16, 64, 256)
DRAWS = 20_000
POINT = (np.zeros(2), 0.0)     # where the gradients are taken: w = 0, b = 0


@cache
def per_example_grads() -> np.ndarray:
    """Gradient of each example's squared error w.r.t. (w1, w2, b), shape (N, 3)."""
    X, y, _ = regression()
    w, b = POINT
    r = y - X @ w - b
    return np.column_stack([-2 * X * r[:, None], -2 * r])


@cache
def full_grad() -> np.ndarray:
    X, y, _ = regression()
    _, gw, gb = mse_loss_and_grads(*POINT, X, y)
    return np.r_[gw, gb]


@cache
def minibatch_grads(B: int, draws: int = DRAWS) -> np.ndarray:
    """`draws` mini-batch gradients, each on B examples drawn without replacement, shape (draws, 3).

    Batches come from shuffled epochs (as in training): each epoch is cut into N // B batches.
    """
    G = per_example_grads()
    rng = np.random.default_rng(1)
    per_epoch = N // B
    epochs = -(-draws // per_epoch)
    out = []
    for start in range(0, epochs, 200):                  # 200 shuffles at a time
        k = min(200, epochs - start)
        orders = rng.random((k, N)).argsort(axis=1)[:, : per_epoch * B].reshape(-1, B)
        out.append(G[orders].mean(axis=1))
    return np.concatenate(out)[:draws]


def sampling_std(B: int) -> np.ndarray:
    """Predicted std of a mini-batch gradient: sd_1 / sqrt(B) * sqrt((N - B) / (N - 1))."""
    sd1 = per_example_grads().std(axis=0)
    return sd1 / np.sqrt(B) * np.sqrt((N - B) / (N - 1))


def far_share() -> float:
    """Share of single-example gradients farther from the full gradient than its length."""
    d = np.linalg.norm(per_example_grads() - full_grad(), axis=1)
    return float(np.mean(d > np.linalg.norm(full_grad())))


def mean_error_in_se(B: int) -> float:
    """Largest |mean of the draws - full gradient| in units of its standard error."""
    g = minibatch_grads(B)
    se = g.std(axis=0) / np.sqrt(len(g))
    return float(np.max(np.abs(g.mean(axis=0) - full_grad()) / se))


@figure("sgd-minibatch-cloud",
        alt="Scatter of mini-batch gradients in the (dL/dw1, dL/dw2) plane for batch sizes 1, 8 "
            "and 64: wide, medium and tight clouds, each centred on the full-batch gradient, "
            "which is marked with a star.")
def _():
    from optdocs.plots.style import INK, color, new_figure

    fig, ax = new_figure(width=5.6, height=4.8)
    g = full_grad()
    for i, B in enumerate(CLOUD_BATCHES):
        pts = minibatch_grads(B)[:500]
        ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker=".", markersize=3, alpha=0.35,
                color=color(i), label=f"B = {B}")
        m = minibatch_grads(B).mean(axis=0)
        ax.plot(m[0], m[1], marker="x", markersize=10, color=color(i), linestyle="none")
    ax.plot(g[0], g[1], marker="*", markersize=14, color=INK, linestyle="none",
            label="full-batch gradient")
    ax.set_xlabel("dL/dw1")
    ax.set_ylabel("dL/dw2")
    ax.set_xlim(g[0] - 12, g[0] + 12)
    ax.set_ylim(g[1] - 12, g[1] + 12)
    leg = fig.legend(loc="outside lower center", ncols=4)
    for h in leg.legend_handles:
        h.set_alpha(1.0)
    return fig


# == 3. the double well: small vs large learning rate, same noise =================================
NOISE = double_well.noise           # 1.0
RUNS = 1000
STEPS = 1000
SMALL, LARGE = 0.03, 0.3
ESCAPE_LRS = (0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
SHOWN = 250                 # runs drawn in the final-position figure
BARRIER = float(double_well.loss(np.array([0.0])) - double_well.loss(np.array([-1.0])))


@cache
def well_run(lr: float, steps: int = STEPS):
    return simulate(double_well, SGD(lr=lr), steps=steps, runs=RUNS, noise=NOISE, seed=0)


@cache
def well_outcome(lr: float) -> dict[str, float]:
    tr = well_run(lr)
    esc, div = tr.escape_fraction(), tr.diverged_fraction
    ever = float(np.mean((tr.positions[:, :, 0] >= double_well.barrier).any(axis=0)))
    return {"escaped": esc, "stayed": 1 - esc - div, "diverged": div, "ever": ever}


def temperature(lr: float) -> float:
    """T = lr sigma^2 / 2: SGD's stationary spread for a small lr, in units of loss."""
    return lr * NOISE**2 / 2


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
            "deep minimum at 1.5, crossing back now and then.")
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
            "lr 0.03 all runs sit in the shallow well; with lr 0.3 most sit in the deep well.")
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
            "most runs escape at 0.2 and 0.3, fewer at 0.5, and from 0.7 on every run diverges.")
def _():
    from optdocs.plots.style import color, new_figure

    fig, ax = new_figure(width=7.0, height=3.6)
    xs = np.arange(len(ESCAPE_LRS))
    bottom = np.zeros(len(xs))
    parts = (("escaped", "ends in the deep well", 2), ("stayed", "ends in the shallow well", 1),
             ("diverged", "diverged", 5))
    for kind, label, c in parts:
        h = np.array([well_outcome(lr)[kind] for lr in ESCAPE_LRS])
        bars = ax.bar(xs, h, bottom=bottom, color=color(c), label=label,
                      hatch="//" if kind == "diverged" else None, edgecolor="white", linewidth=0.5)
        if kind == "escaped":
            ax.bar_label(bars, labels=[f"{v:.0%}" if v > 0 else "" for v in h],
                         label_type="center", color="white", fontsize="small")
        bottom += h
    ax.set_xticks(xs, [f"{lr:g}" for lr in ESCAPE_LRS])
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"share of {RUNS} runs after {STEPS} steps")
    ax.set_ylim(0, 1)
    fig.legend(loc="outside right upper", fontsize="small")
    ax.grid(axis="x", visible=False)
    return fig


# == 4. flat and sharp minima ======================================================================
@dataclass(frozen=True)
class SharpFlat(Landscape):
    """Two parabolas joined at a ridge: a sharp minimum at x = -1 (curvature `sharp`) and a flat
    one at x = 1 (curvature `flat`). Both minima have loss 0 and both see the same ridge height."""

    sharp: float = 16.0
    flat: float = 1.0
    name: str = "sharp_flat"
    dim = 1

    @property
    def bounds(self):  # type: ignore[override]
        return ((-2.0, 3.0),)

    @property
    def minima(self):  # type: ignore[override]
        return np.array([[1.0], [-1.0]])      # flat first (index 0), sharp second

    @property
    def ridge(self) -> float:
        r = np.sqrt(self.sharp / self.flat)
        return float((1.0 - r) / (r + 1.0))

    def _loss(self, x):
        x = x[..., 0]
        return np.minimum(self.sharp / 2 * (x + 1) ** 2, self.flat / 2 * (x - 1) ** 2)

    def _grad(self, x):
        x = x[..., 0]
        left = self.sharp / 2 * (x + 1) ** 2 < self.flat / 2 * (x - 1) ** 2
        return np.where(left, self.sharp * (x + 1), self.flat * (x - 1))[..., None]

    def basin(self, x):
        x = self._check(x)[..., 0]
        return np.where(x >= self.ridge, 0, 1).astype(np.intp)


SHARP_FLAT = SharpFlat()
SF_LRS = (0.03, 0.05, 0.08, 0.1, 0.12)
SF_STEPS = 2000
SF_GD = (0.12, 0.13)           # just below and just above 2 / 16 = 0.125


@cache
def sf_leave(lr: float, start: float) -> float:
    """Share of runs started at `start` (-1 sharp, 1 flat) that end in the other minimum."""
    tr = simulate(SHARP_FLAT, SGD(lr=lr), x0=[start], steps=SF_STEPS, runs=RUNS, noise=NOISE,
                  seed=0)
    claim(not tr.diverged.any(), "no run on the sharp-and-flat landscape diverges",
          lr=lr, start=start, diverged=int(tr.diverged.sum()))
    return tr.escape_fraction()


@cache
def sf_gd_end(lr: float) -> float:
    """Noise-free GD started next to the sharp minimum: where it ends."""
    tr = simulate(SHARP_FLAT, SGD(lr=lr), x0=[-0.99], steps=500)
    return float(tr.final[0, 0])


@figure("sgd-sharp-flat",
        alt="Left: a landscape with a narrow minimum at x = -1 and a wide one at x = 1, both at "
            "loss 0, separated by a ridge at loss 1.28. Right: share of noisy SGD runs that leave "
            "each minimum, per learning rate: leaving the sharp one rises to 100% as lr nears "
            "2/16, leaving the flat one stays at 0%.")
def _():
    from optdocs.plots.style import INK, color, new_figure

    fig, (a, b) = new_figure(ncols=2, width=9.6, height=3.4)
    xs = np.linspace(-2, 3, 600)
    a.plot(xs, SHARP_FLAT.loss(xs[:, None]), color=INK, linewidth=1.8)
    a.set_ylim(-0.1, 2.5)
    a.set_xlabel("x")
    a.set_ylabel("loss")
    a.set_title("sharp (f'' = 16) and flat (f'' = 1) minima", fontsize="medium")
    idx = np.arange(len(SF_LRS))
    w = 0.38
    for j, (start, label) in enumerate(((-1.0, "start in the sharp minimum"),
                                        (1.0, "start in the flat minimum"))):
        h = [sf_leave(lr, start) for lr in SF_LRS]
        bars = b.bar(idx + (j - 0.5) * w, h, width=w, color=color(j), label=label)
        b.bar_label(bars, labels=[f"{v:.0%}" for v in h], fontsize="x-small", padding=1)
    b.set_xticks(idx, [f"{lr:g}" for lr in SF_LRS])
    b.set_xlabel("learning rate (noise $\\sigma$ = 1)")
    b.set_ylabel("share that ends in the other minimum")
    b.set_ylim(0, 1.15)
    b.legend(loc="upper left", fontsize="small")
    b.grid(axis="x", visible=False)
    return fig


# Does mini-batch noise improve generalisation on the circle data? (The blog says batch size 32
# beats full batch at the same number of steps.) Measure: test accuracy, 10 seeds.
CIRCLE_LR = 0.3
CIRCLE_SEEDS = 10
CIRCLE_STEPS = 700            # 100 epochs of 7 mini-batches = 700 full-batch epochs


@cache
def circle_accuracy(batch: int) -> tuple[float, float]:
    """Mean test accuracy and its standard error over seeds, same number of steps."""
    Xtr, ytr = circle_data(200, seed=0)
    Xte, yte = circle_data(2000, seed=99)
    epochs = CIRCLE_STEPS // -(-200 // batch)
    accs = []
    for s in range(CIRCLE_SEEDS):
        model = MLP((2, 8, 1), seed=s)
        train(model, SGD(lr=CIRCLE_LR), Xtr, ytr, epochs=epochs, batch_size=batch, seed=s)
        accs.append(model.accuracy(Xte, yte))
    a = np.array(accs)
    return float(a.mean()), float(a.std(ddof=1) / np.sqrt(len(a)))


# == 5. saddle points ================================================================================
SADDLE_LR = 0.1
SADDLE_STEPS = 300
SADDLE_START = (1.5, 0.0)      # exactly on the x axis: the saddle's stable manifold
SADDLE_NOISES = (1e-4, 1e-3, 1e-2, 1e-1)
TOL = 0.05


@cache
def saddle_run(noise: float, runs: int = RUNS):
    return simulate(saddle, SGD(lr=SADDLE_LR), x0=SADDLE_START, steps=SADDLE_STEPS,
                    runs=1 if noise == 0 else runs, noise=noise, seed=0)


def saddle_median_steps(noise: float) -> float:
    st = saddle_run(noise).steps_to_reach(TOL)
    claim((st >= 0).all(), "every noisy run leaves the saddle", noise=noise,
          stuck=int((st < 0).sum()))
    return float(np.median(st))


def saddle_gd_final() -> tuple[float, float, float]:
    tr = saddle_run(0.0)
    p = tr.final[0]
    return float(np.linalg.norm(p)), float(np.linalg.norm(saddle.grad(p))), float(tr.losses[-1, 0])


@figure("sgd-saddle",
        alt="Left: contours of the saddle landscape. Noise-free gradient descent started on the "
            "x axis runs straight into the saddle point at the origin and stops there; ten runs "
            "with gradient noise 0.001 follow it in, then leave along y to the minima at y = 1 "
            "and y = -1. Right: loss against step: the noise-free run stays at 0, the noisy runs "
            "drop to -0.25.")
def _():
    from optdocs.plots.landscape import contour
    from optdocs.plots.style import color, new_figure

    gd, noisy = saddle_run(0.0), saddle_run(1e-3)
    fig, (a, b) = new_figure(ncols=2, width=10.0, height=3.9)
    ten = noisy.positions[:, :10]
    contour(saddle, {"gradient descent, no noise": gd.positions[:, 0], "noise 0.001": ten},
            ax=a, levels=18, resolution=150)
    a.legend(loc="lower left", fontsize="small")
    b.plot(gd.losses[:, 0], color=color(0), linewidth=2.0, label="no noise")
    b.plot(noisy.losses[:, :10], color=color(1), linewidth=0.9, alpha=0.6, linestyle="--")
    b.plot([], [], color=color(1), linestyle="--", label="noise 0.001 (10 runs)")
    b.set_xlabel("step")
    b.set_ylabel("loss")
    b.set_ylim(-0.3, 0.3)
    b.legend(loc="upper right", fontsize="small")
    return fig


# == claims ========================================================================================
@checks
@cache
def claims() -> None:
    # 1. batch sizes
    f, m, s = (BATCHES[k] for k in BATCHES)
    claim(excess_after(m, 1) < excess_after(f, EPOCHS) / 100,
          "one epoch with batches of 32 beats all epochs of full-batch gradient descent a hundredfold",
          minibatch_1_epoch=excess_after(m, 1), full_all_epochs=excess_after(f, EPOCHS))
    claim(excess_after(s, 1) < excess_after(f, EPOCHS),
          "one epoch of single-example SGD beats all epochs of full-batch gradient descent",
          single_1_epoch=excess_after(s, 1), full_all_epochs=excess_after(f, EPOCHS))
    claim(floor(s) > 10 * floor(m), "batch size 1 levels off at a floor ten times higher",
          floor_single=floor(s), floor_minibatch=floor(m))
    claim(floor(s, FLOOR_LR) < floor(s) / 2 and floor(m, FLOOR_LR) < floor(m) / 2,
          "a lower learning rate lowers the floor by more than half",
          single=(floor(s), floor(s, FLOOR_LR)), minibatch=(floor(m), floor(m, FLOOR_LR)))
    claim(far_share() > 0.5, "most single examples' gradients point far from the full gradient",
          share=far_share())
    median_g0 = np.median(per_example_grads()[:, 0])
    claim(abs(median_g0) < abs(full_grad()[0]) / 2,
          "the per-example gradients are lopsided: their median is under half the mean",
          median=median_g0, full=full_grad()[0])
    # 2. unbiased, 1/sqrt(B)
    claim(np.allclose(per_example_grads().mean(axis=0), full_grad(), rtol=0, atol=1e-12),
          "the mean of the per-example gradients is the full gradient",
          mean=per_example_grads().mean(axis=0), full=full_grad())
    for B in TABLE_BATCHES:
        claim(mean_error_in_se(B) < 4.5, "the minibatch gradient is unbiased (mean within 4.5 SE)",
              batch=B, error_in_se=mean_error_in_se(B))
        measured = minibatch_grads(B).std(axis=0)
        claim(np.allclose(measured, sampling_std(B), rtol=0.05),
              "the minibatch gradient's spread shrinks like 1/sqrt(B)",
              batch=B, measured=measured, predicted=sampling_std(B))
    # 3. the double well
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
    # 4. sharp vs flat
    from_flat = {lr: sf_leave(lr, 1.0) for lr in SF_LRS}
    claim(all(v < 0.01 for v in from_flat.values()), "runs started in the flat minimum stay there",
          left=from_flat)
    claim(sf_leave(0.12, -1.0) > 0.99 and sf_leave(0.03, -1.0) == 0.0,
          "lr 0.12 leaves the sharp minimum in nearly every run, lr 0.03 never",
          left_012=sf_leave(0.12, -1.0), left_003=sf_leave(0.03, -1.0))
    claim(abs(sf_gd_end(SF_GD[0]) + 1.0) < 1e-9 and abs(sf_gd_end(SF_GD[1]) - 1.0) < 1e-9,
          "noise-free, gradient descent stays sharp just below lr 2/16 and goes flat just above",
          lrs=SF_GD, ends=(sf_gd_end(SF_GD[0]), sf_gd_end(SF_GD[1])))
    ridge = SHARP_FLAT.loss(np.array([SHARP_FLAT.ridge]))
    claim(abs(ridge - 1.28) < 1e-9, "the ridge between sharp and flat is at loss 1.28",
          ridge_loss=ridge)
    (a32, e32), (afull, efull) = circle_accuracy(32), circle_accuracy(200)
    claim(abs(a32 - afull) < 3 * max(e32, efull, 1e-3),
          "batch size makes no measurable difference to the circle classifier's accuracy",
          acc_32=a32, se_32=e32, acc_full=afull, se_full=efull)
    # 5. saddle
    dist, gnorm, loss = saddle_gd_final()
    claim(dist < 1e-10 and gnorm < 1e-10 and abs(loss) < 1e-20,
          "noise-free gradient descent stops exactly on the saddle",
          distance=dist, grad_norm=gnorm, loss=loss)
    meds = [saddle_median_steps(n) for n in SADDLE_NOISES]
    claim(all(a > b for a, b in zip(meds, meds[1:], strict=False)),
          "more noise leaves the saddle sooner", noises=SADDLE_NOISES, median_steps=meds)
    gain = np.diff(meds).mean()
    predicted = np.log(10) / np.log(1 + SADDLE_LR)
    claim(abs(-gain - predicted) < 3,
          "each tenfold noise saves about log(10)/log(1 + lr) steps",
          steps_saved=-gain, predicted=predicted)


# == numbers =======================================================================================
num("sgd_n")(lambda: N)
num("sgd_batch_lr", fmt="{:g}")(lambda: BATCH_LR)
num("sgd_epochs")(lambda: EPOCHS)
num("sgd_full_after_all", fmt="{:.3f}")(lambda: excess_after(N, EPOCHS))
num("sgd_mini_after_1", fmt="{:.1e}")(lambda: excess_after(32, 1))
num("sgd_one_after_1", fmt="{:.1e}")(lambda: excess_after(1, 1))
num("sgd_floor_mini", fmt="{:.0e}")(lambda: floor(32))
num("sgd_floor_one", fmt="{:.0e}")(lambda: floor(1))
num("sgd_floor_lr", fmt="{:g}")(lambda: FLOOR_LR)
num("sgd_floor_mini_low", fmt="{:.0e}")(lambda: floor(32, FLOOR_LR))
num("sgd_floor_one_low", fmt="{:.0e}")(lambda: floor(1, FLOOR_LR))
num("sgd_far_share", fmt="{:.0%}")(far_share)
num("sgd_median_g1", fmt="{:.2f}")(lambda: float(np.median(per_example_grads()[:, 0])))
num("sgd_sf_excess_ratio", fmt="{:.1f}")(lambda: (2 - 0.1 * 1.0) / (2 - 0.1 * 16.0))
num("sgd_draws")(lambda: DRAWS)
num("sgd_draw_epochs")(lambda: DRAWS // N)
num("sgd_mean_err_se", fmt="{:.1f}")(lambda: max(mean_error_in_se(B) for B in TABLE_BATCHES))
num("sgd_full_g1", fmt="{:.3f}")(lambda: float(full_grad()[0]))
num("sgd_full_g2", fmt="{:.3f}")(lambda: float(full_grad()[1]))
num("sgd_full_gb", fmt="{:.3f}")(lambda: float(full_grad()[2]))
num("sgd_pe_mean_diff", fmt="{:.0e}")(
    lambda: max(float(np.abs(per_example_grads().mean(axis=0) - full_grad()).max()), 1e-16))
for _B in TABLE_BATCHES:
    num(f"sgd_mb_mean1_{_B}", fmt="{:.3f}")(lambda B=_B: float(minibatch_grads(B).mean(axis=0)[0]))
    num(f"sgd_mb_sd1_{_B}", fmt="{:.3f}")(lambda B=_B: float(minibatch_grads(B).std(axis=0)[0]))
    num(f"sgd_mb_pred1_{_B}", fmt="{:.3f}")(lambda B=_B: float(sampling_std(B)[0]))
    num(f"sgd_mb_sdB1_{_B}", fmt="{:.2f}")(
        lambda B=_B: float(minibatch_grads(B).std(axis=0)[0] * np.sqrt(B)))

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
num("sgd_two_run")(first_run_where_large_escapes)
for _x0 in JUMP_STARTS:
    for _lr in JUMP_LRS:
        num(f"sgd_jump_{round(-_x0 * 10)}_{tag(_lr)}")(lambda x0=_x0, lr=_lr: jump_end(x0, lr))
num("sgd_jump_grad", fmt="{:.2f}")(lambda: float(double_well.grad(np.array([-2.0]))[0]))
num("sgd_jump_grad15", fmt="{:.3f}")(lambda: float(double_well.grad(np.array([-1.5]))[0]))
num("sgd_jump_x1_050", fmt="{:+.2f}")(lambda: jump_first_step(-2.0, 0.5))
num("sgd_jump_x1_060", fmt="{:+.2f}")(lambda: jump_first_step(-2.0, 0.6))

num("sgd_sf_ridge", fmt="{:.2f}")(lambda: float(SHARP_FLAT.loss(np.array([SHARP_FLAT.ridge]))))
num("sgd_sf_steps")(lambda: SF_STEPS)
num("sgd_sf_limit", fmt="{:.3f}")(lambda: 2 / SHARP_FLAT.sharp)
for _lr in SF_LRS:
    num(f"sgd_sf_sharp_{tag(_lr)}", fmt="{:.1%}")(lambda lr=_lr: sf_leave(lr, -1.0))
    num(f"sgd_sf_flat_{tag(_lr)}", fmt="{:.1%}")(lambda lr=_lr: sf_leave(lr, 1.0))
num("sgd_sf_gd_below", fmt="{:g}")(lambda: SF_GD[0])
num("sgd_sf_gd_above", fmt="{:g}")(lambda: SF_GD[1])
num("sgd_sf_gd_below_end", fmt="{:+.2f}")(lambda: sf_gd_end(SF_GD[0]))
num("sgd_sf_gd_above_end", fmt="{:+.2f}")(lambda: sf_gd_end(SF_GD[1]))
num("sgd_circle_lr", fmt="{:g}")(lambda: CIRCLE_LR)
num("sgd_circle_seeds")(lambda: CIRCLE_SEEDS)
num("sgd_circle_steps")(lambda: CIRCLE_STEPS)
num("sgd_circle_acc32", fmt="{:.1%}")(lambda: circle_accuracy(32)[0])
num("sgd_circle_se32", fmt="{:.1%}")(lambda: circle_accuracy(32)[1])
num("sgd_circle_accfull", fmt="{:.1%}")(lambda: circle_accuracy(200)[0])
num("sgd_circle_sefull", fmt="{:.1%}")(lambda: circle_accuracy(200)[1])

num("sgd_saddle_lr", fmt="{:g}")(lambda: SADDLE_LR)
num("sgd_saddle_steps")(lambda: SADDLE_STEPS)
num("sgd_saddle_gd_dist", fmt="{:.0e}")(lambda: max(saddle_gd_final()[0], 1e-300))
num("sgd_saddle_gd_grad", fmt="{:.0e}")(lambda: max(saddle_gd_final()[1], 1e-300))
for _n in SADDLE_NOISES:
    num(f"sgd_saddle_med_{round(-np.log10(_n))}", fmt="{:.0f}")(
        lambda n=_n: saddle_median_steps(n))
num("sgd_saddle_gain", fmt="{:.1f}")(
    lambda: -float(np.diff([saddle_median_steps(n) for n in SADDLE_NOISES]).mean()))
num("sgd_saddle_gain_pred", fmt="{:.1f}")(lambda: float(np.log(10) / np.log(1 + SADDLE_LR)))
num("sgd_saddle_split", fmt="{:.1%}")(lambda: saddle_run(1e-3).fraction_in(0))
