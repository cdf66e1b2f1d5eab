"""hooks/widgets.py's build-time pieces that need no build: the widget data's gzipped size."""
from __future__ import annotations

import gzip
import json

import pytest

from hooks import widgets


def test_the_gzipped_size_is_computed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTDOCS_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(widgets._state, "digest", "test-digest")
    monkeypatch.setitem(widgets._state, "used", set())
    raw = json.dumps({"grid": [i * 0.37 for i in range(5000)]}).encode()
    expected = len(gzip.compress(raw, compresslevel=9, mtime=0))
    assert widgets.data_size("race", raw) == expected
    monkeypatch.setattr(widgets, "gzipped_size", lambda data: pytest.fail("compressed again"))
    assert widgets.data_size("race", raw) == expected          # read back
    assert {p.suffix for p in widgets._state["used"]} == {".gzsize"}   # kept by the pruning


def test_a_broken_size_entry_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTDOCS_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(widgets._state, "digest", "test-digest")
    monkeypatch.setitem(widgets._state, "used", set())
    (tmp_path / "optdocs-widgets").mkdir()
    (tmp_path / "optdocs-widgets" / "race-test-digest.gzsize").write_text("half a numb")
    raw = b"[" + b"0.5, " * 2000 + b"1]"
    assert widgets.data_size("race", raw) == len(gzip.compress(raw, compresslevel=9, mtime=0))
