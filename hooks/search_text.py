"""MkDocs hook: the search plugin reads each code block as plain text.

Material's search plugin parses every page's HTML (Python's ``html.parser``, in the build's one
process) and indexes the text of a ``<pre>`` with its ``<code>`` tags, nothing of the ``<span>``
markup with which Pygments colours each token. That markup is most of a code block's tags: in a
warm build, parsing the site's pages took 1.28 s with it and 0.88 s without. So in
``on_page_content``, after every other hook has written the page, each ``<pre>`` that holds other
tags than ``<code>`` is swapped for one holding its text and its ``<code>`` tags alone (the same
text for the index, so the same index), and in ``on_page_context``, which runs after the
plugin's, the original is put back. ``tests/test_site_build.py`` builds a page with and without
this hook and requires the same search index and the same page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # hooks/ (helpers) lives here
    sys.path.insert(0, str(REPO_ROOT))
from hooks.set_aside import put_back, set_aside  # noqa: E402

PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S)
TAG = re.compile(r"<(?!/?code\b)[^>]*>")
PLAIN = re.compile(r'<pre data-optdocs-plain="(\d+)">.*?</pre>', re.S)

_aside: dict[str, list[str]] = {}


@event_priority(-200)  # after the other hooks (figures.py puts its code aside at -100)
def on_page_content(html, page, config, files):
    html, blocks = plain_code(html)
    _aside[page.file.src_uri] = blocks
    return html


def on_page_context(context, page, config, nav):
    page.content = restore_code(page.content, _aside.pop(page.file.src_uri, []))
    return context


def plain_code(page_html: str) -> tuple[str, list[str]]:
    """The page with each ``<pre>`` that holds markup reduced to its text and ``<code>`` tags
    (numbered by a ``data-optdocs-plain`` attribute), and the original blocks in order."""
    def plain(i: int, m: re.Match) -> str | None:
        text = TAG.sub("", m.group(1))
        return None if text == m.group(1) else f'<pre data-optdocs-plain="{i}">{text}</pre>'

    return set_aside(page_html, PRE, plain)


def restore_code(page_html: str, blocks: list[str]) -> str:
    """Undo ``plain_code``; PluginError if a block is not found again."""
    return put_back(page_html, PLAIN, blocks, "code blocks given to search as plain text")
