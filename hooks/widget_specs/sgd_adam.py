"""SGD against Adam on the double well (sgd-vs-adam.md)."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C


def static(answers: dict) -> Any:
    from optdocs.plots.style import INK, color, linestyle, new_figure

    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    for i, key in enumerate(("sgd", "adam")):
        p = answers[key]
        a.plot(p["x"], color=color(i), linestyle=linestyle(i), linewidth=1.2)
        b.plot(p["loss"], color=color(i), linestyle=linestyle(i), linewidth=1.2)
    a.axhline(0.0, color=INK, linestyle=":", linewidth=0.8)
    a.set_xlabel("step")
    a.set_ylabel("position x")
    b.set_xlabel("step")
    b.set_ylabel("loss")
    return fig


NAME = "sgd-adam"
SPEC = {
    "title": "SGD against Adam on the double well",
    "invite": "Change either learning rate or the noise; both optimizers see the same noise.",
    "alt": "Position and loss over 300 steps for SGD with learning rate 1.0 and Adam with "
           "learning rate 0.1 from the shallow minimum of the double well, gradient noise 1.0, "
           "the same noise for both.",
    "controls": [
        {"name": "sgd_lr", "label": "SGD learning rate", "kind": "range", "min": 0.05,
         "max": 1.5, "step": 0.05, "default": 1.0, "grid": [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5]},
        {"name": "adam_lr", "label": "Adam learning rate", "kind": "range", "min": 0.01,
         "max": 0.5, "step": 0.01, "default": 0.1, "grid": [0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5]},
        {"name": "noise", "label": "gradient noise σ", "kind": "range", "min": 0.0,
         "max": 2.0, "step": 0.05, "default": 1.0, "grid": [0.0, 0.2, 0.5, 1.0, 1.5, 2.0]},
    ],
    "calls": {
        "sgd": {"fn": "optdocs.demos.double_well_path",
                "kwargs": {"optimizer": "SGD", "lr": C("sgd_lr"), "noise": C("noise"),
                           "steps": 300, "seed": 0}},
        "adam": {"fn": "optdocs.demos.double_well_path",
                 "kwargs": {"optimizer": "Adam", "lr": C("adam_lr"), "noise": C("noise"),
                            "steps": 300, "seed": 0}},
        "sgd_runs": {"fn": "optdocs.demos.double_well_outcomes", "slow": True,
                     "kwargs": {"optimizer": "SGD", "lr": C("sgd_lr"), "noise": C("noise"),
                                "steps": 1000, "runs": 1000, "seed": 0}},
        "adam_runs": {"fn": "optdocs.demos.double_well_outcomes", "slow": True,
                      "kwargs": {"optimizer": "Adam", "lr": C("adam_lr"), "noise": C("noise"),
                                 "steps": 1000, "runs": 1000, "seed": 0}},
    },
    "code": ("from optdocs.demos import double_well_outcomes, double_well_path\n\n"
             "for name, lr in ((\"SGD\", {sgd_lr}), (\"Adam\", {adam_lr})):   # same noise for both\n"
             "    run = double_well_path(name, lr, noise={noise}, steps=300, seed=0)\n"
             "    runs = double_well_outcomes(name, lr, noise={noise}, steps=1000, runs=1000, seed=0)\n"
             "    print(f\"{{name}} lr {{lr}}: run 0 ends {{run['basin']}} "
             "at x = {{run['final_x']:+.3f}}; \"\n"
             "          f\"escaped {{runs['escaped']:.1%}}, stayed {{runs['stayed']:.1%}}, \"\n"
             "          f\"diverged {{runs['diverged']:.1%}}\")\n"),
    "static": static,
}
