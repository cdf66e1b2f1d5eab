#!/usr/bin/env python3
"""How much faster is a stack of networks than a loop over them?

    python benchmarks/mlp_bench.py [--runs 100] [--epochs 20] [--rounds 5] [--optimizer adam]

Trains ``runs`` independent 2-8-1 networks of ``optdocs.nn`` on ``circle_data()`` (200 points,
mini-batches of 32, seeds 0..runs-1) two ways, in this process:

* stacked: ``train(MLP(sizes, seed=seeds), opt, X, y, seed=seeds)``, one optimizer stepping all
  runs as one array;
* one by one: ``train(MLP(sizes, seed=s), opt, X, y, seed=s)`` for every seed, a fresh optimizer
  each.

The two are timed alternately, ``rounds`` times, and the best time of each is kept (the machine
is shared; the minimum is the least disturbed measurement). It prints both times and their ratio
(goal: the stack at least 20x faster for 100 networks), the same ratio in CPU time of the process
(which time spent waiting for a busy machine's cores does not inflate), and checks that both ways
give the same histories bit for bit.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optdocs import SGD, Adam  # noqa: E402
from optdocs.nn import MLP, circle_data, train  # noqa: E402

OPTIMIZERS: dict[str, Callable[[], object]] = {
    "adam": lambda: Adam(lr=0.01),
    "momentum": lambda: SGD(lr=0.1, momentum=0.9),
}
SIZES = (2, 8, 1)


def stacked(make: Callable[[], object], runs: int, epochs: int):
    X, y = circle_data()
    seeds = list(range(runs))
    return train(MLP(SIZES, seed=seeds), make(), X, y, epochs=epochs, seed=seeds)


def one_by_one(make: Callable[[], object], runs: int, epochs: int):
    X, y = circle_data()
    return [train(MLP(SIZES, seed=s), make(), X, y, epochs=epochs, seed=s) for s in range(runs)]


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall time and CPU time of this process for one call of ``fn``, in seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(make: Callable[[], object], runs: int, epochs: int, rounds: int) -> dict[str, float]:
    """Best-of-``rounds`` wall and CPU seconds of each way, timed alternately, and the ratios."""
    best = {k: float("inf") for k in ("stacked", "loop", "stacked_cpu", "loop_cpu")}
    for _ in range(rounds):
        for name, fn in (("stacked", stacked), ("loop", one_by_one)):
            wall, cpu = timed(lambda fn=fn: fn(make, runs, epochs))
            best[name] = min(best[name], wall)
            best[f"{name}_cpu"] = min(best[f"{name}_cpu"], cpu)
    return {**best, "ratio": best["loop"] / best["stacked"],
            "ratio_cpu": best["loop_cpu"] / best["stacked_cpu"]}


def identical(make: Callable[[], object], runs: int, epochs: int) -> bool:
    """Whether run r of the stack has the history network r trained alone has, bit for bit."""
    stack = stacked(make, runs, epochs)
    return all(stack.run(r) == h for r, h in enumerate(one_by_one(make, runs, epochs)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    args = parser.parse_args(argv)
    make = OPTIMIZERS[args.optimizer]
    steps = args.epochs * int(np.ceil(200 / 32))
    print(f"mlp bench: Python {platform.python_version()}, NumPy {np.__version__}; "
          f"{args.runs} networks {SIZES}, {args.epochs} epochs ({steps} steps) of "
          f"{make()!r}, best of {args.rounds} alternating rounds")
    r = measure(make, args.runs, args.epochs, args.rounds)
    print(f"stacked:    {r['stacked']:.3f} s  ({r['stacked'] / args.runs * 1e3:.2f} ms per network)")
    print(f"one by one: {r['loop']:.3f} s  ({r['loop'] / args.runs * 1e3:.2f} ms per network)")
    print(f"speed-up:   {r['ratio']:.1f}x wall time (goal >= 20x); {r['ratio_cpu']:.1f}x in CPU time "
          f"({r['stacked_cpu']:.3f} s against {r['loop_cpu']:.3f} s), less sensitive to a busy machine")
    print(f"identical:  {'yes' if identical(make, args.runs, args.epochs) else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
