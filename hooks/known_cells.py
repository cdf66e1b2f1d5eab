"""Cell results the build already has, so that hooks/cells.py need not run those cells again.

The folded cell under a figure drawn at full size (registered without ``page_kwargs``) is the
figure's own code (hooks/figure_code.py): run, it prints nothing and draws the SVG that
hooks/figures.py has just computed, byte for byte (tests/test_hooks_figure_code.py checks this for
every such figure). hooks/figures.py records those results here in ``on_config``; hooks/cells.py
looks a cell up here before running it. A helper module, not a hook: both hooks import it.
"""

from __future__ import annotations

_known: dict[str, tuple[str, list[bytes]]] = {}


def _key(src: str) -> str:
    return src.strip("\n")


def reset() -> None:
    """Forget every result (each build records its own)."""
    _known.clear()


def record(src: str, output: str, svgs: list[bytes]) -> None:
    """Running ``src`` prints ``output`` and draws ``svgs``."""
    _known[_key(src)] = (output, list(svgs))


def lookup(src: str) -> tuple[str, list[bytes]] | None:
    """(output, svgs) of ``src`` if recorded, else None."""
    return _known.get(_key(src))
