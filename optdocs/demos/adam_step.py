r"""Adam's normalised step under a shrinking, noisy gradient, against SGD's raw step.

The gradient sequence is :math:`g_t = e^{-t/\tau}(1 + \sigma z_t)`, :math:`t = 1, 2, \dots`,
with :math:`z_t` standard normal from ``np.random.default_rng(seed)``: the sequence of the
chapter's figure "adam-normalised-step" (which runs 3000 steps of the same draws), with the
scale :math:`e^{-t/\tau}` computed to the same bits on every platform (see ``_scale``). It
does not depend on the parameter, so each optimizer steps a single number and the step it takes
is read exactly: the parameter is set to 0 before every step and holds minus the step afterwards.

Steps are reported divided by the learning rate ("step / lr"), so 1 means "a full lr".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from optdocs.demos._checks import MAX_STEPS, _floats, _integer, _number
from optdocs.optimizers import SGD, Adam

#: The readouts' window: mean step / lr over the WINDOW steps ending at a step.
WINDOW = 100
#: Single steps reported exactly (step / lr at these t).
AT_STEPS = (1, 2, 10, 100)


def _checked(noise, steps, tau, lr, seed, first, block) -> tuple:
    noise = _number("noise", noise, low=0.0, high=100.0)
    steps = _integer("steps", steps, 2 * WINDOW, MAX_STEPS)
    tau = _number("tau", tau, positive=True)
    lr = _number("lr", lr, positive=True)
    seed = _integer("seed", seed, 0, 2**32 - 1)
    first = _integer("first", first, 1, steps)
    block = _integer("block", block, 1, steps)
    return noise, steps, tau, lr, seed, first, block


def _scale(steps: int, tau: float) -> np.ndarray:
    r""":math:`e^{-t/\tau}` for t = 1 .. steps, the same bits on every platform.

    NumPy's and the C library's ``exp`` differ in the last bit between platforms (CPython on
    Linux and Pyodide disagree on about 6% of these values), which would make the page's live
    answers differ from the build's. So :math:`e^{-1/\tau}` is computed once with ``decimal``
    (correctly rounded) and raised to the power t by repeated multiplication.
    """
    r = float((Decimal(-1) / Decimal(tau)).exp())
    return np.cumprod(np.full(steps, r))


def _gradients(noise: float, steps: int, tau: float, seed: int) -> np.ndarray:
    z = np.random.default_rng(seed).standard_normal(steps)
    return _scale(steps, tau) * (1 + noise * z)


def _summary(ratio: np.ndarray, first: int, block: int) -> dict[str, Any]:
    """The drawn parts (first steps, block means) and the exact readouts of one step/lr series."""
    n = len(ratio) // block
    mid = len(ratio) // 2
    out: dict[str, Any] = {
        "first": _floats(ratio[:first]),
        "blocks": _floats(ratio[:n * block].reshape(n, block).mean(axis=1)),
        "mean_mid": float(ratio[mid - WINDOW:mid].mean()),
        "mean_end": float(ratio[-WINDOW:].mean()),
    }
    out.update({f"step_{t}": float(ratio[t - 1]) for t in AT_STEPS})
    return out


def _layout(steps: int, tau: float, block: int) -> dict[str, Any]:
    n = steps // block
    scale = _scale(steps, tau)
    return {"steps": steps, "mid": steps // 2, "window": WINDOW, "block": block,
            "block_end": [int(e) for e in np.arange(1, n + 1) * block],
            "scale_blocks": _floats(scale[:n * block].reshape(n, block).mean(axis=1)),
            "scale_end": float(scale[-1])}


def sgd_normalised_step(noise: float = 0.5, steps: int = 1000, tau: float = 500.0,
                        lr: float = 0.01, seed: int = 0, first: int = 50,
                        block: int = 20) -> dict[str, Any]:
    r"""SGD's step / lr on the shrinking gradient: it follows the gradient down.

    SGD's learning rate is :math:`\mathrm{lr}\, e^{1/\tau}`, so that its first step is lr at the
    gradient's initial scale :math:`e^{-1/\tau}` (as in the chapter's figure).

    Parameters
    ----------
    noise : float
        :math:`\sigma`, 0 to 100: the noise relative to the gradient's scale.
    steps : int
        200 to 5000.
    tau : float
        The gradient shrinks by a factor :math:`e` every ``tau`` steps, > 0.
    lr : float
        Learning rate the steps are divided by, > 0.
    seed : int
        Seed of :math:`z_t`, 0 to 2**32 - 1.
    first : int
        How many single steps ``first`` holds, 1 to ``steps``.
    block : int
        Steps per mean in ``blocks``, 1 to ``steps``.

    Returns
    -------
    dict
        ``first`` (step / lr of steps 1 to ``first``), ``blocks`` (mean step / lr over each
        ``block`` steps, ending at ``block_end``), ``step_1``, ``step_2``, ``step_10``,
        ``step_100`` (single steps), ``mean_mid``, ``mean_end`` (mean over the 100 steps ending at
        step ``mid = steps // 2`` and at the last step); the layout: ``steps``, ``mid``,
        ``window``, ``block``, ``block_end``, ``scale_blocks`` (the gradient's scale
        :math:`e^{-t/\tau}`, block means) and ``scale_end``.
    """
    noise, steps, tau, lr, seed, first, block = _checked(noise, steps, tau, lr, seed, first, block)
    g = _gradients(noise, steps, tau, seed)
    opt, w, ratio = SGD(lr=lr / _scale(1, tau)[0]), np.zeros(1), np.empty(steps)
    for i in range(steps):
        w[0] = 0.0
        opt.step(w, g[i:i + 1])
        ratio[i] = -w[0] / lr
    return {**_layout(steps, tau, block), **_summary(ratio, first, block)}


def adam_normalised_step(noise: float = 0.5, beta1: float = 0.9, beta2: float = 0.999,
                         steps: int = 1000, tau: float = 500.0, lr: float = 0.01, seed: int = 0,
                         first: int = 50, block: int = 20) -> dict[str, Any]:
    r"""Adam's step / lr on the shrinking gradient, with and without bias correction.

    ``optdocs.Adam`` (as ``torch.optim.Adam``) always corrects its moments; it has no switch to
    turn the correction off. The uncorrected step is therefore computed here from Adam's own state
    after each step, :math:`\mathrm{lr}\, m_t / (\sqrt{v_t} + \epsilon)` with :math:`m_t` =
    ``exp_avg`` and :math:`v_t` = ``exp_avg_sq``: since the gradients do not depend on the
    parameter, this is exactly the step Adam without correction would take. Up to
    :math:`\epsilon` it is :math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}` times Adam's step: at
    :math:`t = 1`, :math:`(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.2` with the defaults.

    Parameters
    ----------
    noise : float
        :math:`\sigma`, 0 to 100.
    beta1, beta2 : float
        Adam's decay rates, in [0, 1).
    steps, tau, lr, seed, first, block
        As in ``sgd_normalised_step``.

    Returns
    -------
    dict
        The keys of ``sgd_normalised_step`` for Adam's steps, and under ``uncorrected`` the same
        step summary (``first``, ``blocks``, ``step_1``, ..., ``mean_end``) for the uncorrected
        steps.
    """
    noise, steps, tau, lr, seed, first, block = _checked(noise, steps, tau, lr, seed, first, block)
    beta1 = _number("beta1", beta1, low=0.0)
    beta2 = _number("beta2", beta2, low=0.0)
    if not beta1 < 1:
        raise ValueError(f"beta1 must be < 1, got {beta1!r}")
    if not beta2 < 1:
        raise ValueError(f"beta2 must be < 1, got {beta2!r}")
    g = _gradients(noise, steps, tau, seed)
    opt, w = Adam(lr=lr, betas=(beta1, beta2)), np.zeros(1)
    ratio, m, v = np.empty(steps), np.empty(steps), np.empty(steps)
    for i in range(steps):
        w[0] = 0.0
        opt.step(w, g[i:i + 1])
        ratio[i] = -w[0] / lr
        (state,) = opt.state.values()
        m[i], v[i] = state["exp_avg"][0], state["exp_avg_sq"][0]
    uncorrected = m / (np.sqrt(v) + opt.eps)
    return {**_layout(steps, tau, block), **_summary(ratio, first, block),
            "uncorrected": _summary(uncorrected, first, block)}
