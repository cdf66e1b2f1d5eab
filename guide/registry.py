"""Figures and numbers that the guide computes at build time.

A chapter module ``guide/<slug>.py`` registers what its page shows::

    from guide.registry import figure, number

    @figure("double-well-escape", alt="Share of runs that leave the shallow well, per learning rate",
            caption="Look at where the bars turn over: ...")
    def _():
        fig, ax = new_figure()
        ...
        return fig                      # a matplotlib Figure

    @number("escape_small_lr", fmt="{:.0%}")
    def _():
        return 0.12                     # str, int or float (a float needs fmt)

The page then writes ``![...](figures/double-well-escape.svg)`` and ``{{ escape_small_lr }}``; the
MkDocs hook ``hooks/figures.py`` renders both. The sentences the page makes from computed results
are checked with :func:`guide.claims.claim` in a function registered with :func:`checks`; they run
before any figure or number of that module is computed. Every module of this package whose name does not
start with an underscore is imported by :func:`load_all`, so a chapter author only adds a file.

This module holds what the chapters declare; :mod:`guide.render` computes it (afresh, no cache),
and the build hook keeps the on-disk cache (keys in ``hooks/source_keys.py``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
GUIDE_DIR = Path(__file__).resolve().parent

#: Modules of this package that are not chapters.
MACHINERY = ("registry", "claims", "render")

FIGURE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NUMBER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class FigureSpec:
    name: str
    func: Callable[[], Any]
    alt: str
    module: str
    caption: str = ""
    page_kwargs: dict[str, Any] | None = None


@dataclass(frozen=True)
class NumberSpec:
    name: str
    func: Callable[[], Any]
    fmt: str | None
    module: str


FIGURES: dict[str, FigureSpec] = {}
NUMBERS: dict[str, NumberSpec] = {}


def _register(table: dict, spec: FigureSpec | NumberSpec, kind: str) -> None:
    old = table.get(spec.name)
    if old is not None and old.module != spec.module:
        raise ValueError(
            f"{kind} {spec.name!r} is registered twice: in {old.module} and in {spec.module}"
        )
    table[spec.name] = spec


def figure(name: str, *, alt: str, caption: str,
           page_kwargs: dict[str, Any] | None = None) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a function returning a :class:`matplotlib.figure.Figure` as ``figures/<name>.svg``.

    ``alt`` is the text alternative; it fills ``![](figures/<name>.svg)`` when the page leaves the
    alt text empty. ``caption`` is shown under the figure: what to look at, in a sentence or two
    of Markdown (``{{ number }}`` placeholders allowed). Under the caption the page shows, folded
    away, the figure's code as a runnable cell (``hooks/figure_code.py``); ``page_kwargs`` are
    keyword arguments of the function that make that cell lighter than the build's figure
    (``{"runs": 100}``), for a computation too heavy for the page.
    """
    if not FIGURE_NAME.match(name):
        raise ValueError(f"figure name must match {FIGURE_NAME.pattern}, got {name!r}")
    if not alt or not alt.strip():
        raise ValueError(f"figure {name!r} needs a non-empty alt text")
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError(f"figure {name!r} needs a caption (what to look at), got {caption!r}")
    if page_kwargs is not None and not isinstance(page_kwargs, dict):
        raise ValueError(f"figure {name!r}: page_kwargs must be a dict, got {page_kwargs!r}")

    def decorate(func: Callable[[], Any]) -> Callable[[], Any]:
        if page_kwargs:
            params = inspect.signature(func).parameters
            for key in page_kwargs:
                if key not in params or params[key].default is inspect.Parameter.empty:
                    raise ValueError(f"figure {name!r}: page_kwargs key {key!r} is not a keyword "
                                     f"parameter with a default of {func.__qualname__}")
        spec = FigureSpec(name, func, alt.strip(), func.__module__, " ".join(caption.split()),
                          dict(page_kwargs) if page_kwargs else None)
        _register(FIGURES, spec, "figure")
        return func

    return decorate


def number(name: str, *, fmt: str | None = None) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a function whose value is written into pages as ``{{ name }}``.

    The function returns a ``str`` (used as is), an ``int``, or a ``float``; floats need ``fmt``, a
    :meth:`str.format` pattern such as ``"{:.0%}"`` or ``"{:.3g}"``, so that every printed digit is
    chosen by the author.
    """
    if not NUMBER_NAME.match(name):
        raise ValueError(f"number name must be an identifier, got {name!r}")
    if fmt is not None:
        fmt.format(1.0)  # fail at registration on a broken pattern

    def decorate(func: Callable[[], Any]) -> Callable[[], Any]:
        _register(NUMBERS, NumberSpec(name, func, fmt, func.__module__), "number")
        return func

    return decorate


CHECKS: dict[str, list[Callable[[], Any]]] = {}
_CHECKED: set[str] = set()


def checks(func: Callable[[], Any]) -> Callable[[], Any]:
    """Register ``func`` (no arguments) as checks of its module's page.

    ``func`` states the page's sentences with :func:`guide.claims.claim`. :func:`run_checks` calls
    it before any figure or number of the same module is computed, so a build that shows one of
    them fails with :class:`guide.claims.ClaimError` when a sentence no longer holds.
    """
    if not callable(func):
        raise ValueError(f"checks: expected a function, got {func!r}")
    registered = CHECKS.setdefault(func.__module__, [])
    registered[:] = [f for f in registered if f.__qualname__ != func.__qualname__]  # re-import
    registered.append(func)
    return func


def run_checks(module: str) -> None:
    """Run the checks registered by ``module`` (once per process); raises ``ClaimError``."""
    if module in _CHECKED:
        return
    for func in CHECKS.get(module, []):
        func()
    _CHECKED.add(module)


def run_all_checks() -> None:
    """The check phase: import every chapter module and run every registered check."""
    load_all()
    for module in sorted(CHECKS):
        run_checks(module)


def chapter_modules() -> list[str]:
    """Names of the modules :func:`load_all` imports (``guide.<name>``, no leading underscore)."""
    return sorted(
        f"guide.{m.name}"
        for m in pkgutil.iter_modules([str(GUIDE_DIR)])
        if not m.name.startswith("_") and m.name not in MACHINERY
    )


def load_all() -> None:
    """Import every chapter module, which registers its figures and numbers."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    for name in chapter_modules():
        importlib.import_module(name)


#: Names that moved to guide.render (kept importable from here for code written before the split).
_MOVED_TO_RENDER = ("format_value", "compute_number", "compute_all", "compute_figure", "svg_bytes",
                    "figure_svg", "compute_items")


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_RENDER:
        return getattr(importlib.import_module("guide.render"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
