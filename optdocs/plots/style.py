"""One look for every figure: the Okabe-Ito colour-blind-safe palette, no global state.

Figures are built on ``matplotlib.figure.Figure`` directly (never ``pyplot``), so calling a
plotting function changes no rcParams and leaves no open figure behind. Text and axes are drawn in a
mid grey that reads on both a white and a dark page background, and the figure background is
transparent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from matplotlib.figure import Figure

#: Okabe & Ito (2008) colours, in the order series are drawn.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Grey used for text, spines and grid: readable on light and dark backgrounds.
INK = "#808080"

#: Line styles cycled together with colours so series differ without colour too.
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")

_RC: dict[str, Any] = {
    "font.size": 10,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "axes.grid": True,
    "grid.color": INK,
    "grid.alpha": 0.25,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "legend.frameon": False,
    "svg.fonttype": "none",  # text stays text: smaller files, selectable labels
    "svg.hashsalt": "optdocs",  # stable element ids: the same figure gives the same SVG bytes
}


def color(i: int) -> str:
    """The i-th series colour (cycles through ``PALETTE``)."""
    return PALETTE[i % len(PALETTE)]


def linestyle(i: int) -> str:
    """The i-th series line style (cycles through ``LINESTYLES``)."""
    return LINESTYLES[i % len(LINESTYLES)]


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 4.0,
               sharex: bool | str = False, sharey: bool | str = False,
               **subplot_kw: Any) -> tuple[Figure, Any]:
    """A transparent figure in the optdocs style and its axes (one Axes, or an array of them).

    ``sharex``/``sharey`` go to ``Figure.subplots``; other keywords become ``subplot_kw``.

    The style is applied through ``matplotlib.rc_context`` only while the axes are created, so
    global rcParams are left as they were.
    """
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        fig.patch.set_alpha(0.0)
        axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=True,
                            subplot_kw=subplot_kw or None)
    for ax in (axes.flat if hasattr(axes, "flat") else [axes]):
        ax.patch.set_alpha(0.0)
    return fig, axes


def style_context():
    """Context manager applying the optdocs rcParams; use it around drawing calls, e.g.
    ``with style_context(): ax.plot(...)`` so tick labels and text pick up the palette."""
    import matplotlib

    return matplotlib.rc_context(_RC)


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes that are identical for identical figures (fixed ids, no date).

    The figure is drawn once. ``savefig`` of a figure with a layout engine draws it twice: once
    without output, to lay it out, then for real. Here the engine lays the figure out alone
    (:func:`_laid_out_for_svg`) and ``savefig`` draws it; the bytes are the same, in about half the
    time.
    """
    import io

    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_RC), _laid_out_for_svg(fig):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


@contextlib.contextmanager
def _laid_out_for_svg(fig: Figure) -> Iterator[None]:
    """Run the figure's layout engine as an SVG save would, then detach the engine until exit.

    The layout uses what the SVG is drawn with: the text metrics of an SVG canvas, at the 72 dpi
    the SVG backend draws at. With no engine attached, ``savefig`` skips its layout draw. On exit
    the figure gets back its canvas, dpi and engine.
    """
    engine = fig.get_layout_engine()
    if engine is None:
        yield
        return
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    canvas, dpi = fig.canvas, fig.dpi
    try:
        FigureCanvasSVG(fig)  # attaches itself to fig
        fig.dpi = FigureCanvasSVG.fixed_dpi
        engine.execute(fig)
        fig.dpi = dpi
        fig.set_layout_engine(None)
        yield
    finally:
        fig.dpi = dpi
        fig.set_layout_engine(engine)
        fig.set_canvas(canvas)
