"""MkDocs hook: run every ```python block at build time and render it as a runnable cell.

``on_config`` registers a pymdownx.superfences custom fence for the language ``python`` (```py and
```pycon stay ordinary, display-only blocks). For each block the fence

1. highlights the code with the same highlighter superfences uses (so Material's copy button,
   ``hl_lines``, ``title`` and code annotations behave as in any other block);
2. runs the code (``hooks/cell_runs.py``), like ``python file.py``: a fresh namespace with
   ``__name__ == "__main__"``, cwd = repo root, ``sys.argv = ["<cell>"]``, matplotlib's Agg
   backend, stdout and stderr captured together, rcParams / numpy error state / warning filters /
   sys.path restored afterwards. Nothing is seeded: a snippet seeds its own generators.
   Figures shown with ``plt.show()`` and pyplot figures still open at the end become SVG files
   ``cells/<sha>.svg`` in the site;
3. emits the cell markup of CONTRACTS.md ("Runnable cell HTML").

Most blocks have run before their page is rendered: ``on_config`` (before hooks/figures.py
computes) hands the code of every block of the Markdown to a background process that runs the
blocks missing from the cache while the figures are computed (``hooks/cell_runs.py``).

A block that raises stops the build with the page, the block's line and first line, and the
traceback. Results are cached in ``.cache/optdocs-cells/`` (or ``$OPTDOCS_CACHE_DIR``) keyed by the
code, the sources of every optdocs module it imports (transitively, from its import statements:
``hooks/source_keys.py``) and the library versions; a warm rebuild runs nothing, and entries no
build uses any more are pruned after the build (``hooks/build_cache.py``). Set
``OPTDOCS_STATS_FILE`` to get the counts as JSON, or read the INFO log line.
"""

from __future__ import annotations

import html
import os
import re
import sys
import time
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority, get_plugin_logger  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402
from pymdownx.superfences import SuperFencesException, highlight_validator  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # optdocs/ and hooks/ (helpers) live here
    sys.path.insert(0, str(REPO_ROOT))
from hooks import cell_runs, known_cells, source_keys  # noqa: E402
from hooks.build_cache import cache_dir, prune  # noqa: E402
from hooks.build_stats import record_stats  # noqa: E402
from hooks.fences import fences, markdown_pages  # noqa: E402

ANNOTATIONS_SLOT = "<!--optdocs-annotations-->"
CELL_END = "<!--/optdocs-cell-->"
ANNOTATION_MARK = re.compile(r"#.*\(\d+\)")

log = get_plugin_logger("optdocs")


class CellError(SuperFencesException, PluginError):
    """A python block failed at build time.

    A SuperFencesException, so superfences lets it through instead of silently dropping the block;
    a PluginError, so MkDocs reports the message without its own traceback.
    """


_state: dict = {"page": None, "count": 0, "lines": {}, "svgs": {}, "stats": {}, "used": set()}


# ---------------------------------------------------------------------------------------- hooks


@event_priority(100)  # before hooks/figures.py computes: the cells run ahead meanwhile
def on_config(config):
    cell_runs.forget_ahead()
    custom = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    custom[:] = [f for f in custom if f.get("name") != "python"]
    custom.append({
        "name": "python",
        "class": "optdocs-cell",
        "format": format_cell,
        "validator": highlight_validator,
    })
    if "pymdownx.superfences" not in config.markdown_extensions:
        config.markdown_extensions.append("pymdownx.superfences")
    # include paths relative to the repository, whatever the current directory
    snippets = config.mdx_configs.get("pymdownx.snippets")
    if snippets is not None:
        snippets["base_path"] = [
            str((REPO_ROOT / p).resolve()) for p in snippets.get("base_path", ["."])
        ]
    source_keys.forget()
    _state.update(page=None, svgs={}, used=set(),
                  stats={"cells_run": 0, "cells_cached": 0, "cells_ahead": 0, "cells_known": 0,
                         "seconds": 0.0})
    cell_runs.run_ahead(markdown_cells(Path(config["docs_dir"]), config["exclude_docs"]))
    return config


def on_page_markdown(markdown, page, config, files):
    _state["page"] = page
    _state["count"] = 0
    _state["lines"] = fence_lines(markdown)
    return markdown


def on_page_content(html_text, page, config, files):
    _state["page"] = None
    return move_annotations(html_text)


def on_post_build(config):
    site = Path(config.site_dir) / "cells"
    if _state["svgs"]:
        site.mkdir(parents=True, exist_ok=True)
    for sha, svg in _state["svgs"].items():
        (site / f"{sha}.svg").write_bytes(svg)
    stats = _state["stats"]
    log.info("cells: %d run (%.1f s), %d run ahead of the pages, %d cached, %d drawn by the figure "
             "hook", stats["cells_run"], stats["seconds"], stats["cells_ahead"],
             stats["cells_cached"], stats["cells_known"])
    record_stats("cells", stats)
    cell_runs.forget_ahead()  # every page is rendered: what still runs ahead is of no use
    source_keys.save_import_lists()
    _prune_caches()


def _prune_caches() -> None:
    """Drop the cell results and figures that no build uses any more."""
    cells = cache_dir("optdocs-cells")
    removed = prune(cells, _state["used"], "*.json")
    removed += prune(cells / "svg", [cells / "svg" / f"{sha}.svg" for sha in _state["svgs"]], "*.svg")
    if removed:
        log.info("cells: pruned %d cache entries no build uses", len(removed))


# ------------------------------------------------------------------------------------ the fence


def format_cell(src, language, class_name, options, md, **kwargs):
    page = _state["page"]
    kwargs.pop("class_name", None)
    code_html = md.preprocessors["fenced_code_block"].highlight(
        src=src, language=language, options=options, md=md, **kwargs
    )
    if page is None:  # Markdown rendered outside a page: show the code only
        return code_html
    _state["count"] += 1
    cell_id = f"c{_state['count']}"
    output, figures = run_cached(src, page, cell_id)
    # The raw code travels in an attribute: a <script> holder would be re-created as JavaScript by
    # Material's instant navigation, and an attribute is neither executed nor indexed by search.
    parts = [f'<div class="optdocs-cell" data-optdocs-cell="{cell_id}" data-state="idle" '
             f'data-optdocs-source="{html.escape(src, quote=True)}">', code_html]
    if ANNOTATION_MARK.search(src):
        parts.append(ANNOTATIONS_SLOT)
    parts.append('<div class="optdocs-cell__output" data-role="output">')
    if output:
        parts.append(f'<pre class="optdocs-cell__stdout">{html.escape(output, quote=False)}</pre>')
    for i, sha in enumerate(figures, 1):
        url = get_relative_url(f"cells/{sha}.svg", page.url)
        parts.append(f'<img class="optdocs-cell__figure" src="{url}" '
                     f'alt="Figure {i} produced by this code">')
    parts.append("</div>")
    parts.append("</div>" + CELL_END)
    return "".join(parts)


def run_cached(src: str, page, cell_id: str) -> tuple[str, list[str]]:
    known = known_cells.lookup(src)
    if known is not None:  # the code under a full-size figure: the figure hook drew it already
        _state["stats"]["cells_known"] += 1
        return known[0], [_keep_svg(svg) for svg in known[1]]
    entry = cell_runs.entry(src)
    stats = _state["stats"]
    _state["used"].add(entry)
    cached = cell_runs.read(entry)
    if cached is None and cell_runs.ran_ahead(entry):
        cell_runs.wait_ahead()  # it may be running this very cell now
        cached = cell_runs.read(entry)
    if cached is not None:
        stats["cells_ahead" if cell_runs.ran_ahead(entry) else "cells_cached"] += 1
        output, svgs = cached
        _state["svgs"].update(svgs)
        return output, list(svgs)
    t0 = time.perf_counter()
    output, svgs, error = cell_runs.execute(src)
    stats["seconds"] += time.perf_counter() - t0
    if error is not None:
        line = _state["lines"].get(src.strip("\n"), "?")
        first = next((ln for ln in src.splitlines() if ln.strip()), "")
        where = f"docs/{page.file.src_uri}:{line}"
        raise CellError(
            f"python block {cell_id} at {where} failed (block starts: {first.strip()!r}).\n"
            f"Line numbers below count from the block's first line.\n{error}"
            + (f"\nOutput before the error:\n{output}" if output.strip() else "")
        )
    stats["cells_run"] += 1
    names = cell_runs.store(entry, output, svgs)
    _state["svgs"].update(zip(names, svgs, strict=True))
    return output, names


def _keep_svg(svg: bytes) -> str:
    """Keep ``svg`` for the site's cells/ folder; return its name (a hash of its bytes)."""
    sha = cell_runs.svg_name(svg)
    _state["svgs"][sha] = svg
    return sha


def markdown_cells(docs_dir: Path, exclude=None) -> list[str]:
    """The code of every ```python block of the docs' Markdown pages (not those of
    ``exclude``, the ``exclude_docs`` setting, nor of hidden folders), as the fence receives it."""
    return [f.code for path in markdown_pages(docs_dir, exclude)
            for f in fences(path.read_text(encoding="utf-8")) if f.lang == "python"]


# ------------------------------------------------------------------------------------ helpers


def fence_lines(markdown: str) -> dict[str, int]:
    """Map the (dedented) code of each ```python block to the Markdown line where it starts."""
    found: dict[str, int] = {}
    for fence in fences(markdown):
        if fence.lang == "python":
            found.setdefault(fence.code, fence.code_line)
    return found


def move_annotations(page_html: str) -> str:
    """Put the annotation list that follows a cell right after the cell's code block.

    Material finds a code block's annotations in the element just after its ``.highlight``; in a
    cell that is the slot left by :func:`format_cell`.
    """
    out, pos = [], 0
    while True:
        end = page_html.find(CELL_END, pos)
        if end < 0:
            out.append(page_html[pos:])
            break
        start = page_html.rfind('<div class="optdocs-cell"', pos, end)
        cell = page_html[start:end]
        after = end + len(CELL_END)
        m = re.match(r"\s*(?:<p>\s*</p>\s*)*<ol>", page_html[after:])
        if ANNOTATIONS_SLOT in cell and m:
            ol_start = after + m.end() - len("<ol>")
            ol_end = _balanced_end(page_html, ol_start, "ol")
            cell = cell.replace(ANNOTATIONS_SLOT, page_html[ol_start:ol_end])
            after = ol_end
        out.append(page_html[pos:start])
        out.append(cell.replace(ANNOTATIONS_SLOT, ""))
        pos = after
    return "".join(out)


def _balanced_end(text: str, start: int, tag: str) -> int:
    depth, pattern = 0, re.compile(rf"<(/?){tag}\b[^>]*>")
    for m in pattern.finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.end()
    return len(text)
