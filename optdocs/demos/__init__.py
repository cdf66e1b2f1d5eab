"""The computations behind the guide's interactive figures, as plain JSON-able results.

Each function answers one question a figure asks for one setting of its controls, and returns
dicts, lists and floats only (no NumPy types), so the same call serves the site build (which
stores its answers at a grid of settings) and the page (which calls it in the browser through
Pyodide once Python is running). Every result is a deterministic function of the arguments: the
gradient noise is drawn from ``seed`` exactly as ``optdocs.simulate.simulate`` draws it, so two
calls with the same seed see the same noise whatever the optimizer.

Bad arguments raise ``ValueError`` naming the argument and the value given.

Example
-------
>>> from optdocs.demos import lr_dial
>>> dial = lr_dial(lr=0.6, curvature=2.0)
>>> dial["regime"], round(dial["factor"], 3)
('oscillating', -0.2)
"""

from optdocs.demos.adam_step import adam_normalised_step, sgd_normalised_step
from optdocs.demos.adaptive import (
    FLAT_STEEP_OPTIMIZERS,
    flat_steep_limits,
    flat_steep_path,
    flat_steep_step,
    flat_steep_surface,
)
from optdocs.demos.double_well import OPTIMIZERS, double_well_curve, double_well_outcomes, double_well_path
from optdocs.demos.lr_dial import REGIMES, lr_dial
from optdocs.demos.playground import (
    PLAYGROUND_OPTIMIZERS,
    PLAYGROUND_SCHEDULES,
    circle_points,
    playground,
)
from optdocs.demos.race import DEFAULT_RACERS, RACERS, SURFACES, race, race_surface
from optdocs.demos.ravine import HEAT_BETAS, HEAT_LRS, RAVINE_RUNS, ravine_heatmap, ravine_race
from optdocs.demos.schedules import SCHEDULE_PARAMETERS, SCHEDULES, make_schedule, schedule_run
from optdocs.demos.settle import steps_to_converge

__all__ = ["OPTIMIZERS", "REGIMES", "lr_dial", "double_well_curve", "double_well_path",
           "double_well_outcomes", "FLAT_STEEP_OPTIMIZERS", "flat_steep_surface",
           "flat_steep_limits", "flat_steep_path", "flat_steep_step", "sgd_normalised_step",
           "adam_normalised_step", "SCHEDULES", "SCHEDULE_PARAMETERS", "make_schedule",
           "schedule_run", "PLAYGROUND_OPTIMIZERS", "PLAYGROUND_SCHEDULES", "circle_points",
           "playground", "SURFACES", "RACERS", "DEFAULT_RACERS", "race", "race_surface",
           "RAVINE_RUNS", "HEAT_LRS", "HEAT_BETAS", "ravine_race", "ravine_heatmap",
           "steps_to_converge"]
