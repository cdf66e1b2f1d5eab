"""Running one runnable cell at build time, its cache entry, and running cells ahead of the pages.

``hooks/cells.py`` renders a page's ```` ```python ```` block from the block's cache entry, or runs it
with :func:`execute` (a fresh ``__main__``, like ``python file.py``) and stores the result. An entry
is keyed by the code, the sources of every optdocs / guide module it imports (transitively:
``hooks/source_keys.py``) and the library versions, so the same code gives the same entry in any
process.

Ahead of the pages: ``hooks/cells.py`` (for the Markdown's blocks, before the figures are
computed) and ``hooks/figures.py`` (for the cells under figures drawn with ``page_kwargs``) hand the
code they know of to :func:`run_ahead`, which hands the cells whose entry is missing to one
background process (this module run as a script, reading a JSON list of cells per line of its
stdin). It runs them while the
figures are computed and stores each result; a cell that fails stores nothing, and the page then
runs it itself and reports the error with its page and line. :func:`wait_ahead` waits for those
processes; ``hooks/cells.py`` calls it at the first cell that is not in the cache.
A helper module, not a hook: both hooks import it.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import hashlib
import io
import json
import linecache
import os
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: hooks/ and optdocs/ live here
    sys.path.insert(0, str(REPO_ROOT))
from hooks import source_keys  # noqa: E402
from hooks.build_cache import cache_dir, touch, write_atomic  # noqa: E402

CACHE_VERSION = "1"
CELL_FILENAME = "<cell>"
_ahead: dict = {"procs": [], "keys": set()}
_keys: dict[str, str] = {}  # code -> key, for one build (the sources it imports may change)


# ------------------------------------------------------------------------------ cache entries


def entry(src: str) -> Path:
    """The cache entry of the cell ``src`` (it may not exist); blank lines around the code do not
    count (a fence may hand the code over without its last newline)."""
    src = src.strip("\n")
    key = _keys.get(src)
    if key is None:  # asked up to three times a build: running ahead, on the page, when stored
        key = _keys[src] = hashlib.sha256(
            "\0".join((CACHE_VERSION, _sources_digest(src), src)).encode()).hexdigest()
    return cache_dir("optdocs-cells") / f"{key}.json"


def svg_name(svg: bytes) -> str:
    """The name a figure of a cell is kept under: a hash of its bytes."""
    return hashlib.sha256(svg).hexdigest()[:20]


def read(path: Path) -> tuple[str, dict[str, bytes]] | None:
    """(output, {svg name: svg}) of a stored cell, every part marked as used; None if any part is
    missing."""
    svg_dir = path.parent / "svg"
    try:
        data = json.loads(path.read_text())
        svgs = {sha: (svg_dir / f"{sha}.svg").read_bytes() for sha in data["figures"]}
    except FileNotFoundError:
        return None
    touch(path)
    for sha in svgs:
        touch(svg_dir / f"{sha}.svg")
    return data["output"], svgs


def store(path: Path, output: str, svgs: list[bytes]) -> list[str]:
    """Store a cell's result (its figures first, the entry last); return the figures' names."""
    svg_dir = path.parent / "svg"
    svg_dir.mkdir(exist_ok=True)
    names = [svg_name(svg) for svg in svgs]
    for name, svg in zip(names, svgs, strict=True):
        write_atomic(svg_dir / f"{name}.svg", svg)
    write_atomic(path, json.dumps({"output": output, "figures": names}).encode())
    return names


# ------------------------------------------------------------------------------ running ahead


def run_ahead(sources: list[str]) -> int:
    """Have the background process run and store the cells of ``sources`` that have no entry
    yet (starting it at the first call of a build; later calls hand it more); return how many
    it will run."""
    missing = list(dict.fromkeys(src for src in sources if not entry(src).is_file()))
    if not missing:
        return 0
    _ahead["keys"].update(entry(src).name for src in missing)
    line = (json.dumps(missing) + "\n").encode()
    try:
        _send(_ahead_process(), line)
    except OSError:  # it has stopped (killed?): a new one takes these cells
        _ahead["procs"].append(_new_process())
        _send(_ahead["procs"][-1], line)
    return len(missing)


def _send(proc: subprocess.Popen, line: bytes) -> None:
    proc.stdin.write(line)
    proc.stdin.flush()


def _ahead_process() -> subprocess.Popen:
    """This build's process running cells ahead (one: each start imports NumPy, Matplotlib and
    optdocs, about 1.5 s of CPU)."""
    if not _ahead["procs"]:
        _ahead["procs"].append(_new_process())
    return _ahead["procs"][-1]


def _new_process() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hooks.cell_runs"], cwd=REPO_ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def ran_ahead(path: Path) -> bool:
    """Was ``path`` (an entry) handed to a process running ahead in this build?"""
    return path.name in _ahead["keys"]


def wait_ahead() -> None:
    """Tell the processes running cells ahead that no more come, and wait for them (a failed one
    leaves the rest to the page)."""
    while _ahead["procs"]:
        proc = _ahead["procs"].pop()
        with contextlib.suppress(OSError):
            proc.stdin.close()
        proc.wait()


@atexit.register
def forget_ahead() -> None:
    """Stop what still runs ahead: at a new build (``mkdocs serve``), after the pages, at exit."""
    for proc in _ahead["procs"]:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(OSError):
            proc.stdin.close()
        proc.wait()
    _ahead.update(procs=[], keys=set())
    _keys.clear()


def _run_and_store(sources: list[str]) -> None:
    for src in sources:
        path = entry(src)
        if path.is_file():
            continue
        output, svgs, error = execute(src)
        if error is None:
            store(path, output, svgs)


# ------------------------------------------------------------------------------ one cell


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


if __name__ == "__main__":
    for batch in sys.stdin:  # one JSON list of cells per line, until the build closes stdin
        _run_and_store(json.loads(batch))
