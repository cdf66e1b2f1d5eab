"""RAdam: Adam whose adaptive step is switched on only once its variance estimate is reliable."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.adam import check_betas
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


def sma_length(b2: float, t: int) -> tuple[float, float]:
    r"""$(\rho_\infty, \rho_t)$: the longest and the current length of the approximated simple
    moving average, $\rho_\infty = 2/(1-\beta_2) - 1$, $\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)$."""
    rho_inf = 2 / (1 - b2) - 1
    return rho_inf, rho_inf - 2 * t * b2**t / (1 - b2**t)


def rectification(b2: float, t: int) -> float | None:
    r"""$r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}$
    when $\rho_t > 5$, else None (the step is plain momentum SGD)."""
    rho_inf, rho_t = sma_length(b2, t)
    if rho_t <= 5.0:
        return None
    return ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    Early on, $v_t$ averages only a few squared gradients, so Adam's divisor is noisy. RAdam
    measures how many samples the average effectively holds, $\rho_t$ (it grows from 1 toward
    $\rho_\infty = 2/(1-\beta_2) - 1$), and while $\rho_t \le 5$ takes a bias-corrected momentum
    step without any division. After that it divides, scaled by a rectification factor
    $r_t < 1$ that tends to 1:

    $$
    \begin{aligned}
    m_t &= (1 - \beta_1) g_t + \beta_1 m_{t-1}, \qquad v_t = (1 - \beta_2) g_t^2 + \beta_2 v_{t-1} \\
    \hat m_t &= m_t / (1 - \beta_1^t) \\
    \theta_t &= \theta_{t-1} - \begin{cases}
        \gamma \, r_t \, \hat m_t \sqrt{1 - \beta_2^t} / (\sqrt{v_t} + \epsilon) & \rho_t > 5 \\
        \gamma \, \hat m_t & \text{otherwise}
    \end{cases}
    \end{aligned}
    $$

    As in torch, $\epsilon$ is added to $\sqrt{v_t}$ before the bias correction (Adam adds it
    to $\sqrt{\hat v_t}$). With $\beta_2 = 0.999$ the first five steps are momentum steps.
    ``weight_decay`` is an L2 term added to $g_t$, or with ``decoupled_weight_decay=True`` a
    shrinking of the weights by $1 - \gamma\lambda$ as in AdamW.

    State: ``step``, ``exp_avg`` ($m_t$), ``exp_avg_sq`` ($v_t$); ``get`` also computes
    ``update`` and ``effective_lr``.
    """

    def __init__(self, lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, *, overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                              decoupled_weight_decay=decoupled_weight_decay), overrides)

    def validate(self, h):
        return {"betas": check_betas(h["betas"]), "eps": check_positive("eps", h["eps"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "decoupled_weight_decay": bool(h["decoupled_weight_decay"])}

    def init_state(self, p, h):
        return {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        (b1, b2), t, wd = h.betas, state["step"], h.weight_decay
        if wd != 0 and not h.decoupled_weight_decay:
            g = g + wd * p                                   # L2 penalty: enters the moments
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)                              # m_t = b1 m_{t-1} + (1 - b1) g_t
        v *= b2
        v += (1 - b2) * g * g                                # v_t = b2 v_{t-1} + (1 - b2) g_t^2
        m_hat = m / (1 - b1**t)
        r = rectification(b2, t)                             # None while rho_t <= 5
        if r is None:
            d = h.lr * m_hat                                 # too few samples: momentum only
        else:
            d = m_hat * h.lr * ((1 - b2**t) ** 0.5 / (np.sqrt(v) + h.eps)) * r
        if wd != 0 and h.decoupled_weight_decay:
            d += h.lr * wd * p                               # AdamW-style shrinking
        return d
    # --8<-- [end:rule]

    def effective_lr(self, state, h):
        b2, t = h.betas[1], state["step"]
        r = rectification(b2, t)
        if r is None:
            return h.lr
        return h.lr * r * (1 - b2**t) ** 0.5 / (np.sqrt(state["exp_avg_sq"]) + h.eps)
