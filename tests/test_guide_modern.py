"""The chapter "Today's optimizers" (docs/modern.md, guide/modern.py): its claims, and the pieces
of the chapter's machinery that its numbers rest on (Muon's split with AdamW on the network,
schedule-free AdamW scored at its averaged point)."""

from __future__ import annotations

import numpy as np

from optdocs import AdamW, AdamWScheduleFree, Muon
from optdocs.nn import MLP, circle_data


def test_modern_page_claims_hold():
    from guide import modern

    modern.claims()  # raises ClaimError naming the sentence if one is false


def test_muon_with_adamw_gives_matrices_to_muon_and_biases_to_adamw():
    from guide.modern import ADAMW_LR_WITH_MUON, MuonWithAdamW

    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(1, 2, 8)), "b1": rng.normal(size=(1, 8))}
    w, b = params["W1"][0].copy(), params["b1"].copy()
    opt, muon, adamw = MuonWithAdamW(0.02), Muon(lr=0.02, weight_decay=0.0), \
        AdamW(lr=ADAMW_LR_WITH_MUON, weight_decay=0.0)
    for _ in range(3):
        grads = {"W1": rng.normal(size=(1, 2, 8)), "b1": rng.normal(size=(1, 8))}
        opt.step(params, grads)
        muon.step(w, grads["W1"][0])
        adamw.step(b, grads["b1"])
    np.testing.assert_array_equal(params["W1"][0], w)
    np.testing.assert_array_equal(params["b1"], b)


def test_schedule_free_is_scored_at_its_averaged_point():
    from guide.modern import averaged_loss
    from guide.training import train_groups

    made = []

    def build():
        made.append(AdamWScheduleFree(lr=0.3))
        return made[-1]

    seeds = (0, 1)
    (runs,) = train_groups([(build, seeds)], epochs=3)
    at_x = averaged_loss(made, seeds)
    X, y = circle_data()
    for r, seed in enumerate(seeds):
        m = MLP((2, 8, 1), seed=seed)
        m.params = {k: v[r] for k, v in made[0].get("x").items()}
        assert at_x[r] == m.loss(X, y)
    assert not np.allclose(at_x, runs.final_loss)      # y, where training evaluates, differs
