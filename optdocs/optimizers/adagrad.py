"""AdaGrad: each parameter's step shrinks with the sum of its squared gradients."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.base import LearningRate, Optimizer


class Adagrad(Optimizer):
    r"""AdaGrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    With learning rate $\gamma$, learning-rate decay $\eta$, weight decay $\lambda$ and $\epsilon$:

    $$
    \begin{aligned}
    g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
    \tilde\gamma_t &= \gamma / (1 + (t - 1)\eta) \\
    s_t &= s_{t-1} + g_t^2 \\
    \theta_t &= \theta_{t-1} - \tilde\gamma_t \, g_t / (\sqrt{s_t} + \epsilon)
    \end{aligned}
    $$

    $s_0$ is ``initial_accumulator_value``. Because $s_t$ only grows, every parameter's effective
    rate $\tilde\gamma_t / (\sqrt{s_t} + \epsilon)$ only falls: AdaGrad eventually stalls.

    State: ``sum`` ($s_t$), ``effective_lr``, ``update``.
    """

    def __init__(self, lr: LearningRate = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.lr_decay = check_nonneg("lr_decay", lr_decay)
        self.weight_decay = check_nonneg("weight_decay", weight_decay)
        self.initial_accumulator_value = check_nonneg(
            "initial_accumulator_value", initial_accumulator_value)
        self.eps = check_positive("eps", eps)

    def init_state(self, p):
        return {"sum": np.full_like(p, self.initial_accumulator_value)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, lr):
        if self.weight_decay != 0:
            g = g + self.weight_decay * p                    # g_t = grad + lambda * theta
        clr = lr / (1 + (self.t - 1) * self.lr_decay)        # decayed learning rate
        s = state["sum"]
        s += g * g                                           # s_t = s_{t-1} + g_t^2
        rate = clr / (np.sqrt(s) + self.eps)                 # per-parameter rate
        p -= rate * g                                        # theta_t = theta_{t-1} - rate * g_t
        state["effective_lr"] = rate
    # --8<-- [end:rule]
