"""Write tests/data/torch_reference.json: what ``torch.optim`` and its schedulers do, in float64.

Run by hand where torch is installed (torch is no dependency of optdocs)::

    python -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install numpy torch
    /tmp/venv-torch/bin/python dev/torch_reference.py

``tests/test_torch_parity.py`` replays the recorded gradients through optdocs and compares every
parameter after every step with torch's, so CI checks "as torch.optim" without torch. The file holds

* ``cases``: one optimizer run each. The gradient of step t is ``h * p_{t-1} + noise`` (a fixed
  diagonal quadratic per parameter plus seeded Gaussian noise), computed from torch's parameters
  and stored, so the test feeds optdocs exactly what torch saw. Options use optdocs' names (which
  are torch's); ``overrides`` become torch param groups; a parameter that appears in ``steps``
  only from some step on was added then with ``add_param_group``; ``lr`` given as a schedule is a
  torch scheduler stepped after every ``optimizer.step()``. Each step also records the lr of
  every torch param group it used (``lr``), for diagnosing a failing case.
* ``schedules``: the learning rate of each optimizer step under a torch scheduler, next to the
  optdocs schedule that stands for it.
* ``facts``: torch's defaults, and what it does where the guide says it differs from optdocs,
  including ``muon_bfloat16``: how far torch's Muon (bfloat16 Newton-Schulz) ends from the float64
  algorithm that optdocs follows.

torch's ``Muon`` orthogonalises in bfloat16, which no float64 comparison can match to 1e-12: its
cases run ``Float64Muon`` below, torch's own class whose step is torch's algorithm written again
with the Newton-Schulz iterations in float64 (torch's coefficients, step count and eps).

Floats are written with ``repr``, so they load back bit for bit.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "tests" / "data" / "torch_reference.json"
sys.path.insert(0, str(REPO))

from optdocs.nn import linear_data, mse_loss_and_grads  # noqa: E402

torch.set_default_dtype(torch.float64)

# The problem every case runs on: per-parameter initial values and curvatures.
INIT = {"a": [1.0, -2.0, 0.5], "b": [-1.5, 0.75],
        # matrices, for Adafactor's factored second moment and Muon: one tall, one wide
        "W": [[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75]], "M": [[0.5, -1.0, 1.5], [2.0, 0.3, -0.8]]}
CURVATURE = {"a": [0.5, 2.0, 8.0], "b": [1.0, 4.0],
             "W": [[0.5, 1.0], [2.0, 4.0], [8.0, 0.25]], "M": [[1.0, 3.0, 0.5], [6.0, 2.0, 1.0]]}
NOISE = 0.3
STEPS = 25
LATE = 10  # in the late-added cases, "b" joins after this many steps
SHORT = 12  # the later optimizers' cases: enough for RAdam's switch at step 6, a smaller file


def sched(name: str, **args) -> dict:
    """How a schedule is written in the data file: a factory of optdocs.schedules and its args."""
    return {"schedule": name, "args": args}


def case(id: str, optimizer: str, options: dict, *, structure: str = "dict", overrides=None,
         late: bool = False, steps: int = STEPS, seed: int = 0, keys=("a", "b")) -> dict:
    return {"id": id, "optimizer": optimizer, "options": options, "structure": structure,
            "overrides": overrides, "late": late, "steps": steps, "seed": seed, "keys": list(keys)}


STEP = sched("step_decay", lr=0.1, step_size=8, gamma=0.5)
COSINE = sched("cosine_annealing", lr=0.05, total_steps=STEPS, lr_min=0.001)
ONE_CYCLE = sched("one_cycle", max_lr=0.1, total_steps=STEPS, pct_start=0.3, div_factor=25.0,
                  final_div_factor=1e4)

CASES = [
    # SGD
    case("sgd", "SGD", {"lr": 0.1}),
    case("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    case("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    case("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    case("sgd_nesterov_l2", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True,
                                    "weight_decay": 0.1}),
    case("sgd_momentum_l2", "SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.1,
                                    "weight_decay": 0.2}),
    # Adagrad
    case("adagrad", "Adagrad", {"lr": 0.1}),
    case("adagrad_options", "Adagrad", {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.1,
                                        "initial_accumulator_value": 0.5, "eps": 1e-6}),
    # RMSprop
    case("rmsprop", "RMSprop", {"lr": 0.01}),
    case("rmsprop_centered", "RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    case("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.8, "weight_decay": 0.1}),
    case("rmsprop_centered_momentum", "RMSprop", {"lr": 0.005, "alpha": 0.95, "eps": 1e-6,
                                                  "momentum": 0.5, "centered": True,
                                                  "weight_decay": 0.05}),
    # Adam, AdamW, NAdam
    case("adam", "Adam", {"lr": 0.05}),
    case("adam_betas_eps", "Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-4}),
    case("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}),
    case("adam_amsgrad_beta1_zero", "Adam", {"lr": 0.01, "betas": [0.0, 0.1], "amsgrad": True}),
    case("adam_l2", "Adam", {"lr": 0.05, "weight_decay": 0.1}),
    case("adam_amsgrad_l2", "Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    case("adamw", "AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    case("adamw_betas_eps", "AdamW", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-4,
                                      "weight_decay": 0.3}),
    case("adamw_amsgrad", "AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    case("nadam", "NAdam", {"lr": 0.05}),
    case("nadam_l2", "NAdam", {"lr": 0.05, "eps": 1e-4, "weight_decay": 0.1,
                               "momentum_decay": 0.01}),
    case("nadam_decoupled", "NAdam", {"lr": 0.05, "betas": [0.85, 0.995], "weight_decay": 0.1,
                                      "decoupled_weight_decay": True}),
    # structures: one bare array, a list
    case("adam_one_array", "Adam", {"lr": 0.05, "amsgrad": True}, structure="array", keys=("a",)),
    case("sgd_list", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, structure="list"),
    # learning-rate schedules as torch schedulers
    case("sgd_momentum_steplr", "SGD", {"lr": STEP, "momentum": 0.9}),
    case("adam_cosine", "Adam", {"lr": COSINE}),
    case("adagrad_decay_cosine", "Adagrad", {"lr": COSINE, "lr_decay": 0.05}),
    case("adamw_one_cycle", "AdamW", {"lr": ONE_CYCLE, "weight_decay": 0.1}),
    case("nadam_one_cycle", "NAdam", {"lr": ONE_CYCLE}),
    # a parameter added after LATE steps: torch's add_param_group, with a fresh step count
    case("late_sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, late=True),
    case("late_adagrad_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.1}, late=True),
    case("late_adam", "Adam", {"lr": 0.05}, late=True),
    case("late_adamw_amsgrad", "AdamW", {"lr": 0.05, "amsgrad": True}, late=True),
    case("late_nadam", "NAdam", {"lr": 0.05}, late=True),
    # per-parameter options: torch param groups
    case("groups_adamw_no_decay", "AdamW", {"lr": 0.05, "weight_decay": 0.1},
         overrides={"b": {"weight_decay": 0.0}}),
    case("groups_sgd_lr_momentum", "SGD", {"lr": 0.05, "momentum": 0.9},
         overrides={"a": {"lr": 0.01, "nesterov": True}, "b": {"momentum": 0.5, "dampening": 0.5}}),
    case("groups_list_rmsprop", "RMSprop", {"lr": 0.01}, structure="list",
         overrides={1: {"centered": True, "momentum": 0.5}}),
    case("groups_adam_betas_amsgrad", "Adam", {"lr": 0.05},
         overrides={"b": {"betas": [0.5, 0.9], "amsgrad": True, "eps": 1e-3}}),
    case("groups_nadam_decay", "NAdam", {"lr": 0.05, "weight_decay": 0.1},
         overrides={"a": {"decoupled_weight_decay": True}, "b": {"momentum_decay": 0.02}}),
    case("groups_adagrad", "Adagrad", {"lr": 0.1}, overrides={"b": {"lr_decay": 0.1, "lr": 0.3}}),
    case("groups_steplr", "SGD", {"lr": STEP, "momentum": 0.9},
         overrides={"b": {"lr": sched("step_decay", lr=0.02, step_size=8, gamma=0.5)}}),
    # RAdam: with beta2 = 0.999 the first five steps are momentum only, then rectified
    case("radam", "RAdam", {"lr": 0.05}, steps=SHORT),
    case("radam_betas_l2", "RAdam", {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-4,
                                     "weight_decay": 0.1}, steps=SHORT),
    case("radam_decoupled", "RAdam", {"lr": 0.05, "weight_decay": 0.1,
                                      "decoupled_weight_decay": True}, steps=SHORT),
    case("late_radam", "RAdam", {"lr": 0.05, "betas": [0.9, 0.9]}, late=True),
    # Adafactor: a matrix (factored) and a vector (full variance)
    case("adafactor", "Adafactor", {"lr": 0.05}, keys=("W", "b"), steps=SHORT),
    case("adafactor_options", "Adafactor", {"lr": 0.5, "beta2_decay": -0.5, "eps": [1e-4, 1e-2],
                                            "d": 1.5, "weight_decay": 0.1},
         keys=("W", "M", "a"), steps=SHORT),
    case("adafactor_cosine", "Adafactor", {"lr": COSINE}, keys=("W", "a")),
    case("groups_adafactor", "Adafactor", {"lr": 0.05},
         overrides={"b": {"d": 2.0, "eps": [None, 0.1]}}, keys=("W", "b"), steps=SHORT),
    # Muon (Float64Muon on the torch side): a tall and a wide matrix
    case("muon", "Muon", {"lr": 0.02}, keys=("W", "M"), steps=SHORT),
    case("muon_options", "Muon", {"lr": 0.05, "weight_decay": 0.0, "momentum": 0.8,
                                  "nesterov": False, "ns_coefficients": [2.0, -1.5, 0.5],
                                  "eps": 1e-5, "ns_steps": 7, "adjust_lr_fn": "original"},
         keys=("W", "M"), steps=SHORT),
    case("groups_muon", "Muon", {"lr": 0.02, "adjust_lr_fn": "match_rms_adamw"},
         overrides={"M": {"nesterov": False, "momentum": 0.5, "lr": 0.01}}, keys=("W", "M"),
         steps=SHORT),
]


# ------------------------------------------------------------------------------------------------
# torch side


def newton_schulz_float64(grad, ns_coefficients, ns_steps, eps):
    """torch's ``_zeropower_via_newtonschulz`` line for line, without the cast to bfloat16."""
    a, b, c = ns_coefficients
    ortho = grad.to(torch.float64)
    if grad.size(0) > grad.size(1):
        ortho = ortho.T
    ortho = ortho / ortho.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = ortho @ ortho.T
        gram_update = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        ortho = torch.addmm(ortho, gram_update, ortho, beta=a)
    if grad.size(0) > grad.size(1):
        ortho = ortho.T
    return ortho


class Float64Muon(torch.optim.Muon):
    """torch's Muon (constructor, defaults, groups, state) with torch's single-tensor step
    written again here, its Newton-Schulz iterations in float64."""

    @torch.no_grad()
    def step(self, closure=None):
        from torch.optim._muon import _adjust_lr
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                buf = state["momentum_buffer"]
                buf.lerp_(p.grad, 1 - mu)
                update = p.grad.lerp(buf, mu) if group["nesterov"] else buf
                update = newton_schulz_float64(update, group["ns_coefficients"],
                                               group["ns_steps"], group["eps"])
                p.mul_(1 - lr * group["weight_decay"])
                p.add_(update, alpha=-_adjust_lr(lr, group["adjust_lr_fn"], p.shape))


def torch_class(name: str):
    """The torch class a case runs: torch.optim's, or Float64Muon for Muon."""
    return Float64Muon if name == "Muon" else getattr(torch.optim, name)


def muon_bfloat16(steps: int = 20, lr: float = 0.02, seed: int = 3) -> dict:
    """torch's Muon (bfloat16 iterations) against Float64Muon on an 8x4 matrix, same gradients
    rule: the gap after ``steps`` steps, relative to the distance travelled and to the weights."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((8, 4))
    curvature = rng.uniform(0.5, 4.0, (8, 4))
    noise = [0.3 * rng.standard_normal((8, 4)) for _ in range(steps)]
    ends = {}
    for cls in (torch.optim.Muon, Float64Muon):
        p = torch.tensor(w0, requires_grad=True)
        opt = cls([p], lr=lr)
        for t in range(steps):
            p.grad = torch.tensor(curvature * p.detach().numpy() + noise[t])
            opt.step()
        ends[cls.__name__] = p.detach().numpy().copy()
    ref, bf16 = ends["Float64Muon"], ends["Muon"]
    gap = float(np.linalg.norm(bf16 - ref))
    return {"shape": [8, 4], "steps": steps, "lr": lr,
            "relative_to_distance": gap / float(np.linalg.norm(ref - w0)),
            "relative_to_weights": gap / float(np.linalg.norm(ref)),
            "max_abs": float(np.max(np.abs(bf16 - ref)))}


def torch_options(options: dict) -> dict:
    """optdocs options -> torch's: the same names; a schedule gives the group its start lr."""
    out = dict(options)
    for name in ("betas", "eps", "ns_coefficients"):
        if isinstance(out.get(name), list):
            out[name] = tuple(out[name])
    lr = out.get("lr")
    if isinstance(lr, dict):
        a = lr["args"]
        out["lr"] = a["max_lr"] / a["div_factor"] if lr["schedule"] == "one_cycle" else a["lr"]
    return out


def group_schedules(c: dict) -> list[dict | None]:
    """Each key's lr schedule (or None for a constant lr), in group order."""
    out = []
    for key in c["keys"]:
        lr = {**c["options"], **((c["overrides"] or {}).get(key, {}))}["lr"]
        out.append(lr if isinstance(lr, dict) else None)
    return out


def torch_scheduler(opt, specs: list[dict | None]):
    """The torch scheduler for the groups' schedules: one kind, alike but for the start lr."""
    if all(s is None for s in specs):
        return None
    assert all(s is not None for s in specs), "mixing constant and scheduled groups"
    name = specs[0]["schedule"]
    rest = [{k: v for k, v in s["args"].items() if k not in ("lr", "max_lr")} for s in specs]
    assert all(s["schedule"] == name for s in specs) and all(r == rest[0] for r in rest), specs
    a, L = specs[0]["args"], torch.optim.lr_scheduler
    if name == "step_decay":
        return L.StepLR(opt, step_size=a["step_size"], gamma=a["gamma"])
    if name == "cosine_annealing":
        return L.CosineAnnealingLR(opt, T_max=a["total_steps"], eta_min=a["lr_min"])
    if name == "one_cycle":
        # cycle_momentum=False: optdocs schedules only the learning rate
        return L.OneCycleLR(opt, max_lr=[s["args"]["max_lr"] for s in specs],
                            total_steps=a["total_steps"], pct_start=a["pct_start"],
                            div_factor=a["div_factor"], final_div_factor=a["final_div_factor"],
                            anneal_strategy="cos", three_phase=False, cycle_momentum=False)
    raise ValueError(f"no torch scheduler for {name!r}")


def run_case(c: dict) -> dict:
    rng = np.random.default_rng(c["seed"])
    cls = torch_class(c["optimizer"])
    keys = c["keys"]
    params = {k: torch.tensor(INIT[k], requires_grad=True) for k in keys}
    overrides = c["overrides"] or {}
    if c["structure"] == "list":
        overrides = {keys[i]: o for i, o in overrides.items()}

    def group(k):
        return {"params": [params[k]], **torch_options(overrides.get(k, {}))}

    base = torch_options(c["options"])
    first = keys[:1] if c["late"] else keys
    opt = cls([group(k) for k in first], **base)
    scheduler = None if c["late"] else torch_scheduler(opt, group_schedules(c))
    assert not (c["late"] and any(group_schedules(c))), "late-added cases use a constant lr"
    steps = []
    for t in range(c["steps"]):
        if c["late"] and t == LATE:
            opt.add_param_group(group(keys[1]))
        live = keys[:1] if c["late"] and t < LATE else keys
        grads = {}
        for k in live:
            p = params[k].detach().numpy()
            g = np.asarray(CURVATURE[k]) * p + NOISE * rng.standard_normal(p.shape)
            grads[k] = g.tolist()
            params[k].grad = torch.tensor(g)
        lrs = [grp["lr"] for grp in opt.param_groups]
        opt.step()
        if scheduler is not None:
            scheduler.step()
        steps.append({"grads": grads, "params": {k: params[k].detach().numpy().tolist() for k in live},
                      "lr": lrs})
    name = "Float64Muon" if cls is Float64Muon else f"torch.optim.{c['optimizer']}"
    torch_call = f"{name}(param_groups, **{base})"
    return {**c, "init": {k: INIT[k] for k in keys}, "torch": torch_call,
            "scheduler": type(scheduler).__name__ if scheduler else None, "steps": steps}


# ------------------------------------------------------------------------------------------------
# schedulers alone, and the facts the guide states about torch


def scheduler_lrs(make, steps: int, base_lr: float, order: str = "after"):
    """The lr of each of ``steps`` optimizer steps, and the warnings torch gave."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    scheduler = make(opt)
    out = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(steps):
            p.grad = torch.ones(1)
            if order == "before":
                scheduler.step()
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            if order == "after":
                scheduler.step()
    return out, [str(w.message) for w in caught]


def schedules() -> list[dict]:
    L = torch.optim.lr_scheduler
    wc = {"lr": 0.1, "warmup_steps": 20, "total_steps": 200, "lr_min": 0.0}

    def warmup_cosine(t):  # the optdocs formula, written out for LambdaLR (a factor of lr)
        w, total = wc["warmup_steps"], wc["total_steps"]
        if t < w:
            return t / w
        return (1 + np.cos(np.pi * min((t - w) / (total - w), 1.0))) / 2

    rows = [
        ("StepLR", sched("step_decay", lr=0.1, step_size=30, gamma=0.1), 100,
         lambda o: L.StepLR(o, step_size=30, gamma=0.1), 0.1),
        ("ExponentialLR", sched("exponential_decay", lr=0.01, decay_steps=100, decay_rate=0.9),
         300, lambda o: L.ExponentialLR(o, gamma=0.9 ** (1 / 100)), 0.01),
        ("CosineAnnealingLR", sched("cosine_annealing", lr=0.1, total_steps=200, lr_min=0.001),
         201, lambda o: L.CosineAnnealingLR(o, T_max=200, eta_min=0.001), 0.1),
        ("LambdaLR", sched("warmup_cosine", **wc), 240,
         lambda o: L.LambdaLR(o, lambda t: float(warmup_cosine(t))), 0.1),
        ("OneCycleLR", sched("one_cycle", max_lr=0.1, total_steps=200), 200,
         lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=200, cycle_momentum=False), 0.1),
        ("OneCycleLR_pct", sched("one_cycle", max_lr=0.5, total_steps=97, pct_start=0.25,
                                 div_factor=10.0, final_div_factor=100.0), 97,
         lambda o: L.OneCycleLR(o, max_lr=0.5, total_steps=97, pct_start=0.25, div_factor=10.0,
                                final_div_factor=100.0, cycle_momentum=False), 0.5),
    ]
    out = []
    for id, spec, steps, make, lr in rows:
        lrs, _ = scheduler_lrs(make, steps, lr)
        out.append({"id": id, "schedule": spec, "lrs": lrs})
    return out


def facts() -> dict:
    L = torch.optim.lr_scheduler
    cos, _ = scheduler_lrs(lambda o: L.CosineAnnealingLR(o, T_max=10), 21, 0.1)
    try:
        scheduler_lrs(lambda o: L.OneCycleLR(o, 0.1, total_steps=10), 11, 0.1)
        past_end = None
    except ValueError as exc:
        past_end = str(exc)
    before, caught = scheduler_lrs(lambda o: L.StepLR(o, 3, 0.1), 7, 0.1, order="before")
    p = [torch.nn.Parameter(torch.zeros(1))]
    defaults = {}
    for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam", "RAdam", "Adafactor",
                 "Muon"):
        d = getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2, 2))]
                                       if name == "Muon" else p).defaults
        defaults[name] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()
                          if v is None or isinstance(v, (bool, int, float, tuple))}
    return {
        "defaults": defaults,
        "has_lars_lamb": [hasattr(torch.optim, "LARS"), hasattr(torch.optim, "LAMB")],
        "has_lion_schedule_free": [hasattr(torch.optim, "Lion"),
                                   hasattr(torch.optim, "AdamWScheduleFree")],
        "muon_bfloat16": muon_bfloat16(),
        "cosine_T_max_10_lrs_to_step_20": cos,
        "one_cycle_total_10_step_11_error": past_end,
        "steplr_3_before_optimizer": {"lrs": before, "warnings": caught},
        "no_zero_grad_losses": no_zero_grad_losses(),
    }


def no_zero_grad_losses() -> list[float]:
    """Linear regression with SGD(lr=0.1) and no zero_grad(): .grad sums every backward pass."""
    X, y = linear_data()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.1)
    losses = []
    for _ in range(20):
        loss = torch.mean((yt - Xt @ w - b) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    # the same losses from optdocs' closed-form gradient, so a change of linear_data is caught
    wn, bn = np.zeros(X.shape[1]), 0.0
    assert np.isclose(mse_loss_and_grads(wn, bn, X, y)[0], losses[0], rtol=1e-12)
    return losses


def main() -> None:
    data = {
        "about": "Written by dev/torch_reference.py; read by tests/test_torch_parity.py.",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "late_step": LATE,
        "cases": [run_case(c) for c in CASES],
        "schedules": schedules(),
        "facts": facts(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{OUT.relative_to(REPO)}: {len(data['cases'])} cases, {len(data['schedules'])} "
          f"schedules, {OUT.stat().st_size / 1024:.0f} KiB (torch {torch.__version__})")


if __name__ == "__main__":
    main()
