"""Training chapter (docs/training.md): the circle data set and the 2-8-1 network, trained by six
optimizers over several seeds; a learning-rate sweep; linear regression by gradient descent; the
order of the steps in a training loop.

Every run here is bit-for-bit the run :func:`optdocs.nn.train` makes with
``train(MLP(sizes, seed=s), opt, X, y, epochs, batch_size, seed=s)``: :func:`train_groups` hands
many seeds (and many optimizers) to ``optdocs.nn`` as one stack of networks, so that one NumPy
call does the forward and backward pass of all of them. ``tests/test_guide_w3.py`` checks the
equality, and the claims the page makes from these numbers.

The other chapter modules of this author (``guide/schedules.py``, ``guide/choosing.py``) import
:func:`train_groups` from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from optdocs import SGD, Adam, AdamW, Optimizer, RMSprop
from optdocs.nn import MLP, circle_data, linear_data, mse_loss_and_grads, train

SEEDS = tuple(range(10))
EPOCHS = 100
BATCH = 32
TARGET = 0.9

# --------------------------------------------------------------------------------------------
# Many seeds at once: one stack of networks in optdocs.nn.train
# --------------------------------------------------------------------------------------------


@dataclass
class Runs:
    """Per-epoch history of several runs: arrays of shape (runs, epochs)."""

    loss: np.ndarray
    accuracy: np.ndarray
    weight_norm: np.ndarray
    params: dict[str, np.ndarray] | None = None   # final parameters, stacked along axis 0

    def epochs_to(self, acc: float = TARGET) -> np.ndarray:
        """First epoch (1-based) with accuracy >= acc, per run; NaN where never reached."""
        hit = self.accuracy >= acc
        first = hit.argmax(axis=1) + 1.0
        return np.where(hit.any(axis=1), first, np.nan)

    @property
    def final_accuracy(self) -> np.ndarray:
        return self.accuracy[:, -1]

    @property
    def final_loss(self) -> np.ndarray:
        return self.loss[:, -1]


def train_groups(groups: Sequence[tuple[Callable[[], Optimizer], Sequence[int]]],
                 sizes: Sequence[int] = (2, 8, 1), epochs: int = EPOCHS, batch_size: int = BATCH,
                 data: tuple[np.ndarray, np.ndarray] | None = None) -> list[Runs]:
    """Train one MLP per (group, seed) and return one :class:`Runs` per group.

    ``groups`` holds ``(make_optimizer, seeds)`` pairs. Seed ``s`` initialises the model
    (``MLP(sizes, seed=s)``) and orders the mini-batches (``default_rng(s)``), as
    ``optdocs.nn.train(..., seed=s)`` does. All the runs of all the groups are one stack of
    networks trained by one ``optdocs.nn.train`` call. An elementwise optimizer gets one instance
    per group, stepping all of that group's seeds at once, and so does one made with
    ``stacked=True`` (Adafactor, Muon: norms per run); LARS and LAMB (norms over whole layers)
    get one instance per run. A run that diverges has NaN after its last recorded epoch.
    """
    X, y = circle_data() if data is None else data
    seeds = [s for _, group_seeds in groups for s in group_seeds]
    opts: list[Optimizer] = []
    for make, group_seeds in groups:
        opt = make()
        shared = getattr(opt, "elementwise", True) or getattr(opt, "stacked", False)
        opts += [opt] * len(group_seeds) if shared else [opt] + [make() for _ in group_seeds[1:]]
    model = MLP(sizes, seed=seeds)
    h = train(model, opts, X, y, epochs=epochs, batch_size=batch_size, seed=seeds)
    out, start = [], 0
    for _, group_seeds in groups:
        sl = slice(start, start + len(group_seeds))
        out.append(Runs(h.loss[sl], h.accuracy[sl], h.weight_norm[sl],
                        {k: v[sl].copy() for k, v in model.params.items()}))
        start += len(group_seeds)
    return out


def dead_units(runs: Runs, X: np.ndarray | None = None) -> np.ndarray:
    """Per run, the number of first-layer ReLU units that are off for every point of X."""
    X = circle_data()[0] if X is None else X
    pre = X @ runs.params["W1"] + runs.params["b1"][:, None, :]      # (runs, points, units)
    return (pre.max(axis=1) <= 0).sum(axis=1)


def mean_sd(values: np.ndarray, fmt: str = "{:.0f}") -> str:
    """'mean ± sd' of the finite values, or an em dash when there are none."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "—"
    return f"{fmt.format(v.mean())} ± {fmt.format(v.std())}"


# --------------------------------------------------------------------------------------------
# The six optimizers and the learning-rate sweep
# --------------------------------------------------------------------------------------------

#: label -> factory taking the learning rate. Everything but the learning rate is PyTorch's default
#: (AdamW keeps weight_decay=1e-2); momentum is 0.9 where there is momentum.
OPTIMIZERS: dict[str, Callable[[float], Optimizer]] = {
    "SGD": lambda lr: SGD(lr=lr),
    "Momentum": lambda lr: SGD(lr=lr, momentum=0.9),
    "Nesterov": lambda lr: SGD(lr=lr, momentum=0.9, nesterov=True),
    "RMSprop": lambda lr: RMSprop(lr=lr),
    "Adam": lambda lr: Adam(lr=lr),
    "AdamW": lambda lr: AdamW(lr=lr),
}
#: PyTorch's default learning rate of each (torch.optim signatures, torch 2.x).
TORCH_DEFAULT_LR = {"SGD": 1e-3, "Momentum": 1e-3, "Nesterov": 1e-3, "RMSprop": 1e-2, "Adam": 1e-3,
                    "AdamW": 1e-3}
#: The shared learning rate of the main table.
SHARED_LR = 0.01
LRS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0)


def sweep(seeds: Sequence[int] = SEEDS,
          lrs: Sequence[float] = LRS) -> dict[tuple[str, float], Runs]:
    """Every optimizer at every learning rate of ``lrs``, ``seeds`` each, in one batched run."""
    return _sweep(tuple(seeds), tuple(lrs))


@cache
def _sweep(seeds: tuple[int, ...], lrs: tuple[float, ...]) -> dict[tuple[str, float], Runs]:
    keys = [(name, lr) for name in OPTIMIZERS for lr in lrs]
    groups = [((lambda f=OPTIMIZERS[name], lr=lr: f(lr)), seeds) for name, lr in keys]
    return dict(zip(keys, train_groups(groups), strict=True))


def reached(r: Runs) -> int:
    return int(np.isfinite(r.epochs_to()).sum())


def median_epochs(r: Runs) -> float:
    """Median epochs to TARGET, counting runs that never get there as infinitely slow."""
    e = np.where(np.isfinite(r.epochs_to()), r.epochs_to(), np.inf)
    return float(np.median(e))


def best_lr(name: str) -> float:
    """Among the learning rates of LRS at which every seed reaches TARGET, the one with the fewest
    mean epochs to get there (ties: the lower mean final loss)."""
    def key(lr):
        r = sweep()[(name, lr)]
        return (float(np.mean(r.epochs_to())), float(np.mean(r.final_loss)))
    return min(usable_lrs(name), key=key)


def usable_lrs(name: str) -> list[float]:
    """Learning rates of LRS at which every seed reaches TARGET."""
    return [lr for lr in LRS if reached(sweep()[(name, lr)]) == len(SEEDS)]


SETTINGS: dict[str, Callable[[str], float]] = {
    "shared": lambda name: SHARED_LR,
    "torch": lambda name: TORCH_DEFAULT_LR[name],
    "best": lambda name: best_lr(name),
}


def cell(setting: str, name: str, column: str) -> str:
    """One cell of the page's tables: optimizer ``name`` at learning rate ``SETTINGS[setting]``."""
    lr = SETTINGS[setting](name)
    r = sweep()[(name, lr)]
    if column == "lr":
        return f"{lr:g}"
    if column == "reached":
        return f"{reached(r)}/{len(SEEDS)}"
    if column == "epochs":
        return mean_sd(r.epochs_to())
    if column == "acc":
        return mean_sd(100 * r.final_accuracy, "{:.1f}") + " %"
    if column == "loss":
        return mean_sd(r.final_loss, "{:.3f}")
    raise ValueError(column)


@cache
def bias_control() -> Runs:
    """Adam with beta1 = 0 and beta2 = 0.99: RMSprop(alpha=0.99) plus bias correction, nothing else."""
    (runs,) = train_groups([(lambda: Adam(lr=SHARED_LR, betas=(0.0, 0.99)), SEEDS)])
    return runs


# --- the claims the page makes (the build fails if a package change breaks one) ------------

@checks
@cache
def claims() -> None:
    s = sweep()
    claim(reached(s[("SGD", SHARED_LR)]) == 0,
          "at lr 0.01 plain SGD does not reach 90% in any run",
          lr=SHARED_LR, reached=reached(s[("SGD", SHARED_LR)]))
    for name in ("Momentum", "Nesterov", "RMSprop", "Adam", "AdamW"):
        claim(reached(s[(name, SHARED_LR)]) == len(SEEDS),
              "at lr 0.01 every method with momentum or adaptive scaling reaches 90% in every run",
              optimizer=name, lr=SHARED_LR, reached=reached(s[(name, SHARED_LR)]), seeds=len(SEEDS))
    adam_worst = np.nanmax(s[("Adam", SHARED_LR)].epochs_to())
    claim(adam_worst < EPOCHS, "Adam reaches 90% before plain SGD at the same learning rate",
          adam_slowest_epochs=adam_worst, epochs=EPOCHS)
    means = {n: np.nanmean(s[(n, SHARED_LR)].epochs_to()) for n in OPTIMIZERS if n != "SGD"}
    claim(min(means, key=means.get) == "RMSprop", "RMSprop is the fastest of the six at lr 0.01",
          mean_epochs=means)
    # RMSprop's lead over Adam is its missing bias correction, not Adam's momentum: Adam without
    # momentum and with RMSprop's beta2 is as slow as Adam, far slower than RMSprop
    ctrl = float(np.mean(bias_control().epochs_to()))
    claim(reached(bias_control()) == len(SEEDS),
          "Adam without momentum, with RMSprop's beta2, reaches 90% in every run",
          reached=reached(bias_control()))
    claim(ctrl - means["RMSprop"] > 5 and abs(ctrl - means["Adam"]) < 5,
          "RMSprop's lead over Adam is the missing bias correction, not Adam's momentum",
          control=ctrl, rmsprop=means["RMSprop"], adam=means["Adam"])
    claim(abs(means["Nesterov"] - means["Momentum"]) < 1.0,
          "Nesterov and heavy-ball momentum are within one epoch of each other on average",
          nesterov=means["Nesterov"], momentum=means["Momentum"])
    for name, lr in TORCH_DEFAULT_LR.items():
        expect = len(SEEDS) if name == "RMSprop" else 0
        claim(reached(s[(name, lr)]) == expect,
              "at PyTorch's default learning rates only RMSprop reaches 90% in 100 epochs",
              optimizer=name, lr=lr, reached=reached(s[(name, lr)]), expected=expect)
    best = {n: float(np.mean(s[(n, best_lr(n))].epochs_to())) for n in OPTIMIZERS}
    claim(max(best.values()) <= 10, "tuned, every optimizer reaches 90% within a few epochs",
          mean_epochs_at_best=best)
    lowest = {n: reached(s[(n, LRS[0])]) for n in OPTIMIZERS}
    claim(all(v == 0 for v in lowest.values()), "at the smallest rate no optimizer gets there",
          lr=LRS[0], reached=lowest)
    claim(len(usable_lrs("Adam")) <= len(usable_lrs("Momentum")),
          "Adam is not more forgiving of the learning rate than momentum here",
          adam=usable_lrs("Adam"), momentum=usable_lrs("Momentum"))


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

@figure("training-curves",
        alt="Loss and accuracy per epoch on the circle data for SGD, momentum, Nesterov, RMSprop, "
            "Adam and AdamW, all at learning rate 0.01, averaged over ten seeds: plain SGD stays "
            "near 75% accuracy while the others pass 90%.",
        caption="One shared rate, 0.01, for all six: plain SGD's accuracy stays far below the others,"
                " which all pass 90%. At this rate SGD is slow, not broken: the learning-rate sweep "
                "below shows where its window lies.",
        page_kwargs={"seeds": (0, 1, 2)})
def _(seeds=SEEDS):
    from optdocs.plots.curves import history_curves

    class _Mean:
        def __init__(self, r: Runs) -> None:
            self.loss = np.nanmean(r.loss, axis=0)
            self.accuracy = np.nanmean(r.accuracy, axis=0)

    runs = dict(zip(OPTIMIZERS, train_groups(
        [((lambda f=OPTIMIZERS[n]: f(SHARED_LR)), seeds) for n in OPTIMIZERS]), strict=True))
    fig = history_curves({n: _Mean(runs[n]) for n in OPTIMIZERS})
    fig.axes[1].axhline(TARGET, color="#808080", linewidth=0.8, linestyle=":")
    return fig


@figure("training-lr-sweep",
        alt="Two panels against the learning rate on a log axis, one line per optimizer. Left: "
            "how many of ten seeds reach 90% accuracy within 100 epochs; each optimizer has a "
            "window of one to two decades where all ten do, and the windows are shifted. Right: "
            "median epochs to 90%, falling steeply as the rate grows inside each window.",
        caption="Left: each optimizer has a window of learning rates in which all ten seeds reach 90%"
                " accuracy, and the windows sit at different places on the axis. Right: inside its "
                "window, the larger the rate, the fewer epochs it takes.",
        page_kwargs={"seeds": (0, 1)})
def _(seeds=SEEDS):
    from optdocs.plots.style import color, linestyle, new_figure

    fig, (ax_n, ax_e) = new_figure(ncols=2, width=9.0, height=3.6)
    for i, name in enumerate(OPTIMIZERS):
        style = dict(color=color(i), linestyle=linestyle(i), marker="o", markersize=4, label=name)
        ax_n.plot(LRS, [reached(sweep(seeds)[(name, lr)]) for lr in LRS], **style)
        med = [median_epochs(sweep(seeds)[(name, lr)]) for lr in LRS]
        ax_e.plot(LRS, [m if np.isfinite(m) else np.nan for m in med], **style)
    for ax in (ax_n, ax_e):
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
    ax_n.set_ylabel(f"seeds reaching {TARGET:.0%} (of {len(seeds)})")
    ax_n.set_ylim(-0.5, len(seeds) + 0.5)
    ax_e.set_yscale("log")
    ax_e.set_ylim(1.5, EPOCHS * 1.1)
    ax_e.set_ylabel(f"median epochs to {TARGET:.0%}")
    ax_n.legend(ncols=2, fontsize="small", loc="center left")
    return fig


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

def _register_cells() -> None:
    for setting in SETTINGS:
        for name in OPTIMIZERS:
            for column in ("lr", "reached", "epochs", "acc", "loss"):
                number(f"training_{setting}_{name.lower()}_{column}")(
                    lambda s=setting, n=name, c=column: cell(s, n, c))


_register_cells()


@number("training_seeds")
def _():
    return len(SEEDS)


@number("training_steps")
def _():
    return EPOCHS * int(np.ceil(len(circle_data()[0]) / BATCH))


@number("training_adam_e90", fmt="{:.0f}")
def _():
    return float(np.nanmean(sweep()[("Adam", SHARED_LR)].epochs_to()))


@number("training_rmsprop_e90", fmt="{:.0f}")
def _():
    return float(np.nanmean(sweep()[("RMSprop", SHARED_LR)].epochs_to()))


@number("training_momentum_e90", fmt="{:.0f}")
def _():
    return float(np.nanmean(sweep()[("Momentum", SHARED_LR)].epochs_to()))


@number("training_nesterov_e90", fmt="{:.0f}")
def _():
    return float(np.nanmean(sweep()[("Nesterov", SHARED_LR)].epochs_to()))


@number("training_adam_nomomentum_e90", fmt="{:.0f}")
def _():
    return float(np.mean(bias_control().epochs_to()))


def _register_boost() -> None:
    for t in (1, 10, 100):
        number(f"training_rms_boost_{t}", fmt="{:.3g}")(lambda t=t: 1 / np.sqrt(1 - 0.99**t))


_register_boost()


@number("training_sgd_final", fmt="{:.0%}")
def _():
    return float(np.mean(sweep()[("SGD", SHARED_LR)].final_accuracy))


@number("training_adam_default_final", fmt="{:.0%}")
def _():
    return float(np.mean(sweep()[("Adam", 1e-3)].final_accuracy))


@number("training_majority", fmt="{:.1%}")
def _():
    return float(1 - circle_data()[1].mean())


@number("training_usable_adam")
def _():
    u = usable_lrs("Adam")
    return f"{u[0]:g} to {u[-1]:g}"


@number("training_usable_momentum")
def _():
    u = usable_lrs("Momentum")
    return f"{u[0]:g} to {u[-1]:g}"


@number("training_usable_sgd")
def _():
    u = usable_lrs("SGD")
    return f"{u[0]:g} to {u[-1]:g}"


@number("training_usable_rmsprop")
def _():
    u = usable_lrs("RMSprop")
    return f"{u[0]:g} to {u[-1]:g}"


@number("training_best_range")
def _():
    best = [float(np.mean(sweep()[(n, best_lr(n))].epochs_to())) for n in OPTIMIZERS]
    return f"{min(best):.0f} to {max(best):.0f}"


# --- linear regression by gradient descent ---------------------------------------------------

@cache
def linear_fit(lr: float = 0.1, steps: int = 200) -> tuple[np.ndarray, float, float]:
    X, y = linear_data()
    w, b = np.zeros(X.shape[1]), np.zeros(())
    opt = SGD(lr=lr)
    for _ in range(steps):
        loss, gw, gb = mse_loss_and_grads(w, b, X, y)
        opt.step([w, b], [gw, gb])
    return w, float(b), mse_loss_and_grads(w, b, X, y)[0]


@checks
def linear_fit_claims() -> None:
    X, y = linear_data()
    exact = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    w, b, _ = linear_fit()
    claim(np.allclose(np.r_[w, b], exact, atol=1e-6),
          "gradient descent lands on the least-squares solution", fit=np.r_[w, b], exact=exact)


@number("training_linreg_w")
def _():
    w, b, _ = linear_fit()
    return f"({w[0]:.3f}, {w[1]:.3f})"


@number("training_linreg_b", fmt="{:.3f}")
def _():
    return linear_fit()[1]


@number("training_linreg_loss", fmt="{:.4f}")
def _():
    return linear_fit()[2]
