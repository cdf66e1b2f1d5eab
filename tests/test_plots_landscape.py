"""Landscape plots: a Figure each, with data, no pyplot state, rcParams untouched, SVG-able."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from optdocs import SGD, Adam
from optdocs.landscapes import LANDSCAPES, double_well, ravine
from optdocs.plots.landscape import contour, escape_bars, landscape_1d
from optdocs.simulate import race, simulate


def _lines_labelled(ax) -> dict:
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def _xy(line) -> np.ndarray:
    return np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)


def _ravine_race() -> Figure:
    paths = race(ravine, {"SGD": SGD(lr=0.1), "Adam": Adam(lr=0.45)}, steps=60)
    fig = contour(ravine, paths, log=False, title="ravine")
    ax = fig.axes[0]
    lines = _lines_labelled(ax)
    assert list(lines) == ["SGD", "Adam", "minimum"]
    for label, tr in paths.items():            # each path is the trajectory, every step of it
        np.testing.assert_array_equal(_xy(lines[label]), tr.path(0))
    assert lines["SGD"].get_color() != lines["Adam"].get_color()
    np.testing.assert_array_equal(_xy(lines["minimum"]), ravine.minima)
    assert ax.get_title() == "ravine" and ax.collections          # contour lines drawn
    return fig


def _many_runs() -> Figure:
    tr = simulate(ravine, Adam(lr=0.1), steps=50, runs=8, noise=1.0)
    fig = contour(ravine, {"Adam, 8 noisy runs": tr, "array": tr.path(0)})
    ax = fig.axes[0]
    paths = [line for line in ax.get_lines() if len(line.get_xdata()) == tr.positions.shape[0]]
    assert len(paths) == 8 + 1                   # every run of the Trajectory, then the array
    for r in range(8):
        np.testing.assert_array_equal(_xy(paths[r]), tr.positions[:, r])
        assert paths[r].get_alpha() < 1           # many runs are drawn faint
    assert paths[8].get_alpha() == 1.0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Adam, 8 noisy runs", "array", "minimum"]
    assert all(h.get_alpha() == 1.0 for h in ax.get_legend().legend_handles)
    return fig


def _contour_plain() -> Figure:
    beale = LANDSCAPES["beale"]
    fig = contour(beale)
    ax = fig.axes[0]
    (minimum,) = ax.get_lines()                  # no paths: only the minimum, no legend
    np.testing.assert_array_equal(_xy(minimum), beale.minima)
    assert ax.get_legend() is None and ax.collections
    assert (ax.get_xlim(), ax.get_ylim()) == tuple(beale.bounds)
    return fig


def _double_well() -> Figure:
    tr = simulate(double_well, SGD(lr=0.2), steps=300, runs=200, noise=double_well.noise)
    fig = landscape_1d(double_well, tr, title="after 300 steps")
    ax = fig.axes[0]
    curve = ax.get_lines()[0]
    (lo, hi), = double_well.bounds
    assert curve.get_xdata()[0] == lo and curve.get_xdata()[-1] == hi
    np.testing.assert_allclose(curve.get_ydata(), double_well.loss(curve.get_xdata()[:, None]))
    kept = tr.final[~tr.diverged, 0]
    lines = _lines_labelled(ax)
    dots = lines[f"runs ({kept.size})"]
    np.testing.assert_array_equal(dots.get_xdata(), kept)
    np.testing.assert_allclose(dots.get_ydata(), double_well.loss(kept[:, None]))
    barrier = lines["barrier"]
    assert list(barrier.get_xdata()) == [double_well.barrier] * 2
    assert ax.get_title() == "after 300 steps" and ax.get_xlim() == (lo, hi)
    return fig


def _double_well_array() -> Figure:
    fig = landscape_1d(double_well, np.array([-1.0, 0.3, 1.5, np.nan]))
    dots = _lines_labelled(fig.axes[0])["runs (3)"]          # the nan is left out
    np.testing.assert_array_equal(dots.get_xdata(), [-1.0, 0.3, 1.5])
    return fig


def _escape_bars() -> Figure:
    labels, values = ["SGD 0.03", "SGD 0.2", "Adam 0.1"], [0.0, 0.95, 0.27]
    fig = escape_bars(labels, values)
    ax = fig.axes[0]
    assert [bar.get_height() for bar in ax.patches] == values
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert len({tuple(bar.get_facecolor()) for bar in ax.patches}) == 3
    return fig


CASES: dict[str, Callable[[], Figure]] = {
    "contour_race": _ravine_race,
    "contour_runs": _many_runs,
    "contour_plain": _contour_plain,
    "landscape_1d": _double_well,
    "landscape_1d_array": _double_well_array,
    "escape_bars": _escape_bars,
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_figure_draws_its_data_without_side_effects(make: Callable[[], Figure]) -> None:
    """Each case checks what it drew (see above); here: no pyplot state, rcParams untouched, SVG."""
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    fig = make()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == []
    assert dict(matplotlib.rcParams) == before
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    assert buf.getvalue().lstrip().startswith(b"<?xml")


@pytest.mark.parametrize("name", sorted(n for n, ls in LANDSCAPES.items() if ls.dim == 2))
def test_every_2d_landscape_contours(name: str) -> None:
    ls = LANDSCAPES[name]
    fig = contour(ls, {"Adam": simulate(ls, Adam(lr=0.05), steps=100)})
    ax = fig.axes[0]
    assert ax.get_xlim() == ls.bounds[0] and ax.get_ylim() == ls.bounds[1]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Adam", "minimum"]


def test_escape_bars_writes_values() -> None:
    fig = escape_bars(["small lr", "large lr"], [0.004, 0.948])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["0%", "95%"]
    assert len(fig.axes[0].patches) == 2


def test_draws_into_a_given_axes() -> None:
    from optdocs.plots.style import new_figure

    fig, axes = new_figure(ncols=2)
    assert contour(ravine, ax=axes[0]) is fig
    assert landscape_1d(double_well, ax=axes[1]) is fig
    assert len(fig.axes) == 2                               # no new axes, no new figure
    assert axes[0].collections and not axes[1].collections  # the contour went left ...
    np.testing.assert_array_equal(_xy(axes[0].get_lines()[0]), ravine.minima)
    assert axes[1].get_lines()[0].get_xdata().size == 400   # ... the 1D curve right


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="2D landscape"):
        contour(double_well)
    with pytest.raises(ValueError, match="1D landscape"):
        landscape_1d(ravine)
    with pytest.raises(ValueError, match="path must have shape"):
        contour(ravine, {"bad": np.zeros((5, 3))})
    with pytest.raises(ValueError, match="labels has 2"):
        escape_bars(["a", "b"], [0.1])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        escape_bars(["a"], [1.5])
