"""AdamW: Adam with weight decay applied to the weights, not mixed into the gradient."""

from __future__ import annotations

from optdocs.optimizers.adam import Adam
from optdocs.optimizers.base import LearningRate, Overrides


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    The weights shrink by $\gamma\lambda$ first, then Adam's step is taken with the plain
    gradient:

    $$
    \begin{aligned}
    \theta_{t-1}' &= \theta_{t-1} (1 - \gamma \lambda) \\
    \theta_t &= \theta_{t-1}' - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
    \end{aligned}
    $$

    with $m_t, v_t, \hat m_t, \hat v_t$ as in ``Adam`` but computed from $g_t = \nabla
    f(\theta_{t-1})$ alone. In ``Adam``, $\lambda\theta$ joins the gradient and is divided by
    $\sqrt{\hat v_t}$, so weights with large gradients are barely decayed; here every weight decays
    at the same rate. PyTorch's default is ``weight_decay=1e-2``.
    """

    def __init__(self, lr: LearningRate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 overrides: Overrides = None) -> None:
        super().__init__(lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         overrides=overrides)

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        d = self.adam_step(g, state, h)                      # Adam's step on the raw gradient
        if h.weight_decay != 0:
            d += h.lr * h.weight_decay * p                   # plus decoupled decay of the weights
        return d
    # --8<-- [end:rule]

    def step_is_in_state(self, h):
        return h.weight_decay == 0          # the decay part depends on the weights before the step
