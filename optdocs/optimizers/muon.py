"""Muon: momentum whose matrix step is orthogonalised, so every direction moves by about as much."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optdocs._checks import check_finite, check_nonneg, check_positive, check_positive_int
from optdocs.optimizers._runs import StackedRuns, norm
from optdocs.optimizers._structure import label, pair
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides, Params

#: torch's quintic Newton-Schulz coefficients (a, b, c) and its number of iterations.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
NS_STEPS = 5
#: The ways torch scales the rate to the matrix's shape.
ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


def newton_schulz(m: np.ndarray, coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
                  steps: int = NS_STEPS, eps: float = 1e-7, stacked: bool = False) -> np.ndarray:
    r"""An approximate orthogonalisation of the matrix ``m``, as torch's Muon computes it.

    With $M = U \Sigma V^\top$, the ideal is $U V^\top$: the same singular vectors with every
    singular value set to 1. Starting from $X_0 = M / \max(\lVert M \rVert_F, \epsilon)$ (all
    singular values in $(0, 1]$), each iteration applies an odd polynomial to the singular values,
    $X_{k+1} = a X_k + (b A_k + c A_k^2) X_k$ with $A_k = X_k X_k^\top$, that is $\sigma
    \mapsto a\sigma + b\sigma^3 + c\sigma^5$. The coefficients push small values up fast; after five
    iterations they lie roughly between 0.7 and 1.2 rather than exactly at 1. A tall matrix is
    transposed first so $A_k$ is the smaller Gram matrix. Here in float64; torch works in bfloat16.
    With ``stacked``, ``m`` is a stack of matrices (one per run), each orthogonalised on its own.
    """
    a, b, c = coefficients
    tall = m.shape[-2] > m.shape[-1]
    x = np.swapaxes(m, -1, -2) if tall else m
    x = x / np.maximum(norm(x, stacked), eps)
    for _ in range(steps):
        gram = x @ np.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return np.swapaxes(x, -1, -2) if tall else x


def adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    r"""The rate for a matrix of ``shape`` $A \times B$: $\gamma\sqrt{\max(1, A/B)}$ (``original``,
    the default) or $0.2\,\gamma\sqrt{\max(A, B)}$ (``match_rms_adamw``, an RMS like AdamW's)."""
    rows, cols = shape[-2:]
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1, rows / cols))


def check_coefficients(value: Any) -> tuple[float, float, float]:
    """Three finite numbers, or ``ValueError`` naming ``ns_coefficients``."""
    try:
        a, b, c = value
    except (TypeError, ValueError):
        raise ValueError(f"ns_coefficients must be three numbers (a, b, c), got {value!r}") from None
    return tuple(check_finite(f"ns_coefficients[{i}]", x) for i, x in enumerate((a, b, c)))


class Muon(StackedRuns, Optimizer):
    r"""Muon (Jordan et al., 2024), as ``torch.optim.Muon``, orthogonalising in float64.

    For a weight matrix with gradient $G_t$, momentum $\mu$ and decay $\lambda$:

    $$
    \begin{aligned}
    B_t &= \mu B_{t-1} + (1 - \mu) G_t \\
    \tilde B_t &= (1 - \mu) G_t + \mu B_t \quad \text{(Nesterov; } \tilde B_t = B_t \text{ without)} \\
    O_t &= \mathrm{NS}_5(\tilde B_t) \approx U V^\top \text{ where } \tilde B_t = U \Sigma V^\top \\
    \theta_t &= \theta_{t-1} (1 - \gamma\lambda) - \gamma \sqrt{\max(1, A/B)} \, O_t
    \end{aligned}
    $$

    The momentum is an average (torch's code lerps, although its docstring writes $\mu B + G$).
    $\mathrm{NS}_5$ is five Newton-Schulz iterations (``newton_schulz``). The step keeps the
    directions of the momentum matrix but gives them all about the same size, so a direction with
    a small singular value (rarely pushed) moves as far as the dominant one. The rate is scaled by
    the matrix's shape $A \times B$ (``adjust_lr_fn``).

    torch casts the matrix to bfloat16 for the iterations; optdocs stays in float64.
    ``dev/torch_reference.py`` checks optdocs against torch's algorithm run in float64 (to 1e-12)
    and measures the bfloat16 class: after 20 steps on an 8x4 matrix (lr 0.02, the same gradient
    rule) torch's parameters end 5e-3 of the distance travelled (1e-3 of their norm) away from
    the float64 run's (torch 2.13; recorded as ``muon_bfloat16`` in
    ``tests/data/torch_reference.json``).

    Muon takes only matrices: a parameter that is not 2-D raises ``ValueError`` naming its key and
    shape, before any parameter is updated (torch also raises). Use another optimizer for biases.
    Defaults are torch's: ``lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True``. The
    rule mixes the elements of a matrix, so ``elementwise`` is False; with ``stacked=True`` every
    parameter is a stack of matrices, one per independent run (``optdocs.nn``'s stacked networks),
    each stepped as one optimizer per run would step it (its ``state_dict()`` records ``stacked``,
    and loading refuses the other setting).

    State: ``step``, ``momentum_buffer`` ($B_t$); ``get`` also computes ``update``.
    """

    elementwise = False

    def __init__(self, lr: LearningRate = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
                 eps: float = 1e-7, ns_steps: int = NS_STEPS, adjust_lr_fn: str | None = None,
                 *, stacked: bool = False, overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                              nesterov=nesterov, ns_coefficients=ns_coefficients, eps=eps,
                              ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn), overrides)
        self.stacked = bool(stacked)

    def validate(self, h):
        steps = check_positive_int("ns_steps", h["ns_steps"])
        if steps >= 100:
            raise ValueError(f"ns_steps must be < 100, got {h['ns_steps']!r}")
        if h["adjust_lr_fn"] not in ADJUST_LR_FNS:
            raise ValueError(f"adjust_lr_fn must be one of {ADJUST_LR_FNS}, got "
                             f"{h['adjust_lr_fn']!r}")
        return {"weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "momentum": check_nonneg("momentum", h["momentum"]),
                "nesterov": bool(h["nesterov"]),
                "ns_coefficients": check_coefficients(h["ns_coefficients"]),
                "eps": check_positive("eps", h["eps"]), "ns_steps": steps,
                "adjust_lr_fn": h["adjust_lr_fn"]}

    def step(self, params: Params, grads: Any) -> Params:
        """``Optimizer.step``, after checking that every parameter is a matrix (a stack of
        matrices when ``stacked``)."""
        for key, p, _ in pair(params, grads)[1]:
            if p.ndim != 2 + self.stacked:
                kind = "stacks of matrices (3-D, stacked=True)" if self.stacked else "2-D parameters"
                raise ValueError(f"Muon takes only {kind}: {label(key)} has shape "
                                 f"{p.shape} (use another optimizer for it)")
        return super().step(params, grads)

    def init_state(self, p, h):
        return {"momentum_buffer": np.zeros_like(p)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        mu, buf = h.momentum, state["momentum_buffer"]
        buf += (1 - mu) * (g - buf)                          # B_t = mu B_{t-1} + (1 - mu) G_t
        b = g + mu * (buf - g) if h.nesterov else buf        # look ahead: (1 - mu) G_t + mu B_t
        o = newton_schulz(b, h.ns_coefficients, h.ns_steps, h.eps, self.stacked)   # ~ U V^T
        d = adjusted_lr(h.lr, h.adjust_lr_fn, p.shape) * o
        if h.weight_decay != 0:
            d += h.lr * h.weight_decay * p                   # decoupled decay
        return d
    # --8<-- [end:rule]
