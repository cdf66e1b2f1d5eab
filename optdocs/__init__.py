"""optdocs: neural-network optimizers, learning-rate schedules and loss landscapes in NumPy.

The optimizers are importable from the top level (``from optdocs import Adam``); the rest lives in
submodules: ``optdocs.schedules``, ``optdocs.landscapes``, ``optdocs.simulate``, ``optdocs.nn`` and
``optdocs.plots`` (the only one that needs matplotlib).
"""

from optdocs.optimizers import (
    LAMB,
    LARS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    NAdam,
    Optimizer,
    RMSprop,
)

__version__ = "0.1.0"

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam", "LARS", "LAMB", "Optimizer"]
