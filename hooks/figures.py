"""MkDocs hook: the guide's figures and numbers, computed by optdocs at build time.

- ``on_config`` imports every chapter module of the ``guide`` package (which registers figures and
  numbers with ``guide.registry``) and computes every number.
- ``on_files`` adds ``figures/<name>.svg`` to the site for every registered figure, so a page
  writes ``![alt](figures/<name>.svg)`` (relative to docs/) and ``mkdocs build --strict`` checks
  the link like any other.
- ``on_page_markdown`` replaces ``{{ name }}`` with the number, wrapped in
  ``<span class="optdocs-number" data-number="name">`` (plain text inside math), leaves code
  alone, and fills an empty alt text ``![](figures/x.svg)`` with the figure's registered alt.

Results are cached in ``.cache/optdocs-figures/`` (or ``$OPTDOCS_CACHE_DIR/optdocs-figures``),
keyed by the sources of the defining module and of every optdocs / guide module it imports
(transitively, found statically from its import statements) and the library versions, so a
rebuild with no change recomputes nothing and an edit recomputes only what depends on it.
Missing items are computed one chapter module at a time (``OPTDOCS_JOBS=N``: N worker processes).
Set ``OPTDOCS_STATS_FILE`` to a path to get the hit/miss counts as JSON after the build.
"""

from __future__ import annotations

import difflib
import html
import importlib
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # guide/ (figures, numbers, caches) lives beside the hooks
    sys.path.insert(0, str(REPO_ROOT))
from guide._cache import cache_dir, write_atomic  # noqa: E402

log = get_plugin_logger("optdocs")

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
EMPTY_ALT = re.compile(r"!\[\]\(((?:\.\./)*figures/([a-z0-9][a-z0-9_-]*)\.svg)\)")
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})")
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


def record_stats(section: str, counts: dict) -> None:
    """Merge ``counts`` under ``section`` into the JSON file named by ``$OPTDOCS_STATS_FILE``."""
    target = os.environ.get("OPTDOCS_STATS_FILE")
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    data[section] = counts
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


# ---------------------------------------------------------------------------------------- hooks


def on_config(config):
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    purge_modules("guide", "optdocs")
    registry = importlib.import_module("guide.registry")
    try:
        registry.load_all()
    except Exception as exc:
        raise PluginError(
            f"optdocs: importing the guide modules failed:\n{_user_traceback(exc)}"
        ) from exc
    t0 = time.perf_counter()
    stats = {"figures_computed": 0, "figures_cached": 0, "numbers_computed": 0, "numbers_cached": 0}
    cache = cache_dir("optdocs-figures")
    values: dict[tuple[str, str], str | bytes] = {}
    misses: dict[str, list[tuple[str, str]]] = {}  # chapter module -> items to compute
    paths: dict[tuple[str, str], Path] = {}
    for kind, table in (("number", registry.NUMBERS), ("figure", registry.FIGURES)):
        for name in sorted(table):
            key = registry.cache_key(kind, name)
            path = cache / (f"number-{key}.json" if kind == "number" else f"figure-{key}.svg")
            paths[kind, name] = path
            if path.exists():
                values[kind, name] = (json.loads(path.read_text())["text"] if kind == "number"
                                      else path.read_bytes())
                stats[f"{kind}s_cached"] += 1
            else:
                misses.setdefault(table[name].module, []).append((kind, name))
    timings = {}
    for kind, name, ok, value, seconds in _compute(registry, misses, cache):
        if not ok:
            spec = (registry.NUMBERS if kind == "number" else registry.FIGURES)[name]
            raise PluginError(f"optdocs: {kind} {name!r} ({spec.module}) failed:\n{value}")
        data = json.dumps({"name": name, "text": value}).encode() if kind == "number" else value
        write_atomic(paths[kind, name], data)
        values[kind, name] = value
        stats[f"{kind}s_computed"] += 1
        timings[f"{kind} {name}"] = seconds
    log.info(
        "figures: %d computed, %d cached; numbers: %d computed, %d cached (%.1f s)",
        stats["figures_computed"], stats["figures_cached"], stats["numbers_computed"],
        stats["numbers_cached"], time.perf_counter() - t0,
    )
    slow = sorted(((t, what) for what, t in timings.items() if t >= 1.0), reverse=True)[:5]
    if slow:
        log.info("slowest: %s", ", ".join(f"{what} {t:.1f} s" for t, what in slow))
    _state.update(
        registry=registry, stats=stats,
        numbers={n: v for (k, n), v in values.items() if k == "number"},
        svgs={n: v for (k, n), v in values.items() if k == "figure"},
    )
    return config


def _compute(registry, misses: dict[str, list], cache: Path):
    """Compute the missing items, one task per chapter module (so a module's own memoised
    experiments are shared by its items). Serially by default: chapter modules reuse each other's
    memoised experiments (guide/index.py calls guide/sgd_vs_adam.py), which separate processes
    would each recompute. ``OPTDOCS_JOBS=N`` uses N forked worker processes instead, which pays
    off on a machine with many cores; the modules that took longest last time start first."""
    if not misses:
        return []
    times_file = cache / "module-seconds.json"
    try:
        last = json.loads(times_file.read_text())
    except (OSError, ValueError):
        last = {}
    order = sorted(misses, key=lambda m: -last.get(m, 1e9))  # unknown modules first
    jobs = int(os.environ.get("OPTDOCS_JOBS", "1"))
    results: list = []
    if jobs <= 1 or len(order) == 1 or sys.platform == "win32":
        for module in order:
            results.append((module, registry.compute_items(misses[module])))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(order)), mp_context=context) as pool:
            futures = [(m, pool.submit(registry.compute_items, misses[m])) for m in order]
            results = [(m, f.result()) for m, f in futures]
    for module, items in results:
        last[module] = sum(item[4] for item in items)
    write_atomic(times_file, json.dumps(last, indent=1, sort_keys=True).encode())
    return [item for _, items in results for item in items]


def on_files(files, config):
    for name, svg in sorted(_state["svgs"].items()):
        src_uri = f"figures/{name}.svg"
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"optdocs: docs/{src_uri} exists but figure {name!r} is generated; delete the file"
            )
        files.append(File.generated(config, src_uri, content=svg))
    return files


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):  # e.g. notebooks rendered by mkdocs-jupyter
        return markdown
    return substitute(markdown, _state["numbers"], _state["registry"].FIGURES, page.file.src_uri)


def on_post_build(config):
    record_stats("figures", _state.get("stats", {}))


# ------------------------------------------------------------------------------------ helpers


def _user_traceback(exc: BaseException) -> str:
    """The traceback from the first frame outside this hook and guide/registry.py."""
    tb = exc.__traceback__
    skip = (str(Path(__file__).resolve()), str(REPO_ROOT / "guide" / "registry.py"))
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename in skip:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def prose_spans(markdown: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the text outside fenced code blocks and inline code spans."""
    spans, pos, offset = [], 0, 0
    lines = markdown.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            offset += len(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        spans.append((pos, offset))
        j = i + 1
        end = offset + len(lines[i])
        while j < len(lines):
            end += len(lines[j])
            stripped = lines[j].strip().lstrip(">").strip()
            j += 1
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
        i, offset, pos = j, end, end
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


def substitute(markdown: str, numbers: dict[str, str], figures: dict, where: str) -> str:
    """Replace ``{{ name }}`` outside code with the number; fill empty figure alt texts."""
    pieces, cursor = [], 0
    for start, end in prose_spans(markdown):
        pieces.append(markdown[cursor:start])
        pieces.append(_substitute_prose(markdown, start, end, numbers, figures, where))
        cursor = end
    pieces.append(markdown[cursor:])
    return "".join(pieces)


def _substitute_prose(markdown, start, end, numbers, figures, where):
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

    text = PLACEHOLDER.sub(number, text)

    def alt(m):
        spec = figures.get(m.group(2))
        if spec is None:
            return m.group(0)  # MkDocs reports the missing file
        label = re.sub(r"([\[\]\\])", r"\\\1", spec.alt)
        return f"![{label}]({m.group(1)})"

    return EMPTY_ALT.sub(alt, text)
