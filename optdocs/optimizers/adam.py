"""Adam: momentum on the gradient, RMSprop-style scaling, and bias correction of both."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive, check_unit_interval
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


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

    The code computes it as ``torch.optim.Adam`` does: $m_t$ moves a fraction $1 - \beta_1$ of
    the way toward $g_t$, and the bias corrections fold into a step size $\gamma / (1 - \beta_1^t)$
    and a divisor $\sqrt{1 - \beta_2^t}$.

    With ``amsgrad=True`` the denominator uses the running maximum of $v_t$ (bias-corrected),
    so the effective rate never grows. At $t = 1$, $\hat m_1 = g_1$ and $\hat v_1 = g_1^2$, so the
    first step is $\gamma\,\mathrm{sign}(g_1)$ for every element (up to $\epsilon$).

    ``weight_decay`` here is an L2 penalty added to the gradient, so it passes through the
    adaptive scaling; ``AdamW`` decouples it.

    State: ``step`` ($t$, this parameter's), ``exp_avg`` ($m_t$), ``exp_avg_sq`` ($v_t$),
    ``max_exp_avg_sq`` (amsgrad): two parameter-sized buffers, as in torch, three with amsgrad.
    ``get`` also computes ``update`` and ``effective_lr`` ($\gamma / (\sqrt{\hat v_t} +
    \epsilon)$) when asked.
    """

    def __init__(self, lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                              amsgrad=amsgrad), overrides)

    def validate(self, h):
        return {"betas": check_betas(h["betas"]), "eps": check_positive("eps", h["eps"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "amsgrad": bool(h["amsgrad"])}

    def init_state(self, p, h):
        state = {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if h.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(p)
        return state

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        if h.weight_decay != 0:
            g = g + h.weight_decay * p                       # L2 penalty: enters the moments
        return self.adam_step(g, state, h)

    def adam_step(self, g, state, h):
        (b1, b2), t = h.betas, state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)                              # m_t = b1 m_{t-1} + (1 - b1) g_t
        v *= b2
        v += (1 - b2) * g * g                                # v_t = b2 v_{t-1} + (1 - b2) g_t^2
        if h.amsgrad:
            vmax = state["max_exp_avg_sq"]
            np.maximum(vmax, v, out=vmax)                    # never let the denominator shrink
            v = vmax
        step_size = h.lr / (1 - b1**t)                       # lr m_hat = step_size m
        denom = np.sqrt(v) / (1 - b2**t) ** 0.5 + h.eps      # sqrt(v_hat) + eps
        return step_size * m / denom                         # lr m_hat / (sqrt(v_hat) + eps)
    # --8<-- [end:rule]

    def step_is_in_state(self, h):
        return True

    def step_from_state(self, state, h):
        (b1, b2), t = h.betas, state["step"]
        v = state["max_exp_avg_sq" if h.amsgrad else "exp_avg_sq"]
        step_size = h.lr / (1 - b1**t)
        denom = np.sqrt(v) / (1 - b2**t) ** 0.5 + h.eps
        return step_size * state["exp_avg"] / denom

    def effective_lr(self, state, h):
        v = state["max_exp_avg_sq" if h.amsgrad else "exp_avg_sq"]
        return h.lr / (np.sqrt(v) / (1 - h.betas[1] ** state["step"]) ** 0.5 + h.eps)
