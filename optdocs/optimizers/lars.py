"""LARS: SGD with momentum whose step is rescaled per layer by a trust ratio."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.base import LearningRate, Optimizer


class LARS(Optimizer):
    r"""Layer-wise Adaptive Rate Scaling (You, Gitman & Ginsburg, 2017, Algorithm 1).

    Each parameter array (one layer's weights) gets a local learning rate from the ratio of its
    weight norm to its gradient norm, with trust coefficient $\eta$ and weight decay $\beta$:

    $$
    \begin{aligned}
    \lambda_t &= \eta \, \frac{\lVert \theta_{t-1} \rVert}
                 {\lVert g_t \rVert + \beta \lVert \theta_{t-1} \rVert + \epsilon} \\
    v_t &= m v_{t-1} + \gamma \lambda_t (g_t + \beta \theta_{t-1}) \\
    \theta_t &= \theta_{t-1} - v_t
    \end{aligned}
    $$

    This is the paper's variant: the global rate $\gamma$ and the trust ratio both sit inside the
    momentum buffer. When either norm is zero the trust ratio is 1 (a fresh zero-initialised bias
    would otherwise never move), a common convention in implementations. $\epsilon$ only guards the
    division. Not part of ``torch.optim``.

    Norms are taken over a whole array, so stacking independent runs along one array would mix
    them: ``elementwise`` is False.

    State: ``momentum_buffer`` ($v_t$), ``trust_ratio`` ($\lambda_t$, 0-d), ``effective_lr``
    ($\gamma\lambda_t$), ``update``.
    """

    elementwise = False

    def __init__(self, lr: LearningRate = 1.0, momentum: float = 0.9, weight_decay: float = 0.0,
                 trust_coefficient: float = 1e-3, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.momentum = check_nonneg("momentum", momentum)
        self.weight_decay = check_nonneg("weight_decay", weight_decay)
        self.trust_coefficient = check_positive("trust_coefficient", trust_coefficient)
        self.eps = check_positive("eps", eps)

    def init_state(self, p):
        return {"momentum_buffer": np.zeros_like(p)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, lr):
        wd = self.weight_decay
        w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
        if w_norm > 0 and g_norm > 0:                        # local lr from the layer's norms
            trust = self.trust_coefficient * w_norm / (g_norm + wd * w_norm + self.eps)
        else:
            trust = 1.0
        v = state["momentum_buffer"]
        v *= self.momentum
        v += lr * trust * (g + wd * p)                       # v_t = m v_{t-1} + lr trust (g + wd w)
        p -= v                                               # theta_t = theta_{t-1} - v_t
        state["trust_ratio"] = np.asarray(trust)
        state["effective_lr"] = np.full_like(p, lr * trust)
    # --8<-- [end:rule]
