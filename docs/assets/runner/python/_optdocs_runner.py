"""Runs optdocs cells inside the browser.

Loaded by docs/assets/runner/worker.js into site-packages of the Pyodide interpreter, which calls
these functions; `js` is the worker's global scope. Also imported by tests/test_runner_python.py
(CPython, with `js` and `pyodide.ffi` stubbed).
"""
import ast
import contextlib
import importlib
import io
import linecache
import sys
import traceback
import types
import warnings

from js import _optdocsEmit, _optdocsFigure
from pyodide.ffi import to_js

CELL = "<cell>"
_MPL_ROOTS = ("matplotlib", "pylab", "mpl_toolkits")
_optdocs_imports_matplotlib = False


def setup(optdocs_imports_matplotlib):
    global _optdocs_imports_matplotlib
    _optdocs_imports_matplotlib = bool(optdocs_imports_matplotlib)


class _Stream(io.TextIOBase):
    def __init__(self, name):
        self.name = name

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if s:
            _optdocsEmit(self.name, s)
        return len(s)

    @property
    def encoding(self):
        return "utf-8"

    def isatty(self):
        return False


def _imported_names(code):
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [node.module + "." + a.name for a in node.names]
    return names


def _needs_matplotlib(code):
    names = _imported_names(code)
    if any(n.split(".")[0] in _MPL_ROOTS for n in names):
        return True
    if any(n == "optdocs.plots" or n.startswith("optdocs.plots.") for n in names):
        return True
    return _optdocs_imports_matplotlib and any(n.split(".")[0] == "optdocs" for n in names)


def packages_for(code):
    """Lock-file packages a cell needs beyond what loadPackagesFromImports finds."""
    need = "matplotlib" not in sys.modules and _needs_matplotlib(code)
    return to_js(["matplotlib"] if need else [])


def warm_up_needed(code):
    return "matplotlib.pyplot" not in sys.modules and _needs_matplotlib(code)


def warm_up():
    """Import pyplot outside the cell: its first import builds the font cache and says so on
    stderr, which is not the cell's output."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            import matplotlib.pyplot  # noqa: F401
        except Exception:
            pass  # the cell's own import reports it


def _strip(tb):
    """Drop the frames of this module (and anything before the cell) from a traceback."""
    while tb is not None and tb.tb_frame.f_code.co_filename != CELL:
        tb = tb.tb_next
    return tb


def _format(exc):
    if isinstance(exc, SyntaxError) and exc.filename == CELL:
        lines = traceback.format_exception_only(type(exc), exc)
    else:
        exc.__traceback__ = _strip(exc.__traceback__)
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return "".join(lines)


def emit_figures():
    """Send every open matplotlib figure to the page as PNG, then close them."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for num in plt.get_fignums():
        fig = plt.figure(num)
        try:
            png = figure_png(fig)
            label = fig.get_label() or ""
            alt = f"Figure {num} produced by this code" + (f": {label}" if label else "")
            _optdocsFigure(to_js(png), alt, round(fig.get_figwidth() * 96))
        finally:
            plt.close(fig)


PNG_DPI = 144  # 1.5x for sharp screens; shown at the SVG's size: inches * 96 CSS pixels


def figure_png(fig):
    """The figure as PNG, with the layout of the build's SVG (no tight bbox), drawn once.

    ``savefig`` of a figure with a layout engine draws it twice: once without output to lay it
    out, then for real. Here the engine lays it out at the PNG's dpi (the Agg canvas's text
    metrics, as savefig would) and savefig draws it without the engine: the same bytes, drawn
    once. The figure gets its canvas, dpi and engine back.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    engine, dpi, canvas = fig.get_layout_engine(), fig.dpi, fig.canvas
    try:
        if engine is not None:
            if not isinstance(canvas, FigureCanvasAgg):  # pyplot's figures have one already
                FigureCanvasAgg(fig)
            fig.dpi = PNG_DPI
            engine.execute(fig)
            fig.dpi = dpi
            fig.set_layout_engine(None)
        fig.savefig(buf, format="png", dpi=PNG_DPI)
    finally:
        fig.dpi = dpi
        if engine is not None:
            fig.set_layout_engine(engine)
            fig.set_canvas(canvas)
    return buf.getbuffer()


class _State:
    """Global state a cell may change and that the next cell should not see."""

    def __enter__(self):
        self.np = sys.modules.get("numpy")
        if self.np is not None:
            self.np_err = self.np.geterr()
            self.np_print = self.np.get_printoptions()
        mpl = sys.modules.get("matplotlib")
        self.rc = dict(mpl.rcParams) if mpl is not None else None
        self.saved_path = list(sys.path)
        return self

    def __exit__(self, *exc):
        np = sys.modules.get("numpy")
        if np is not None and self.np is np:
            np.seterr(**self.np_err)
            np.set_printoptions(**self.np_print)
        mpl = sys.modules.get("matplotlib")
        if mpl is not None and self.rc is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mpl.rcParams.clear()
                mpl.rcParams.update(self.rc)
        sys.path[:] = self.saved_path
        return False


async def run(code):
    """Run a cell; return None, or the traceback text."""
    linecache.cache[CELL] = (len(code), None, code.splitlines(True), CELL)
    main = types.ModuleType("__main__")
    ns = main.__dict__
    ns["__builtins__"] = __builtins__
    saved_main = sys.modules.get("__main__")
    saved_argv = sys.argv
    sys.argv = [CELL]
    out, err = _Stream("stdout"), _Stream("stderr")
    try:
        compiled = compile(code, CELL, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as exc:
        return _format(exc)
    result = None
    sys.modules["__main__"] = main
    try:
        with (_State(), warnings.catch_warnings(),
              contextlib.redirect_stdout(out), contextlib.redirect_stderr(err)):
            try:
                value = eval(compiled, ns)
                if compiled.co_flags & 0x80:  # CO_COROUTINE: the cell used top-level await
                    await value
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    result = _format(exc)
            except BaseException as exc:
                result = _format(exc)
            try:
                emit_figures()
            except Exception as exc:
                result = (result or "") + "While drawing the figures:\n" + _format(exc)
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        sys.argv = saved_argv
        sys.stdout.flush()
        sys.stderr.flush()
    return result


# Boot cache: hash-checked .pyc files for site-packages modules (see bootcache.js), and
# matplotlib's font list, which it cannot save in Pyodide and otherwise rebuilds on every page
# load (about 0.3 s): zip entry FONTS + its file name in MPLCONFIGDIR.
_pycs = {}  # source path relative to site-packages -> .pyc bytes not yet written
_pyc_names = set()  # every source path the cached zip covers
FONTS = "~mplconfig/"


def _site():
    import site
    return site.getsitepackages()[0] + "/"


def _imported():
    site, out = _site(), set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.startswith(site) and path.endswith(".py"):
            out.add(path[len(site):])
    return sorted(out)


def imported_sources():
    """Source files (relative to site-packages) of the modules imported so far."""
    return to_js(_imported())


def missing_pycs():
    return to_js([f for f in _imported() if f not in _pyc_names])


def _bytes(buf):
    return buf.to_bytes() if hasattr(buf, "to_bytes") else bytes(buf)


def add_pycs(buf):
    """Take the cached zip: each .pyc is written next to its source once that exists, the font list
    at once."""
    import os
    import zipfile
    with zipfile.ZipFile(io.BytesIO(_bytes(buf))) as z:
        for name in z.namelist():
            if name.startswith(FONTS):  # matplotlib checks its version when it reads it
                folder = os.environ["MPLCONFIGDIR"]
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, name[len(FONTS):]), "wb") as f:
                    f.write(z.read(name))
                continue
            _pycs[name] = z.read(name)
            _pyc_names.add(name)
    install_pycs()


def _font_list():
    """(zip entry, bytes) of matplotlib's font list, as font_manager would have saved it."""
    import json

    from matplotlib import font_manager
    name = f"fontlist-v{font_manager.FontManager.__version__}.json"
    data = json.dumps(font_manager.fontManager, cls=font_manager._JSONEncoder, indent=2)
    return FONTS + name, data.encode()


def install_pycs():
    """Write the pending .pyc files whose source is installed (after every package load)."""
    import importlib.util
    import os
    site = _site()
    for rel in [r for r in _pycs if os.path.exists(site + r)]:
        target = importlib.util.cache_from_source(site + rel)
        if not os.path.exists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(_pycs[rel])
        del _pycs[rel]


def compile_pycs(files, old):
    """A zip of hash-checked .pyc files for the given files (relative to site-packages), with the entries
    of the zip old (or None) kept, and matplotlib's font list if the files include matplotlib."""
    import importlib.util
    import os
    import py_compile
    import tempfile
    import zipfile
    entries = {}
    site = _site()
    if old is not None:  # keep the old entries that still match their source
        with zipfile.ZipFile(io.BytesIO(_bytes(old))) as z:
            for name in z.namelist():
                data = z.read(name)
                try:
                    with open(site + name, "rb") as f:
                        current = importlib.util.source_hash(f.read())
                except OSError:
                    current = None  # a package this build did not load: keep it
                if current is None or data[8:16] == current:
                    entries[name] = data
    tmp = tempfile.mkdtemp()
    for rel in files:
        if rel in entries or not os.path.exists(site + rel):
            continue
        cfile = os.path.join(tmp, "x.pyc")
        try:
            py_compile.compile(site + rel, cfile=cfile, dfile=site + rel, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        except py_compile.PyCompileError:
            continue
        with open(cfile, "rb") as f:
            entries[rel] = f.read()
    global _compiled_count
    _compiled_count = len([name for name in entries if not name.startswith(FONTS)])
    if any(rel.startswith("matplotlib/") for rel in files):
        name, data = _font_list()
        entries[name] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(entries):
            z.writestr(name, entries[name])
    return to_js(out.getbuffer())


_compiled_count = 0


def compiled_count():
    return _compiled_count


def _to_plain(obj):
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.generic):
        return obj.item()
    if np is not None and isinstance(obj, np.ndarray):
        arr = obj
        if arr.dtype.kind == "b":
            arr = arr.astype(np.uint8)
        elif arr.dtype.kind not in "iuf" or arr.dtype.itemsize > 8 or arr.dtype == np.float16:
            arr = arr.astype(np.float64)
        if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8:
            arr = arr.astype(np.float64)  # JS has no 64-bit integer typed array for plain numbers
        arr = np.ascontiguousarray(arr)
        return {"shape": list(obj.shape), "dtype": str(obj.dtype), "data": arr.reshape(-1)}
    if isinstance(obj, dict):
        return {str(k): _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _to_plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
    return obj


def _convert(obj):
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.ndarray):
        return to_js(obj.data)
    if isinstance(obj, dict):
        from js import Object
        return Object.fromEntries(to_js([[k, _convert(v)] for k, v in obj.items()]))
    if isinstance(obj, list):
        from js import Array
        return Array.from_(to_js([_convert(v) for v in obj]))
    return to_js(obj)


def _resolve(dotted):
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot resolve {dotted!r}")


@contextlib.contextmanager
def _call_output():
    """What a call prints goes to the page as the call's output, partial lines included."""
    with contextlib.redirect_stdout(_Stream("stdout")), contextlib.redirect_stderr(_Stream("stderr")):
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()


def call_js(fn, args, kwargs):
    """Call the function named `fn` (dotted) with `args` and `kwargs`; its result converted for
    JavaScript. What it prints goes to the page as the call's output, partial lines included."""
    func = _resolve(fn)
    with _call_output():
        result = func(*list(args), **dict(kwargs))
    return _convert(_to_plain(result))


def is_chunked(fn):
    """Whether the function named `fn` can be computed in chunks: it has a `chunks` attribute, a
    generator function with the same arguments that yields between chunks and returns the
    function's result (see optdocs/demos/_chunks.py). False if `fn` does not resolve."""
    try:
        return callable(getattr(_resolve(fn), "chunks", None))
    except Exception:
        return False


class ChunkedCall:
    """A call of a chunked function in progress: worker.js runs one chunk per step() and may
    answer other calls, or give up (close), between two steps."""

    def __init__(self, fn, args, kwargs):
        self._chunks = _resolve(fn).chunks(*list(args), **dict(kwargs))
        self.value = None

    def step(self):
        """Run the next chunk; True once the function has returned (its converted result is then
        in `value`)."""
        with _call_output():
            try:
                next(self._chunks)
            except StopIteration as done:
                self.value = _convert(_to_plain(done.value))
                return True
        return False

    def close(self):
        self._chunks.close()
