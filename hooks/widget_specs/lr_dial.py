"""The learning-rate dial (chapter 2, gradient-descent.md)."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C, _steps


def static(answers: dict) -> Any:
    from optdocs.plots.style import INK, color, new_figure

    d = answers["dial"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    a.plot(d["curve"]["x"], d["curve"]["loss"], color=INK, linewidth=1.4)
    a.plot(d["x"], d["loss"], color=color(0), marker="o", markersize=4, linewidth=1.2)
    a.set_xlabel("x")
    a.set_ylabel("f(x)")
    a.set_title(f"lr = 0.3, curvature 2: {d['regime']}", fontsize="medium")
    b.semilogy(range(len(d["loss"])), [max(v, 1e-300) for v in d["loss"]], color=color(0))
    b.set_xlabel("step")
    b.set_ylabel("loss")
    return fig


NAME = "lr-dial"
SPEC = {
    "title": "The learning-rate dial",
    "invite": "Move the learning rate or the curvature: the path, the loss and the regime follow.",
    "alt": "Gradient descent on the bowl f(x) = x squared from x = -1.5 with learning rate 0.3: "
           "the iterates slide down one side of the bowl, and the loss falls steadily.",
    "controls": [
        {"name": "lr", "label": "learning rate η", "kind": "range", "min": 0.01, "max": 1.3,
         "step": 0.01, "default": 0.3, "grid": [0.01] + _steps(0.05, 1.3, 0.05)},
        {"name": "curvature", "label": "curvature c", "kind": "range", "min": 0.5, "max": 4.0,
         "step": 0.1, "default": 2.0, "grid": [0.5, 1.0, 1.5, 2.0, 3.0, 4.0]},
    ],
    "calls": {
        "dial": {"fn": "optdocs.demos.lr_dial",
                 "kwargs": {"lr": C("lr"), "curvature": C("curvature"), "x0": -1.5, "steps": 20}},
    },
    "code": ("from optdocs.demos import lr_dial\n\n"
             "dial = lr_dial(lr={lr}, curvature={curvature}, x0=-1.5, steps=20)\n"
             "t = dial[\"thresholds\"]\n"
             "print(f\"regime: {{dial['regime']}} (factor 1 - lr c = {{dial['factor']:+.3f}})\")\n"
             "print(f\"overshoots above lr {{t['overshoot']:.3f}}, "
             "diverges above {{t['diverge']:.3f}}\")\n"
             "print(f\"after 20 steps: x = {{dial['final_x']:+.6f}}, "
             "loss {{dial['final_loss']:.3e}}\")\n"),
    "static": static,
}
