"""MkDocs hook: the guide's interactive figures (widgets), their static figures and grid data.

A page places a widget with a line of its own, a blank line before and after:

    <div data-optdocs-widget="lr-dial"></div>

and the hook turns it into the widget's root element (the contract the page script and the tests
rely on is in CONTRIBUTING.md, "Adding a widget"):

* ``on_page_markdown`` adds, right after the marker, an open ``???+ optdocs-widget-code`` block (the
  reader may fold it) with a runnable ```` ```python ```` cell calling ``optdocs.demos`` at the
  default settings (run at build time by hooks/cells.py like any cell); the widget's "Show the code"
  opens it, writes the current settings into it and moves the focus to its Run button;
* ``on_page_content`` replaces the marker with ``<figure data-optdocs-widget=... data-state=static>``
  holding the static figure (an SVG drawn with optdocs.plots at the default settings, served as
  ``assets/widgets/static/<name>-<hash>.svg``), a caption inviting the reader to touch it, and in
  ``data-spec`` the widget's description (below) with its *grid*: the answer of every call at every
  combination of its controls' grid values, computed now by ``optdocs.demos``. The page answers
  from the grid (nearest point) until Python is running in the page, then calls the same functions
  live. Long lists of floats in the grid are rounded to 4 significant digits (they are drawn, not
  printed); every scalar (readouts) is stored exactly, so a readout from the grid equals the live
  one at a grid point.

Each widget is described once, in its module of ``hooks/widget_specs/`` (collected in ``WIDGETS``):
its controls (type, range, default, grid), its calls (``fn`` and keyword arguments, ``{"$": name}``
standing for a control's value), the code template of "Show the code", and the static figure.
Everything else (controls on the page, the URL state, the grid) is derived from it.

The page side is ``docs/assets/widgets/``: ``core.js`` (in extra_javascript; on a page with a widget
it loads the d3 bundle, ``widgets.css`` and the widget's own module), one module per widget. The d3
modules come from node_modules (npm ci), concatenated into ``assets/widgets/vendor/d3-<hash>.js``.
``assets/widgets/manifest.js`` (generated) tells core.js the file names.

``hooks/widget_grid.py`` computes a widget's data and static figure; the widgets missing from the
cache (``.cache/optdocs-widgets/``, keyed by the widget code, the optdocs sources and the library
versions) are computed in background processes started by ``on_config`` (before
hooks/figures.py computes the figures, so both run at once; ``OPTDOCS_JOBS`` processes at most,
none with ``OPTDOCS_JOBS=1``) and
waited for in ``on_pre_build``; any still missing then (a widget that failed) is computed in
worker processes (``hooks/parallel.py``), which report its error.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from hooks.build_cache import cache_dir, prune, touch, write_atomic  # noqa: E402

log = get_plugin_logger("widgets")

ASSETS = "assets/widgets"
MARKER = re.compile(r'^<div data-optdocs-widget="([a-z0-9-]+)"></div>[ \t]*$', re.M)
MARKER_HTML = re.compile(r'<div data-optdocs-widget="([a-z0-9-]+)"></div>')
#: What ``data-spec`` holds until ``on_page_context`` puts the widget's data there.
DATA_ASIDE = "optdocs-widget-data:"
DATA_SLOT = re.compile(r'(?<=data-spec=")' + DATA_ASIDE + r'([a-z0-9-]+)(?=")')
#: Widget data (spec + grid) embedded in one page, gzipped: the issue's budget.
PAGE_BUDGET = 150_000
D3_FILES = ("d3-array", "d3-color", "d3-interpolate", "d3-format", "d3-time", "d3-time-format",
            "d3-scale", "d3-path", "d3-shape", "d3-axis", "d3-selection", "d3-contour")


from hooks import widget_grid  # noqa: E402
from hooks.parallel import jobs, run_tasks  # noqa: E402
from hooks.widget_grid import defaults  # noqa: E402
from hooks.widget_specs import WIDGETS  # noqa: E402


def code_at(spec: dict, values: dict) -> str:
    """The "Show the code" snippet at ``values`` (Python reprs of the settings)."""
    return spec["code"].format(**{k: repr(v) for k, v in values.items()})



def _cache_paths(name: str) -> tuple[Path, Path]:
    key = f"{name}-{_state['digest']}"
    cache = cache_dir("optdocs-widgets")
    return cache / f"{key}.json", cache / f"{key}.svg"


def _missing() -> list[str]:
    return [n for n in WIDGETS if not all(p.is_file() for p in _cache_paths(n))]


def _target(name: str) -> list[str]:
    """What ``widget_grid.compute_into`` needs for widget ``name``: it and its cache paths."""
    return [name, *map(str, _cache_paths(name))]


def start_missing() -> list[subprocess.Popen]:
    """Start computing the widgets missing from the cache in one background process
    (``hooks/widget_grid.py`` run as a script) while hooks/figures.py computes: about 14 s of CPU,
    done long before the pages need them, and a second process would import NumPy, Matplotlib
    and optdocs again."""
    missing = _missing()
    if jobs() == 1 or not missing:  # OPTDOCS_JOBS=1: everything in the build's own process
        return []
    proc = subprocess.Popen([sys.executable, "-m", "hooks.widget_grid"], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    proc.stdin.write(json.dumps([_target(n) for n in missing]).encode())
    proc.stdin.close()
    return [proc]


def compute_missing() -> None:
    """Compute the widgets still missing from the cache, one worker-process task per widget (a
    widget that failed in the background fails here, with its traceback)."""
    for _ in run_tasks(widget_grid.compute_into, [[_target(n)] for n in _missing()]):
        pass


def built(name: str) -> tuple[bytes, bytes]:
    """(data-spec JSON, static SVG) of widget ``name``, from the cache (computed if missing)."""
    json_path, svg_path = _cache_paths(name)
    _state.setdefault("used", set()).update((json_path, svg_path))
    if not (json_path.is_file() and svg_path.is_file()):
        widget_grid.compute_into([_target(name)])
    touch(json_path)
    touch(svg_path)
    return json_path.read_bytes(), svg_path.read_bytes()


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def data_size(name: str, raw: bytes) -> int:
    """The gzipped size of widget ``name``'s data (``raw``), kept beside it in the cache: gzip -9
    of the race's half a megabyte takes 50 ms, which a warm build need not pay again."""
    path = _cache_paths(name)[0].with_suffix(".gzsize")
    _state.setdefault("used", set()).add(path)
    try:
        return int(path.read_text())
    except (FileNotFoundError, ValueError):
        size = gzipped_size(raw)
        write_atomic(path, str(size).encode())
        return size


# ------------------------------------------------------------------------------ hooks

_state: dict = {}


def _d3_bundle() -> bytes:
    parts = []
    for mod in D3_FILES:
        path = REPO / "node_modules" / mod / "dist" / f"{mod}.min.js"
        if not path.is_file():
            raise PluginError(f"widgets: {path} is missing: run `npm ci` (package.json lists {mod})")
        version = json.loads((path.parent.parent / "package.json").read_text())["version"]
        parts.append(f"/* {mod} {version} (ISC licence, https://d3js.org) */\n".encode()
                     + path.read_bytes().rstrip() + b"\n")
    return b"".join(parts)


@event_priority(100)  # the widgets are computed in the background while the figures are
def on_config(config, **kwargs):
    generated: dict[str, bytes] = {}
    bundle = _d3_bundle()
    d3_name = f"vendor/d3-{hashlib.sha256(bundle).hexdigest()[:12]}.js"
    generated[f"{ASSETS}/{d3_name}"] = bundle
    docs = Path(config["docs_dir"]) / ASSETS

    def versioned(rel: str) -> str:
        return f"{rel}?v={hashlib.sha256((docs / rel).read_bytes()).hexdigest()[:12]}"

    manifest = {
        "d3": d3_name,
        "css": versioned("widgets.css"),
        "modules": {name: versioned(f"{name}.js") for name in WIDGETS},
    }
    generated[f"{ASSETS}/manifest.js"] = (
        "// Generated by hooks/widgets.py: where core.js finds the d3 bundle and the widgets.\n"
        "window.OPTDOCS_WIDGETS = " + json.dumps(manifest, indent=1, sort_keys=True) + ";\n"
    ).encode()
    _state.update(generated=generated, built={}, pages={}, digest=widget_grid.digest())
    _state["ahead"] = start_missing()
    for rel in (f"{ASSETS}/manifest.js", f"{ASSETS}/core.js"):
        if not any(str(getattr(item, "path", item)) == rel for item in config["extra_javascript"]):
            config["extra_javascript"].append(rel)
    return config


def on_pre_build(config, **kwargs):
    """Every on_config has run: wait for the widgets computed ahead, compute any still missing."""
    for proc in _state.pop("ahead", []):
        proc.wait()
    compute_missing()


def _widget(name: str, where: str) -> tuple[bytes, bytes]:
    if name not in WIDGETS:
        raise PluginError(f"widgets: {where}: unknown widget {name!r}; known: {sorted(WIDGETS)}")
    if name not in _state["built"]:
        raw, svg = built(name)
        svg_name = f"{ASSETS}/static/{name}-{hashlib.sha256(svg).hexdigest()[:12]}.svg"
        _state["generated"][svg_name] = svg
        _state["built"][name] = (raw, svg_name)
    return _state["built"][name]


def on_page_markdown(markdown, page, config, files, **kwargs):
    names = MARKER.findall(markdown)
    if not names:
        return markdown
    if len(set(names)) != len(names):
        raise PluginError(f"widgets: {page.file.src_uri}: a widget appears twice: {names}")

    def add_code(m):
        name = m.group(1)
        _widget(name, page.file.src_uri)
        spec = WIDGETS[name]
        code = code_at(spec, defaults(spec))
        body = "\n".join(("    " + line) if line else "" for line in code.splitlines())
        return (f'{m.group(0)}\n\n???+ optdocs-widget-code "The code behind this figure"\n\n'
                f"    ```python\n{body}\n    ```\n")

    return MARKER.sub(add_code, markdown)


def on_files(files, config, **kwargs):
    # The static SVGs are known only once the pages are read: compute every widget now.
    for name in WIDGETS:
        _widget(name, "mkdocs.yml")
    for site_path, data in _state["generated"].items():
        old = files.get_file_from_path(site_path)
        if old is not None:
            files.remove(old)
        files.append(File.generated(config, site_path, content=data))
    return files


def on_page_content(content, page, config, files, **kwargs):
    found = MARKER_HTML.findall(content)
    if not found:
        return content
    total = 0

    def root(m):
        nonlocal total
        name = m.group(1)
        raw, svg_name = _widget(name, page.file.src_uri)
        total += data_size(name, raw)
        spec = WIDGETS[name]
        src = get_relative_url(svg_name, page.url)
        return (
            f'<figure class="optdocs-widget" data-optdocs-widget="{name}" data-state="static" '
            f'data-renders="0" aria-label="{html.escape(spec["title"])}" '
            f'data-spec="{DATA_ASIDE}{name}">'  # the data goes in after search has read the page
            f'<img class="optdocs-widget__static" data-role="static" src="{src}" '
            f'alt="{html.escape(spec["alt"], quote=True)}" width="800" height="320">'
            f'<figcaption class="optdocs-widget__caption"><strong>{html.escape(spec["title"])}.</strong> '
            f'<span data-role="invite">{html.escape(spec["invite"])}</span></figcaption>'
            f"</figure>"
        )

    content = MARKER_HTML.sub(root, content)
    if total > PAGE_BUDGET:
        raise PluginError(f"widgets: {page.file.src_uri}: {total} bytes of widget data (gzipped), "
                          f"over the budget of {PAGE_BUDGET}")
    _state["pages"][page.file.src_uri] = total
    return content


def on_page_context(context, page, config, nav, **kwargs):
    """Fill in each widget's data, now that the search plugin (plugins run before hooks) has
    indexed the page: search reads no attribute, and parsing up to 0.7 MB of escaped JSON per
    page was about a quarter of its work in a warm build."""
    page.content = DATA_SLOT.sub(
        lambda m: html.escape(_state["built"][m.group(1)][0].decode(), quote=True), page.content)
    return context


def on_post_build(config, **kwargs):
    removed = prune(cache_dir("optdocs-widgets"), _state.pop("used", set()))
    if removed:
        log.info("widgets: pruned %d cache entries no build uses", len(removed))
    if _state.get("pages"):
        log.info("widget data per page (gzipped bytes): %s",
                 ", ".join(f"{p} {n}" for p, n in sorted(_state["pages"].items())))
