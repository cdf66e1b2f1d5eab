"""Pictures of landscapes: contours with optimizer paths, a 1D well with runs, escape bars.

Every function returns a ``matplotlib.figure.Figure`` built with
``optdocs.plots.style.new_figure`` (or draws into the ``ax`` you pass and returns its figure).
Nothing goes through ``pyplot`` and no global setting changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from optdocs.landscapes import Landscape
from optdocs.plots.style import INK, color, linestyle, new_figure, style_context
from optdocs.simulate import Trajectory

__all__ = ["contour", "landscape_1d", "escape_bars"]

#: A path to draw: a Trajectory (all its runs), or positions of shape (steps, 2) or (steps, runs, 2).
Path = Trajectory | ArrayLike


def _axes(ax: Axes | None, **figure_kw: float) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    return new_figure(**figure_kw)


def _runs(path: Path) -> np.ndarray:
    """Positions as an array of shape (steps, runs, 2)."""
    p = path.positions if isinstance(path, Trajectory) else np.asarray(path, dtype=float)
    if p.ndim == 2:
        p = p[:, None, :]
    if p.ndim != 3 or p.shape[-1] != 2:
        raise ValueError(f"a path must have shape (steps, 2) or (steps, runs, 2), got {p.shape}")
    return p


def contour(landscape: Landscape, trajectories: Mapping[str, Path] | None = None,
            ax: Axes | None = None, levels: int = 25, log: bool = True, resolution: int = 200,
            title: str | None = None) -> Figure:
    """Contour lines of a 2D landscape, with optimizer paths, their start and the minima.

    Parameters
    ----------
    landscape : Landscape
        A 2D landscape; the window is ``landscape.bounds``.
    trajectories : dict of label -> Trajectory or array, optional
        One colour per label. A Trajectory draws all its runs (thinner when there are many);
        arrays have shape ``(steps, 2)`` or ``(steps, runs, 2)``. Paths are clipped to the window.
    ax : matplotlib Axes, optional
        Draw here instead of on a new figure.
    levels : int
        Number of contour lines.
    log : bool
        Space the lines evenly in log(loss - min) rather than in loss: shows both the floor of a
        valley and steep walls (useful for Rosenbrock and Beale).
    resolution : int
        Grid points per axis.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if landscape.dim != 2:
        raise ValueError(f"contour needs a 2D landscape, got {landscape.name!r} with "
                         f"dim {landscape.dim}")
    (x0, x1), (y0, y1) = landscape.bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    Z = landscape.loss(np.stack([X, Y], axis=-1))
    if log:
        floor = min(Z.min(), landscape.loss(landscape.minima).min(initial=np.inf))
        Z = np.log10(Z - floor + 1e-3 * (Z.max() - floor) + 1e-12)

    fig, ax = _axes(ax, width=5.6, height=4.4)
    with style_context():
        ax.contour(X, Y, Z, levels=levels, colors=INK, linewidths=0.7, alpha=0.6,
                   linestyles="solid")
        for i, (label, path) in enumerate((trajectories or {}).items()):
            p = _runs(path)
            alpha = 1.0 if p.shape[1] == 1 else max(0.15, 1.0 / np.sqrt(p.shape[1]))
            for r in range(p.shape[1]):
                ax.plot(p[:, r, 0], p[:, r, 1], color=color(i), linestyle=linestyle(i),
                        linewidth=1.6, alpha=alpha, label=str(label) if r == 0 else None)
                ax.plot(*p[-1, r], marker="o", markersize=4, color=color(i), alpha=alpha)
            ax.plot(*p[0].T, linestyle="none", marker="o", markersize=7, markerfacecolor="white",
                    markeredgecolor=INK, zorder=3)
        m = landscape.minima
        if len(m):
            ax.plot(m[:, 0], m[:, 1], linestyle="none", marker="*", markersize=12, color=INK,
                    label="minimum", zorder=3)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.grid(False)
        if trajectories:
            for handle in ax.legend(loc="best").legend_handles:
                handle.set_alpha(1.0)                # faint many-run lines, solid legend
        if title:
            ax.set_title(title)
    return fig


def landscape_1d(landscape: Landscape, positions: Trajectory | ArrayLike | None = None,
                 ax: Axes | None = None, label: str = "runs", title: str | None = None) -> Figure:
    """The curve of a 1D landscape, its minima, and where a set of runs are.

    Parameters
    ----------
    landscape : Landscape
        A 1D landscape such as ``optdocs.landscapes.double_well``; the window is its bounds.
        A ``barrier`` attribute, if present, is drawn as a dotted vertical line.
    positions : Trajectory or array, optional
        Run positions, shape ``(runs,)`` or ``(runs, 1)``; for a Trajectory its final positions
        (diverged runs left out). Each run is a dot on the curve and a tick in a rug at the bottom.
    ax : matplotlib Axes, optional
    label : str
        Legend entry for the runs.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if landscape.dim != 1:
        raise ValueError(f"landscape_1d needs a 1D landscape, got {landscape.name!r} with "
                         f"dim {landscape.dim}")
    (lo, hi), = landscape.bounds
    xs = np.linspace(lo, hi, 400)
    ys = landscape.loss(xs[:, None])

    fig, ax = _axes(ax, width=6.0, height=3.6)
    with style_context():
        ax.plot(xs, ys, color=INK, linewidth=1.8)
        bottom = ys.min() - 0.08 * (ys.max() - ys.min())
        if positions is not None:
            if isinstance(positions, Trajectory):
                p = positions.final[~positions.diverged, 0]
            else:
                p = np.asarray(positions, dtype=float).reshape(-1)
            p = p[np.isfinite(p)]
            alpha = max(0.05, min(1.0, 5.0 / np.sqrt(max(p.size, 1))))
            ax.plot(p, landscape.loss(p[:, None]), linestyle="none", marker="o", markersize=5,
                    color=color(0), alpha=alpha, label=f"{label} ({p.size})")
            ax.plot(p, np.full_like(p, bottom), linestyle="none", marker="|", markersize=12,
                    color=color(0), alpha=alpha)
        m = landscape.minima
        ax.plot(m[:, 0], landscape.loss(m), linestyle="none", marker="*", markersize=12,
                color=INK, label="minimum", zorder=3)
        barrier = getattr(landscape, "barrier", None)
        if barrier is not None:
            ax.axvline(barrier, color=INK, linestyle=":", linewidth=1.0, label="barrier")
        ax.set_xlim(lo, hi)
        ax.set_ylim(bottom - 0.04 * (ys.max() - ys.min()), None)
        ax.set_xlabel("x")
        ax.set_ylabel("loss")
        ax.legend(loc="best")
        if title:
            ax.set_title(title)
    return fig


def escape_bars(labels: Sequence[str], fractions: ArrayLike, ax: Axes | None = None,
                ylabel: str = "fraction of runs that escaped", title: str | None = None) -> Figure:
    """Bar chart of fractions in [0, 1] (e.g. from ``Trajectory.escape_fraction``).

    Each bar carries its value as a percentage.

    Parameters
    ----------
    labels : sequence of str
        One label per bar.
    fractions : array_like
        One value in [0, 1] per label.
    ax : matplotlib Axes, optional
    ylabel : str
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = [str(s) for s in labels]
    f = np.asarray(fractions, dtype=float).reshape(-1)
    if f.size != len(labels):
        raise ValueError(f"fractions has {f.size} values but labels has {len(labels)}")
    if not np.all((f >= 0) & (f <= 1)):
        raise ValueError(f"fractions must be in [0, 1], got {f.tolist()}")

    fig, ax = _axes(ax, width=max(3.0, 1.1 * len(labels) + 1.5), height=3.6)
    with style_context():
        bars = ax.bar(range(len(labels)), f, color=[color(i) for i in range(len(labels))],
                      tick_label=labels)
        ax.bar_label(bars, labels=[f"{v:.0%}" for v in f], padding=2)
        ax.set_ylim(0, 1.12)
        ax.set_ylabel(ylabel)
        ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(title)
    return fig
