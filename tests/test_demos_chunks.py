"""Demos computed in chunks (optdocs.demos._chunks): the page's worker drives them one chunk at a
time and answers other calls in between; the answer must be the unchunked one, bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from optdocs.demos import double_well_outcomes
from optdocs.demos._chunks import CHUNK_STEPS, run_chunks, simulate_chunks
from optdocs.landscapes import double_well
from optdocs.optimizers import SGD, Adam
from optdocs.simulate import simulate


def outcomes_from_simulate(optimizer, lr, noise, steps, runs, seed):
    """double_well_outcomes as it was computed before chunking: one call of simulate."""
    opt = SGD(lr=lr) if optimizer == "SGD" else Adam(lr=lr)
    tr = simulate(double_well, opt, steps=steps, runs=runs, noise=noise, seed=seed)
    return {
        "escaped": tr.escape_fraction(),
        "stayed": float(np.mean(tr.basins() == 1)),
        "diverged": tr.diverged_fraction,
        "ever": float(np.mean((tr.positions[:, :, 0] >= double_well.barrier).any(axis=0))),
        "runs": runs,
    }


CASES = [("SGD", 0.3, 1.0, 200, 300, 0), ("Adam", 0.1, 0.65, 137, 200, 3),
         ("SGD", 1.3, 1.0, 120, 100, 1),       # most runs overflow: frozen where they diverged
         ("SGD", 0.05, 0.0, 60, 5, 0), ("Adam", 0.2, 2.0, CHUNK_STEPS, 50, 9),
         ("SGD", 0.3, 1.0, 0, 10, 0), ("Adam", 0.5, 1.0, 1, 10, 2)]


@pytest.mark.parametrize("optimizer, lr, noise, steps, runs, seed", CASES)
def test_chunked_simulation_is_simulate_bit_for_bit(optimizer, lr, noise, steps, runs, seed):
    make = SGD if optimizer == "SGD" else Adam
    want = simulate(double_well, make(lr=lr), steps=steps, runs=runs, noise=noise, seed=seed)
    chunks = simulate_chunks(double_well, make(lr=lr), steps, runs, noise, seed)
    got = run_chunks(chunks)
    for field in ("positions", "losses", "diverged", "diverged_at"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)


@pytest.mark.parametrize("optimizer, lr, noise, steps, runs, seed", CASES)
def test_outcomes_equal_the_unchunked_computation(optimizer, lr, noise, steps, runs, seed):
    want = outcomes_from_simulate(optimizer, lr, noise, steps, runs, seed)
    assert double_well_outcomes(optimizer, lr, noise, steps, runs, seed) == want


def test_the_worker_can_pause_between_chunks_and_compute_something_else():
    """What the runner does: a chunk, another call (with numpy set to raise), the next chunk."""
    want = double_well_outcomes("Adam", 0.1, 1.0, 300, 400, 0)
    chunks = double_well_outcomes.chunks("Adam", 0.1, 1.0, 300, 400, 0)
    pauses = 0
    while True:
        try:
            next(chunks)
        except StopIteration as done:
            got = done.value
            break
        pauses += 1
        with np.errstate(all="raise"):
            double_well_outcomes("SGD", 0.7, 1.0, 30, 20, pauses)
    assert pauses == (300 - 1) // CHUNK_STEPS         # a pause between every two chunks
    assert got == want


def test_bad_arguments_are_reported_by_the_first_chunk():
    chunks = double_well_outcomes.chunks("Adam", 0.1, runs=0)
    with pytest.raises(ValueError, match="runs"):
        next(chunks)
