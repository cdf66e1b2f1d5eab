"""The guide's figures, built with matplotlib's object API: each function returns a new ``Figure``
(or draws into the ``ax`` it is given) and changes no global state.

``landscape.py`` draws loss surfaces, paths and escape rates; ``curves.py`` draws loss, accuracy,
schedule and histogram panels; ``style.py`` holds the shared colour-blind-safe look; ``display.py``
hands a finished figure to pyplot (``show``) where pyplot figures are displayed.
"""

from optdocs.plots.curves import histograms, history_curves, loss_curves, schedule_curves
from optdocs.plots.display import show
from optdocs.plots.landscape import contour, escape_bars, landscape_1d
from optdocs.plots.style import PALETTE, new_figure, style_context, to_svg

__all__ = [
    "contour", "landscape_1d", "escape_bars",
    "loss_curves", "schedule_curves", "histograms", "history_curves",
    "PALETTE", "new_figure", "style_context", "to_svg", "show",
]
