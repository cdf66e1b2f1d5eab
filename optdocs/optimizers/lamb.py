"""LAMB: Adam's direction, rescaled per layer by a trust ratio, for very large batches."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.adam import check_betas
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


class LAMB(Optimizer):
    r"""Layer-wise Adaptive Moments for Batch training (You et al., 2019/2020, Algorithm 2).

    Adam's bias-corrected moments give a direction $r_t$; decoupled weight decay is added; then
    the whole layer's step is rescaled so its length is proportional to the weight norm:

    $$
    \begin{aligned}
    m_t &= (1 - \beta_1) g_t + \beta_1 m_{t-1}, \qquad v_t = (1 - \beta_2) g_t^2 + \beta_2 v_{t-1} \\
    r_t &= \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} \\
    u_t &= r_t + \lambda \theta_{t-1} \\
    \theta_t &= \theta_{t-1} - \gamma \, \frac{\phi(\lVert \theta_{t-1} \rVert)}{\lVert u_t \rVert} u_t
    \end{aligned}
    $$

    This follows the paper's Algorithm 2 with bias correction and $\phi(z) = z$ (no clipping of
    the weight norm); the trust ratio $\lVert \theta \rVert / \lVert u \rVert$ is 1 when either norm
    is zero. Not part of ``torch.optim``. Norms are per array, so ``elementwise`` is False.

    State: ``step``, ``exp_avg``, ``exp_avg_sq``, ``trust_ratio`` (a number); ``get`` also
    computes ``effective_lr`` and ``update``.
    """

    elementwise = False

    def __init__(self, lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-6, weight_decay: float = 0.0, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay), overrides)

    def validate(self, h):
        return {"betas": check_betas(h["betas"]), "eps": check_positive("eps", h["eps"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"])}

    def init_state(self, p, h):
        return {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p), "trust_ratio": 1.0}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        (b1, b2), t = h.betas, state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g                                    # Adam's moments
        v *= b2
        v += (1 - b2) * g * g
        denom = np.sqrt(v / (1 - b2**t)) + h.eps
        u = (m / (1 - b1**t)) / denom                        # Adam's direction r_t
        if h.weight_decay != 0:
            u += h.weight_decay * p                          # plus decoupled decay
        w_norm, u_norm = np.linalg.norm(p), np.linalg.norm(u)
        trust = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
        state["trust_ratio"] = float(trust)
        u *= h.lr * trust                                    # layer step length ~ lr * ||theta||
        return u
    # --8<-- [end:rule]

    def effective_lr(self, state, h):
        denom = np.sqrt(state["exp_avg_sq"] / (1 - h.betas[1] ** state["step"])) + h.eps
        return h.lr * state["trust_ratio"] / denom
