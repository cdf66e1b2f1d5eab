"""How fast is a vectorised simulation? ``python -m optdocs.bench [--quick]``.

Times, with ``time.perf_counter`` and the best of a few repetitions:

1. ``runs`` noisy runs of Adam (lr 0.1) on the double well, all at once (one array of runs);
2. the same work one run at a time (timed on ``loop_runs`` runs and scaled linearly);
3. their ratio;
4. one 500-step Adam run on a 2D landscape (the ravine), the size of an interactive demo.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable, Sequence

import numpy as np

from optdocs.landscapes import double_well, ravine
from optdocs.optimizers import Adam
from optdocs.simulate import simulate


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Shortest wall time of ``repeat`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(runs: int = 1000, steps: int = 1000, loop_runs: int = 50,
        repeat: int = 3) -> dict[str, float]:
    """Measure the four figures; returns them in seconds (and the ratio)."""
    noise = double_well.noise

    def vectorised() -> None:
        simulate(double_well, Adam(lr=0.1), steps=steps, runs=runs, noise=noise)

    def one_at_a_time() -> None:
        for i in range(loop_runs):
            simulate(double_well, Adam(lr=0.1), steps=steps, runs=1, noise=noise, seed=i)

    def single_2d() -> None:
        simulate(ravine, Adam(lr=0.1), steps=500)

    t_vec = best_time(vectorised, repeat)
    t_loop = best_time(one_at_a_time, repeat) * runs / loop_runs
    return {"vectorised": t_vec, "loop": t_loop, "ratio": t_loop / t_vec,
            "single_2d": best_time(single_2d, max(repeat, 5))}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optdocs.bench",
                                     description="Time vectorised against one-run-at-a-time.")
    parser.add_argument("--quick", action="store_true",
                        help="100 runs x 100 steps instead of 1000 x 1000")
    args = parser.parse_args(argv)
    runs, steps, loop_runs, repeat = (100, 100, 10, 2) if args.quick else (1000, 1000, 50, 3)

    r = run(runs, steps, loop_runs, repeat)
    print(f"optdocs bench: Python {platform.python_version()}, NumPy {np.__version__}, "
          f"best of {repeat} repetitions")
    print(f"vectorised:   {runs} runs x {steps} steps of Adam(lr=0.1) on double_well, "
          f"noise {double_well.noise}: {r['vectorised']:.3f} s")
    print(f"python loop:  the same, one run at a time: {r['loop']:.3f} s "
          f"(timed on {loop_runs} runs, scaled x{runs / loop_runs:g})")
    print(f"speed-up:     {r['ratio']:.0f}x")
    print(f"single run:   500 steps of Adam(lr=0.1) on ravine (2D): "
          f"{r['single_2d'] * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
