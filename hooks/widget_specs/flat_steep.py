"""Flat w1, steep w2: SGD against RMSprop and AdaGrad on the flat-steep bowl (adaptive.md)."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

STEPS = 100
RUNS = (("sgd", "SGD", "sgd_lr"), ("rmsprop", "RMSprop", "rms_lr"),
        ("adagrad", "Adagrad", "ada_lr"))


def static(answers: dict) -> Any:
    import numpy as np

    from optdocs.plots.style import INK, color, new_figure

    s = answers["surface"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    n = len(s["w1"])
    a.contour(s["w1"], s["w2"], np.reshape(s["loss"], (n, n)), levels=s["levels"], colors=INK,
              linewidths=0.6, alpha=0.6)
    for i, (key, name, _) in enumerate(RUNS):
        p = answers[key]
        a.plot(p["w1"], p["w2"], color=color(i), linewidth=1.2, label=name)
        b.semilogy(range(1, STEPS + 1), p["step_w1"], color=color(i), linewidth=1.3)
        b.semilogy(range(1, STEPS + 1), p["step_w2"], color=color(i), linewidth=1.0,
                   linestyle="--")
    a.set_xlabel("w1 (flat)")
    a.set_ylabel("w2 (steep)")
    a.legend(loc="lower right", fontsize="small")
    b.set_ylim(1e-5, 5)
    b.set_xlabel("step (solid w1, dashed w2)")
    b.set_ylabel("step size |Δw|")
    return fig


NAME = "flat-steep"
SPEC = {
    "title": "Flat w1, steep w2",
    "invite": "Move a learning rate or the step: the table gives each coordinate's rate and step.",
    "alt": f"Contour lines of the flat-steep bowl with {STEPS} steps from (-4, 1) of SGD at "
           "learning rate 0.24, which drops to the valley floor and creeps along w1, of RMSprop "
           "at 0.05 and of AdaGrad at 0.5, which move both coordinates alike; beside it the size "
           "of every step in w1 and w2 on a log scale.",
    "controls": [
        {"name": "sgd_lr", "label": "SGD learning rate η", "kind": "range", "min": 0.01,
         "max": 0.3, "step": 0.005, "default": 0.24,
         "grid": [0.01, 0.05, 0.1, 0.15, 0.2, 0.22, 0.24, 0.25, 0.26, 0.28, 0.3]},
        {"name": "rms_lr", "label": "RMSprop learning rate", "kind": "range", "min": 0.005,
         "max": 0.2, "step": 0.005, "default": 0.05,
         "grid": [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2]},
        {"name": "ada_lr", "label": "AdaGrad learning rate", "kind": "range", "min": 0.05,
         "max": 2.0, "step": 0.05, "default": 0.5,
         "grid": [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0]},
        {"name": "step", "label": "step t", "kind": "range", "min": 1, "max": STEPS, "step": 1,
         "default": 1, "grid": [1, 2, 3, 5, 10, 20, 50, 100]},
    ],
    "calls": {
        "surface": {"fn": "optdocs.demos.flat_steep_surface", "kwargs": {"points": 41}},
        "limits": {"fn": "optdocs.demos.flat_steep_limits",
                   "kwargs": {"lr_max": 0.3, "points": 61}},
        **{key: {"fn": "optdocs.demos.flat_steep_path",
                 "kwargs": {"optimizer": name, "lr": C(lr), "steps": STEPS}}
           for key, name, lr in RUNS},
        **{f"{key}_at": {"fn": "optdocs.demos.flat_steep_step",
                         "kwargs": {"optimizer": name, "lr": C(lr), "step": C("step")}}
           for key, name, lr in RUNS},
    },
    "code": ("from optdocs.demos import flat_steep_limits, flat_steep_path, flat_steep_step\n\n"
             "limit = flat_steep_limits()[\"diverge_lr\"]       # 2 / h2, from the curvatures\n"
             "print(f\"SGD diverges in w2 above lr = {{limit:.3f}}\")\n"
             "for name, lr in ((\"SGD\", {sgd_lr}), (\"RMSprop\", {rms_lr}), "
             "(\"Adagrad\", {ada_lr})):\n"
             f"    run = flat_steep_path(name, lr, steps={STEPS})\n"
             "    at = flat_steep_step(name, lr, step=int({step}))\n"
             "    print(f\"{{name}} lr {{lr}}, step {{at['step']}}: \"\n"
             "          f\"w1 rate {{at['rate_w1']:.4g}} step {{at['step_w1']:.4g}}, \"\n"
             "          f\"w2 rate {{at['rate_w2']:.4g}} step {{at['step_w2']:.4g}}; \"\n"
             f"          f\"|w1| after {STEPS} steps {{{{run['final_w1']:.4g}}}}\")\n"),
    "static": static,
}
