"""The fenced code blocks of a Markdown page, found the way pymdownx.superfences finds them.

Also ``markdown_pages``: the pages the hooks scan, in the order MkDocs reads them.

One parser for the build hooks and the tests: ``hooks/cells.py`` maps each ```` ```python ```` block
to its line, ``hooks/figures.py`` leaves code alone when it fills in numbers, and
``tests/site_helpers.py`` runs every block in a fresh process.

A fence opens with three or more backticks or tildes, after optional indentation (blocks nested in
admonitions and content tabs are indented; ``>`` of a block quote counts as indentation), and closes
with a line of the same character at least as long. An unclosed fence runs to the end of the page.
The language is the first word of the info string (```` ```python title="x" ````), or the first
class in braces (```` ```{.python .extra} ````).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
BRACED_LANG = re.compile(r"^\{\s*\.([\w+-]+)")
PLAIN_LANG = re.compile(r"^[\w+-]*")


@dataclass(frozen=True)
class Fence:
    """One fenced block: lines ``first`` (the opening fence) to ``last`` (closing, or the page's
    last line), 0-based; ``start`` / ``end`` are the character offsets of those lines."""

    first: int
    last: int
    start: int
    end: int
    indent: str
    lang: str
    code: str

    @property
    def code_line(self) -> int:
        """1-based line number of the block's first line of code."""
        return self.first + 2


def language(info: str) -> str:
    """The language of an info string: ``python`` for ``python title="x"`` and ``{.python .x}``."""
    info = info.strip()
    if info.startswith("{"):
        m = BRACED_LANG.match(info)
        return m.group(1) if m else ""
    return PLAIN_LANG.match(info).group(0)


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip().lstrip(">").strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _unindent(line: str, indent: str) -> str:
    return line[len(indent):] if line.startswith(indent) else line.lstrip(" \t>")


def fences(markdown: str) -> list[Fence]:
    """Every fenced block of ``markdown``, in order, with its code unindented (no final newline)."""
    lines = markdown.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out: list[Fence] = []
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if not m:
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            j += 1
        last = min(j, len(lines) - 1)
        code = "".join(_unindent(line.rstrip("\r\n"), indent) + "\n" for line in lines[i + 1:j])
        out.append(Fence(first=i, last=last, start=offsets[i], end=offsets[last + 1],
                         indent=indent, lang=language(m.group("info")), code=code.strip("\n")))
        i = last + 1
    return out


def code_spans(markdown: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of every fenced block, in order."""
    return [(f.start, f.end) for f in fences(markdown)]


def markdown_pages(docs_dir: Path, exclude=None) -> list[Path]:
    """The docs' Markdown pages (not those of ``exclude``, the ``exclude_docs`` setting, nor of
    hidden folders) in the order MkDocs reads them: a folder's ``index.md`` first, then its other
    files by name, then its subfolders."""
    def build_order(path: Path) -> tuple:
        parts = path.relative_to(docs_dir).parts
        return parts[:-1], path.stem != "index", parts[-1]

    pages = []
    for path in docs_dir.rglob("*.md"):
        rel = path.relative_to(docs_dir)
        if any(part.startswith(".") for part in rel.parts) or (
                exclude is not None and exclude.match_file(rel.as_posix())):
            continue
        pages.append(path)
    return sorted(pages, key=build_order)
