"""The exercise notebooks (docs/exercises/*.ipynb): stored clean, runnable, and answered.

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
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "docs" / "exercises"
NOTEBOOKS = sorted(EXERCISES.glob("*.ipynb"))
EXPECTED = [
    "01-nesterov-vs-momentum.ipynb",
    "02-warmup-cosine.ipynb",
    "03-adam-effective-lr.ipynb",
    "04-gradient-clipping.ipynb",
    "05-adam-vs-adamw.ipynb",
]
ANSWER = re.compile(r"\AAnswer: .*\d.*\.\n\Z", re.S)

def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_five_exercises_are_there():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


def test_index_links_every_notebook():
    text = (EXERCISES / "index.md").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r"\]\(([^)]+\.ipynb)\)", text))) == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs_and_shaped_as_agreed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    cells = code_cells(nb)
    assert all(c.outputs == [] and c.execution_count is None for c in cells), "clear the outputs"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert f"]({path.name})" in nb.cells[0].source, "the intro links to its own .ipynb"
    assert cells[0].metadata.get("tags") == ["setup"]
    assert nb.cells[-1] is cells[-1] and cells[-1].metadata.get("tags") == ["answer"]
    assert all(not c.metadata.get("tags") for c in cells[1:-1])


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
def run_alone(path: Path, i: int) -> subprocess.CompletedProcess:
    """Code cell `i` of the notebook at `path`, run on its own in a fresh python (once per session)."""
    source = code_cells(nbformat.read(path, as_version=4))[i].source
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}  # this checkout's optdocs
    return subprocess.run([sys.executable, "-c", source], cwd=EXERCISES, env=env,
                          capture_output=True, text=True, timeout=300)


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
