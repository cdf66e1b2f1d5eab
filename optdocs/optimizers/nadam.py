"""NAdam: Adam with a Nesterov-style look-ahead on the first moment."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.adam import check_betas
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), as ``torch.optim.NAdam`` with its momentum-decay schedule.

    With $\psi$ = ``momentum_decay`` the momentum coefficient warms up over time,
    $\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t\psi})$, and

    $$
    \begin{aligned}
    g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
    m_t &= (1 - \beta_1) g_t + \beta_1 m_{t-1}, \qquad v_t = (1 - \beta_2) g_t^2 + \beta_2 v_{t-1} \\
    \hat m_t &= \frac{\mu_{t+1} m_t}{1 - \prod_{i=1}^{t+1} \mu_i}
              + \frac{(1 - \mu_t) g_t}{1 - \prod_{i=1}^{t} \mu_i},
    \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
    \theta_t &= \theta_{t-1} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
    \end{aligned}
    $$

    With ``decoupled_weight_decay=True`` the decay is applied to the weights as in AdamW.

    State: ``step``, ``exp_avg``, ``exp_avg_sq``, ``mu_product`` ($\prod_{i \le t} \mu_i$, a
    number); ``get`` also computes ``effective_lr`` and ``update``.
    """

    def __init__(self, lr: LearningRate = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                              momentum_decay=momentum_decay,
                              decoupled_weight_decay=decoupled_weight_decay), overrides)

    def validate(self, h):
        return {"betas": check_betas(h["betas"]), "eps": check_positive("eps", h["eps"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "momentum_decay": check_nonneg("momentum_decay", h["momentum_decay"]),
                "decoupled_weight_decay": bool(h["decoupled_weight_decay"])}

    def init_state(self, p, h):
        return {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p), "mu_product": 1.0}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        (b1, b2), t, psi = h.betas, state["step"], h.momentum_decay
        wd, decoupled = h.weight_decay, h.decoupled_weight_decay
        if wd != 0 and not decoupled:
            g = g + wd * p                                   # L2 penalty
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))              # momentum at t and t + 1
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod = state["mu_product"] = state["mu_product"] * mu  # prod_{i<=t} mu_i
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        m_hat = mu_next * m / (1 - prod * mu_next) + (1 - mu) * g / (1 - prod)
        v_hat = v / (1 - b2**t)
        d = h.lr * m_hat / (np.sqrt(v_hat) + h.eps)
        if wd != 0 and decoupled:
            d += h.lr * wd * p                               # AdamW-style decay
        return d
    # --8<-- [end:rule]

    def effective_lr(self, state, h):
        v_hat = state["exp_avg_sq"] / (1 - h.betas[1] ** state["step"])
        return h.lr / (np.sqrt(v_hat) + h.eps)
