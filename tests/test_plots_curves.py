"""Line plots: right number of artists, no pyplot figures, no change to global rcParams, SVG out."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from optdocs.nn import History
from optdocs.plots.curves import (
    histograms,
    history_curves,
    loss_curves,
    schedule_curves,
)
from optdocs.plots.style import PALETTE
from optdocs.schedules import cosine_annealing, one_cycle, step_decay


@pytest.fixture(autouse=True)
def no_side_effects():
    """Every test: pyplot keeps no figure and rcParams end as they started."""
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    yield
    assert plt.get_fignums() == []
    assert dict(matplotlib.rcParams) == before


def svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def test_loss_curves() -> None:
    curves = {"SGD": np.linspace(1, 0.1, 50), "Adam": [1.0, 0.5, 0.2], "diverged": [1.0, np.inf]}
    fig = loss_curves(curves, logy=True, title="Loss")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 3
    assert [line.get_label() for line in lines] == ["SGD", "Adam", "diverged"]
    assert lines[0].get_color() == PALETTE[0] and lines[1].get_color() == PALETTE[1]
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    np.testing.assert_array_equal(lines[1].get_xdata(), [0, 1, 2])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_title() == "Loss"
    assert len(ax.get_legend().get_texts()) == 3
    assert svg(fig).lstrip().startswith("<?xml")


def test_schedule_curves() -> None:
    scheds = {"step": step_decay(0.1, 30), "cosine": cosine_annealing(0.1, 100),
              "1cycle": one_cycle(0.1, 100), "lambda": lambda t: 0.1 / (1 + t)}
    fig = schedule_curves(scheds, total_steps=100)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[1].get_ydata(), cosine_annealing(0.1, 100)(np.arange(100)))
    np.testing.assert_allclose(lines[3].get_ydata()[:3], [0.1, 0.05, 0.1 / 3])
    assert ax.get_ylabel() == "learning rate"
    svg(fig)


def test_histograms() -> None:
    rng = np.random.default_rng(0)
    data = {"Adagrad": 10 ** rng.uniform(-4, -1, size=(30, 5)), "Adam": 10 ** rng.normal(-3, 0.5, 200),
            "SGD": np.full(10, 1e-2)}
    fig = histograms(data, bins=20, log_x=True)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    pooled = np.concatenate([np.ravel(v) for v in data.values()])
    edges = np.geomspace(pooled.min(), pooled.max() * (1 + 1e-9), 21)   # shared, log-spaced
    for ax, (label, values) in zip(fig.axes, data.items(), strict=True):
        assert ax.get_title(loc="left") == label
        assert ax.get_xscale() == "log"
        (outline,) = ax.patches  # one filled step outline per panel
        xy = outline.get_xy()
        np.testing.assert_allclose([xy[:, 0].min(), xy[:, 0].max()], [edges[0], edges[-1]])
        assert xy[:, 1].max() == np.histogram(np.ravel(values), bins=edges)[0].max()
    assert fig.axes[-1].get_xlabel() == "effective learning rate"
    svg(fig)

    # linear x, a single panel, values with zeros, nan and inf (the non-finite ones are dropped)
    fig = histograms({"only": [0.0, 1.0, 2.0, 2.0, np.nan, np.inf]}, bins=4, xlabel="value")
    (ax,) = fig.axes
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "value"
    xy = ax.patches[0].get_xy()
    assert (xy[:, 0].min(), xy[:, 0].max()) == (0.0, 2.0) and xy[:, 1].max() == 2
    svg(fig)


def test_history_curves() -> None:
    histories = {"SGD": History(loss=[0.7, 0.5, 0.3], accuracy=[0.6, 0.8, 0.9]),
                 "Adam": History(loss=[0.6, 0.2], accuracy=[0.7, 0.97])}
    fig = history_curves(histories, title="circle data")
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.get_lines()) == 2 and len(ax_acc.get_lines()) == 2
    np.testing.assert_array_equal(ax_acc.get_lines()[0].get_xdata(), [1, 2, 3])
    assert ax_loss.get_ylabel() == "loss" and ax_acc.get_ylabel() == "accuracy"
    assert ax_loss.get_legend() is not None and ax_acc.get_legend() is None
    svg(fig)


def test_empty_inputs() -> None:
    (ax,) = loss_curves({}).axes
    assert ax.get_lines() == []
    assert len(histograms({}).axes) == 1


def test_same_figure_same_svg() -> None:
    # svg.hashsalt (set by the style) is read when saving, so save inside style_context().
    from optdocs.plots.style import style_context

    def stable_svg(fig: Figure) -> str:
        buf = io.StringIO()
        with style_context():
            fig.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()

    curves = {"a": [3.0, 2.0, 1.0]}
    assert stable_svg(loss_curves(curves)) == stable_svg(loss_curves(curves))
