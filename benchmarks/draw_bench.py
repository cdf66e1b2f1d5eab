#!/usr/bin/env python3
"""How long drawing a figure takes: drawn once, against matplotlib's ``savefig``.

    python benchmarks/draw_bench.py [--rounds N]
    node benchmarks/in_pyodide.mjs --packages numpy,matplotlib -- benchmarks.draw_bench

``savefig`` of a figure with a layout engine (every optdocs figure is constrained) draws it twice:
once without output, to lay it out, then for real. ``optdocs.plots.to_svg`` (the build's figures
and cells) and the Run button's ``figure_png`` (docs/assets/runner/python/_optdocs_runner.py) run
the engine alone and draw once. For figures like the guide's (two panels, log axes, a legend
outside, a colorbar), this prints the time of each way, alternating, best of --rounds, and the
ratio; it also checks that both ways give the same bytes.
"""
from __future__ import annotations

import argparse
import importlib.util
import io
import sys
import time
import types
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "docs" / "assets" / "runner" / "python" / "_optdocs_runner.py"


def figures():
    """Three figures in the optdocs style, made afresh (a figure is drawn once per save)."""
    from optdocs.plots.style import new_figure

    t = np.arange(1, 1001)
    fig1, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    for i, p in enumerate((0.5, 1.0, 1.5)):
        a.loglog(t, t ** -p, label=f"t^-{p}")
        b.semilogy(t, np.exp(-t / (100 * (i + 1))) + 1e-6)
    a.set_xlabel("step")
    b.set_title("loss minus its minimum")
    fig1.legend(loc="outside lower center", ncols=3)
    fig2, ax = new_figure()
    im = ax.imshow(np.add.outer(np.linspace(-2, 2, 60) ** 2, np.linspace(-1, 1, 60) ** 2))
    fig2.colorbar(im, ax=ax, label="loss")
    fig3, axes = new_figure(ncols=3, width=9.0, height=3.0, sharey=True)
    for i, ax in enumerate(axes):
        ax.semilogy(t, 1 / t ** (0.5 + i / 4))
        ax.set_title(f"panel {i + 1}")
    return [fig1, fig2, fig3]


def plain(fig, fmt: str) -> bytes:
    """``savefig`` as matplotlib does it (the layout draw, then the real one)."""
    from optdocs.plots.style import style_context

    buf = io.BytesIO()
    if fmt == "svg":
        with style_context():
            fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", dpi=144)
    return buf.getvalue()


def load_runner():
    """The Run button's Python module, with stand-ins for what the page's worker provides."""
    js = types.ModuleType("js")
    js._optdocsEmit = js._optdocsFigure = lambda *args: None
    ffi = types.ModuleType("pyodide.ffi")
    ffi.to_js = lambda obj, **kw: obj
    package = types.ModuleType("pyodide")
    package.ffi = ffi
    sys.modules.update({"js": js, "pyodide": package, "pyodide.ffi": ffi})
    spec = importlib.util.spec_from_file_location("_optdocs_runner_bench", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(draw) -> tuple[float, list[bytes]]:
    """Seconds to make and draw the figures one way (making them is a small part), and the bytes."""
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    out = [draw(fig) for fig in figures()]
    seconds = time.perf_counter() - start
    plt.close("all")
    return seconds, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from optdocs.plots.style import to_svg

    runner = load_runner()

    def once_png(fig):
        FigureCanvasAgg(fig)  # as pyplot gives the Run button's figures
        return bytes(runner.figure_png(fig))

    def plain_png(fig):
        FigureCanvasAgg(fig)
        return plain(fig, "png")

    ways = {"svg": (to_svg, lambda fig: plain(fig, "svg")), "png": (once_png, plain_png)}
    print(f"Python {sys.version.split()[0]} on {sys.platform}, matplotlib {matplotlib.__version__}; "
          f"3 figures, best of {args.rounds} rounds, alternating")
    for fmt, (once, twice) in ways.items():
        best = {"once": float("inf"), "savefig": float("inf")}
        for _ in range(args.rounds):
            for name, draw in (("savefig", twice), ("once", once)):
                seconds, out = timed(draw)
                best[name] = min(best[name], seconds)
                if name == "savefig":
                    reference = out
                elif out != reference:
                    sys.exit(f"{fmt}: drawing once gave other bytes than savefig")
        print(f"{fmt}: savefig {best['savefig'] * 1000:7.1f} ms   drawn once {best['once'] * 1000:7.1f} ms"
              f"   ratio {best['once'] / best['savefig']:.2f}")


if __name__ == "__main__":
    main()
