"""One lock for the builds that share the build cache (``.cache/`` or $OPTDOCS_CACHE_DIR).

Under pytest-xdist several workers may build the site at once: holding this lock, the first
computes the figures and the others find them, and a test that compares the cache before and
after its own build sees only that build. Used by tests/site_helpers.py and
tests/browser/conftest.py.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def build_lock():
    """Hold the build lock (an exclusive ``flock`` on ``<cache>/build.lock``) inside the block."""
    root = Path(os.environ.get("OPTDOCS_CACHE_DIR", REPO_ROOT / ".cache"))
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
