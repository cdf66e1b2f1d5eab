"""The build caches stay flat: entries no build uses any more are pruned after a build.

``hooks/build_cache.py`` holds the rule (unused by this build and unused by any build for
GRACE_SECONDS); each hook applies it to the caches it writes. The end-to-end test of the cells
hook is in tests/test_site_build.py (a small site built twice).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hooks import build_cache  # noqa: E402
from hooks.build_cache import GRACE_SECONDS, cache_dir, prune, touch  # noqa: E402

OLD = time.time() - 2 * GRACE_SECONDS


def aged(path: Path, when: float = OLD) -> Path:
    os.utime(path, (when, when))
    return path


def entry(folder: Path, name: str, old: bool = True) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(name)
    return aged(path) if old else path


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"_{name}_hook_under_test", REPO / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTDOCS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


# --- the rule ---------------------------------------------------------------------------------


def test_prune_keeps_used_and_recent_entries_and_removes_the_rest(tmp_path):
    used = entry(tmp_path, "number-used.json")
    stale = entry(tmp_path, "number-stale.json")
    recent = entry(tmp_path, "number-recent.json", old=False)
    other = entry(tmp_path, "module-seconds.json")
    folder = tmp_path / "oldtree"
    entry(folder, "x.json")
    aged(folder)
    half_written = entry(tmp_path, ".number-x.json.123.tmp")
    removed = prune(tmp_path, [used], "number-*.json")
    assert sorted(removed) == sorted([stale, half_written])
    assert used.exists() and recent.exists() and other.exists() and folder.exists()
    assert prune(tmp_path, [], "oldtree") == [folder] and not folder.exists()


def test_prune_of_a_missing_folder_does_nothing(tmp_path):
    assert prune(tmp_path / "never-made", [], "*") == []


def test_a_used_entry_is_young_again(tmp_path):
    path = entry(tmp_path, "figure-a.svg")
    touch(path)
    assert prune(tmp_path, [], "*.svg") == [] and path.exists()
    touch(tmp_path / "gone.svg")  # pruned meanwhile by another build: no error


def test_cache_dir_honours_optdocs_cache_dir(cache_root):
    assert cache_dir("optdocs-cells") == cache_root / "optdocs-cells"
    assert (cache_root / "optdocs-cells").is_dir()
    assert build_cache.cache_root() == cache_root


# --- each hook prunes what it writes ------------------------------------------------------------


def test_figures_hook_prunes_figures_and_numbers_of_older_sources(cache_root):
    figures = load_hook("figures")
    folder = cache_dir("optdocs-figures")
    keep = [entry(folder, "number-current.json"), entry(folder, "figure-current.svg")]
    stale = [entry(folder, "number-old.json"), entry(folder, "figure-old.svg")]
    timings = entry(folder, "module-seconds.json")
    figures._state.update(cache=folder, used=set(keep), stats={})
    figures.on_post_build(config=None)
    assert all(p.exists() for p in keep) and timings.exists()
    assert not any(p.exists() for p in stale)


def test_cells_hook_prunes_cell_outputs_and_their_svgs(cache_root):
    cells = load_hook("cells")
    folder = cache_dir("optdocs-cells")
    used_json, stale_json = entry(folder, "aaa.json"), entry(folder, "bbb.json")
    used_svg, stale_svg = entry(folder / "svg", "s1.svg"), entry(folder / "svg", "s2.svg")
    cells._state.update(used={used_json}, svgs={"s1": b"<svg/>"})
    cells._prune_caches()
    assert used_json.exists() and used_svg.exists()
    assert not stale_json.exists() and not stale_svg.exists()


def test_notebooks_hook_prunes_the_trees_of_older_sources(cache_root):
    notebooks = load_hook("notebooks")
    current = notebooks.notebook_cache_folder()
    assert current.parent == cache_root / "mkdocs-jupyter"
    entry(current, "nb.json")
    aged(current)
    old_tree = current.parent / "0123456789abcdef"
    entry(old_tree, "nb.json")
    aged(old_tree)
    notebooks._state.update(folder=current)
    notebooks.on_post_build(config=None)
    assert (current / "nb.json").exists() and not old_tree.exists()


def test_pyodide_hook_prunes_older_pyc_archives(cache_root):
    pyodide = load_hook("pyodide")
    folder = cache_dir("optdocs-pycs")
    current, old = entry(folder, "current.zip"), entry(folder, "old.zip")
    pyodide._State.used_pycs = current
    pyodide.on_post_build(config=None)
    assert current.exists() and not old.exists()
