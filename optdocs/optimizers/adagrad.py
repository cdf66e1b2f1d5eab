"""AdaGrad: each parameter's step shrinks with the sum of its squared gradients."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


class Adagrad(Optimizer):
    r"""AdaGrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    With learning rate $\gamma$, learning-rate decay $\delta$, weight decay $\lambda$ and $\epsilon$:

    $$
    \begin{aligned}
    g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
    \tilde\gamma_t &= \gamma / (1 + (t - 1)\delta) \\
    s_t &= s_{t-1} + g_t^2 \\
    \theta_t &= \theta_{t-1} - \tilde\gamma_t \, g_t / (\sqrt{s_t} + \epsilon)
    \end{aligned}
    $$

    $s_0$ is ``initial_accumulator_value``. Because $s_t$ only grows, every parameter's effective
    rate $\tilde\gamma_t / (\sqrt{s_t} + \epsilon)$ only falls: AdaGrad eventually stalls.

    State: ``step``, ``sum`` ($s_t$); ``get`` also computes ``effective_lr`` and ``update``.
    """

    def __init__(self, lr: LearningRate = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                              initial_accumulator_value=initial_accumulator_value, eps=eps),
                         overrides)

    def validate(self, h):
        return {"lr_decay": check_nonneg("lr_decay", h["lr_decay"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "initial_accumulator_value": check_nonneg(
                    "initial_accumulator_value", h["initial_accumulator_value"]),
                "eps": check_positive("eps", h["eps"])}

    def init_state(self, p, h):
        return {"sum": np.full_like(p, h.initial_accumulator_value)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        if h.weight_decay != 0:
            g = g + h.weight_decay * p                       # g_t = grad + lambda * theta
        clr = h.lr / (1 + (state["step"] - 1) * h.lr_decay)  # decayed learning rate
        s = state["sum"]
        s += g * g                                           # s_t = s_{t-1} + g_t^2
        return clr * g / (np.sqrt(s) + h.eps)                # clr g_t / (sqrt(s_t) + eps)
    # --8<-- [end:rule]

    def effective_lr(self, state, h):
        clr = h.lr / (1 + (state["step"] - 1) * h.lr_decay)
        return clr / (np.sqrt(state["sum"]) + h.eps)
