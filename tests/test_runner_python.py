"""The Python half of the Run button (docs/assets/runner/python/_optdocs_runner.py), in CPython.

In the page it runs inside Pyodide, where `js` is the worker's global scope; here `js` and
`pyodide.ffi` are stand-ins that record what the module sends. The browser tests run the same file
in Pyodide; these tests pin its behaviour cell by cell, quickly.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import importlib.util
import io
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

RUNNER = Path(__file__).resolve().parents[1] / "docs" / "assets" / "runner" / "python" / "_optdocs_runner.py"


@pytest.fixture
def runner(monkeypatch, tmp_path):
    sent = []
    js = types.ModuleType("js")
    js._optdocsEmit = lambda stream, text: sent.append((stream, text))
    js._optdocsFigure = lambda png, alt, width: sent.append(("figure", alt))
    ffi = types.ModuleType("pyodide.ffi")
    ffi.to_js = lambda obj, **kw: obj
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    for name, mod in (("js", js), ("pyodide", pyodide), ("pyodide.ffi", ffi)):
        monkeypatch.setitem(sys.modules, name, mod)
    spec = importlib.util.spec_from_file_location("_optdocs_runner_under_test", RUNNER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.sent = sent
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr(mod, "_site", lambda: str(site) + "/")
    mod.site = site
    return mod


def run(runner, code):
    runner.sent.clear()
    # in a thread of its own: Playwright's sync API (browser tests, same session) keeps an event
    # loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        tb = pool.submit(asyncio.run, runner.run(code)).result()
    out = "".join(text for stream, text in runner.sent if stream == "stdout")
    return out, tb


def test_a_cell_runs_as_main_in_a_fresh_namespace(runner):
    out, tb = run(runner, "x = 41\nprint(__name__, x + 1)\n")
    assert (out, tb) == ("__main__ 42\n", None)
    out, tb = run(runner, "print(x)\n")
    assert out == "" and "NameError: name 'x' is not defined" in tb


def test_a_traceback_shows_the_cell_and_not_the_runner(runner):
    _, tb = run(runner, "def f():\n    return 1 / 0\n\nf()\n")
    assert tb.startswith("Traceback (most recent call last):")
    assert 'File "<cell>", line 4' in tb and 'File "<cell>", line 2, in f' in tb
    assert "return 1 / 0" in tb and tb.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "_optdocs_runner" not in tb


def test_a_syntax_error_points_at_the_line(runner):
    _, tb = run(runner, "x = 1\nif x\n    print(x)\n")
    assert 'File "<cell>", line 2' in tb and "SyntaxError" in tb
    assert "Traceback" not in tb


def test_exit_zero_is_not_an_error_and_exit_one_is(runner):
    assert run(runner, "import sys\nprint('a')\nsys.exit(0)\n") == ("a\n", None)
    _, tb = run(runner, "import sys\nsys.exit(1)\n")
    assert "SystemExit: 1" in tb


def test_top_level_await_works(runner):
    out, tb = run(runner, "import asyncio\nawait asyncio.sleep(0)\nprint('after')\n")
    assert (out, tb) == ("after\n", None)


def test_numpy_settings_a_cell_changes_do_not_leak(runner):
    before = np.get_printoptions()["precision"], np.geterr()["divide"]
    _, tb = run(runner, "import numpy as np\nnp.set_printoptions(precision=2)\nnp.seterr(all='raise')\n")
    assert tb is None
    assert (np.get_printoptions()["precision"], np.geterr()["divide"]) == before


@pytest.mark.parametrize("code, needed", [
    ("import numpy as np", False),
    ("import matplotlib.pyplot as plt", True),
    ("from mpl_toolkits.mplot3d import Axes3D", True),
    ("from optdocs.plots import contour", True),
    ("import optdocs.plots.curves", True),
    ("from optdocs import Adam", False),
    ("if x\n  import matplotlib", False),  # a syntax error: the cell reports it, nothing to load
])
def test_matplotlib_is_loaded_only_for_code_that_uses_it(runner, code, needed):
    assert runner._needs_matplotlib(code) is needed


def test_results_of_a_call_become_plain_data(runner):
    @dataclasses.dataclass
    class Result:
        path: np.ndarray
        hits: np.ndarray
        steps: int

    r = Result(np.arange(6.0).reshape(3, 2), np.array([True, False]), np.int64(3))
    plain = runner._to_plain({"result": r, "pair": (np.float32(0.5), np.arange(3))})
    res = plain["result"]
    assert res["path"]["shape"] == [3, 2] and res["path"]["dtype"] == "float64"
    assert res["path"]["data"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert res["hits"]["data"].dtype == np.uint8 and res["hits"]["dtype"] == "bool"
    assert res["steps"] == 3 and type(res["steps"]) is int
    assert plain["pair"][0] == 0.5 and plain["pair"][1]["data"].dtype == np.float64  # int64 -> float


def streams(runner):
    out = {}
    for stream, text in runner.sent:
        out[stream] = out.get(stream, "") + text
    return out


def test_what_a_call_prints_is_sent_as_its_output(runner, monkeypatch):
    """worker.js sends it to the page with the call's id: nothing printed during a call is lost,
    an unfinished line included, and the printing stops at the call's end."""
    mod = types.ModuleType("_call_target")

    def chatty(n, sep=" "):
        print("step", n, sep=sep)
        print("no newline", end="")
        sys.stderr.write("careful\n")
        return n * 2

    def failing():
        print("before the error")
        raise ValueError("n must be positive")

    mod.chatty, mod.failing = chatty, failing
    monkeypatch.setitem(sys.modules, "_call_target", mod)
    runner.sent.clear()
    assert runner.call_js("_call_target.chatty", [21], {"sep": ":"}) == 42
    assert streams(runner) == {"stdout": "step:21\nno newline", "stderr": "careful\n"}
    runner.sent.clear()
    with pytest.raises(ValueError, match="n must be positive"):
        runner.call_js("_call_target.failing", [], {})
    assert streams(runner) == {"stdout": "before the error\n"}
    runner.sent.clear()
    print("after the call")
    assert runner.sent == []


def test_a_chunked_call_runs_one_chunk_per_step_and_can_be_given_up(runner, monkeypatch):
    """worker.js drives a function with `chunks` one chunk per step(), answering other calls in
    between; the result is the plain call's, and close() abandons it."""
    mod = types.ModuleType("_chunk_target")

    def counting(n):
        for i in range(n):
            print("chunk", i)
            yield
        return {"total": np.int64(n)}

    def total(n):
        return {"total": np.int64(n)}

    total.chunks = counting
    mod.total, mod.plain = total, lambda: 1
    monkeypatch.setitem(sys.modules, "_chunk_target", mod)
    monkeypatch.setattr(sys.modules["js"], "Object", types.SimpleNamespace(fromEntries=dict),
                        raising=False)
    assert runner.is_chunked("_chunk_target.total")
    assert not runner.is_chunked("_chunk_target.plain")
    assert not runner.is_chunked("_chunk_target.missing")
    runner.sent.clear()
    call = runner.ChunkedCall("_chunk_target.total", [3], {})
    steps = 1
    while not call.step():
        assert streams(runner) == {"stdout": "".join(f"chunk {i}\n" for i in range(steps))}
        steps += 1
    assert steps == 4 and call.value == {"total": 3} == runner.call_js("_chunk_target.total", [3], {})
    given_up = runner.ChunkedCall("_chunk_target.total", [5], {})
    given_up.step()
    given_up.close()
    assert given_up.step() is True and given_up.value is None   # nothing more runs


def pyc_zip(runner, files, old=None):
    return bytes(runner.compile_pycs(files, old))


def test_compiled_pycs_are_hash_checked_and_kept_only_while_their_source_matches(runner):
    pkg = runner.site / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("VALUE = 1\n")
    (pkg / "b.py").write_text("VALUE = 2\n")
    first = pyc_zip(runner, ["pkg/a.py", "pkg/b.py", "pkg/missing.py"])
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert sorted(z.namelist()) == ["pkg/a.py", "pkg/b.py"]
        a_pyc = z.read("pkg/a.py")
    assert int.from_bytes(a_pyc[4:8], "little") == 3  # hash-based, checked at import
    assert a_pyc[8:16] == importlib.util.source_hash(b"VALUE = 1\n")

    (pkg / "a.py").write_text("VALUE = 10\n")  # a new version of a.py
    (pkg / "b.py").unlink()  # b.py not installed in this build: its entry stays
    second = pyc_zip(runner, ["pkg/a.py"], old=first)
    with zipfile.ZipFile(io.BytesIO(second)) as z:
        assert sorted(z.namelist()) == ["pkg/a.py", "pkg/b.py"]
        assert z.read("pkg/a.py")[8:16] == importlib.util.source_hash(b"VALUE = 10\n")
    assert runner.compiled_count() == 2


def test_cached_pycs_are_written_next_to_their_sources_once_installed(runner, monkeypatch):
    pkg = runner.site / "cachedpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("VALUE = 'from source'\n")
    data = pyc_zip(runner, ["cachedpkg/__init__.py"])
    (pkg / "__init__.py").unlink()  # the package is not installed yet when the cache is read
    runner.add_pycs(data)
    assert runner._imported() == [] and "cachedpkg/__init__.py" in runner._pyc_names
    pyc = Path(importlib.util.cache_from_source(str(pkg / "__init__.py")))
    assert not pyc.exists()
    (pkg / "__init__.py").write_text("VALUE = 'from source'\n")  # now it is
    runner.install_pycs()
    assert pyc.read_bytes() == zipfile.ZipFile(io.BytesIO(data)).read("cachedpkg/__init__.py")

    monkeypatch.syspath_prepend(str(runner.site))
    monkeypatch.delitem(sys.modules, "cachedpkg", raising=False)
    import cachedpkg
    assert cachedpkg.VALUE == "from source" and cachedpkg.__cached__ == str(pyc)
    assert runner.missing_pycs() == []
    monkeypatch.delitem(sys.modules, "cachedpkg")


def test_matplotlibs_font_list_is_cached_and_loads_back(runner, monkeypatch, tmp_path):
    from matplotlib import font_manager

    (runner.site / "matplotlib").mkdir()
    (runner.site / "matplotlib" / "__init__.py").write_text("")
    data = pyc_zip(runner, ["matplotlib/__init__.py"])
    name = f"fontlist-v{font_manager.FontManager.__version__}.json"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["matplotlib/__init__.py", runner.FONTS + name]
    assert runner.compiled_count() == 1

    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mplconfig"))
    runner.add_pycs(data)
    cached = font_manager.json_load(tmp_path / "mplconfig" / name)
    assert [f.name for f in cached.ttflist] == [f.name for f in font_manager.fontManager.ttflist]
    assert runner.FONTS + name not in runner._pyc_names


def _runner_figures():
    """A figure made with pyplot (the runner's Agg backend) and one made by optdocs and shown."""
    import matplotlib.pyplot as plt

    from optdocs.plots import new_figure, show

    fig, ax = plt.subplots(layout="constrained")
    ax.semilogy([1, 2, 3], [3e-3, 2e-1, 1e1])
    ax.set_ylabel(r"$\eta_t$")
    ours, (a, b) = new_figure(ncols=2)
    a.loglog([1, 10, 100], [1, 0.1, 0.01], label="1/t")
    b.set_title("a long title the layout makes room for")
    ours.legend(loc="outside lower center")
    return [fig, show(ours)]


@pytest.mark.parametrize("which", [0, 1], ids=["pyplot", "optdocs"])
def test_a_figure_is_drawn_once_into_the_png_savefig_gives(runner, which):
    import matplotlib.pyplot as plt

    try:
        fig, twin = _runner_figures()[which], _runner_figures()[which]
        canvas, engine, dpi = fig.canvas, fig.get_layout_engine(), fig.dpi
        plain = io.BytesIO()
        twin.savefig(plain, format="png", dpi=runner.PNG_DPI)
        assert bytes(runner.figure_png(fig)) == plain.getvalue()
        assert fig.canvas is canvas and fig.get_layout_engine() is engine and fig.dpi == dpi
    finally:
        plt.close("all")
