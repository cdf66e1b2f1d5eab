"""Run the build's independent computations in worker processes (``OPTDOCS_JOBS=N``; default one
per core; ``OPTDOCS_JOBS=1`` computes in the build's own process). Used by hooks/figures.py (one task
per group of chapter modules) and hooks/widgets.py (one task per widget)."""

from __future__ import annotations

import contextlib
import os
import sys
from concurrent.futures import Future, InvalidStateError

from mkdocs.exceptions import PluginError


def jobs() -> int:
    """``$OPTDOCS_JOBS`` (a positive integer), default one per core."""
    value = os.environ.get("OPTDOCS_JOBS", "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise PluginError(f"optdocs: OPTDOCS_JOBS must be a positive integer, got {value!r}")
    return int(value)


def run_tasks(work, tasks: list):
    """``work(task)`` for every task, in worker processes when there are several of each;
    yields the results as they complete (the workers start at the first ``next``)."""
    yield from start_tasks(work, tasks)[0]


def start_tasks(work, tasks: list):
    """Like ``run_tasks``, but the worker processes start and get every task now, before the
    caller starts a thread. Returns ``(results, cancel)``: an iterator of the results as they
    complete (closing it cancels the tasks not started), and a function that cancels them from
    another thread (the iterator then raises ``CancelledError``). With one worker or task,
    ``cancel`` is None: the iterator computes the tasks in this process as it is iterated."""
    n = min(jobs(), len(tasks))
    if n <= 1:
        return (work(task) for task in tasks), None
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the imported guide and its memoised results; a threaded parent (mkdocs serve)
    # must not fork, and Windows cannot
    method = "fork" if threading.active_count() == 1 and sys.platform != "win32" else "spawn"
    context = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=context)
    futures = [pool.submit(work, task) for task in tasks]
    stopper = Future()  # done when cancelled: wakes the wait below (a cancelled task would not)
    return _results(pool, futures, stopper), lambda: _set_done(stopper)


def _results(pool, futures: list, stopper):
    from concurrent.futures import FIRST_COMPLETED, CancelledError, wait

    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending | {stopper}, return_when=FIRST_COMPLETED)
            if stopper in done:
                raise CancelledError("the build's tasks were cancelled")
            pending.discard(stopper)
            for future in done:
                yield future.result()
    finally:  # a failure stops the build: start no further task
        pool.shutdown(wait=True, cancel_futures=True)


def _set_done(future) -> None:
    with contextlib.suppress(InvalidStateError):  # cancelled twice
        future.set_result(None)
