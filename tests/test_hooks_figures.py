"""hooks/figures.py: how the chapters with missing figures and numbers are grouped into tasks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


@pytest.fixture(scope="module")
def figures():
    spec = importlib.util.spec_from_file_location("_figures_hook_under_test", REPO / "hooks" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chapters_that_share_experiments_share_a_worker(figures):
    from guide import registry

    groups = figures.module_groups(registry.chapter_modules())
    assert ["guide.index", "guide.sgd_vs_adam"] in groups            # the home page reuses ch. 8
    assert ["guide.choosing", "guide.modern", "guide.schedules", "guide.training"] in groups
    assert ["guide.sgd"] in groups
    flat = [m for g in groups for m in g]
    assert sorted(flat) == registry.chapter_modules()                 # each module exactly once


def test_only_modules_with_work_are_grouped(figures):
    assert figures.module_groups(["guide.index"]) == [["guide.index"]]
    assert figures.module_groups([]) == []
