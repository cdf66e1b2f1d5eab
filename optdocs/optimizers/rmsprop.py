"""RMSprop: divide each step by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive, check_unit_interval
from optdocs.optimizers.base import LearningRate, Optimizer


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012 lecture notes), as ``torch.optim.RMSprop``.

    With learning rate $\gamma$, smoothing $\alpha$, momentum $\mu$, weight decay $\lambda$:

    $$
    \begin{aligned}
    g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
    v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
    \tilde v_t &= \begin{cases} v_t - \bar g_t^2,\ \ \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t
        & \text{centered} \\ v_t & \text{otherwise} \end{cases} \\
    b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon) \\
    \theta_t &= \theta_{t-1} - \gamma b_t
    \end{aligned}
    $$

    With $\mu = 0$ the buffer is skipped: $\theta_t = \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t}
    + \epsilon)$. PyTorch's defaults are ``lr=1e-2, alpha=0.99``; Keras uses ``rho=0.9`` and
    ``learning_rate=1e-3``, and Hinton's notes suggest 0.9 as well.

    State: ``square_avg`` ($v_t$), ``grad_avg`` ($\bar g_t$, centered), ``momentum_buffer``
    ($b_t$, $\mu > 0$), ``effective_lr``, ``update``.
    """

    def __init__(self, lr: LearningRate = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(lr)
        self.alpha = check_unit_interval("alpha", alpha)
        self.eps = check_positive("eps", eps)
        self.weight_decay = check_nonneg("weight_decay", weight_decay)
        self.momentum = check_nonneg("momentum", momentum)
        self.centered = bool(centered)

    def init_state(self, p):
        state = {"square_avg": np.zeros_like(p)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(p)
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(p)
        return state

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, lr):
        a = self.alpha
        if self.weight_decay != 0:
            g = g + self.weight_decay * p                    # g_t = grad + lambda * theta
        v = state["square_avg"]
        v *= a
        v += (1 - a) * g * g                                 # v_t = a v_{t-1} + (1 - a) g_t^2
        if self.centered:
            gbar = state["grad_avg"]
            gbar *= a
            gbar += (1 - a) * g                              # running mean of g
            v = v - gbar * gbar                              # variance instead of raw 2nd moment
        rate = lr / (np.sqrt(v) + self.eps)                  # per-parameter rate
        if self.momentum > 0:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += g / (np.sqrt(v) + self.eps)                 # b_t = mu b_{t-1} + g_t / (sqrt(v) + eps)
            p -= lr * b
        else:
            p -= rate * g                                    # theta_t = theta_{t-1} - rate * g_t
        state["effective_lr"] = rate
    # --8<-- [end:rule]
