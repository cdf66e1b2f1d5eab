"""The step of one bare array that keeps its shape: less bookkeeping, and Python floats when tiny.

An interactive figure steps a 2-element array hundreds of times, and there a NumPy operation
costs about a microsecond whatever the size: Adam's rule is thirteen of them, so a bare NumPy
loop spends its time in call overhead. ``Fast`` remembers what the last step checked (shape,
dtype, the parameter's state and hyperparameters), so an unchanged step skips the structure
check; and for an optimizer whose rule has a float transcription in ``_floats`` (SGD, Adam,
AdamW) and a float64 parameter of at most ``TINY`` elements, ``TinyStep`` computes the step
element by element in Python floats and writes the results into the same arrays. Python's float
operations are IEEE double operations, as NumPy's float64 ones are, and the transcriptions do them
in the rule's order, so both paths give the same numbers bit for bit
(``tests/test_optimizers_fast_path.py`` holds that for every option). Anything unusual (a
parameter or buffer that is not a C-contiguous float64 array, a buffer missing or of another
shape) leaves the step to the rule, with nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: The largest parameter (in elements) stepped in Python floats; above it NumPy is faster.
TINY = 8

#: ``kernel(h, t, p, g, buffers) -> d``: one rule in floats (it updates the ``buffers`` views).
Kernel = Callable[[Any, int, list, list, list], list]
#: ``names(h)``: the state buffers a kernel reads and writes, in its order.
Names = Callable[[Any], tuple[str, ...]]

_FLOAT64 = np.dtype(np.float64)


def flat_view(a: np.ndarray) -> memoryview | None:
    """A writable 1-D float view of ``a``'s memory in C order, or None if there is none."""
    if type(a) is not np.ndarray or a.dtype != _FLOAT64 or not a.flags.c_contiguous \
            or not a.flags.writeable:
        return None
    return memoryview(a).cast("B").cast("d")


class TinyStep:
    """A float kernel bound to one parameter: views of the parameter and of its buffers."""

    __slots__ = ("kernel", "names", "param", "pview", "arrays", "views")

    def __init__(self, kernel: Kernel, names: tuple[str, ...]) -> None:
        self.kernel, self.names = kernel, names
        self.param = self.pview = None
        self.arrays: list = [None] * len(names)
        self.views: list = [None] * len(names)

    def _bind(self, params: np.ndarray, state: dict) -> bool:
        """Point the views at ``params`` and the state's buffers; False if one cannot be."""
        if params is not self.param:
            self.pview = flat_view(params)
            self.param = params if self.pview is not None else None
            if self.pview is None:
                return False
        arrays = self.arrays
        for i, name in enumerate(self.names):
            buf = state.get(name)
            if buf is not arrays[i]:
                view = flat_view(buf) if isinstance(buf, np.ndarray) else None
                if view is None or buf.shape != params.shape:
                    arrays[i] = self.views[i] = None
                    return False
                arrays[i], self.views[i] = buf, view
        return True

    def run(self, params: np.ndarray, grads: np.ndarray, state: dict, h: Any) -> list | None:
        """Take the step: update ``params`` and the buffers, count it in ``state["step"]`` and
        return the step ``d`` as a list; None (nothing changed) if a view cannot be made."""
        if not self._bind(params, state):
            return None
        t = state["step"] + 1
        pview = self.pview
        p = pview.tolist()
        g = grads.tolist() if grads.ndim == 1 else grads.ravel().tolist()
        d = self.kernel(h, t, p, g, self.views)
        for i, di in enumerate(d):
            pview[i] = p[i] - di                         # the base's p -= d
        state["step"] = t
        return d


class Fast:
    """What the last step of one bare array established, so the next can skip re-checking it."""

    __slots__ = ("shape", "dtype", "state", "h", "last", "keep", "tiny")

    def __init__(self, shape: tuple, dtype: np.dtype, state: dict, h: Any, last: dict,
                 keep: bool, tiny: TinyStep | None) -> None:
        self.shape, self.dtype, self.state, self.h = shape, dtype, state, h
        self.last, self.keep, self.tiny = last, keep, tiny


def tiny_step(kernels: dict, opt: Any, shape: tuple, dtype: np.dtype, h: Any) -> TinyStep | None:
    """A ``TinyStep`` for ``opt`` if its class has a kernel in ``kernels`` (exactly that class,
    not a subclass, and no method replaced on the instance) and the parameter is tiny float64."""
    entry = kernels.get(type(opt))
    if (entry is None or dtype != _FLOAT64 or int(np.prod(shape)) > TINY
            or any(callable(v) for v in vars(opt).values())):
        return None
    kernel, names = entry
    return TinyStep(kernel, names(h))
