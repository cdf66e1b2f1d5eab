"""Lion: the sign of an interpolated momentum, found by program search."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg
from optdocs.optimizers.adam import check_betas
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


class Lion(Optimizer):
    r"""Lion, EvoLved Sign Momentum (Chen et al., 2023, Algorithm 2; optax's ``lion``).

    Every element moves by exactly $\gamma$ (plus weight decay): only the sign of a blend of the
    momentum and the fresh gradient is used. The momentum is then updated with a second, slower
    coefficient:

    $$
    \begin{aligned}
    c_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
    \theta_t &= \theta_{t-1} - \gamma \left(\mathrm{sign}(c_t) + \lambda \theta_{t-1}\right) \\
    m_t &= \beta_2 m_{t-1} + (1 - \beta_2) g_t
    \end{aligned}
    $$

    With $\beta_2 > \beta_1$ (0.99 and 0.9 by default) the step reacts to the new gradient more
    than the stored momentum does. $\mathrm{sign}(0) = 0$. As the paper advises, $\gamma$ is
    usually 3-10 times smaller than AdamW's (the step's size is $\gamma$ in every coordinate) and
    $\lambda$ as many times larger. Defaults: ``lr=1e-4``, ``betas=(0.9, 0.99)``,
    ``weight_decay=0.0`` (the paper's; optax's default decay is ``1e-3``).
    Not part of ``torch.optim``.

    State: ``step``, ``exp_avg`` ($m_t$): one parameter-sized buffer. ``get`` also computes
    ``update``.
    """

    def __init__(self, lr: LearningRate = 1e-4, betas: tuple[float, float] = (0.9, 0.99),
                 weight_decay: float = 0.0, *, overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, betas=betas, weight_decay=weight_decay), overrides)

    def validate(self, h):
        return {"betas": check_betas(h["betas"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"])}

    def init_state(self, p, h):
        return {"exp_avg": np.zeros_like(p)}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        b1, b2 = h.betas
        m = state["exp_avg"]
        d = np.sign(b1 * m + (1 - b1) * g)                   # sign(c_t): +-1 per element
        if h.weight_decay != 0:
            d += h.weight_decay * p                          # decoupled decay
        d *= h.lr
        m *= b2
        m += (1 - b2) * g                                    # m_t = b2 m_{t-1} + (1 - b2) g_t
        return d
    # --8<-- [end:rule]
