"""Run the build's independent computations in worker processes (``OPTDOCS_JOBS=N``; default one
per core; ``OPTDOCS_JOBS=1`` computes in the build's own process). Used by hooks/figures.py (one task
per group of chapter modules) and hooks/widgets.py (one task per widget)."""

from __future__ import annotations

import os
import sys

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
    yields the results as they complete."""
    n = min(jobs(), len(tasks))
    if n <= 1:
        for task in tasks:
            yield work(task)
        return
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork shares the imported guide and its memoised results; a threaded parent (mkdocs serve)
    # must not fork, and Windows cannot
    method = "fork" if threading.active_count() == 1 and sys.platform != "win32" else "spawn"
    context = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=context)
    try:
        for future in as_completed([pool.submit(work, task) for task in tasks]):
            yield future.result()
    finally:  # a failure stops the build: start no further task
        pool.shutdown(wait=True, cancel_futures=True)
