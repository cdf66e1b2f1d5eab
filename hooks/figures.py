"""MkDocs hook: the guide's figures and numbers, computed by optdocs at build time.

- ``on_config`` imports every chapter module of the ``guide`` package (which registers figures and
  numbers with ``guide.registry``) and starts computing those missing from the cache.
- ``on_files`` adds ``figures/<name>.svg`` to the site for every registered figure, so a page
  writes ``![alt](figures/<name>.svg)`` (relative to docs/) and ``mkdocs build --strict`` checks
  the link like any other.
- ``on_page_markdown`` turns every figure line ``![alt](figures/<name>.svg)`` (a line of its own)
  into ``<figure class="optdocs-figure">`` holding the image (an empty alt text is filled with
  the registered ``alt``) and a ``<figcaption>`` with the registered ``caption``, followed by a
  folded ``??? optdocs-figure-code`` block holding the code that draws the figure, extracted from
  the guide module by ``hooks/figure_code.py``, as a ```` ```python ```` cell (run at build time
  by hooks/cells.py, runnable in the page). Then it replaces ``{{ name }}`` with the number,
  wrapped in ``<span class="optdocs-number" data-number="name">`` (plain text inside math), and
  leaves code alone. A figure without a caption fails at registration (``guide.registry``).
- ``on_page_content`` unwraps a ``<figure>`` that Markdown put inside a paragraph (inside tabs
  and admonitions Markdown does not parse HTML blocks).

Results are cached in ``.cache/optdocs-figures/`` (or ``$OPTDOCS_CACHE_DIR/optdocs-figures``),
keyed by the sources of the defining module and of every optdocs / guide module it imports
(``hooks/source_keys.py``) and the library versions, so a rebuild with no change recomputes
nothing and an edit recomputes only what depends on it; entries no build uses any more are pruned
after the build (``hooks/build_cache.py``). Missing items are computed one chapter module at a
time (``OPTDOCS_JOBS=N``: N worker processes), each module's checks first (``guide.registry``),
while MkDocs goes on (``hooks/computing.py``): ``on_page_markdown`` waits for the figures and
numbers its page names, so pages are rendered while the other figures are computed, and
``on_env`` for the rest before the figure files are copied from the cache. A failed item fails the
build at the next wait, with its traceback.
Set ``OPTDOCS_STATS_FILE`` to a path to get the hit/miss counts as JSON after the build.
"""

from __future__ import annotations

import difflib
import html
import importlib
import json
import re
import sys
import time
import traceback
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # guide/ (figures, numbers) and hooks/ (helpers) live here
    sys.path.insert(0, str(REPO_ROOT))
from hooks import cell_runs, known_cells, source_keys  # noqa: E402
from hooks.build_cache import cache_dir, prune, touch, write_atomic  # noqa: E402
from hooks.build_stats import record_stats  # noqa: E402
from hooks.computing import Computing  # noqa: E402
from hooks.fences import code_spans, markdown_pages  # noqa: E402
from hooks.figure_code import FigureCodeError, figure_cell, smaller_title  # noqa: E402
from hooks.parallel import start_tasks  # noqa: E402
from hooks.set_aside import put_back as restore  # noqa: E402
from hooks.set_aside import set_aside  # noqa: E402

log = get_plugin_logger("optdocs")

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
FIGURE_REF = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(((?:\.\./)*figures/([a-z0-9][a-z0-9_-]*)\.svg)\)")
FIGURE_LINE = re.compile(
    r"^(?P<ind>[ \t]*)!\[(?P<alt>(?:[^\]\\]|\\.)*)\]"
    r"\((?P<path>(?:\.\./)*figures/(?P<name>[a-z0-9][a-z0-9_-]*)\.svg)\)[ \t]*$",
    re.M,
)
WRAPPED_FIGURE = re.compile(r'<p>\s*(<figure class="optdocs-figure".*?</figure>)\s*</p>', re.S)
FIGURE_CODE_BLOCK = re.compile(r'<details class="optdocs-figure-code">.*?</details>', re.S)
ASIDE = re.compile(r"<!--optdocs-figure-code (\d+)-->")
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
MATH = re.compile(
    r"\$\$.+?\$\$"                               # display $$ ... $$
    r"|\\\[.+?\\\]|\\\(.+?\\\)"                  # \[ ... \]  and  \( ... \)
    r"|\\begin\{(?P<env>[A-Za-z*]+)\}.+?\\end\{(?P=env)\}"
    r"|(?<![\\$])\$(?![\s$]).*?[^\s\\]\$(?!\d)",  # inline $...$ (arithmatex's rule, roughly)
    re.S,
)

_state: dict = {}


def purge_modules(*prefixes: str) -> None:
    """Forget imported modules so the next import reads the current sources (``mkdocs serve``)."""
    for name in list(sys.modules):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            del sys.modules[name]


# ---------------------------------------------------------------------------------------- hooks


def on_config(config):
    _stop_computing()  # what a failed build of mkdocs serve left running
    registry, render = _load_guide()
    cache = cache_dir("optdocs-figures")
    code_path = cache / f"code-{source_keys.sources_digest(*CODE_SOURCES)}.json"
    code = figure_codes(registry.FIGURES, code_path)  # before computing: a failure shows at once
    # the cells under figures drawn with page_kwargs run meanwhile (the others are known below)
    cell_runs.run_ahead([code[name][1] for name, spec in sorted(registry.FIGURES.items())
                         if spec.page_kwargs])
    t0 = time.perf_counter()
    paths = _cache_paths(registry, render, cache)
    source_keys.save_import_lists()
    values, misses = _read_cached(registry, paths)
    stats = {"figures_computed": 0, "figures_cached": len([k for k in values if k[0] == "figure"]),
             "numbers_computed": 0, "numbers_cached": len([k for k in values if k[0] == "number"])}
    svgs = {n: v for (k, n), v in values.items() if k == "figure"}
    _state.update(
        registry=registry, stats=stats, cache=cache, used={*paths.values(), code_path},
        numbers={n: v for (k, n), v in values.items() if k == "number"},
        svgs=svgs, code=code, paths=paths, timings={}, t0=t0, computing=None,
    )
    record_full_size_cells(registry.FIGURES, code, svgs)
    first = first_pages(registry, Path(config["docs_dir"]), config["exclude_docs"]) if misses else {}
    results, cancel = _compute(render, misses, cache, first)
    if cancel is not None:  # in worker processes while MkDocs goes on: a page waits for its own
        _state["computing"] = Computing(results, cancel, _store)
        return config
    # in this process (one task, or OPTDOCS_JOBS=1): now, not in a thread beside the pages, whose
    # cells may draw with the same Matplotlib (rcParams are global)
    for item in results:
        error = _store(item)
        if error is not None:
            raise PluginError(error)
    _log_summary(stats, _state["timings"], time.perf_counter() - t0)
    return config


def _store(item: tuple) -> str | None:
    """Keep one computed figure or number (cache entry, value, statistics); the error's text if
    it failed."""
    kind, name, ok, value, seconds = item
    spec = (_state["registry"].NUMBERS if kind == "number" else _state["registry"].FIGURES)[name]
    if not ok:
        return f"optdocs: {kind} {name!r} ({spec.module}) failed:\n{value}"
    data = json.dumps({"name": name, "text": value}).encode() if kind == "number" else value
    write_atomic(_state["paths"][kind, name], data)
    if kind == "figure":
        _state["svgs"][name] = value
        if not spec.page_kwargs:
            known_cells.record(_state["code"][name][1], "", [value])
    else:
        _state["numbers"][name] = value
    _state["stats"][f"{kind}s_computed"] += 1
    _state["timings"][f"{kind} {name}"] = seconds
    return None


def _wait_for(markdown: str) -> None:
    """Wait until the figures and numbers that ``markdown`` names are computed."""
    computing = _state.get("computing")
    if computing is None:
        return
    registry, svgs, numbers = _state["registry"], _state["svgs"], _state["numbers"]
    figures = {m.group("name") for m in FIGURE_LINE.finditer(markdown)} & registry.FIGURES.keys()
    names = {m.group(1) for m in PLACEHOLDER.finditer(markdown)} & registry.NUMBERS.keys()
    computing.wait(lambda: figures <= svgs.keys() and names <= numbers.keys())


def _finish_computing() -> None:
    """Wait for every figure and number still being computed, then log the summary."""
    computing = _state.get("computing")
    if computing is not None:
        computing.wait_all()
        _log_summary(_state["stats"], _state["timings"], time.perf_counter() - _state["t0"])
        _state["computing"] = None


def _stop_computing() -> None:
    computing = _state.pop("computing", None)
    if computing is not None:
        computing.stop()


def record_full_size_cells(figures: dict, code: dict[str, tuple[str, str]],
                           svgs: dict[str, bytes]) -> None:
    """The cell under a full-size figure prints nothing and draws the figure: tell hooks/cells.py
    (for the figures found in the cache; ``_store`` tells it of each figure computed)."""
    known_cells.reset()
    for name, spec in figures.items():
        if not spec.page_kwargs and name in svgs:
            known_cells.record(code[name][1], "", [svgs[name]])


#: What the figures' scripts are extracted from (and by): a change to any of them extracts again.
CODE_SOURCES = (REPO_ROOT / "guide", REPO_ROOT / "optdocs", REPO_ROOT / "hooks" / "figure_code.py")


def figure_codes(figures: dict, cached: Path | None = None) -> dict[str, tuple[str, str]]:
    """{name: (title of the folded block, the script that draws the figure)} for every figure,
    read from ``cached`` if it is there (its name carries the digest of ``CODE_SOURCES``: the
    extraction parses every guide module, about a second of each warm build), else extracted
    and written there."""
    if cached is not None:
        try:
            known = {name: (title, script) for name, (title, script)
                     in json.loads(cached.read_text()).items()}
        except (OSError, ValueError, TypeError):
            known = None
        if known is not None and known.keys() == figures.keys():
            touch(cached)
            return known
    out = {}
    for name in sorted(figures):
        try:
            out[name] = (smaller_title(figures[name]), figure_cell(figures[name]))
        except FigureCodeError as exc:
            raise PluginError(f"optdocs: figure {name!r}: its code cannot be shown: {exc}") from exc
    if cached is not None:
        write_atomic(cached, json.dumps(out).encode())
    return out


def _load_guide():
    """Import the current guide sources afresh (``mkdocs serve``): (registry, render)."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    purge_modules("guide", "optdocs")
    source_keys.forget()
    registry = importlib.import_module("guide.registry")
    try:
        registry.load_all()
    except Exception as exc:
        raise PluginError(
            f"optdocs: importing the guide modules failed:\n{_user_traceback(exc)}"
        ) from exc
    return registry, importlib.import_module("guide.render")


def _cache_paths(registry, render, cache: Path) -> dict[tuple[str, str], Path]:
    """The cache file of every registered number and figure, keyed by what it depends on."""
    paths = {}
    for kind, table in (("number", registry.NUMBERS), ("figure", registry.FIGURES)):
        for name in sorted(table):
            spec = table[name]
            key = source_keys.item_key(kind, name, spec.module, getattr(spec, "fmt", None),
                                       render.RENDER_VERSION)
            paths[kind, name] = cache / (f"number-{key}.json" if kind == "number"
                                         else f"figure-{key}.svg")
    return paths


def _read_cached(registry, paths):
    """(values found in the cache, {chapter module: [(kind, name), ...] still to compute})."""
    values: dict[tuple[str, str], str | bytes] = {}
    misses: dict[str, list[tuple[str, str]]] = {}
    for (kind, name), path in paths.items():
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            table = registry.NUMBERS if kind == "number" else registry.FIGURES
            misses.setdefault(table[name].module, []).append((kind, name))
            continue
        touch(path)
        values[kind, name] = json.loads(data)["text"] if kind == "number" else data
    return values, misses


def _log_summary(stats: dict, timings: dict, seconds: float) -> None:
    log.info(
        "figures: %d computed, %d cached; numbers: %d computed, %d cached (%.1f s)",
        stats["figures_computed"], stats["figures_cached"], stats["numbers_computed"],
        stats["numbers_cached"], seconds,
    )
    slow = sorted(((t, what) for what, t in timings.items() if t >= 1.0), reverse=True)[:5]
    if slow:
        log.info("slowest: %s", ", ".join(f"{what} {t:.1f} s" for t, what in slow))


def _compute(render, misses: dict[str, list], cache: Path, first: dict[tuple[str, str], int]):
    """Start computing the missing items: ``(results, cancel)`` of ``hooks.parallel.start_tasks``,
    the results flattened to ``(kind, name, ok, value, seconds)`` as they are done.

    One task per group of chapter modules that import each other (guide/index.py reuses the runs
    of guide/sgd_vs_adam.py, guide/choosing.py those of guide/training.py), so memoised
    experiments are computed once, in ``OPTDOCS_JOBS`` worker processes, in ``task_order``.
    """
    times_file = cache / "module-seconds.json"
    try:
        last = json.loads(times_file.read_text())
    except (OSError, ValueError):
        last = {}
    groups = task_order(module_groups(list(misses)), misses, first, last)
    tasks = [[item for m in group for item in misses[m]] for group in groups]
    module_of = {item: m for m, items in misses.items() for item in items}
    results, cancel = start_tasks(render.compute_items, tasks)

    def items():
        try:
            for done in results:
                took: dict[str, float] = {}
                for kind, name, *_, seconds in done:
                    took[module_of[kind, name]] = took.get(module_of[kind, name], 0.0) + seconds
                last.update(took)
                write_atomic(times_file, json.dumps(last, indent=1, sort_keys=True).encode())
                yield from done
        finally:
            results.close()

    return items(), cancel


def module_groups(modules: list[str]) -> list[list[str]]:
    """``modules`` split into groups closed under importing each other (sorted, deterministic)."""
    parent = {m: m for m in modules}

    def root(m: str) -> str:
        while parent[m] != m:
            m = parent[m]
        return m

    for m in modules:
        for path in source_keys.module_closure(m):
            other = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if other in parent and root(other) != root(m):
                parent[root(other)] = root(m)
    groups: dict[str, list[str]] = {}
    for m in sorted(modules):
        groups.setdefault(root(m), []).append(m)
    return sorted(groups.values())


def task_order(groups: list[list[str]], misses: dict[str, list], first: dict, last: dict
               ) -> list[list[str]]:
    """The groups in the order their tasks go to the workers: the longest first (by the seconds
    of the last build in ``last``; a module without a time counts as the longest, so in a clean
    build it is the group of most modules), then in the order MkDocs reads the pages that need
    them (``first``: item -> position of its first page, see ``first_pages``), since it renders
    them one after another, waiting for each page's figures; between equals, longest first."""
    def weight(group: list[str]) -> float:
        return sum(last.get(m, 1e9) for m in group)

    def page(group: list[str]) -> int:
        return min(first.get(item, len(first)) for m in group for item in misses[m])

    longest = max(groups, key=weight, default=None)
    return sorted(groups, key=lambda g: (g is not longest, page(g), -weight(g)))


def first_pages(registry, docs_dir: Path, exclude=None) -> dict[tuple[str, str], int]:
    """``{(kind, name): i}``: the figures and numbers named by the Markdown pages, each with the
    position of the first page naming it in the order MkDocs reads the pages
    (``hooks.fences.markdown_pages``)."""
    first: dict[tuple[str, str], int] = {}
    for i, path in enumerate(markdown_pages(docs_dir, exclude)):
        text = path.read_text(encoding="utf-8")
        for m in FIGURE_LINE.finditer(text):
            if m.group("name") in registry.FIGURES:
                first.setdefault(("figure", m.group("name")), i)
        for m in PLACEHOLDER.finditer(text):
            if m.group(1) in registry.NUMBERS:
                first.setdefault(("number", m.group(1)), i)
    return first


def on_files(files, config):
    for name in sorted(_state["registry"].FIGURES):
        src_uri = f"figures/{name}.svg"
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"optdocs: docs/{src_uri} exists but figure {name!r} is generated; delete the file"
            )
        # copied from its cache entry after the pages are read (on_env waits for every figure)
        files.append(File.generated(config, src_uri,
                                    abs_src_path=str(_state["paths"]["figure", name])))
    return files


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):  # e.g. notebooks rendered by mkdocs-jupyter
        return markdown
    where = page.file.src_uri
    _wait_for(markdown)
    markdown = expand_figures(markdown, _state["registry"].FIGURES, _state["code"], where)
    try:  # a copy: the thread storing results may add numbers meanwhile
        return substitute(markdown, dict(_state["numbers"]), where)
    except PluginError:  # an unknown number: say so once every number is in, for the hints
        if _state.get("computing") is None:
            raise
        _finish_computing()
        return substitute(markdown, _state["numbers"], where)


@event_priority(-100)  # after hooks/cells.py has finished the cells inside the blocks
def on_page_content(html_text, page, config, files):
    html_text, blocks = put_aside(unwrap_figures(html_text))
    _state.setdefault("aside", {})[page.file.src_uri] = blocks
    return html_text


def on_page_context(context, page, config, nav):
    """After the search plugin has indexed the page (plugins run before hooks). MkDocs renders
    every page's content first and builds the pages after, hence one list per page."""
    page.content = put_back(page.content, _state.get("aside", {}).pop(page.file.src_uri, []))
    return context


def on_env(env, config, files):
    """The pages are read and MkDocs is about to copy the files: every figure must be there."""
    _finish_computing()
    return env


def on_build_error(error):
    _stop_computing()


def on_post_build(config):
    record_stats("figures", _state.get("stats", {}))
    cache = _state.get("cache")
    if cache is not None:  # entries of older sources; module-seconds.json stays
        removed = [*prune(cache, _state["used"], "number-*.json"),
                   *prune(cache, _state["used"], "figure-*.svg"),
                   *prune(cache, _state["used"], "code-*.json")]
        if removed:
            log.info("figures: pruned %d cache entries no build uses", len(removed))


# ------------------------------------------------------------------------------------ helpers


def _user_traceback(exc: BaseException) -> str:
    """The traceback from the first frame outside this hook and guide/registry.py."""
    tb = exc.__traceback__
    skip = (str(Path(__file__).resolve()), str(REPO_ROOT / "guide" / "registry.py"),
            str(REPO_ROOT / "guide" / "render.py"))
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename in skip:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def prose_spans(markdown: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the text outside fenced code blocks and inline code spans."""
    spans, pos = [], 0
    for start, end in code_spans(markdown):
        spans.append((pos, start))
        pos = end
    spans.append((pos, len(markdown)))
    out = []
    for start, end in spans:
        cursor = start
        for m in INLINE_CODE.finditer(markdown, start, end):
            out.append((cursor, m.start()))
            cursor = m.end()
        out.append((cursor, end))
    return [(a, b) for a, b in out if b > a]


def _number_html(name: str, text: str) -> str:
    # entity-encode Markdown's special characters so the value is shown exactly as formatted
    value = html.escape(text, quote=True)
    value = re.sub(r"[*_\[\]\\`~^$|{}#+!]", lambda m: f"&#{ord(m.group())};", value)
    return f'<span class="optdocs-number" data-number="{name}">{value}</span>'


def substitute(markdown: str, numbers: dict[str, str], where: str) -> str:
    """Replace ``{{ name }}`` outside code with the number."""
    pieces, cursor = [], 0
    for start, end in prose_spans(markdown):
        pieces.append(markdown[cursor:start])
        pieces.append(_substitute_prose(markdown, start, end, numbers, where))
        cursor = end
    pieces.append(markdown[cursor:])
    return "".join(pieces)


def _substitute_prose(markdown, start, end, numbers, where):
    text = markdown[start:end]
    math = [(m.start(), m.end()) for m in MATH.finditer(text)]

    def in_math(pos):
        return any(a <= pos < b for a, b in math)

    def number(m):
        name = m.group(1)
        if name not in numbers:
            if in_math(m.start()):
                return m.group(0)  # TeX braces such as {{x}}, not a placeholder
            line = markdown.count("\n", 0, start + m.start()) + 1
            close = difflib.get_close_matches(name, numbers, n=5, cutoff=0.6)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise PluginError(
                f"optdocs: {where}:{line}: unknown number {{{{ {name} }}}}. Register it with "
                f"@number({name!r}) in a guide/ module ({len(numbers)} numbers are registered)."
                + hint
            )
        if in_math(m.start()):
            return numbers[name]
        return _number_html(name, numbers[name])

    return PLACEHOLDER.sub(number, text)


def expand_figures(markdown: str, figures: dict, code: dict[str, tuple[str, str]],
                   where: str) -> str:
    """Every figure line of the prose as a captioned ``<figure>`` and its folded code block.

    A registered figure referenced anywhere but on a line of its own fails the build (it could
    carry no caption); an unknown name is left for MkDocs to report as a missing file.
    """
    pieces, cursor = [], 0
    for start, end in prose_spans(markdown):
        pieces.append(markdown[cursor:start])
        text = markdown[start:end]
        for m in FIGURE_REF.finditer(FIGURE_LINE.sub("", text)):
            if m.group(2) in figures:
                raise PluginError(
                    f"optdocs: {where}: figure {m.group(2)!r} must stand on a line of its own "
                    f"(blank lines around it), so that it gets its caption: {m.group(0)}"
                )
        pieces.append(FIGURE_LINE.sub(lambda m: _figure_block(m, figures, code), text))
        cursor = end
    pieces.append(markdown[cursor:])
    return "".join(pieces)


def _figure_block(m: re.Match, figures: dict, code: dict[str, tuple[str, str]]) -> str:
    spec = figures.get(m.group("name"))
    if spec is None:
        return m.group(0)  # MkDocs reports the missing file
    ind = m.group("ind")
    alt = m.group("alt") or re.sub(r"([\[\]\\])", r"\\\1", spec.alt)
    title, script = code[spec.name]
    cell = "\n".join(f"{ind}    {line}" if line else "" for line in script.splitlines())
    lines = [
        "",
        f'<figure class="optdocs-figure" data-figure="{spec.name}" markdown="span">',
        f"![{alt}]({m.group('path')})",
        f'<figcaption markdown="span">{spec.caption}</figcaption>',
        "</figure>",
        "",
        f'??? optdocs-figure-code "{html.escape(title, quote=True)}"',
        "",
    ]
    return "\n".join(f"{ind}{line}" if line else "" for line in lines) + (
        f"\n{ind}    ```python\n{cell}\n{ind}    ```\n"
    )


def put_aside(page_html: str) -> tuple[str, list[str]]:
    """The page without its folded figure code (a numbered comment in place of each block), and
    the blocks. Search does not index the figures' drawing code, which would answer a search
    for any optimizer with every figure (a fifth of the index) and cost the build a parse of
    two fifths of the site's tags; ``put_back`` restores it before the page is written."""
    return set_aside(page_html, FIGURE_CODE_BLOCK, lambda i, m: f"<!--optdocs-figure-code {i}-->")


def put_back(page_html: str, blocks: list[str]) -> str:
    """Undo ``put_aside``: each comment replaced by its block; PluginError if one is missing."""
    return restore(page_html, ASIDE, blocks, "blocks of figure code")


def unwrap_figures(page_html: str) -> str:
    """Take a figure out of the paragraph Markdown wrapped it in, and drop its ``markdown``
    attributes (md_in_html reads them only at the top level of a page)."""
    def unwrap(m: re.Match) -> str:
        return m.group(1)

    page_html = WRAPPED_FIGURE.sub(unwrap, page_html)
    return re.sub(r'(<fig(?:ure class="optdocs-figure"[^>]*?|caption))\s+markdown="span"',
                  r"\1", page_html)
