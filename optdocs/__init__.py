"""optdocs: neural-network optimizers, learning-rate schedules and loss landscapes in NumPy.

The optimizers are importable from the top level (``from optdocs import Adam``); the rest lives in
submodules: ``optdocs.schedules``, ``optdocs.landscapes``, ``optdocs.simulate``, ``optdocs.nn`` and
``optdocs.plots`` (the only one that needs matplotlib).
"""

from optdocs.optimizers import (
    LAMB,
    LARS,
    SGD,
    Adafactor,
    Adagrad,
    Adam,
    AdamW,
    AdamWScheduleFree,
    Lion,
    Muon,
    NAdam,
    Optimizer,
    RAdam,
    RMSprop,
)

__version__ = "0.1.0"

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam", "LARS", "LAMB", "RAdam",
           "Adafactor", "Muon", "Lion", "AdamWScheduleFree", "Optimizer"]
