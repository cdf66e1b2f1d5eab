"""Adam: momentum on the gradient, RMSprop-style scaling, and bias correction of both."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive, check_unit_interval
from optdocs.optimizers.base import LearningRate, Optimizer


def check_betas(betas: tuple[float, float]) -> tuple[float, float]:
    """Both coefficients in [0, 1), or ``ValueError`` naming ``betas``."""
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    return (check_unit_interval("betas[0]", b1), check_unit_interval("betas[1]", b2))


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    With learning rate $\gamma$, decay rates $\beta_1, \beta_2$ and L2 weight decay $\lambda$:

    $$
    \begin{aligned}
    g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
    m_t &= (1 - \beta_1) g_t + \beta_1 m_{t-1} \\
    v_t &= (1 - \beta_2) g_t^2 + \beta_2 v_{t-1} \\
    \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
    \theta_t &= \theta_{t-1} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
    \end{aligned}
    $$

    With ``amsgrad=True`` the denominator uses the running maximum of $v_t$ (bias-corrected),
    so the effective rate never grows. At $t = 1$, $\hat m_1 = g_1$ and $\hat v_1 = g_1^2$, so the
    first step is $\gamma\,\mathrm{sign}(g_1)$ for every element (up to $\epsilon$).

    ``weight_decay`` here is an L2 penalty added to the gradient, so it passes through the
    adaptive scaling; ``AdamW`` decouples it.

    State: ``exp_avg`` ($m_t$), ``exp_avg_sq`` ($v_t$), ``max_exp_avg_sq`` (amsgrad),
    ``effective_lr`` ($\gamma / (\sqrt{\hat v_t} + \epsilon)$), ``update``.
    """

    def __init__(self, lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.eps = check_positive("eps", eps)
        self.weight_decay = check_nonneg("weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)

    def init_state(self, p):
        state = {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(p)
        return state

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, lr):
        if self.weight_decay != 0:
            g = g + self.weight_decay * p                    # L2 penalty: enters the moments
        self.adam_step(p, g, state, lr)

    def adam_step(self, p, g, state, lr):
        (b1, b2), t = self.betas, self.t
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g                                    # m_t = b1 m_{t-1} + (1 - b1) g_t
        v *= b2
        v += (1 - b2) * g * g                                # v_t = b2 v_{t-1} + (1 - b2) g_t^2
        if self.amsgrad:
            vmax = state["max_exp_avg_sq"]
            np.maximum(vmax, v, out=vmax)                    # never let the denominator shrink
            v = vmax
        m_hat = m / (1 - b1**t)                              # bias corrections
        v_hat = v / (1 - b2**t)
        rate = lr / (np.sqrt(v_hat) + self.eps)              # per-parameter rate
        p -= rate * m_hat                                    # theta_t = theta_{t-1} - rate * m_hat
        state["effective_lr"] = rate
    # --8<-- [end:rule]
