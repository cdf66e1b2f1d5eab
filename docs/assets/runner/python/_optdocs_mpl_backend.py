"""matplotlib backend of the optdocs runner: Agg, and plt.show() sends the figures to the page."""
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg


class FigureCanvas(FigureCanvasAgg):
    manager_class = FigureManagerBase


FigureManager = FigureManagerBase


def show(*args, **kwargs):
    import _optdocs_runner
    _optdocs_runner.emit_figures()
