"""Chapter 3, docs/flat-minima.md: implicit regularisation, noise and sharp against flat minima.

Two minima of equal depth and equal barrier, one sharp and one flat; and whether mini-batch noise
improves test accuracy on the circle data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from optdocs import SGD
from optdocs.landscapes import Landscape, double_well
from optdocs.nn import MLP, circle_data, train
from optdocs.simulate import simulate

NOISE = double_well.noise           # 1.0, as on the shallow-minimum page
RUNS = 1000



def tag(x: float) -> str:
    """Name suffix for a learning rate or noise level: 0.03 -> "003", 0.3 -> "030"."""
    return f"{round(x * 100):03d}"


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


def sf_leave(lr: float, start: float, runs: int = RUNS) -> float:
    """Share of runs started at `start` (-1 sharp, 1 flat) that end in the other minimum."""
    return _sf_leave(lr, start, runs)


@cache
def _sf_leave(lr: float, start: float, runs: int) -> float:
    tr = simulate(SHARP_FLAT, SGD(lr=lr), x0=[start], steps=SF_STEPS, runs=runs, noise=NOISE,
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
            "2/16, leaving the flat one stays at 0%.",
        caption="Left: both minima are equally deep and differ only in width. Right: at the same "
                "learning rate noisy SGD leaves the narrow one far more often; near $2/16$ every run "
                "leaves it, while none leaves the wide one.",
        page_kwargs={"runs": 200})
def _(runs=RUNS):
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
        h = [sf_leave(lr, start, runs) for lr in SF_LRS]
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
    seeds = list(range(CIRCLE_SEEDS))       # one stack of networks, each trained as if alone
    model = MLP((2, 8, 1), seed=seeds)
    train(model, SGD(lr=CIRCLE_LR), Xtr, ytr, epochs=epochs, batch_size=batch, seed=seeds)
    a = np.asarray(model.accuracy(Xte, yte))
    return float(a.mean()), float(a.std(ddof=1) / np.sqrt(len(a)))


# == claims ========================================================================================
@checks
@cache
def claims() -> None:
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


# == numbers =======================================================================================
num("sgd_sf_excess_ratio", fmt="{:.1f}")(lambda: (2 - 0.1 * 1.0) / (2 - 0.1 * 16.0))
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
