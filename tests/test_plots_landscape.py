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


def _ravine_race() -> Figure:
    paths = race(ravine, {"SGD": SGD(lr=0.1), "Adam": Adam(lr=0.45)}, steps=60)
    return contour(ravine, paths, log=False, title="ravine")


def _many_runs() -> Figure:
    tr = simulate(ravine, Adam(lr=0.1), steps=50, runs=8, noise=1.0)
    return contour(ravine, {"Adam, 8 noisy runs": tr, "array": tr.path(0)})


def _double_well() -> Figure:
    tr = simulate(double_well, SGD(lr=0.2), steps=300, runs=200, noise=double_well.noise)
    return landscape_1d(double_well, tr, title="after 300 steps")


CASES: dict[str, Callable[[], Figure]] = {
    "contour_race": _ravine_race,
    "contour_runs": _many_runs,
    "contour_plain": lambda: contour(LANDSCAPES["beale"]),
    "landscape_1d": _double_well,
    "landscape_1d_array": lambda: landscape_1d(double_well, np.array([-1.0, 0.3, 1.5, np.nan])),
    "escape_bars": lambda: escape_bars(["SGD 0.03", "SGD 0.2", "Adam 0.1"], [0.0, 0.95, 0.27]),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_figure_without_side_effects(make: Callable[[], Figure]) -> None:
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    fig = make()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.lines or ax.patches or ax.collections
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
    assert axes[0].collections and axes[1].lines


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
