"""The exercise notebooks (docs/exercises/*.ipynb): stored clean, runnable, and answered.

Each notebook is executed once, with nbclient, in a fresh ``python3`` kernel, as the site build
does. Two cells are added for the test only: one right after the setup cell keeps a copy of the
kernel's namespace at that point, and one at the end re-runs every other code cell in its own copy
of that namespace, so a cell that silently relies on a variable from another non-setup cell fails
here. The cached runs of the setup cell make that second pass cheap.
"""

from __future__ import annotations

import re
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

SNAPSHOT = "_test_after_setup = dict(globals())"
RERUN = """\
import contextlib as _contextlib
import io as _io

for _i, _src in enumerate(_test_sources):
    _ns = dict(_test_after_setup)
    with _contextlib.redirect_stdout(_io.StringIO()):
        try:
            exec(compile(_src, f"<cell {_i + 2} alone>", "exec"), _ns)
        except Exception as _exc:
            raise AssertionError(f"cell {_i + 2} fails with only the setup cell run before it: "
                                 f"{_exc!r}\\n{_src}") from _exc
print("every cell ran alone after the setup cell")
"""


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
    """The notebook after a run in a fresh kernel, and the output of the re-run check."""
    nb = nbformat.read(request.param, as_version=4)
    cells = code_cells(nb)
    others = [c.source for c in cells[1:]]
    setup_at = nb.cells.index(cells[0])
    snapshot = nbformat.v4.new_code_cell(f"_test_sources = {others!r}\n{SNAPSHOT}")
    rerun = nbformat.v4.new_code_cell(RERUN)
    nb.cells.insert(setup_at + 1, snapshot)
    nb.cells.append(rerun)
    client = NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(EXERCISES)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{request.param.name} failed:\n{exc}")
    nb.cells.remove(snapshot)
    nb.cells.remove(rerun)
    return nb, rerun


def stream(cell, name):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


def test_runs_without_errors_or_warnings(executed):
    nb, _ = executed
    for i, cell in enumerate(code_cells(nb)):
        assert not [o for o in cell.outputs if o.output_type == "error"], f"cell {i + 1}"
        assert stream(cell, "stderr") == "", f"cell {i + 1} wrote to stderr"


def test_each_cell_prints_at_most_once(executed):
    # One print per cell gives one stream output whatever the timing, so the page is the same
    # on every build; prints spread over a computation are split where the kernel flushed.
    nb, _ = executed
    for i, cell in enumerate(code_cells(nb)):
        assert len([o for o in cell.outputs if o.output_type == "stream"]) <= 1, f"cell {i + 1}"


def test_every_cell_needs_only_the_setup_cell(executed):
    _, rerun = executed
    assert stream(rerun, "stdout") == "every cell ran alone after the setup cell\n"


def test_ends_by_printing_its_answer(executed):
    nb, _ = executed
    answer = code_cells(nb)[-1]
    assert ANSWER.match(stream(answer, "stdout")), stream(answer, "stdout")


def test_every_figure_cell_shows_an_svg(executed):
    nb, _ = executed
    for cell in code_cells(nb):
        shows = any("image/svg+xml" in o.get("data", {}) for o in cell.outputs)
        assert shows == ("SVG(" in cell.source), cell.source
