"""guide/recipes.py: the optimizers lesson's recipes, measured (choosing.md, schedules.md)."""

from __future__ import annotations

import numpy as np
import pytest

from guide import recipes


@pytest.mark.parametrize("beta1", [0.9, 0.7, 0.5])
def test_steps_to_turn_follow_the_first_moments_memory(beta1):
    # after FLIP_AT steps of +1, m_hat is 1 to within beta1**100; k steps of -1 later it is
    # 2 * beta1**k - 1, which first goes below 0 at the smallest k with beta1**k < 1/2
    k = next(k for k in range(1, 50) if 2 * beta1**k - 1 < 0)
    assert recipes.steps_to_turn(beta1) == k


def test_the_update_is_a_full_step_before_the_flip():
    u = recipes.flip_updates(0.9)
    assert u[:recipes.FLIP_AT] == pytest.approx(1.0, rel=1e-6)   # Adam's step: lr, any gradient
    assert u[-1] == pytest.approx(-1.0, abs=1e-3)


def test_in_the_game_x_descends_and_y_ascends():
    p = recipes.game_path(0.0)
    assert p.shape == (recipes.GAME_STEPS + 1, 2)
    x0, y0 = recipes.GAME_START
    # f = x*y: df/dx = y0 > 0 pushes x down, df/dy = x0 > 0 pushes y up (y maximises f)
    assert p[1, 0] == pytest.approx(x0 - recipes.GAME_LR)
    assert p[1, 1] == pytest.approx(y0 + recipes.GAME_LR)


def test_largest_move_is_zero_for_untrained_networks():
    from guide.training import SEEDS, Runs
    from optdocs.nn import MLP

    params = MLP((2, 8, 1), seed=list(SEEDS)).params
    runs = Runs(np.zeros((len(SEEDS), 1)), np.zeros((len(SEEDS), 1)),
                np.zeros((len(SEEDS), 1)), {k: v.copy() for k, v in params.items()})
    assert np.all(recipes.largest_move(runs) == 0)
    runs.params["b2"][3] += 0.5
    assert recipes.largest_move(runs)[3] == 0.5 and recipes.largest_move(runs).sum() == 0.5


def test_recipes_claims():
    recipes.claims()
    recipes.warmup_claims()
