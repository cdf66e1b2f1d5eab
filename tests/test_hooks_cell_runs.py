"""hooks/cell_runs.py: cells run ahead in a background process store what the page would store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hooks import cell_runs  # noqa: E402

PRINTS = 'import numpy as np\nprint("mean", np.mean([1.0, 2.0, 4.0]))\n'
DRAWS = ("import matplotlib.pyplot as plt\n"
         "from optdocs import Adam\n"
         "plt.plot([0, 1], [Adam().lr, 0.5])\nplt.show()\nprint('drawn')\n")
FAILS = 'print("before")\nraise RuntimeError("deliberate")\n'


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTDOCS_CACHE_DIR", str(tmp_path / "cache"))
    cell_runs.forget_ahead()
    yield tmp_path / "cache"
    cell_runs.forget_ahead()


def test_the_background_stores_what_running_the_cell_here_gives(cache):
    assert cell_runs.run_ahead([PRINTS, DRAWS, FAILS, PRINTS]) == 3   # the same code runs once
    cell_runs.wait_ahead()
    for src in (PRINTS, DRAWS):
        path = cell_runs.entry(src)
        assert cell_runs.ran_ahead(path)
        output, svgs, error = cell_runs.execute(src)
        assert error is None
        assert cell_runs.read(path) == (output, {cell_runs.svg_name(s): s for s in svgs})
    assert len(cell_runs.read(cell_runs.entry(DRAWS))[1]) == 1
    # a failing cell stores nothing: the page runs it and reports the error with its place
    assert not cell_runs.entry(FAILS).is_file()
    assert "RuntimeError: deliberate" in cell_runs.execute(FAILS)[2]


def test_cells_handed_later_go_to_the_same_process(cache):
    assert cell_runs.run_ahead([PRINTS]) == 1
    first = cell_runs._ahead["procs"][0]
    assert cell_runs.run_ahead([DRAWS, PRINTS]) == 2  # PRINTS is not stored yet: handed again
    assert cell_runs._ahead["procs"] == [first]
    cell_runs.wait_ahead()
    assert first.returncode == 0
    assert cell_runs.read(cell_runs.entry(PRINTS)) and cell_runs.read(cell_runs.entry(DRAWS))


def test_a_process_that_stopped_is_replaced(cache):
    cell_runs.run_ahead([FAILS])
    first = cell_runs._ahead["procs"][0]
    first.kill()
    first.wait()
    assert cell_runs.run_ahead([PRINTS]) == 1
    assert len(cell_runs._ahead["procs"]) == 2
    cell_runs.wait_ahead()
    assert cell_runs.read(cell_runs.entry(PRINTS))


def test_nothing_is_started_when_every_cell_is_stored(cache):
    output, svgs, _ = cell_runs.execute(PRINTS)
    cell_runs.store(cell_runs.entry(PRINTS), output, svgs)
    assert cell_runs.run_ahead([PRINTS, "\n" + PRINTS + "\n\n"]) == 0   # blank lines do not count
    assert not cell_runs.ran_ahead(cell_runs.entry(PRINTS))
