"""hooks/figures.py: how missing figures and numbers are split over worker processes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

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


def _square(task):
    return [x * x for x in task]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_task_runs_once_in_process_or_in_workers(figures, monkeypatch, jobs):
    monkeypatch.setenv("OPTDOCS_JOBS", jobs)
    tasks = [[1, 2], [3], [4, 5, 6]]
    results = list(figures._run_tasks(_square, tasks))
    assert sorted(results) == sorted([[1, 4], [9], [16, 25, 36]])


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_job_count_is_refused_by_name(figures, monkeypatch, value):
    monkeypatch.setenv("OPTDOCS_JOBS", value)
    with pytest.raises(PluginError, match=f"OPTDOCS_JOBS must be a positive integer, got '{value}'"):
        list(figures._run_tasks(_square, [[1], [2]]))


def test_the_default_is_one_job_per_core(figures, monkeypatch):
    monkeypatch.delenv("OPTDOCS_JOBS", raising=False)
    monkeypatch.setattr(figures.os, "cpu_count", lambda: 3)
    assert figures._jobs() == 3
