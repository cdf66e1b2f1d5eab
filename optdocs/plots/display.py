"""Showing a figure made with :func:`optdocs.plots.new_figure` where pyplot figures are shown."""

from __future__ import annotations

from matplotlib.figure import Figure


def show(fig: Figure) -> Figure:
    """Hand ``fig`` to pyplot as a new open figure, so ``plt.show()``, a notebook or the guide's Run
    button displays it like a figure made with ``plt.figure()``; returns ``fig``.

    The optdocs figures are built without pyplot (no global state), so pyplot does not know them
    until they are handed over. Only pyplot's public ``figure(FigureClass=...)`` is used: the class
    it is given returns ``fig`` itself, which pyplot then manages (closing it with
    ``plt.close(fig)`` works as for any figure).
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib.figure.Figure, got {type(fig).__name__}")
    import matplotlib.pyplot as plt

    if fig.canvas.manager is not None and fig in [plt.figure(n) for n in plt.get_fignums()]:
        return fig  # already open in pyplot

    def same_figure(*args, **kwargs):
        return fig

    size = tuple(fig.get_size_inches())
    shown = plt.figure(FigureClass=same_figure, figsize=size, dpi=fig.get_dpi())
    if shown is not fig:  # pragma: no cover - a pyplot that ignores FigureClass
        raise RuntimeError("pyplot did not take the figure")
    return fig
