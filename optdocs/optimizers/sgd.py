"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from optdocs._checks import check_finite, check_nonneg
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


class SGD(Optimizer):
    r"""Gradient descent with heavy-ball or Nesterov momentum, as ``torch.optim.SGD``.

    With learning rate $\gamma$, momentum $\mu$, dampening $\tau$ and weight decay $\lambda$,
    step $t$ computes

    $$
    \begin{aligned}
    g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
    b_t &= \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
    d_t &= \begin{cases} g_t + \mu b_t & \text{Nesterov} \\ b_t & \text{otherwise} \end{cases} \\
    \theta_t &= \theta_{t-1} - \gamma d_t
    \end{aligned}
    $$

    With $\mu = 0$ there is no buffer and $d_t = g_t$: plain SGD.

    State: ``step``, ``momentum_buffer`` ($b_t$, when $\mu > 0$); ``get`` also gives ``update`` and
    ``effective_lr`` ($\gamma$).

    Parameters
    ----------
    lr : float or schedule
        Learning rate $\gamma$ (PyTorch's default is 1e-3).
    momentum : float
        Momentum factor $\mu \ge 0$.
    dampening : float
        Dampening $\tau$ for momentum; Nesterov needs 0.
    weight_decay : float
        L2 penalty $\lambda$ added to the gradient.
    nesterov : bool
        Use the Nesterov form (PyTorch's reformulation, no look-ahead evaluation needed).
    overrides : dict, optional
        Parameter key -> hyperparameters replacing these for that parameter (see ``Optimizer``).
    """

    def __init__(self, lr: LearningRate = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, momentum=momentum, dampening=dampening,
                              weight_decay=weight_decay, nesterov=nesterov), overrides)

    def validate(self, h):
        momentum, dampening = h["momentum"], h["dampening"]
        out = {"momentum": check_nonneg("momentum", momentum),
               "dampening": check_finite("dampening", dampening),
               "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
               "nesterov": bool(h["nesterov"])}
        if out["nesterov"] and (out["momentum"] <= 0 or out["dampening"] != 0):
            raise ValueError(
                f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={momentum!r}, "
                f"dampening={dampening!r}"
            )
        return out

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        mu, tau, wd = h.momentum, h.dampening, h.weight_decay
        if wd != 0:
            g = g + wd * p                                   # g_t = grad + lambda * theta
        if mu == 0:
            return h.lr * g                                  # plain SGD: theta_t -= lr g_t
        b = state.get("momentum_buffer")
        if b is None:
            b = state["momentum_buffer"] = g.copy()          # b_1 = g_1
        else:
            b *= mu
            b += g if tau == 0 else (1 - tau) * g            # b_t = mu b_{t-1} + (1 - tau) g_t
        d = g + mu * b if h.nesterov else b                  # Nesterov looks one step ahead
        return h.lr * d                                      # theta_t = theta_{t-1} - lr d_t
    # --8<-- [end:rule]

    def step_is_in_state(self, h):
        return h.momentum != 0 and not h.nesterov

    def step_from_state(self, state, h):
        return h.lr * state["momentum_buffer"]
