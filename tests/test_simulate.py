"""simulate(): many runs at once, shared noise, divergence, and the Trajectory helpers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from optdocs import LAMB, LARS, SGD, Adam, RMSprop
from optdocs.landscapes import double_well, flat_steep, himmelblau, ravine, rosenbrock
from optdocs.simulate import Trajectory, gaussian_noise, race, simulate


def test_shapes_and_start() -> None:
    tr = simulate(ravine, Adam(lr=0.1), steps=7, runs=4, noise=0.5)
    assert isinstance(tr, Trajectory)
    assert tr.positions.shape == (8, 4, 2) and tr.losses.shape == (8, 4)
    assert tr.diverged.shape == (4,) and tr.diverged.dtype == bool
    assert tr.steps == 7 and tr.runs == 4 and tr.final.shape == (4, 2)
    assert tr.path(2).shape == (8, 2)
    np.testing.assert_array_equal(tr.positions[0], np.tile(ravine.start, (4, 1)))
    np.testing.assert_allclose(tr.losses, ravine.loss(tr.positions))


def test_x0_per_run_and_bad_x0() -> None:
    x0 = np.array([[1.0, 1.0], [-1.0, 0.5]])
    tr = simulate(ravine, SGD(lr=0.1), x0, steps=3, runs=2)
    np.testing.assert_array_equal(tr.positions[0], x0)
    x0[0, 0] = 5.0                                      # the caller's array is not reused
    assert tr.positions[0, 0, 0] == 1.0
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\) or"):
        simulate(ravine, SGD(lr=0.1), np.zeros((3, 2)), steps=3, runs=2)


@pytest.mark.parametrize("kw, match", [
    ({"steps": -1}, "steps"), ({"steps": 2.5}, "steps"), ({"runs": 0}, "runs"),
    ({"noise": -1.0}, "noise"), ({"noise": float("nan")}, "noise"),
    ({"noise_sequence": np.zeros((5, 1, 2)), "noise": 1.0}, "noise_sequence"),
    ({"noise_sequence": np.zeros((10, 1, 2))}, "noise > 0"),
])
def test_bad_arguments(kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        simulate(ravine, SGD(lr=0.1), **{"steps": 10, **kw})


def test_equals_a_hand_loop() -> None:
    """noise=0, runs=1: exactly landscape.grad then optimizer.step, nothing else."""
    for ls, opt, hand in [(rosenbrock, Adam(lr=0.01), Adam(lr=0.01)),
                          (double_well, SGD(lr=0.1, momentum=0.9), SGD(lr=0.1, momentum=0.9))]:
        tr = simulate(ls, opt, steps=50)
        x = ls.start[None, :].copy()
        expected = [x.copy()]
        for _ in range(50):
            hand.step(x, ls.grad(x))
            expected.append(x.copy())
        np.testing.assert_array_equal(tr.positions, np.array(expected))


def test_optimizer_is_reset() -> None:
    opt = Adam(lr=0.1)
    a = simulate(ravine, opt, steps=20)
    b = simulate(ravine, opt, steps=20)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert opt.t == 20


def test_same_seed_same_noise_for_any_optimizer() -> None:
    """The noise is the difference between simulate and a noise-free run, whatever the optimizer.

    With SGD, x_t = x_{t-1} - lr (grad + noise z_t); on a 0-curvature direction the difference to
    the noise-free run is -lr * noise * cumsum(z), so z can be read back from the trajectory.
    """
    z = gaussian_noise(30, 5, 2, seed=3)
    flat = type(ravine)(curvatures=(1e-300, 1e-300), name="flat")    # gradient ~ 0 everywhere
    for lr in (0.01, 0.5):
        tr = simulate(flat, SGD(lr=lr), steps=30, runs=5, noise=2.0, seed=3)
        recovered = -np.diff(tr.positions, axis=0) / (lr * 2.0)
        np.testing.assert_allclose(recovered, z, rtol=1e-12, atol=1e-12)
    # and Adam sees the same z: identical to passing them in explicitly
    a = simulate(ravine, Adam(lr=0.1), steps=30, runs=5, noise=2.0, seed=3)
    b = simulate(ravine, Adam(lr=0.1), steps=30, runs=5, noise=2.0, noise_sequence=z)
    np.testing.assert_array_equal(a.positions, b.positions)
    c = simulate(ravine, Adam(lr=0.1), steps=30, runs=5, noise=2.0, seed=4)
    assert not np.array_equal(a.positions, c.positions)


def test_gaussian_noise_is_the_per_step_stream() -> None:
    rng = np.random.default_rng(11)
    per_step = np.stack([rng.standard_normal((7, 3)) for _ in range(6)])
    np.testing.assert_array_equal(gaussian_noise(6, 7, 3, seed=11), per_step)


def test_runs_are_independent() -> None:
    """Run i of a batch equals the same run simulated alone with the same noise."""
    z = gaussian_noise(100, 6, 1, seed=0)
    batch = simulate(double_well, Adam(lr=0.1), steps=100, runs=6, noise=1.0, noise_sequence=z)
    for i in (0, 5):
        alone = simulate(double_well, Adam(lr=0.1), steps=100, runs=1, noise=1.0,
                         noise_sequence=z[:, i:i + 1])
        np.testing.assert_array_equal(batch.positions[:, i], alone.positions[:, 0])


def test_divergence_is_flagged_not_raised() -> None:
    """SGD lr=1.0 on the ravine: curvature 15 multiplies the y error by -14 every step."""
    x0 = np.array([[-4.0, 1.0], [3.0, 0.0], [0.0, 0.0]])   # only the first has a y error
    with warnings.catch_warnings():
        warnings.simplefilter("error")                     # any RuntimeWarning fails the test
        tr = simulate(ravine, SGD(lr=1.0), x0, steps=300, runs=3)
    np.testing.assert_array_equal(tr.diverged, [True, False, False])
    t = tr.diverged_at[0]
    assert 100 < t < 300 and list(tr.diverged_at[1:]) == [-1, -1]
    assert np.isfinite(tr.positions).all() and np.isfinite(tr.losses).all()
    np.testing.assert_array_equal(tr.positions[t:, 0], np.broadcast_to(tr.positions[t - 1, 0],
                                                                        (301 - t, 2)))
    alone = simulate(ravine, SGD(lr=1.0), x0[1], steps=300)   # other runs unaffected
    np.testing.assert_array_equal(tr.positions[:, 1], alone.positions[:, 0])
    assert tr.diverged_fraction == pytest.approx(1 / 3)
    assert list(tr.basins()) == [-1, 0, 0]
    assert tr.escape_fraction() == 0.0                    # diverged is not escaped


def test_flat_steep_sgd_limit() -> None:
    """Curvature 8 in w2: SGD is stable below lr = 2/8 = 0.25 and diverges above it."""
    stable = simulate(flat_steep, SGD(lr=0.24), steps=2000)
    assert not stable.diverged[0] and abs(stable.final[0, 1]) < 1e-10
    growing = simulate(flat_steep, SGD(lr=0.26), steps=2000)    # |1 - 8 lr| = 1.08: slow growth
    assert abs(growing.final[0, 1]) > 1e60 and not growing.diverged[0]   # finite: not flagged yet
    assert simulate(flat_steep, SGD(lr=0.3), steps=2000).diverged[0]     # 1.4^t overflows


def test_double_well_large_lr_escapes_more() -> None:
    """Same noise, same start in the shallow well: the larger step escapes, the small one stays."""
    kw = dict(steps=1000, runs=500, noise=double_well.noise, seed=0)
    small = simulate(double_well, SGD(lr=0.03), **kw)
    large = simulate(double_well, SGD(lr=0.2), **kw)
    assert small.escape_fraction() < 0.05
    assert large.escape_fraction() > 0.8
    assert small.fraction_in(1) == 1 - small.escape_fraction()        # 1 = the shallow well
    assert large.fraction_in(0) == pytest.approx(large.escape_fraction())
    assert not small.diverged.any() and not large.diverged.any()


def test_steps_to_reach() -> None:
    tr = simulate(ravine, SGD(lr=0.1), steps=200)
    k = tr.steps_to_reach(1e-2)[0]
    assert k > 0
    assert np.linalg.norm(tr.positions[k, 0]) <= 1e-2 < np.linalg.norm(tr.positions[k - 1, 0])
    assert simulate(ravine, SGD(lr=0.001), steps=5).steps_to_reach(1e-2)[0] == -1
    # which of Himmelblau's minima: the one the run converges to, and not the others
    tr = simulate(himmelblau, Adam(lr=0.1), steps=500)
    b = int(tr.basins()[0])
    assert tr.steps_to_reach(1e-3, minimum=b)[0] > 0
    others = [i for i in range(4) if i != b]
    assert all(tr.steps_to_reach(1e-3, minimum=i)[0] == -1 for i in others)


def test_race_uses_the_same_noise() -> None:
    opts = {"sgd": SGD(lr=0.05), "rmsprop": RMSprop(lr=0.01), "adam": Adam(lr=0.1)}
    out = race(ravine, opts, steps=40, runs=3, noise=0.5, seed=7)
    assert list(out) == ["sgd", "rmsprop", "adam"]
    again = simulate(ravine, Adam(lr=0.1), steps=40, runs=3, noise=0.5, seed=7)
    np.testing.assert_array_equal(out["adam"].positions, again.positions)


@pytest.mark.parametrize("opt", [LARS(lr=0.1), LAMB(lr=0.01)], ids=["LARS", "LAMB"])
def test_layerwise_optimizers_get_one_array_per_run(opt) -> None:
    """Norm-based LARS/LAMB must treat every run as its own array, so a batch equals runs alone."""
    assert opt.elementwise is False
    x0 = np.array([[-4.0, 1.0], [0.5, -0.2]])
    batch = simulate(ravine, opt, x0, steps=30, runs=2, noise=0.1, seed=1)
    z = gaussian_noise(30, 2, 2, seed=1)
    for i in range(2):
        alone = simulate(ravine, opt, x0[i], steps=30, noise=0.1, noise_sequence=z[:, i:i + 1])
        np.testing.assert_allclose(batch.positions[:, i], alone.positions[:, 0], rtol=1e-14)


def test_bench_quick_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from optdocs.bench import main

    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    for start in ("optdocs bench:", "1. double well", "2. one parameter", "3. 10-layer network",
                  "4. fixed cost", "5. simulate", "vectorised:", "python loop:", "speed-up:"):
        assert start in out
    for row in ("SGD momentum", "Adam", "LARS", "LAMB"):
        assert f"   {row}" in out
    # every optdocs row is compared with its bare rule: a ratio is printed
    assert out.count("x), bare") >= 7
    torch_rows = "optdocs / torch" in out
    assert torch_rows or "torch row skipped" in out
