"""Figures and numbers that the guide computes at build time.

A chapter module ``guide/<slug>.py`` registers what its page shows::

    from guide.registry import figure, number

    @figure("double-well-escape", alt="Share of runs that leave the shallow well, per learning rate")
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

Nothing here caches: :func:`compute_number`, :func:`compute_figure` and :func:`figure_svg` always
compute afresh (the hook keeps the on-disk cache, keyed by :func:`cache_key`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import pkgutil
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
GUIDE_DIR = Path(__file__).resolve().parent

#: Bump when the way figures or numbers are rendered changes, to invalidate every cache entry.
RENDER_VERSION = "1"

FIGURE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NUMBER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class FigureSpec:
    name: str
    func: Callable[[], Any]
    alt: str
    module: str


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


def figure(name: str, *, alt: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a function returning a :class:`matplotlib.figure.Figure` as ``figures/<name>.svg``.

    ``alt`` is the text alternative; it fills ``![](figures/<name>.svg)`` when the page leaves the
    alt text empty.
    """
    if not FIGURE_NAME.match(name):
        raise ValueError(f"figure name must match {FIGURE_NAME.pattern}, got {name!r}")
    if not alt or not alt.strip():
        raise ValueError(f"figure {name!r} needs a non-empty alt text")

    def decorate(func: Callable[[], Any]) -> Callable[[], Any]:
        _register(FIGURES, FigureSpec(name, func, alt.strip(), func.__module__), "figure")
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
        if not m.name.startswith("_") and m.name not in ("registry", "claims")
    )


def load_all() -> None:
    """Import every chapter module, which registers its figures and numbers."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    for name in chapter_modules():
        importlib.import_module(name)


def format_value(name: str, value: Any, fmt: str | None) -> str:
    """The text a number shows: ``fmt.format(value)``, or the value itself for str and int."""
    import numbers as _numbers

    if fmt is not None:
        return fmt.format(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError(f"number {name!r} returned a bool; return the text to show instead")
    if isinstance(value, _numbers.Integral):
        return str(int(value))
    raise TypeError(
        f"number {name!r} returned {type(value).__name__} {value!r}; give it a format, "
        f'e.g. @number({name!r}, fmt="{{:.3g}}"), or return a str'
    )


def _style_context():
    try:
        from optdocs.plots.style import style_context
    except ImportError:  # pragma: no cover - the style module ships with optdocs
        import contextlib

        return contextlib.nullcontext()
    return style_context()


def compute_number(name: str) -> str:
    """Compute number ``name`` afresh and return its formatted text."""
    load_all()
    spec = NUMBERS[name]
    run_checks(spec.module)
    return format_value(name, spec.func(), spec.fmt)


def compute_all() -> dict[str, str]:
    """Every registered number, computed afresh: ``{name: text}``."""
    load_all()
    return {name: compute_number(name) for name in sorted(NUMBERS)}


def compute_figure(name: str):
    """Call figure ``name``'s function (inside the optdocs style) and return the Figure."""
    from matplotlib.figure import Figure

    load_all()
    spec = FIGURES[name]
    run_checks(spec.module)
    with _style_context():
        fig = spec.func()
    if not isinstance(fig, Figure):
        raise TypeError(
            f"figure {name!r} ({spec.module}.{spec.func.__qualname__}) must return a "
            f"matplotlib.figure.Figure, got {type(fig).__name__}"
        )
    return fig


def svg_bytes(fig) -> bytes:
    """The figure as SVG bytes that depend only on what is drawn (see ``optdocs.plots.to_svg``)."""
    from optdocs.plots.style import to_svg

    return to_svg(fig)


def figure_svg(name: str) -> bytes:
    """Figure ``name`` computed afresh, as SVG bytes."""
    fig = compute_figure(name)
    try:
        return svg_bytes(fig)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)  # no-op for figures made without pyplot


def sources_digest(*roots: Path) -> str:
    """sha256 over the path and bytes of every ``*.py`` file under ``roots`` (sorted)."""
    h = hashlib.sha256()
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if "__pycache__" in path.parts:
                continue
            h.update(str(path.relative_to(REPO_ROOT)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def environment_digest() -> str:
    """Versions that change what code computes or how figures are drawn."""
    import matplotlib
    import numpy

    return f"py{sys.version_info[:3]}-numpy{numpy.__version__}-mpl{matplotlib.__version__}"


LOCAL_PACKAGES = ("optdocs", "guide")


def module_file(name: str) -> Path | None:
    """The source file of module ``name`` if it belongs to optdocs or guide, else None."""
    parts = name.split(".")
    if parts[0] not in LOCAL_PACKAGES:
        return None
    base = REPO_ROOT.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def imported_modules(source: str, module: str = "__main__", is_package: bool = False) -> set[str]:
    """The optdocs / guide modules a piece of source imports anywhere (also inside functions),
    with their parent packages. ``module`` is the importing module's name (for relative imports)."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # maybe submodules
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {n for n in out if module_file(n) is not None}


def source_closure(source: str, module: str = "__main__") -> list[Path]:
    """Source files of every optdocs / guide module that ``source`` imports, transitively.

    Static (``import`` statements only): a module loaded with ``importlib`` by a computed name is
    not seen. This is what the caches key on, so that editing ``optdocs/nn.py`` recomputes only
    what imports it, and a chapter that reuses another chapter's experiment is recomputed when
    that chapter changes.
    """
    todo = list(imported_modules(source, module))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_file_imports(name))
    return sorted({module_file(n) for n in seen})


@functools.cache
def _file_imports(name: str) -> frozenset[str]:
    # memoised for the life of this module: hooks/figures.py re-imports the registry every build
    path = module_file(name)
    return frozenset(imported_modules(path.read_text(encoding="utf-8"), name,
                                      is_package=path.name == "__init__.py"))


@functools.cache
def module_closure(module: str) -> tuple[Path, ...]:
    """The source file of guide module ``module`` and of every local module it imports."""
    path = module_file(module)
    return tuple(sorted({path, *source_closure(path.read_text(encoding="utf-8"), module)}))


@functools.cache
def _module_digest(module: str) -> str:
    return sources_digest(*module_closure(module))


def cache_key(kind: str, name: str) -> str:
    """Key of figure/number ``name``: the sources of its module and of every optdocs / guide
    module it imports (transitively), and the library versions."""
    spec = (FIGURES if kind == "figure" else NUMBERS)[name]
    h = hashlib.sha256()
    for part in (RENDER_VERSION, kind, name, repr(getattr(spec, "fmt", None)),
                 environment_digest(), _module_digest(spec.module)):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def compute_items(items: list[tuple[str, str]]) -> list[tuple[str, str, bool, Any, float]]:
    """Compute ``[(kind, name), ...]`` (kind "number" or "figure") in order, never raising.

    Returns ``(kind, name, ok, value, seconds)``: the number's text or the figure's SVG bytes, or
    the formatted traceback when ``ok`` is False. Used by hooks/figures.py, one call per chapter
    module, possibly in a worker process.
    """
    import time
    import traceback

    out = []
    for kind, name in items:
        t0 = time.perf_counter()
        try:
            value = compute_number(name) if kind == "number" else figure_svg(name)
            out.append((kind, name, True, value, time.perf_counter() - t0))
        except Exception as exc:  # noqa: BLE001 - reported by the hook
            tb = exc.__traceback__
            here = str(Path(__file__).resolve())
            while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename == here:
                tb = tb.tb_next
            text = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()
            out.append((kind, name, False, text, time.perf_counter() - t0))
    return out
