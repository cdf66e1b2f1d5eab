"""Chapter 3 (docs/sgd.md): stochastic and mini-batch gradients and their noise.

1. Batch vs mini-batch vs single-example SGD on linear regression (same lr, same epochs).
2. The mini-batch gradient is an unbiased estimate of the full gradient; its spread falls as 1/sqrt(B).

What the noise does has its own pages: guide/sgd_escape.py (a shallow minimum),
guide/flat_minima.py (sharp and flat minima), guide/saddles.py (saddle points).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.nn import linear_data, mse_loss_and_grads

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
def batch_run(B: int, lr: float = BATCH_LR, epochs: int = EPOCHS) -> np.ndarray:
    """Full-data loss after every step of SGD with batch size B (``epochs`` shuffled epochs;
    fewer epochs give the first steps of a longer run, the same numbers)."""
    X, y, _ = regression()
    rng = np.random.default_rng(0)
    params = {"w": np.zeros(2), "b": np.zeros(())}
    opt = SGD(lr=lr)
    losses = [mse_loss_and_grads(params["w"], params["b"], X, y)[0]]
    for _ in range(epochs):
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
            "B = 1. Against steps, full batch makes the most progress per step.",
        caption="Left, per epoch: small batches get many more steps out of each pass and drop first, "
                "then stall at a noise floor, higher for batch 1. Right, per step: full batch, with "
                "the exact gradient, gains the most from each step.",
        page_kwargs={"epochs": 5})
def _(epochs=EPOCHS):
    from optdocs.plots.style import color, linestyle, new_figure

    best = regression()[2]
    fig, (a, b) = new_figure(ncols=2, width=9.6, height=3.9)
    for i, (label, B) in reversed(list(enumerate(BATCHES.items()))):   # full batch drawn last
        ex = batch_run(B, BATCH_LR, epochs) - best
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
            "which is marked with a star.",
        caption="Each dot is one mini-batch gradient, the star the full-batch gradient. All three "
                "clouds are centred on the star and tighten as the batch grows: a mini-batch gradient"
                " is the true gradient plus noise that shrinks with the batch.")
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
    claim(excess_after(s, 0.5) < excess_after(m, 0.5),
          "after half an epoch, single examples are closer to the minimum than batches of 32",
          single=excess_after(s, 0.5), batch32=excess_after(m, 0.5))
    claim(excess_after(m, 1) < excess_after(s, 1) / 10,
          "after one epoch, batches of 32 are far closer to the minimum than single examples",
          single=excess_after(s, 1), batch32=excess_after(m, 1))
    claim(excess_after(s, 1) < 2 * floor(s),
          "after one epoch, single examples are already down at their noise floor",
          single=excess_after(s, 1), floor=floor(s))
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


# == numbers =======================================================================================
num("sgd_n")(lambda: N)
num("sgd_batch_lr", fmt="{:g}")(lambda: BATCH_LR)
num("sgd_epochs")(lambda: EPOCHS)
num("sgd_full_after_all", fmt="{:.3f}")(lambda: excess_after(N, EPOCHS))
num("sgd_mini_after_1", fmt="{:.1e}")(lambda: excess_after(32, 1))
num("sgd_one_after_1", fmt="{:.1e}")(lambda: excess_after(1, 1))
num("sgd_mini_after_half", fmt="{:.1e}")(lambda: excess_after(32, 0.5))
num("sgd_one_after_half", fmt="{:.1e}")(lambda: excess_after(1, 0.5))
num("sgd_floor_mini", fmt="{:.0e}")(lambda: floor(32))
num("sgd_floor_one", fmt="{:.0e}")(lambda: floor(1))
num("sgd_floor_lr", fmt="{:g}")(lambda: FLOOR_LR)
num("sgd_floor_mini_low", fmt="{:.0e}")(lambda: floor(32, FLOOR_LR))
num("sgd_floor_one_low", fmt="{:.0e}")(lambda: floor(1, FLOOR_LR))
num("sgd_far_share", fmt="{:.0%}")(far_share)
num("sgd_median_g1", fmt="{:.2f}")(lambda: float(np.median(per_example_grads()[:, 0])))
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
