"""LARS: SGD with momentum whose step is rescaled per layer by a trust ratio."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


class LARS(Optimizer):
    r"""Layer-wise Adaptive Rate Scaling (You, Gitman & Ginsburg, 2017, Algorithm 1).

    Each parameter array (one layer's weights) gets a local learning rate from the ratio of its
    weight norm to its gradient norm, with trust coefficient $\eta$, momentum $\mu$ and weight
    decay $\lambda$:

    $$
    \begin{aligned}
    \rho_t &= \eta \, \frac{\lVert \theta_{t-1} \rVert}
                 {\lVert g_t \rVert + \lambda \lVert \theta_{t-1} \rVert + \epsilon} \\
    b_t &= \mu b_{t-1} + \gamma \rho_t (g_t + \lambda \theta_{t-1}) \\
    \theta_t &= \theta_{t-1} - b_t
    \end{aligned}
    $$

    This is the paper's variant: the global rate $\gamma$ and the trust ratio both sit inside the
    momentum buffer. When either norm is zero the trust ratio is 1 (a fresh zero-initialised bias
    would otherwise never move), a common convention in implementations. $\epsilon$ only guards the
    division. Not part of ``torch.optim``.

    Norms are taken over a whole array, so stacking independent runs along one array would mix
    them: ``elementwise`` is False.

    State: ``step``, ``momentum_buffer`` ($b_t$), ``trust_ratio`` ($\rho_t$, a number);
    ``get`` also computes ``effective_lr`` ($\gamma\rho_t$) and ``update``.
    """

    elementwise = False

    def __init__(self, lr: LearningRate = 1.0, momentum: float = 0.9, weight_decay: float = 0.0,
                 trust_coefficient: float = 1e-3, eps: float = 1e-8, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                              trust_coefficient=trust_coefficient, eps=eps), overrides)

    def validate(self, h):
        return {"momentum": check_nonneg("momentum", h["momentum"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "trust_coefficient": check_positive("trust_coefficient", h["trust_coefficient"]),
                "eps": check_positive("eps", h["eps"])}

    def init_state(self, p, h):
        return {"momentum_buffer": np.zeros_like(p), "trust_ratio": 1.0}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        wd = h.weight_decay
        w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
        if w_norm > 0 and g_norm > 0:                        # local lr from the layer's norms
            trust = h.trust_coefficient * w_norm / (g_norm + wd * w_norm + h.eps)
        else:
            trust = 1.0
        v = state["momentum_buffer"]
        v *= h.momentum
        v += h.lr * trust * (g + wd * p if wd != 0 else g)   # v_t = m v_{t-1} + lr trust (g + wd w)
        state["trust_ratio"] = float(trust)
        return v                                             # theta_t = theta_{t-1} - v_t
    # --8<-- [end:rule]

    def effective_lr(self, state, h):
        return h.lr * state["trust_ratio"]
