"""On-disk cache folders of the build hooks, and their pruning.

``figures.py`` keeps computed figures and numbers in ``optdocs-figures/``, ``cells.py`` the output
of the runnable cells in ``optdocs-cells/`` and mkdocs-jupyter's executed notebooks in
``mkdocs-jupyter/<digest>/``, ``pyodide.py`` the first-Run ``.pyc`` archive in ``optdocs-pycs/``,
all under ``$OPTDOCS_CACHE_DIR`` (default ``.cache/`` in the repository).

Every entry is keyed by what it depends on, so an edit makes new entries and leaves old ones
behind. After a successful build each hook calls :func:`prune` with the entries it used: the
others go once no build has used them for :data:`GRACE_SECONDS` (a build touches what it reads),
so ``mkdocs serve`` keeps the disk flat and a concurrent build of the same tree keeps what it needs.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: An entry unused by the build that prunes stays this long after its last use.
GRACE_SECONDS = 600.0


def cache_root() -> Path:
    """``$OPTDOCS_CACHE_DIR``, or ``.cache`` in the repository."""
    return Path(os.environ.get("OPTDOCS_CACHE_DIR", REPO_ROOT / ".cache"))


def cache_dir(name: str) -> Path:
    """``$OPTDOCS_CACHE_DIR/<name>`` (default ``.cache/<name>`` in the repository), created."""
    path = cache_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so a reader (or a parallel build) never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def touch(path: Path) -> None:
    """Mark a cache entry as used now (its age is the time since a build last used it)."""
    try:
        os.utime(path)
    except OSError:
        pass  # a concurrent prune removed it: the next build recomputes it


def prune(folder: Path, used: Iterable[Path], pattern: str = "*",
          grace: float = GRACE_SECONDS, now: float | None = None) -> list[Path]:
    """Remove the entries of ``folder`` matching ``pattern`` that are not in ``used`` and were
    last used more than ``grace`` seconds ago; entries may be files or folders. Returns what was
    removed. Half-written temporary files (``.name.pid.tmp``) older than ``grace`` go too."""
    if not folder.is_dir():
        return []
    keep = {Path(p).name for p in used if Path(p).parent == folder}
    limit = (time.time() if now is None else now) - grace
    removed = []
    for entry in sorted({*folder.glob(pattern), *folder.glob(".*.tmp")}):
        if entry.name in keep:
            continue
        try:
            if entry.stat().st_mtime >= limit:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue  # pruned by a concurrent build
        removed.append(entry)
    return removed
