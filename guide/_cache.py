"""On-disk cache folders shared by the build hooks (hooks/figures.py, hooks/cells.py)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir(name: str) -> Path:
    """``$OPTDOCS_CACHE_DIR/<name>`` (default ``.cache/<name>`` in the repository), created."""
    root = Path(os.environ.get("OPTDOCS_CACHE_DIR", REPO_ROOT / ".cache"))
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so a reader (or a parallel build) never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
