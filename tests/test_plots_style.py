"""optdocs.plots.style.to_svg: the bytes matplotlib's own save gives, drawn once, the figure untouched."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from optdocs.plots.style import _RC, new_figure, to_svg


def saved_by_matplotlib(fig: Figure) -> bytes:
    """What ``to_svg`` did before it laid the figure out itself: a plain ``savefig``."""
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def log_axes_and_legend(layout: str | None = "constrained") -> Figure:
    fig, (a, b) = new_figure(ncols=2)
    if layout != "constrained":
        fig.set_layout_engine(layout)
    t = np.arange(1, 400)
    a.loglog(t, 1 / np.sqrt(t), label="1/sqrt(t)")
    b.semilogy(t, np.exp(-t / 50), label="exp(-t/50)")
    a.set_xlabel("step")
    b.set_title("a long title that constrained layout has to make room for")
    fig.legend(loc="outside lower center", ncols=2)
    fig.suptitle("suptitle")
    return fig


def image_and_colorbar() -> Figure:
    fig, ax = new_figure()
    im = ax.imshow(np.arange(20.0).reshape(4, 5))
    fig.colorbar(im, ax=ax, label="value")
    return fig


def pyplot_figure() -> Figure:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(layout="constrained")
    ax.plot([1, 2, 3], [3e-3, 2e-1, 1e1])
    ax.set_yscale("log")
    ax.set_ylabel(r"$\eta_t$")
    return fig


@pytest.mark.parametrize("make", [log_axes_and_legend, image_and_colorbar, pyplot_figure,
                                  lambda: log_axes_and_legend("tight"),
                                  lambda: log_axes_and_legend(None)],
                         ids=["constrained", "colorbar", "pyplot", "tight", "no-engine"])
def test_same_bytes_as_savefig_and_the_figure_is_left_as_it_was(make) -> None:
    import matplotlib.pyplot as plt

    try:
        ours, theirs = make(), make()
        canvas, engine, dpi = ours.canvas, ours.get_layout_engine(), ours.dpi
        assert to_svg(ours) == saved_by_matplotlib(theirs)
        assert ours.canvas is canvas and ours.get_layout_engine() is engine and ours.dpi == dpi
        assert ours.canvas.figure is ours
    finally:
        plt.close("all")


def test_a_failing_draw_leaves_the_figure_as_it_was() -> None:
    fig, ax = new_figure()
    canvas, engine = fig.canvas, fig.get_layout_engine()
    ax.text(0.5, 0.5, r"$\frac{1}{$")  # mathtext that does not parse: the draw raises
    with pytest.raises(ValueError):
        to_svg(fig)
    assert fig.canvas is canvas and fig.get_layout_engine() is engine and fig.dpi == 100.0
