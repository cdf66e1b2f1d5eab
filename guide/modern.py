"""Today's optimizers (docs/modern.md): RAdam, Adafactor, Muon, Lion and schedule-free AdamW.

What each one changes, measured on the guide's own material: RAdam's rectification factor, a
learning-rate sweep of all of them (and Adam) on two surfaces of ``optdocs.landscapes`` and on the
training chapter's network (``guide.training.train_groups``, the circle data set, 2-8-1 MLP),
Muon's orthogonalised step on one matrix, and schedule-free AdamW's averaged point on the noisy
ravine. Every sentence of the page that depends on these numbers is checked in :func:`claims`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure
from guide.registry import number as num
from guide.training import train_groups
from optdocs import Adafactor, Adam, AdamW, AdamWScheduleFree, Lion, Muon, RAdam
from optdocs import landscapes as L
from optdocs.nn import MLP, circle_data
from optdocs.optimizers.muon import newton_schulz
from optdocs.optimizers.radam import rectification, sma_length
from optdocs.schedules import cosine_annealing

#: The learning rates of every sweep: 1e-3 to 1, half a decade apart.
LRS = tuple(float(x) for x in 10.0 ** np.linspace(-3, 0, 7))
NAMES = ("Adam", "RAdam", "Lion", "Schedule-free AdamW", "Adafactor", "Muon")
SURFACES = ("rosenbrock", "beale")
SURFACE_STEPS = 300
NET_SEEDS = tuple(range(5))
NET_EPOCHS = 60
ADAMW_LR_WITH_MUON = 0.01     # the biases' AdamW when Muon takes the weight matrices
SF_LR, SF_STEPS, SF_RUNS, SF_NOISE = 0.3, 400, 200, 1.0
MUON_SHAPE, MUON_SCALES = (8, 4), (10.0, 1.0, 0.1, 0.01)
REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "torch_reference.json"


def make(name: str, lr: float, stacked: bool = False):
    """The optimizer ``name`` at rate ``lr``, with its defaults otherwise (no weight decay);
    ``stacked``: Adafactor and Muon step a stack of runs, with their norms per run."""
    return {
        "Adam": lambda: Adam(lr=lr),
        "RAdam": lambda: RAdam(lr=lr),
        "Lion": lambda: Lion(lr=lr),
        "Schedule-free AdamW": lambda: AdamWScheduleFree(lr=lr),
        "Adafactor": lambda: Adafactor(lr=lr, stacked=stacked),
        "Muon": lambda: Muon(lr=lr, weight_decay=0.0, stacked=stacked),
    }[name]()


# --- RAdam -----------------------------------------------------------------------------------

@cache
def radam_factors(b2: float = 0.999, steps: int = 3000) -> np.ndarray:
    """RAdam's rectification factor r_t for t = 1..steps (NaN while rho_t <= 5)."""
    return np.array([np.nan if (r := rectification(b2, t)) is None else r
                     for t in range(1, steps + 1)])


def first_rectified_step(b2: float = 0.999) -> int:
    return int(np.argmax(~np.isnan(radam_factors(b2)))) + 1


def steps_until_factor(level: float, b2: float = 0.999) -> int:
    r = np.nan_to_num(radam_factors(b2), nan=0.0)
    return int(np.argmax(r >= level)) + 1


# --- surfaces ----------------------------------------------------------------------------------

@cache
def surface_sweep() -> dict[str, dict[str, np.ndarray]]:
    """Final loss after SURFACE_STEPS noiseless steps from each surface's start, per optimizer
    and rate. The point is one 1x2 matrix, so Muon (matrices only) sees it as one: its step is
    the normalised momentum. Schedule-free AdamW is scored at its averaged point x. The rates
    run side by side: row i of ``xs`` is rate i's point, stepped by its own optimizer, and one
    gradient call serves every row."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for surface in SURFACES:
        land = L.get(surface)
        out[surface] = {}
        for name in NAMES:
            opts = [make(name, lr) for lr in LRS]
            xs = np.repeat(land.start.astype(float)[None, :], len(LRS), axis=0)
            with np.errstate(all="ignore"):
                for _ in range(SURFACE_STEPS):
                    g = land.grad(xs)
                    for i, opt in enumerate(opts):
                        opt.step(xs[i:i + 1], g[i:i + 1])
                at = [o.get("x")[0] for o in opts] if name == "Schedule-free AdamW" else xs
                loss = land.loss(np.asarray(at))
            out[surface][name] = np.where(np.isfinite(loss), loss, np.inf)
    return out


@cache
def adafactor_origin() -> float:
    """The largest distance from the origin at which Adafactor's Rosenbrock runs end, over the
    rates from 0.1 up (its relative step shrinks with the point's own size)."""
    land, out = L.get("rosenbrock"), []
    for lr in (v for v in LRS if v >= 0.1):
        opt, x = make("Adafactor", lr), land.start.astype(float)[None, :].copy()
        for _ in range(SURFACE_STEPS):
            opt.step(x, land.grad(x[0])[None, :])
        out.append(float(np.linalg.norm(x)))
    return max(out)


def best(values: np.ndarray) -> tuple[float, float]:
    """(best rate, its value) of one sweep row."""
    i = int(np.nanargmin(values))
    return LRS[i], float(values[i])


# --- the training chapter's network ----------------------------------------------------------

class MuonWithAdamW:
    """Muon for the weight matrices, AdamW for the biases (Muon takes only matrices), as Muon
    is used in practice. It steps a stack of runs (``optdocs.nn.train`` gives it one slice of
    the stack, a run axis of one for a single network): Muon is made with ``stacked=True``, its
    norms per run, and AdamW is elementwise."""

    elementwise = False
    stacked = True

    def __init__(self, lr: float) -> None:
        self.muon = Muon(lr=lr, weight_decay=0.0, stacked=True)
        self.adamw = AdamW(lr=ADAMW_LR_WITH_MUON, weight_decay=0.0)

    def step(self, params: dict, grads: dict) -> dict:
        mats = [k for k in params if k.startswith("W")]
        self.muon.step({k: params[k] for k in mats}, {k: grads[k] for k in mats})
        rest = [k for k in params if k not in mats]
        self.adamw.step({k: params[k] for k in rest}, {k: grads[k] for k in rest})
        return params


def averaged_loss(opts: list, seeds: tuple[int, ...]) -> np.ndarray:
    """Per seed, the loss at schedule-free AdamW's averaged point x (``opt.get("x")``)."""
    X, y = circle_data()
    x = opts[0].get("x")
    if len(seeds) == 1:    # a lone run is stepped as one network's arrays, with no runs axis
        x = {k: v[None] for k, v in x.items()}
    out = []
    for r, seed in enumerate(seeds):
        m = MLP((2, 8, 1), seed=seed)
        m.params = {k: v[r] for k, v in x.items()}
        out.append(m.loss(X, y))
    return np.array(out)


def network_sweep(seeds: tuple[int, ...] = NET_SEEDS) -> dict[str, dict[str, np.ndarray]]:
    """Per optimizer: the mean final loss (5 seeds, 60 epochs, batch 32) at each rate;
    schedule-free AdamW's both at x (``loss``) and at y (``loss_y``)."""
    return _network_sweep(tuple(seeds))


@cache
def _network_sweep(seeds: tuple[int, ...]) -> dict[str, dict[str, np.ndarray]]:
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in NAMES:
        made: list = []

        def factory(lr, made=made, name=name):
            def build():
                opt = MuonWithAdamW(lr) if name == "Muon" else make(name, lr, stacked=True)
                made.append(opt)
                return opt
            return build

        runs = train_groups([(factory(lr), seeds) for lr in LRS], epochs=NET_EPOCHS)
        loss = np.array([np.mean(r.final_loss) for r in runs])
        row = {"loss": loss, "accuracy": np.array([np.mean(r.final_accuracy) for r in runs])}
        if name == "Schedule-free AdamW":
            row["loss_y"] = loss
            row["loss"] = np.array([np.mean(averaged_loss([made[i]], seeds))
                                    for i in range(len(LRS))])
        out[name] = {k: np.where(np.isfinite(v), v, np.inf) for k, v in row.items()}
    return out


# --- Muon on one matrix --------------------------------------------------------------------------

@cache
def muon_matrix() -> dict[str, np.ndarray]:
    """An 8x4 gradient whose directions differ in strength by 1000x, and its Newton-Schulz image."""
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=MUON_SHAPE))
    v, _ = np.linalg.qr(rng.normal(size=(MUON_SHAPE[1], MUON_SHAPE[1])))
    g = q @ np.diag(MUON_SCALES) @ v.T
    o = newton_schulz(g)
    return {"g": np.linalg.svd(g, compute_uv=False), "o": np.linalg.svd(o, compute_uv=False),
            "align": np.abs(np.diag(q.T @ o @ v))}


def muon_bfloat16() -> dict:
    """torch's bfloat16 Muon against the float64 algorithm, as dev/torch_reference.py recorded."""
    return json.loads(REFERENCE.read_text())["facts"]["muon_bfloat16"]


# --- schedule-free on the noisy ravine ----------------------------------------------------------

@cache
def schedule_free_runs() -> dict[str, np.ndarray]:
    """Mean loss per step over SF_RUNS noisy runs on the ravine: Adam at a constant rate, Adam
    with a cosine decay over the whole run, schedule-free AdamW at y (trained) and at x."""
    land = L.get("ravine")
    z = np.random.default_rng(0).standard_normal((SF_STEPS, SF_RUNS, 2))

    def run(opt, at_x=False):
        x = np.tile(land.start, (SF_RUNS, 1)).astype(float)
        curve, curve_x = [], []
        for t in range(SF_STEPS):
            opt.step(x, land.grad(x) + SF_NOISE * z[t])
            curve.append(land.loss(x).mean())
            if at_x:
                curve_x.append(land.loss(opt.get("x")).mean())
        return np.array(curve), np.array(curve_x)

    sf_y, sf_x = run(AdamWScheduleFree(lr=SF_LR), at_x=True)
    return {"Adam, constant rate": run(Adam(lr=SF_LR))[0],
            "Adam, cosine decay over 400 steps": run(Adam(lr=cosine_annealing(SF_LR, SF_STEPS)))[0],
            "schedule-free, at y (trained)": sf_y, "schedule-free, at x (evaluated)": sf_x}


# --- claims -------------------------------------------------------------------------------------

@checks
@cache
def claims() -> None:
    # RAdam: plain momentum steps for t <= 4 with beta2 = 0.999, then a tiny factor that grows
    claim(first_rectified_step() == 6, "RAdam divides from step 6 on",
          step=first_rectified_step())
    r6 = radam_factors()[5]
    claim(0.02 < r6 < 0.03, "RAdam's first rectified step is about 2.6% of Adam's", r6=r6)
    claim(sma_length(0.999, 1)[1] == 1.0, "rho_1 = 1")
    claim(500 < steps_until_factor(0.5) < steps_until_factor(0.9) < 3000,
          "r_t passes 0.5 after hundreds of steps and 0.9 after thousands",
          half=steps_until_factor(0.5), ninety=steps_until_factor(0.9))

    s = surface_sweep()
    for surface in SURFACES:
        rad, adam = s[surface]["RAdam"], s[surface]["Adam"]
        # RAdam's first steps are SGD's: it diverges on the surfaces at rates where Adam converges
        bad = [lr for lr, v in zip(LRS, rad, strict=True) if not v < 1e3]
        start = float(L.get(surface).loss(L.get(surface).start))
        claim(bad and all(adam[LRS.index(lr)] < start for lr in bad),
              "RAdam blows up on the surface at rates where Adam makes progress",
              surface=surface, rates=bad)
        for name in ("Lion", "Muon"):
            claim(best(s[surface][name])[0] < best(adam)[0],
                  "Lion's and Muon's best rates on the surfaces are below Adam's",
                  surface=surface, name=name)
    claim(min(v for v in s["rosenbrock"]["Adafactor"]) > 10 * best(s["rosenbrock"]["Adam"])[1],
          "Adafactor's relative step stalls on Rosenbrock at every rate")
    rosen = L.get("rosenbrock")
    claim(np.linalg.norm(rosen.grad(rosen.start)) > 100, "Rosenbrock's first gradient is large")
    claim(adafactor_origin() < 0.1 and float(rosen.loss(np.zeros(2))) == 1.0,
          "Adafactor's runs at rates >= 0.1 end near the origin, where the loss is 1",
          distance=adafactor_origin())

    n = network_sweep()
    adam_lr, adam_best = best(n["Adam"]["loss"])
    lion_lr, lion_best = best(n["Lion"]["loss"])
    claim(3 <= adam_lr / lion_lr <= 30, "on the network Lion's best rate is 3-30x below Adam's",
          adam=adam_lr, lion=lion_lr)
    claim(n["Lion"]["loss"][-1] > 10 * n["Adam"]["loss"][-1],
          "at rate 1 Lion is far worse than Adam", lion=n["Lion"]["loss"][-1])
    radam, adam = n["RAdam"]["loss"], n["Adam"]["loss"]
    claim(radam[-1] < adam[-1] and radam[0] > adam[0],
          "on the network RAdam beats Adam at the largest rate and loses at the smallest",
          radam=radam.tolist(), adam=adam.tolist())
    sf = n["Schedule-free AdamW"]
    claim(best(sf["loss"])[1] < adam_best and best(sf["loss"])[0] == LRS[-1] > adam_lr,
          "schedule-free AdamW reaches a lower loss than Adam, at the largest rate tried",
          sf=best(sf["loss"]), adam=(adam_lr, adam_best))
    claim(np.all(sf["loss"][-3:] <= sf["loss_y"][-3:]),
          "at the three largest rates the averaged point x is at least as good as y")
    bests = {k: best(v["loss"])[1] for k, v in n.items()}
    claim(max(bests, key=bests.get) == "Adafactor", "Adafactor's best is the worst on the network",
          bests=bests)
    claim(min(bests, key=bests.get) == "Schedule-free AdamW",
          "schedule-free AdamW's best is the lowest on the network", bests=bests)
    claim(best(n["Muon"]["loss"])[0] < adam_lr, "Muon's best rate is below Adam's")

    m = muon_matrix()
    claim(m["g"][0] / m["g"][-1] > 500, "the gradient's directions differ 1000-fold")
    claim(m["o"].max() / m["o"].min() < 2 and 0.4 < m["o"].min() and m["o"].max() < 1.0,
          "after five iterations the singular values lie within a factor 2, below 1",
          sv=m["o"].tolist())
    claim(np.allclose(np.sort(m["align"]), np.sort(m["o"]), rtol=1e-9),
          "the update keeps the gradient's singular directions")
    gap = muon_bfloat16()
    claim(1e-4 < gap["relative_to_distance"] < 2e-2, "torch's bfloat16 Muon differs by < 2%",
          gap=gap)

    c = schedule_free_runs()
    end = {k: v[-1] for k, v in c.items()}
    claim(end["schedule-free, at x (evaluated)"] < end["schedule-free, at y (trained)"]
          < end["Adam, constant rate"] / 2,
          "schedule-free beats the constant rate, and x beats y", end=end)
    claim(end["Adam, cosine decay over 400 steps"] < end["schedule-free, at x (evaluated)"],
          "a cosine decay that knows the run's length still ends lower", end=end)
    half = SF_STEPS // 2 - 1
    claim(c["schedule-free, at x (evaluated)"][half] < c["Adam, constant rate"][half],
          "halfway, schedule-free's x is already below the constant rate")




def _sweep_numbers() -> None:
    for key, name in (("adam", "Adam"), ("radam", "RAdam"), ("lion", "Lion"),
                      ("sf", "Schedule-free AdamW"), ("adafactor", "Adafactor"), ("muon", "Muon")):
        num(f"modern_net_{key}_best_lr", fmt="{:g}")(
            lambda name=name: round(best(network_sweep()[name]["loss"])[0], 3))
        num(f"modern_net_{key}_best_loss", fmt="{:.3f}")(
            lambda name=name: best(network_sweep()[name]["loss"])[1])
        num(f"modern_net_{key}_lr1_loss", fmt="{:.3f}")(
            lambda name=name: network_sweep()[name]["loss"][-1])
        num(f"modern_net_{key}_lr0001_loss", fmt="{:.3f}")(
            lambda name=name: network_sweep()[name]["loss"][0])
        for surface in SURFACES:
            num(f"modern_{surface}_{key}_best_lr", fmt="{:g}")(
                lambda name=name, surface=surface: round(best(surface_sweep()[surface][name])[0], 3))


_sweep_numbers()


@num("modern_radam_first_step")
def _():
    return first_rectified_step()


@num("modern_radam_r6", fmt="{:.3f}")
def _():
    return float(radam_factors()[5])


@num("modern_radam_half")
def _():
    return steps_until_factor(0.5)


@num("modern_radam_ninety")
def _():
    return steps_until_factor(0.9)


@num("modern_radam_rosenbrock_diverges", fmt="{:g}")
def _():
    rad = surface_sweep()["rosenbrock"]["RAdam"]
    return round(min(lr for lr, v in zip(LRS, rad, strict=True) if not v < 1e3), 3)


@num("modern_rosenbrock_grad_norm", fmt="{:.0f}")
def _():
    land = L.get("rosenbrock")
    return float(np.linalg.norm(land.grad(land.start)))


@num("modern_rosenbrock_adafactor_min", fmt="{:.2f}")
def _():
    return float(np.min(surface_sweep()["rosenbrock"]["Adafactor"]))


@num("modern_adafactor_origin", fmt="{:.2f}")
def _():
    return adafactor_origin()


@num("modern_sf_net_y_loss", fmt="{:.3f}")
def _():
    sf = network_sweep()["Schedule-free AdamW"]
    return float(sf["loss_y"][int(np.argmin(sf["loss"]))])


@num("modern_muon_g_spread", fmt="{:.0f}")
def _():
    m = muon_matrix()
    return float(m["g"][0] / m["g"][-1])


@num("modern_muon_o_min", fmt="{:.2f}")
def _():
    return float(muon_matrix()["o"].min())


@num("modern_muon_o_max", fmt="{:.2f}")
def _():
    return float(muon_matrix()["o"].max())


@num("modern_muon_bf16_distance", fmt="{:.1e}")
def _():
    return float(muon_bfloat16()["relative_to_distance"])


@num("modern_muon_bf16_weights", fmt="{:.1e}")
def _():
    return float(muon_bfloat16()["relative_to_weights"])


def _sf_numbers() -> None:
    keys = {"adam": "Adam, constant rate", "cos": "Adam, cosine decay over 400 steps",
            "y": "schedule-free, at y (trained)", "x": "schedule-free, at x (evaluated)"}
    for key, label in keys.items():
        num(f"modern_sf_{key}_end", fmt="{:.4f}")(lambda label=label: schedule_free_runs()[label][-1])


_sf_numbers()


@num("modern_sf_lr", fmt="{:g}")
def _():
    return SF_LR


@num("modern_adafactor_adam_floats")
def _():
    return f"{2 * 4096 * 1024:,}"


@num("modern_adafactor_floats")
def _():
    return f"{4096 + 1024:,}"


# --- figures ------------------------------------------------------------------------------------

@figure("modern-radam-rectification",
        alt="RAdam's rectification factor against the step on a log axis, for beta2 = 0.999 and "
            "0.99: absent for the first steps, then starting near zero and rising toward 1.",
        caption="Read where each curve begins: in the first steps RAdam takes no adaptive step at "
                "all; then the factor starts near zero and climbs toward one, more slowly for "
                r"$\beta_2 = 0.999$ than for 0.99.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    fig, ax = new_figure(width=6.4, height=3.2)
    for i, b2 in enumerate((0.999, 0.99)):
        r = radam_factors(b2)
        ax.plot(np.arange(1, len(r) + 1), r, color=color(i), linestyle=linestyle(i),
                label=f"β₂ = {b2}, first divided step {first_rectified_step(b2)}")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("step t")
    ax.set_ylabel("rectification factor r_t")
    ax.legend(fontsize="small", loc="lower right")
    return fig


def _sweep_axes(ax, rows: dict[str, np.ndarray], ceiling: float) -> None:
    from optdocs.plots.style import color, linestyle

    for i, name in enumerate(NAMES):
        v = np.minimum(rows[name], ceiling)
        ax.plot(LRS, v, color=color(i), linestyle=linestyle(i), marker="o", markersize=3,
                label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate")


@figure("modern-surface-sweep",
        alt="Two panels, Rosenbrock and Beale: the loss after 300 steps against the learning rate "
            "for Adam, RAdam, Lion, schedule-free AdamW, Adafactor and Muon. RAdam's curve shoots "
            "to the ceiling from moderate rates on; Lion and Muon are best at smaller rates than "
            "Adam; Adafactor stays high on Rosenbrock.",
        caption="Each curve is one optimizer's loss after 300 steps, per learning rate: read both how"
                " low its best point is and where along the axis it lies. Lion and Muon do best at "
                "smaller rates than Adam; RAdam blows up from moderate rates on.")
def _():
    from optdocs.plots.style import new_figure

    fig, axes = new_figure(ncols=2, width=9.0, height=3.6)
    for ax, surface in zip(axes, SURFACES, strict=True):
        _sweep_axes(ax, surface_sweep()[surface], ceiling=1e3)
        ax.set_title(f"{surface}, {SURFACE_STEPS} steps (ceiling: diverged)", fontsize="medium")
    axes[0].set_ylabel("final loss")
    axes[1].legend(fontsize="x-small", loc="lower left")
    return fig


@figure("modern-network-sweep",
        alt="The training chapter's network: mean final loss over five seeds after 60 epochs "
            "against the learning rate, one curve per optimizer. Lion's and Muon's curves have "
            "their minimum at smaller rates than Adam's; RAdam's and schedule-free AdamW's "
            "at larger ones.",
        caption="Compare where each curve has its minimum: Lion and Muon want smaller learning rates "
                "than Adam, RAdam and schedule-free AdamW larger ones, so a rate tuned for Adam is no"
                " fair test of the others.")
def _(seeds=NET_SEEDS):
    from optdocs.plots.style import new_figure

    fig, ax = new_figure(width=6.4, height=3.8)
    _sweep_axes(ax, {k: v["loss"] for k, v in network_sweep(seeds).items()}, ceiling=10.0)
    seeds_said = "1 seed" if len(seeds) == 1 else f"{len(seeds)} seeds"
    ax.set_ylabel(f"final training loss ({seeds_said}, {NET_EPOCHS} epochs)")
    ax.legend(fontsize="x-small", loc="upper center", ncols=2)
    return fig


@figure("modern-muon-singular-values",
        alt="Bar chart of the four singular values of an 8 by 4 gradient matrix (10, 1, 0.1 and "
            "0.01, log scale) next to those of Muon's update: all four close to 1.",
        caption="The gradient's singular values span three orders of magnitude; those of Muon's "
                "update all sit close to one. The update keeps the gradient's directions and drops "
                "their sizes.")
def _():
    from optdocs.plots.style import color, new_figure

    m = muon_matrix()
    fig, ax = new_figure(width=6.0, height=3.2)
    x = np.arange(len(m["g"]))
    ax.bar(x - 0.2, m["g"], width=0.38, color=color(0), label="gradient G")
    ax.bar(x + 0.2, m["o"], width=0.38, color=color(1), hatch="//", edgecolor="white",
           linewidth=0.3, label="Muon's update NS₅(G)")
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
    ax.set_yscale("log")
    ax.set_xticks(x, [f"σ{i + 1}" for i in x])
    ax.set_ylabel("singular value")
    ax.legend(fontsize="small")
    return fig


@figure("modern-schedule-free",
        alt="Mean loss over 200 noisy runs on the ravine for 400 steps, log scale: Adam at a "
            "constant rate levels off highest; schedule-free AdamW at its trained point y is "
            "lower, at its averaged point x lower still; Adam with a cosine decay over the 400 "
            "steps ends lowest.",
        caption="Read the curves at the last step: schedule-free AdamW's averaged point $x$ ends "
                "below its trained point $y$ and below Adam at a constant rate, though not as low as "
                "Adam with a cosine decay that knows the run's length.")
def _():
    from optdocs.plots.style import color, linestyle, new_figure

    fig, ax = new_figure(width=6.4, height=3.6)
    for i, (label, curve) in enumerate(schedule_free_runs().items()):
        ax.plot(np.arange(1, SF_STEPS + 1), curve, color=color(i), linestyle=linestyle(i),
                label=label)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(f"mean loss ({SF_RUNS} runs, noise {SF_NOISE:g})")
    ax.legend(fontsize="small")
    return fig
