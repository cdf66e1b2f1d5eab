"""The race: optimizers side by side from the same start on a 2D surface, and the surface itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from optdocs.demos._checks import MAX_STEPS, _floats, _integer, _number
from optdocs.demos.settle import steps_to_converge
from optdocs.landscapes import get
from optdocs.optimizers import SGD, Adagrad, Adam, AdamW, Lion, Optimizer, RAdam, RMSprop
from optdocs.simulate import simulate

#: The surfaces of the race (names in ``optdocs.landscapes.LANDSCAPES``) and how a page names them.
SURFACES: dict[str, str] = {
    "flat_steep": "ill-conditioned bowl (flat w1, steep w2)",
    "rosenbrock": "Rosenbrock's valley",
    "beale": "Beale's function",
    "himmelblau": "Himmelblau's function (four minima)",
    "saddle": "a saddle between two minima",
    "ravine": "the ravine of the momentum chapter",
}

#: The racers: name -> the optdocs optimizer with that learning rate (defaults for the rest).
RACERS: dict[str, Callable[[float], Optimizer]] = {
    "SGD": lambda lr: SGD(lr=lr),
    "Momentum": lambda lr: SGD(lr=lr, momentum=0.9),
    "RMSprop": lambda lr: RMSprop(lr=lr),
    "Adam": lambda lr: Adam(lr=lr),
    "Nesterov": lambda lr: SGD(lr=lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda lr: Adagrad(lr=lr),
    "AdamW": lambda lr: AdamW(lr=lr),
    "RAdam": lambda lr: RAdam(lr=lr),
    "Lion": lambda lr: Lion(lr=lr),
}

#: The racers of the article's race, run when none is named.
DEFAULT_RACERS: tuple[str, ...] = ("SGD", "Momentum", "RMSprop", "Adam")

#: Contour levels per surface drawing (``race_surface``).
LEVELS = 14


def _surface(surface: Any):
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {list(SURFACES)}, got {surface!r}")
    return get(surface)


def race_surface(surface: str = "flat_steep", points: int = 41) -> dict[str, Any]:
    """A race surface sampled on a grid over its plotting window, with contour levels.

    Parameters
    ----------
    surface : str
        One of ``SURFACES``.
    points : int
        Samples per side, 2 to 201.

    Returns
    -------
    dict
        ``surface``, ``label``, ``bounds`` (``[[x_lo, x_hi], [y_lo, y_hi]]``), ``x`` and ``y``
        (the ``points`` sample coordinates along each axis), ``loss`` (``points * points`` floats,
        row by row: ``loss[i + j * points]`` is the loss at ``(x[i], y[j])``), ``levels``
        (``LEVELS`` increasing contour levels, spaced geometrically above the lowest sample),
        ``minima`` (``[[x, y], ...]``) and ``start`` (the surface's own start).
    """
    land = _surface(surface)
    points = _integer("points", points, 2, 201)
    (x0, x1), (y0, y1) = land.bounds
    xs, ys = np.linspace(x0, x1, points), np.linspace(y0, y1, points)
    loss = land.loss(np.stack(np.meshgrid(xs, ys), axis=-1))          # [j, i]: y row, x column
    low, high = float(loss.min()), float(np.quantile(loss, 0.9))
    span = max(high - low, 1e-12)
    levels = low + np.geomspace(span * 1e-4, span, LEVELS)
    return {
        "surface": surface, "label": SURFACES[surface],
        "bounds": [[float(x0), float(x1)], [float(y0), float(y1)]],
        "x": _floats(xs), "y": _floats(ys), "loss": _floats(loss),
        "levels": _floats(levels),
        "minima": [_floats(m) for m in land.minima],
        "start": _floats(land.start),
    }


def race(surface: str = "flat_steep", lr: float = 0.1, dx: float = 0.0, dy: float = 0.0,
         steps: int = 150, tol: float = 0.01, *, sgd: bool = True, momentum: bool = True,
         rmsprop: bool = True, adam: bool = True, nesterov: bool = False, adagrad: bool = False,
         adamw: bool = False, radam: bool = False, lion: bool = False) -> dict[str, Any]:
    """The ticked optimizers of ``RACERS`` from the same start, one shared learning rate.

    Each racer is simulated without gradient noise by ``optdocs.simulate.simulate`` from the
    surface's own start moved by ``(dx, dy)``.

    Parameters
    ----------
    surface : str
        One of ``SURFACES``.
    lr : float
        The learning rate of every racer, > 0.
    dx, dy : float
        Where the race starts, relative to the surface's own start (``landscape.start``).
    steps : int
        0 to 5000.
    tol : float
        The tolerance of ``steps_to_converge``, > 0.
    sgd, momentum, rmsprop, adam, nesterov, adagrad, adamw, radam, lion : bool
        Which racers run (by default those of ``DEFAULT_RACERS``).

    Returns
    -------
    dict
        ``surface``, ``lr``, ``start`` (``[x, y]``), ``start_loss``, ``min_loss`` (the loss at
        the surface's global minimum), ``steps``, ``racers`` (the
        names that ran, in the order of ``RACERS``) and ``runs``: per racer ``x``, ``y`` and
        ``loss`` (``steps + 1`` floats each), ``final_loss``, ``best_loss`` (the lowest on the
        way), ``steps_to_converge`` (-1: not within ``tol`` of a minimum to the end) and
        ``diverged_at`` (-1 if never; a diverged run stays at its last finite point).
    """
    land = _surface(surface)
    lr = _number("lr", lr, positive=True)
    start = land.start + np.array([_number("dx", dx), _number("dy", dy)])
    steps = _integer("steps", steps, 0, MAX_STEPS)
    tol = _number("tol", tol, positive=True)
    ticks = {"SGD": sgd, "Momentum": momentum, "RMSprop": rmsprop, "Adam": adam,
             "Nesterov": nesterov, "AdaGrad": adagrad, "AdamW": adamw, "RAdam": radam,
             "Lion": lion}
    for name, on in ticks.items():
        if not isinstance(on, (bool, np.bool_)):
            raise ValueError(f"{name.lower()} must be True or False, got {on!r}")
    runs = {}
    for name, on in ticks.items():
        if not on:
            continue
        tr = simulate(land, RACERS[name](lr), start, steps=steps)
        runs[name] = {
            "x": _floats(tr.positions[:, 0, 0]), "y": _floats(tr.positions[:, 0, 1]),
            "loss": _floats(tr.losses[:, 0]),
            "final_loss": float(tr.losses[-1, 0]), "best_loss": float(tr.losses[:, 0].min()),
            "steps_to_converge": int(steps_to_converge(tr, tol)[0]),
            "diverged_at": int(tr.diverged_at[0]),
        }
    return {"surface": surface, "lr": lr, "start": _floats(start),
            "start_loss": float(land.loss(start)), "min_loss": float(land.loss(land.minima[0])),
            "steps": steps, "racers": list(runs), "runs": runs}
