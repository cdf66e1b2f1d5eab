"""Line plots of training: loss curves, learning-rate schedules, histograms, training histories.

Every function returns a new ``matplotlib.figure.Figure`` built with
``optdocs.plots.style.new_figure``; nothing goes through ``pyplot`` and no global setting is
changed, so the figures can be saved (``fig.savefig("loss.svg")``) or shown in a notebook or the
browser without side effects. Series are told apart by colour *and* line style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from optdocs.plots.style import color, linestyle, new_figure, style_context
from optdocs.schedules import Schedule

__all__ = ["loss_curves", "schedule_curves", "histograms", "history_curves"]


def _line_plot(ax: Axes, series: Mapping[str, tuple[np.ndarray, np.ndarray]], xlabel: str,
               ylabel: str, logy: bool, legend: bool = True) -> None:
    """Draw one line per entry of ``series`` (label -> (x, y)) on ``ax``, with a legend."""
    for i, (label, (x, y)) in enumerate(series.items()):
        ax.plot(x, y, color=color(i), linestyle=linestyle(i), linewidth=1.8, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend and series:
        ax.legend()


def loss_curves(curves: Mapping[str, ArrayLike], xlabel: str = "step", ylabel: str = "loss",
                logy: bool = False, title: str | None = None) -> Figure:
    """One line per curve: ``curves[label][k]`` is plotted at x = k.

    Parameters
    ----------
    curves : dict of label -> 1-D array-like
        Values per step (or per epoch). Non-finite values (a diverged run) leave a gap.
    xlabel, ylabel : str
        Axis labels.
    logy : bool
        Logarithmic y axis, for losses that fall over orders of magnitude.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = {}
    for label, values in curves.items():
        y = np.asarray(values, dtype=np.float64).ravel()
        series[label] = (np.arange(y.size), y)
    fig, ax = new_figure()
    with style_context():
        _line_plot(ax, series, xlabel, ylabel, logy)
        if title:
            ax.set_title(title)
    return fig


def schedule_curves(schedules: Mapping[str, Schedule | Callable[[int], float]], total_steps: int,
                    xlabel: str = "step", ylabel: str = "learning rate", logy: bool = False,
                    title: str | None = None) -> Figure:
    """The learning rate of each schedule at steps ``0 .. total_steps - 1``.

    Parameters
    ----------
    schedules : dict of label -> Schedule
        Any callable ``lr(step)`` works; a ``optdocs.schedules.Schedule`` is evaluated on
        all steps at once.
    total_steps : int
        Number of steps drawn.
    xlabel, ylabel, logy, title
        As in ``loss_curves``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    steps = np.arange(total_steps)
    series = {}
    for label, sched in schedules.items():
        if isinstance(sched, Schedule):
            lrs = np.asarray(sched(steps))
        else:
            lrs = np.array([sched(int(s)) for s in steps], dtype=np.float64)
        series[label] = (steps, lrs)
    fig, ax = new_figure()
    with style_context():
        _line_plot(ax, series, xlabel, ylabel, logy)
        if title:
            ax.set_title(title)
    return fig


def histograms(data: Mapping[str, ArrayLike], bins: int = 50,
               xlabel: str = "effective learning rate", log_x: bool = False,
               title: str | None = None) -> Figure:
    """One histogram panel per label, stacked with a shared x axis, e.g. of effective rates.

    Parameters
    ----------
    data : dict of label -> array-like
        Values of any shape (flattened); non-finite values are dropped, and with ``log_x`` so are
        values <= 0.
    bins : int
        Number of bins, the same edges for every panel so the panels compare directly.
    xlabel : str
    log_x : bool
        Logarithmic x axis with logarithmically spaced bins, for values spanning decades (Adam's
        per-coordinate rates do).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = {}
    for label, arr in data.items():
        v = np.asarray(arr, dtype=np.float64).ravel()
        keep = np.isfinite(v) & (v > 0) if log_x else np.isfinite(v)
        values[label] = v[keep]
    pooled = np.concatenate([*values.values(), np.zeros(0)])
    if pooled.size == 0:
        edges: Any = bins
    elif log_x:
        edges = np.geomspace(pooled.min(), pooled.max() * (1 + 1e-9), bins + 1)
    else:
        edges = np.histogram_bin_edges(pooled, bins=bins)

    n = max(len(values), 1)
    fig, axes = new_figure(nrows=n, height=1.2 + 1.4 * n)
    axes = np.atleast_1d(axes)
    with style_context():
        for i, (label, v) in enumerate(values.items()):
            ax = axes[i]
            ax.hist(v, bins=edges, color=color(i), alpha=0.8, histtype="stepfilled")
            ax.set_ylabel("count")
            ax.set_title(str(label), loc="left", fontsize="medium")
            if log_x:
                ax.set_xscale("log")
            if i > 0:
                ax.sharex(axes[0])
        axes[-1].set_xlabel(xlabel)
        if title:
            fig.suptitle(title)
    return fig


def history_curves(histories: Mapping[str, Any], logy: bool = False,
                   title: str | None = None) -> Figure:
    """Loss (left) and accuracy (right) per epoch for each ``optdocs.nn.History``.

    Parameters
    ----------
    histories : dict of label -> History
        Anything with ``loss`` and ``accuracy`` sequences, one entry per epoch.
    logy : bool
        Logarithmic loss axis.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    def per_epoch(name: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {}
        for label, h in histories.items():
            y = np.asarray(getattr(h, name), dtype=np.float64)
            out[label] = (np.arange(1, y.size + 1), y)
        return out

    fig, (ax_loss, ax_acc) = new_figure(ncols=2, width=9.0, height=3.6)
    with style_context():
        _line_plot(ax_loss, per_epoch("loss"), "epoch", "loss", logy)
        _line_plot(ax_acc, per_epoch("accuracy"), "epoch", "accuracy", False, legend=False)
        if title:
            fig.suptitle(title)
    return fig
