"""How fast are the optimizers? ``python -m optdocs.bench [--quick]``.

Every comparison runs its candidates in one process, alternating (A, B, A, B, ...), and keeps the
best of several rounds, so a shared, noisy machine slows each candidate about equally; the figures
are ratios against a reference measured in the same rounds. Times are the process's CPU time
(``time.process_time``; everything runs on one thread), which other programs on a busy machine
disturb far less than wall time; under Pyodide, wall time.

1. **Double well, many runs at once**: SGD with momentum and Adam on ``runs`` runs x ``steps``
   steps (gradient ``s (x - a) x (x - c)`` plus pre-drawn noise, identical in every row):
   optdocs' ``step`` against the same rule written inline as bare NumPy, and against
   ``torch.optim`` (CPU, float64, one thread) when torch is importable.
2. **One big parameter**: ``step`` against the bare rule on 1M parameters (SGD with momentum,
   Adam).
3. **A 10-layer network**: LARS and LAMB on ten weight matrices and biases against their bare rules.
4. **Fixed cost of a step**: a 500-step Adam run on a 2-element array (what an interactive figure
   pays), against the bare rule, and the same run through ``simulate`` on the ravine; and SGD
   with momentum against its bare rule. There optdocs computes in Python floats
   (``optimizers/_tiny.py``), which is why it can beat the bare NumPy loop.
5. **Vectorised against one run at a time**: ``simulate`` with all runs stacked against a Python
   loop over runs.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from optdocs.landscapes import double_well, ravine
from optdocs.optimizers import LAMB, LARS, SGD, Adam
from optdocs.simulate import simulate

#: CPU time of this process; under Pyodide, which has no process clock (it reads 0), wall time.
CLOCK = time.perf_counter if sys.platform == "emscripten" else time.process_time

LR_SGD, MOMENTUM, LR_ADAM, B1, B2, EPS = 0.1, 0.9, 0.1, 0.9, 0.999, 1e-8


def alternating_best(candidates: dict[str, Callable[[], object]],
                     rounds: int) -> dict[str, float]:
    """Best CPU time of each candidate over ``rounds`` rounds, the candidates alternating."""
    best = dict.fromkeys(candidates, math.inf)
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = CLOCK()
            fn()
            best[name] = min(best[name], CLOCK() - start)
    return best


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Shortest CPU time of ``repeat`` calls of ``fn``, in seconds."""
    return alternating_best({"fn": fn}, repeat)["fn"]


def import_torch():
    """``torch`` set to one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


# ---- 1. the double well, many runs at once ---------------------------------------------------

def _well_grad(x: np.ndarray) -> np.ndarray:
    """The double well's gradient 0.5 (x + 1) x (x - 1.5), written as products."""
    return 0.5 * (x + 1.0) * x * (x - 1.5)


def _well_start(runs: int) -> np.ndarray:
    return np.full((runs, 1), float(double_well.start[0]))


def well_optdocs(opt, z: np.ndarray) -> np.ndarray:
    x = _well_start(z.shape[1])
    for zt in z:
        g = _well_grad(x)
        g += zt
        opt.step(x, g)
    return x


def well_bare_sgd(z: np.ndarray) -> np.ndarray:
    x = _well_start(z.shape[1])
    b = None
    for zt in z:
        g = _well_grad(x)
        g += zt
        if b is None:
            b = g.copy()
        else:
            b *= MOMENTUM
            b += g
        x -= LR_SGD * b
    return x


def well_bare_adam(z: np.ndarray) -> np.ndarray:
    x = _well_start(z.shape[1])
    m, v = np.zeros_like(x), np.zeros_like(x)
    for t, zt in enumerate(z, start=1):
        g = _well_grad(x)
        g += zt
        m += (1 - B1) * (g - m)
        v *= B2
        v += (1 - B2) * g * g
        x -= LR_ADAM / (1 - B1**t) * m / (np.sqrt(v) / (1 - B2**t) ** 0.5 + EPS)
    return x


def well_torch(torch, make_opt: Callable, z: np.ndarray) -> np.ndarray:
    x = _well_start(z.shape[1])
    p = torch.from_numpy(x).requires_grad_()          # shares x's memory
    opt = make_opt([p])
    for zt in z:
        g = _well_grad(x)
        g += zt
        p.grad = torch.from_numpy(g)
        opt.step()
    return x


def double_well_rows(runs: int, steps: int, rounds: int, torch) -> list[tuple[str, dict]]:
    """``(optimizer, {row: seconds, ...})`` for SGD with momentum and Adam; checks agreement."""
    z = np.random.default_rng(0).standard_normal((steps, runs, 1)) * double_well.noise
    specs = [
        ("SGD momentum", lambda: SGD(lr=LR_SGD, momentum=MOMENTUM), well_bare_sgd,
         lambda ps: torch.optim.SGD(ps, lr=LR_SGD, momentum=MOMENTUM)),
        ("Adam", lambda: Adam(lr=LR_ADAM, betas=(B1, B2), eps=EPS), well_bare_adam,
         lambda ps: torch.optim.Adam(ps, lr=LR_ADAM, betas=(B1, B2), eps=EPS)),
    ]
    out = []
    with np.errstate(all="ignore"):
        for name, make, bare, make_torch in specs:
            if not np.array_equal(well_optdocs(make(), z), bare(z), equal_nan=True):
                raise AssertionError(f"{name}: optdocs and the bare rule disagree")
            cands = {"optdocs": lambda m=make: well_optdocs(m(), z), "bare": lambda b=bare: b(z)}
            if torch is not None:
                # torch rounds differently (fused multiply-adds); noisy runs near the barrier
                # amplify that over many steps, so the rules are compared over the first 50
                short = z[:50]
                ours, theirs = well_optdocs(make(), short), well_torch(torch, make_torch, short)
                if not np.allclose(ours, theirs, rtol=1e-9, atol=1e-12):
                    raise AssertionError(f"{name}: optdocs and torch.optim disagree")
                cands["torch"] = lambda m=make_torch: well_torch(torch, m, z)
            out.append((name, alternating_best(cands, rounds)))
    return out


# ---- 2. one big parameter --------------------------------------------------------------------

def big_rows(n: int, steps: int, rounds: int) -> list[tuple[str, dict]]:
    """``step`` against the bare rule on ``n`` parameters, for SGD momentum and Adam."""
    rng = np.random.default_rng(1)
    p0, g = rng.standard_normal(n), rng.standard_normal(n)

    def ours(make) -> Callable[[], None]:
        def run() -> None:
            p, opt = p0.copy(), make()
            for _ in range(steps):
                opt.step(p, g)
        return run

    def bare_sgd() -> None:
        p, b = p0.copy(), g.copy()
        p -= LR_SGD * b
        for _ in range(steps - 1):
            b *= MOMENTUM
            b += g
            p -= LR_SGD * b

    def bare_adam() -> None:
        p, m, v = p0.copy(), np.zeros(n), np.zeros(n)
        for t in range(1, steps + 1):
            m += (1 - B1) * (g - m)
            v *= B2
            v += (1 - B2) * g * g
            p -= LR_ADAM / (1 - B1**t) * m / (np.sqrt(v) / (1 - B2**t) ** 0.5 + EPS)

    return [
        ("SGD momentum", alternating_best(
            {"optdocs": ours(lambda: SGD(lr=LR_SGD, momentum=MOMENTUM)), "bare": bare_sgd},
            rounds)),
        ("Adam", alternating_best({"optdocs": ours(lambda: Adam(lr=LR_ADAM)), "bare": bare_adam},
                                  rounds)),
    ]


# ---- 3. LARS and LAMB on a 10-layer network -------------------------------------------------

def network(width: int, layers: int = 10) -> tuple[dict, dict]:
    """Ten ``width x width`` weight matrices and biases, and fixed gradients for them."""
    rng = np.random.default_rng(2)
    params, grads = {}, {}
    for i in range(layers):
        params[f"W{i}"] = rng.standard_normal((width, width)) / math.sqrt(width)
        params[f"b{i}"] = np.full(width, 0.1)
        grads[f"W{i}"] = rng.standard_normal((width, width)) * 0.01
        grads[f"b{i}"] = rng.standard_normal(width) * 0.01
    return params, grads


def bare_lars(params: dict, grads: dict, steps: int, lr: float = 0.1, momentum: float = 0.9,
              eta: float = 1e-3, eps: float = 1e-8) -> None:
    bufs = {k: np.zeros_like(p) for k, p in params.items()}
    for _ in range(steps):
        for k, p in params.items():
            g = grads[k]
            w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
            trust = eta * w_norm / (g_norm + eps) if w_norm > 0 and g_norm > 0 else 1.0
            v = bufs[k]
            v *= momentum
            v += lr * trust * g
            p -= v


def bare_lamb(params: dict, grads: dict, steps: int, lr: float = 0.01, eps: float = 1e-6) -> None:
    ms = {k: np.zeros_like(p) for k, p in params.items()}
    vs = {k: np.zeros_like(p) for k, p in params.items()}
    for t in range(1, steps + 1):
        for k, p in params.items():
            g, m, v = grads[k], ms[k], vs[k]
            m *= B1
            m += (1 - B1) * g
            v *= B2
            v += (1 - B2) * g * g
            u = (m / (1 - B1**t)) / (np.sqrt(v / (1 - B2**t)) + eps)
            w_norm, u_norm = np.linalg.norm(p), np.linalg.norm(u)
            trust = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
            u *= lr * trust
            p -= u


def network_rows(width: int, steps: int, rounds: int) -> list[tuple[str, dict]]:
    params0, grads = network(width)

    def fresh() -> dict:
        return {k: p.copy() for k, p in params0.items()}

    def ours(make) -> Callable[[], None]:
        def run() -> None:
            params, opt = fresh(), make()
            for _ in range(steps):
                opt.step(params, grads)
        return run

    return [
        ("LARS", alternating_best({"optdocs": ours(lambda: LARS(lr=0.1)),
                                   "bare": lambda: bare_lars(fresh(), grads, steps)}, rounds)),
        ("LAMB", alternating_best({"optdocs": ours(lambda: LAMB(lr=0.01)),
                                   "bare": lambda: bare_lamb(fresh(), grads, steps)}, rounds)),
    ]


# ---- 4. the fixed cost of a step -------------------------------------------------------------

def tiny_rows(steps: int, rounds: int) -> dict[str, float]:
    """A ``steps``-step Adam run on 2 parameters: ``step``, the bare rule, and ``simulate``."""
    g = np.array([0.3, -1.2])

    def ours() -> None:
        x, opt = np.array([1.0, -2.0]), Adam(lr=LR_ADAM)
        for _ in range(steps):
            opt.step(x, g)

    def bare() -> None:
        x, m, v = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
        for t in range(1, steps + 1):
            m += (1 - B1) * (g - m)
            v *= B2
            v += (1 - B2) * g * g
            x -= LR_ADAM / (1 - B1**t) * m / (np.sqrt(v) / (1 - B2**t) ** 0.5 + EPS)

    def through_simulate() -> None:
        simulate(ravine, Adam(lr=LR_ADAM), steps=steps)

    return alternating_best({"optdocs": ours, "bare": bare, "simulate": through_simulate},
                            rounds)


def tiny_sgd_rows(steps: int, rounds: int) -> dict[str, float]:
    """The same for SGD with momentum: ``step`` against the bare rule."""
    g = np.array([0.3, -1.2])

    def ours() -> None:
        x, opt = np.array([1.0, -2.0]), SGD(lr=LR_SGD, momentum=MOMENTUM)
        for _ in range(steps):
            opt.step(x, g)

    def bare() -> None:
        x, b = np.array([1.0, -2.0]), g.copy()
        x -= LR_SGD * b
        for _ in range(steps - 1):
            b *= MOMENTUM
            b += g
            x -= LR_SGD * b

    return alternating_best({"optdocs": ours, "bare": bare}, rounds)


# ---- 5. vectorised against one run at a time --------------------------------------------------

def vectorised_rows(runs: int, steps: int, loop_runs: int, rounds: int) -> dict[str, float]:
    noise = double_well.noise

    def vectorised() -> None:
        simulate(double_well, Adam(lr=0.1), steps=steps, runs=runs, noise=noise)

    def one_at_a_time() -> None:
        for i in range(loop_runs):
            simulate(double_well, Adam(lr=0.1), steps=steps, runs=1, noise=noise, seed=i)

    best = alternating_best({"vectorised": vectorised, "loop": one_at_a_time}, rounds)
    best["loop"] *= runs / loop_runs
    return best


def run(runs: int = 1000, steps: int = 1000, loop_runs: int = 50,
        repeat: int = 3) -> dict[str, float]:
    """Section 5 and the ``simulate`` row of section 4, in seconds (and their ratio)."""
    vec = vectorised_rows(runs, steps, loop_runs, repeat)
    return {"vectorised": vec["vectorised"], "loop": vec["loop"],
            "ratio": vec["loop"] / vec["vectorised"],
            "single_2d": tiny_rows(500, max(repeat, 5))["simulate"]}


def _ratios(best: dict[str, float], ref: str = "bare") -> str:
    """``name t ms (ratio to ref)`` for each candidate; no ratio when ``ref`` took no time."""
    return ", ".join(f"{k} {v * 1e3:.1f} ms"
                     + ("" if k == ref or best[ref] <= 0 else f" ({v / best[ref]:.2f}x)")
                     for k, v in best.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optdocs.bench",
                                     description="Time optdocs against bare NumPy and torch.optim.")
    parser.add_argument("--quick", action="store_true", help="small sizes, two rounds")
    parser.add_argument("--only", type=int, nargs="+", choices=range(1, 6), metavar="N",
                        default=range(1, 6), help="run only these sections (1-5)")
    args = parser.parse_args(argv)
    only = set(args.only)
    if args.quick:
        runs, steps, rounds, big, width, loop_runs = 100, 100, 2, 10_000, 32, 10
    else:
        runs, steps, rounds, big, width, loop_runs = 1000, 1000, 7, 1_000_000, 128, 50
    torch = import_torch()

    print(f"optdocs bench: Python {platform.python_version()}, NumPy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}; {CLOCK.__name__}, best of "
          f"{rounds} alternating rounds; ratios against the bare NumPy rule")
    if 1 in only:
        print(f"1. double well, {runs} runs x {steps} steps:")
        for name, best in double_well_rows(runs, steps, rounds, torch):
            line = f"   {name:13s} {_ratios(best)}"
            if "torch" in best:
                line += f"; optdocs / torch = {best['optdocs'] / max(best['torch'], 1e-12):.2f}x"
            print(line)
        if torch is None:
            print("   torch row skipped: torch is not importable here")
    if 2 in only:
        print(f"2. one parameter of {big:,} elements, 20 steps:")
        for name, best in big_rows(big, 20, rounds):
            print(f"   {name:13s} {_ratios(best)}")
    if 3 in only:
        print(f"3. 10-layer network ({width}x{width} weights and biases), 20 steps:")
        for name, best in network_rows(width, 20, min(rounds, 5)):
            print(f"   {name:13s} {_ratios(best)}")
    if 4 in only:
        print("4. fixed cost of a step: 500 steps on 2 parameters (an interactive figure's run):")
        print(f"   {'Adam':13s} {_ratios(tiny_rows(500, max(rounds, 5)))}")
        print(f"   {'SGD momentum':13s} {_ratios(tiny_sgd_rows(500, max(rounds, 5)))}")
    if 5 in only:
        vec = vectorised_rows(runs, steps, loop_runs, min(rounds, 3))
        print(f"5. simulate, {runs} runs x {steps} steps of Adam(lr=0.1) on double_well:")
        print(f"   vectorised:   {vec['vectorised']:.3f} s")
        print(f"   python loop:  the same, one run at a time: {vec['loop']:.3f} s "
              f"(timed on {loop_runs} runs, scaled x{runs / loop_runs:g})")
        print(f"   speed-up:     {vec['loop'] / vec['vectorised']:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
