"""RMSprop: divide each step by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive, check_unit_interval
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


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

    State: ``step``, ``square_avg`` ($v_t$), ``grad_avg`` ($\bar g_t$, centered),
    ``momentum_buffer`` ($b_t$, $\mu > 0$); ``get`` also computes ``effective_lr``
    ($\gamma / (\sqrt{\tilde v_t} + \epsilon)$) and ``update``.
    """

    def __init__(self, lr: LearningRate = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                              momentum=momentum, centered=centered), overrides)

    def validate(self, h):
        return {"alpha": check_unit_interval("alpha", h["alpha"]),
                "eps": check_positive("eps", h["eps"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "momentum": check_nonneg("momentum", h["momentum"]),
                "centered": bool(h["centered"])}

    def init_state(self, p, h):
        state = {"square_avg": np.zeros_like(p)}
        if h.centered:
            state["grad_avg"] = np.zeros_like(p)
        if h.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(p)
        return state

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        a = h.alpha
        if h.weight_decay != 0:
            g = g + h.weight_decay * p                       # g_t = grad + lambda * theta
        v = state["square_avg"]
        v *= a
        v += (1 - a) * g * g                                 # v_t = a v_{t-1} + (1 - a) g_t^2
        if h.centered:
            gbar = state["grad_avg"]
            gbar *= a
            gbar += (1 - a) * g                              # running mean of g
            v = v - gbar * gbar                              # variance instead of raw 2nd moment
        if h.momentum > 0:
            b = state["momentum_buffer"]
            b *= h.momentum
            b += g / (np.sqrt(v) + h.eps)                    # b_t = mu b_{t-1} + g_t / (sqrt(v) + eps)
            return h.lr * b
        return h.lr * g / (np.sqrt(v) + h.eps)               # lr g_t / (sqrt(v_t) + eps)
    # --8<-- [end:rule]

    def step_is_in_state(self, h):
        return h.momentum > 0

    def step_from_state(self, state, h):
        return h.lr * state["momentum_buffer"]

    def effective_lr(self, state, h):
        v = state["square_avg"]
        if h.centered:
            v = v - state["grad_avg"] * state["grad_avg"]
        return h.lr / (np.sqrt(v) + h.eps)
