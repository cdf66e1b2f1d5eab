"""The exercise notebooks (docs/exercises/*.ipynb): stored clean, runnable, and answered.

Each notebook states the task, then gives a scaffold (the cell tagged ``scaffold``): a complete
script whose function(s) between the two marker lines raise NotImplementedError with a hint,
which the script catches and prints, so the scaffold runs as shipped. The worked solution
follows, every cell tagged ``solution`` and folded (``jupyter.source_hidden`` and
``outputs_hidden`` in the notebook, a closed ``<details>`` on the page, by hooks/notebooks.py);
its last cell, tagged ``answer`` too, is the scaffold with the blank filled in.

Each notebook is executed once, with nbclient, in a fresh ``python3`` kernel, as the site build
does. Then every code cell is run again on its own, in a fresh ``python`` process (``python -c``,
matplotlib's Agg backend, cwd = docs/exercises): a cell must work when pasted alone into a
runnable cell, with only numpy, matplotlib and optdocs installed, so it may rely on no variable,
import or function from another cell, the first (``setup``) cell included. A figure cell ends with
the bare expression ``SVG(...)``, which a script evaluates and drops; that still draws the figure.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "docs" / "exercises"
if str(ROOT) not in sys.path:  # hooks/notebooks.py folds the solutions on the page
    sys.path.insert(0, str(ROOT))
NOTEBOOKS = sorted(EXERCISES.glob("*.ipynb"))
EXPECTED = [
    "01-nesterov-vs-momentum.ipynb",
    "02-warmup-cosine.ipynb",
    "03-adam-effective-lr.ipynb",
    "04-gradient-clipping.ipynb",
    "05-adam-vs-adamw.ipynb",
]
ANSWER = re.compile(r"\AAnswer: .*\d.*\.\n\Z", re.S)
BEGIN = "# ---- your code: write the function(s) below, in place of each raise ----\n"
END = "# ---- end of your code ----\n"
BLANK_MESSAGE = re.compile(r"\AFill in the blank first: write \w+: .+\.\n\Z", re.S)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_five_exercises_are_there():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


def test_index_links_every_notebook():
    text = (EXERCISES / "index.md").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r"\]\(([^)]+\.ipynb)\)", text))) == EXPECTED


def tags(cell):
    return cell.metadata.get("tags", [])


def index_of_tag(nb, tag):
    (i,) = [i for i, c in enumerate(nb.cells) if tag in tags(c)]
    return i


def blank_region(source):
    """The text between the marker lines (which must each appear once), and what surrounds it."""
    assert source.count(BEGIN) == 1 and source.count(END) == 1, "the two marker lines, once each"
    head, rest = source.split(BEGIN)
    body, tail = rest.split(END)
    return head, body, tail


def filled_scaffold(nb):
    """The scaffold with its blank replaced by the answer cell's code between the markers."""
    head, _, tail = blank_region(nb.cells[index_of_tag(nb, "scaffold")].source)
    return head + BEGIN + blank_region(nb.cells[-1].source)[1] + END + tail


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs_and_shaped_as_agreed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    cells = code_cells(nb)
    assert all(c.outputs == [] and c.execution_count is None for c in cells), "clear the outputs"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "**Question.**" in nb.cells[0].source, "the intro states the task"
    assert f"]({path.name})" in nb.cells[0].source, "the intro links to its own .ipynb"
    assert tags(cells[0]) == ["setup"]
    assert nb.cells[-1] is cells[-1] and tags(cells[-1]) == ["solution", "answer"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_task_then_scaffold_then_the_folded_solution(path):
    nb = nbformat.read(path, as_version=4)
    s = index_of_tag(nb, "scaffold")
    assert nb.cells[s].cell_type == "code" and tags(nb.cells[s]) == ["scaffold"]
    assert nb.cells[s - 1].cell_type == "markdown"
    assert nb.cells[s - 1].source.startswith("## Your turn\n"), "the scaffold is introduced"
    # everything after the visible "Worked solution" heading is solution, and folded
    assert nb.cells[s + 1].source.startswith("## Worked solution\n")
    assert not any("solution" in tags(c) for c in nb.cells[:s + 2])
    after = nb.cells[s + 2:]
    assert len(after) >= 3 and any(c.cell_type == "code" for c in after[:-1])
    for c in after:
        assert "solution" in tags(c), c.source[:60]
        assert c.metadata.get("jupyter") == {"source_hidden": True, "outputs_hidden": True}
    assert all(not set(tags(c)) - {"solution"} for c in after[:-1])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_answer_is_the_scaffold_with_its_blank_filled(path):
    nb = nbformat.read(path, as_version=4)
    _, blank, _ = blank_region(nb.cells[index_of_tag(nb, "scaffold")].source)
    _, solution, _ = blank_region(nb.cells[-1].source)
    n_raise = blank.count("raise NotImplementedError(")
    n_defs = len(re.findall(r"^def ", blank, re.M))
    assert n_raise >= 1 and n_raise == n_defs, "one raising stub per function"
    assert "NotImplementedError" not in solution
    assert len(re.findall(r"^def ", solution, re.M)) == n_defs
    assert filled_scaffold(nb) == nb.cells[-1].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_scaffold_as_shipped_runs_and_says_what_to_write(path):
    nb = nbformat.read(path, as_version=4)
    proc = run_alone(path, code_cells(nb).index(nb.cells[index_of_tag(nb, "scaffold")]))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert BLANK_MESSAGE.match(proc.stdout), proc.stdout


def test_a_wrong_fill_is_caught_before_any_training():
    # Nesterov's rule with the buffer's old value in the step: a plausible slip
    path = EXERCISES / "01-nesterov-vs-momentum.ipynb"
    nb = nbformat.read(path, as_version=4)
    source = filled_scaffold(nb).replace("return lr * (grad + mu * buf), buf",
                                         "return lr * (grad + mu * (buf - grad) / mu), buf")
    assert source != filled_scaffold(nb)
    proc = run_source(source)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Not yet: on a quadratic valley your rule ends"), proc.stdout


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=lambda p: p.stem)
def executed(request):
    """The notebook after a run, top to bottom, in a fresh kernel."""
    nb = nbformat.read(request.param, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(EXERCISES)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{request.param.name} failed:\n{exc}")
    nb.metadata["optdocs_path"] = str(request.param)
    return nb


@functools.cache
def run_source(source: str) -> subprocess.CompletedProcess:
    """Python code run on its own in a fresh python (once per session for the same text)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}  # this checkout's optdocs
    return subprocess.run([sys.executable, "-c", source], cwd=EXERCISES, env=env,
                          capture_output=True, text=True, timeout=300)


def run_alone(path: Path, i: int) -> subprocess.CompletedProcess:
    """Code cell `i` of the notebook at `path`, run on its own in a fresh python."""
    return run_source(code_cells(nbformat.read(path, as_version=4))[i].source)


CELLS = [(path, i) for path in NOTEBOOKS
         for i in range(len(code_cells(nbformat.read(path, as_version=4))))]


@pytest.mark.parametrize(("path", "i"), CELLS, ids=[f"{p.stem[:2]}-cell{i + 1}" for p, i in CELLS])
def test_every_cell_runs_alone_in_a_fresh_python(path, i):
    cells = code_cells(nbformat.read(path, as_version=4))
    proc = run_alone(path, i)
    assert proc.returncode == 0, f"code cell {i + 1} of {path.name} fails alone:\n{proc.stderr}"
    assert proc.stderr == "", f"code cell {i + 1} of {path.name} wrote to stderr:\n{proc.stderr}"
    if i == len(cells) - 1:
        assert ANSWER.match(proc.stdout), proc.stdout


def stream(cell, name):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


def test_runs_without_errors_or_warnings(executed):
    nb = executed
    for i, cell in enumerate(code_cells(nb)):
        assert not [o for o in cell.outputs if o.output_type == "error"], f"cell {i + 1}"
        assert stream(cell, "stderr") == "", f"cell {i + 1} wrote to stderr"


def test_each_cell_prints_what_it_prints_alone(executed):
    # The kernel sends printed text in chunks split wherever its output thread flushed (one
    # print can arrive as its text and then a lone newline, on a busy machine), so the number of
    # stream outputs depends on timing. What must hold is the text: a cell prints the same text
    # in the notebook, top to bottom, as when it runs alone in a fresh python.
    nb, path = executed, Path(executed.metadata["optdocs_path"])
    for i, cell in enumerate(code_cells(nb)):
        assert stream(cell, "stdout") == run_alone(path, i).stdout, f"cell {i + 1} of {path.name}"


def test_ends_by_printing_its_answer(executed):
    nb = executed
    answer = code_cells(nb)[-1]
    assert ANSWER.match(stream(answer, "stdout")), stream(answer, "stdout")


def test_every_figure_cell_shows_an_svg(executed):
    nb = executed
    for cell in code_cells(nb):
        shows = any("image/svg+xml" in o.get("data", {}) for o in cell.outputs)
        assert shows == ("SVG(" in cell.source), cell.source


def test_the_filled_scaffold_prints_the_solutions_answer(executed):
    nb, path = executed, Path(executed.metadata["optdocs_path"])
    proc = run_source(filled_scaffold(nbformat.read(path, as_version=4)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == stream(code_cells(nb)[-1], "stdout")
    assert ANSWER.match(proc.stdout)


def rendered(nb, tmp_path):
    """The page hooks/notebooks.py makes of notebook ``nb``: mkdocs-jupyter's HTML, folded."""
    from mkdocs_jupyter.convert import nb2html

    from hooks.notebooks import fold_solutions, solution_flags

    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return fold_solutions(nb2html(str(path), execute=False), solution_flags(str(path)))


def test_the_page_folds_the_solution_with_its_answer_inside(executed, tmp_path):
    html = rendered(executed, tmp_path)
    assert html.count("<details") == 1 and html.count("</details>") == 1
    opened, closed = html.index("<details"), html.index("</details>")
    inside, before = html[opened:closed], html[:opened]
    assert "<details open" not in html and "<summary>Show the worked solution" in inside
    assert "celltag_scaffold" in before and "Fill in the blank first: write" in before
    assert "Worked solution" in before and "Your turn" in before
    answer = html_escape(stream(code_cells(executed)[-1], "stdout").splitlines()[0], quote=False)
    assert answer in inside and answer not in before, "the printed answer is folded"
    assert "celltag_answer" in inside
    assert "celltag_solution" not in before and "celltag_solution" not in html[closed:]
    figures = "data-mime-type=\"image/svg+xml\""
    assert html.count(figures) == inside.count(figures), "the solution's figures are folded"


def test_folding_refuses_a_page_whose_cells_do_not_match_the_notebook():
    from hooks.notebooks import fold_solutions

    page = '<div class="jp-Cell jp-MarkdownCell"><div>a</div></div>'
    assert fold_solutions(page, [False]) == page
    folded = fold_solutions(page + page, [False, True])
    assert folded == page + '<details class="optdocs-solution"><summary>' + folded.split(
        "<summary>")[1].split("</summary>")[0] + "</summary>" + page + "</details>"
    with pytest.raises(ValueError, match="shows 2 cells, the notebook has 3"):
        fold_solutions(page + page, [False, True, True])
