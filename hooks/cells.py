"""MkDocs hook: run every ```python block at build time and render it as a runnable cell.

``on_config`` registers a pymdownx.superfences custom fence for the language ``python`` (```py and
```pycon stay ordinary, display-only blocks). For each block the fence

1. highlights the code with the same highlighter superfences uses (so Material's copy button,
   ``hl_lines``, ``title`` and code annotations behave as in any other block);
2. runs the code in-process, like ``python file.py``: a fresh namespace with
   ``__name__ == "__main__"``, cwd = repo root, ``sys.argv = ["<cell>"]``, matplotlib's Agg
   backend, stdout and stderr captured together, rcParams / numpy error state / warning filters /
   sys.path restored afterwards. Nothing is seeded: a snippet seeds its own generators.
   Figures shown with ``plt.show()`` and pyplot figures still open at the end become SVG files
   ``cells/<sha>.svg`` in the site;
3. emits the cell markup of CONTRACTS.md ("Runnable cell HTML").

A block that raises stops the build with the page, the block's line and first line, and the
traceback. Results are cached in ``.cache/optdocs-cells/`` (or ``$OPTDOCS_CACHE_DIR``) keyed by the
code, the sources of every optdocs module it imports (transitively, from its import statements:
``hooks/source_keys.py``) and the library versions; a warm rebuild runs nothing, and entries no
build uses any more are pruned after the build (``hooks/build_cache.py``). Set
``OPTDOCS_STATS_FILE`` to get the counts as JSON, or read the INFO log line.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import html
import io
import json
import linecache
import os
import re
import sys
import time
import traceback
import warnings
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import get_plugin_logger  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402
from pymdownx.superfences import SuperFencesException, highlight_validator  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # optdocs/ and hooks/ (helpers) live here
    sys.path.insert(0, str(REPO_ROOT))
from hooks import known_cells, source_keys  # noqa: E402
from hooks.build_cache import cache_dir, prune, touch, write_atomic  # noqa: E402
from hooks.build_stats import record_stats  # noqa: E402
from hooks.fences import fences  # noqa: E402

CACHE_VERSION = "1"
CELL_FILENAME = "<cell>"
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


def on_config(config):
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    fences[:] = [f for f in fences if f.get("name") != "python"]
    fences.append({
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
                  stats={"cells_run": 0, "cells_cached": 0, "cells_known": 0, "seconds": 0.0})
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
    log.info("cells: %d run, %d cached, %d drawn by the figure hook (%.1f s)", stats["cells_run"],
             stats["cells_cached"], stats["cells_known"], stats["seconds"])
    record_stats("cells", stats)
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
    key = hashlib.sha256(
        "\0".join((CACHE_VERSION, _sources_digest(src), src)).encode()
    ).hexdigest()
    cache = cache_dir("optdocs-cells")
    entry = cache / f"{key}.json"
    stats = _state["stats"]
    _state["used"].add(entry)
    cached = _read_cached(entry, cache / "svg")
    if cached is not None:
        stats["cells_cached"] += 1
        return cached
    t0 = time.perf_counter()
    output, svgs, error = execute(src)
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
    (cache / "svg").mkdir(exist_ok=True)
    shas = [_keep_svg(svg) for svg in svgs]
    for sha, svg in zip(shas, svgs, strict=True):
        write_atomic(cache / "svg" / f"{sha}.svg", svg)
    write_atomic(entry, json.dumps({"output": output, "figures": shas}).encode())
    stats["cells_run"] += 1
    return output, shas


def _keep_svg(svg: bytes) -> str:
    """Keep ``svg`` for the site's cells/ folder; return its name (a hash of its bytes)."""
    sha = hashlib.sha256(svg).hexdigest()[:20]
    _state["svgs"][sha] = svg
    return sha


def _read_cached(entry: Path, svg_dir: Path) -> tuple[str, list[str]] | None:
    """A cached result (output, figure shas), its SVGs loaded; None if any part is missing."""
    try:
        data = json.loads(entry.read_text())
        svgs = {sha: (svg_dir / f"{sha}.svg").read_bytes() for sha in data["figures"]}
    except FileNotFoundError:
        return None
    touch(entry)
    for sha in svgs:
        touch(svg_dir / f"{sha}.svg")
    _state["svgs"].update(svgs)
    return data["output"], data["figures"]


def execute(src: str) -> tuple[str, list[bytes], str | None]:
    """Run ``src`` as a fresh ``__main__``; return (stdout+stderr, SVGs of figures, traceback)."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optdocs.plots.style import to_svg

    svgs: list[bytes] = []

    def save_open_figures():
        for num in plt.get_fignums():
            svgs.append(to_svg(plt.figure(num)))
        plt.close("all")

    def show(*args, **kwargs):
        save_open_figures()

    buf = io.StringIO()
    namespace = {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}
    saved = (sys.argv[:], os.getcwd(), sys.path[:], np.geterr(), plt.show)
    linecache.cache[CELL_FILENAME] = (len(src), None, src.splitlines(keepends=True), CELL_FILENAME)
    error = None
    plt.close("all")
    try:
        os.chdir(REPO_ROOT)
        sys.argv = [CELL_FILENAME]
        sys.path.insert(0, str(REPO_ROOT))
        plt.show = show
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf), \
                warnings.catch_warnings(), matplotlib.rc_context():
            _python_default_warning_filters()
            warnings.showwarning = _warning_printer(buf)
            try:
                exec(compile(src, CELL_FILENAME, "exec"), namespace)
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    error = f"SystemExit({exc.code!r})"
            except BaseException as exc:  # noqa: BLE001 - reported as a build failure
                error = "".join(traceback.format_exception(exc.with_traceback(_user_tb(exc))))
            if error is None:
                save_open_figures()
    finally:
        plt.close("all")
        sys.argv, cwd, sys.path[:], err, plt.show = saved[0], saved[1], saved[2], saved[3], saved[4]
        os.chdir(cwd)
        np.seterr(**err)
        linecache.cache.pop(CELL_FILENAME, None)
    return buf.getvalue(), svgs, error


# ------------------------------------------------------------------------------------ helpers


def _user_tb(exc):
    """The traceback without this hook's frames (start at the first frame of the cell)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != CELL_FILENAME:
        tb = tb.tb_next
    return tb or exc.__traceback__


def _python_default_warning_filters():
    """The filters a plain ``python file.py`` starts with (the build tool's may differ)."""
    warnings.resetwarnings()
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=category)


def _warning_printer(stream):
    """Print warnings to ``stream`` as Python does (MkDocs would route them to its log)."""

    def show(message, category, filename, lineno, file=None, line=None):
        stream.write(warnings.formatwarning(message, category, filename, lineno, line))

    return show


def _sources_digest(src: str) -> str:
    """Digest of the library versions and of every optdocs / guide module the code imports."""
    try:
        files = source_keys.source_closure(src)
    except SyntaxError:
        files = []  # the run reports it
    return source_keys.environment_digest() + source_keys.sources_digest(*files)


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
