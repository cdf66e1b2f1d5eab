"""What a cached build result depends on: the local sources it imports, and library versions.

The hooks key their caches on these digests (``figures.py``: a chapter module's figures and
numbers; ``cells.py``: a runnable cell), so that editing ``optdocs/nn.py`` recomputes only what
imports it. Imports are found statically (``import`` statements, also inside functions); a module
loaded with ``importlib`` by a computed name is not seen.

The digests are memoised; :func:`forget` clears them at the start of every build, so that
``mkdocs serve`` sees edited sources.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def forget() -> None:
    """Drop every memoised digest and import list (the sources may have changed)."""
    for cached in (environment_digest, _file_digest, _file_imports, _import_lists, module_closure,
                   module_digest):
        cached.cache_clear()


def sources_digest(*roots: Path) -> str:
    """sha256 over the path and contents of every ``*.py`` file under ``roots`` (sorted)."""
    h = hashlib.sha256()
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if "__pycache__" in path.parts:
                continue
            h.update(str(path.relative_to(REPO_ROOT)).encode())
            h.update(b"\0")
            h.update(_file_digest(path))
    return h.hexdigest()


@functools.cache
def _file_digest(path: Path) -> bytes:
    """sha256 of one file (read once per build, however many keys include it)."""
    return hashlib.sha256(path.read_bytes()).digest()


@functools.lru_cache(maxsize=1)
def environment_digest() -> str:
    """Versions that change what code computes or how figures are drawn (read from the installed
    distributions: a warm build need not import matplotlib to learn its version)."""
    from importlib.metadata import version

    return f"py{sys.version_info[:3]}-numpy{version('numpy')}-mpl{version('matplotlib')}"


LOCAL_PACKAGES = ("optdocs", "guide")


def module_file(name: str) -> Path | None:
    """The source file of module ``name`` if it belongs to optdocs or guide, else None."""
    parts = name.split(".")
    if parts[0] not in LOCAL_PACKAGES:
        return None
    base = REPO_ROOT.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def imported_modules(source: str, module: str = "__main__", is_package: bool = False) -> set[str]:
    """The optdocs / guide modules a piece of source imports anywhere (also inside functions),
    with their parent packages. ``module`` is the importing module's name (for relative imports)."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # maybe submodules
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {n for n in out if module_file(n) is not None}


def _statements(body: list[ast.stmt]):
    """Every statement of ``body`` and of the blocks nested in it (function and class bodies,
    branches, handlers, match cases); the expressions, most of a tree's nodes and never an import,
    are not visited as ``ast.walk`` would."""
    todo = list(body)
    while todo:
        node = todo.pop()
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            todo.extend(getattr(node, field, ()))


def source_closure(source: str, module: str = "__main__") -> list[Path]:
    """Source files of every optdocs / guide module that ``source`` imports, transitively.

    Static (``import`` statements only): a module loaded with ``importlib`` by a computed name is
    not seen. This is what the caches key on, so that editing ``optdocs/nn.py`` recomputes only
    what imports it, and a chapter that reuses another chapter's experiment is recomputed when
    that chapter changes.
    """
    return sorted({module_file(n) for n in _closure(imported_modules(source, module))})


def _closure(names) -> set[str]:
    """``names`` and every local module they import, transitively."""
    todo = list(names)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_file_imports(name))
    return seen


@functools.cache
def _file_imports(name: str) -> frozenset[str]:
    path = module_file(name)
    key = f"{name}:{_file_digest(path).hex()}"
    known = _import_lists()
    if key not in known["read"]:
        known["read"][key] = sorted(imported_modules(path.read_text(encoding="utf-8"), name,
                                                     is_package=path.name == "__init__.py"))
        known["changed"] = True
    known["used"].add(key)
    return frozenset(known["read"][key])


def _imports_file() -> Path:
    from hooks.build_cache import cache_dir

    return cache_dir("optdocs-keys") / "imports.json"


@functools.cache
def _import_lists() -> dict:
    """The import lists of module versions seen before (parsing every source is the slow part of
    computing keys), from ``<cache>/optdocs-keys/imports.json``."""
    try:
        read = json.loads(_imports_file().read_text())
    except (OSError, ValueError):
        read = {}
    return {"read": read if isinstance(read, dict) else {}, "used": set(), "changed": False}


def save_import_lists() -> None:
    """Keep the import lists this build used (and only those) for the next build."""
    from hooks.build_cache import write_atomic

    known = _import_lists()
    if known["changed"] or set(known["read"]) != known["used"]:
        kept = {k: known["read"][k] for k in sorted(known["used"])}
        write_atomic(_imports_file(), json.dumps(kept, indent=0).encode())
        known.update(read=kept, changed=False)


@functools.cache
def module_closure(module: str) -> tuple[Path, ...]:
    """The source file of guide module ``module`` and of every local module it imports."""
    return tuple(sorted({module_file(n) for n in _closure([module])}))


@functools.cache
def module_digest(module: str) -> str:
    """Digest of the sources of ``module`` and of every local module it imports."""
    return sources_digest(*module_closure(module))


def item_key(kind: str, name: str, module: str, fmt: str | None = None,
             render_version: str = "1") -> str:
    """Key of figure/number ``name`` defined in ``module``: the sources of its module and of every
    optdocs / guide module it imports (transitively), the library versions, and how it is
    rendered (``fmt`` for a number, ``render_version`` for both)."""
    h = hashlib.sha256()
    for part in (render_version, kind, name, repr(fmt), environment_digest(), module_digest(module)):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()
