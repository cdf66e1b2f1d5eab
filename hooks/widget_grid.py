"""A widget's data (its description and the answers at every grid point) and its static figure,
computed with optdocs: ``compute(name)``. Importable by worker processes (hooks/parallel.py); run
as a script (``python -m hooks.widget_grid``, the widgets and their cache paths as JSON on stdin),
it computes them into the cache ahead of the pages (hooks/widgets.py)."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from hooks.widget_specs import WIDGETS

REPO = Path(__file__).resolve().parent.parent


def _resolve(dotted: str) -> Callable:
    import importlib

    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def call_kwargs(call: dict, values: dict) -> dict:
    """The call's keyword arguments with every ``{"$": control}`` replaced by ``values[control]``."""
    return {k: values[v["$"]] if isinstance(v, dict) and "$" in v else v
            for k, v in call["kwargs"].items()}


def call_axes(spec: dict, call: dict) -> list[str]:
    """Controls the call depends on, in the order of ``spec["controls"]``."""
    used = {v["$"] for v in call["kwargs"].values() if isinstance(v, dict) and "$" in v}
    return [c["name"] for c in spec["controls"] if c["name"] in used]


def defaults(spec: dict) -> dict:
    return {c["name"]: c["default"] for c in spec["controls"]}


def compact(value: Any) -> Any:
    """Round floats inside lists of more than 8 numbers to 4 significant digits (drawn data)."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > 8 and all(isinstance(v, float) for v in value):
            return [float(f"{v:.4g}") for v in value]
        return [compact(v) for v in value]
    return value


def compute_grid(name: str) -> dict:
    """{call: {"axes": [control, ...], "answers": {"i,j,...": answer}}} for widget ``name``."""
    spec = WIDGETS[name]
    controls = {c["name"]: c for c in spec["controls"]}
    grid = {}
    for call_name, call in spec["calls"].items():
        fn = _resolve(call["fn"])
        axes = call_axes(spec, call)
        for a in axes:
            if "grid" not in controls[a]:
                raise PluginError(f"widgets: control {a!r} of {name!r} is used by call "
                                  f"{call_name!r} but has no grid")
        answers = {}
        for index in itertools.product(*(range(len(controls[a]["grid"])) for a in axes)):
            values = {a: controls[a]["grid"][i] for a, i in zip(axes, index, strict=True)}
            answers[",".join(map(str, index))] = compact(fn(**call_kwargs(call, values)))
        grid[call_name] = {"axes": axes, "answers": answers}
    return grid


def default_answers(name: str) -> dict:
    spec = WIDGETS[name]
    values = defaults(spec)
    return {k: _resolve(c["fn"])(**call_kwargs(c, values)) for k, c in spec["calls"].items()}


def page_spec(name: str) -> dict:
    """What the page gets in ``data-spec``: everything in WIDGETS but the static figure."""
    spec = WIDGETS[name]
    return {k: v for k, v in spec.items() if k != "static"}


def digest() -> str:
    """Key of every widget's data: this code, the specs, the optdocs sources, the libraries."""
    from hooks.source_keys import environment_digest, sources_digest

    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update((REPO / "hooks" / "widgets.py").read_bytes())
    for spec in sorted((REPO / "hooks" / "widget_specs").glob("*.py")):
        h.update(spec.read_bytes())
    h.update(sources_digest(REPO / "optdocs").encode())
    h.update(environment_digest().encode())
    return h.hexdigest()[:20]


def compute(name: str) -> tuple[str, bytes, bytes]:
    """(name, data-spec JSON, static SVG) of widget ``name``."""
    from optdocs.plots.style import to_svg

    data = dict(page_spec(name), grid=compute_grid(name))
    raw = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
    return name, raw, to_svg(WIDGETS[name]["static"](default_answers(name)))


def compute_into(targets: list[tuple[str, str, str]]) -> None:
    """Compute each widget ``name`` of ``targets`` and write its data and static SVG to the
    paths given with it (the cache entries of hooks/widgets.py)."""
    from hooks.build_cache import write_atomic

    for name, json_path, svg_path in targets:
        _, raw, svg = compute(name)
        write_atomic(Path(svg_path), svg)
        write_atomic(Path(json_path), raw)


if __name__ == "__main__":  # hooks/widgets.py computes widgets ahead: python -m hooks.widget_grid
    import sys

    compute_into(json.loads(sys.stdin.read()))
