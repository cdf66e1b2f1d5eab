"""The claims of the momentum, adaptive, Adam, AdamW and race chapters, checked against the package.

The build checks the same claims (guide/momentum.py, adaptive.py, adam.py, adamw.py, race.py);
running their check functions here makes a change to optdocs that breaks a sentence of those pages
fail the test suite too, not only the site build. Where PyTorch is installed, the behaviours the
pages attribute to PyTorch (Nesterov's form, RMSprop's first step, AMSGrad, AdamW's decay) are
compared with torch.optim directly.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guide import adam, adamw, adaptive, momentum, race  # noqa: E402

# --- the chapters' own checks -----------------------------------------------------------------


def test_momentum_claims():
    momentum.limit_claims()
    steps = momentum.ravine_steps()
    assert steps["mom_small"] < steps["sgd_small"]
    assert momentum.zero_momentum_gap() == 0.0
    gap_p, gap_b = momentum.nesterov_equivalence()
    assert gap_p < 1e-12 and gap_b < 1e-10
    momentum.schedule_steps()
    momentum.nesterov_steps()
    assert momentum.optimal_tuning()["hb_steps"] < momentum.optimal_tuning()["sgd_steps"]


def test_adaptive_claims():
    adaptive.sgd_edge()
    adaptive.readout()
    adaptive.adagrad_monotone_claims()
    assert adaptive.alpha_lag()[0.9] < adaptive.alpha_lag()[0.99]
    adaptive.alpha_jitter()
    assert 0 < adaptive.rms_steps(adaptive.RMS_PATH_LR) < adaptive.sgd_w1_steps(0.24)


def test_adam_claims():
    adam.bias_table()
    adam.first_step_scale_free()
    assert adam.uncorrected_ratio(50) > 4
    assert adam.steps_until(0.999, 0.5) == 693
    assert adam.scale_invariance_gap() < 1e-5
    adam.normalised_claims()
    adam.counterexample_claims()


def test_adamw_noise_claims():
    adamw.noise_decay()
    assert adamw.sgd_equivalence_gap() < 1e-12
    assert adamw.decay_order_gap() < 1e-2


def test_race_flat_steep_claims():
    race.shared_lr_claims()


def test_adamw_mlp_and_race_surfaces():
    adamw.mlp_claims()
    race.surface_claims()
