"""Schedule-free AdamW: no decaying schedule; an average of the iterates does its work."""

from __future__ import annotations

import numpy as np

from optdocs._checks import check_nonneg, check_positive
from optdocs.optimizers.adam import check_betas
from optdocs.optimizers.base import LearningRate, Optimizer, Overrides


def check_warmup(value) -> int:
    """An integer >= 0, or ``ValueError`` naming ``warmup_steps``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"warmup_steps must be an integer >= 0, got {value!r}")
    return int(value)


class AdamWScheduleFree(Optimizer):
    r"""Schedule-free AdamW (Defazio et al., 2024, Algorithm 1; the authors' reference class).

    Three points move together. $z_t$ takes plain AdamW-style steps with a constant rate; $x_t$ is
    a running weighted average of the $z$'s (the point to **evaluate**); the gradient is taken at
    $y_t$, between them. With $\gamma_t = \gamma \sqrt{1 - \beta_2^t} \min(1, t/T_w)$ ($T_w$ =
    ``warmup_steps``):

    $$
    \begin{aligned}
    g_t &= \nabla f(y_t), \qquad v_t = (1 - \beta_2) g_t^2 + \beta_2 v_{t-1} \\
    z_{t+1} &= z_t - \gamma_t \left( g_t / (\sqrt{v_t} + \epsilon) + \lambda y_t \right) \\
    c_{t+1} &= w_t / \textstyle\sum_{i \le t} w_i, \qquad
        w_t = t^r \, (\max_{i \le t} \gamma_i)^{p} \\
    x_{t+1} &= (1 - c_{t+1}) x_t + c_{t+1} z_{t+1} \\
    y_{t+1} &= (1 - \beta_1) z_{t+1} + \beta_1 x_{t+1}
    \end{aligned}
    $$

    ($p$ = ``weight_lr_power`` = 2, $r$ = 0.) With a constant rate, $x$ is the plain average of
    $z_1 \dots z_{t+1}$; the average does what a decaying schedule would. $\beta_1$ interpolates
    between the two: 0 trains at $z$ (no averaging felt by the gradient), near 1 at $x$.

    **Training and evaluating.** The params that ``step`` updates hold $y$, where gradients are
    taken: train with them. To evaluate (validation loss, the final model), use $x$:
    ``opt.get("x")``, laid out like the params (copy it to keep it). The authors' torch class swaps
    the params between $y$ and $x$ with ``train()``/``eval()``; here both stay available, and
    nothing needs switching back. Before the first step, $x = y = z$ = the initial params.

    Defaults are the reference's: ``lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    warmup_steps=0, r=0, weight_lr_power=2``. The decay is applied at $y$, inside the step of
    $z$. Not part of ``torch.optim``.
    State: ``step``, ``z``, ``x``, ``exp_avg_sq`` ($v_t$), and the numbers ``lr_max`` and
    ``weight_sum``; ``get`` also computes ``update``.
    """

    def __init__(self, lr: LearningRate = 0.0025, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, warmup_steps: int = 0,
                 r: float = 0.0, weight_lr_power: float = 2.0, *,
                 overrides: Overrides = None) -> None:
        super().__init__(dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                              warmup_steps=warmup_steps, r=r, weight_lr_power=weight_lr_power),
                         overrides)

    def validate(self, h):
        return {"betas": check_betas(h["betas"]), "eps": check_positive("eps", h["eps"]),
                "weight_decay": check_nonneg("weight_decay", h["weight_decay"]),
                "warmup_steps": check_warmup(h["warmup_steps"]), "r": check_nonneg("r", h["r"]),
                "weight_lr_power": check_nonneg("weight_lr_power", h["weight_lr_power"])}

    def init_state(self, p, h):
        return {"z": p.copy(), "x": p.copy(), "exp_avg_sq": np.zeros_like(p),
                "lr_max": 0.0, "weight_sum": 0.0}

    # --8<-- [start:rule]
    def update_rule(self, p, g, state, h):
        (b1, b2), t = h.betas, state["step"]
        warm = t / h.warmup_steps if t < h.warmup_steps else 1.0
        lr = h.lr * warm * (1 - b2**t) ** 0.5                # gamma_t, with Adam's bias correction
        state["lr_max"] = lr_max = max(lr, state["lr_max"])
        weight = t**h.r * lr_max**h.weight_lr_power          # w_t
        state["weight_sum"] += weight
        c = weight / state["weight_sum"] if state["weight_sum"] > 0 else 0.0
        v, z, x = state["exp_avg_sq"], state["z"], state["x"]
        v *= b2
        v += (1 - b2) * g * g                                # v_t
        if h.weight_decay != 0:
            z -= lr * h.weight_decay * p                     # decay evaluated at y = p
        z -= lr * g / (np.sqrt(v) + h.eps)                   # the AdamW-like step of z
        x += c * (z - x)                                     # x: running average of the z's
        return p - ((1 - b1) * z + b1 * x)                   # p - d = y_{t+1}
    # --8<-- [end:rule]
