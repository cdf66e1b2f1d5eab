"""The ravine (chapter 4, momentum.md): SGD against momentum and Nesterov, and the (lr, beta) map."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

BUDGET = 300
SHOW = 100
TOL = 0.001


def static(answers: dict) -> Any:
    import numpy as np

    from optdocs.landscapes import ravine
    from optdocs.plots import contour
    from optdocs.plots.style import INK, new_figure

    r, h = answers["paths"], answers["heat"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    contour(ravine, {name: np.column_stack([run["x"], run["y"]]) for name, run in r["runs"].items()},
            ax=a, levels=14)
    steps = np.array(h["steps_to_converge"], dtype=float)
    steps[steps < 0] = np.nan
    b.pcolormesh(h["lr"], h["beta"], np.log10(steps), shading="nearest", cmap="viridis_r")
    b.plot([r["lr"]], [r["beta"]], marker="o", markersize=9, markerfacecolor="none", color=INK)
    b.set_xlabel("learning rate")
    b.set_ylabel("momentum β")
    return fig


NAME = "ravine"
SPEC = {
    "title": "SGD and momentum in the ravine",
    "invite": "Move the learning rate or β, or click the map: β = 0 is plain SGD.",
    "alt": f"Left: the first {SHOW} steps of SGD, momentum 0.9 and Nesterov 0.9 at learning rate "
           f"0.02 on the ravine, SGD creeping along the valley. Right: steps to converge of "
           f"momentum over learning rate and β, blank where it does not converge in {BUDGET} "
           f"steps, with the current setting circled.",
    "controls": [
        {"name": "lr", "label": "learning rate η", "kind": "range", "min": 0.01, "max": 0.3,
         "step": 0.01, "default": 0.02,
         "grid": [0.01, 0.02, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25, 0.3]},
        {"name": "beta", "label": "momentum β", "kind": "range", "min": 0.0, "max": 0.95,
         "step": 0.01, "default": 0.9, "grid": [0.0, 0.5, 0.7, 0.8, 0.9, 0.95]},
    ],
    "calls": {
        "surface": {"fn": "optdocs.demos.race_surface",
                    "kwargs": {"surface": "ravine", "points": 41}},
        "paths": {"fn": "optdocs.demos.ravine_race",
                  "kwargs": {"lr": C("lr"), "beta": C("beta"), "steps": BUDGET, "show": SHOW,
                             "tol": TOL}},
        "heat": {"fn": "optdocs.demos.ravine_heatmap", "slow": True,
                 "kwargs": {"steps": BUDGET, "tol": TOL}},
    },
    "code": ("from optdocs.demos import ravine_heatmap, ravine_race\n\n"
             f"r = ravine_race(lr={{lr}}, beta={{beta}}, steps={BUDGET}, show={SHOW}, tol={TOL})\n"
             "for name, run in r[\"runs\"].items():     # -1: not within tol in the budget\n"
             "    print(f\"{{name:9s}} steps to converge: {{run['steps_to_converge']}}\")\n"
             f"heat = ravine_heatmap(steps={BUDGET}, tol={TOL})   # momentum over (lr, beta)\n"
             "best = min((n, lr, b) for b, row in zip(heat[\"beta\"], heat[\"steps_to_converge\"])\n"
             "           for lr, n in zip(heat[\"lr\"], row) if n >= 0)\n"
             "print(f\"fastest on the map: {{best[0]}} steps at lr {{best[1]}}, beta {{best[2]}}\")\n"),
    "static": static,
}
