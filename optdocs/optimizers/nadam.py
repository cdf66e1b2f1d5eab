"""NAdam: Adam with a Nesterov-style look-ahead on the first moment."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.adam import check_betas
from optdocs.optimizers.base import LearningRate, Optimizer


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

    State: ``exp_avg``, ``exp_avg_sq``, ``mu_product`` ($\prod_{i \le t} \mu_i$), ``effective_lr``,
    ``update``.
    """

    def __init__(self, lr: LearningRate = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False) -> None:
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.eps = check_positive("eps", eps)
        self.weight_decay = check_nonneg("weight_decay", weight_decay)
        self.momentum_decay = check_nonneg("momentum_decay", momentum_decay)
        self.decoupled_weight_decay = bool(decoupled_weight_decay)

    def init_state(self, p):
        return {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p),
                "mu_product": np.ones(())}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, lr):
        (b1, b2), t, psi = self.betas, self.t, self.momentum_decay
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p *= 1 - lr * self.weight_decay              # AdamW-style decay
            else:
                g = g + self.weight_decay * p                # L2 penalty
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))              # momentum at t and t + 1
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod = state["mu_product"]
        prod *= mu                                           # prod_{i<=t} mu_i
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        m_hat = mu_next * m / (1 - prod * mu_next) + (1 - mu) * g / (1 - prod)
        v_hat = v / (1 - b2**t)
        rate = lr / (np.sqrt(v_hat) + self.eps)
        p -= rate * m_hat
        state["effective_lr"] = rate
    # --8<-- [end:rule]
