"""hooks/source_keys.py: what a cached figure, number or cell depends on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hooks import source_keys  # noqa: E402


@pytest.fixture
def keys(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTDOCS_CACHE_DIR", str(tmp_path))
    source_keys.forget()
    yield source_keys
    source_keys.forget()


def test_a_chapter_depends_on_the_chapters_and_package_modules_it_imports(keys):
    files = {p.relative_to(REPO).as_posix() for p in keys.module_closure("guide.index")}
    assert {"guide/index.py", "guide/sgd_vs_adam.py", "guide/registry.py", "guide/claims.py",
            "optdocs/simulate.py"} <= files
    assert "guide/training.py" not in files              # not imported by the home page


def test_a_cell_depends_on_what_its_code_imports(keys):
    files = {p.relative_to(REPO).as_posix()
             for p in keys.source_closure("from optdocs import Adam\nimport numpy as np\n")}
    assert "optdocs/__init__.py" in files and "optdocs/optimizers/adam.py" in files
    assert not any(f.startswith("guide/") for f in files)


def test_import_lists_are_kept_for_the_next_build(keys, monkeypatch):
    first = keys.item_key("number", "home_runs", "guide.index")
    keys.save_import_lists()
    assert (Path(keys._imports_file())).is_file()
    keys.forget()

    def no_parsing(*args, **kwargs):
        raise AssertionError("a source was parsed again although it did not change")

    monkeypatch.setattr(keys, "imported_modules", no_parsing)
    assert keys.item_key("number", "home_runs", "guide.index") == first


def test_the_key_changes_with_what_is_rendered(keys):
    base = keys.item_key("number", "x", "guide.index", "{:.2f}")
    assert keys.item_key("number", "x", "guide.index", "{:.3f}") != base
    assert keys.item_key("figure", "x", "guide.index") != keys.item_key("number", "x", "guide.index")
    assert keys.item_key("number", "x", "guide.index", "{:.2f}", render_version="2") != base
    assert keys.item_key("number", "x", "guide.sgd", "{:.2f}") != base


def test_imports_nested_in_any_block_are_found(keys):
    src = ("import numpy as np\n"
           "def f():\n    class C:\n        def g(self):\n            from optdocs import nn\n"
           "try:\n    pass\nexcept ImportError:\n    import optdocs.simulate\n"
           "finally:\n    pass\n"
           "with open('x') as fh:\n    if fh:\n        pass\n    else:\n"
           "        import optdocs.landscapes\n"
           "match 1:\n    case 1:\n        from optdocs import schedules\n"
           "for _ in []:\n    pass\nelse:\n    from optdocs.plots import style\n"
           "x = [__import__('optdocs.bench') for _ in ()]\n")
    found = keys.imported_modules(src)
    assert {"optdocs.nn", "optdocs.simulate", "optdocs.landscapes", "optdocs.schedules",
            "optdocs.plots.style"} <= found
    assert "optdocs.bench" not in found  # a computed import is not seen (the docstring says so)
