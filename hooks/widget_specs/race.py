"""The race (chapter 9, race.md): the ticked optimizers from one start on a chosen 2D surface."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

RACE_STEPS = 150
RACE_TOL = 0.01
#: racer name -> the keyword (and control) that ticks it; the defaults of optdocs.demos.race
TICKS = {"SGD": ("sgd", True), "Momentum": ("momentum", True), "RMSprop": ("rmsprop", True),
         "Adam": ("adam", True), "Nesterov": ("nesterov", False), "AdaGrad": ("adagrad", False),
         "AdamW": ("adamw", False), "RAdam": ("radam", False), "Lion": ("lion", False)}
SURFACE_LABELS = {"flat_steep": "ill-conditioned bowl", "rosenbrock": "Rosenbrock",
                  "beale": "Beale", "himmelblau": "Himmelblau", "saddle": "saddle",
                  "ravine": "ravine"}


def static(answers: dict) -> Any:
    from optdocs.landscapes import get
    from optdocs.plots import contour
    from optdocs.plots.style import color, linestyle, new_figure

    r = answers["race"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    paths = {name: [list(p) for p in zip(run["x"], run["y"], strict=True)]
             for name, run in r["runs"].items()}
    contour(get(r["surface"]), {k: _array(v) for k, v in paths.items()}, ax=a, levels=14,
            resolution=100)
    for i, (name, run) in enumerate(r["runs"].items()):
        gap = [max(v - r["min_loss"], 1e-12) for v in run["loss"]]
        b.semilogy(gap, color=color(i), linestyle=linestyle(i), label=name)
    b.set_xlabel("step")
    b.set_ylabel("loss - minimum")
    b.legend(fontsize="small")
    return fig


def _array(points):
    import numpy as np

    return np.array(points)


NAME = "race"
SPEC = {
    "title": "The race",
    "invite": "Tick optimizers, pick a surface, set the learning rate, or click the contour "
              "plot to start somewhere else; Play replays the race.",
    "alt": f"Contour lines of the ill-conditioned bowl with the paths of SGD, momentum, RMSprop "
           f"and Adam from (-4, 1) at learning rate 0.1, and their losses over {RACE_STEPS} "
           f"steps on a log scale.",
    "controls": [
        {"name": "surface", "label": "surface", "kind": "select", "default": "flat_steep",
         "options": [{"value": k, "label": v} for k, v in SURFACE_LABELS.items()],
         "grid": list(SURFACE_LABELS)},
        {"name": "lr", "label": "learning rate", "kind": "range", "min": 0.001, "max": 1.0,
         "step": 0.001, "default": 0.1, "grid": [0.001, 0.01, 0.03, 0.1, 0.45]},
        {"name": "dx", "label": "start: shift x", "kind": "range", "min": -10.0, "max": 10.0,
         "step": 0.05, "default": 0.0, "grid": [0.0]},
        {"name": "dy", "label": "start: shift y", "kind": "range", "min": -10.0, "max": 10.0,
         "step": 0.05, "default": 0.0, "grid": [0.0]},
        *({"name": key, "label": name, "kind": "checkbox", "default": on, "grid": [on]}
          for name, (key, on) in TICKS.items()),
        {"name": "step", "label": "step", "kind": "state", "min": 0, "max": RACE_STEPS,
         "default": RACE_STEPS},
    ],
    "calls": {
        "surface": {"fn": "optdocs.demos.race_surface",
                    "kwargs": {"surface": C("surface"), "points": 41}},
        "race": {"fn": "optdocs.demos.race",
                 "kwargs": {"surface": C("surface"), "lr": C("lr"), "dx": C("dx"), "dy": C("dy"),
                            "steps": RACE_STEPS, "tol": RACE_TOL,
                            **{key: C(key) for key, _ in TICKS.values()}}},
    },
    "code": ("from optdocs.demos import race\n\n"
             "r = race({surface}, lr={lr}, dx={dx}, dy={dy}, "
             f"steps={RACE_STEPS}, tol={RACE_TOL},\n"
             "         sgd={sgd}, momentum={momentum}, rmsprop={rmsprop}, adam={adam},\n"
             "         nesterov={nesterov}, adagrad={adagrad}, adamw={adamw}, radam={radam}, "
             "lion={lion})\n"
             "x, y = r[\"start\"]\n"
             "print(f\"{{r['surface']}} from ({{x:+.2f}}, {{y:+.2f}}), lr {{r['lr']}}\")\n"
             "for name, run in r[\"runs\"].items():\n"
             "    settled = run[\"steps_to_converge\"]          # -1: not within tol to the end\n"
             "    print(f\"{{name:9s}} loss at step {step}: {{run['loss'][{step}]:.3e}}, \"\n"
             f"          f\"within {RACE_TOL} of a minimum from step {{{{settled}}}}\")\n"),
    "static": static,
}
