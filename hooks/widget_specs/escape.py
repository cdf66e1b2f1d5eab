"""Escaping a local minimum (sgd-escape.md)."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

ESCAPE_STEPS = 150


def static(answers: dict) -> Any:
    from optdocs.plots.style import INK, color, linestyle, new_figure

    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    curve = answers["curve"]
    a.plot(curve["x"], curve["loss"], color=INK, linewidth=1.4)
    for i, key in enumerate(("small", "large")):
        p = answers[key]
        a.plot([p["final_x"]], [p["final_loss"]], marker="o", markersize=9, color=color(i),
               linestyle="none")
        b.plot(p["x"], color=color(i), linestyle=linestyle(i), linewidth=1.2)
    a.set_xlabel("x")
    a.set_ylabel("loss")
    b.axhline(0.0, color=INK, linestyle=":", linewidth=0.8)
    b.set_xlabel("step")
    b.set_ylabel("position x")
    return fig


NAME = "escape"
SPEC = {
    "title": "Escaping a local minimum",
    "invite": "Press Step: both learning rates get the same noisy gradients.",
    "alt": f"The double well with two runs of SGD from the shallow minimum, fed the same noisy "
           f"gradients for {ESCAPE_STEPS} steps: learning rate 0.03 stays near -1, learning "
           f"rate 0.3 crosses the barrier.",
    "controls": [
        {"name": "small", "label": "small learning rate", "kind": "range", "min": 0.005,
         "max": 0.1, "step": 0.005, "default": 0.03,
         "grid": [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1]},
        {"name": "large", "label": "large learning rate", "kind": "range", "min": 0.1,
         "max": 1.0, "step": 0.01, "default": 0.3,
         "grid": [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0]},
        {"name": "trial", "label": "trial (noise seed)", "kind": "state", "min": 0,
         "max": 1_000_000, "default": 0, "grid": [0, 1, 2, 3, 4]},
        {"name": "step", "label": "step", "kind": "state", "min": 0, "max": ESCAPE_STEPS,
         "default": ESCAPE_STEPS},
    ],
    "calls": {
        "curve": {"fn": "optdocs.demos.double_well_curve", "kwargs": {"points": 121}},
        "small": {"fn": "optdocs.demos.double_well_path",
                  "kwargs": {"optimizer": "SGD", "lr": C("small"), "noise": 1.0,
                             "steps": ESCAPE_STEPS, "seed": C("trial")}},
        "large": {"fn": "optdocs.demos.double_well_path",
                  "kwargs": {"optimizer": "SGD", "lr": C("large"), "noise": 1.0,
                             "steps": ESCAPE_STEPS, "seed": C("trial")}},
        "small_runs": {"fn": "optdocs.demos.double_well_outcomes", "slow": True,
                       "kwargs": {"optimizer": "SGD", "lr": C("small"), "noise": 1.0,
                                  "steps": 1000, "runs": 1000, "seed": 0}},
        "large_runs": {"fn": "optdocs.demos.double_well_outcomes", "slow": True,
                       "kwargs": {"optimizer": "SGD", "lr": C("large"), "noise": 1.0,
                                  "steps": 1000, "runs": 1000, "seed": 0}},
    },
    "code": ("from optdocs.demos import double_well_outcomes, double_well_path\n\n"
             "for lr in ({small}, {large}):          # the same noise draws (seed) for both\n"
             f"    run = double_well_path(\"SGD\", lr, noise=1.0, steps={ESCAPE_STEPS}, seed={{trial}})\n"
             "    runs = double_well_outcomes(\"SGD\", lr, noise=1.0, steps=1000, runs=1000, seed=0)\n"
             "    print(f\"lr {{lr}}: step {step} at x = {{run['x'][{step}]:+.2f}}; \"\n"
             "          f\"{{runs['escaped']:.1%}} of 1000 runs end in the deep well\")\n"),
    "static": static,
}
