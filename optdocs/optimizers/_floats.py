"""SGD's, Adam's and AdamW's rules in Python floats, for tiny parameters (``_tiny``).

Each ``kernel(h, t, p, g, buffers)`` gets the parameter and the gradient as lists of floats and
the state buffers (in the order its ``names(h)`` gives) as flat float views of their arrays; like
the rule it transcribes, it updates the buffers in place and returns the step ``d`` (a list).
Every line repeats one line of that rule, element by element, with the same operations in the
same order (``a * b * c`` is ``(a * b) * c`` in both, and CPython fuses nothing), so each element
comes out as NumPy computes it. A kernel must not raise where NumPy returns inf or nan (Python
raises for ``math.sqrt`` of a negative number and for a division by zero), since it has already
written part of the state. A rule without a kernel here is always run by NumPy;
``tests/test_optimizers_fast_path.py`` compares every kernel with its rule, option by option.
"""

from __future__ import annotations

import math

import numpy as np

from optdocs.optimizers.adam import Adam
from optdocs.optimizers.adamw import AdamW
from optdocs.optimizers.sgd import SGD

with np.errstate(invalid="ignore"):
    #: NumPy's square root of a negative number: a nan, with the sign bit this machine gives it.
    NAN_ROOT = float(np.sqrt(np.array([-1.0]))[0])


def sgd_names(h) -> tuple[str, ...]:
    return ("momentum_buffer",) if h.momentum != 0 else ()


def sgd(h, t, p, g, buffers):
    """``SGD.update_rule``."""
    mu, tau, wd, lr, nesterov = h.momentum, h.dampening, h.weight_decay, h.lr, h.nesterov
    if wd != 0:
        g = [gi + wd * pi for gi, pi in zip(g, p, strict=True)]       # g = g + wd * p
    if mu == 0:
        return [lr * gi for gi in g]                     # lr * g
    b, damp = buffers[0], 1 - tau
    d = g[:]
    for i, gi in enumerate(g):
        b[i] *= mu                                       # b *= mu
        b[i] += gi if tau == 0 else damp * gi            # b += g, or (1 - tau) * g
        d[i] = lr * (gi + mu * b[i]) if nesterov else lr * b[i]   # lr * (g + mu * b), lr * b
    return d


def adam_names(h) -> tuple[str, ...]:
    return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if h.amsgrad else ())


def adam_step(h, t, g, buffers):
    """``Adam.adam_step``."""
    (b1, b2), eps, root = h.betas, h.eps, math.sqrt
    m, v, vmax = buffers[0], buffers[1], buffers[2] if h.amsgrad else None
    a1, a2 = 1 - b1, 1 - b2
    step_size = h.lr / (1 - b1**t)
    c2 = (1 - b2**t) ** 0.5
    d = g[:]
    for i, gi in enumerate(g):
        mi, vi = m[i], v[i]
        mi = m[i] = mi + a1 * (gi - mi)                  # m += (1 - b1) * (g - m)
        vi = v[i] = vi * b2 + a2 * gi * gi               # v *= b2; v += (1 - b2) * g * g
        if vmax is not None:                             # np.maximum(vmax, v, out=vmax): nan
            wi = vmax[i]                                 # wins, and a tie gives v
            vi = vmax[i] = vi if vi >= wi or vi != vi else wi
        root_v = root(vi) if vi >= 0 else NAN_ROOT       # np.sqrt(v) (math.sqrt would raise)
        d[i] = step_size * mi / (root_v / c2 + eps)      # step_size * m / (sqrt(v) / c2 + eps)
    return d


def adam(h, t, p, g, buffers):
    """``Adam.update_rule``."""
    if h.weight_decay != 0:
        g = [gi + h.weight_decay * pi for gi, pi in zip(g, p, strict=True)]     # g + weight_decay * p
    return adam_step(h, t, g, buffers)


def adamw(h, t, p, g, buffers):
    """``AdamW.update_rule``."""
    d = adam_step(h, t, g, buffers)
    if h.weight_decay != 0:
        c = h.lr * h.weight_decay
        for i, pi in enumerate(p):
            d[i] += c * pi                               # d += lr * weight_decay * p
    return d


#: Optimizer class (exactly: a subclass may change the rule) -> (kernel, names).
KERNELS = {SGD: (sgd, sgd_names), Adam: (adam, adam_names), AdamW: (adamw, adam_names)}
