"""The optimizers, one file each: ``sgd.py``, ``adagrad.py``, ``rmsprop.py``, ``adam.py``,
``adamw.py``, ``nadam.py``, ``lars.py``, ``lamb.py``, ``radam.py``, ``adafactor.py``,
``muon.py``, ``lion.py``, ``schedule_free.py``; shared bookkeeping in ``base.py``."""

from optdocs.optimizers.adafactor import Adafactor
from optdocs.optimizers.adagrad import Adagrad
from optdocs.optimizers.adam import Adam
from optdocs.optimizers.adamw import AdamW
from optdocs.optimizers.base import Optimizer
from optdocs.optimizers.lamb import LAMB
from optdocs.optimizers.lars import LARS
from optdocs.optimizers.lion import Lion
from optdocs.optimizers.muon import Muon
from optdocs.optimizers.nadam import NAdam
from optdocs.optimizers.radam import RAdam
from optdocs.optimizers.rmsprop import RMSprop
from optdocs.optimizers.schedule_free import AdamWScheduleFree
from optdocs.optimizers.sgd import SGD

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam", "LARS", "LAMB", "RAdam",
           "Adafactor", "Muon", "Lion", "AdamWScheduleFree", "Optimizer"]
