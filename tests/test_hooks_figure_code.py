"""hooks/figure_code.py: the code under every figure is extracted from the guide, self-contained,
and draws a figure when run (as the build and the page run it)."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import guide  # noqa: E402
from guide import registry  # noqa: E402
from hooks import figure_code  # noqa: E402
from hooks.figure_code import FigureCodeError, figure_cell, smaller_title  # noqa: E402

registry.load_all()
FIGURES = sorted(registry.FIGURES)
ALLOWED = {"optdocs", "numpy", "matplotlib"}


def imported_roots(code: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    return roots - {"__future__"}


@pytest.mark.parametrize("name", FIGURES)
def test_the_code_compiles_and_imports_only_what_the_page_has(name):
    code = figure_cell(registry.FIGURES[name])
    compile(code, name, "exec")
    roots = imported_roots(code)
    assert roots <= ALLOWED | set(sys.stdlib_module_names), roots
    assert "guide" not in roots


@pytest.mark.parametrize("name", FIGURES)
def test_the_code_is_the_modules_code(name):
    """Every function of the cell is the guide's own text (never retyped), and the cell draws
    the registered function under the name draw."""
    spec = registry.FIGURES[name]
    code = figure_cell(spec)
    source = Path(sys.modules[spec.module].__file__).read_text()
    modname, node = figure_code.figure_node(spec.func)
    body = "\n".join(source.splitlines()[node.lineno - 1:node.end_lineno])
    assert body.replace("def _(", "def draw(", 1) in code or body.replace(
        f"def {node.name}(", "def draw(", 1) in code
    assert "show(fig)" in code


@pytest.fixture(autouse=True)
def no_figure_left_open():
    """Every test here leaves pyplot as it found it: the package's plot tests check that."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def run_cell(code: str, printed: io.StringIO | None = None):
    """Run the cell as hooks/cells.py does (a fresh __main__, Agg); return pyplot's figures."""
    import matplotlib.pyplot as plt

    plt.close("all")
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(printed or io.StringIO()):
        exec(compile(code, "<cell>", "exec"), namespace)
    figs = [plt.figure(n) for n in plt.get_fignums()]
    return figs


@pytest.mark.parametrize("name", FIGURES)
def test_the_cell_draws_a_figure(name):
    """... and under a full-size figure, prints nothing and draws the figure's SVG byte for byte:
    the build shows that SVG as the cell's output without running it (hooks/known_cells.py)."""
    import matplotlib.pyplot as plt

    from optdocs.plots.style import style_context, to_svg

    spec = registry.FIGURES[name]
    printed = io.StringIO()
    try:
        figs = run_cell(figure_cell(spec), printed)
        assert len(figs) == 1, f"{name}: {len(figs)} figures open after the cell"
        axes = figs[0].axes
        assert axes, f"{name}: the figure has no axes"
        drawn = sum(len(ax.lines) + len(ax.collections) + len(ax.patches) + len(ax.images)
                    for ax in axes)
        assert drawn > 0, f"{name}: the axes hold no lines, patches, collections or images"
        if not spec.page_kwargs:
            assert printed.getvalue() == "", name
            with style_context():                 # as guide/render.py draws it, checks aside
                figure = spec.func()
            assert to_svg(figs[0]) == to_svg(figure), f"{name}: the cell draws another figure"
    finally:
        plt.close("all")


def test_a_lighter_cell_says_so_in_its_title_and_first_lines():
    lighter = [registry.FIGURES[n] for n in FIGURES if registry.FIGURES[n].page_kwargs]
    assert lighter, "no figure registers page_kwargs, although some are too heavy for the page"
    for spec in lighter:
        code = figure_cell(spec)
        for key, value in spec.page_kwargs.items():
            assert f"{key}={value!r}" in code.splitlines()[1], code.splitlines()[:3]
            assert f"{key} = {value!r} instead of" in smaller_title(spec)
            assert f"draw({key}={value!r}" in code or f", {key}={value!r}" in code


# ------------------------------------------------------------------ the extraction, on a toy module

TOY = '''
"""A toy chapter."""

from __future__ import annotations

from functools import cache

import numpy as np

from guide.registry import figure
from optdocs.plots.style import new_figure

STEPS = 10
UNUSED = 3


# a helper with a comment
@cache
def curve(steps: int = STEPS) -> np.ndarray:
    return np.arange(steps) ** 2


def unused():
    return UNUSED


@figure("toy", alt="a toy", caption="Look at the toy.")
def _(steps=STEPS):
    fig, ax = new_figure()
    ax.plot(curve(steps))
    return fig
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A guide module ``guide.toy_chapter`` under a temporary repository root."""
    def write(source: str, name: str = "toy_chapter"):
        (tmp_path / "guide").mkdir(exist_ok=True)
        path = tmp_path / "guide" / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        monkeypatch.setattr(figure_code, "REPO_ROOT", tmp_path)
        monkeypatch.setattr(guide, "__path__", [*guide.__path__, str(tmp_path / "guide")])
        monkeypatch.delitem(sys.modules, f"guide.{name}", raising=False)
        ns: dict = {"__name__": f"guide.{name}"}
        saved = dict(registry.FIGURES)
        try:
            exec(compile(path.read_text(), str(path), "exec"), ns)
            new = {k: v for k, v in registry.FIGURES.items() if k not in saved}
        finally:
            registry.FIGURES.clear()
            registry.FIGURES.update(saved)
        return new
    yield write
    for name in ("toy_chapter", "toy_helpers"):
        sys.modules.pop(f"guide.{name}", None)


def test_the_toy_cell_holds_what_the_figure_needs_and_nothing_else(toy):
    spec = toy(TOY)["toy"]
    code = figure_cell(spec)
    assert "# a helper with a comment\n@cache\ndef curve(" in code
    assert "STEPS = 10" in code and "UNUSED" not in code and "def unused" not in code
    assert "@figure" not in code and "guide" not in code.split("(the build runs it)")[1]
    assert "def draw(steps=STEPS):" in code
    figs = run_cell(code)
    assert len(figs) == 1 and figs[0].axes[0].lines[0].get_ydata()[-1] == 81


def test_page_kwargs_run_a_smaller_version(toy):
    spec = toy(TOY.replace('caption="Look at the toy.")', 'caption="Toy.", page_kwargs={"steps": 4})'))["toy"]
    code = figure_cell(spec)
    assert "fig = draw(steps=4)" in code
    assert "steps=4 (the build: 10)" in code
    assert smaller_title(spec).endswith("(steps = 4 instead of 10)")
    assert run_cell(code)[0].axes[0].lines[0].get_ydata()[-1] == 9


def test_a_package_the_page_lacks_is_refused_by_name(toy):
    spec = toy(TOY.replace("import numpy as np", "import numpy as np\nimport pytest")
               .replace("np.arange(steps) ** 2", "pytest.approx(steps)"))["toy"]
    with pytest.raises(FigureCodeError, match="pytest"):
        figure_cell(spec)


def test_an_import_of_the_guide_inside_a_function_is_refused(toy):
    spec = toy(TOY.replace("    return np.arange(steps) ** 2",
                           "    from guide.other import thing\n    return thing(steps)"))["toy"]
    with pytest.raises(FigureCodeError, match="inside a function"):
        figure_cell(spec)


def test_a_name_from_another_guide_module_is_included_from_its_source(toy):
    toy("BASE = 7\n\n\ndef scale(x):\n    return BASE * x\n", name="toy_helpers")
    spec = toy(TOY.replace("from guide.registry import figure",
                           "from guide.registry import figure\nfrom guide.toy_helpers import scale")
               .replace("np.arange(steps) ** 2", "scale(np.arange(steps))"))["toy"]
    code = figure_cell(spec)
    assert "BASE = 7" in code and "def scale(x):" in code
    assert code.index("def scale") < code.index("def curve")
    assert run_cell(code)[0].axes[0].lines[0].get_ydata()[-1] == 63


def test_two_different_definitions_of_one_name_are_refused(toy):
    toy("STEPS = 5\n\n\ndef scale(x):\n    return STEPS * x\n", name="toy_helpers")
    spec = toy(TOY.replace("from guide.registry import figure",
                           "from guide.registry import figure\nfrom guide.toy_helpers import scale")
               .replace("np.arange(steps) ** 2", "scale(np.arange(steps))"))["toy"]
    with pytest.raises(FigureCodeError, match="'STEPS' is defined both"):
        figure_cell(spec)


def test_a_figure_needs_a_caption():
    with pytest.raises(ValueError, match="caption"):
        registry.figure("no-caption", alt="something", caption="  ")
    with pytest.raises(TypeError):
        registry.figure("no-caption", alt="something")  # caption is a required keyword


def test_page_kwargs_must_name_a_keyword_parameter():
    decorate = registry.figure("bad-kwargs", alt="a", caption="b", page_kwargs={"runs": 10})
    with pytest.raises(ValueError, match="'runs'"):
        decorate(lambda steps=3: None)
    assert "bad-kwargs" not in registry.FIGURES


def test_a_decorator_is_shown_as_written():
    """The decorators kept in a figure's code are cut from lines split once: the same text as
    ``ast.get_source_segment`` for every decorator of the guide, and for one over several lines
    with characters of more than one byte."""
    src = ('@functools.cache\n@deco("é ↦ x",\n      k=[1,\n         2])  # note\n'
           'def f():\n    pass\n')
    path = Path("toy.py")
    mod = figure_code._Module("toy", path, src, ast.parse(src), None, lines=src.splitlines())
    decorators = mod.tree.body[0].decorator_list
    assert [mod.segment(d) for d in decorators] == [ast.get_source_segment(src, d) for d in decorators]
    assert mod.segment(decorators[1]).endswith("2])")
    checked = 0
    for py in sorted((REPO / "guide").glob("*.py")):
        mod = figure_code._Module.load(f"guide.{py.stem}")
        for node in ast.walk(mod.tree):
            for d in getattr(node, "decorator_list", []):
                assert mod.segment(d) == ast.get_source_segment(mod.source, d), (py.name, d.lineno)
                checked += 1
    assert checked > 50
