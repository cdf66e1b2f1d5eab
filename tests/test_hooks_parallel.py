"""hooks/parallel.py: the build's tasks run once each, in process or in worker processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hooks import parallel  # noqa: E402


def _square(task):
    return [x * x for x in task]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_task_runs_once_in_process_or_in_workers(monkeypatch, jobs):
    monkeypatch.setenv("OPTDOCS_JOBS", jobs)
    tasks = [[1, 2], [3], [4, 5, 6]]
    results = list(parallel.run_tasks(_square, tasks))
    assert sorted(results) == sorted([[1, 4], [9], [16, 25, 36]])


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_job_count_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("OPTDOCS_JOBS", value)
    with pytest.raises(PluginError, match=f"OPTDOCS_JOBS must be a positive integer, got '{value}'"):
        list(parallel.run_tasks(_square, [[1], [2]]))


def test_the_default_is_one_job_per_core(monkeypatch):
    monkeypatch.delenv("OPTDOCS_JOBS", raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 3)
    assert parallel.jobs() == 3
