"""Adafactor: Adam-like scaling that stores a matrix's second moment as one row and one column."""

from __future__ import annotations

from typing import Any

import numpy as np

from optdocs._checks import check_finite, check_nonneg
from optdocs.optimizers._runs import StackedRuns, norm, run_size
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides

#: The state buffers that are smaller than the parameter (a matrix's row and column factors).
FACTORS = ("row_var", "col_var")


def check_eps(eps: Any) -> tuple[float | None, float]:
    """A pair (eps1 or None, eps2), both >= 0, or ``ValueError`` naming ``eps``."""
    try:
        e1, e2 = eps
    except (TypeError, ValueError):
        raise ValueError(f"eps must be a pair (eps1 or None, eps2), got {eps!r}") from None
    return (None if e1 is None else check_nonneg("eps[0]", e1), check_nonneg("eps[1]", e2))


def factor_shapes(shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """The shapes of ``row_var`` (last axis 1) and ``col_var`` (second-to-last axis 1)."""
    return {"row_var": (*shape[:-1], 1), "col_var": (*shape[:-2], 1, shape[-1])}


class Adafactor(StackedRuns, Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018), as ``torch.optim.Adafactor``.

    For a matrix gradient $G_t$ ($R \times C$), Adafactor keeps the mean of $G_t^2$ along each
    row, $r_t$ ($R$ numbers), and along each column, $c_t$ ($C$ numbers), instead of Adam's
    $R \times C$ second moment, and rebuilds the estimate as the rank-one product $r_t c_t /
    \mathrm{mean}(r_t)$. Vectors keep a full $v_t$. There is no first moment. With
    $\hat\beta_{2,t} = 1 - t^{\delta}$ ($\delta$ = ``beta2_decay`` $= -0.8$, so the average
    lengthens with $t$), $\rho_t = \min(\gamma, 1/\sqrt t)$ and $d$ the clipping threshold:

    $$
    \begin{aligned}
    r_t &= \hat\beta_{2,t} r_{t-1} + (1 - \hat\beta_{2,t}) \,\mathrm{mean}_{\text{cols}}(G_t^2),
    \qquad c_t = \hat\beta_{2,t} c_{t-1} + (1 - \hat\beta_{2,t}) \,\mathrm{mean}_{\text{rows}}(G_t^2) \\
    \hat V_t &= r_t c_t / \max(\mathrm{mean}(r_t), \epsilon_1) \\
    U_t &= G_t / \sqrt{\max(\hat V_t, \epsilon_1^2)} \\
    \alpha_t &= \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1})) \, \rho_t \\
    \theta_t &= \theta_{t-1} (1 - \gamma\lambda) - \alpha_t U_t / \max(1, \mathrm{RMS}(U_t)/d)
    \end{aligned}
    $$

    So the step is relative to the parameter's own size ($\mathrm{RMS}$ is the root mean
    square), and its RMS is clipped at $d \, \alpha_t$. Note that torch's ``lr`` caps
    $\rho_t = \min(\gamma, 1/\sqrt t)$: it is no plain multiplier. ``eps=(None, 1e-3)``: $\epsilon_1$
    None means the dtype's machine epsilon. Arrays of more than two axes are factored over their
    last two. Norms are per array, so ``elementwise`` is False; with ``stacked=True`` every
    parameter carries a leading axis of independent runs (``optdocs.nn``'s stacked networks) and
    norms and factors are taken per run, the same numbers as one optimizer per run (its
    ``state_dict()`` records ``stacked``, and loading refuses the other setting).

    State: ``step``; ``row_var`` (shape ``(..., R, 1)``) and ``col_var`` (``(..., 1, C)``) for
    arrays of two axes or more, ``variance`` for vectors and scalars. ``get`` also computes
    ``update``.
    """

    elementwise = False

    def __init__(self, lr: LearningRate = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, stacked: bool = False,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                              weight_decay=weight_decay), overrides)
        self.stacked = bool(stacked)

    def validate(self, h):
        beta2_decay = check_finite("beta2_decay", h["beta2_decay"])
        if beta2_decay > 0:
            raise ValueError(f"beta2_decay must be <= 0, got {h['beta2_decay']!r}")
        d = check_finite("d", h["d"])
        if d < 1:
            raise ValueError(f"d (the clipping threshold) must be >= 1, got {h['d']!r}")
        return {"beta2_decay": beta2_decay, "eps": check_eps(h["eps"]), "d": d,
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"])}

    def init_state(self, p, h):
        if p.ndim - self.stacked > 1:
            return {name: np.zeros(shape, p.dtype) for name, shape in factor_shapes(p.shape).items()}
        return {"variance": np.zeros_like(p)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        t, (eps1, eps2), runs = state["step"], h.eps, self.stacked
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        w = t**h.beta2_decay                                 # 1 - beta2_t = t^(-0.8)
        rho = min(h.lr, 1 / t**0.5)                          # relative step size
        n = run_size(p, runs)
        alpha = np.maximum(eps2, norm(p, runs) / n**0.5) * rho       # eps2 or RMS(theta), times rho
        if p.ndim - runs > 1:
            row, col = state["row_var"], state["col_var"]
            row += w * (np.mean(g * g, axis=-1, keepdims=True) - row)   # mean over columns
            col += w * (np.mean(g * g, axis=-2, keepdims=True) - col)   # mean over rows
            var = (row @ col) / np.maximum(np.mean(row, axis=-2, keepdims=True), eps1)
        else:
            v = state["variance"]
            v += w * (g * g - v)
            var = v
        u = g / np.sqrt(np.maximum(var, eps1 * eps1))        # G / sqrt(V_hat)
        clip = np.maximum(1.0, norm(u, runs) / (n**0.5 * h.d))   # RMS(U) <= d
        u *= alpha / clip
        if h.weight_decay != 0:
            u += h.lr * h.weight_decay * p                   # theta (1 - lr wd)
        return u
    # --8<-- [end:rule]
