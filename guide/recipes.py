"""Recipes of the optimizers lesson, measured where optdocs can measure them.

Two sections of the guide use this module: "The optimizers lesson's recipes" in
docs/choosing.md (Adam with beta1 = 0.5 for GANs; AdamW at 3e-4 when unsure, 1e-4 for
transformers) and "How long a warmup" in docs/schedules.md (the lesson's "warm up over the
first 1-10% of training").

- beta1 = 0.5: how many steps Adam's update takes to turn round when the gradient turns, and a
  two-player bilinear game (x minimises x*y, y maximises it), the simplest model of the rotation
  a GAN's two networks produce in each other's gradients.
- 3e-4 and 1e-4: the circle network of docs/training.md, trained by AdamW at those rates; how far
  its weights get in the chapter's 700 steps against how far they move in runs that learn.
- The warmup fraction: Adam with linear warmup and cosine decay on the same network, the
  fraction swept from 0 to 50% of the 700 steps, 20 seeds per setting.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.claims import claim
from guide.registry import checks, figure, number
from guide.schedules import collapsed
from guide.training import EPOCHS, SEEDS, Runs, reached, sweep, train_groups
from optdocs import Adam, AdamW
from optdocs.nn import MLP, circle_data
from optdocs.schedules import warmup_cosine

# --- beta1 = 0.5: how fast the update turns ----------------------------------------------------

GAN_LR = 2e-4                 # DCGAN's rate
BETA1S = (0.9, 0.5)
FLIP_AT = 100                 # the gradient is +1 for this many steps, then -1


def flip_updates(beta1: float, lr: float = GAN_LR, steps: int = 2 * FLIP_AT) -> np.ndarray:
    """Adam's update (the decrease of the weight) at each step, in units of lr, when the
    gradient is +1 for FLIP_AT steps and then -1."""
    opt, w, out = Adam(lr=lr, betas=(beta1, 0.999)), np.zeros(1), []
    for t in range(steps):
        before = float(w[0])
        opt.step(w, np.array([1.0 if t < FLIP_AT else -1.0]))
        out.append((before - float(w[0])) / lr)
    return np.array(out)


def steps_to_turn(beta1: float) -> int:
    """Steps after the flip until the update points the new way (counting the flip's step)."""
    after = flip_updates(beta1)[FLIP_AT:]
    return int(np.argmax(after < 0)) + 1


# --- a two-player game: x minimises x*y, y maximises it ------------------------------------------

GAME_LR, GAME_STEPS, GAME_START = 0.01, 3000, (1.0, 1.0)
GAME_BETA1S = (0.9, 0.5, 0.0)


@cache
def game_path(beta1: float) -> np.ndarray:
    """(x, y) after every step of simultaneous Adam steps on f(x, y) = x*y, shape (steps+1, 2)."""
    ox = Adam(lr=GAME_LR, betas=(beta1, 0.999))
    oy = Adam(lr=GAME_LR, betas=(beta1, 0.999))
    x, y = np.array([GAME_START[0]]), np.array([GAME_START[1]])
    path = [(x[0], y[0])]
    for _ in range(GAME_STEPS):
        gx, gy = y.copy(), -x.copy()     # df/dx = y (x descends); y ascends: it descends -f
        ox.step(x, gx)
        oy.step(y, gy)
        path.append((x[0], y[0]))
    return np.array(path)


def game_turns(beta1: float) -> float:
    """How many times the pair (x, y) went round the equilibrium."""
    p = game_path(beta1)
    angle = np.unwrap(np.arctan2(p[:, 1], p[:, 0]))
    return float(abs(angle[-1] - angle[0]) / (2 * np.pi))


def game_distance(beta1: float) -> float:
    """Distance from the equilibrium (0, 0) after GAME_STEPS steps."""
    return float(np.hypot(*game_path(beta1)[-1]))


# --- AdamW at 3e-4 and 1e-4 on the circle network -------------------------------------------------

SMALL_LRS = (3e-4, 1e-4)
LONG_EPOCHS = 1000
STEPS_PER_EPOCH = 7           # 200 points in mini-batches of 32
LEARNING_LR = 0.01            # an Adam rate of the training sweep at which every seed learns
LR_TAGS = {3e-4: "3e4", 1e-4: "1e4"}


def largest_move(runs: Runs) -> np.ndarray:
    """Per run, the largest change of any single weight from its initial value."""
    init = MLP((2, 8, 1), seed=list(SEEDS)).params
    moves = [np.abs(runs.params[k] - init[k]).reshape(len(SEEDS), -1) for k in init]
    return np.concatenate(moves, axis=1).max(axis=1)


@cache
def small_lr_runs() -> dict[tuple[float, int], Runs]:
    """AdamW(lr, weight_decay=0.01) over the chapter's 100 epochs and over LONG_EPOCHS."""
    out = {}
    for epochs in (EPOCHS, LONG_EPOCHS):
        groups = [((lambda lr=lr: AdamW(lr=lr, weight_decay=0.01)), SEEDS) for lr in SMALL_LRS]
        out.update({(lr, epochs): r for lr, r in
                    zip(SMALL_LRS, train_groups(groups, epochs=epochs), strict=True)})
    return out


# --- the warmup fraction ----------------------------------------------------------------------

FRACTIONS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
WARMUP_PEAKS = (1.0, 0.3)
WARMUP_SEEDS = tuple(range(20))
TOTAL = EPOCHS * STEPS_PER_EPOCH


def fraction_runs(seeds: tuple[int, ...] = WARMUP_SEEDS) -> dict[tuple[float, float], Runs]:
    """Adam with warmup over round(fraction * 700) steps, then cosine to 0 at step 700."""
    return _fraction_runs(tuple(seeds))


@cache
def _fraction_runs(seeds: tuple[int, ...]) -> dict[tuple[float, float], Runs]:
    keys = [(peak, f) for peak in WARMUP_PEAKS for f in FRACTIONS]
    groups = [((lambda p=peak, f=f: Adam(lr=warmup_cosine(p, round(f * TOTAL), TOTAL))),
               seeds) for peak, f in keys]
    return dict(zip(keys, train_groups(groups), strict=True))


def median_epochs_to_90(runs: Runs) -> float:
    e = runs.epochs_to()
    return float(np.nanmedian(e)) if np.isfinite(e).any() else float("nan")


def loss_sd(runs: Runs) -> float:
    return float(np.std(runs.final_loss, ddof=1))


# --- the page's sentences ---------------------------------------------------------------------

@checks
@cache
def claims() -> None:
    turn = {b: steps_to_turn(b) for b in BETA1S}
    claim(turn[0.5] < turn[0.9], "with beta1 = 0.5 the update turns round sooner than with 0.9",
          steps_0p5=turn[0.5], steps_0p9=turn[0.9])
    start = float(np.hypot(*GAME_START))
    d = {b: game_distance(b) for b in GAME_BETA1S}
    claim(d[0.9] > start, "with beta1 = 0.9 the two players spiral away from the equilibrium",
          start=start, end=d[0.9])
    claim(min(game_turns(b) for b in GAME_BETA1S) >= 3,
          "the steps of the game make several turns around the equilibrium",
          **{f"turns_{b}": game_turns(b) for b in GAME_BETA1S})
    claim(d[0.5] < d[0.9] and d[0.0] < d[0.5],
          "less momentum ends closer to the equilibrium: 0.9, then 0.5, then 0", **{
              f"beta1_{b}": v for b, v in d.items()})

    runs = small_lr_runs()
    majority = 1 - float(circle_data()[1].mean())     # accuracy of always answering 0
    learn_move = largest_move(sweep()[("Adam", LEARNING_LR)])
    claim(reached(sweep()[("Adam", LEARNING_LR)]) == len(SEEDS),
          "every seed learns with Adam at the reference rate", lr=LEARNING_LR)
    for lr in SMALL_LRS:
        r = runs[(lr, EPOCHS)]
        claim(reached(r) == 0, "no run reaches 90% in 100 epochs", lr=lr, reached=reached(r))
        claim(float(np.mean(r.final_accuracy)) < majority + 0.01,
              "after 100 epochs the runs are no better than always answering 0", lr=lr,
              accuracy=float(np.mean(r.final_accuracy)), majority=majority)
        claim(largest_move(r).max() < learn_move.min(),
              "no weight moves as far as the weights of every run that learns",
              lr=lr, moved=largest_move(r).max(), learning_min=learn_move.min())
        claim(0.5 * lr * TOTAL < largest_move(r).max() < 1.5 * lr * TOTAL,
              "the farthest any weight moves in 700 steps is about lr times 700",
              lr=lr, moved=largest_move(r).max(), lr_times_steps=lr * TOTAL)
    long3, long1 = runs[(3e-4, LONG_EPOCHS)], runs[(1e-4, LONG_EPOCHS)]
    claim(0 < reached(long3) < len(SEEDS) and reached(long1) == 0,
          "in ten times as many epochs some runs at 3e-4 reach 90%, none at 1e-4",
          reached_3e4=reached(long3), reached_1e4=reached(long1))


@checks
@cache
def warmup_claims() -> None:
    r = fraction_runs()
    big, safe = WARMUP_PEAKS
    claim(reached(r[(big, 0.0)]) < len(WARMUP_SEEDS),
          "without warmup some runs at the large peak never reach 90%",
          reached=reached(r[(big, 0.0)]))
    for f in FRACTIONS[1:]:
        claim(reached(r[(big, f)]) == len(WARMUP_SEEDS),
              "with any warmup fraction of 1% or more every run reaches 90%", fraction=f,
              reached=reached(r[(big, f)]))
    for f in FRACTIONS:
        claim(reached(r[(safe, f)]) == len(WARMUP_SEEDS),
              "at the safe peak every fraction, none included, brings every run to 90%",
              fraction=f, reached=reached(r[(safe, f)]))
    means = [float(np.mean(r[(big, f)].final_loss)) for f in FRACTIONS[1:]]
    sds = [loss_sd(r[(big, f)]) for f in FRACTIONS[1:]]
    claim(max(means) - min(means) < float(np.median(sds)),
          "from 1% to 50% the mean final losses differ by less than their typical seed-to-seed "
          "sd", spread=max(means) - min(means), median_sd=float(np.median(sds)))
    claim(collapsed(r[(big, FRACTIONS[-1])]) > 0,
          "with the longest warmup some runs still end at the all-zeros answer",
          collapsed=collapsed(r[(big, FRACTIONS[-1])]))
    e = [median_epochs_to_90(r[(safe, f)]) for f in FRACTIONS]
    claim(e[-1] > e[0], "at the safe peak a long warmup delays reaching 90%",
          none=e[0], longest=e[-1])


# --- numbers ----------------------------------------------------------------------------------

def _tag(x: float) -> str:
    return f"{x:g}".replace(".", "p").replace("-", "m")


def _register() -> None:
    for b in BETA1S:
        number(f"recipe_memory_{_tag(b)}", fmt="{:.0f}")(lambda b=b: 1 / (1 - b))
        number(f"recipe_turn_{_tag(b)}")(lambda b=b: steps_to_turn(b))
        number(f"recipe_first_after_flip_{_tag(b)}", fmt="{:.2f}")(
            lambda b=b: float(flip_updates(b)[FLIP_AT]))
    for b in GAME_BETA1S:
        number(f"recipe_game_{_tag(b)}", fmt="{:.2f}")(lambda b=b: game_distance(b))
    for lr in SMALL_LRS:
        t = LR_TAGS[lr]
        number(f"recipe_adamw_{t}_acc", fmt="{:.1%}")(
            lambda lr=lr: float(np.mean(small_lr_runs()[(lr, EPOCHS)].final_accuracy)))
        number(f"recipe_adamw_{t}_moved", fmt="{:.2f}")(
            lambda lr=lr: float(largest_move(small_lr_runs()[(lr, EPOCHS)]).max()))
        number(f"recipe_adamw_{t}_bound", fmt="{:.2f}")(lambda lr=lr: lr * TOTAL)
        number(f"recipe_adamw_{t}_long_reached")(
            lambda lr=lr: reached(small_lr_runs()[(lr, LONG_EPOCHS)]))
    for peak in WARMUP_PEAKS:
        for f in FRACTIONS:
            key, t = (peak, f), f"{_tag(peak)}_{round(100 * f)}"
            number(f"warmfrac_{t}_steps")(lambda f=f: round(f * TOTAL))
            number(f"warmfrac_{t}_reached")(lambda key=key: reached(fraction_runs()[key]))
            number(f"warmfrac_{t}_collapsed")(lambda key=key: collapsed(fraction_runs()[key]))
            number(f"warmfrac_{t}_epochs", fmt="{:.1f}")(
                lambda key=key: median_epochs_to_90(fraction_runs()[key]))
            number(f"warmfrac_{t}_loss", fmt="{:.3f}")(
                lambda key=key: float(np.mean(fraction_runs()[key].final_loss)))


_register()


@number("recipe_flip_at")
def _():
    return FLIP_AT


@number("recipe_game_start", fmt="{:.2f}")
def _():
    return float(np.hypot(*GAME_START))


@number("recipe_game_steps")
def _():
    return GAME_STEPS


@number("recipe_learning_moved_min", fmt="{:.1f}")
def _():
    return float(largest_move(sweep()[("Adam", LEARNING_LR)]).min())


@number("recipe_adamw_3e4_long_median")
def _():
    return int(median_epochs_to_90(small_lr_runs()[(3e-4, LONG_EPOCHS)]))


@number("recipe_long_epochs")
def _():
    return LONG_EPOCHS


@number("warmfrac_seeds")
def _():
    return len(WARMUP_SEEDS)


@number("recipe_bert_warmup_pct", fmt="{:.0%}")
def _():
    return 10_000 / 1_000_000      # BERT: 10,000 warmup steps of 1,000,000 (Devlin et al., 2019)


@number("recipe_transformer_warmup_pct", fmt="{:.0%}")
def _():
    return 4_000 / 100_000         # the base Transformer: 4,000 of 100,000 (Vaswani et al., 2017)


# --- figures ----------------------------------------------------------------------------------

@figure("recipes-beta1",
        alt="Left: Adam's update, in units of the learning rate, around a step where the gradient "
            "flips from +1 to -1; with beta1 = 0.9 it takes several steps to change sign, with "
            "beta1 = 0.5 two. Right: the paths of two players of the game x*y under simultaneous "
            "Adam steps: with beta1 = 0.9 the path spirals outwards, with 0.5 and 0 it stays "
            "near its starting circle or moves inwards.",
        caption="Left: count the steps after the dashed line until each curve crosses zero; the "
                "smaller beta1 turns sooner. Right: follow each path from the black dot; the "
                "larger beta1 drifts away from the centre, the smaller ones do not.")
def _():
    from optdocs.plots import new_figure, style_context

    fig, (left, right) = new_figure(ncols=2, width=9.0, height=3.8)
    steps = np.arange(1, 2 * FLIP_AT + 1)
    window = slice(FLIP_AT - 5, FLIP_AT + 15)
    with style_context():
        for b in BETA1S:
            left.plot(steps[window], flip_updates(b)[window], marker="o", ms=3,
                      label=f"beta1 = {b:g}")
        left.axhline(0.0, color="0.5", lw=0.8)
        left.axvline(FLIP_AT + 0.5, color="0.5", lw=0.8, ls="--")
        left.set(xlabel="step (the gradient flips after step 100)",
                 ylabel="update / lr", title="Adam's update after a flip")
        left.legend()
        for b in GAME_BETA1S:
            p = game_path(b)
            right.plot(p[:, 0], p[:, 1], lw=0.8, label=f"beta1 = {b:g}")
        right.plot(*GAME_START, "ko", ms=4)
        right.plot(0, 0, "k+", ms=8)
        right.set(xlabel="x (minimises x*y)", ylabel="y (maximises x*y)",
                  title=f"the game x*y, {GAME_STEPS} steps, lr {GAME_LR:g}", aspect="equal")
        right.legend(loc="lower left", fontsize="small")
    return fig


@figure("schedules-warmup-fraction",
        alt="Two panels against the warmup's share of the 700 steps, from 0 to 50%: the number "
            "of 20 runs that reach 90% accuracy, and the mean final loss, for Adam with peak "
            "rates 1.0 and 0.3. At 1.0 without warmup some runs never reach 90%; with any warmup "
            "all do. At 0.3 every setting brings every run there.",
        caption="Left: look at the first point of each line, no warmup; only the higher peak rate "
                "loses runs there. Right: beyond the first point the mean final losses move "
                "less than their seed-to-seed spread.",
        page_kwargs={"seeds": (0, 1, 2, 3, 4)})
def _(seeds=WARMUP_SEEDS):
    from optdocs.plots import new_figure, style_context

    r = fraction_runs(seeds)
    fig, (left, right) = new_figure(ncols=2, width=9.0, height=3.6)
    x = np.arange(len(FRACTIONS))
    labels = [f"{f:.0%}" for f in FRACTIONS]
    with style_context():
        for peak in WARMUP_PEAKS:
            left.plot(x, [reached(r[(peak, f)]) for f in FRACTIONS], marker="o",
                      label=f"peak {peak:g}")
            right.plot(x, [np.mean(r[(peak, f)].final_loss) for f in FRACTIONS], marker="o",
                       label=f"peak {peak:g}")
        left.set(ylabel=f"runs reaching 90% (of {len(seeds)})", ylim=(0, len(seeds) + 1))
        right.set(ylabel="mean final loss")
        for ax in (left, right):
            ax.set_xticks(x, labels)
            ax.set_xlabel("warmup, share of the 700 steps")
            ax.legend()
    return fig
