"""Computing the registered figures and numbers: a number's text, a figure's SVG bytes.

Nothing here caches: every call computes afresh, after the defining module's checks
(:func:`guide.registry.run_checks`). ``hooks/figures.py`` keeps the on-disk cache and calls
:func:`compute_items`, one call per chapter module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guide import registry

#: Bump when the way figures or numbers are rendered changes, to invalidate every cache entry.
RENDER_VERSION = "1"


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
    registry.load_all()
    spec = registry.NUMBERS[name]
    registry.run_checks(spec.module)
    return format_value(name, spec.func(), spec.fmt)


def compute_all() -> dict[str, str]:
    """Every registered number, computed afresh: ``{name: text}``."""
    registry.load_all()
    return {name: compute_number(name) for name in sorted(registry.NUMBERS)}


def compute_figure(name: str):
    """Call figure ``name``'s function (inside the optdocs style) and return the Figure."""
    from matplotlib.figure import Figure

    registry.load_all()
    spec = registry.FIGURES[name]
    registry.run_checks(spec.module)
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
            here = {str(Path(__file__).resolve()), str(Path(registry.__file__).resolve())}
            while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename in here:
                tb = tb.tb_next
            text = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()
            out.append((kind, name, False, text, time.perf_counter() - t0))
    return out
