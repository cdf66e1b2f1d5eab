"""Parts of a page set aside while the search plugin reads it, and put back after.

The search plugin indexes a page in its ``on_page_context``, which runs before the hooks' (plugins
run first), so a hook can hand it a lighter page in ``on_page_content`` and restore the real one in
its own ``on_page_context``. ``hooks/figures.py`` sets aside the figures' drawing code (not
indexed at all); ``hooks/search_text.py`` gives it each code block as plain text.
A helper module, not a hook: both hooks import it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mkdocs.exceptions import PluginError


def set_aside(page_html: str, pattern: re.Pattern,
              stand_in: Callable[[int, re.Match], str | None]) -> tuple[str, list[str]]:
    """``page_html`` with each match of ``pattern`` replaced by ``stand_in(i, match)`` (``i``
    counts the blocks set aside), or left as it is when that returns None; and the blocks set
    aside, in order."""
    blocks: list[str] = []

    def aside(m: re.Match) -> str:
        text = stand_in(len(blocks), m)
        if text is None:
            return m.group()
        blocks.append(m.group())
        return text

    return pattern.sub(aside, page_html), blocks


def put_back(page_html: str, marker: re.Pattern, blocks: list[str], what: str) -> str:
    """Undo ``set_aside``: each match of ``marker`` (group 1: the block's number) replaced by its
    block. PluginError, naming ``what`` the blocks are, if their count is not the same."""
    found = len(marker.findall(page_html))
    if found != len(blocks):
        raise PluginError(f"optdocs: {len(blocks)} {what} were put aside, {found} found again")
    return marker.sub(lambda m: blocks[int(m.group(1))], page_html)
