"""MkDocs hook: the exercise notebooks' cache, and their execution in the background.

mkdocs-jupyter executes a notebook when its page is rendered, one notebook after another, after
``hooks/figures.py`` has computed the figures. This hook (listed before the others in mkdocs.yml)

* keys mkdocs-jupyter's cache on the optdocs sources too: it goes to
  ``.cache/mkdocs-jupyter/<digest>/`` (``$OPTDOCS_CACHE_DIR``), the digest covering every optdocs
  source file and the library versions, since the plugin keys on the notebook file only and a
  notebook would keep showing the output of old optdocs code; folders of other digests are pruned
  after the build (``hooks/build_cache.py``);
* in ``on_config`` starts one process that renders, one after another, every notebook whose
  rendering is not cached, exactly as the plugin would (same function, same options), and writes
  the plugin's cache entries, so the notebooks run while the figures are computed (each in its
  own kernel; one process rather than one per notebook saves four starts of nbconvert: in a
  clean build, 4.0 s of CPU where the five processes took 10.6 s); ``on_pre_page`` waits, if the
  notebook's entry is not there yet, for that process before the plugin renders the page, and the
  plugin then reads its cache;
* in ``on_page_content`` folds the cells tagged ``solution`` of a notebook page into one closed
  ``<details>`` per run of consecutive solution cells (nbconvert has no folding of its own;
  in the downloaded notebook the same cells carry ``jupyter.source_hidden`` and
  ``outputs_hidden``, which JupyterLab honours);
* in ``on_post_build`` replaces the notebook a reader downloads (the plugin's ``include_source``
  copy) with the executed one, outputs included, so the measured answers are in the download too:
  the background process executes the notebook itself, keeps it beside the cache entry
  (``<entry>.ipynb``) and renders the page from it.

Nothing here can change what a page shows: a notebook that fails in that process (an error in the
notebook, another version of mkdocs-jupyter) gets no cache entry, and the plugin executes it itself
and reports any error as before. Run as a script, this file is that process:
``python hooks/notebooks.py '<json list of specs>'``.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # hooks/ (helpers) lives here
    sys.path.insert(0, str(REPO_ROOT))
from hooks import source_keys  # noqa: E402
from hooks.build_cache import cache_root, prune, touch, write_atomic  # noqa: E402

log = logging.getLogger("mkdocs.hooks.notebooks")

#: Options of mkdocs-jupyter passed to convert.nb2html, as its on_pre_page passes them.
NB2HTML_OPTIONS = ("kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt",
                   "remove_tag_config", "highlight_extra_classes", "include_requirejs",
                   "custom_mathjax_url")

_state: dict = {"folder": None, "running": {}, "specs": {}, "downloads": {}}


# ---------------------------------------------------------------------------------------- hooks


def on_config(config):
    plugin = config.plugins.get("mkdocs-jupyter")
    _state.update(folder=None, running={}, specs={}, downloads={})
    if plugin is None or not plugin.config.get("cache", False):
        return config
    folder = notebook_cache_folder()
    plugin.config["cache_dir"] = str(folder)
    _state["folder"] = folder
    download = bool(plugin.config.get("include_source"))
    _start([spec for path in notebooks(config, plugin)
            if (spec := _todo(path, plugin, download)) is not None])
    return config


def on_pre_page(page, config, files):
    src = page.file.abs_src_path
    if src in _state["specs"]:  # where the plugin copies the notebook (include_source)
        _state["downloads"][src] = Path(page.file.abs_dest_path).parent / Path(src).name
    proc, entry = _state["running"].pop(src, (None, None))
    if proc is None or entry.is_file():  # written last, atomically: this notebook is done
        return page
    proc.wait()  # it renders the notebooks in order: this one is coming, or has failed
    if not entry.is_file():
        log.info("notebooks hook: %s did not render in the background; mkdocs-jupyter runs it",
                 page.file.src_uri)
    return page


def on_page_content(html, page, config, files):
    src = page.file.abs_src_path
    if not src or not src.endswith(".ipynb"):
        return html
    return fold_solutions(html, solution_flags(src), page.file.src_uri)


def on_post_build(config):
    folder = _state.get("folder")
    if folder is None:
        return
    for source, download in _state["downloads"].items():
        executed = Path(_state["specs"][source]["cache_path"] + ".ipynb")
        if executed.is_file() and download.is_file():
            download.write_bytes(executed.read_bytes())
        elif download.is_file():
            log.info("notebooks hook: %s is downloaded without its outputs (it was not executed "
                     "in the background)", Path(source).name)
    prune(folder.parent, [folder], "*")  # digests of older optdocs sources


# ------------------------------------------------------------------------------------ helpers

SOLUTION_TAG = "solution"
FOLD_OPEN = ('<details class="optdocs-solution">'
             "<summary>Show the worked solution and the measured answer</summary>")
_CELL_START = re.compile(r'<div\b[^>]*\bclass="jp-Cell ')
_DIV = re.compile(r"<div\b|</div>")


def solution_flags(path: str) -> list[bool]:
    """Per cell of the notebook at ``path``, in order: is it tagged ``solution``?"""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [SOLUTION_TAG in cell.get("metadata", {}).get("tags", []) for cell in nb["cells"]]


def cell_spans(html: str) -> list[tuple[int, int]]:
    """(start, end) in ``html`` of each notebook cell's ``<div class="jp-Cell ...">``, in order.

    A cell's text and outputs reach the page escaped, so counting ``<div`` against ``</div>``
    finds each cell's end. mkdocs-jupyter wraps a code cell's ``jp-Cell`` div in another one
    with the same classes: a cell div inside a cell is part of that cell."""
    spans: list[tuple[int, int]] = []
    for start in (m.start() for m in _CELL_START.finditer(html)):
        if spans and start < spans[-1][1]:
            continue
        depth = 0
        for tag in _DIV.finditer(html, start):
            depth += 1 if tag.group() == "<div" else -1
            if depth == 0:
                spans.append((start, tag.end()))
                break
        else:
            raise ValueError(f"html: the cell at offset {start} is never closed")
    return spans


def fold_solutions(html: str, flags: list[bool], name: str = "notebook") -> str:
    """``html`` with each run of consecutive cells flagged True wrapped in a closed
    ``<details>``. ``flags`` has one entry per cell of the notebook the page renders."""
    spans = cell_spans(html)
    if len(spans) != len(flags):
        raise ValueError(f"{name}: the page shows {len(spans)} cells, the notebook has "
                         f"{len(flags)}; cannot tell which ones to fold")
    out, pos, i = [], 0, 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(flags) and flags[j + 1]:
            j += 1
        out += [html[pos:spans[i][0]], FOLD_OPEN, html[spans[i][0]:spans[j][1]], "</details>"]
        pos, i = spans[j][1], j + 1
    return "".join(out) + html[pos:]



def notebook_cache_folder() -> Path:
    """``<cache>/mkdocs-jupyter/<digest of the optdocs sources and library versions>``, created."""
    digest = hashlib.sha256(
        (source_keys.environment_digest() + source_keys.sources_digest(REPO_ROOT / "optdocs")).encode()
    ).hexdigest()[:16]
    folder = cache_root() / "mkdocs-jupyter" / digest
    folder.mkdir(parents=True, exist_ok=True)
    touch(folder)
    return folder


def notebooks(config, plugin) -> list[str]:
    """Absolute paths of the docs' notebooks that the plugin renders."""
    from mkdocs.structure.files import File

    docs = Path(config["docs_dir"])
    out = []
    for path in sorted(docs.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        file = File(path.relative_to(docs).as_posix(), str(docs), config["site_dir"],
                    config["use_directory_urls"])
        if plugin.should_include(file):
            out.append(file.abs_src_path)
    return out


def render_spec(path: str, plugin) -> dict | None:
    """What the background process needs to render ``path`` as the plugin would, or None when
    the plugin would not execute it or this mkdocs-jupyter does not look as expected."""
    try:
        from mkdocs_jupyter import plugin as plugin_module

        cfg = plugin.config
        exec_nb = bool(cfg["execute"]) and not any(
            Path(path).match(p) for p in (cfg.get("execute_ignore") or []))
        if not exec_nb:
            return None  # nothing slow to do ahead of time
        key = plugin_module._compute_cache_key(path, cfg, exec_nb)
        cache_path = plugin_module._get_cache_path(cfg["cache_dir"], key)
        options = {name: cfg[name] for name in NB2HTML_OPTIONS}
        toc_depth = cfg["toc_depth"]
    except (ImportError, AttributeError, KeyError, TypeError) as exc:
        log.info("notebooks hook: cannot prepare %s (%s); mkdocs-jupyter runs it", path, exc)
        return None
    return {"path": path, "cache_path": str(cache_path), "options": {"execute": True, **options},
            "toc_depth": toc_depth}


def _todo(path: str, plugin, download: bool) -> dict | None:
    """The spec of notebook ``path`` if its rendering is not cached, else None (noting the spec
    of a notebook the reader downloads)."""
    spec = render_spec(path, plugin)
    if spec is None:
        return None
    if download:
        _state["specs"][path] = spec
    cached = Path(spec["cache_path"])
    return None if cached.exists() and Path(f"{cached}.ipynb").exists() else spec


def _start(specs: list[dict]) -> None:
    """One process that renders the notebooks of ``specs``, one after another."""
    if not specs:
        return
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), json.dumps(specs)],
                            cwd=os.getcwd(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for spec in specs:
        _state["running"][spec["path"]] = (proc, Path(spec["cache_path"]))


@atexit.register
def _stop_running() -> None:
    """A build that stops early leaves no notebook running."""
    for proc, _ in _state["running"].values():
        if proc.poll() is None:
            proc.terminate()


def execute(path: str, kernel_name: str, allow_errors: bool) -> bytes:
    """The notebook at ``path`` executed as nbconvert executes it for mkdocs-jupyter (same
    preprocessor and options, in the notebook's folder), as .ipynb bytes; no timing metadata."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    nb = nbformat.read(path, as_version=4)
    ExecutePreprocessor(kernel_name=kernel_name, allow_errors=allow_errors, store_widget_state=True,
                        record_timing=False).preprocess(nb, {"metadata": {"path": str(Path(path).parent)}})
    return nbformat.writes(nb).encode("utf-8")


def render(spec: dict) -> None:
    """Execute one notebook, keep it (``<cache entry>.ipynb``), and render it as mkdocs-jupyter's
    on_pre_page would have rendered the source with ``execute`` on; write the cache entry last."""
    from mkdocs_jupyter import convert
    from mkdocs_jupyter import plugin as plugin_module

    cache_path = Path(spec["cache_path"])
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    options = dict(spec["options"], execute=False)
    executed = Path(f"{cache_path}.ipynb")
    write_atomic(executed, execute(spec["path"], options["kernel_name"], options["allow_errors"]))
    body = convert.nb2html(str(executed), **options)
    toc_tokens, title = plugin_module._get_nb_toc_tokens(spec["path"], spec["toc_depth"])
    write_atomic(cache_path, json.dumps(
        {"content": body, "toc_tokens": toc_tokens, "title": title}).encode("utf-8"))


def render_all(specs: list[dict]) -> int:
    """Render every notebook of ``specs``; one that fails is reported and leaves no entry (its
    page executes it), the others are rendered. The exit status: 1 if any failed."""
    failed = 0
    for spec in specs:
        try:
            render(spec)
        except Exception:  # noqa: BLE001 - the plugin runs it again and reports the error
            traceback.print_exc()
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(render_all(json.loads(sys.argv[1])))
