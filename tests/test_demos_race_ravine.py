"""optdocs.demos.race / ravine / settle: what the race and the ravine figures call.

Runs under CPython and, through tests/pyodide/test_pyodide_suite.py, inside Pyodide.
"""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from optdocs import SGD, Adam, Lion, RMSprop
from optdocs.demos import (
    DEFAULT_RACERS,
    HEAT_BETAS,
    HEAT_LRS,
    RACERS,
    SURFACES,
    race,
    race_surface,
    ravine_heatmap,
    ravine_race,
    steps_to_converge,
)
from optdocs.landscapes import get, ravine
from optdocs.simulate import simulate


def plain_json(value):
    """The value survives a JSON round trip unchanged (no NumPy types, no NaN or inf)."""
    return json.loads(json.dumps(value, allow_nan=False)) == value


# ------------------------------------------------------------------------------ steps to converge


def test_steps_to_converge_counts_the_last_entry_into_the_tolerance():
    # SGD at lr 0.02 on the ravine creeps along w1 (factor 0.99 a step) and never leaves again
    tr = simulate(ravine, SGD(lr=0.02), steps=1500)
    s = int(steps_to_converge(tr, 1e-3)[0])
    dist = np.linalg.norm(tr.positions[:, 0], axis=-1)
    assert s > 0 and dist[s] <= 1e-3 and dist[s - 1] > 1e-3 and (dist[s:] <= 1e-3).all()
    # momentum 0.9 at lr 0.12 enters the tolerance and leaves it again before it settles
    tr = simulate(ravine, SGD(lr=0.12, momentum=0.9), steps=1500)
    s = int(steps_to_converge(tr, 0.5)[0])
    first = int(tr.steps_to_reach(0.5)[0])
    assert 0 < first < s
    assert int(steps_to_converge(simulate(ravine, SGD(lr=0.02), steps=100), 1e-3)[0]) == -1


@pytest.mark.skipif(sys.platform == "emscripten", reason="the guide is not part of the wheel")
def test_the_guide_uses_the_package_definition():
    import guide._settle

    assert guide._settle.steps_to_converge is steps_to_converge


# ------------------------------------------------------------------------------ the race


@pytest.mark.parametrize("surface,lr", [("flat_steep", 0.1), ("rosenbrock", 0.001),
                                        ("himmelblau", 0.01), ("saddle", 0.45)])
def test_race_runs_are_the_optimizers_simulated_from_the_same_start(surface, lr):
    r = race(surface, lr, dx=0.25, dy=-0.1, steps=40)
    land = get(surface)
    start = land.start + np.array([0.25, -0.1])
    assert r["racers"] == list(DEFAULT_RACERS)
    assert r["start"] == start.tolist() and r["start_loss"] == float(land.loss(start))
    for name, opt in (("SGD", SGD(lr=lr)), ("Momentum", SGD(lr=lr, momentum=0.9)),
                      ("RMSprop", RMSprop(lr=lr)), ("Adam", Adam(lr=lr))):
        tr = simulate(land, opt, start, steps=40)
        run = r["runs"][name]
        assert run["x"] == tr.positions[:, 0, 0].tolist()
        assert run["y"] == tr.positions[:, 0, 1].tolist()
        assert run["loss"] == tr.losses[:, 0].tolist()
        assert run["final_loss"] == run["loss"][-1] and run["best_loss"] == min(run["loss"])
        assert run["steps_to_converge"] == int(steps_to_converge(tr, 0.01)[0])
        assert run["diverged_at"] == int(tr.diverged_at[0])
    assert plain_json(r)


def test_race_ticks_choose_the_racers_in_a_fixed_order():
    r = race("beale", 0.01, steps=5, sgd=False, adam=False, lion=True, nesterov=True)
    assert r["racers"] == ["Momentum", "RMSprop", "Nesterov", "Lion"]
    tr = simulate(get("beale"), Lion(lr=0.01), steps=5)
    assert r["runs"]["Lion"]["x"] == tr.positions[:, 0, 0].tolist()
    every = race("saddle", 0.05, steps=3, **{n.lower(): True for n in RACERS})
    assert every["racers"] == list(RACERS)
    assert race("saddle", 0.05, steps=3, sgd=False, momentum=False, rmsprop=False,
                adam=False)["runs"] == {}


def test_race_at_the_articles_rates_on_the_ill_conditioned_bowl():
    slow, fast = race("flat_steep", 0.1), race("flat_steep", 0.45)
    # at 0.45 one SGD step multiplies w2 by 1 - 8 * 0.45 = -2.6: SGD's loss grows, Adam settles
    assert fast["runs"]["SGD"]["final_loss"] > 1e6 * fast["start_loss"]
    assert fast["runs"]["Adam"]["steps_to_converge"] > 0
    assert slow["runs"]["SGD"]["steps_to_converge"] == -1 < slow["runs"]["Adam"]["steps_to_converge"]


def test_race_surface_samples_the_landscape():
    for name in SURFACES:
        s = race_surface(name, points=7)
        land = get(name)
        (x0, x1), (y0, y1) = land.bounds
        assert s["x"] == np.linspace(x0, x1, 7).tolist() and s["y"] == np.linspace(y0, y1, 7).tolist()
        assert s["loss"][3 + 5 * 7] == float(land.loss([s["x"][3], s["y"][5]]))
        assert len(s["levels"]) > 2 and s["levels"] == sorted(set(s["levels"]))
        assert s["minima"] == land.minima.tolist() and s["start"] == land.start.tolist()
        assert plain_json(s)


@pytest.mark.parametrize("call,name", [
    (lambda: race("ackley"), "surface"),
    (lambda: race(lr=0.0), "lr"),
    (lambda: race(dx=float("nan")), "dx"),
    (lambda: race(dy="1"), "dy"),
    (lambda: race(steps=-1), "steps"),
    (lambda: race(tol=0), "tol"),
    (lambda: race(adam="yes"), "adam"),
    (lambda: race_surface("double_well"), "surface"),
    (lambda: race_surface(points=1), "points"),
])
def test_race_rejects_bad_arguments_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ------------------------------------------------------------------------------ the ravine


@pytest.mark.parametrize("lr,beta", [(0.02, 0.9), (0.12, 0.5), (0.2, 0.95), (0.3, 0.3),
                                     (0.27, 0.0)])
def test_ravine_race_is_optdocs_sgd_to_the_last_bit(lr, beta):
    r = ravine_race(lr, beta, steps=300, show=300)
    for name, opt in (("SGD", SGD(lr=lr)),
                      ("Momentum", SGD(lr=lr, momentum=beta)),
                      ("Nesterov", SGD(lr=lr, momentum=beta, nesterov=beta > 0))):
        tr = simulate(ravine, opt, steps=300)
        run = r["runs"][name]
        assert run["x"] == tr.positions[:, 0, 0].tolist(), name
        assert run["y"] == tr.positions[:, 0, 1].tolist(), name
        assert run["steps_to_converge"] == int(steps_to_converge(tr, 1e-3)[0])
        assert run["final_loss"] == float(tr.losses[-1, 0])
        assert run["diverged_at"] == int(tr.diverged_at[0])
    assert plain_json(r)


def test_ravine_beta_zero_is_sgd_and_show_cuts_the_paths():
    r = ravine_race(0.05, 0.0, steps=200, show=30)
    runs = r["runs"]
    assert runs["SGD"] == runs["Momentum"] == runs["Nesterov"]
    assert len(runs["SGD"]["x"]) == 31
    assert ravine_race(0.05, 0.5)["runs"]["Momentum"] != runs["SGD"]


def test_ravine_heatmap_cells_equal_single_runs():
    lrs, betas = (0.02, 0.08, 0.12, 0.2, 0.3), (0.0, 0.5, 0.9, 0.95)
    h = ravine_heatmap(lrs, betas, steps=400, tol=1e-3)
    assert h["lr"] == list(lrs) and h["beta"] == list(betas)
    for j, b in enumerate(betas):
        for i, lr in enumerate(lrs):
            tr = simulate(ravine, SGD(lr=lr, momentum=b), steps=400)
            assert h["steps_to_converge"][j][i] == int(steps_to_converge(tr, 1e-3)[0]), (lr, b)
    # lr 0.2 is past SGD's limit 2/15 but inside heavy ball's 2 (1 + 0.9) / 15 = 0.253
    assert h["steps_to_converge"][0][3] == -1 and h["steps_to_converge"][2][3] > 0
    assert h["steps_to_converge"][2][4] == -1                     # 0.3 is past it too


def test_ravine_heatmap_default_axes_and_budget():
    h = ravine_heatmap()
    assert h["lr"] == list(HEAT_LRS) and h["beta"] == list(HEAT_BETAS) and h["steps"] == 300
    cells = np.array(h["steps_to_converge"])
    assert cells.shape == (len(HEAT_BETAS), len(HEAT_LRS)) and cells.max() <= 300
    # the fastest setting uses momentum, and it beats the fastest plain SGD (beta = 0)
    best = np.where(cells > 0, cells, 10**6)
    assert best.min() < best[0].min() and np.unravel_index(best.argmin(), best.shape)[0] > 0
    assert plain_json(h)


@pytest.mark.parametrize("call,name", [
    (lambda: ravine_race(lr=-1), "lr"),
    (lambda: ravine_race(beta=1.0), "beta"),
    (lambda: ravine_race(beta=-0.1), "beta"),
    (lambda: ravine_race(steps=0), "steps"),
    (lambda: ravine_race(steps=10, show=11), "show"),
    (lambda: ravine_race(tol=0.0), "tol"),
    (lambda: ravine_heatmap(lrs=()), "lrs"),
    (lambda: ravine_heatmap(lrs=0.1), "lrs"),
    (lambda: ravine_heatmap(betas=(0.5, 1.0)), "betas"),
    (lambda: ravine_heatmap(steps=10**6), "steps"),
])
def test_ravine_rejects_bad_arguments_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()
