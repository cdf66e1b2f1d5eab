"""Demos computed in chunks, so the page's Python worker can answer other calls in between.

A chunked demo is a generator function that yields (nothing) between chunks of work and returns
its result. The public function runs every chunk at once (``run_chunks``) and carries the generator
function as its ``chunks`` attribute (``with_chunks``): the runner in the
page (docs/assets/runner/python/_optdocs_runner.py) drives ``chunks`` instead, one chunk at a
time, and may stop between two chunks when a newer call makes this one useless. Both run the same
code in the same order, so the answer is the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

import numpy as np

from optdocs.landscapes import Landscape
from optdocs.simulate import Trajectory, _freeze_diverged, _grad_of, _start

F = TypeVar("F", bound=Callable[..., Any])

#: Steps of a many-run simulation per chunk (about 10 ms for 1,000 runs in Pyodide).
CHUNK_STEPS = 25


def run_chunks(chunks: Generator[None, None, Any]) -> Any:
    """Run every chunk of the generator ``chunks`` at once; its return value."""
    while True:
        try:
            next(chunks)
        except StopIteration as done:
            return done.value


def with_chunks(gen_fn: Callable[..., Generator[None, None, Any]]) -> Callable[[F], F]:
    """Decorator: the public function gets ``gen_fn`` (same arguments, same result, in chunks)
    as its ``chunks`` attribute, which the page's runner drives one chunk at a time."""

    def attach(fn: F) -> F:
        fn.chunks = gen_fn  # type: ignore[attr-defined]
        return fn

    return attach


def simulate_chunks(landscape: Landscape, optimizer: Any, steps: int, runs: int, noise: float,
                    seed: int) -> Generator[None, None, Trajectory]:
    """``optdocs.simulate.simulate`` from ``landscape.start``, yielding every CHUNK_STEPS steps.

    The same statements as ``simulate`` in the same order (the same noise draws, one
    ``(runs, dim)`` block per step), only with pauses: the trajectory is identical, which
    tests/test_demos_chunks.py checks against ``simulate`` itself.
    """
    x = _start(None, landscape, runs)
    rng = np.random.default_rng(seed)
    params: Any = x if getattr(optimizer, "elementwise", True) else list(x)
    positions = np.empty((steps + 1, runs, landscape.dim))
    positions[0] = x
    optimizer.reset()
    grad = _grad_of(landscape)
    for first in range(1, steps + 1, CHUNK_STEPS):
        if first > 1:
            yield    # outside errstate: the code run during the pause keeps its own settings
        with np.errstate(all="ignore"):    # a diverging run may overflow: that is data
            for t in range(first, min(first + CHUNK_STEPS, steps + 1)):
                g = grad(x)
                if noise:
                    g += noise * rng.standard_normal((runs, landscape.dim))
                optimizer.step(params, g if params is x else list(g))
                positions[t] = x
    with np.errstate(all="ignore"):
        losses = landscape.loss(positions)
    diverged_at = _freeze_diverged(positions, losses)
    return Trajectory(positions, losses, diverged_at >= 0, diverged_at, landscape)
