"""optdocs against ``torch.optim``, without torch: trajectories recorded by dev/torch_reference.py.

Each case of tests/data/torch_reference.json is one torch run: its options, the gradients torch
saw at every step and torch's parameters after every step. Here the same gradients go through the
optdocs optimizer with the same options, and every parameter after every step must equal torch's
to 1e-12 relative. Regenerate the file with ``python dev/torch_reference.py`` where torch is
installed (after changing a case, or for a new torch release).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

import optdocs
from optdocs import schedules
from optdocs.nn import linear_data, mse_loss_and_grads

# Beside this file, so the sdist's copy of the tests finds it too.
DATA = json.loads((Path(__file__).resolve().parent / "data" / "torch_reference.json").read_text())
CASES = {c["id"]: c for c in DATA["cases"]}
SCHEDULES = {s["id"]: s for s in DATA["schedules"]}
FACTS = DATA["facts"]

# Elementwise: |ours - torch| <= RTOL * |torch| + ATOL. The parameters are of order 1 and each
# step rounds differently from torch's (torch writes lerp, addcdiv and sqrt(v) / sqrt(1 - b2^t)
# where optdocs writes m*b + (1-b)*g, rate * m and sqrt(v / (1 - b2^t))), so an element that
# passes near zero carries an absolute error of a few ulps of 1 with no relative meaning: ATOL,
# 1e-15 (about 5 ulps of 1.0), is that floor. Everywhere else the relative bound decides.
RTOL, ATOL = 1e-12, 1e-15


def decode(value):
    """A value of the data file as optdocs takes it: schedules built, betas as a tuple."""
    if isinstance(value, dict) and "schedule" in value:
        return getattr(schedules, value["schedule"])(**value["args"])
    return value


def options(raw: dict) -> dict:
    out = {k: decode(v) for k, v in raw.items()}
    if "betas" in out:
        out["betas"] = tuple(out["betas"])
    return out


def make_optimizer(case: dict):
    cls = getattr(optdocs, case["optimizer"])
    kwargs = options(case["options"])
    if case["overrides"]:
        as_key = int if case["structure"] == "list" else str
        kwargs["overrides"] = {as_key(k): options(o) for k, o in case["overrides"].items()}
    return cls(**kwargs)


def structured(case: dict, values: dict):
    """The dict {key: array} of one step in the case's structure: a dict, a list or one array."""
    if case["structure"] == "array":
        (only,) = values.values()
        return only
    if case["structure"] == "list":
        return [values[k] for k in case["keys"] if k in values]
    return values


def replay(case: dict) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """(optdocs, torch, where): every parameter after every step, flattened, and whose it is.

    torch's Muon orthogonalises in bfloat16; its cases were recorded with ``Float64Muon``
    (torch's algorithm with float64 iterations, in dev/torch_reference.py), as optdocs computes.
    """
    opt = make_optimizer(case)
    params = {k: np.array(v, dtype=np.float64) for k, v in case["init"].items()}
    ours, theirs, where = [], [], []
    for t, step in enumerate(case["steps"]):
        live = {k: params[k] for k in step["grads"]}
        grads = {k: np.array(g, dtype=np.float64) for k, g in step["grads"].items()}
        opt.step(structured(case, live), structured(case, grads))
        for k, expected in step["params"].items():
            ours.append(params[k].ravel().copy())            # matrices too (Adafactor, Muon)
            theirs.append(np.array(expected, dtype=np.float64).ravel())
            where += [(t, k)] * theirs[-1].size
    return np.concatenate(ours), np.concatenate(theirs), where


def assert_close(ours: np.ndarray, theirs: np.ndarray, where) -> None:
    err = np.abs(ours - theirs)
    bad = err > RTOL * np.abs(theirs) + ATOL
    if bad.any():
        i = int(np.argmax(bad))
        t, key = where[i]
        raise AssertionError(
            f"{bad.sum()} of {bad.size} values differ from torch; first at step {t + 1}, "
            f"param {key!r}: optdocs {ours[i]!r}, torch {theirs[i]!r} "
            f"(relative error {err[i] / max(abs(theirs[i]), 1e-300):.2e})")


@pytest.mark.parametrize("case_id", list(CASES))
def test_trajectory_equals_torch(case_id):
    assert_close(*replay(CASES[case_id]))


#: Keyword-only options of optdocs that torch has no counterpart for: per-parameter options
#: (torch's param groups, covered by the "overrides" cases) and Adafactor's and Muon's stacked
#: runs (checked against one optimizer per run in tests/test_optimizers_stacked.py).
OPTDOCS_ONLY = {"overrides", "stacked"}


def test_the_reference_covers_every_option_of_every_torch_optimizer():
    """A new option of an optimizer needs a case here (and a line in dev/torch_reference.py)."""
    used: dict[str, set] = {}
    for case in DATA["cases"]:
        names = used.setdefault(case["optimizer"], set())
        names |= set(case["options"])
        for o in (case["overrides"] or {}).values():
            names |= set(o)
    for name in FACTS["defaults"]:
        params = set(inspect.signature(getattr(optdocs, name)).parameters) - OPTDOCS_ONLY
        assert params <= used[name], f"{name}: no torch reference for {sorted(params - used[name])}"
    kinds = {key for c in DATA["cases"] for key in ("late", "overrides", "structure") if c[key]}
    assert kinds == {"late", "overrides", "structure"}


def test_late_cases_add_a_parameter_midway():
    """The late cases really start "b" after some steps (torch's add_param_group)."""
    late = [c for c in DATA["cases"] if c["late"]]
    assert len(late) >= 4
    for case in late:
        first = [t for t, s in enumerate(case["steps"]) if "b" in s["grads"]][0]
        assert first == DATA["late_step"] > 0


# ------------------------------------------------------------------------------------------------
# schedules


@pytest.mark.parametrize("sched_id", list(SCHEDULES))
def test_schedule_equals_torch_scheduler(sched_id):
    """The lr of optimizer step t (0-based) under torch's scheduler is schedule(t)."""
    s = SCHEDULES[sched_id]
    lrs = np.array(s["lrs"])
    ours = decode(s["schedule"])(np.arange(len(lrs)))
    where = [(t, "lr") for t in range(len(lrs))]
    assert_close(ours, lrs, where)


def test_torch_cosine_climbs_back_after_t_max_where_optdocs_stays():
    """As CosineAnnealing's docstring says: torch follows the cosine up again after T_max."""
    torch_lrs = FACTS["cosine_T_max_10_lrs_to_step_20"]
    ours = schedules.cosine_annealing(0.1, total_steps=10)
    np.testing.assert_allclose(ours(np.arange(11)), torch_lrs[:11], rtol=RTOL, atol=ATOL)
    assert torch_lrs[20] == pytest.approx(0.1) and ours(20) == 0.0


def test_torch_one_cycle_raises_past_its_total_steps():
    """OneCycle's docstring: torch raises past total_steps; optdocs stays at min_lr."""
    assert "total steps is 10" in FACTS["one_cycle_total_10_step_11_error"]
    ours = schedules.one_cycle(0.1, total_steps=10)
    assert ours(11) == ours(9) == pytest.approx(0.1 / 25 / 1e4)


def test_scheduler_stepped_before_the_optimizer_skips_the_first_rate():
    """torch then uses schedule(t + 1) at step t (tests/test_guide_torch_facts.py: its warning)."""
    before = FACTS["steplr_3_before_optimizer"]
    schedule = schedules.step_decay(0.1, step_size=3, gamma=0.1)
    np.testing.assert_allclose(before["lrs"], schedule(np.arange(1, 8)), rtol=RTOL)


# ------------------------------------------------------------------------------------------------
# torch's defaults and the rest of what the package's docstrings say about torch


def test_defaults_equal_torch():
    """Every optdocs constructor default is torch's (the guide quotes them)."""
    for name, theirs in FACTS["defaults"].items():
        sig = inspect.signature(getattr(optdocs, name))
        for param, p in sig.parameters.items():
            if param in OPTDOCS_ONLY:
                continue
            ours = list(p.default) if isinstance(p.default, tuple) else p.default
            assert ours == theirs[param], f"{name}({param}=...): optdocs {ours!r}, torch {theirs[param]!r}"


def test_muon_cases_ran_torchs_algorithm_in_float64():
    """The Muon cases compare with Float64Muon, and torch's bfloat16 class stays within the gap
    the Muon docstring states (measured on an 8x4 matrix after 20 steps)."""
    muon = [c for c in DATA["cases"] if c["optimizer"] == "Muon"]
    assert muon and all(c["torch"].startswith("Float64Muon(") for c in muon)
    gap = FACTS["muon_bfloat16"]
    assert gap["shape"] == [8, 4] and gap["steps"] == 20
    assert 1e-4 < gap["relative_to_distance"] < 2e-2     # bfloat16 is visible, and small
    assert "bfloat16" in optdocs.Muon.__doc__ and "8x4" in optdocs.Muon.__doc__


def test_matrix_cases_take_the_factored_and_the_transposed_paths():
    """Adafactor's cases include a matrix (row and column factors); Muon's a tall and a wide one."""
    def shapes(name):
        return {np.shape(v) for c in DATA["cases"] if c["optimizer"] == name
                for v in c["init"].values()}

    assert {(3, 2), (2,)} <= shapes("Adafactor")
    assert {(3, 2), (2, 3)} <= shapes("Muon")


def test_lion_and_schedule_free_are_not_in_torch():
    assert FACTS["has_lion_schedule_free"] == [False, False]
    for cls in (optdocs.Lion, optdocs.AdamWScheduleFree):
        assert "Not part of ``torch.optim``" in cls.__doc__


def test_lars_and_lamb_are_not_in_torch():
    assert FACTS["has_lars_lamb"] == [False, False]
    for cls in (optdocs.LARS, optdocs.LAMB):
        assert "Not part of ``torch.optim``" in cls.__doc__


def test_summing_gradients_is_torch_without_zero_grad():
    """Without zero_grad() torch's .grad is the sum of every backward pass so far."""
    X, y = linear_data()
    w, b = np.zeros(X.shape[1]), np.zeros(())
    total, opt, losses = [np.zeros_like(w), np.zeros(())], optdocs.SGD(lr=0.1), []
    for _ in range(20):
        loss, gw, gb = mse_loss_and_grads(w, b, X, y)
        total[0] += gw
        total[1] += gb
        opt.step([w, b], total)
        losses.append(loss)
    np.testing.assert_allclose(losses, FACTS["no_zero_grad_losses"], rtol=1e-10)
