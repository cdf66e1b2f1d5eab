"""Results that arrive while the build goes on: one thread takes them as they come and stores them,
and whoever needs some of them waits for just those.

hooks/figures.py computes the missing figures and numbers this way (``hooks.parallel.start_tasks``
gives the results): MkDocs renders each page as soon as that page's figures and numbers are in,
while the worker processes compute the others, instead of rendering every page after the last
figure. A helper module, not a hook.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from mkdocs.exceptions import PluginError


class Computing:
    """Consume ``results`` in a thread, calling ``store(result)`` for each.

    ``store`` returns None, or the text of an error: the first error (or exception) stops the
    consumption, cancels what has not started and is raised as ``PluginError`` by every later
    ``wait``. ``cancel`` cancels the tasks from another thread (``hooks.parallel.start_tasks``).
    """

    def __init__(self, results: Iterator[Any], cancel: Callable[[], None],
                 store: Callable[[Any], str | None]) -> None:
        self._results, self._cancel, self._store = results, cancel, store
        self._cond = threading.Condition()
        self.error: str | None = None
        self.finished = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="optdocs-computing", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for result in self._results:
                with self._cond:
                    self.error = None if self._stopping else self._store(result)
                    self._cond.notify_all()
                if self.error is not None or self._stopping:
                    break
        except BaseException:  # noqa: BLE001 - reported to whoever waits
            with self._cond:
                self.error = self.error or traceback.format_exc()
        finally:
            close = getattr(self._results, "close", None)
            if close is not None:
                close()  # cancels the tasks not started
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def wait(self, ready: Callable[[], bool]) -> None:
        """Return once ``ready()`` is true (checked after each stored result) or everything is
        stored; raise ``PluginError`` if a result failed."""
        with self._cond:
            self._cond.wait_for(lambda: self.error is not None or self.finished or ready())
            if self.error is not None:
                raise PluginError(self.error)

    def wait_all(self) -> None:
        """Return once every result is stored; raise ``PluginError`` if one failed."""
        self.wait(lambda: False)

    def stop(self) -> None:
        """Cancel what has not started and let the thread end (a failed build, a new build of
        ``mkdocs serve``); the results still arriving are dropped."""
        with self._cond:
            self._stopping = True
        self._cancel()
        self._thread.join()
