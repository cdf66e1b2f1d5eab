"""hooks/computing.py: results stored as they arrive, a waiter released by its own results only,
a failure raised to every waiter, a stop that cancels; hooks/parallel.start_tasks behind it."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hooks import parallel  # noqa: E402
from hooks.computing import Computing  # noqa: E402


def gated(items, gates, closed):
    """Yield each item once its gate is set; note in ``closed`` that the consumer closed us."""
    try:
        for item, gate in zip(items, gates, strict=True):
            assert gate.wait(10)
            yield item
    finally:
        closed.set()


def test_a_waiter_is_released_by_its_own_result_while_the_others_are_pending():
    gates, closed, stored = [threading.Event() for _ in range(3)], threading.Event(), {}
    computing = Computing(gated(["a", "b", "c"], gates, closed), lambda: None,
                          lambda item: stored.setdefault(item, True) and None)
    gates[0].set()
    computing.wait(lambda: "a" in stored)
    assert stored == {"a": True} and not computing.finished
    gates[1].set()
    gates[2].set()
    computing.wait_all()
    assert set(stored) == {"a", "b", "c"} and computing.finished and closed.is_set()


def test_a_failed_result_is_raised_to_every_waiter_and_stops_the_rest():
    gates, closed, stored = [threading.Event() for _ in range(3)], threading.Event(), []

    def store(item):
        stored.append(item)
        return "optdocs: figure 'b' failed:\nZeroDivisionError" if item == "b" else None

    computing = Computing(gated(["a", "b", "c"], gates, closed), lambda: None, store)
    gates[0].set()
    gates[1].set()
    for _ in range(2):  # the page waiting for "c", then the end of the build
        with pytest.raises(PluginError, match="figure 'b' failed:\nZeroDivisionError"):
            computing.wait(lambda: "c" in stored)
    assert stored == ["a", "b"] and closed.is_set()  # closing cancels the tasks not started


def test_an_exception_of_the_results_reaches_the_waiter_with_its_traceback():
    def results():
        yield "a"
        raise RuntimeError("worker process died")

    computing = Computing(results(), lambda: None, lambda item: None)
    with pytest.raises(PluginError, match=r"(?s)Traceback.*RuntimeError: worker process died"):
        computing.wait_all()


def test_stop_cancels_and_drops_what_still_arrives():
    gates, closed, stored, cancelled = [threading.Event() for _ in range(2)], threading.Event(), [], []

    def cancel():
        cancelled.append(True)
        for gate in gates:  # as the pool does: what was running still arrives
            gate.set()

    computing = Computing(gated(["a", "b"], gates, closed), cancel, stored.append)
    computing.stop()
    assert cancelled == [True] and stored == [] and closed.is_set() and computing.finished


def _slow_square(x):
    time.sleep(0.3)
    return x * x


def test_start_tasks_starts_the_workers_at_once_and_cancel_drops_the_tasks_not_started(monkeypatch):
    monkeypatch.setenv("OPTDOCS_JOBS", "2")
    results, cancel = parallel.start_tasks(_slow_square, list(range(12)))
    first = next(results)  # two workers: about 6 x 0.3 s for all twelve
    cancel()
    from concurrent.futures import CancelledError

    done = [first]
    with pytest.raises(CancelledError):
        for value in results:
            done.append(value)
    assert 1 <= len(done) < 12 and set(done) <= {x * x for x in range(12)}


def test_start_tasks_with_one_job_computes_as_it_is_iterated(monkeypatch):
    monkeypatch.setenv("OPTDOCS_JOBS", "1")
    calls = []
    results, cancel = parallel.start_tasks(lambda x: calls.append(x) or x, [1, 2, 3])
    assert cancel is None  # in this process: the figure hook then computes before the pages
    assert calls == []
    assert list(results) == [1, 2, 3] and calls == [1, 2, 3]
