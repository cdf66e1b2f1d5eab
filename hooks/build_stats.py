"""Build statistics for tests and benchmarks: ``OPTDOCS_STATS_FILE=path mkdocs build`` writes what
each hook computed and what it took from its cache, as JSON, one section per hook."""

from __future__ import annotations

import json
import os
from pathlib import Path


def record_stats(section: str, counts: dict) -> None:
    """Merge ``counts`` under ``section`` into the JSON file named by ``$OPTDOCS_STATS_FILE``."""
    target = os.environ.get("OPTDOCS_STATS_FILE")
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() and path.stat().st_size else {}
    data[section] = counts
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
